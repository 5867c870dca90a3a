# Stub of the Rust extension `paynet._native` (bindings-python/src); checked by `mypy.stubtest`.
from collections.abc import Awaitable
from typing import Any, Final, final

__all__ = ["NativeClient", "NativeSandbox", "__version__", "METHODS", "_register_models"]

__version__: Final[str]
METHODS: Final[list[str]]

@final
class NativeClient:
    def __new__(
        cls,
        secret_key: str,
        *,
        user_agent_extra: str | None = None,
        # Any of core's client options by its Python name; None: the default.
        **options: Any,
    ) -> NativeClient: ...
    @property
    def description(self) -> str: ...
    def call(
        self,
        method: str,
        params: dict[str, Any],
        *,
        typed: bool = False,
        # The per-call options (`timeout`, `max_retries`).
        **options: Any,
    ) -> Any: ...
    def call_async(
        self,
        method: str,
        params: dict[str, Any],
        *,
        typed: bool = False,
        **options: Any,
    ) -> Awaitable[Any]: ...
    def prepare(self, method: str, params: dict[str, Any]) -> tuple[str, str]: ...

def _register_models(models: list[tuple[str, type, list[str], list[Any], dict[str, dict[Any, Any]]]], missing: Any) -> None: ...
@final
class NativeSandbox:
    def __new__(
        cls,
        *,
        secret_key: str | None = None,
        port: int = 0,
        slow_bank_delay: float = 3.0,
        settlement_days: int = 0,
        faults: str | None = None,
    ) -> NativeSandbox: ...
    @property
    def url(self) -> str: ...
    @property
    def secret_key(self) -> str: ...
    @property
    def publishable_key(self) -> str: ...
    def stats(self) -> dict[str, int]: ...
    def set_faults(self, plan: str) -> None: ...
    def clear_faults(self) -> None: ...
    def fault_stats(self) -> str: ...
    def complete_3d(self, session: str, *, otp: str | None = None, cancel: bool = False) -> str: ...
    def paynetjs_session(self, request: str) -> str: ...
    def pay_link(self, url: str, card: str) -> str: ...
    def confirmations(self) -> str: ...
    def last_receipt_otp(self, phone: str) -> str | None: ...
    def stop(self) -> None: ...
