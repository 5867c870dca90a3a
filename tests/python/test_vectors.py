"""The shared vectors of tests/vectors: same wire JSON, same refusals, same decoding as Rust and Node."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import paynet
from paynet import _native

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
MONEY_PARAMS = {"amount", "company_amount"}


def load(kind: str) -> list[tuple[str, dict[str, Any]]]:
    files = sorted((VECTORS / kind).glob("*.json"))
    assert files, f"no vectors in {VECTORS / kind}"
    return [(f.stem, json.loads(f.read_text(encoding="utf-8"), parse_float=Decimal)) for f in files]


def response_body(name: str) -> tuple[int, dict[str, Any], bytes]:
    """A response vector's status, body, and the body re-encoded with JSON numbers intact."""
    vector = json.loads((VECTORS / "responses" / f"{name}.json").read_text(encoding="utf-8"))
    return vector["status"], vector["body"], json.dumps(vector["body"]).encode()


def as_python(params: dict[str, Any]) -> dict[str, Any]:
    """Amounts as a Python user passes them: `Decimal`."""
    return {k: Decimal(v) if k in MONEY_PARAMS and isinstance(v, str) else v for k, v in params.items()}


def native_client(**options: Any) -> _native.NativeClient:
    """Only `prepare` is used: the URL is never reached."""
    return _native.NativeClient("sck_test_vectors_0000000000", base_url="http://127.0.0.1:9", **options)


@pytest.fixture(scope="module")
def native() -> _native.NativeClient:
    return native_client()


@pytest.mark.parametrize(("name", "vector"), load("requests"), ids=[n for n, _ in load("requests")])
def test_request_vector(native: _native.NativeClient, name: str, vector: dict[str, Any]) -> None:
    if "client" in vector:
        native = native_client(**vector["client"])
    params = as_python(vector["params"])
    if "expect_error" in vector:
        with pytest.raises(paynet.InvalidRequestError) as raised:
            native.prepare(vector["method"], params)
        assert raised.value.kind == vector["expect_error"]["kind"]
        assert raised.value.field == vector["expect_error"]["field"]
        return
    path, body = native.prepare(vector["method"], params)
    assert path == vector["expect"]["path"]
    # Decimal on both sides: 12.50 and 12.5 differ as wire text, and the vectors mean the text.
    wire = json.loads(body, parse_float=Decimal)
    assert wire == vector["expect"]["body"]
    if isinstance(wire, dict):  # a bare body (check_agent's string) has no fields
        assert {k: str(v) for k, v in wire.items()} == {k: str(v) for k, v in vector["expect"]["body"].items()}


class _Canned(http.server.BaseHTTPRequestHandler):
    answers: dict[str, tuple[int, bytes]] = {}

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        status, body = self.answers[self.path.lstrip("/")]
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def canned() -> Iterator[tuple[str, dict[str, tuple[int, bytes]]]]:
    """A server answering each path with a documented Paynet body, over real HTTP."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Canned)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Canned.answers
    server.shutdown()


def test_response_payment_success(canned: tuple[str, dict[str, tuple[int, bytes]]]) -> None:
    url, answers = canned
    status, body, raw = response_body("payment_success")
    answers["v2/transaction/payment"] = (status, raw)
    with paynet.Client(secret_key="sck_test_vectors_0000000000", base_url=url) as client:
        tx = client.payments.create(
            amount=Decimal("12.5"), reference_no="deneme11", domain="d", card=paynet.Card(
                number="4355084355084358", exp_month=12, exp_year=2045, cvc="000", holder_name="TEST TEST"
            )
        )
    assert tx.id == body["id"] and tx.xact_id == body["xact_id"]
    assert tx.amount == Decimal("12.50") and tx.net_amount == Decimal("12.25")
    assert tx.commission == Decimal("0.25")
    assert tx.xact_date == dt.datetime(2018, 12, 14, 13, 33, 53, 122730, tzinfo=dt.timezone(dt.timedelta(hours=3)))
    assert tx.bank_id is paynet.BankId.ZDGR
    assert tx.transaction_type is paynet.TransactionType.SALE
    assert tx.installment == 0 and not tx.replayed
    assert tx.authorization_code == body["bank_authorization_code"]


def test_response_payment_list(canned: tuple[str, dict[str, tuple[int, bytes]]]) -> None:
    url, answers = canned
    status, body, raw = response_body("payment_list")
    answers["v1/transaction/payment_list"] = (status, raw)
    with paynet.Client(secret_key="sck_test_vectors_0000000000", base_url=url) as client:
        report = client.reports.payment_list(date=dt.date(2020, 2, 5))
    assert report.date == dt.date(2020, 2, 5)
    rows = body["Data"]
    assert len(report) == len(rows)
    for row, wire in zip(report, rows):
        assert row.xact_id == wire.get("xact_id")
        assert row.amount == Decimal(str(wire["amount"]))
        assert all(isinstance(getattr(row, f), Decimal) for f in ("amount", "company_pay_amount") if getattr(row, f) is not None)
        assert row.due_date is None or isinstance(row.due_date, dt.date)
