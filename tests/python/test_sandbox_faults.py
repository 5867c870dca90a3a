"""Fault injection through paynet.testing.Sandbox: what the sandbox did (ledger, fault_stats, raw answers)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from decimal import Decimal

import pytest

import paynet
from paynet.testing import Sandbox

from .conftest import SECRET_KEY, card, reference

DOMAIN = "shop.example.com"


def pay(sb: Sandbox, ref: str) -> paynet.Transaction:
    with paynet.Client(secret_key=sb.secret_key, base_url=sb.url, max_retries=0) as client:
        return client.payments.create(amount=Decimal("12.50"), reference_no=ref, domain=DOMAIN, card=card())


def raw_post(sb: Sandbox, path: str, body: dict[str, object]) -> tuple[int, str]:
    """One request straight to the sandbox, bypassing the client: the answer as sent."""
    req = urllib.request.Request(
        sb.url + path,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Basic {sb.secret_key}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_after_reset_the_call_fails_but_the_payment_is_recorded() -> None:
    with Sandbox(secret_key=SECRET_KEY, faults=[{"kind": "reset", "path": "v2/transaction/payment"}]) as sb:
        ref = reference()
        with pytest.raises(paynet.PaynetError):
            pay(sb, ref)
        assert sb.stats()["ledger_entries"] == 1
        stats = sb.fault_stats()
        assert stats["injected"]["reset"] == 1 and stats["total"] == 1
        assert stats["rules"][0]["path"] == "/v2/transaction/payment"
        assert stats["rules"][0]["remaining"] == 0
        # The rule is used up: the retry replays the recorded success.
        assert pay(sb, ref).replayed


def test_before_close_keeps_the_payment_out() -> None:
    with Sandbox(secret_key=SECRET_KEY) as sb:
        sb.set_faults([{"kind": "close", "when": "before"}])
        with pytest.raises(paynet.PaynetError):
            pay(sb, reference())
        assert sb.stats()["ledger_entries"] == 0
        assert sb.fault_stats()["injected"]["close"] == 1


def test_replace_echo_and_stats() -> None:
    with Sandbox(secret_key=SECRET_KEY, faults={"seed": 5, "rules": []}) as sb:
        assert sb.fault_stats()["seed"] == 5
        sb.set_faults(
            [
                {"kind": "replace", "body": '{"is_succeed": true, "is_succeed": false}', "path": "/v1/transaction/check"},
                {"kind": "echo", "count": 1},
            ]
        )
        status, text = raw_post(sb, "/v1/transaction/check", {"reference_no": "X"})
        assert (status, text) == (200, '{"is_succeed": true, "is_succeed": false}')
        status, text = raw_post(sb, "/v1/transaction/payment_list", {"note": "echo me"})
        assert status == 502
        assert f"authorization: Basic {SECRET_KEY}" in text and "echo me" in text
        stats = sb.fault_stats()
        assert stats["injected"]["replace"] == 1 and stats["injected"]["echo"] == 1 and stats["total"] == 2
        assert [r["fired"] for r in stats["rules"]] == [1, 1]
        sb.clear_faults()
        assert sb.fault_stats()["rules"] == [] and sb.fault_stats()["total"] == 0
        assert raw_post(sb, "/v1/transaction/payment_list", {})[0] == 200


def test_a_seeded_rate_repeats() -> None:
    with Sandbox(secret_key=SECRET_KEY) as sb:

        def pattern() -> list[int]:
            sb.set_faults([{"kind": "status", "status": 429, "rate": 0.5}], seed=42)
            return [raw_post(sb, "/v1/transaction/check", {})[0] for _ in range(60)]

        first = pattern()
        assert first == pattern()
        assert 429 in first and any(s != 429 for s in first)


def test_bad_rules_name_the_field() -> None:
    with Sandbox(secret_key=SECRET_KEY) as sb:
        with pytest.raises(ValueError, match=r"rules\[0\]\.delay_ms is required"):
            sb.set_faults([{"kind": "delay"}])
        with pytest.raises(ValueError, match=r"rules\[1\]\.kind"):
            sb.set_faults([{"kind": "reset"}, {"kind": "boom"}])  # type: ignore[typeddict-item]
        with pytest.raises(TypeError):
            sb.set_faults({"kind": "reset"})  # type: ignore[arg-type]
        with pytest.raises(ValueError, match=r"rules\[0\]\.location"):
            Sandbox(faults=[{"kind": "redirect"}])
        assert sb.fault_stats()["rules"] == []
