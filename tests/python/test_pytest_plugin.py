"""The fixtures reach a test through the installed `pytest11` entry point:
this suite's conftest no longer names the plugin."""

from __future__ import annotations

import paynet
from paynet.testing import Sandbox


def test_the_fixtures_come_from_the_entry_point(paynet_sandbox: Sandbox, paynet_client: paynet.Client) -> None:
    assert paynet_client.transactions.lookup("NO-SUCH-ORDER") is None
    assert paynet_sandbox.stats()["requests"] == 1


async def test_the_async_client_fixture_needs_no_loop_of_its_own(paynet_async_client: paynet.AsyncClient) -> None:
    assert await paynet_async_client.transactions.lookup("NO-SUCH-ORDER") is None
