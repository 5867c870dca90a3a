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
from ._base import BankId, CardType, XactType, _TabularModel
from ._models_gen import *  # noqa: F403 - the enums and the models with no behaviour of their own

__all__ = [
    "BankId",
    "Card",
    "CardType",
    "PaymentReport",
    "PaymentReportRange",
    "PaymentReportRow",
    "Transaction",
    "TransactionRecord",
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


_REPLAYED_NOTE = (
    "`replayed` is true when Paynet recognised the `reference_no` and returned the\n"
    "earlier successful transaction instead of charging again (code 100)."
)

# The fields both transaction models' reprs show: one declaration in core, one repr here.
_TRANSACTION_REPR = (
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


class Transaction(_gen.Transaction):
    __doc__ = _doc(_gen.Transaction, _REPLAYED_NOTE)
    __slots__ = ()

    def __repr__(self) -> str:
        return self._repr(*_TRANSACTION_REPR)


class TransactionRecord(_gen.TransactionRecord):
    __doc__ = _doc(_gen.TransactionRecord, _REPLAYED_NOTE)
    __slots__ = ()

    @classmethod
    def _from_native(cls, data: Mapping[str, Any] | TransactionRecord) -> TransactionRecord:
        return data if isinstance(data, TransactionRecord) else _build(cls, data)

    def __repr__(self) -> str:
        return self._repr(*_TRANSACTION_REPR)


class PaymentReportRow(_gen.PaymentReportRow):
    __doc__ = _gen.PaymentReportRow.__doc__
    __slots__ = ()

    def __repr__(self) -> str:
        return self._repr("xact_id", "xact_type", "amount", "due_date", "bank_id", "card_no_masked")


class PaymentReport(_gen.PaymentReport):
    __doc__ = _doc(_gen.PaymentReport, "Iterate it for the rows; `to_arrow()`, `to_polars()`, `to_pandas()` for a table.")
    __slots__ = ()
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

    def __len__(self) -> int:
        return self._num_rows()

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "rows": [row.to_dict() for row in self.rows]}

    def __repr__(self) -> str:
        return f"PaymentReport(date={self.date!r}, rows={len(self)}, total={self.total!r})"


class PaymentReportRange(_gen.PaymentReportRange):
    __doc__ = _doc(_gen.PaymentReportRange, "Iterate it for the rows; `to_arrow()`, `to_polars()`, `to_pandas()` for a table.")
    __slots__ = ()
    rows: tuple[PaymentReportRow, ...]

    def __iter__(self) -> Iterator[PaymentReportRow]:
        return iter(self.rows)

    def __len__(self) -> int:
        return self._num_rows()

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "rows": [row.to_dict() for row in self.rows]}

    def __repr__(self) -> str:
        return f"PaymentReportRange(start={self.start!r}, end={self.end!r}, rows={len(self)})"


def _from_table(table: Any) -> Any:
    """A `NativeTable` as its result class (a `_TabularModel`)."""
    cls = globals().get(table.model) or getattr(_gen, table.model)
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
    """The methods whose results are `_TabularModel`s: `_call` asks for a native table."""
    from . import _native

    here = globals()

    def tabular(model: str) -> bool:
        cls = here.get(model) or getattr(_gen, model, None)
        return isinstance(cls, type) and issubclass(cls, _TabularModel)

    return frozenset(m for m, model in _native.TABULAR.items() if tabular(model))


TABLE_METHODS = _table_methods()
