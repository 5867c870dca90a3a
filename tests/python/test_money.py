"""Amounts: exact both ways, and refused before any request when they are not exact kuruş."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import paynet
from paynet.testing import Sandbox

from .conftest import card, reference

DOMAIN = "shop.example.com"
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# `normalize()` is kept where it prints without an exponent (12.5); 1E+2 is refused (below).
valid_amounts = st.integers(min_value=1, max_value=9_999_999_999).flatmap(
    lambda kurus: st.sampled_from(
        [Decimal(kurus).scaleb(-2)]
        + [d for d in [Decimal(kurus).scaleb(-2).normalize()] if "E" not in str(d)]
    )
)


@SETTINGS
@given(amount=valid_amounts)
def test_every_two_place_amount_round_trips(client: paynet.Client, amount: Decimal) -> None:
    tx = client.payments.create(amount=amount, reference_no=reference(), domain=DOMAIN, card=card())
    assert tx.amount == amount
    assert isinstance(tx.amount, Decimal) and tx.amount.as_tuple().exponent == -2


too_precise = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("99999999"), places=3).filter(
    lambda d: d != d.quantize(Decimal("0.01"))
)
negative = st.decimals(max_value=Decimal("-0.01"), places=2, allow_nan=False, allow_infinity=False)
not_finite = st.sampled_from([Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("-Infinity")])
too_large = st.decimals(min_value=Decimal("100000000.00"), places=2, allow_nan=False, allow_infinity=False)


@pytest.mark.parametrize(
    "amount", [Decimal("1E+5"), Decimal("100.00").normalize(), "1e5", "1E+2", " 12.50", "12.50 ", "12.", ".5", "+12", "1_000"]
)
def test_amounts_not_written_out_plainly_are_refused(client: paynet.Client, sandbox: Sandbox, amount: Any) -> None:
    before = sandbox.stats()["requests"]
    with pytest.raises(paynet.InvalidRequestError) as raised:
        client.payments.create(amount=amount, reference_no=reference(), domain=DOMAIN, card=card())
    assert raised.value.field == "amount"
    assert sandbox.stats()["requests"] == before


@SETTINGS
@given(amount=st.one_of(too_precise, negative, not_finite, too_large))
def test_bad_amounts_are_refused_before_sending(client: paynet.Client, sandbox: Sandbox, amount: Decimal) -> None:
    before = sandbox.stats()["requests"]
    with pytest.raises(paynet.InvalidRequestError) as raised:
        client.payments.create(amount=amount, reference_no=reference(), domain=DOMAIN, card=card())
    assert raised.value.field == "amount"
    assert sandbox.stats()["requests"] == before


@SETTINGS
@given(amount=st.floats(allow_nan=True, allow_infinity=True))
def test_floats_are_refused_with_a_type_error(client: paynet.Client, sandbox: Sandbox, amount: float) -> None:
    before = sandbox.stats()["requests"]
    with pytest.raises(TypeError, match="Decimal"):
        client.payments.create(amount=amount, reference_no=reference(), domain=DOMAIN, card=card())  # type: ignore[arg-type]
    assert sandbox.stats()["requests"] == before


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"company_amount": 1.0}, "company_amount"),
        ({"installment": 3.0}, "installment"),
        ({"card": {**card().to_dict(), "exp_month": 12.0}}, "card.exp_month"),
    ],
)
def test_float_refused_in_any_field(client: paynet.Client, params: dict[str, Any], field: str) -> None:
    base: dict[str, Any] = {"amount": Decimal("1"), "reference_no": reference(), "domain": DOMAIN, "card": card()}
    with pytest.raises(TypeError, match=field.replace(".", r"\.")):
        client.payments.create(**{**base, **params})


async def test_async_refusals_happen_before_sending(aclient: paynet.AsyncClient, sandbox: Sandbox) -> None:
    before = sandbox.stats()["requests"]
    with pytest.raises(TypeError):
        await aclient.payments.create(amount=0.1, reference_no=reference(), domain=DOMAIN, card=card())  # type: ignore[arg-type]
    with pytest.raises(paynet.InvalidRequestError):
        await aclient.payments.create(amount=Decimal("0.001"), reference_no=reference(), domain=DOMAIN, card=card())
    assert sandbox.stats()["requests"] == before
