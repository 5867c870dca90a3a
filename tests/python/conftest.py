"""Shared fixtures and helpers. Each test module starts its own sandbox."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest

import paynet
from paynet.testing import TEST_CARDS, Sandbox


SECRET_KEY = "sck_test_9f8e7d6c5b4a39281706"
CVC = "739"


def card(kind: str = "success") -> paynet.Card:
    return paynet.Card(number=TEST_CARDS[kind], exp_month=12, exp_year=2045, cvc=CVC, holder_name="TEST TEST")


def reference() -> str:
    return f"T-{uuid.uuid4().hex[:20]}"


def leaks(text: str) -> list[str]:
    """The secrets found in `text`: the key, any test card number, the CVC field."""
    found = [pan for pan in TEST_CARDS.values() if pan in text]
    if SECRET_KEY in text:
        found.append("secret key")
    if f"'{CVC}'" in text or f'"{CVC}"' in text or "cvc=" + CVC in text:
        found.append("cvc")
    return found


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(secret_key=SECRET_KEY, slow_bank_delay=2.0) as sb:
        yield sb


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[paynet.Client]:
    with paynet.Client(secret_key=sandbox.secret_key, base_url=sandbox.url, max_retries=0) as c:
        yield c


@pytest.fixture
async def aclient(sandbox: Sandbox) -> AsyncIterator[paynet.AsyncClient]:
    async with paynet.AsyncClient(secret_key=sandbox.secret_key, base_url=sandbox.url, max_retries=0) as c:
        yield c


@pytest.fixture(autouse=True)
def _no_secrets_in_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Over the whole suite: no log record of the SDK carries a key, PAN or CVC."""
    caplog.set_level(logging.DEBUG, logger="paynet")
    yield
    for record in caplog.records:
        text = record.getMessage() + " " + repr(vars(record))
        assert not leaks(text), f"log record leaks {leaks(text)}: {record.getMessage()}"
