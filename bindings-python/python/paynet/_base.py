"""Hand-written pieces the generated models (`_models_gen.py`) are built on:
the model and enum base classes, and the enums Python shows for some of
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
