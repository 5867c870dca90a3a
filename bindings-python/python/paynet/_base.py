"""Hand-written pieces the generated models (`_models_gen.py`) are built on:
the model and enum base classes (`_TabularModel`: a result whose rows stay in
Rust until read, and that hands them out as Arrow arrays), and the enums Python shows for some of
Paynet's string fields (they are strings in core's spec, so Node types them
as `string`; which fields use them is `PY_STR_ENUMS` in codegen/src/python.rs).
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any, ClassVar

__all__ = ["BankId", "CardType", "XactType"]


class _StrEnum(str, enum.Enum):
    """`str()` and f-strings give the value (`"sale"`), as `enum.StrEnum` does on 3.11+."""

    # Enum's own __format__ follows __str__ once a class defines it.
    __str__ = str.__str__


class CardType(_StrEnum):
    CREDIT = "cc"
    DEBIT = "dc"
    BUSINESS = "bc"


class XactType(_StrEnum):
    """Paynet's transaction type codes in reports (names from the reference)."""

    SALE = "S"
    CANCEL = "R"
    REFUND = "CD"
    CAPTURE = "CR"
    POINTS_CANCEL = "PI"
    POINTS_USAGE = "PK"
    PRE_AUTH = "PR"
    CAPTURE_CANCEL = "RC"
    PRE_AUTH_CANCEL = "RP"


class BankId(_StrEnum):
    ADVT = "ADVT"
    AXSS = "AXSS"
    BONS = "BONS"
    DENZ = "DENZ"
    FINS = "FINS"
    KVYT = "KVYT"
    MAXM = "MAXM"
    ODEA = "ODEA"
    PARF = "PARF"
    VAKF = "VAKF"
    WRLD = "WRLD"
    ZDGR = "ZDGR"
    ZRTB = "ZRTB"


class _Model:
    __slots__ = ()
    #: Fields the repr masks (a session key, a login link); generated per model.
    _secret_fields: ClassVar[tuple[str, ...]] = ()

    def to_dict(self) -> dict[str, Any]:
        """Every field, with its Python value (Decimal, datetime, enum members)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}  # type: ignore[arg-type]

    def _repr(self, *names: str) -> str:
        shown = ", ".join(
            f"{n}={'***' if n in self._secret_fields else repr(getattr(self, n))}" for n in names if getattr(self, n) is not None
        )
        return f"{type(self).__name__}({shown})"

    def __repr__(self) -> str:
        # The fields that are set; models with card data override this.
        return self._repr(*(f.name for f in dataclasses.fields(self)))  # type: ignore[arg-type]


class _TabularModel(_Model):
    """A result whose rows stay in the native table until asked for.

    Built by `_from_table` with its own fields set and the rows field left
    unset: the first read of the rows (iteration, `==`, `to_dict`, pickling)
    builds the row objects. `__arrow_c_stream__` (the Arrow PyCapsule
    interface) hands the rows to pyarrow, polars or duckdb as Arrow arrays
    built in Rust: money `decimal128(18, 2)`, timestamps
    `timestamp[us, tz=Europe/Istanbul]`, due dates `date32`, bank / card type /
    transaction type codes dictionary-encoded. No float anywhere.
    """

    __slots__ = ("_table",)
    #: The field holding the rows (set by each generated class).
    _ROWS: ClassVar[str] = "rows"

    @classmethod
    def _from_table(cls, table: Any) -> Any:
        obj = object.__new__(cls)
        known = frozenset(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]
        for name, value in table.envelope().items():
            if name in known:
                object.__setattr__(obj, name, value)
        object.__setattr__(obj, "_table", table)
        return obj

    def __getattr__(self, name: str) -> Any:
        # Only reached for a slot not set yet: the rows of a result built by `_from_table`.
        if name == self._ROWS:
            table = object.__getattribute__(self, "_table")
            rows = table.rows()
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

    def _num_rows(self) -> int:
        """How many rows, without building them when the native table has them."""
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
