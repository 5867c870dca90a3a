"""No secret key, card number or CVC in any repr, str, exception message or log record.

Log records are checked for the whole suite by the autouse fixture in conftest.py.
"""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest

import paynet
from paynet.testing import Sandbox

from .conftest import CVC, SECRET_KEY, card, leaks, reference

DOMAIN = "shop.example.com"


def test_card_repr_masks_number_and_hides_cvc() -> None:
    c = card()
    for text in (repr(c), str(c), f"{c}", repr([c]), repr({"card": c})):
        assert not leaks(text)
        assert "435508…4358" in text
    assert CVC not in repr(c)


def test_client_repr_shows_only_the_masked_key(sandbox: Sandbox) -> None:
    for cls in (paynet.Client, paynet.AsyncClient):
        c = cls(secret_key=SECRET_KEY, base_url=sandbox.url)
        text = repr(c) + str(c)
        assert SECRET_KEY not in text
        assert "sck_…1706" in text and sandbox.url in text and "'test'" in text
        c.close()


def test_results_never_show_card_data(client: paynet.Client) -> None:
    tx = client.payments.create(amount=Decimal("9"), reference_no=reference(), domain=DOMAIN, card=card())
    assert not leaks(repr(tx) + str(tx) + repr(tx.to_dict()))
    report = client.reports.payment_list()
    assert not leaks(repr(report) + repr(report.to_dict()) + "".join(map(repr, report)))


@pytest.mark.parametrize(
    "bad_card",
    [
        {"number": "4355084355084359"},  # Luhn
        {"cvc": "12"},
        {"exp_year": 2001},
        {"exp_month": 13},
        {"holder_name": ""},
    ],
)
def test_validation_errors_never_repeat_card_data(client: paynet.Client, bad_card: dict[str, object]) -> None:
    data = {**card().to_dict(), **bad_card}
    with pytest.raises(paynet.InvalidRequestError) as raised:
        client.payments.create(amount=Decimal("1"), reference_no=reference(), domain=DOMAIN, card=data)
    e = raised.value
    assert e.field is not None and e.field.startswith("card")
    text = str(e) + repr(e) + repr(e.args)
    assert not leaks(text) and "4355084355084359" not in text


def test_decline_and_type_errors_never_repeat_card_data(client: paynet.Client) -> None:
    with pytest.raises(paynet.CardDeclinedError) as declined:
        client.payments.create(amount=Decimal("1"), reference_no=reference(), domain=DOMAIN, card=card("stolen"))
    assert not leaks(str(declined.value) + repr(declined.value) + repr(declined.value.transaction))
    with pytest.raises(TypeError) as wrong_type:
        client.payments.create(
            amount=Decimal("1"), reference_no=reference(), domain=DOMAIN, card={**card().to_dict(), "cvc": object()}
        )
    assert not leaks(str(wrong_type.value))


def test_logs_name_the_call_but_nothing_secret(client: paynet.Client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="paynet"):
        client.payments.create(amount=Decimal("1"), reference_no=reference(), domain=DOMAIN, card=card())
    records = [r for r in caplog.records if r.name == "paynet"]
    assert records
    record = records[-1]
    assert "v2/transaction/payment" in record.getMessage()
    assert vars(record)["paynet_status"] == 200 and vars(record)["paynet_attempt"] == 1
    assert vars(record)["paynet_outcome"] == "ok"
    assert not leaks(record.getMessage() + repr(vars(record)))


def test_a_decline_is_logged_as_one(client: paynet.Client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="paynet"), pytest.raises(paynet.CardDeclinedError):
        client.payments.create(amount=Decimal("1"), reference_no=reference(), domain=DOMAIN, card=card("insufficient_funds"))
    record = [r for r in caplog.records if r.name == "paynet"][-1]
    assert vars(record)["paynet_status"] == 200
    assert vars(record)["paynet_outcome"] == "card_declined"
    assert not leaks(record.getMessage() + repr(vars(record)))


def test_fixtures_for_users(paynet_client: paynet.Client, paynet_sandbox: Sandbox) -> None:
    tx = paynet_client.payments.create(amount=Decimal("1"), reference_no=reference(), domain=DOMAIN, card=card())
    assert tx.is_succeed
    assert paynet_sandbox.stats()["ledger_entries"] == 1
    assert "127.0.0.1" in repr(paynet_sandbox)
