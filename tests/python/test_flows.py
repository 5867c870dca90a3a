"""Success, decline, replay, pre-auth + capture, check and payment_list, through both clients."""

from __future__ import annotations

import datetime as dt
import pickle
from decimal import Decimal

import pytest

import paynet
from paynet.testing import Sandbox

from .conftest import card, leaks, reference

DOMAIN = "shop.example.com"


def test_sale(client: paynet.Client) -> None:
    ref = reference()
    tx = client.payments.create(amount=Decimal("12.5"), reference_no=ref, domain=DOMAIN, card=card())
    assert tx.is_succeed and not tx.replayed
    assert tx.amount == Decimal("12.50") and isinstance(tx.amount, Decimal)
    assert tx.reference_no == ref
    assert tx.transaction_type is paynet.TransactionType.SALE
    assert tx.bank_id is paynet.BankId.AXSS
    assert isinstance(tx.xact_date, dt.datetime) and tx.xact_date.tzinfo is not None
    assert isinstance(tx.commission, Decimal)
    assert tx.to_dict()["amount"] == Decimal("12.50")
    with pytest.raises(dataclass_frozen()):
        tx.amount = Decimal(1)  # type: ignore[misc]


def dataclass_frozen() -> type[Exception]:
    import dataclasses

    return dataclasses.FrozenInstanceError


def test_card_as_dict_and_int_and_str_amounts(client: paynet.Client) -> None:
    as_dict = card().to_dict()
    assert client.payments.create(amount=7, reference_no=reference(), domain=DOMAIN, card=as_dict).amount == Decimal("7.00")
    assert client.payments.create(amount="7.1", reference_no=reference(), domain=DOMAIN, card=as_dict).amount == Decimal("7.10")


@pytest.mark.parametrize(
    ("kind", "bank_code"),
    [("insufficient_funds", "51"), ("do_not_honour", "05"), ("expired", "54"), ("stolen", "43")],
)
def test_declines(client: paynet.Client, kind: str, bank_code: str) -> None:
    ref = reference()
    with pytest.raises(paynet.CardDeclinedError) as raised:
        client.payments.create(amount=Decimal("10"), reference_no=ref, domain=DOMAIN, card=card(kind))
    e = raised.value
    assert e.kind == "card_declined"
    assert e.bank_error_code == bank_code and e.bank_message
    assert e.reference_no == ref
    assert isinstance(e.transaction, paynet.TransactionRecord) and not e.transaction.is_succeed
    assert e.transaction.amount == Decimal("10.00")
    assert not leaks(str(e) + repr(e) + repr(e.transaction))
    copy = pickle.loads(pickle.dumps(e))
    assert type(copy) is paynet.CardDeclinedError
    assert (copy.message, copy.bank_error_code, copy.transaction) == (e.message, e.bank_error_code, e.transaction)


def test_replay_returns_the_earlier_success(client: paynet.Client, sandbox: Sandbox) -> None:
    ref = reference()
    first = client.payments.create(amount=Decimal("20"), reference_no=ref, domain=DOMAIN, card=card())
    entries = sandbox.stats()["ledger_entries"]
    again = client.payments.create(amount=Decimal("20"), reference_no=ref, domain=DOMAIN, card=card())
    assert again.replayed and again.is_succeed
    assert again.xact_id == first.xact_id
    assert sandbox.stats()["ledger_entries"] == entries


def test_preauth_partial_capture_and_check(client: paynet.Client) -> None:
    ref = reference()
    auth = client.payments.create(
        amount=Decimal("100.00"), reference_no=ref, domain=DOMAIN, card=card(), transaction_type="pre_auth"
    )
    assert auth.transaction_type is paynet.TransactionType.PRE_AUTH
    captured = client.payments.capture(xact_id=auth.xact_id, amount=Decimal("60.25"))
    assert captured.is_succeed and captured.amount == Decimal("60.25")
    checked = client.transactions.check(reference_no=ref)
    assert checked.reference_no == ref


def test_a_pre_auth_is_cancelled_once(client: paynet.Client) -> None:
    auth = client.payments.create(
        amount=Decimal("40.00"), reference_no=reference(), domain=DOMAIN, card=card(), transaction_type="pre_auth"
    )
    ack = client.payments.cancel_pre_auth(xact_id=auth.xact_id)
    assert isinstance(ack, paynet.Acknowledgement) and ack.result_code == 0
    assert "result_code=0" in repr(ack)
    assert client.transactions.check(xact_id=auth.xact_id).reversed is True
    with pytest.raises(paynet.InvalidRequestError) as again:
        client.payments.cancel_pre_auth(xact_id=auth.xact_id)
    assert again.value.result_code == 6
    with pytest.raises(paynet.InvalidRequestError):
        client.payments.capture(xact_id=auth.xact_id)


async def test_a_pre_auth_is_cancelled_from_the_async_client(sandbox: Sandbox) -> None:
    async with paynet.AsyncClient(secret_key=sandbox.secret_key, base_url=sandbox.url) as client:
        auth = await client.payments.create(
            amount=Decimal("40.00"), reference_no=reference(), domain=DOMAIN, card=card(), transaction_type="pre_auth"
        )
        assert (await client.payments.cancel_pre_auth(xact_id=auth.xact_id)).result_code == 0
        with pytest.raises(paynet.InvalidRequestError) as blank:
            await client.payments.cancel_pre_auth(xact_id=" ")
        assert blank.value.field == "xact_id"


def test_check_unknown_reference_is_an_api_error(client: paynet.Client) -> None:
    with pytest.raises(paynet.APIError) as raised:
        client.transactions.check(reference_no=reference())
    assert raised.value.kind == "api" and raised.value.result_code is not None


def test_payment_list(client: paynet.Client) -> None:
    ref = reference()
    client.payments.create(amount=Decimal("33.30"), reference_no=ref, domain=DOMAIN, card=card())
    report = client.reports.payment_list()
    assert isinstance(report.date, dt.date)
    rows = [row for row in report if row.amount == Decimal("33.30")]
    assert rows and len(report) == len(report.rows) >= 1
    row = rows[0]
    assert row.xact_type is paynet.XactType.SALE
    assert isinstance(row.due_date, dt.date)
    assert report.to_dict()["rows"][0].keys() == row.to_dict().keys()
    same_day = client.reports.payment_list(date=report.date)
    assert same_day.date == report.date


def test_authentication_error(sandbox: Sandbox) -> None:
    with paynet.Client(secret_key="sck_wrong_key_000000000000", base_url=sandbox.url) as bad:
        with pytest.raises(paynet.AuthenticationError) as raised:
            bad.transactions.check(reference_no="x")
    assert raised.value.kind == "authentication" and raised.value.http_status == 401


def test_malformed_answer_is_a_protocol_or_unknown_outcome_error(client: paynet.Client) -> None:
    with pytest.raises((paynet.ProtocolError, paynet.UnknownOutcomeError)) as raised:
        client.payments.create(amount=Decimal("5"), reference_no=reference(), domain=DOMAIN, card=card("malformed_response"))
    assert not leaks(str(raised.value) + repr(raised.value) + str(raised.value.body_snippet))


def test_connection_error() -> None:
    with paynet.Client(secret_key="sck_test_000000000000000000", base_url="http://127.0.0.1:9", max_retries=0) as c:
        with pytest.raises(paynet.APIConnectionError) as raised:
            c.transactions.check(reference_no="x")
    assert raised.value.kind == "connection"


def test_closed_client_refuses_calls(sandbox: Sandbox) -> None:
    c = paynet.Client(secret_key=sandbox.secret_key, base_url=sandbox.url)
    c.close()
    with pytest.raises(paynet.APIConnectionError, match="closed"):
        c.transactions.check(reference_no="x")


def test_bad_configuration_is_an_invalid_request() -> None:
    with pytest.raises(paynet.InvalidRequestError) as raised:
        paynet.Client(secret_key="sck_test_000000000000000000", environment="prod")  # type: ignore[arg-type]
    assert raised.value.field == "environment"
    with pytest.raises(paynet.InvalidRequestError) as raised:
        paynet.Client(secret_key="sck_test_000000000000000000", timeout=-1)
    assert raised.value.field == "timeout"


async def test_async_flow(aclient: paynet.AsyncClient, sandbox: Sandbox) -> None:
    ref = reference()
    auth = await aclient.payments.create(
        amount=Decimal("50"), reference_no=ref, domain=DOMAIN, card=card(), transaction_type=paynet.TransactionType.PRE_AUTH
    )
    captured = await aclient.payments.capture(reference_no=ref)
    assert captured.amount == Decimal("50.00")
    again = await aclient.payments.create(amount=Decimal("50"), reference_no=reference(), domain=DOMAIN, card=card())
    assert not again.replayed
    with pytest.raises(paynet.CardDeclinedError):
        await aclient.payments.create(amount=Decimal("1"), reference_no=reference(), domain=DOMAIN, card=card("stolen"))
    checked = await aclient.transactions.check(xact_id=auth.xact_id)
    assert checked.xact_id == auth.xact_id
    report = await aclient.reports.payment_list()
    assert len(report) >= 1


def paynetjs_session(sandbox: Sandbox, amount_kurus: str, pan: str) -> tuple[str, str]:
    """What the Paynet.js script does in the browser: card data in, session and token out."""
    import json
    import urllib.request

    body = {"amount": amount_kurus, "pan": pan, "month": "12", "year": "2045", "cvc": "000", "card_holder": "TEST TEST"}
    request = urllib.request.Request(
        f"{sandbox.url}/__sandbox/paynetjs/session", data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as answer:
        session = json.load(answer)
    return session["session_id"], session["token_id"]


def test_charge_paynetjs(client: paynet.Client, sandbox: Sandbox) -> None:
    session_id, token_id = paynetjs_session(sandbox, "4250", "4355084355084358")
    tx = client.payments.charge(session_id=session_id, token_id=token_id, amount=Decimal("42.50"), reference_no=reference())
    assert tx.is_succeed and tx.amount == Decimal("42.50")


async def test_charge_paynetjs_async_decline(aclient: paynet.AsyncClient, sandbox: Sandbox) -> None:
    session_id, token_id = paynetjs_session(sandbox, "1000", "4000000000000002")
    with pytest.raises(paynet.CardDeclinedError) as raised:
        await aclient.payments.charge(session_id=session_id, token_id=token_id, amount=Decimal("10"))
    assert raised.value.bank_error_code == "05"


def test_payment_amount_format_comma(sandbox: Sandbox) -> None:
    with paynet.Client(secret_key=sandbox.secret_key, base_url=sandbox.url, payment_amount_format="comma") as c:
        tx = c.payments.create(amount=Decimal("1234.5"), reference_no=reference(), domain="d", card=card())
    assert tx.amount == Decimal("1234.50")
    with pytest.raises(paynet.InvalidRequestError) as refused:
        paynet.Client(secret_key="sck_x", payment_amount_format="kurus")  # type: ignore[arg-type]
    assert refused.value.field == "payment_amount_format"


def test_a_client_from_sandbox_client_keeps_the_sandbox_running() -> None:
    import gc

    client = Sandbox().client()
    gc.collect()
    tx = client.payments.create(amount=Decimal("1"), reference_no=reference(), domain="d", card=card())
    assert tx.is_succeed


def test_every_money_moving_success_carries_what_transaction_requires(client: paynet.Client, sandbox: Sandbox) -> None:
    """Over real HTTP: a sale, a pre-auth, its capture, a Paynet.js charge and a 3D
    completion each come back with the fields `Transaction` types as never None."""
    from .test_checkout import Form, start_3d

    sale = client.payments.create(amount=Decimal("20"), reference_no=reference(), domain=DOMAIN, card=card())
    hold = client.payments.create(amount=Decimal("30"), reference_no=reference(), domain=DOMAIN, card=card(), transaction_type="pre_auth")
    captured = client.payments.capture(xact_id=hold.xact_id, amount=Decimal("25"))
    session_id, token_id = paynetjs_session(sandbox, "1500", "4355084355084358")
    charged = client.payments.charge(session_id=session_id, token_id=token_id, amount=Decimal("15"), reference_no=reference())
    posted = sandbox.complete_3d(start_3d(client, amount="40"), otp="123456")
    completed = client.payments.complete_3d(Form(posted["fields"]))
    for tx, amount in [(sale, "20.00"), (hold, "30.00"), (captured, "25.00"), (charged, "15.00"), (completed, "40.00")]:
        assert type(tx) is paynet.Transaction and tx.is_succeed
        assert tx.xact_id.startswith("xk_"), tx
        assert tx.amount == Decimal(amount), tx
        assert tx.xact_date.tzinfo is not None and abs(dt.datetime.now(dt.timezone.utc) - tx.xact_date) < dt.timedelta(minutes=5), tx
