"""`Client` and `AsyncClient`: the generated resources over one native client.

The resource classes (`Payments` / `AsyncPayments`, ...) are generated from
core's spec into `_resources.py`; a client binds them to its call function,
which blocks (`Client`) or returns an awaitable (`AsyncClient`).
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Literal

from . import _native
from ._calls import Amount
from ._errors import APIConnectionError
from ._native import NativeClient as _NativeClient
from ._resources import (
    AsyncClientResources,
    AsyncPayments,
    AsyncReports,
    AsyncTransactions,
    CardInput,
    ClientResources,
    Payments,
    Reports,
    Transactions,
)

__all__ = [
    "Amount",
    "AsyncClient",
    "AsyncPayments",
    "AsyncReports",
    "AsyncTransactions",
    "CardInput",
    "Client",
    "Payments",
    "Reports",
    "Transactions",
]

Environment = Literal["test", "live"]
PaymentAmountFormat = Literal["number", "comma"]


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


class Client(_BaseClient, ClientResources):
    """The synchronous client. One instance is safe to share across threads.

    Calls release the GIL while waiting, and Ctrl-C interrupts them.
    """

    def _bind_resources(self) -> None:
        self._bind(self._call)

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


class AsyncClient(_BaseClient, AsyncClientResources):
    """The asyncio client. One instance is safe to share across tasks (and threads).

    Cancelling a task aborts its request.
    """

    def _bind_resources(self) -> None:
        self._bind(self._call)

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
