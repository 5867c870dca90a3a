"""Checkout flows through paynet.testing.Sandbox's helpers, with the Paynet calls
made as plain HTTP (the SDK's own checkout methods are tested elsewhere)."""

from __future__ import annotations

import http.server
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from paynet.testing import TDS_OTP, TEST_CARDS, Sandbox

from .conftest import reference

RETURN_URL = "https://shop.example/3d/return"


def call(sb: Sandbox, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """One API request with the secret key, straight to the sandbox."""
    req = urllib.request.Request(
        sb.url + path,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Basic {sb.secret_key}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.load(resp)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


def tds_initial(sb: Sandbox, pan: str = TEST_CARDS["success"], **extra: Any) -> dict[str, Any]:
    body = {
        "amount": "100,00",
        "reference_no": reference(),
        "domain": "shop.example",
        "return_url": RETURN_URL,
        "card_holder": "TEST TEST",
        "pan": pan,
        "month": 12,
        "year": 2045,
        "cvc": "000",
        **extra,
    }
    status, answer = call(sb, "/v2/transaction/tds_initial", body)
    assert status == 200, answer
    return answer


def tds_charge(sb: Sandbox, session: dict[str, Any]) -> dict[str, Any]:
    status, answer = call(
        sb, "/v2/transaction/tds_charge", {"session_id": session["session_id"], "token_id": session["token_id"]}
    )
    assert status == 200, answer
    return answer


def test_3d_sale_verified_on_the_bank_page_is_charged_once(paynet_sandbox: Sandbox) -> None:
    started = tds_initial(paynet_sandbox)
    post = paynet_sandbox.complete_3d(started["post_url"])
    assert post["return_url"] == RETURN_URL
    assert list(post["fields"]) == ["session_id", "token_id", "reference_no", "md_status"]
    assert post["fields"]["session_id"] == started["session_id"]
    assert post["fields"]["md_status"] == "1"

    charged = tds_charge(paynet_sandbox, started)
    assert charged["is_succeed"] is True
    assert charged["is_tds"] is True
    assert charged["code"] == 0
    again = tds_charge(paynet_sandbox, started)
    assert again["code"] == 100
    assert again["xact_id"] == charged["xact_id"]
    assert paynet_sandbox.stats()["ledger_entries"] == 1


def test_3d_failures_answer_code_16(paynet_sandbox: Sandbox) -> None:
    started = tds_initial(paynet_sandbox)
    with pytest.raises(ValueError, match="2"):
        paynet_sandbox.complete_3d(started["session_id"], otp="999999")
    post = paynet_sandbox.complete_3d(SimpleNamespace(session_id=started["session_id"]), cancel=True)
    assert post["fields"]["md_status"] == "0"
    assert "cancelled" in post["fields"]["md_error_message"]
    answer = tds_charge(paynet_sandbox, started)
    assert (answer["code"], answer["is_succeed"], answer["md_status"]) == (16, False, 0)

    not_enrolled = tds_initial(paynet_sandbox, pan=TEST_CARDS["tds_not_enrolled"])
    post = paynet_sandbox.complete_3d({"session_id": not_enrolled["session_id"]}, otp=TDS_OTP)
    assert "not_enrolled" in post["fields"]["md_error_message"]
    with pytest.raises(ValueError, match="no 3D session"):
        paynet_sandbox.complete_3d("js_unknown")
    with pytest.raises(ValueError):
        paynet_sandbox.complete_3d(started["session_id"], otp="1", cancel=True)
    assert paynet_sandbox.stats()["ledger_entries"] == 0


def test_paynetjs_session_is_charged_with_the_same_data_values(paynet_sandbox: Sandbox) -> None:
    assert paynet_sandbox.publishable_key == "pbk_" + paynet_sandbox.secret_key.removeprefix("sck_")
    session = paynet_sandbox.paynetjs_session(amount=150000, tds_required=True)
    status, answer = call(
        paynet_sandbox,
        "/v1/transaction/charge",
        {**session, "amount": "150000", "transaction_type": 1, "tds_required": True},
    )
    assert status == 200, answer
    assert answer["is_succeed"] is True
    assert answer["amount"] == 1500
    with pytest.raises(ValueError, match="pan"):
        paynet_sandbox.paynetjs_session(amount="100", pan="4355084355084359")


@pytest.fixture
def shop_hook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A local endpoint that records confirmation posts and answers 200."""
    received: list[dict[str, Any]] = []

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/paid", received
    finally:
        server.shutdown()
        server.server_close()


def test_pay_link_confirms_to_the_shop(
    paynet_sandbox: Sandbox, shop_hook: tuple[str, list[dict[str, Any]]]
) -> None:
    hook, received = shop_hook
    status, link = call(
        paynet_sandbox,
        "/v1/mailorder/create",
        {"name_surname": "Ayşe Yılmaz", "amount": "75.50", "confirmation_url": hook,
         "succeed_url": "https://shop.example/ok"},
    )
    assert status == 200, link
    paid = paynet_sandbox.pay_link(link["url"])
    assert paid["is_succeed"] is True
    assert paid["redirect"] == f"https://shop.example/ok?xact_id={paid['xact_id']}"
    deadline = time.monotonic() + 5
    while not paynet_sandbox.confirmations() and time.monotonic() < deadline:
        time.sleep(0.02)
    [attempt] = paynet_sandbox.confirmations()
    assert (attempt["attempt"], attempt["status"], attempt["delivered"]) == (1, 200, True)
    assert attempt["xact_id"] == paid["xact_id"]
    assert received[0]["referance_no"] == link["reference_no"]
    assert received[0]["is_succeed"] is True
    with pytest.raises(ValueError, match="paid"):
        paynet_sandbox.pay_link(link["url"])
    declined = call(paynet_sandbox, "/v1/mailorder/create", {"name_surname": "X", "amount": "10"})[1]
    card = {"card_holder": "X", "pan": TEST_CARDS["insufficient_funds"], "month": 12, "year": 2045, "cvc": "000"}
    result = paynet_sandbox.pay_link(declined["url"], card=card)
    assert (result["is_succeed"], result["redirect"]) == (False, None)


def test_receipt_otp_is_kept_per_number(paynet_sandbox: Sandbox) -> None:
    assert paynet_sandbox.last_receipt_otp("05321234567") is None
    status, answer = call(paynet_sandbox, "/v2/agent/create_end_user_receipt_otp", {"phoneNumber": "05321234567"})
    assert (status, answer) == (200, {"object_name": None, "code": 0, "message": "Sms gönderimi başarılı."})
    otp = paynet_sandbox.last_receipt_otp("05321234567")
    assert otp is not None and len(otp) == 6 and otp.isdigit()
