"""`Client` and `AsyncClient`: the same resources over one native client.

Each resource method is written once. It collects its keyword arguments and
hands them to a *call function*; the sync client's call function blocks and
returns the result, the async client's returns an awaitable of it. The
resource classes are generic in that return type, so both clients are fully
typed without a second copy of any signature.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Awaitable, Callable, Mapping, Sequence
from decimal import Decimal
from types import TracebackType
from typing import Any, Generic, Literal, TypeVar

from . import _native
from ._models import Card, PaymentReport, Transaction, TransactionType

__all__ = ["AsyncClient", "Client", "Payments", "Reports", "Transactions"]

Amount = Decimal | int | str
"""Money in TL. `float` is refused: it cannot hold most amounts exactly."""

CardInput = Card | Mapping[str, Any]
Environment = Literal["test", "live"]
PaymentAmountFormat = Literal["number", "comma"]

_Tx = TypeVar("_Tx")
_Report = TypeVar("_Report")
_R = TypeVar("_R")

#: `(method, params) -> result`; `params` may hold `timeout` and `max_retries`.
CallFunction = Callable[[str, dict[str, Any]], _R]

_NOT_PARAMS = ("self",)


def _params(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """A method's `locals()` → core parameters: unset (None) ones dropped."""
    params: dict[str, Any] = {}
    for name, value in arguments.items():
        if name in _NOT_PARAMS or value is None:
            continue
        params[name] = value.to_dict() if isinstance(value, Card) else value
    return params


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


class Transactions(Generic[_Tx]):
    """`client.transactions`: look payments up."""

    def __init__(self, call: CallFunction[_Tx]) -> None:
        self._call = call

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
    ) -> None:
        """`timeout` bounds a whole call, retries included; `max_retries` only
        applies where a retry cannot charge twice. Both can be set per call.

        `payment_amount_format`: how `payments.create` sends `amount`. Paynet's
        documentation disagrees: its payment page (S001) shows a JSON number
        (`12.50`, the default), newer pages a comma string (`"12,50"`: pass
        `"comma"`). Either way you pass TL amounts."""
        import platform  # here, not at import: `import paynet` stays cheap
        self._native: _native.NativeClient | None = _native.NativeClient(
            secret_key,
            environment=environment,
            base_url=base_url,
            timeout=timeout,
            connect_timeout=connect_timeout,
            max_retries=max_retries,
            payment_amount_format=payment_amount_format,
            user_agent_extra=f"python/{platform.python_version()}",
        )
        self._description = (
            f"environment={environment!r}, base_url={base_url!r}, secret_key={self._native.masked_key!r}"
        )
        self._bind_resources()

    def _bind_resources(self) -> None:
        raise NotImplementedError

    def _require_native(self) -> _native.NativeClient:
        native = self._native
        if native is None:
            raise RuntimeError("this paynet client is closed")
        return native

    def close(self) -> None:
        """Releases the connection pool. Calls in flight finish normally."""
        self._native = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._description})"


class Client(_BaseClient):
    """The synchronous client. One instance is safe to share across threads.

    Calls release the GIL while waiting, and Ctrl-C interrupts them.
    """

    payments: Payments[Transaction]
    transactions: Transactions[Transaction]
    reports: Reports[PaymentReport]

    def _bind_resources(self) -> None:
        call = self._call
        self.payments = Payments(call)
        self.transactions = Transactions(call)
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
    transactions: Transactions[Awaitable[Transaction]]
    reports: Reports[Awaitable[PaymentReport]]

    def _bind_resources(self) -> None:
        call = self._call
        self.payments = Payments(call)
        self.transactions = Transactions(call)
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
