"""Checkout as shops take money: 3D Secure, Paynet.js, PayLink and its
confirmation post, sync and async, against the sandbox over real HTTP."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

import paynet
from paynet.testing import TEST_CARDS, Sandbox

from .conftest import card, reference

RETURN_URL = "https://shop.example.com/checkout/3d-return"
NOT_ENROLLED = TEST_CARDS["tds_not_enrolled"]


def start_3d(client: paynet.Client, **overrides: Any) -> paynet.ThreeDSecureSession:
    params: dict[str, Any] = {
        "amount": Decimal("150.00"),
        "reference_no": reference(),
        "domain": "shop.example.com",
        "card": card(),
        "return_url": RETURN_URL,
    }
    params.update(overrides)
    return client.payments.create_3d(**params)


class Form(Mapping[str, str]):
    """A framework's parsed form (Django's QueryDict, Werkzeug's MultiDict):
    a mapping whose `get` gives one value."""

    def __init__(self, fields: Mapping[str, str]) -> None:
        self._fields = dict(fields)

    def __getitem__(self, key: str) -> str:
        return self._fields[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields)

    def __len__(self) -> int:
        return len(self._fields)


# ------------------------------------------------------------------ 3D Secure


def test_a_3d_sale_goes_through_the_bank_page_and_charges_once(client: paynet.Client, sandbox: Sandbox) -> None:
    ref = reference()
    session = start_3d(client, amount="150", reference_no=ref)
    assert session.post_url and session.post_url.startswith(sandbox.url)
    assert session.html_content and session.post_url in session.html_content
    assert session.session_id and session.token_id
    # Nothing is charged before the customer verifies.
    assert client.transactions.lookup(ref) is None

    posted = sandbox.complete_3d(session, otp="123456")
    assert posted["return_url"] == RETURN_URL
    tx = client.payments.complete_3d(Form(posted["fields"]))
    assert tx.is_succeed and tx.is_tds and not tx.replayed
    assert tx.amount == Decimal("150.00") and isinstance(tx.amount, Decimal)
    assert tx.xact_id

    again = client.payments.complete_3d(session_id=session.session_id, token_id=session.token_id)
    assert again.replayed and again.xact_id == tx.xact_id
    checked = client.transactions.check(xact_id=tx.xact_id)
    assert checked.is_succeed and checked.amount == Decimal("150.00")


@pytest.mark.parametrize("action", [{"cancel": True}, {"otp": "000000"}], ids=["cancelled", "bank-timeout"])
def test_a_failed_3d_is_a_three_d_secure_error_and_charges_nothing(client: paynet.Client, sandbox: Sandbox, action: dict[str, Any]) -> None:
    ref = reference()
    session = start_3d(client, reference_no=ref)
    posted = sandbox.complete_3d(session, **action)
    assert posted["fields"]["md_status"] == "0"
    with pytest.raises(paynet.ThreeDSecureError) as caught:
        client.payments.complete_3d(posted["fields"])
    error = caught.value
    assert isinstance(error, paynet.CardDeclinedError) and error.kind == "three_d_secure_failed"
    assert error.result_code == 16 and error.transaction is not None and not error.transaction.is_succeed
    looked = client.transactions.lookup(ref)
    assert looked is None or not looked.is_succeed
    # The same pair again: the same refusal, still nothing charged.
    with pytest.raises(paynet.ThreeDSecureError):
        client.payments.complete_3d(posted["fields"])


def test_three_wrong_codes_fail_the_3d(client: paynet.Client, sandbox: Sandbox) -> None:
    session = start_3d(client)
    for left in (2, 1):
        # The page asks again: there is no post back yet.
        with pytest.raises(ValueError, match=f"{left} tries left"):
            sandbox.complete_3d(session, otp="111111")
    posted = sandbox.complete_3d(session, otp="111111")
    assert posted["fields"]["md_status"] == "0"
    with pytest.raises(paynet.ThreeDSecureError):
        client.payments.complete_3d(posted["fields"])


def test_a_card_not_enrolled_fails_the_3d(client: paynet.Client, sandbox: Sandbox) -> None:
    not_enrolled = paynet.Card(number=NOT_ENROLLED, exp_month=12, exp_year=2045, cvc="123", holder_name="TEST TEST")
    session = start_3d(client, card=not_enrolled)
    posted = sandbox.complete_3d(session, otp="123456")
    with pytest.raises(paynet.ThreeDSecureError):
        client.payments.complete_3d(posted["fields"])


def test_a_bank_decline_after_3d_is_a_card_decline(client: paynet.Client, sandbox: Sandbox) -> None:
    session = start_3d(client, card=card("insufficient_funds"))
    posted = sandbox.complete_3d(session, otp="123456")
    with pytest.raises(paynet.CardDeclinedError) as caught:
        client.payments.complete_3d(posted["fields"])
    assert type(caught.value) is paynet.CardDeclinedError


def test_a_3d_pre_auth_is_captured(client: paynet.Client, sandbox: Sandbox) -> None:
    session = start_3d(client, transaction_type="pre_auth", amount="80")
    tx = client.payments.complete_3d(sandbox.complete_3d(session, otp="123456")["fields"])
    assert tx.is_succeed and tx.transaction_type == "pre_auth"
    captured = client.payments.capture(xact_id=tx.xact_id)
    assert captured.is_succeed


def test_completing_before_the_customer_verified_is_refused(client: paynet.Client) -> None:
    session = start_3d(client)
    # A 400: the customer can still finish on the bank page, so it is no 3D failure.
    with pytest.raises(paynet.InvalidRequestError) as caught:
        client.payments.complete_3d(session_id=session.session_id, token_id=session.token_id)
    assert caught.value.result_code == 16 and not isinstance(caught.value, paynet.ThreeDSecureError)


def test_a_form_without_the_pair_is_refused_before_sending(client: paynet.Client) -> None:
    with pytest.raises(paynet.InvalidRequestError) as caught:
        client.payments.complete_3d({"md_status": "1"})
    assert caught.value.field == "session_id"
    with pytest.raises(paynet.InvalidTypeError):
        client.payments.complete_3d(["session_id"])  # type: ignore[arg-type]


async def test_the_async_client_completes_a_3d_sale(aclient: paynet.AsyncClient, sandbox: Sandbox) -> None:
    session = await aclient.payments.create_3d(
        amount="42.10", reference_no=reference(), domain="shop.example.com", card=card(), return_url=RETURN_URL
    )
    tx = await aclient.payments.complete_3d(sandbox.complete_3d(session, otp="123456")["fields"])
    assert tx.is_succeed and tx.amount == Decimal("42.10")


# ------------------------------------------------------------------ Paynet.js


def test_a_paynetjs_session_is_charged(client: paynet.Client, sandbox: Sandbox) -> None:
    session = sandbox.paynetjs_session(
        amount=2500, card_holder="TEST TEST", pan="4355084355084358", month=12, year=2045, cvc="000"
    )
    tx = client.payments.charge(session_id=session["session_id"], token_id=session["token_id"], amount="25.00")
    assert tx.is_succeed and tx.amount == Decimal("25.00")


# ------------------------------------------------------------------ receipt OTP


def test_a_receipt_otp_is_texted(client: paynet.Client, sandbox: Sandbox) -> None:
    ack = client.payments.send_receipt_otp(phone_number="05321234567")
    assert ack.result_code == 0
    code = sandbox.last_receipt_otp("05321234567")
    assert code is not None and len(code) == 6 and code.isdigit()
    with pytest.raises(paynet.InvalidRequestError) as caught:
        client.payments.send_receipt_otp(phone_number="+905321234567")
    assert caught.value.field == "phone_number"


# ------------------------------------------------------------------ PayLink


class Confirmations:
    """A shop's `confirmation_url`: records each JSON body Paynet posts."""

    def __init__(self) -> None:
        self.bodies: list[str] = []
        received = self.bodies

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length", "0"))
                received.append(self.rfile.read(length).decode())
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/paynet/confirm"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for_one(self) -> str:
        import time

        deadline = time.monotonic() + 5
        while not self.bodies and time.monotonic() < deadline:
            time.sleep(0.02)
        assert self.bodies, "no confirmation was posted"
        return self.bodies[-1]


@pytest.fixture
def confirmations() -> Iterator[Confirmations]:
    c = Confirmations()
    yield c
    c.server.shutdown()


def paid_link(client: paynet.Client, sandbox: Sandbox, confirmations: Confirmations, amount: str = "99.90") -> tuple[paynet.PayLink, str]:
    link = client.pay_links.create(
        name_surname="TEST TEST",
        amount=amount,
        reference_no=reference(),
        note="Order 1001",
        confirmation_url=confirmations.url,
        succeed_url="https://shop.example.com/paid",
    )
    outcome = sandbox.pay_link(link.url, card={"card_holder": "TEST TEST", "pan": "4355084355084358", "month": 12, "year": 2045, "cvc": "000"})
    assert outcome["is_succeed"]
    return link, confirmations.wait_for_one()


def test_a_paid_paylink_posts_a_confirmation_that_verifies(client: paynet.Client, sandbox: Sandbox, confirmations: Confirmations) -> None:
    link, body = paid_link(client, sandbox, confirmations)
    assert link.url.startswith(sandbox.url)
    confirmation = client.pay_links.verify_confirmation(body=body)
    assert confirmation.reference_no == link.reference_no
    assert confirmation.is_succeed and confirmation.amount == Decimal("99.90")
    assert isinstance(confirmation.net_amount, Decimal)
    assert confirmation.transaction is not None and confirmation.transaction.xact_id == confirmation.xact_id
    assert confirmation.card_number and "*" in confirmation.card_number

    detail = client.pay_links.retrieve(reference_no=link.reference_no)
    assert detail.status == "paid" and detail.xact_id == confirmation.xact_id
    assert detail.amount == Decimal("99.90")
    with pytest.raises(paynet.InvalidRequestError):
        client.pay_links.update_status(reference_no=link.reference_no, status="passive")
    assert client.pay_links.retrieve(reference_no=link.reference_no).status == "paid"


@pytest.mark.parametrize(
    ("forge", "field"),
    [
        (lambda post: {**post, "amount": 1}, "amount"),
        (lambda post: {**post, "is_succeed": False}, "is_succeed"),
        (lambda post: {**post, "referance_no": "NO-SUCH-ORDER-42"}, "reference_no"),
    ],
    ids=["amount", "success-flipped", "unknown-reference"],
)
def test_a_forged_confirmation_is_refused(
    client: paynet.Client, sandbox: Sandbox, confirmations: Confirmations, forge: Any, field: str
) -> None:
    _, body = paid_link(client, sandbox, confirmations)
    forged = json.dumps(forge(json.loads(body)))
    with pytest.raises(paynet.ConfirmationMismatchError) as caught:
        client.pay_links.verify_confirmation(body=forged)
    assert caught.value.field == field and caught.value.kind == "confirmation_mismatch"


def test_a_never_paid_link_has_no_valid_confirmation(client: paynet.Client) -> None:
    link = client.pay_links.create(name_surname="TEST TEST", amount="10", reference_no=reference())
    post = json.dumps({"referance_no": link.reference_no, "amount": 10, "is_succeed": True})
    with pytest.raises(paynet.ConfirmationMismatchError):
        client.pay_links.verify_confirmation(body=post)


def test_paylinks_are_listed_and_made_passive(client: paynet.Client) -> None:
    import datetime as dt

    made = [client.pay_links.create(name_surname="TEST TEST", amount="5", reference_no=reference()) for _ in range(3)]
    today = dt.date.today()
    span = {"date_from": today - dt.timedelta(days=1), "date_to": today + dt.timedelta(days=1)}
    page = client.pay_links.list_page(**span, limit=2)
    assert len(page.links) == 2 and page.has_more and page.next_starting_after == 2
    # The iterator walks every page, two links at a time, each link once.
    walked = [link.reference_no for link in client.pay_links.list(**span, limit=2)]
    assert len(walked) == len(set(walked)) and {link.reference_no for link in made} <= set(walked)
    assert len(walked) == page.total_count

    client.pay_links.update_status(reference_no=made[0].reference_no, status="passive")
    assert client.pay_links.retrieve(reference_no=made[0].reference_no).status == "passive"
    assert client.pay_links.retrieve(reference_no=made[1].reference_no).status == "awaiting_payment"


async def test_the_async_client_verifies_a_confirmation(
    aclient: paynet.AsyncClient, client: paynet.Client, sandbox: Sandbox, confirmations: Confirmations
) -> None:
    link, body = paid_link(client, sandbox, confirmations, amount="12.34")
    confirmation = await aclient.pay_links.verify_confirmation(body=body)
    assert confirmation.amount == Decimal("12.34") and confirmation.reference_no == link.reference_no


def test_parse_reads_a_post_typed_without_asking_paynet(client: paynet.Client, sandbox: Sandbox, confirmations: Confirmations) -> None:
    link, body = paid_link(client, sandbox, confirmations, amount="20.05")
    before = sandbox.stats()["requests"]
    parsed = client.pay_links.parse_confirmation(body=body)
    forged = client.pay_links.parse_confirmation(body=json.dumps({**json.loads(body), "amount": 1}))
    assert sandbox.stats()["requests"] == before
    assert parsed.reference_no == link.reference_no and parsed.amount == Decimal("20.05")
    assert parsed.transaction is None and forged.amount == Decimal("1.00")
    with pytest.raises(paynet.InvalidRequestError) as caught:
        client.pay_links.parse_confirmation(body="not json")
    assert caught.value.field == "body"


async def test_the_async_iterator_walks_every_page(aclient: paynet.AsyncClient) -> None:
    import datetime as dt

    made = {(await aclient.pay_links.create(name_surname="TEST TEST", amount="3", reference_no=reference())).reference_no for _ in range(3)}
    today = dt.date.today()
    walked = [link.reference_no async for link in aclient.pay_links.list(date_from=today - dt.timedelta(days=1), date_to=today + dt.timedelta(days=1), limit=1)]
    assert len(walked) == len(set(walked)) and made <= set(walked)


def test_a_failed_page_raises_from_the_loop_naming_it(client: paynet.Client, sandbox: Sandbox) -> None:
    import datetime as dt

    for _ in range(2):
        client.pay_links.create(name_surname="TEST TEST", amount="3", reference_no=reference())
    today = dt.date.today()
    links = client.pay_links.list(date_from=today - dt.timedelta(days=1), date_to=today + dt.timedelta(days=1), limit=1)
    next(links)
    sandbox.set_faults([{"kind": "status", "status": 503, "path": "v1/mailorder/list", "count": 1}])
    try:
        with pytest.raises(paynet.APIError) as caught:
            list(links)
    finally:
        sandbox.clear_faults()
    assert any("starting after 1" in note for note in getattr(caught.value, "__notes__", []))


def test_a_server_repeating_one_page_does_not_loop_forever(client: paynet.Client, sandbox: Sandbox) -> None:
    import datetime as dt

    same = json.dumps({"code": 0, "has_more": True, "total_count": 50, "Data": [{"id": 1, "reference_no": "R-1"}]})
    sandbox.set_faults([{"kind": "replace", "status": 200, "body": same, "path": "v1/mailorder/list", "count": 5}])
    today = dt.date.today()
    try:
        with pytest.raises(paynet.ProtocolError, match="same page again"):
            for _ in client.pay_links.list(date_from=today, date_to=today, limit=1):
                pass
    finally:
        sandbox.clear_faults()
