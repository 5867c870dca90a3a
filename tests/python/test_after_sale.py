"""After the sale: refunds and cancels through Paynet's review, capture
reversal, the transaction services and every page of a list, sync and async,
against the sandbox over real HTTP (docs/AFTER-SALE.md)."""

from __future__ import annotations

import datetime as dt
import pathlib
from collections.abc import Iterator
from decimal import Decimal

import pytest

import paynet
from paynet.testing import Sandbox

from .conftest import SECRET_KEY, card, reference


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    # A sandbox of its own: these tests move its clock.
    with Sandbox(secret_key=SECRET_KEY) as sb:
        yield sb


def sale(client: paynet.Client, amount: str = "100", transaction_type: str = "sale") -> paynet.Transaction:
    return client.payments.create(
        amount=amount, reference_no=reference(), domain="shop.example.com", card=card(), transaction_type=transaction_type
    )


def span(sandbox: Sandbox) -> dict[str, dt.date]:
    today = sandbox.clock().date()
    return {"date_from": today - dt.timedelta(days=5), "date_to": today + dt.timedelta(days=5)}


def test_a_same_day_cancel_is_full_and_reviewed(client: paynet.Client, sandbox: Sandbox) -> None:
    tx = sale(client)
    with pytest.raises(paynet.InvalidRequestError):
        client.refunds.create(xact_id=tx.xact_id, amount=Decimal("30"))
    request = client.refunds.create(xact_id=tx.xact_id)
    assert request.reversal_id
    [pending] = [r for r in client.refunds.list(**span(sandbox)) if r.reversal_id == request.reversal_id]
    assert pending.status == "pending" and pending.xact_type == "R" and pending.amount == Decimal("100.00")

    sandbox.decide_reversal(request.reversal_id, approve=True)
    [approved] = [r for r in client.refunds.list(**span(sandbox)) if r.reversal_id == request.reversal_id]
    assert approved.status == "approved" and approved.decision_date is not None
    detail = client.transactions.retrieve(xact_id=tx.xact_id)
    assert detail.reversed and detail.refunded_amount == Decimal("100.00")


def test_later_refunds_are_partial_and_never_exceed_the_sale(client: paynet.Client, sandbox: Sandbox) -> None:
    tx = sale(client, "100")
    sandbox.advance_clock(days=1)
    first = client.refunds.create(xact_id=tx.xact_id, amount="30")
    with pytest.raises(paynet.InvalidRequestError):
        client.refunds.create(xact_id=tx.xact_id, amount="80")
    sandbox.decide_reversal(first.reversal_id, approve=False)
    # A rejected request gives nothing back, so 80 fits now.
    client.refunds.create(xact_id=tx.xact_id, amount="80")


def test_a_refund_whose_answer_is_lost_is_an_unknown_outcome_never_resent(sandbox: Sandbox) -> None:
    tx = None
    with paynet.Client(secret_key=sandbox.secret_key, base_url=sandbox.url, max_retries=3) as client:
        tx = sale(client)
        sandbox.advance_clock(days=1)
        sandbox.set_faults([{"kind": "reset", "when": "after", "path": "v1/transaction/reversed_request", "count": 1}])
        try:
            with pytest.raises(paynet.UnknownOutcomeError) as caught:
                client.refunds.create(xact_id=tx.xact_id, amount="10")
        finally:
            sandbox.clear_faults()
        # lookup would answer about the sale: the error names no identifiers, and says where to look.
        assert caught.value.xact_id is None and "refunds.list" in str(caught.value) and str(tx.xact_id) in str(caught.value)
        with pytest.raises(paynet.InvalidTypeError):
            client.transactions.lookup(caught.value)
        made = [r for r in client.refunds.list(**span(sandbox)) if r.xact_id == tx.xact_id]
        assert len(made) == 1, "sent once: the request arrived, and was not repeated"


def test_a_cancelled_capture_leaves_its_pre_auth_capturable(client: paynet.Client) -> None:
    auth = sale(client, "50", "pre_auth")
    capture = client.payments.capture(xact_id=auth.xact_id)
    reversal = client.payments.cancel_capture(xact_id=capture.xact_id)
    assert reversal.is_succeed
    assert client.payments.capture(xact_id=auth.xact_id).is_succeed


def test_the_services_record_on_a_payment(client: paynet.Client, sandbox: Sandbox) -> None:
    tx = sale(client, "12.50")
    client.transactions.add_info(xact_id=tx.xact_id, note="gift wrap", email="buyer@example.com")
    client.transactions.mark_transferred(xact_id=tx.xact_id, document_no="INV-1", amount=Decimal("12.50"), exchange_rate="1.0")
    detail = client.transactions.retrieve(xact_id=tx.xact_id)
    assert (detail.note, detail.email, detail.document_no, detail.is_transferred) == ("gift wrap", "buyer@example.com", "INV-1", True)
    assert detail.amount == Decimal("12.50") and isinstance(detail.net_amount, Decimal)
    assert client.transactions.slip(xact_id=tx.xact_id).url.startswith(sandbox.url)
    untransferred = {row.xact_id for row in client.transactions.list(**span(sandbox), untransferred=True, limit=100)}
    assert tx.xact_id not in untransferred


def test_every_page_of_a_thousand_transactions_comes_once(client: paynet.Client, sandbox: Sandbox) -> None:
    day = sandbox.clock().date() + dt.timedelta(days=30)
    sandbox.seed_sales(1001, start=day, end=day + dt.timedelta(days=2), seed=3)
    walked = [row.xact_id for row in client.transactions.list(date_from=day, date_to=day + dt.timedelta(days=2), limit=100)]
    assert len(walked) == 1001 and len(set(walked)) == 1001
    page = client.transactions.list_page(date_from=day, date_to=day + dt.timedelta(days=2), limit=100)
    assert page.total_count == 1001 and page.has_more and page.next_starting_after == 100
    assert page.total_amount is not None and isinstance(page.total_amount, Decimal)


async def test_the_async_client_walks_the_same_pages(aclient: paynet.AsyncClient, sandbox: Sandbox) -> None:
    day = sandbox.clock().date() + dt.timedelta(days=60)
    sandbox.seed_sales(250, start=day, end=day, seed=4)
    walked = [row.xact_id async for row in aclient.transactions.list(date_from=day, date_to=day, limit=100)]
    assert len(walked) == 250 and len(set(walked)) == 250


GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x00;"


def test_a_signature_image_is_uploaded_from_bytes_or_a_path(client: paynet.Client, tmp_path: pathlib.Path) -> None:
    tx = sale(client, "5")
    assert client.transactions.upload_signature(xact_id=tx.xact_id, image=GIF, file_name="signature.gif").result_code == 0
    path = tmp_path / "signature.gif"
    path.write_bytes(GIF)
    assert client.transactions.upload_signature(xact_id=tx.xact_id, image=path).result_code == 0
    # A plain string is refused: so often request data, it must not name a server file.
    with pytest.raises(paynet.InvalidRequestError) as text:
        client.transactions.upload_signature(xact_id=tx.xact_id, image=str(path))  # type: ignore[arg-type]
    assert text.value.field == "image"
    for bad in (b"%PDF-1.4 not an image", b"GIF89a" + bytes(3 << 20)):
        with pytest.raises(paynet.InvalidRequestError) as caught:
            client.transactions.upload_signature(xact_id=tx.xact_id, image=bad)
        assert caught.value.field == "image"
    with pytest.raises(paynet.InvalidRequestError) as missing:
        client.transactions.upload_signature(xact_id=tx.xact_id, image=tmp_path / "nope.png")
    assert missing.value.field == "image"


def test_an_escrowed_payment_is_approved_once(client: paynet.Client, sandbox: Sandbox) -> None:
    session = sandbox.paynetjs_session(amount=4000)
    tx = client.payments.charge(session_id=session["session_id"], token_id=session["token_id"], amount="40.00", is_escrow=True)
    assert client.transactions.update_escrow(xact_id=tx.xact_id, status="approve", note="delivered").result_code == 0
    with pytest.raises(paynet.PaynetError):
        client.transactions.update_escrow(xact_id=tx.xact_id, status="reject")
    plain = sale(client, "5")
    with pytest.raises(paynet.PaynetError):
        client.transactions.update_escrow(xact_id=plain.xact_id, status="approve")


async def test_the_async_client_refunds_and_records(aclient: paynet.AsyncClient, sandbox: Sandbox) -> None:
    tx = await aclient.payments.create(amount="60", reference_no=reference(), domain="d", card=card())
    await aclient.transactions.add_info(xact_id=tx.xact_id, note="async")
    request = await aclient.refunds.create(xact_id=tx.xact_id)
    sandbox.decide_reversal(request.reversal_id or "", approve=True)
    refunds = [r async for r in aclient.refunds.list(**span(sandbox)) if r.xact_id == tx.xact_id]
    assert [r.status for r in refunds] == ["approved"]
    detail = await aclient.transactions.retrieve(xact_id=tx.xact_id)
    assert detail.note == "async" and detail.reversed and detail.refunded_amount == Decimal("60.00")
    page = await aclient.transactions.list_page(**span(sandbox), limit=100)
    assert any(row.xact_id == tx.xact_id for row in page.transactions)
