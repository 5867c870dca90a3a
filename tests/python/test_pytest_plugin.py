"""The fixtures reach a test through the installed `pytest11` entry point:
this suite's conftest no longer names the plugin."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import paynet
from paynet.testing import TEST_CARDS, Sandbox


def test_the_fixtures_come_from_the_entry_point(paynet_sandbox: Sandbox, paynet_client: paynet.Client) -> None:
    assert paynet_client.transactions.lookup("NO-SUCH-ORDER") is None
    assert paynet_sandbox.stats()["requests"] == 1


async def test_the_async_client_fixture_needs_no_loop_of_its_own(paynet_async_client: paynet.AsyncClient) -> None:
    assert await paynet_async_client.transactions.lookup("NO-SUCH-ORDER") is None


def test_the_async_client_fixture_works_under_anyio_alone(tmp_path: Path) -> None:
    # A user's suite on anyio's pytest plugin, without pytest-asyncio.
    (tmp_path / "test_user.py").write_text(
        "import pytest\n"
        "pytestmark = pytest.mark.anyio\n"
        "@pytest.fixture\n"
        "def anyio_backend():\n"
        "    return 'asyncio'\n"
        "async def test_lookup(paynet_async_client):\n"
        "    assert await paynet_async_client.transactions.lookup('NO-SUCH-ORDER') is None\n"
    )
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:asyncio", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout


def test_fail_next_and_the_ledger_show_a_lost_answer(paynet_sandbox: Sandbox, paynet_client: paynet.Client) -> None:
    paynet_sandbox.fail_next("reset", path="v2/transaction/payment")
    card = paynet.Card(number=TEST_CARDS["success"], exp_month=12, exp_year=2045, cvc="000", holder_name="A B")
    with pytest.raises((paynet.UnknownOutcomeError, paynet.APIConnectionError)):
        paynet_client.payments.create(
            amount=Decimal("12.50"), reference_no="LOST-1", domain="shop.example.com", card=card, max_retries=0
        )
    [entry] = paynet_sandbox.ledger()
    assert (entry["reference_no"], entry["amount"], entry["is_succeed"]) == ("LOST-1", Decimal("12.50"), True)
    assert entry["card_no_masked"].startswith("435508") and TEST_CARDS["success"] not in str(entry)
    # The retry with the same reference returns the recorded payment: one entry still.
    tx = paynet_client.payments.create(amount=Decimal("12.50"), reference_no="LOST-1", domain="shop.example.com", card=card)
    assert tx.replayed and len(paynet_sandbox.ledger()) == 1
