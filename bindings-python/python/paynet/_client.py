"""`Client` and `AsyncClient`: the same resources over one native client.

Each resource method is written once. It collects its keyword arguments and
hands them to a *call function*; the sync client's call function blocks and
returns the result, the async client's returns an awaitable of it. The
resource classes are generic in that return type, so both clients are fully
typed without a second copy of any signature.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from collections.abc import Awaitable, Callable, Mapping, Sequence
from decimal import Decimal
from types import TracebackType
from typing import Any, Generic, Literal, TypeVar

from . import _native
from ._errors import APIConnectionError, InvalidTypeError, PaynetError
from ._native import NativeClient as _NativeClient
from ._models import Card, PaymentReport, Transaction, TransactionType

__all__ = ["AsyncClient", "Client", "Payments", "Reports", "Transactions"]

Amount = Decimal | int | str
"""Money in TL. `float` is refused: it cannot hold most amounts exactly."""

CardInput = Card | Mapping[str, Any]
Environment = Literal["test", "live"]
PaymentAmountFormat = Literal["number", "comma"]

_Tx = TypeVar("_Tx")
_MaybeTx = TypeVar("_MaybeTx")
_Report = TypeVar("_Report")
_R = TypeVar("_R")

#: `(method, params) -> result`; `params` may hold `timeout` and `max_retries`.
CallFunction = Callable[[str, dict[str, Any]], _R]

_NOT_PARAMS = ("self",)


def _params(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """A method's `locals()` → core parameters: unset (None) ones dropped.

    A card stays a `Card` (the native side reads its attributes): a plain dict
    of card data would show the number and CVC in any traceback formatted with
    its frames' locals (Sentry, rich, `pytest --showlocals`)."""
    return {name: value for name, value in arguments.items() if name not in _NOT_PARAMS and value is not None}


_CARD_FIELDS = frozenset(f.name for f in dataclasses.fields(Card))


class _CardMapping(dict[str, Any]):
    """A user's card mapping that is not a whole card (a key missing or
    unknown), on its way to core, which names the key at fault. Its repr
    names the known keys only, never a value."""

    __slots__ = ()

    def __repr__(self) -> str:
        known = [key for key in self if key in _CARD_FIELDS]
        others = len(self) - len(known)
        more = f"; {others} other key{'s' if others > 1 else ''}" if others else ""
        return f"<card data: {', '.join(known) or 'no card fields'}{more}>"


def _as_card(value: object) -> Card | _CardMapping | None:
    """The `card` argument as a `Card`, so that no frame of ours keeps the
    user's mapping (whose repr shows the number and CVC)."""
    if value is None or isinstance(value, Card):
        return value
    if isinstance(value, Mapping):
        if value.keys() == _CARD_FIELDS:
            return Card(**value)
        return _CardMapping(value)
    problem = f"card: must be a paynet.Card or a mapping, not {type(value).__name__}"
    del value  # not in this frame's locals when the error is shown
    raise InvalidTypeError(problem, field="card")


class Payments(Generic[_Tx]):
    """`client.payments`: take money."""

    def __init__(self, call: CallFunction[_Tx]) -> None:
        self._call = call

    def create(
        self,
        *,
        amount: Amount,
        reference_no: str,
        domain: str,
        card: CardInput | None = None,
        card_hash: str | None = None,
        card_owner_id: str | None = None,
        transaction_type: TransactionType | Literal["sale", "pre_auth"] | None = None,
        installment: int | None = None,
        description: str | None = None,
        card_holder_phone: str | None = None,
        card_holder_mail: str | None = None,
        agent_id: str | None = None,
        company_amount: Amount | None = None,
        add_commission: bool | None = None,
        ratio_code: str | None = None,
        save_card: bool | None = None,
        card_desc: str | None = None,
        user_unique_id: str | None = None,
        user_gsm_no: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> _Tx:
        """A sale (default) or pre-auth with `card` data or a saved `card_hash`.

        `reference_no` is your order number: repeating a call with the same one
        returns the earlier success (`.replayed` is true) instead of charging
        twice, so retrying after a timeout is safe. A declined card raises
        `CardDeclinedError`.
        """
        # First thing: the user's mapping is no longer referenced from this frame.
        try:
            card = _as_card(card)
        except InvalidTypeError:
            del card
            raise
        return self._call("payments.create", _params(locals()))

    def charge(
        self,
        *,
        session_id: str,
        token_id: str,
        amount: Amount,
        transaction_type: TransactionType | Literal["sale", "pre_auth"] | None = None,
        add_commission: bool | None = None,
        ratio_code: str | None = None,
        installments: Sequence[int] | None = None,
        no_installment: bool | None = None,
        tds_required: bool | None = None,
        reference_no: str | None = None,
        is_escrow: bool | None = None,
        agent_customer_name: str | None = None,
        iban: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> _Tx:
        """Completes a Paynet.js payment with the `session_id`/`token_id` your page received.

        The form options (`add_commission`, `ratio_code`, `installments`, ...)
        must equal the `data-*` attributes the Paynet.js form was started with.
        """
        return self._call("payments.charge", _params(locals()))

    def capture(
        self,
        *,
        xact_id: str | None = None,
        xact: int | None = None,
        reference_no: str | None = None,
        amount: Amount | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> _Tx:
        """Settles a pre-auth, identified by one of `xact_id`, `xact` or `reference_no`.

        Without `amount`, the whole pre-authorised amount.
        """
        return self._call("payments.capture", _params(locals()))


class Transactions(Generic[_Tx, _MaybeTx]):
    """`client.transactions`: look payments up."""

    def __init__(self, call: CallFunction[_Tx], lookup_call: CallFunction[_MaybeTx]) -> None:
        self._call = call
        self._lookup_call = lookup_call

    def lookup(
        self,
        target: PaynetError | str | None = None,
        *,
        reference_no: str | None = None,
        xact_id: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> _MaybeTx:
        """What became of a call: the `Transaction` as Paynet has it, or None
        when Paynet has none (the call did not happen).

        `target` is the error a call raised (an `UnknownOutcomeError`, or any
        error with a `reference_no` or `xact_id`) or a `reference_no`. By
        reference Paynet answers with the order's latest successful
        transaction, else its latest attempt. A declined one is returned, not
        raised. A capture shows as its pre-auth: settle a capture's unknown
        outcome by repeating it (a pre-auth is captured at most once).
        """
        if isinstance(target, PaynetError):
            if target.reference_no is None and target.xact_id is None:
                raise InvalidTypeError("target: this error names no reference_no or xact_id to look up", field="target")
            reference_no, xact_id = reference_no or target.reference_no, xact_id or target.xact_id
        elif isinstance(target, str):
            reference_no = reference_no or target
        elif target is not None:
            raise InvalidTypeError(f"target: must be a PaynetError or a reference_no, not {type(target).__name__}", field="target")
        del target
        return self._lookup_call("transactions.lookup", _params(locals()))

    def check(
        self,
        *,
        xact_id: str | None = None,
        reference_no: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> _Tx:
        """The status of one payment; the way to learn what happened after a timeout.

        A declined transaction is returned (`is_succeed` false), not raised.
        """
        return self._call("transactions.check", _params(locals()))


class Reports(Generic[_Report]):
    """`client.reports`: settlement reports."""

    def __init__(self, call: CallFunction[_Report]) -> None:
        self._call = call

    def payment_list(
        self,
        *,
        date: _dt.date | str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> _Report:
        """What Paynet pays out on `date` (default: today in Istanbul)."""
        return self._call("reports.payment_list", _params(locals()))


class _BaseClient:
    # Whatever must outlive this client: the test sandbox it was made by.
    _keeps_alive: object = None
    # Class-level defaults, so that a half-built client (its `__init__` failed,
    # or a subclass never called it) reads as closed and still has a repr.
    _native: _NativeClient | None = None
    _description: str | None = None

    def __init__(
        self,
        *,
        secret_key: str,
        environment: Environment = "test",
        base_url: str | None = None,
        timeout: float = 60.0,
        connect_timeout: float = 10.0,
        max_retries: int = 2,
        payment_amount_format: PaymentAmountFormat = "number",
        allow_insecure_http: bool = False,
        max_response_bytes: int = 8 << 20,
        max_report_bytes: int = 512 << 20,
    ) -> None:
        """`timeout` bounds a whole call, retries included; `max_retries` only
        applies where a retry cannot charge twice. Both can be set per call.

        `base_url` must be https; plain http is accepted to this machine, or
        to another one with `allow_insecure_http=True` (a sandbox in
        docker-compose), never for `environment="live"`. Answers larger than
        `max_response_bytes` (reports: `max_report_bytes`) are refused.

        `payment_amount_format`: how `payments.create` sends `amount`. Paynet's
        documentation disagrees: its payment page (S001) shows a JSON number
        (`12.50`, the default), newer pages a comma string (`"12,50"`: pass
        `"comma"`). Either way you pass TL amounts."""
        import platform  # here, not at import: `import paynet` stays cheap
        try:
            native = _native.NativeClient(
                secret_key,
                environment=environment,
                base_url=base_url,
                timeout=timeout,
                connect_timeout=connect_timeout,
                max_retries=max_retries,
                payment_amount_format=payment_amount_format,
                allow_insecure_http=allow_insecure_http,
                max_response_bytes=max_response_bytes,
                max_report_bytes=max_report_bytes,
                user_agent_extra=f"python/{platform.python_version()}",
            )
        finally:
            # The key now lives only in the native client. Dropped even when
            # that failed: a traceback formatted with its frames' locals
            # (Sentry, rich, `pytest --showlocals`) must not find it here.
            del secret_key
        self._native = native
        self._description = f"environment={environment!r}, base_url={base_url!r}, secret_key={native.masked_key!r}"
        self._bind_resources()

    def _bind_resources(self) -> None:
        raise NotImplementedError

    def _require_native(self) -> _NativeClient:
        native = self._native
        if native is None:
            raise APIConnectionError("this paynet client is closed; nothing was sent")
        return native

    def close(self) -> None:
        """Releases the connection pool. Calls in flight finish normally."""
        self._native = None

    def __repr__(self) -> str:
        # Never raises, even on a half-built client: reprs run in error reports.
        try:
            description = self._description
        except Exception:  # noqa: BLE001 - a subclass's attribute hook may raise anything
            description = None
        return f"{type(self).__name__}({description or '<not initialized>'})"


class Client(_BaseClient):
    """The synchronous client. One instance is safe to share across threads.

    Calls release the GIL while waiting, and Ctrl-C interrupts them.
    """

    payments: Payments[Transaction]
    transactions: Transactions[Transaction, Transaction | None]
    reports: Reports[PaymentReport]

    def _bind_resources(self) -> None:
        call = self._call
        self.payments = Payments(call)
        self.transactions = Transactions(call, call)
        self.reports = Reports(call)

    def _call(self, method: str, params: dict[str, Any]) -> Any:
        # typed: the native side builds `Transaction` / `PaymentReport` itself.
        native = self._native
        if native is None:
            native = self._require_native()
        return native.call(
            method, params, timeout=params.pop("timeout", None), max_retries=params.pop("max_retries", None), typed=True
        )

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncClient(_BaseClient):
    """The asyncio client. One instance is safe to share across tasks (and threads).

    Cancelling a task aborts its request.
    """

    payments: Payments[Awaitable[Transaction]]
    transactions: Transactions[Awaitable[Transaction], Awaitable[Transaction | None]]
    reports: Reports[Awaitable[PaymentReport]]

    def _bind_resources(self) -> None:
        call = self._call
        self.payments = Payments(call)
        self.transactions = Transactions(call, call)
        self.reports = Reports(call)

    async def _call(self, method: str, params: dict[str, Any]) -> Any:
        # typed: the native side builds `Transaction` / `PaymentReport` itself.
        native = self._native
        if native is None:
            native = self._require_native()
        return await native.call_async(
            method, params, timeout=params.pop("timeout", None), max_retries=params.pop("max_retries", None), typed=True
        )

    async def aclose(self) -> None:
        self.close()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
