"""`Client` and `AsyncClient`: the generated resources over one native client.

The resource classes (`Payments` / `AsyncPayments`, ...) are generated from
core's spec into `_resources.py`; a client binds them to its call function,
which blocks (`Client`) or returns an awaitable (`AsyncClient`).
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from . import _native
from ._calls import _progress
from ._errors import APIConnectionError
from ._models import TABLE_METHODS, _from_table
from ._native import NativeClient as _NativeClient
from ._resources import CALL_OPTIONS, AsyncClientResources, ClientOptions, ClientResources

__all__ = ["AsyncClient", "Client"]


def _call_options(params: dict[str, Any]) -> dict[str, Any]:
    """The per-call options a generated method put among its params, taken out."""
    return {name: params.pop(name) for name in CALL_OPTIONS if name in params}


class _BaseClient(ClientOptions):
    # Whatever must outlive this client: the test sandbox it was made by.
    _keeps_alive: object = None
    # Class-level defaults, so that a half-built client (its `__init__` failed,
    # or a subclass never called it) reads as closed and still has a repr.
    _native: _NativeClient | None = None
    _description: str | None = None

    def _open(self, secret_key: str, options: dict[str, Any]) -> None:
        import platform  # here, not at import: `import paynet` stays cheap
        try:
            native = _native.NativeClient(secret_key, user_agent_extra=f"python/{platform.python_version()}", **options)
        finally:
            # Dropped even when that failed: a traceback formatted with its
            # frames' locals (Sentry, rich, `pytest --showlocals`) must not find it here.
            del secret_key
        self._native = native
        self._description = native.description
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
        options = _call_options(params)
        if method not in TABLE_METHODS:
            return native.call(method, params, typed=True, **options)
        # The rows stay in Rust until asked for (`_models._Tabular`).
        with _progress(params.pop("progress", None)) as progress:
            return _from_table(native.call(method, params, table=True, progress=progress, **options))

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
        options = _call_options(params)
        if method not in TABLE_METHODS:
            return await native.call_async(method, params, typed=True, **options)
        with _progress(params.pop("progress", None)) as progress:
            return _from_table(await native.call_async(method, params, table=True, progress=progress, **options))

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
