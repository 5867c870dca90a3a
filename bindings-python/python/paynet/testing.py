"""Test helpers: the Paynet sandbox in-process, and pytest fixtures.

    from paynet.testing import Sandbox

    with Sandbox() as sb:
        client = paynet.Client(secret_key=sb.secret_key, base_url=sb.url)

For pytest, add `pytest_plugins = ["paynet.testing"]` to your `conftest.py` and
use the `paynet_sandbox` and `paynet_client` fixtures (a fresh sandbox per test).
"""

from __future__ import annotations

from collections.abc import Iterator
from types import TracebackType
from typing import TypedDict

from . import _native
from ._client import Client

__all__ = ["Sandbox", "SandboxStats", "TEST_CARDS", "paynet_client", "paynet_sandbox"]

#: The sandbox's test card numbers (any future expiry, any CVC).
TEST_CARDS = {
    "success": "4355084355084358",
    "insufficient_funds": "4000000000009995",
    "do_not_honour": "4000000000000002",
    "expired": "4000000000000069",
    "stolen": "4000000000009979",
    "slow_bank": "4000000000000259",
    "malformed_response": "4000000000000119",
}


class SandboxStats(TypedDict):
    requests: int
    """API requests received, whatever their outcome."""
    ledger_entries: int
    """Transactions recorded."""


class Sandbox:
    """A local, stateful Paynet emulator on a free port of 127.0.0.1.

    It runs inside this process (on the SDK's own runtime); `stop()`, leaving
    the `with` block, or the object being garbage-collected shuts it down.
    """

    def __init__(
        self,
        *,
        secret_key: str | None = None,
        slow_bank_delay: float = 3.0,
        settlement_days: int = 0,
        port: int = 0,
    ) -> None:
        self._native = _native.NativeSandbox(
            secret_key=secret_key, port=port, slow_bank_delay=slow_bank_delay, settlement_days=settlement_days
        )

    @property
    def url(self) -> str:
        """`http://127.0.0.1:PORT`: pass it as the client's `base_url`."""
        return self._native.url

    @property
    def secret_key(self) -> str:
        return self._native.secret_key

    def stats(self) -> SandboxStats:
        raw = self._native.stats()
        return SandboxStats(requests=raw["requests"], ledger_entries=raw["ledger_entries"])

    def client(self, *, timeout: float = 60.0, max_retries: int = 2) -> Client:
        """A `Client` bound to this sandbox; while it is in use, the sandbox keeps running."""
        client = Client(secret_key=self.secret_key, base_url=self.url, timeout=timeout, max_retries=max_retries)
        # The server stops when its handle is collected; the client holds it.
        client._keeps_alive = self
        return client

    def stop(self) -> None:
        self._native.stop()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"Sandbox(url={self.url!r})"


try:
    import pytest
except ImportError:  # pytest is only needed for the fixtures
    pass
else:

    @pytest.fixture
    def paynet_sandbox() -> Iterator[Sandbox]:
        """A fresh sandbox for one test."""
        with Sandbox(slow_bank_delay=1.0) as sandbox:
            yield sandbox

    @pytest.fixture
    def paynet_client(paynet_sandbox: Sandbox) -> Iterator[Client]:
        """A `Client` talking to `paynet_sandbox`."""
        with paynet_sandbox.client() as client:
            yield client
