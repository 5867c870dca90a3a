"""No card number, CVC or secret key in a traceback formatted with its frames' locals.

`traceback.TracebackException(..., capture_locals=True)` is what Sentry, rich and
`pytest --showlocals` show: the repr of every local of every frame, ours included.
Each failure path is run sync and async, with the card as `paynet.Card` and as a
dict, and the formatted traceback and every `paynet` log record are searched for
the secrets as exact tokens.

The test's own frames never hold the card data either: it is built inside the
call expression (`_card(...)`), so a leak found here is the SDK's.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Awaitable, Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest

import paynet
from paynet.testing import TEST_CARDS, Sandbox

from .conftest import reference

SECRET_KEY = "sck_test_redaction_ZZq9wX"
# A leading zero: no int, float, duration, port or timestamp Python prints can
# produce it as a token by chance; the PANs are the sandbox's 16-digit test cards.
CVC = "0417"
DOMAIN = "shop.example.com"

PANS = [TEST_CARDS["insufficient_funds"], TEST_CARDS["malformed_response"], TEST_CARDS["slow_bank"], TEST_CARDS["success"]]
_TOKENS = [
    *(re.compile(rf"(?<![\w.-]){pan}(?![\w.-])") for pan in PANS),
    re.compile(rf"(?<![\w.-]){CVC}(?![\w.-])"),
    re.compile(re.escape(SECRET_KEY)),
]


def leaked(text: str) -> list[str]:
    return [m.group(0) for token in _TOKENS for m in token.finditer(text)]


def with_locals(error: BaseException) -> str:
    tb = traceback.TracebackException(type(error), error, error.__traceback__, capture_locals=True)
    return "".join(tb.format())


_DROP = object()


def _card(kind: str, as_dict: bool, **changes: Any) -> paynet.Card | dict[str, Any]:
    """A card; a change to `_DROP` leaves that key out (dicts only)."""
    data: dict[str, Any] = {
        "number": TEST_CARDS[kind],
        "exp_month": 12,
        "exp_year": 2045,
        "cvc": CVC,
        "holder_name": "TEST TEST",
        **changes,
    }
    data = {k: v for k, v in data.items() if v is not _DROP}
    return data if as_dict else paynet.Card(**data)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(secret_key=SECRET_KEY, slow_bank_delay=0.5) as sb:
        yield sb


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.DEBUG, logger="paynet")
    yield caplog
    records = [r for r in caplog.records if r.name.startswith("paynet")]
    for record in records:
        text = record.getMessage() + " " + repr(vars(record))
        assert not leaked(text), f"log record leaks {leaked(text)}: {text}"


def assert_clean(error: BaseException, expected: type[BaseException]) -> None:
    assert isinstance(error, expected), repr(error)
    text = with_locals(error)
    assert not leaked(text), f"traceback leaks {leaked(text)}:\n{text}"
    # The locals really were captured (a frame of the SDK or of this test).
    assert " = " in text


# Each case: (name, card kind, card changes, other arguments, expected error, client options).
CASES: list[tuple[str, str, dict[str, Any], dict[str, Any], type[BaseException], dict[str, Any]]] = [
    ("decline", "insufficient_funds", {}, {}, paynet.CardDeclinedError, {}),
    ("protocol", "malformed_response", {}, {}, paynet.PaynetError, {}),
    ("timeout", "slow_bank", {}, {}, paynet.TimeoutError, {"timeout": 0.2}),
    ("bad_expiry", "success", {"exp_year": 2001}, {}, paynet.InvalidRequestError, {}),
    ("bad_month", "success", {"exp_month": 13}, {}, paynet.InvalidRequestError, {}),
    ("bad_amount", "success", {}, {"amount": Decimal("0.001")}, paynet.InvalidRequestError, {}),
    ("float_amount", "success", {}, {"amount": 0.5}, TypeError, {}),
    ("bad_cvc_type", "success", {"cvc": object()}, {}, TypeError, {}),
    ("unknown_param", "success", {}, {"cardholder": "x"}, TypeError, {}),
]
IDS = [c[0] for c in CASES]


def _arguments(extra: dict[str, Any]) -> dict[str, Any]:
    return {"amount": Decimal("10"), "reference_no": reference(), "domain": DOMAIN, **extra}


def _options(sandbox: Sandbox, options: dict[str, Any]) -> dict[str, Any]:
    return {"secret_key": sandbox.secret_key, "base_url": sandbox.url, "max_retries": 0, **options}


@pytest.mark.parametrize("as_dict", [False, True], ids=["Card", "dict"])
@pytest.mark.parametrize(("name", "kind", "changes", "extra", "expected", "options"), CASES, ids=IDS)
def test_sync_failures(
    sandbox: Sandbox,
    logs: pytest.LogCaptureFixture,
    as_dict: bool,
    name: str,
    kind: str,
    changes: dict[str, Any],
    extra: dict[str, Any],
    expected: type[BaseException],
    options: dict[str, Any],
) -> None:
    with paynet.Client(**_options(sandbox, options)) as client:
        try:
            client.payments.create(**_arguments(extra), card=_card(kind, as_dict, **changes))
        except Exception as e:  # noqa: BLE001 - every error is checked below
            assert_clean(e, expected)
        else:
            pytest.fail(f"{name}: no error")


@pytest.mark.parametrize("as_dict", [False, True], ids=["Card", "dict"])
@pytest.mark.parametrize(("name", "kind", "changes", "extra", "expected", "options"), CASES, ids=IDS)
async def test_async_failures(
    sandbox: Sandbox,
    logs: pytest.LogCaptureFixture,
    as_dict: bool,
    name: str,
    kind: str,
    changes: dict[str, Any],
    extra: dict[str, Any],
    expected: type[BaseException],
    options: dict[str, Any],
) -> None:
    async with paynet.AsyncClient(**_options(sandbox, options)) as client:
        try:
            await client.payments.create(**_arguments(extra), card=_card(kind, as_dict, **changes))
        except Exception as e:  # noqa: BLE001 - every error is checked below
            assert_clean(e, expected)
        else:
            pytest.fail(f"{name}: no error")


@pytest.mark.parametrize(
    ("changes", "field"), [({"cvv": "123"}, "card.cvv"), ({"exp_month": _DROP}, "card.exp_month")], ids=["unknown", "missing"]
)
def test_odd_card_mappings_are_refused_by_field_without_leaking(
    sandbox: Sandbox, logs: pytest.LogCaptureFixture, changes: dict[str, Any], field: str
) -> None:
    """A mapping that is not a whole card (a key unknown, one missing) still names the field."""
    with paynet.Client(**_options(sandbox, {})) as client:
        try:
            client.payments.create(**_arguments({}), card=_card("success", True, **changes))
        except paynet.InvalidRequestError as e:
            assert e.field == field, repr(e)
            assert_clean(e, paynet.InvalidRequestError)
        else:
            pytest.fail("no error")


CONSTRUCTION: list[tuple[str, Callable[[Sandbox], dict[str, Any]], type[BaseException]]] = [
    ("bad_timeout", lambda sb: {"timeout": -1}, paynet.InvalidRequestError),
    ("timeout_as_str", lambda sb: {"timeout": "5"}, TypeError),
    ("bad_environment", lambda sb: {"environment": "prod"}, paynet.InvalidRequestError),
    ("bad_base_url", lambda sb: {"base_url": "ftp://x"}, paynet.InvalidRequestError),
    ("bad_format", lambda sb: {"payment_amount_format": "kurus"}, paynet.InvalidRequestError),
]


@pytest.mark.parametrize("cls", [paynet.Client, paynet.AsyncClient])
@pytest.mark.parametrize(("name", "options", "expected"), CONSTRUCTION, ids=[c[0] for c in CONSTRUCTION])
def test_construction_failures(
    sandbox: Sandbox,
    logs: pytest.LogCaptureFixture,
    cls: type[paynet.Client] | type[paynet.AsyncClient],
    name: str,
    options: Callable[[Sandbox], dict[str, Any]],
    expected: type[BaseException],
) -> None:
    try:
        cls(secret_key=sandbox.secret_key, **options(sandbox))
    except Exception as e:  # noqa: BLE001
        assert_clean(e, expected)
    else:
        pytest.fail(f"{name}: no error")


def test_calls_on_a_working_client_and_after_close(sandbox: Sandbox, logs: pytest.LogCaptureFixture) -> None:
    client = paynet.Client(**_options(sandbox, {}))
    try:
        client.transactions.check(reference_no=reference())
    except paynet.APIError as e:
        assert_clean(e, paynet.APIError)
    else:
        pytest.fail("an unknown reference was found")
    client.close()
    try:
        client.transactions.check(reference_no=reference())
    except Exception as e:  # noqa: BLE001
        assert_clean(e, Exception)
    else:
        pytest.fail("a closed client made a call")


async def test_async_call_after_close(sandbox: Sandbox, logs: pytest.LogCaptureFixture) -> None:
    client = paynet.AsyncClient(**_options(sandbox, {}))
    await client.aclose()
    call: Awaitable[paynet.TransactionRecord] = client.transactions.check(reference_no=reference())
    try:
        await call
    except Exception as e:  # noqa: BLE001
        assert_clean(e, Exception)
    else:
        pytest.fail("a closed client made a call")
