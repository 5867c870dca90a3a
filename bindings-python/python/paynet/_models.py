"""Typed, immutable results and the card input.

The declarations (fields, types, defaults, docs, enum members) are generated
from core's spec into `_models_gen.py`; this module adds what is behaviour:
reprs that show the telling fields (a card's number masked), a report's
iteration and `to_pandas`, building a model from a dict, and the registration
that lets the native side build these classes directly.

Results are built from what core returns (amounts are `Decimal`, timestamps
aware `datetime`, due dates `date`). Unknown keys are ignored and unknown enum
values kept as the raw `str`, so a newer Paynet answer never breaks an older SDK.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

from . import _models_gen as _gen
from ._base import BankId, CardType, XactType
from ._models_gen import *  # noqa: F403 - the enums and the models with no behaviour of their own

__all__ = [
    "BankId",
    "Card",
    "CardType",
    "PaymentReport",
    "PaymentReportRange",
    "PaymentReportRow",
    "Transaction",
    "XactType",
]
__all__ += _gen.__all__

_E = TypeVar("_E", bound=enum.Enum)


def _enum(cls: type[_E], value: Any) -> _E | str | None:
    if value is None:
        return None
    try:
        return cls(value)
    except ValueError:
        return str(value)


def _mask_pan(number: str) -> str:
    digits = "".join(c for c in number if c.isdigit())
    if len(digits) < 12:
        return "*" * len(number)
    return f"{digits[:6]}…{digits[-4:]}"


_T = TypeVar("_T")


_KNOWN: dict[type[Any], frozenset[str]] = {}


def _enum_fields(cls: type[Any]) -> Mapping[str, type[enum.Enum]]:
    """The generated class's enum fields (subclasses here keep their base's name)."""
    return _gen.ENUM_FIELDS.get(cls.__name__, {})


def _build(cls: type[_T], data: Mapping[str, Any]) -> _T:
    """A model from a dict: unknown keys ignored, enum values made members when known."""
    known = _KNOWN.get(cls)
    if known is None:
        known = _KNOWN[cls] = frozenset(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]
    values = {k: v for k, v in data.items() if k in known}
    enums = _enum_fields(cls)
    for k in enums.keys() & values.keys():
        values[k] = _enum(enums[k], values[k])
    return cls(**values)


def _doc(base: type[Any], note: str) -> str:
    return f"{base.__doc__}\n\n{note}"


class Transaction(_gen.Transaction):
    __doc__ = _doc(
        _gen.Transaction,
        "`replayed` is true when Paynet recognised the `reference_no` and returned the\n"
        "earlier successful transaction instead of charging again (code 100).",
    )
    __slots__ = ()

    @classmethod
    def _from_native(cls, data: Mapping[str, Any] | Transaction) -> Transaction:
        return data if isinstance(data, Transaction) else _build(cls, data)

    def __repr__(self) -> str:
        return self._repr(
            "xact_id",
            "reference_no",
            "transaction_type",
            "amount",
            "currency",
            "is_succeed",
            "replayed",
            "bank_id",
            "card_no_masked",
        )


class PaymentReportRow(_gen.PaymentReportRow):
    __doc__ = _gen.PaymentReportRow.__doc__
    __slots__ = ()

    def __repr__(self) -> str:
        return self._repr("xact_id", "xact_type", "amount", "due_date", "bank_id", "card_no_masked")


class _Tabular:
    """A result whose rows stay in the native table until asked for.

    Built by `_from_table` with its own fields set and the rows field left
    unset: the first read of the rows (iteration, `==`, `to_dict`, pickling)
    builds the row objects. `__arrow_c_stream__` (the Arrow PyCapsule
    interface) hands the rows to pyarrow, polars or duckdb as Arrow arrays
    built in Rust: money `decimal128(18, 2)`, timestamps
    `timestamp[us, tz=Europe/Istanbul]`, due dates `date32`, bank / card type /
    transaction type codes dictionary-encoded. No float anywhere.
    """

    __slots__ = ()
    _ROWS = "rows"

    @classmethod
    def _from_table(cls, table: Any) -> Any:
        obj = object.__new__(cls)
        known = _KNOWN.get(cls)
        if known is None:
            known = _KNOWN[cls] = frozenset(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]
        for name, value in table.envelope().items():
            if name in known:
                object.__setattr__(obj, name, value)
        object.__setattr__(obj, "_table", table)
        return obj

    def __getattr__(self, name: str) -> Any:
        # Only reached for a slot not set yet: the rows of a result built by `_from_table`.
        if name == self._ROWS:
            table = object.__getattribute__(self, "_table")
            rows = getattr(table.typed(), name)
            object.__setattr__(self, name, rows)
            return rows
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _native_table(self) -> Any:
        try:
            return object.__getattribute__(self, "_table")
        except AttributeError:
            raise TypeError(
                f"this {type(self).__name__} was not returned by a paynet call (built by hand or unpickled): "
                "it has no Arrow table"
            ) from None

    def __len__(self) -> int:
        try:
            return int(object.__getattribute__(self, "_table").num_rows)
        except AttributeError:
            return len(getattr(self, self._ROWS))

    def __arrow_c_stream__(self, requested_schema: object = None) -> object:
        """The rows as an Arrow C stream (the Arrow PyCapsule interface)."""
        return self._native_table().__arrow_c_stream__(requested_schema)

    def __arrow_c_schema__(self) -> object:
        return self._native_table().__arrow_c_schema__()

    def to_arrow(self) -> Any:
        """The rows as a `pyarrow.Table` (needs `pip install paynet[arrow]`)."""
        pyarrow = _extra("pyarrow", "arrow")
        return pyarrow.table(self)

    def to_polars(self) -> Any:
        """The rows as a `polars.DataFrame` (needs `pip install paynet[polars]`):
        money as `Decimal(18, 2)`, codes as `Categorical`."""
        polars = _extra("polars", "polars")
        return polars.DataFrame(self)

    def to_pandas(self, *, decimals: str = "arrow") -> Any:
        """The rows as a `pandas.DataFrame` (needs `pip install paynet[pandas]`).

        Typed `Any` because pandas ships no type information of its own.

        `decimals="arrow"` (the default): money and ratio columns are
        `pandas.ArrowDtype(decimal128(18, 2))` (ratios `decimal128(18, 8)`):
        exact, and `sum()`/`groupby` run in Arrow's C++ kernels. Timestamps are
        `timestamp[us, tz=Europe/Istanbul][pyarrow]`, dates `date32[pyarrow]`,
        the code columns pandas `category`.
        `decimals="decimal"`: those columns hold `decimal.Decimal` objects
        (dtype `object`), as before 0.2; slower, but plain Python values.
        Never floats, either way.
        """
        if decimals not in ("arrow", "decimal"):
            raise ValueError(f'decimals: must be "arrow" or "decimal", not {decimals!r}')
        pandas = _extra("pandas", "pandas")
        pyarrow = _extra("pyarrow", "pandas")
        table = pyarrow.table(self)

        def dtype(arrow_type: Any) -> Any:
            if pyarrow.types.is_dictionary(arrow_type):
                return None  # pandas' own: category
            if decimals == "decimal" and pyarrow.types.is_decimal(arrow_type):
                return None  # pyarrow's own: object columns of Decimal
            return pandas.ArrowDtype(arrow_type)

        return table.to_pandas(types_mapper=dtype)


def _extra(module: str, extra: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise ImportError(f"this needs {module}: pip install 'paynet[{extra}]'") from None


class PaymentReport(_Tabular, _gen.PaymentReport):
    __doc__ = _doc(_gen.PaymentReport, "Iterate it for the rows; `to_arrow()`, `to_polars()`, `to_pandas()` for a table.")
    __slots__ = ("_table",)
    # The rows are this module's `PaymentReportRow`.
    rows: tuple[PaymentReportRow, ...]

    @classmethod
    def _from_native(cls, data: Mapping[str, Any] | PaymentReport) -> PaymentReport:
        if isinstance(data, PaymentReport):
            return data
        rows = tuple(_build(PaymentReportRow, row) for row in data.get("rows") or ())
        return _build(cls, {**data, "rows": rows})

    def __iter__(self) -> Iterator[PaymentReportRow]:
        return iter(self.rows)

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "rows": [row.to_dict() for row in self.rows]}

    def __repr__(self) -> str:
        return f"PaymentReport(date={self.date!r}, rows={len(self)}, total={self.total!r})"


class PaymentReportRange(_Tabular, _gen.PaymentReportRange):
    __doc__ = _doc(_gen.PaymentReportRange, "Iterate it for the rows; `to_arrow()`, `to_polars()`, `to_pandas()` for a table.")
    __slots__ = ("_table",)
    rows: tuple[PaymentReportRow, ...]

    def __iter__(self) -> Iterator[PaymentReportRow]:
        return iter(self.rows)

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "rows": [row.to_dict() for row in self.rows]}

    def __repr__(self) -> str:
        return f"PaymentReportRange(start={self.start!r}, end={self.end!r}, rows={len(self)})"


def _from_table(table: Any) -> Any:
    """A `NativeTable` as its result class (see `_Tabular`)."""
    cls = globals()[table.model]
    return cls._from_table(table)


class Card(_gen.Card):
    __doc__ = _doc(_gen.Card, "For `payments.create`. Its repr shows only the masked number.")
    __slots__ = ()

    def __repr__(self) -> str:
        return (
            f"Card(number={_mask_pan(self.number)!r}, exp_month=**, exp_year=****, "
            f"cvc='***', holder_name={self.holder_name!r})"
        )


def _register_models() -> None:
    """Lets `_native` build these classes directly from core's typed results
    (`NativeClient.call(..., typed=True)`), with what `_build` would do."""
    from . import _native

    here = globals()
    models: list[tuple[str, type, list[str], list[Any], dict[str, dict[Any, Any]]]] = []
    for struct_name in _gen.MODELS:
        # This module's class of that name (a subclass), else the generated one.
        cls = here.get(struct_name) or getattr(_gen, struct_name)
        fields = dataclasses.fields(cls)
        assert all(f.default_factory is dataclasses.MISSING for f in fields)
        names = [f.name for f in fields]
        enums = _enum_fields(cls)
        members = {n: {m.value: m for m in enums[n]} for n in names if n in enums}
        models.append((struct_name, cls, names, [f.default for f in fields], members))
    _native._register_models(models, dataclasses.MISSING)


_register_models()

def _table_methods() -> frozenset[str]:
    """The methods whose results are `_Tabular`: `_call` asks for a native table."""
    from . import _native

    here = globals()
    return frozenset(m for m, model in _native.TABULAR.items() if isinstance(here.get(model), type) and issubclass(here[model], _Tabular))


TABLE_METHODS = _table_methods()
