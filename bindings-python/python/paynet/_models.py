"""Typed, immutable results and the card input.

Results are built from the JSON core returns (already converted: amounts are
`Decimal`, timestamps aware `datetime`, due dates `date`). Unknown keys are
ignored and unknown enum values kept as the raw `str`, so a newer Paynet answer
never breaks an older SDK.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import enum
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any, TypeVar

__all__ = [
    "BankId",
    "Card",
    "CardType",
    "PaymentReport",
    "PaymentReportRow",
    "Transaction",
    "TransactionType",
    "XactType",
]


class _StrEnum(str, enum.Enum):
    """`str()` and f-strings give the value (`"sale"`), as `enum.StrEnum` does on 3.11+."""

    # Enum's own __format__ follows __str__ once a class defines it.
    __str__ = str.__str__


class TransactionType(_StrEnum):
    SALE = "sale"
    PRE_AUTH = "pre_auth"
    CAPTURE = "capture"


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


_ENUM_FIELDS: Mapping[str, type[enum.Enum]] = {
    "transaction_type": TransactionType,
    "card_type": CardType,
    "bank_id": BankId,
    "card_bank_id": BankId,
    "xact_type": XactType,
}

_T = TypeVar("_T")


_KNOWN: dict[type[Any], frozenset[str]] = {}


def _build(cls: type[_T], data: Mapping[str, Any]) -> _T:
    """A model from a dict: unknown keys ignored, enum values made members when known."""
    known = _KNOWN.get(cls)
    if known is None:
        known = _KNOWN[cls] = frozenset(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]
    values = {k: v for k, v in data.items() if k in known}
    for k in _ENUM_FIELDS.keys() & values.keys():
        values[k] = _enum(_ENUM_FIELDS[k], values[k])
    return cls(**values)


class _Model:
    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """Every field, with its Python value (Decimal, datetime, enum members)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}  # type: ignore[arg-type]

    def _repr(self, *names: str) -> str:
        shown = ", ".join(f"{n}={getattr(self, n)!r}" for n in names if getattr(self, n) is not None)
        return f"{type(self).__name__}({shown})"


@dataclasses.dataclass(frozen=True, slots=True, repr=False, kw_only=True)
class Transaction(_Model):
    """A payment, pre-auth or capture as Paynet reports it.

    `replayed` is true when Paynet recognised the `reference_no` and returned the
    earlier successful transaction instead of charging again (code 100).
    """

    is_succeed: bool
    replayed: bool = False
    id: int | None = None
    xact_id: str | None = None
    xact_date: _dt.datetime | None = None
    transaction_type: TransactionType | str | None = None
    reference_no: str | None = None
    result_code: int | None = None
    message: str | None = None
    amount: Decimal | None = None
    net_amount: Decimal | None = None
    commission: Decimal | None = None
    commission_tax: Decimal | None = None
    currency: str | None = None
    installment: int | None = None
    ratio: Decimal | None = None
    pos_type: int | None = None
    is_tds: bool | None = None
    agent_id: str | None = None
    user_id: str | None = None
    email: str | None = None
    phone: str | None = None
    bank_id: BankId | str | None = None
    bank_name: str | None = None
    card_no_masked: str | None = None
    card_holder: str | None = None
    card_type: CardType | str | None = None
    card_brand_name: str | None = None
    authorization_code: str | None = None
    bank_reference_code: str | None = None
    order_id: str | None = None
    xact_transaction_id: str | None = None
    paynet_error_id: str | None = None
    paynet_error_message: str | None = None
    bank_error_code: str | None = None
    bank_error_message: str | None = None
    bank_error_short_desc: str | None = None
    bank_error_long_desc: str | None = None
    card_hash: str | None = None
    card_owner_id: str | None = None
    user_unique_id: str | None = None
    is_save_card_succeed: bool | None = None
    save_card_result_message: str | None = None
    card_bank_id: BankId | str | None = None
    card_logo_url: str | None = None
    campaign_url: str | None = None
    end_user_commission: Decimal | None = None
    end_user_ratio: Decimal | None = None
    ratio_code: str | None = None
    md_status: int | None = None
    note: str | None = None

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


@dataclasses.dataclass(frozen=True, slots=True, repr=False, kw_only=True)
class PaymentReportRow(_Model):
    """One transaction in a settlement report."""

    xact_id: str | None = None
    xact_date: _dt.datetime | None = None
    due_date: _dt.date | None = None
    xact_type: XactType | str | None = None
    is_succeed: bool | None = None
    amount: Decimal | None = None
    company_pay_amount: Decimal | None = None
    company_service_amount: Decimal | None = None
    agent_pay_amount: Decimal | None = None
    agent_service_amount: Decimal | None = None
    ratio: Decimal | None = None
    company_cost_ratio: Decimal | None = None
    installment: int | None = None
    plus_installment: int | None = None
    pos_type: int | None = None
    company_code: str | None = None
    company_name: str | None = None
    agent_id: str | None = None
    agent_name: str | None = None
    bank_id: BankId | str | None = None
    bank_name: str | None = None
    card_no_masked: str | None = None
    card_holder: str | None = None
    card_type: CardType | str | None = None
    authorization_code: str | None = None
    bank_reference_code: str | None = None
    order_id: str | None = None
    user_id: str | None = None

    def __repr__(self) -> str:
        return self._repr("xact_id", "xact_type", "amount", "due_date", "bank_id", "card_no_masked")


@dataclasses.dataclass(frozen=True, slots=True, repr=False, kw_only=True)
class PaymentReport(_Model):
    """What Paynet pays out on one due date: iterate it for the rows."""

    date: _dt.date
    rows: tuple[PaymentReportRow, ...] = ()
    total: int | None = None
    total_count: int | None = None

    @classmethod
    def _from_native(cls, data: Mapping[str, Any] | PaymentReport) -> PaymentReport:
        if isinstance(data, PaymentReport):
            return data
        rows = tuple(_build(PaymentReportRow, row) for row in data.get("rows") or ())
        return _build(cls, {**data, "rows": rows})

    def __iter__(self) -> Iterator[PaymentReportRow]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def to_dict(self) -> dict[str, Any]:
        return {**super(PaymentReport, self).to_dict(), "rows": [row.to_dict() for row in self.rows]}

    def to_pandas(self) -> Any:
        """The rows as a `pandas.DataFrame` (needs `pip install paynet[pandas]`).

        Typed `Any` because pandas ships no type information of its own.

        Money columns hold `decimal.Decimal` objects (dtype `object`) so that no
        amount passes through a float; convert explicitly if you want floats.
        """
        import pandas  # type: ignore[import-untyped, import-not-found, unused-ignore]

        columns = [f.name for f in dataclasses.fields(PaymentReportRow)]
        # Column by column: no dict per row.
        rows = self.rows
        return pandas.DataFrame({name: [getattr(row, name) for row in rows] for name in columns}, columns=columns)

    def __repr__(self) -> str:
        return f"PaymentReport(date={self.date!r}, rows={len(self.rows)}, total={self.total!r})"


@dataclasses.dataclass(frozen=True, slots=True, repr=False)
class Card(_Model):
    """Card data for `payments.create`. Its repr shows only the masked number."""

    number: str
    exp_month: int
    exp_year: int
    cvc: str
    holder_name: str

    def __repr__(self) -> str:
        return (
            f"Card(number={_mask_pan(self.number)!r}, exp_month=**, exp_year=****, "
            f"cvc='***', holder_name={self.holder_name!r})"
        )


def _register_models() -> None:
    """Lets `_native` build these classes directly from core's typed results
    (`NativeClient.call(..., typed=True)`), with what `_build` would do."""
    from . import _native

    models: list[tuple[str, type, list[str], list[Any], dict[str, dict[Any, Any]]]] = []
    for struct_name, cls in (
        ("Transaction", Transaction),
        ("PaymentReport", PaymentReport),
        ("PaymentReportRow", PaymentReportRow),
    ):
        fields = dataclasses.fields(cls)
        assert all(f.default_factory is dataclasses.MISSING for f in fields)
        names = [f.name for f in fields]
        members = {n: {m.value: m for m in _ENUM_FIELDS[n]} for n in names if n in _ENUM_FIELDS}
        models.append((struct_name, cls, names, [f.default for f in fields], members))
    _native._register_models(models, dataclasses.MISSING)


_register_models()
