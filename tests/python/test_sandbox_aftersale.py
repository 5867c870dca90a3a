"""The after-sale helpers of paynet.testing.Sandbox: the clock, the review of refund
requests, auto-approval and seeding, with the Paynet calls made as plain HTTP."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from paynet.testing import TEST_CARDS, Sandbox

from .conftest import reference

ISTANBUL = timezone(timedelta(hours=3))


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


def sale(sb: Sandbox, amount: str = "100.00") -> dict[str, Any]:
    status, answer = call(
        sb,
        "/v2/transaction/payment",
        {
            "amount": amount,
            "reference_no": reference(),
            "domain": "shop.example",
            "card_holder": "TEST TEST",
            "pan": TEST_CARDS["success"],
            "month": 12,
            "year": 2045,
            "cvc": "000",
        },
    )
    assert status == 200 and answer["is_succeed"], answer
    return answer


def refund(sb: Sandbox, xact_id: str, amount: str | None = None) -> tuple[int, dict[str, Any]]:
    body = {"xact_id": xact_id} if amount is None else {"xact_id": xact_id, "amount": amount}
    return call(sb, "/v1/transaction/reversed_request", body)


def detail(sb: Sandbox, xact_id: str) -> dict[str, Any]:
    status, answer = call(sb, "/v1/transaction/detail", {"xact_id": xact_id})
    assert status == 200, answer
    row: dict[str, Any] = answer["Data"][0]
    return row


def test_the_clock_moves_and_the_sales_follow() -> None:
    with Sandbox() as sb:
        now = sb.clock()
        assert now.utcoffset() == timedelta(hours=3)
        assert abs((now - datetime.now(timezone.utc)).total_seconds()) < 5

        sb.set_clock(datetime(2030, 3, 1, 10, 0))  # naive: Istanbul time
        assert sb.clock().date() == date(2030, 3, 1)
        assert sb.clock().hour == 10
        sb.set_clock(datetime(2030, 3, 1, 22, 0, tzinfo=timezone.utc))
        assert sb.clock().date() == date(2030, 3, 2)
        sb.advance_clock(days=1, seconds=3600)
        assert sb.clock().date() == date(2030, 3, 3)
        assert sb.clock().hour == 2
        assert sale(sb)["xact_date"].startswith("2030-03-03T02:00")

        with pytest.raises(ValueError):
            sb.advance_clock(days=-1)
        with pytest.raises(ValueError):
            sb.set_clock(datetime(9999, 1, 1, tzinfo=ISTANBUL))
        with pytest.raises(TypeError):
            sb.set_clock("2030-01-01")  # type: ignore[arg-type]


def test_a_refund_request_waits_for_the_review() -> None:
    with Sandbox() as sb:
        paid = sale(sb)
        status, answer = refund(sb, paid["xact_id"], "5000")
        assert status == 400 and answer["result_code"] == 11  # same day: full cancel only
        sb.advance_clock(days=1)
        status, answer = refund(sb, paid["xact_id"], "5000")
        assert status == 200, answer
        assert detail(sb, paid["xact_id"])["refunded_amount"] == 0

        request = sb.decide_reversal(answer["reversal_id"])
        assert request["status"] == "approved"
        assert request["xact_type"] == "CD"
        assert request["amount"] == 50
        assert request["xact_id"] == paid["xact_id"]
        assert detail(sb, paid["xact_id"])["refunded_amount"] == 50
        with pytest.raises(ValueError):
            sb.decide_reversal(answer["reversal_id"], approve=False)
        with pytest.raises(ValueError):
            sb.decide_reversal("xk_unknown")

        _, second = refund(sb, paid["xact_id"])
        assert sb.decide_reversal(second["reversal_id"], approve=False)["status"] == "rejected"
        assert detail(sb, paid["xact_id"])["reversed"] is False
        assert sb.reversal_posts() == []


def test_auto_approve_reversals() -> None:
    with Sandbox(auto_approve_reversals=True) as sb:
        paid = sale(sb, "20.00")
        status, answer = refund(sb, paid["xact_id"])
        assert status == 200, answer
        row = detail(sb, paid["xact_id"])
        assert row["reversed"] is True
        assert row["reversed_xact_id"] == answer["reversal_id"]


def test_seed_sales_for_pagination() -> None:
    with Sandbox() as sb:
        report = sb.seed_sales(1001, start=date(2030, 1, 1), end=date(2030, 1, 7), amount="12.34", seed=42)
        assert report["inserted"] == 1001
        assert report["last_id"] - report["first_id"] == 1000
        assert (report["start"], report["end"]) == (date(2030, 1, 1), date(2030, 1, 7))

        seen: set[str] = set()
        after = 0
        while True:
            status, page = call(
                sb,
                "/v1/transaction/list",
                {"datab": "2030-01-01", "datbi": "2030-01-07", "limit": 100, "starting_after": after},
            )
            assert status == 200, page
            seen.update(row["xact_id"] for row in page["Data"])
            after += len(page["Data"])
            if not page["has_more"]:
                break
        assert len(seen) == 1001

        today = sb.seed_sales(3, amount=Decimal("1.5"))
        assert today["start"] == sb.clock().date()
        with pytest.raises(ValueError):
            sb.seed_sales(0)
        with pytest.raises(ValueError):
            sb.seed_sales(1, amount="1.234")
        with pytest.raises(TypeError):
            sb.seed_sales(1, amount=1.5)  # type: ignore[arg-type]


def test_a_stopped_sandbox_has_no_clock() -> None:
    sb = Sandbox()
    sb.stop()
    with pytest.raises(RuntimeError):
        sb.clock()
