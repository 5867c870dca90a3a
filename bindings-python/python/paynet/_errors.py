"""The exception hierarchy: one class per core error kind, all under `PaynetError`.

`PaynetError` (fields, pickling, repr) and the functions `paynet._native` calls
are written here; the subclasses are generated into `_errors_gen.py`.
"""

from __future__ import annotations

import builtins

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._models import TransactionRecord

__all__ = ["PaynetError"]

_FIELDS = (
    "field",
    "http_status",
    "result_code",
    "error_type",
    "paynet_error_id",
    "bank_error_code",
    "bank_message",
    "transaction",
    "reference_no",
    "xact_id",
    "body_snippet",
)


class PaynetError(Exception):
    """Base of every error the SDK raises for a failed call.

    `kind` is the stable name shared with the Node package; the other attributes
    are set when the kind has them and None otherwise. Messages never contain
    the secret key, a card number or a CVC.
    """

    kind: str = "internal"

    message: str
    field: str | None
    http_status: int | None
    result_code: int | None
    error_type: str | None
    paynet_error_id: str | None
    bank_error_code: str | None
    bank_message: str | None
    transaction: TransactionRecord | None
    reference_no: str | None
    xact_id: str | None
    """The transaction the call acted on, when it named one (a capture's pre-auth)."""
    body_snippet: str | None

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        http_status: int | None = None,
        result_code: int | None = None,
        error_type: str | None = None,
        paynet_error_id: str | None = None,
        bank_error_code: str | None = None,
        bank_message: str | None = None,
        transaction: TransactionRecord | None = None,
        reference_no: str | None = None,
        xact_id: str | None = None,
        body_snippet: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.http_status = http_status
        self.result_code = result_code
        self.error_type = error_type
        self.paynet_error_id = paynet_error_id
        self.bank_error_code = bank_error_code
        self.bank_message = bank_message
        self.transaction = transaction
        self.reference_no = reference_no
        self.xact_id = xact_id
        self.body_snippet = body_snippet

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{name}={getattr(self, name)!r}"
            for name in ("field", "http_status", "result_code", "bank_error_code", "reference_no", "xact_id")
            if getattr(self, name) is not None
        )
        return f"{type(self).__name__}({self.message!r}{', ' if shown else ''}{shown})"

    # Celery and multiprocessing pickle exceptions; keyword-only attributes
    # would be lost by BaseException's default reduce.
    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.message, {name: getattr(self, name) for name in _FIELDS}))


# The subclasses, one per core error kind (and the Python-only
# `InvalidTypeError`), are generated from core's spec by `make gen`; they
# extend `PaynetError` above, so they are imported only now.
from . import _errors_gen  # noqa: E402
from ._errors_gen import *  # noqa: E402, F403
from ._errors_gen import InvalidTypeError  # noqa: E402

__all__ += _errors_gen.__all__


def _classes() -> list[type[PaynetError]]:
    """`PaynetError` and every subclass, parents before children, in definition order."""
    found: list[type[PaynetError]] = [PaynetError]
    for cls in found:
        found.extend(cls.__subclasses__())
    return found


# The class of each kind, from the spec (`InvalidTypeError` is an
# `InvalidRequestError` too). A test checks these are the spec's kinds.
_BY_KIND: dict[str, type[PaynetError]] = dict(_errors_gen.BY_KIND)
for _cls in _classes():
    # Tracebacks and reprs show `paynet.CardDeclinedError`, the name users import.
    _cls.__module__ = "paynet"
del _cls


def _rebuild(cls: type[PaynetError], message: str, fields: dict[str, Any]) -> PaynetError:
    return cls(message, **fields)


def _invalid_type(message: str, field: str) -> InvalidTypeError:
    """Called by `paynet._native` when a value has the wrong Python type."""
    return InvalidTypeError(message, field=field)


def _network_cause(cause: dict[str, str]) -> OSError:
    """The builtin a network failure is in Python, chained as `__cause__`:
    `except ConnectionRefusedError` and the like keep working on its cause."""
    import socket
    import ssl

    classes: dict[str, type[OSError]] = {
        "refused": ConnectionRefusedError,
        "reset": ConnectionResetError,
        "dns": socket.gaierror,
        "tls_certificate": ssl.SSLCertVerificationError,
        "tls": ssl.SSLError,
        "connect_timeout": builtins.TimeoutError,
    }
    return classes.get(cause["kind"], OSError)(cause["detail"])


def _from_native(kind: str, message: str, fields: dict[str, Any]) -> PaynetError:
    """Called by `paynet._native` for every core error."""
    from ._models import TransactionRecord

    cause = fields.pop("cause", None)
    transaction = fields.get("transaction")
    if transaction is not None:
        fields = {**fields, "transaction": TransactionRecord._from_native(transaction)}
    cls = _BY_KIND.get(kind)
    if cls is not None:
        error = cls(message, **fields)
    else:
        # A kind newer than this package: still a PaynetError, with the real kind.
        error = PaynetError(message, **fields)
        error.kind = kind
    if cause is not None:
        # As `raise error from cause`: the network failure, as Python names it.
        error.__cause__ = _network_cause(cause)
        error.__suppress_context__ = True
    return error
