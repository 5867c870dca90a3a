"""Issue 9 from Python: unknown outcomes and their recovery, redirects, forged
answers, an echoing proxy, base URLs and cancelled calls, driven by the
sandbox's after-commit faults over real HTTP."""

from __future__ import annotations

import asyncio
import json
import logging
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

import paynet
from paynet.testing import Sandbox

from .conftest import card, reference

KEY = "sck_py_hostile_Vb72Xq19"
PAN = "4355084355084358"
CVC = "0417"


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(secret_key=KEY) as sandbox:
        yield sandbox


def session(sb: Sandbox) -> tuple[str, str]:
    body = {"amount": "1000", "pan": PAN, "month": 12, "year": 2045, "cvc": "000", "card_holder": "TEST TEST"}
    request = urllib.request.Request(f"{sb.url}/__sandbox/paynetjs/session", data=json.dumps(body).encode())
    with urllib.request.urlopen(request) as answer:
        s = json.load(answer)
    return s["session_id"], s["token_id"]


def charge(client: Any, s: tuple[str, str], ref: str) -> Any:
    return client.payments.charge(session_id=s[0], token_id=s[1], amount=Decimal("10"), reference_no=ref)


def test_an_unknown_outcome_is_settled_by_lookup(sb: Sandbox) -> None:
    with paynet.Client(secret_key=KEY, base_url=sb.url) as client:
        sb.set_faults([{"kind": "status", "status": 502, "path": "v1/transaction/charge", "count": 1}])
        with pytest.raises(paynet.UnknownOutcomeError) as raised:
            charge(client, session(sb), "PY-UO-1")
        e = raised.value
        assert (e.reference_no, e.http_status) == ("PY-UO-1", 502)
        assert "lookup" in str(e)
        tx = client.transactions.lookup(e)
        assert tx is not None and tx.is_succeed and tx.reference_no == "PY-UO-1"
        assert client.transactions.lookup("PY-UO-1") == tx
        assert client.transactions.lookup(reference_no="PY-NEVER-SENT") is None

        sb.set_faults([{"kind": "status", "status": 503, "when": "before", "count": 1}])
        with pytest.raises(paynet.UnknownOutcomeError) as raised:
            charge(client, session(sb), "PY-UO-2")
        assert client.transactions.lookup(raised.value) is None, "refused before processing: it did not happen"

        with pytest.raises(paynet.InvalidRequestError) as refused:
            client.transactions.lookup(paynet.APIError("no identifiers"))
        assert refused.value.field == "target"


async def test_lookup_from_the_async_client(sb: Sandbox) -> None:
    async with paynet.AsyncClient(secret_key=KEY, base_url=sb.url) as client:
        pre = await client.payments.create(
            amount=Decimal("30"), reference_no=reference(), domain="d", card=card(), transaction_type="pre_auth"
        )
        sb.set_faults([{"kind": "reset", "path": "v1/transaction/capture", "count": 1}])
        with pytest.raises(paynet.UnknownOutcomeError) as raised:
            await client.payments.capture(xact_id=pre.xact_id, amount=Decimal("10"))
        assert raised.value.xact_id == pre.xact_id
        found = await client.transactions.lookup(raised.value)
        assert found is not None and found.xact_id == pre.xact_id
        assert await client.transactions.lookup("PY-NOTHING") is None
        # A capture is settled by repeating it: a pre-auth is captured at most once.
        with pytest.raises(paynet.InvalidRequestError):
            await client.payments.capture(xact_id=pre.xact_id, amount=Decimal("10"))


def test_redirects_are_not_followed(sb: Sandbox) -> None:
    with Sandbox(secret_key=KEY) as elsewhere, paynet.Client(secret_key=KEY, base_url=sb.url, max_retries=0) as client:
        sb.set_faults([{"kind": "redirect", "status": 308, "location": f"{elsewhere.url}/v2/transaction/payment", "count": 2}])
        with pytest.raises(paynet.UnknownOutcomeError):
            client.payments.create(amount=Decimal("10"), reference_no=reference(), domain="d", card=card())
        with pytest.raises(paynet.ProtocolError):
            client.transactions.check(reference_no="X")
        assert elsewhere.stats()["requests"] == 0


def test_forged_successes_and_an_echoing_proxy(sb: Sandbox) -> None:
    with paynet.Client(secret_key=KEY, base_url=sb.url, max_retries=0) as client:
        ref = reference()
        # A success without what every success has: the money may have moved.
        # One about another reference: not this payment's answer at all.
        for body, error in [
            ('{"is_succeed": true, "code": 0}', paynet.UnknownOutcomeError),
            (json.dumps({"is_succeed": True, "xact_id": "xk_1", "xact_date": "2026-12-01T10:00:00+03:00"}), paynet.UnknownOutcomeError),
            (json.dumps({"is_succeed": True, "xact_id": "xk_1", "reference_no": "OTHER"}), paynet.ProtocolError),
        ]:
            sb.set_faults([{"kind": "replace", "body": body, "count": 1}])
            with pytest.raises(error) as raised:
                client.payments.create(amount=Decimal("10"), reference_no=ref, domain="d", card=card())
            assert raised.value.reference_no == ref and "is_succeed" in (raised.value.body_snippet or "")
        sb.set_faults([{"kind": "echo", "count": 1}])
        with pytest.raises(paynet.UnknownOutcomeError) as echoed:
            client.payments.create(
                amount=Decimal("10"), reference_no=reference(), domain="d", card=paynet.Card(number=PAN, exp_month=12, exp_year=2045, cvc=CVC, holder_name="TEST TEST")
            )
        shown = f"{echoed.value} {echoed.value!r} {echoed.value.body_snippet}"
        assert echoed.value.body_snippet
        for secret in (KEY, PAN, f'"{CVC}"'):
            assert secret not in shown


@pytest.mark.parametrize(
    ("options", "why"),
    [
        ({"environment": "live", "base_url": "http://127.0.0.1:8080"}, "live"),
        ({"environment": "live", "base_url": "http://10.0.0.9", "allow_insecure_http": True}, "live"),
        ({"base_url": "http://sandbox.internal:8080"}, "allow_insecure_http"),
        ({"base_url": "https://api.example.com/?next=1"}, "query"),
        ({"base_url": "https://user:pw@api.example.com"}, "credentials"),
    ],
)
def test_unsafe_base_urls_are_refused(options: dict[str, Any], why: str) -> None:
    with pytest.raises(paynet.InvalidRequestError) as raised:
        paynet.Client(secret_key=KEY, **options)
    assert raised.value.field == "base_url" and why in str(raised.value)


def test_plain_http_to_another_host_needs_the_opt_in() -> None:
    paynet.Client(secret_key=KEY, base_url="http://sandbox.internal:8080", allow_insecure_http=True).close()
    with pytest.raises(paynet.InvalidTypeError) as raised:
        paynet.Client(secret_key=KEY, allow_insecure_http="yes")  # type: ignore[arg-type]
    assert raised.value.field == "allow_insecure_http"


def test_answers_beyond_the_size_limit_are_refused(sb: Sandbox) -> None:
    with paynet.Client(secret_key=KEY, base_url=sb.url, max_response_bytes=64, max_retries=0) as client:
        client.payments.create  # noqa: B018 - a client with a tiny limit still builds
        with pytest.raises(paynet.UnknownOutcomeError) as raised:
            client.payments.create(amount=Decimal("10"), reference_no=reference(), domain="d", card=card())
        assert "64 bytes" in str(raised.value)


async def test_a_cancelled_charge_is_logged_with_its_reference(sb: Sandbox, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="paynet")
    async with paynet.AsyncClient(secret_key=KEY, base_url=sb.url) as client:
        s = session(sb)
        sb.set_faults([{"kind": "delay", "delay_ms": 5000, "path": "v1/transaction/charge", "count": 1}])
        before = sb.stats()["requests"]
        task = asyncio.ensure_future(charge(client, s, "PY-CANCELLED"))
        while sb.stats()["requests"] == before:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.sleep(0.05)
    warnings = [r for r in caplog.records if getattr(r, "paynet_outcome", None) == "cancelled"]
    assert len(warnings) == 1, caplog.text
    record = warnings[0]
    assert record.levelno == logging.WARNING
    assert (getattr(record, "paynet_operation"), getattr(record, "paynet_reference_no")) == ("payments.charge", "PY-CANCELLED")
    assert "PY-CANCELLED" in record.getMessage() and "lookup" in record.getMessage()
