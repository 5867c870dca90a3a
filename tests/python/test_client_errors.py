"""Errors that name what is wrong: option types, lone surrogates, a closed client, half-built reprs.

A value of the wrong Python type is a `paynet.InvalidTypeError`: an
`InvalidRequestError` with `.field` (what every refused parameter is) and a
builtin `TypeError` (what Python raises for a wrong type, and what the SDK
raised before). A bad value is an `InvalidRequestError`. Nothing is sent.
"""

from __future__ import annotations

import pickle
from decimal import Decimal
from typing import Any

import pytest

import paynet
from paynet.testing import Sandbox

from .conftest import SECRET_KEY, card, reference

DOMAIN = "shop.example.com"
KEY = "sck_test_000000000000000000"
SURROGATE = "\ud800"

CLIENTS = [paynet.Client, paynet.AsyncClient]
ClientClass = type[paynet.Client] | type[paynet.AsyncClient]


def assert_names(error: BaseException, field: str, cls: type[paynet.InvalidRequestError]) -> None:
    assert type(error) is cls, repr(error)
    assert isinstance(error, paynet.InvalidRequestError)
    assert error.kind == "invalid_request"
    assert error.field == field
    assert str(error).startswith(f"{field}: "), str(error)


@pytest.mark.parametrize("cls", CLIENTS)
@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"secret_key": None}, "secret_key"),
        ({"secret_key": 123}, "secret_key"),
        ({"timeout": "5"}, "timeout"),
        ({"timeout": True}, "timeout"),
        ({"connect_timeout": "1"}, "connect_timeout"),
        ({"max_retries": "2"}, "max_retries"),
        ({"max_retries": 2.0}, "max_retries"),
        ({"max_retries": True}, "max_retries"),
        ({"environment": 1}, "environment"),
        ({"base_url": b"http://127.0.0.1:9"}, "base_url"),
        ({"payment_amount_format": None, "environment": ["test"]}, "environment"),
    ],
)
def test_option_of_the_wrong_type_names_it(cls: ClientClass, options: dict[str, Any], field: str) -> None:
    with pytest.raises(paynet.InvalidTypeError) as raised:
        cls(**{"secret_key": KEY, **options})
    assert_names(raised.value, field, paynet.InvalidTypeError)
    assert isinstance(raised.value, TypeError)


@pytest.mark.parametrize("cls", CLIENTS)
@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"timeout": 0}, "timeout"),
        ({"timeout": float("nan")}, "timeout"),
        ({"timeout": 10**400}, "timeout"),
        ({"max_retries": -1}, "max_retries"),
        ({"max_retries": 2**70}, "max_retries"),
        ({"secret_key": "sck_test_" + SURROGATE + "0000000000"}, "secret_key"),
        ({"base_url": "http://127.0.0.1:9/" + SURROGATE}, "base_url"),
        ({"environment": SURROGATE}, "environment"),
    ],
)
def test_option_with_a_bad_value_names_it(cls: ClientClass, options: dict[str, Any], field: str) -> None:
    with pytest.raises(paynet.InvalidRequestError) as raised:
        cls(**{"secret_key": KEY, **options})
    assert_names(raised.value, field, paynet.InvalidRequestError)


def test_a_lone_surrogate_in_the_key_is_not_repeated() -> None:
    key = "sck_test_QwErTy_" + SURROGATE + "_4711"
    with pytest.raises(paynet.InvalidRequestError) as raised:
        paynet.Client(secret_key=key)
    e = raised.value
    text = str(e) + repr(e) + repr(e.args)
    assert "4711" not in text and "QwErTy" not in text
    assert "surrogate" in str(e)
    # Nothing chained that would hold the string (a UnicodeEncodeError keeps it in `.object`).
    assert e.__cause__ is None and e.__context__ is None


def test_default_options_still_apply(sandbox: Sandbox) -> None:
    with paynet.Client(secret_key=sandbox.secret_key, base_url=sandbox.url, timeout=5, max_retries=1) as c:
        assert c.payments.create(amount=Decimal("1"), reference_no=reference(), domain=DOMAIN, card=card()).is_succeed


@pytest.mark.parametrize(
    ("call_options", "field"),
    [({"timeout": "5"}, "timeout"), ({"max_retries": "2"}, "max_retries"), ({"timeout": True}, "timeout")],
)
def test_call_option_of_the_wrong_type_names_it(
    client: paynet.Client, sandbox: Sandbox, call_options: dict[str, Any], field: str
) -> None:
    before = sandbox.stats()["requests"]
    with pytest.raises(paynet.InvalidTypeError) as raised:
        client.transactions.check(reference_no=reference(), **call_options)
    assert_names(raised.value, field, paynet.InvalidTypeError)
    assert sandbox.stats()["requests"] == before


@pytest.mark.parametrize(
    ("call_options", "field"),
    [({"timeout": "5"}, "timeout"), ({"max_retries": "2"}, "max_retries"), ({"max_retries": -3}, "max_retries")],
)
async def test_async_call_option_errors_name_it(
    aclient: paynet.AsyncClient, sandbox: Sandbox, call_options: dict[str, Any], field: str
) -> None:
    before = sandbox.stats()["requests"]
    with pytest.raises(paynet.InvalidRequestError) as raised:
        await aclient.transactions.check(reference_no=reference(), **call_options)
    assert raised.value.field == field
    assert sandbox.stats()["requests"] == before


def _surrogate_calls() -> list[tuple[str, dict[str, Any]]]:
    holder = {**card().to_dict(), "holder_name": "AYSE " + SURROGATE}
    return [
        ("reference_no", {"reference_no": "ORDER-" + SURROGATE}),
        ("domain", {"domain": SURROGATE + ".example.com"}),
        ("description", {"description": "x" + SURROGATE}),
        ("card.holder_name", {"card": paynet.Card(**holder)}),
        ("card.holder_name", {"card": holder}),
    ]


@pytest.mark.parametrize(("field", "changes"), _surrogate_calls(), ids=lambda v: v if isinstance(v, str) else "")
def test_a_lone_surrogate_in_a_parameter_names_it(
    client: paynet.Client, sandbox: Sandbox, field: str, changes: dict[str, Any]
) -> None:
    before = sandbox.stats()["requests"]
    params: dict[str, Any] = {"amount": Decimal("1"), "reference_no": reference(), "domain": DOMAIN, "card": card()}
    with pytest.raises(paynet.InvalidRequestError) as raised:
        client.payments.create(**{**params, **changes})
    assert_names(raised.value, field, paynet.InvalidRequestError)
    assert not isinstance(raised.value, UnicodeError)
    assert sandbox.stats()["requests"] == before


@pytest.mark.parametrize(("field", "changes"), _surrogate_calls(), ids=lambda v: v if isinstance(v, str) else "")
async def test_async_lone_surrogate_in_a_parameter_names_it(
    aclient: paynet.AsyncClient, sandbox: Sandbox, field: str, changes: dict[str, Any]
) -> None:
    before = sandbox.stats()["requests"]
    params: dict[str, Any] = {"amount": Decimal("1"), "reference_no": reference(), "domain": DOMAIN, "card": card()}
    with pytest.raises(paynet.InvalidRequestError) as raised:
        await aclient.payments.create(**{**params, **changes})
    assert_names(raised.value, field, paynet.InvalidRequestError)
    assert sandbox.stats()["requests"] == before


def test_parameter_type_errors_name_the_field(client: paynet.Client) -> None:
    base: dict[str, Any] = {"amount": Decimal("1"), "reference_no": reference(), "domain": DOMAIN, "card": card()}
    for changes, field in (
        ({"amount": 1.5}, "amount"),
        ({"reference_no": 12}, None),  # a number where core wants text: core's own refusal
        ({"card": {**card().to_dict(), "cvc": object()}}, "card.cvc"),
        ({"card": "4355084355084358"}, "card"),
        ({"card": ["4355084355084358"]}, "card"),
    ):
        with pytest.raises(paynet.InvalidRequestError) as raised:
            client.payments.create(**{**base, **changes})
        if field is not None:
            assert_names(raised.value, field, paynet.InvalidTypeError)
            assert "4355084355084358" not in str(raised.value)


def test_invalid_type_error_is_a_public_paynet_class() -> None:
    assert paynet.InvalidTypeError.__module__ == "paynet"
    assert issubclass(paynet.InvalidTypeError, paynet.InvalidRequestError)
    assert issubclass(paynet.InvalidTypeError, TypeError)
    e = paynet.InvalidTypeError("timeout: must be a number", field="timeout")
    copy = pickle.loads(pickle.dumps(e))
    assert type(copy) is paynet.InvalidTypeError and copy.field == "timeout" and copy.kind == "invalid_request"


def test_a_closed_client_says_so_and_sends_nothing(sandbox: Sandbox) -> None:
    c = paynet.Client(secret_key=sandbox.secret_key, base_url=sandbox.url)
    c.close()
    before = sandbox.stats()["requests"]
    with pytest.raises(paynet.APIConnectionError) as raised:
        c.payments.create(amount=Decimal("1"), reference_no=reference(), domain=DOMAIN, card=card())
    e = raised.value
    assert type(e) is paynet.APIConnectionError and e.kind == "connection"
    assert "closed" in str(e) and "nothing was sent" in str(e)
    assert sandbox.stats()["requests"] == before


async def test_a_closed_async_client_says_so_and_sends_nothing(sandbox: Sandbox) -> None:
    async with paynet.AsyncClient(secret_key=sandbox.secret_key, base_url=sandbox.url) as c:
        pass
    before = sandbox.stats()["requests"]
    with pytest.raises(paynet.APIConnectionError) as raised:
        await c.transactions.check(reference_no=reference())
    e = raised.value
    assert type(e) is paynet.APIConnectionError and e.kind == "connection"
    assert "closed" in str(e) and "nothing was sent" in str(e)
    assert sandbox.stats()["requests"] == before


@pytest.mark.parametrize("cls", CLIENTS)
def test_repr_of_a_client_whose_init_failed(cls: ClientClass) -> None:
    seen: list[object] = []

    class Recording(cls):  # type: ignore[valid-type, misc]
        def __init__(self, **options: Any) -> None:
            seen.append(self)
            super().__init__(**options)

    with pytest.raises(paynet.InvalidRequestError):
        Recording(secret_key="sck_test_half_built_31337", timeout=-1)
    text = repr(seen[0])
    assert text == "Recording(<not initialized>)"
    assert "31337" not in text


@pytest.mark.parametrize("cls", CLIENTS)
def test_repr_of_a_subclass_that_never_called_init(cls: ClientClass) -> None:
    class Never(cls):  # type: ignore[valid-type, misc]
        def __init__(self) -> None:
            pass

    client = Never()
    assert repr(client) == "Never(<not initialized>)"
    client.close()  # harmless
    assert repr(client) == "Never(<not initialized>)"


def test_on_request_sees_each_attempt_without_headers_or_bodies(sandbox: Sandbox) -> None:
    events: list[paynet.RequestEvent] = []
    with paynet.Client(secret_key=sandbox.secret_key, base_url=sandbox.url, on_request=events.append) as c:
        c.payments.create(amount="12.50", reference_no=reference(), domain="d", card=card())
    assert len(events) == 1
    event = events[0]
    assert set(event) == {"method", "path", "operation", "reference_no", "status", "duration", "attempt", "outcome", "will_retry"}
    assert (event["operation"], event["status"], event["outcome"], event["attempt"]) == ("payments.create", 200, "ok", 1)
    assert event["duration"] > 0 and SECRET_KEY not in repr(event)


def test_a_raising_on_request_hook_is_logged_not_passed_on(sandbox: Sandbox, caplog: pytest.LogCaptureFixture) -> None:
    def hook(event: paynet.RequestEvent) -> None:
        raise RuntimeError("metrics backend down")

    with paynet.Client(secret_key=sandbox.secret_key, base_url=sandbox.url, on_request=hook) as c:
        assert c.payments.create(amount="3", reference_no=reference(), domain="d", card=card()).is_succeed
    assert any("on_request hook raised RuntimeError" in r.getMessage() for r in caplog.records)
    with pytest.raises(paynet.InvalidTypeError) as caught:
        paynet.Client(secret_key=sandbox.secret_key, base_url=sandbox.url, on_request="print")  # type: ignore[arg-type]
    assert caught.value.field == "on_request"
