"""The example shops (examples/shops/) over HTTP, each through its framework's own test
client, against the sandbox: 3D Secure sale, pre-auth and its capture, cancel and decline,
Paynet.js, PayLink with a genuine and with forged confirmation posts.

The browser's part is played by the sandbox's helpers (`complete_3d` on the bank's page,
`paynetjs_session`, `pay_link`), which run the same code as its pages. The shop's public
URL is a local relay that records what Paynet posts to it (the confirmation); the test
hands that body to the shop's test client. tests/browser/ walks the same flows in Chromium.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit
from urllib.request import urlopen

import pytest

import paynet
from paynet.testing import TEST_CARDS, Sandbox

pytest.importorskip("flask")
pytest.importorskip("fastapi")
pytest.importorskip("django")

SHOPS = Path(__file__).resolve().parents[2] / "examples" / "shops"
sys.path[:0] = [str(SHOPS), str(SHOPS / "django_shop")]

CARD = {"card_holder": "TEST TEST", "card_number": TEST_CARDS["success"], "exp_month": "12", "exp_year": "2045", "cvc": "000"}


# ------------------------------------------------------------------ pages


VOID = {"input", "meta", "link", "br", "img", "hr"}


class Page(HTMLParser):
    """What a test needs of an HTML page: its forms' actions and fields, the text of
    elements by id, links by id and the attributes of the Paynet.js script tag."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__()
        self.status, self.text = status, text
        self.forms: list[tuple[str, dict[str, str]]] = []
        self.by_id: dict[str, str] = {}
        self.links: dict[str, str] = {}
        self.script: dict[str, str] = {}
        self._open: list[tuple[str, str | None]] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append((a.get("action", ""), {}))
        elif tag == "input" and self.forms and "name" in a:
            self.forms[-1][1][a["name"]] = a.get("value", "")
        elif tag == "script" and "paynet-button" in a.get("class", ""):
            self.script = a
        elif tag == "a" and "id" in a:
            self.links[a["id"]] = a.get("href", "")
        if "id" in a:
            self.by_id[a["id"]] = ""
        if tag not in VOID:
            self._open.append((tag, a.get("id")))

    def handle_data(self, data: str) -> None:
        for _, element in self._open:
            if element is not None:
                self.by_id[element] += data

    def handle_endtag(self, tag: str) -> None:
        while self._open and self._open.pop()[0] != tag:
            pass

    def text_of(self, element_id: str) -> str:
        return " ".join(self.by_id[element_id].split())


# ------------------------------------------------------------------ the shops


class Shop(Protocol):
    def get(self, path: str) -> Page: ...
    def post(self, path: str, data: dict[str, str]) -> Page: ...
    def post_body(self, path: str, body: str) -> int: ...


class Relay:
    """The shop's public URL: records the JSON bodies Paynet posts (confirmations), by reference."""

    def __init__(self) -> None:
        self.bodies: dict[str, str] = {}
        bodies = self.bodies

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
                bodies[json.loads(body)["referance_no"]] = body
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def confirmation_of(self, reference: str) -> str:
        deadline = time.monotonic() + 5
        while reference not in self.bodies and time.monotonic() < deadline:
            time.sleep(0.02)
        assert reference in self.bodies, f"Paynet posted no confirmation for {reference}"
        return self.bodies[reference]


@dataclass
class Env:
    sandbox: Sandbox
    relay: Relay


@pytest.fixture(scope="module")
def env() -> Iterator[Env]:
    relay = Relay()
    with Sandbox() as sandbox:
        yield Env(sandbox, relay)
    relay.server.shutdown()


class FlaskShop:
    def __init__(self, env: Env) -> None:
        import flask_shop

        app = flask_shop.create_app(
            secret_key=env.sandbox.secret_key,
            paynet_url=env.sandbox.url,
            publishable_key=env.sandbox.publishable_key,
            public_url=env.relay.url,
        )
        self.client = app.test_client()

    def get(self, path: str) -> Page:
        r = self.client.get(path)
        return Page(r.status_code, r.text)

    def post(self, path: str, data: dict[str, str]) -> Page:
        r = self.client.post(path, data=data)
        return Page(r.status_code, r.text)

    def post_body(self, path: str, body: str) -> int:
        return self.client.post(path, data=body, content_type="application/json").status_code


class FastAPIShop:
    def __init__(self, env: Env) -> None:
        from fastapi.testclient import TestClient

        import fastapi_shop

        app = fastapi_shop.create_app(
            secret_key=env.sandbox.secret_key,
            paynet_url=env.sandbox.url,
            publishable_key=env.sandbox.publishable_key,
            public_url=env.relay.url,
        )
        self.client = TestClient(app)

    def get(self, path: str) -> Page:
        r = self.client.get(path)
        return Page(r.status_code, r.text)

    def post(self, path: str, data: dict[str, str]) -> Page:
        r = self.client.post(path, data=data)
        return Page(r.status_code, r.text)

    def post_body(self, path: str, body: str) -> int:
        return self.client.post(path, content=body, headers={"content-type": "application/json"}).status_code


class DjangoShop:
    def __init__(self) -> None:
        from django.test import Client

        self.client = Client()

    def get(self, path: str) -> Page:
        r = self.client.get(path)
        return Page(r.status_code, r.content.decode())

    def post(self, path: str, data: dict[str, str]) -> Page:
        r = self.client.post(path, data=data)
        return Page(r.status_code, r.content.decode())

    def post_body(self, path: str, body: str) -> int:
        return self.client.post(path, data=body, content_type="application/json").status_code


@pytest.fixture(params=["django", "flask", "fastapi"], scope="module")
def shop(request: pytest.FixtureRequest, env: Env) -> Iterator[Shop]:
    if request.param == "flask":
        yield FlaskShop(env)
    elif request.param == "fastapi":
        shop = FastAPIShop(env)
        with shop.client:  # runs the app's lifespan (closes its AsyncClient at the end)
            yield shop
    else:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
        import django
        from django.test.utils import override_settings

        django.setup()
        with override_settings(
            PAYNET_SECRET_KEY=env.sandbox.secret_key,
            PAYNET_BASE_URL=env.sandbox.url,
            PAYNET_PUBLISHABLE_KEY=env.sandbox.publishable_key,
            PAYNET_JS_URL=env.sandbox.url,
            SHOP_PUBLIC_URL=env.relay.url,
        ):
            yield DjangoShop()


# ------------------------------------------------------------------ the browser's part


def shop_path(env: Env, url: str) -> str:
    """A URL of the shop's public address, as a path for its test client."""
    assert url.startswith(env.relay.url + "/"), f"{url} is not the shop's"
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def through_the_bank(env: Env, shop: Shop, page: Page, otp: str | None = None, cancel: bool = False) -> tuple[Page, dict[str, str]]:
    """From the shop's answer to `create_3d` (html_content, a form to the bank's `post_url`)
    through the bank's page and back to the shop's `return_url`: the shop's answer to the
    bank's post, and what the bank posted."""
    post_url, _ = page.forms[0]
    assert post_url.startswith(env.sandbox.url), post_url
    back = env.sandbox.complete_3d(post_url, otp=otp, cancel=cancel)
    assert set(back["fields"]) >= {"session_id", "token_id", "reference_no", "md_status"}
    return shop.post(shop_path(env, back["return_url"]), back["fields"]), back["fields"]


def start_3d(shop: Shop, amount: str = "150.00", **card: str) -> Page:
    page = shop.post("/checkout/3d", {"amount": amount, "kind": "sale", **CARD, **card})
    assert page.status == 200, page.text
    return page


def order_status(shop: Shop, reference: str) -> str:
    return shop.get(f"/orders/{reference}").text_of("order-status")


def ledger(env: Env, reference: str, xact_type: str | None = None) -> list[dict[str, Any]]:
    """The sandbox's ledger entries of an order (all, or of one type: `CR` the captures)."""
    with urlopen(f"{env.sandbox.url}/__sandbox/ledger") as answer:
        entries: list[dict[str, Any]] = json.load(answer)["entries"]
    return [e for e in entries if e["reference_no"] == reference and xact_type in (None, e["xact_type"])]


# ------------------------------------------------------------------ 3D Secure


def test_the_checkout_page_has_the_card_form(shop: Shop) -> None:
    page = shop.get("/")
    assert page.status == 200
    action, fields = page.forms[0]
    assert action == "/checkout/3d"
    assert {"amount", "card_holder", "card_number", "exp_month", "exp_year", "cvc"} <= set(fields)


def test_a_3d_sale_ends_on_the_receipt(env: Env, shop: Shop) -> None:
    receipt, _ = through_the_bank(env, shop, start_3d(shop, amount="150.00"), otp="123456")
    assert receipt.status == 200, receipt.text
    assert receipt.text_of("receipt-amount") == "150.00 TL"
    assert receipt.text_of("receipt-card") == "435508******4358"
    assert receipt.text_of("receipt-xact").startswith("xk_")
    assert receipt.text_of("receipt-kind") == "charged"
    assert TEST_CARDS["success"] not in receipt.text


def test_the_3d_return_posted_twice_charges_once(env: Env, shop: Shop) -> None:
    first, fields = through_the_bank(env, shop, start_3d(shop, amount="42.10"), otp="123456")
    again = shop.post("/checkout/3d/return", fields)  # a reload of the return page
    assert first.text_of("receipt-xact") == again.text_of("receipt-xact")
    assert order_status(shop, fields["reference_no"]) == "paid"
    assert len(ledger(env, fields["reference_no"])) == 1


def test_a_cancelled_3d_shows_the_failure_page_and_charges_nothing(env: Env, shop: Shop) -> None:
    failed, posted = through_the_bank(env, shop, start_3d(shop), cancel=True)
    assert posted["md_status"] == "0"
    assert failed.status == 402
    assert failed.text_of("failed") == "Payment failed"
    assert "3D Secure" in failed.text_of("failed-reason")
    assert order_status(shop, posted["reference_no"]) == "awaiting payment"


def test_a_bank_decline_after_3d_shows_the_failure_page(env: Env, shop: Shop) -> None:
    failed, _ = through_the_bank(env, shop, start_3d(shop, card_number=TEST_CARDS["insufficient_funds"]), otp="123456")
    assert failed.status == 402
    assert "declined" in failed.text_of("failed-reason")


def test_a_3d_pre_auth_is_pre_authorised(env: Env, shop: Shop) -> None:
    page = shop.post("/checkout/3d", {"amount": "80.00", "kind": "pre_auth", **CARD})
    receipt, _ = through_the_bank(env, shop, page, otp="123456")
    assert receipt.text_of("receipt-kind") == "pre-authorised"
    assert receipt.text_of("receipt-amount") == "80.00 TL"


# ------------------------------------------------------------------ pre-auth, then capture


def pre_authorised(env: Env, shop: Shop, amount: str = "80.00") -> tuple[str, Page, dict[str, str]]:
    """A 3D pre-auth paid on the bank's page: the order, its receipt (with the Capture form)
    and what the bank posted to the shop."""
    page = shop.post("/checkout/3d", {"amount": amount, "kind": "pre_auth", **CARD})
    receipt, posted = through_the_bank(env, shop, page, otp="123456")
    assert receipt.text_of("receipt-kind") == "pre-authorised", receipt.text
    assert order_status(shop, posted["reference_no"]) == "pre-authorised"
    return posted["reference_no"], receipt, posted


def capture_form(receipt: Page) -> tuple[str, dict[str, str]]:
    [form] = [form for form in receipt.forms if form[0].endswith("/capture")]
    return form


@pytest.mark.parametrize("amount", ["80.00", "30.50"], ids=["full", "partial"])
def test_a_3d_pre_auth_is_captured_from_its_receipt(env: Env, shop: Shop, amount: str) -> None:
    reference, receipt, _ = pre_authorised(env, shop, "80.00")
    action, fields = capture_form(receipt)
    assert action == f"/orders/{reference}/capture"
    assert fields["amount"] == "80.00"  # prefilled with the order's amount
    # The shop captures the order's own pre-auth: an xact_id in the form is not used.
    captured = shop.post(action, {**fields, "amount": amount, "xact_id": "xk_not_this_one"})
    assert captured.status == 200, captured.text
    assert captured.text_of("captured-amount") == f"{amount} TL"
    assert captured.text_of("captured-authorised") == "80.00 TL"
    assert order_status(shop, reference) == "captured"
    with env.sandbox.client() as client:
        checked = client.transactions.check(xact_id=captured.text_of("captured-xact"))
    assert checked.transaction_type == paynet.TransactionType.CAPTURE and checked.is_succeed
    assert (checked.amount, checked.reference_no) == (Decimal(amount), reference)
    [capture] = ledger(env, reference, "CR")
    assert capture["xact_id"] == checked.xact_id


def test_a_second_capture_takes_no_more_money(env: Env, shop: Shop) -> None:
    reference, receipt, posted = pre_authorised(env, shop, "50.00")
    action, fields = capture_form(receipt)
    assert shop.post(action, fields).text_of("captured-amount") == "50.00 TL"
    again = shop.post(action, fields)  # the captured page reloaded, the form sent twice
    assert again.status == 409, again.text
    assert again.text_of("failed") == "Capture refused"
    assert "captured" in again.text_of("failed-reason")
    # The bank's return reloaded: the receipt again, without the form; the order stays captured.
    reloaded = shop.post("/checkout/3d/return", posted)
    assert reloaded.text_of("receipt-kind") == "pre-authorised"
    assert [action for action, _ in reloaded.forms if action.endswith("/capture")] == []
    assert order_status(shop, reference) == "captured"
    assert len(ledger(env, reference, "CR")) == 1


def test_a_pre_auth_captured_elsewhere_shows_paynets_refusal(env: Env, shop: Shop) -> None:
    reference, receipt, _ = pre_authorised(env, shop, "40.00")
    with env.sandbox.client() as client:  # say, from Paynet's merchant panel
        client.payments.capture(xact_id=receipt.text_of("receipt-xact"))
    action, fields = capture_form(receipt)
    refused = shop.post(action, fields)
    assert refused.status == 400, refused.text
    assert refused.text_of("failed") == "Capture failed"
    assert "already been captured" in refused.text_of("failed-reason")
    assert len(ledger(env, reference, "CR")) == 1


def test_a_capture_whose_answer_is_lost_is_settled_by_repeating_it(env: Env, shop: Shop) -> None:
    reference, receipt, _ = pre_authorised(env, shop, "70.00")
    action, fields = capture_form(receipt)
    # The capture is made, then the connection drops before its answer: an unknown outcome.
    env.sandbox.set_faults([{"kind": "reset", "when": "after", "path": "v1/transaction/capture", "count": 1}])
    try:
        captured = shop.post(action, {**fields, "amount": "25.00"})
    finally:
        env.sandbox.clear_faults()
    assert captured.status == 200, captured.text
    assert captured.text_of("captured-amount") == "25.00 TL"
    assert "captured-xact" not in captured.by_id  # the answer naming the capture was lost
    assert order_status(shop, reference) == "captured"
    [capture] = ledger(env, reference, "CR")
    assert Decimal(str(capture["amount"])) == Decimal("25.00")


def test_a_bad_capture_amount_is_refused_and_the_order_stays_capturable(env: Env, shop: Shop) -> None:
    reference, receipt, _ = pre_authorised(env, shop, "60.00")
    action, fields = capture_form(receipt)
    for amount in ["", "abc", "0", "0.00", "-5", "60.01", "1.234", "NaN", "1e1", "Infinity"]:
        assert shop.post(action, {**fields, "amount": amount}).status == 400, amount
    assert ledger(env, reference, "CR") == []
    assert order_status(shop, reference) == "pre-authorised"
    assert shop.post(action, {**fields, "amount": "60"}).text_of("captured-amount") == "60.00 TL"


def test_a_sale_and_an_unknown_order_have_nothing_to_capture(env: Env, shop: Shop) -> None:
    receipt, posted = through_the_bank(env, shop, start_3d(shop, amount="15.00"), otp="123456")
    assert [action for action, _ in receipt.forms if action.endswith("/capture")] == []
    refused = shop.post(f"/orders/{posted['reference_no']}/capture", {"amount": "15.00"})
    assert refused.status == 409 and "paid" in refused.text_of("failed-reason")
    assert shop.post("/orders/ORDER-NOSUCHORDER/capture", {"amount": "15.00"}).status == 404
    assert ledger(env, posted["reference_no"], "CR") == []


def test_a_mistyped_card_is_refused_on_the_checkout_page(shop: Shop) -> None:
    page = shop.post("/checkout/3d", {"amount": "10.00", "kind": "sale", **CARD, "card_number": "4355084355084359"})
    assert page.status == 400
    assert "number" in page.text_of("error")


# ------------------------------------------------------------------ Paynet.js


def paynetjs_session(env: Env, page: Page, pan: str = TEST_CARDS["success"]) -> dict[str, str]:
    """What Paynet.js does when its card form is paid, with the page's data-* values."""
    script = page.script
    assert script["src"] == f"{env.sandbox.url}/public/js/paynet.min.js"
    assert script["data-key"] == env.sandbox.publishable_key
    session = env.sandbox.paynetjs_session(
        amount=script["data-amount"],
        pan=pan,
        add_comission_amount=script["data-add_commission_amount"] == "true",
        ratio_code=script["data-ratio_code"],
        installments=script["data-installments"],
        no_instalment=script["data-no_instalment"] == "true",
        tds_required=script["data-tds_required"] == "true",
    )
    return {"session_id": session["session_id"], "token_id": session["token_id"]}


def test_a_paynetjs_payment_is_charged(env: Env, shop: Shop) -> None:
    page = shop.get("/checkout/paynetjs?amount=25.00")
    assert page.status == 200
    assert page.script["data-amount"] == "2500"
    action, fields = page.forms[0]
    receipt = shop.post(action, {**fields, **paynetjs_session(env, page)})
    assert receipt.status == 200, receipt.text
    assert receipt.text_of("receipt-amount") == "25.00 TL"
    assert order_status(shop, fields["order"]) == "paid"


def test_a_paynetjs_decline_shows_the_failure_page(env: Env, shop: Shop) -> None:
    page = shop.get("/checkout/paynetjs?amount=30.00")
    action, fields = page.forms[0]
    failed = shop.post(action, {**fields, **paynetjs_session(env, page, pan=TEST_CARDS["do_not_honour"])})
    assert failed.status == 402 and "declined" in failed.text_of("failed-reason")
    assert order_status(shop, fields["order"]) == "awaiting payment"


# ------------------------------------------------------------------ PayLink


def paid_link(env: Env, shop: Shop, amount: str = "99.90") -> tuple[str, str]:
    """A PayLink made by the shop, paid on the payer's page: (the order, Paynet's confirmation body)."""
    made = shop.post("/paylinks", {"amount": amount, "name_surname": "TEST TEST"})
    assert made.status == 200, made.text
    reference, url = made.text_of("order-ref"), made.links["paylink-url"]
    assert url.startswith(env.sandbox.url)
    paid = env.sandbox.pay_link(url, card={"card_holder": "TEST TEST", "pan": TEST_CARDS["success"], "month": 12, "year": 2045, "cvc": "000"})
    assert paid["is_succeed"] and paid["redirect"] is not None
    assert shop_path(env, paid["redirect"]) == f"/orders/{reference}?xact_id={paid['xact_id']}"
    # The redirect is no proof: the order waits for the confirmation.
    assert order_status(shop, reference) == "awaiting payment"
    return reference, env.relay.confirmation_of(reference)


def test_a_paid_paylink_is_marked_paid_by_its_confirmation(env: Env, shop: Shop) -> None:
    reference, body = paid_link(env, shop)
    assert shop.post_body("/paynet/confirmation", body) == 200
    page = shop.get(f"/orders/{reference}")
    assert page.text_of("order-status") == "paid"
    assert page.text_of("order-xact") == json.loads(body)["xact_id"]
    # Paynet may deliver it again: still paid, still 200.
    assert shop.post_body("/paynet/confirmation", body) == 200


FORGERIES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "amount": lambda post: {**post, "amount": 1},
    "unknown-reference": lambda post: {**post, "referance_no": "ORDER-NOSUCHORDER"},
    "success-flipped": lambda post: {**post, "is_succeed": not post["is_succeed"]},
}


@pytest.mark.parametrize("forgery", FORGERIES)
def test_a_forged_confirmation_is_refused_and_the_order_stays_unpaid(env: Env, shop: Shop, forgery: str) -> None:
    reference, body = paid_link(env, shop, amount="12.34")
    forged = json.dumps(FORGERIES[forgery](json.loads(body)))
    assert shop.post_body("/paynet/confirmation", forged) == 400
    assert order_status(shop, reference) == "awaiting payment"


def test_a_garbled_confirmation_is_refused(shop: Shop) -> None:
    assert shop.post_body("/paynet/confirmation", "not json") == 400
    assert shop.post_body("/paynet/confirmation", "{}") == 400


def test_a_confirmation_for_an_unpaid_link_is_refused(env: Env, shop: Shop) -> None:
    made = shop.post("/paylinks", {"amount": "10.00", "name_surname": "TEST TEST"})
    reference = made.text_of("order-ref")
    post = json.dumps({"referance_no": reference, "xact_id": "xk_forged", "amount": 10, "is_succeed": True})
    assert shop.post_body("/paynet/confirmation", post) == 400
    assert order_status(shop, reference) == "awaiting payment"
