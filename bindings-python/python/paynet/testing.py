"""Test helpers: the Paynet sandbox in-process, and pytest fixtures.

    from paynet.testing import Sandbox

    with Sandbox() as sb:
        client = paynet.Client(secret_key=sb.secret_key, base_url=sb.url)

For pytest, the `paynet_sandbox`, `paynet_client` and `paynet_async_client`
fixtures (a fresh sandbox per test) are registered when paynet is installed
(the `pytest11` entry point); nothing to add to `conftest.py`.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from types import TracebackType
from typing import Any, Literal, TypedDict, cast

from . import _native
from ._client import AsyncClient, Client

__all__ = [
    "CARD_OTP",
    "Confirmation",
    "FaultCounts",
    "FaultPlan",
    "FaultRule",
    "FaultRuleState",
    "FaultStats",
    "LedgerEntry",
    "PaidLink",
    "PaynetJsSession",
    "ReturnPost",
    "ReversalRequest",
    "Sandbox",
    "SandboxStats",
    "Subscribed",
    "SeedReport",
    "TDS_OTP",
    "TEST_CARDS",
    "paynet_async_client",
    "paynet_client",
    "paynet_sandbox",
]

#: The sandbox's test card numbers (any future expiry, any CVC).
TEST_CARDS = {
    "success": "4355084355084358",
    "insufficient_funds": "4000000000009995",
    "do_not_honour": "4000000000000002",
    "expired": "4000000000000069",
    "stolen": "4000000000009979",
    "slow_bank": "4000000000000259",
    "malformed_response": "4000000000000119",
    "tds_not_enrolled": "4000000000003063",
}

#: The code the sandbox bank's 3D page accepts ("000000" plays a bank timeout).
TDS_OTP = "123456"
#: The code the sandbox's card OTPs (`cards.send_otp`) carry.
CARD_OTP = "123456"

#: Paynet's time zone (UTC+3 all year); naive datetimes given to the clock are in it.
_ISTANBUL = timezone(timedelta(hours=3))

_DEFAULT_CARD: dict[str, object] = {
    "card_holder": "TEST TEST",
    "pan": TEST_CARDS["success"],
    "month": 12,
    "year": 2045,
    "cvc": "000",
}


class SandboxStats(TypedDict):
    requests: int
    """API requests received, whatever their outcome."""
    ledger_entries: int
    """Transactions recorded."""


FaultKind = Literal["reset", "close", "status", "delay", "truncate", "redirect", "replace", "echo"]


class _FaultRuleKind(TypedDict):
    kind: FaultKind
    """reset (RST, no byte), close (FIN, no byte), status, delay, truncate (half the body),
    redirect, replace (literal body), echo (502 echoing the request, secrets included)."""


class FaultRule(_FaultRuleKind, total=False):
    """One fault rule, with the sandbox HTTP API's field names (see the sandbox README)."""

    when: Literal["before", "after"]
    """"after" (default): the handler ran and the ledger committed. "before": nothing is recorded."""
    path: str
    """One API path, e.g. "v1/transaction/capture"; absent: every API path."""
    count: int
    """Fire for the next `count` matching requests (without count and rate: once)."""
    rate: float
    """Fire with this probability per matching request (seeded, reproducible)."""
    status: int
    retry_after: int
    delay_ms: int
    location: str
    body: str


class FaultPlan(TypedDict, total=False):
    seed: int
    """Seeds the PRNG of `rate` rules; a fixed default otherwise."""
    rules: list[FaultRule]


class FaultCounts(TypedDict):
    """Faults injected per kind since the plan was set."""

    reset: int
    close: int
    status: int
    delay: int
    truncate: int
    redirect: int
    replace: int
    echo: int


class FaultRuleState(FaultRule):
    """A rule as the sandbox reports it: defaults filled in, with its counters."""

    fired: int
    remaining: int | None
    """Firings left; None for a rule without `count`."""


class FaultStats(TypedDict):
    seed: int
    injected: FaultCounts
    total: int
    """Sum of `injected`."""
    rules: list[FaultRuleState]


class ReturnPost(TypedDict):
    """The form the bank's 3D page posts to the shop's `return_url`."""

    return_url: str
    fields: dict[str, str]
    """session_id, token_id, reference_no, md_status ("1"/"0"), on failure md_error_message."""


class PaynetJsSession(TypedDict):
    session_id: str
    token_id: str


class PaidLink(TypedDict):
    xact_id: str
    is_succeed: bool
    redirect: str | None
    """Where the payer's browser is sent; None when the page shows the decline itself."""


class Subscribed(TypedDict):
    """A card saved to a subscription on its page (`Sandbox.subscribe`)."""

    card_id: int
    message: str


class Confirmation(TypedDict):
    """One delivery attempt of a PayLink `confirmation_url` post."""

    url: str
    attempt: int
    """1 for the first try; up to 5 retries follow a failure."""
    status: int | None
    error: str | None
    delivered: bool
    reference_no: str
    xact_id: str


class ReversalRequest(TypedDict):
    """A refund or cancel request as `v1/transaction/reversal_list` shows it."""

    reversal_id: str
    xact_id: str
    """The payment it pays back."""
    reference_no: str
    amount: float
    status: Literal["pending", "approved", "rejected"]
    xact_type: Literal["R", "CD"]
    """R: a same-day cancel; CD: a later refund."""
    request_date: str
    decision_date: str | None
    bank_id: str
    agent_id: str


class LedgerEntry(TypedDict):
    """One transaction as the sandbox recorded it (`GET /__sandbox/ledger`): money
    as `Decimal`, the card masked."""

    id: int
    xact_id: str
    xact_type: str
    """`S` sale, `PA` pre-auth, `C` capture, `R` cancel, `CD` refund, ..."""
    transaction_type: int
    xact_date: str
    due_date: str
    is_succeed: bool
    bank_error_id: str
    reference_no: str
    amount: Decimal
    net_amount: Decimal
    comission: Decimal
    comission_tax: Decimal
    ratio: Decimal
    instalment: int
    bank_id: str
    card_no_masked: str
    card_bin: str
    card_last4: str
    parent_id: int | None
    """The pre-auth a capture or the sale a cancel/refund belongs to."""
    captured_by: int | None
    card_hash: str


class SeedReport(TypedDict):
    inserted: int
    first_id: int
    last_id: int
    """The sales have the ids first_id..last_id, in date order."""
    start: date
    end: date


def _kurus(amount: object) -> int:
    """A TL amount (`"12.34"`, `Decimal`, int) in kuruş; at most 2 decimals."""
    if isinstance(amount, (bool, float)):
        raise TypeError("amount must be a str, Decimal or int (TL), not a float")
    try:
        value = Decimal(str(amount)) * 100
    except InvalidOperation:
        raise ValueError(f"amount must be a TL amount like '12.34', not {amount!r}") from None
    if value != value.to_integral_value():
        raise ValueError(f"amount has more than 2 decimals: {amount!r}")
    return int(value)


def _session_id(session: object) -> str:
    if isinstance(session, str):
        return session
    if isinstance(session, Mapping):
        value = session.get("session_id")
    else:
        value = getattr(session, "session_id", None)
    if not isinstance(value, str):
        raise TypeError("session must be a session_id, a post_url or an object with a session_id")
    return value


def _plan_json(faults: FaultPlan | Sequence[FaultRule]) -> str:
    if isinstance(faults, Mapping):
        plan = dict(faults)
    elif isinstance(faults, (str, bytes)):
        raise TypeError("faults must be a list of rule dicts or a {'seed': ..., 'rules': [...]} dict")
    else:
        plan = {"rules": _rule_list(faults)}
    return json.dumps(plan, allow_nan=False)


def _rule_list(rules: Sequence[FaultRule]) -> list[FaultRule]:
    if isinstance(rules, (Mapping, str, bytes)):
        raise TypeError("rules must be a list of rule dicts, e.g. [{'kind': 'reset'}]")
    return list(rules)


class Sandbox:
    """A local, stateful Paynet emulator on a free port of 127.0.0.1.

    It runs inside this process (on the SDK's own runtime); `stop()`, leaving
    the `with` block, or the object being garbage-collected shuts it down.
    """

    def __init__(
        self,
        *,
        secret_key: str | None = None,
        slow_bank_delay: float = 3.0,
        settlement_days: int = 0,
        port: int = 0,
        faults: FaultPlan | Sequence[FaultRule] | None = None,
        auto_approve_reversals: bool = False,
        require_card_otp: bool = False,
    ) -> None:
        """`faults`: rules active from the start, as a list or `{"seed": 7, "rules": [...]}`.
        `auto_approve_reversals`: approve refund and cancel requests as they are made
        instead of leaving them pending for `decide_reversal`. `require_card_otp`: a card
        save needs an `otp_session_id` verified with `cards.check_otp` (code `CARD_OTP`)."""
        if not hasattr(_native, "NativeSandbox"):
            raise RuntimeError(
                "this build of paynet has no embedded sandbox (built without the cargo feature "
                "embedded-sandbox): use the published wheel, or run the paynet-sandbox program "
                "and point a Client at its URL"
            )
        self._native = _native.NativeSandbox(
            secret_key=secret_key,
            port=port,
            slow_bank_delay=slow_bank_delay,
            settlement_days=settlement_days,
            faults=None if faults is None else _plan_json(faults),
            auto_approve_reversals=auto_approve_reversals,
            require_card_otp=require_card_otp,
        )

    @property
    def url(self) -> str:
        """`http://127.0.0.1:PORT`: pass it as the client's `base_url`."""
        return self._native.url

    @property
    def secret_key(self) -> str:
        return self._native.secret_key

    @property
    def publishable_key(self) -> str:
        """The key a shop page gives Paynet.js as `data-key`."""
        return self._native.publishable_key

    def complete_3d(self, session: object, *, otp: str | None = None, cancel: bool = False) -> ReturnPost:
        """Plays the customer on the bank's 3D page: types `otp` (default `TDS_OTP`) or
        cancels. `session` is the session_id, the post_url, or an object (or dict) with a
        `session_id`. Returns the form the bank posts to the shop's `return_url`.

        `ValueError` when there is none: an unknown session, or a wrong code with tries
        left (the page asks again; three wrong codes fail the 3D step).
        """
        if cancel and otp is not None:
            raise ValueError("pass either otp or cancel=True, not both")
        raw = self._native.complete_3d(
            _session_id(session), otp=None if cancel else (otp or TDS_OTP), cancel=cancel
        )
        post = json.loads(raw)
        return ReturnPost(return_url=post["return_url"], fields=dict(post["fields"]))

    def paynetjs_session(
        self,
        *,
        amount: int | str,
        card_holder: str = "TEST TEST",
        pan: str = TEST_CARDS["success"],
        month: int | str = 12,
        year: int | str = 2045,
        cvc: str = "000",
        instalment: int = 0,
        add_comission_amount: bool = False,
        ratio_code: str = "",
        installments: str = "",
        no_instalment: bool = False,
        tds_required: bool = False,
        card_hash: str | None = None,
        card_owner_id: str | None = None,
    ) -> PaynetJsSession:
        """What Paynet.js does in the browser: the card and the `data-*` values in,
        `session_id` and `token_id` out. `amount` is `data-amount`: kuruş (×100), as an
        int or its text. A saved card's `card_hash` and `card_owner_id` stand for the
        card. `ValueError` with the sandbox's message for a refused card."""
        card: dict[str, object] = (
            {"card_hash": card_hash, "card_owner_id": card_owner_id}
            if card_hash is not None
            else {"card_holder": card_holder, "pan": pan, "month": month, "year": year, "cvc": cvc}
        )
        request = {
            "publishable_key": self.publishable_key,
            "amount": str(amount),
            **card,
            "instalment": instalment,
            "add_comission_amount": add_comission_amount,
            "ratio_code": ratio_code,
            "installments": installments,
            "no_instalment": no_instalment,
            "tds_required": tds_required,
        }
        session = json.loads(self._native.paynetjs_session(json.dumps(request)))
        return PaynetJsSession(session_id=session["session_id"], token_id=session["token_id"])

    def pay_link(self, url: str, *, card: Mapping[str, object] | None = None) -> PaidLink:
        """Pays a PayLink as its payer would on the page (`url` of `mailorder/create`,
        or its token) with `card` (`card_holder`, `pan`, `month`, `year`, `cvc`; the
        success card by default). `ValueError` for a paid, passive or expired link."""
        body = dict(_DEFAULT_CARD if card is None else card)
        paid = json.loads(self._native.pay_link(url, json.dumps(body)))
        return PaidLink(xact_id=paid["xact_id"], is_succeed=paid["is_succeed"], redirect=paid["redirect"])

    def subscribe(self, url: str, *, card: Mapping[str, object] | None = None) -> Subscribed:
        """Consents to a subscription as its customer would on the page (`url` of
        `subscriptions.create`, or its token): `card` (`card_holder`, `pan`, `month`,
        `year`, `cvc`; the success card by default), the consent box, the bank's 3D page
        with the right code. The card is saved after the subscription's cards; a waiting
        subscription becomes active and is billed for what is due. Call it again to add
        another card. `ValueError` for a cancelled subscription or a bad card."""
        body = dict(_DEFAULT_CARD if card is None else card)
        done = json.loads(self._native.subscribe(url, json.dumps(body)))
        return Subscribed(card_id=done["card_id"], message=done["message"])

    def confirmations(self) -> list[Confirmation]:
        """Every `confirmation_url` delivery attempt so far, oldest first. Deliveries run
        in the background: poll until the attempts you expect are there."""
        attempts: list[Confirmation] = json.loads(self._native.confirmations())
        return attempts

    def last_receipt_otp(self, phone: str) -> str | None:
        """The last code `v2/agent/create_end_user_receipt_otp` sent to `phone`."""
        return self._native.last_receipt_otp(phone)

    def clock(self) -> datetime:
        """The sandbox's now (aware, Istanbul time): every date it writes comes from it."""
        return datetime.fromisoformat(self._native.clock())

    def set_clock(self, at: datetime) -> None:
        """Moves the sandbox clock to `at` (it keeps ticking from there); a naive
        datetime is Istanbul time. `ValueError` beyond a hundred years from now."""
        if not isinstance(at, datetime):
            raise TypeError("at must be a datetime")
        if at.tzinfo is None:
            at = at.replace(tzinfo=_ISTANBUL)
        self._native.set_clock(at.isoformat())

    def advance_clock(self, *, days: float = 0, seconds: float = 0) -> None:
        """Moves the sandbox clock forward, e.g. `days=1` to leave "the same day" of a
        sale (after which a cancel becomes a refund)."""
        total = timedelta(days=days, seconds=seconds).total_seconds()
        if total < 0:
            raise ValueError("the clock only advances; use set_clock to go back")
        self._native.advance_clock(total)

    def decide_reversal(self, reversal_id: str, approve: bool = True) -> ReversalRequest:
        """Approves (or, with `approve=False`, rejects) the pending refund or cancel
        request `reversal_id`, as Paynet's operations would; its `succeedUrl` hears of
        it. `ValueError` for an unknown or already decided request."""
        request: ReversalRequest = json.loads(self._native.decide_reversal(reversal_id, approve))
        return request

    def reversal_posts(self) -> list[Confirmation]:
        """Every `succeedUrl` delivery attempt of a refund decision, oldest first
        (`xact_id` is the request's `reversal_id`); they run in the background."""
        attempts: list[Confirmation] = json.loads(self._native.reversal_posts())
        return attempts

    def seed_sales(
        self,
        count: int,
        *,
        start: date | None = None,
        end: date | None = None,
        amount: str | Decimal | int = "100.00",
        seed: int = 0,
    ) -> SeedReport:
        """Inserts `count` successful sales of `amount` TL made from `start` to `end`
        (both included, equal shares per day; default: the sandbox's today) straight into
        the ledger, in one call: volume for list and pagination tests. The same `seed`
        gives the same times and xact_ids."""
        first = start or self.clock().date()
        last = end or first
        raw = json.loads(
            self._native.seed_sales(count, first.isoformat(), last.isoformat(), _kurus(amount), seed)
        )
        return SeedReport(
            inserted=raw["inserted"],
            first_id=raw["first_id"],
            last_id=raw["last_id"],
            start=date.fromisoformat(raw["from"]),
            end=date.fromisoformat(raw["to"]),
        )

    def seed_demo(
        self,
        *,
        start: date,
        end: date | None = None,
        per_day: int = 40,
        seed: int = 0,
    ) -> SeedReport:
        """Inserts a realistic stretch of a shop's traffic from `start` to `end` (both
        included): about `per_day` card attempts a day over several banks and card
        types, with instalments, declines, pre-auths (most captured hours later),
        dealers' sales and refunds of earlier sales. The same `seed` on a fresh sandbox
        gives the same data. Sales are paid out `settlement_days` later
        (`reports.payment_list_range` over the following days shows them)."""
        last = end or start
        raw = json.loads(self._native.seed_demo(start.isoformat(), last.isoformat(), per_day, seed))
        return SeedReport(
            inserted=raw["inserted"],
            first_id=raw["first_id"],
            last_id=raw["last_id"],
            start=date.fromisoformat(raw["from"]),
            end=date.fromisoformat(raw["to"]),
        )

    def stats(self) -> SandboxStats:
        raw = self._native.stats()
        return SandboxStats(requests=raw["requests"], ledger_entries=raw["ledger_entries"])

    def set_faults(self, rules: Sequence[FaultRule], *, seed: int | None = None) -> None:
        """Replaces the fault rules and zeroes the fault counters.

        Rules are tried in order and at most one fires per request. `ValueError`
        names a bad field (`rules[0].delay_ms is required for kind delay`).
        """
        plan: dict[str, object] = {"rules": _rule_list(rules)}
        if seed is not None:
            plan["seed"] = seed
        self._native.set_faults(json.dumps(plan, allow_nan=False))

    def fail_next(
        self,
        kind: FaultKind = "status",
        *,
        path: str | None = None,
        count: int = 1,
        when: Literal["before", "after"] = "after",
        **fields: Any,
    ) -> None:
        """Makes the next `count` requests (to `path`, or to any API path) fail with
        one fault, replacing the current rules: `sb.fail_next("reset",
        path="v1/transaction/charge")`. By default the fault comes after the ledger
        committed (the money moved, the answer is lost); `when="before"` records
        nothing. Other rule fields (`status=503`, `delay_ms=...`) as in `set_faults`."""
        rule: dict[str, Any] = {"kind": kind, "count": count, "when": when, **fields}
        if kind == "status":
            rule.setdefault("status", 502)
        if path is not None:
            rule["path"] = path
        self.set_faults([cast(FaultRule, rule)])

    def ledger(self) -> list[LedgerEntry]:
        """Every transaction the sandbox recorded, oldest first: what really
        happened, to compare with what your code believes."""
        with urllib.request.urlopen(f"{self.url}/__sandbox/ledger", timeout=10) as answer:
            entries: list[LedgerEntry] = json.loads(answer.read(), parse_float=Decimal)["entries"]
        return entries

    def clear_faults(self) -> None:
        """Removes every fault rule (and zeroes the counters)."""
        self._native.clear_faults()

    def fault_stats(self) -> FaultStats:
        """The active rules and how many faults of each kind were injected since they were set."""
        stats: FaultStats = json.loads(self._native.fault_stats())
        return stats

    def client(self, **options: Any) -> Client:
        """A `Client` bound to this sandbox, with any other `Client` option
        (`timeout=5`); while it is in use, the sandbox keeps running."""
        client = Client(secret_key=self.secret_key, base_url=self.url, **options)
        # The server stops when its handle is collected; the client holds it.
        client._keeps_alive = self
        return client

    def stop(self) -> None:
        self._native.stop()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"Sandbox(url={self.url!r})"


try:
    import pytest
except ImportError:  # pytest is only needed for the fixtures
    pass
else:

    @pytest.fixture
    def paynet_sandbox() -> Iterator[Sandbox]:
        """A fresh sandbox for one test."""
        with Sandbox(slow_bank_delay=1.0) as sandbox:
            yield sandbox

    @pytest.fixture
    def paynet_client(paynet_sandbox: Sandbox) -> Iterator[Client]:
        """A `Client` talking to `paynet_sandbox`."""
        with paynet_sandbox.client() as client:
            yield client

    @pytest.fixture
    def paynet_async_client(paynet_sandbox: Sandbox) -> Iterator[AsyncClient]:
        """An `AsyncClient` talking to `paynet_sandbox`. A plain fixture: making
        and closing one needs no event loop, so it works under pytest-asyncio,
        anyio or any other runner of async tests."""
        client = AsyncClient(secret_key=paynet_sandbox.secret_key, base_url=paynet_sandbox.url)
        client._keeps_alive = paynet_sandbox
        try:
            yield client
        finally:
            client.close()
