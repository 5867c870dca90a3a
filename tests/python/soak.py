"""A bounded soak: money-moving calls through after-commit faults, reconciled
against the sandbox's ledger. Run by `test_soak.py` (2 000 payments in the
suite) and by `make soak` (`python tests/python/soak.py 10000`, figures for
RELIABILITY.md).

What must hold, whatever the faults: no reference is charged twice, and no
call that moved money reached its caller as anything but a success, a
replay, a `TimeoutError` or an `UnknownOutcomeError` naming its reference
(for charge and capture, which are never resent: `UnknownOutcomeError`).
"""

from __future__ import annotations

import asyncio
import json
import sys
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import paynet
from paynet.testing import FaultRule, Sandbox

CARD = {"number": "4355084355084358", "exp_month": 12, "exp_year": 2045, "cvc": "000", "holder_name": "SOAK TEST"}

#: 10 % of requests fail after the ledger committed, spread over every kind.
AFTER_COMMIT_FAULTS: list[FaultRule] = [
    {"kind": "reset", "rate": 0.02},
    {"kind": "close", "rate": 0.02 / 0.98},
    {"kind": "status", "status": 502, "rate": 0.02 / 0.96},
    {"kind": "status", "status": 503, "rate": 0.01 / 0.94},
    {"kind": "status", "status": 500, "rate": 0.01 / 0.93},
    {"kind": "truncate", "rate": 0.015 / 0.92},
    {"kind": "delay", "delay_ms": 1500, "rate": 0.005 / 0.905},
]

#: The client's deadline, shorter than the delay fault.
DEADLINE = 1.0


@dataclass
class Figures:
    calls: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    faults: int = 0
    doubles: int = 0
    #: Calls that moved money although the caller got an error (all must name their reference).
    moved_but_failed: int = 0
    misclassified: list[str] = field(default_factory=list)

    def line(self, what: str) -> str:
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(self.outcomes.items()))
        return (
            f"{what}: {self.calls} calls, {self.faults} faults injected; outcomes: {kinds}; "
            f"moved money but raised {self.moved_but_failed}; double charges {self.doubles}; "
            f"misclassified {len(self.misclassified)}"
        )


def admin(sb: Sandbox, path: str, body: dict[str, Any] | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    with urllib.request.urlopen(urllib.request.Request(f"{sb.url}/__sandbox/{path}", data=data)) as answer:
        return json.load(answer)


def ledger(sb: Sandbox) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = admin(sb, "ledger")["entries"]
    return entries


def outcome_name(result: object) -> str:
    if isinstance(result, paynet.Transaction):
        return "replayed" if result.replayed else "success"
    return type(result).__name__


def reconcile(
    figures: Figures, results: dict[str, object], moved: Counter[str], *, resent: bool
) -> None:
    """`moved`: successful money movements per reference in the ledger."""
    for reference, result in results.items():
        figures.outcomes[outcome_name(result)] += 1
        if moved[reference] > 1:
            figures.doubles += 1
        if not moved[reference]:
            continue
        if isinstance(result, paynet.PaynetError):
            figures.moved_but_failed += 1
        if isinstance(result, paynet.Transaction):
            ok = result.is_succeed and result.reference_no in (reference, None)
        elif isinstance(result, paynet.UnknownOutcomeError):
            ok = result.reference_no == reference
        elif isinstance(result, paynet.TimeoutError):
            ok = resent and result.reference_no == reference
        else:
            ok = False
        if not ok:
            figures.misclassified.append(f"{reference}: {result!r}")


async def gather_bounded(calls: list[Any], limit: int = 48) -> list[object]:
    gate = asyncio.Semaphore(limit)

    async def one(call: Any) -> object:
        async with gate:
            try:
                result: object = await call()
                return result
            except paynet.PaynetError as e:
                return e

    return await asyncio.gather(*(one(c) for c in calls))


async def phase(
    sb: Sandbox, path: str, seed: int, references: list[str], calls: list[Any], xact_type: str, *, resent: bool
) -> Figures:
    """`calls[i]` for `references[i]` through the faults on `path`, reconciled
    against the ledger's successful entries of `xact_type`."""
    sb.set_faults([{**r, "path": path} for r in AFTER_COMMIT_FAULTS], seed=seed)
    results = dict(zip(references, await gather_bounded(calls)))
    figures = Figures(calls=len(references), faults=sb.fault_stats()["total"])
    sb.clear_faults()
    moved = Counter(e["reference_no"] for e in ledger(sb) if e["is_succeed"] and e["xact_type"] == xact_type)
    reconcile(figures, results, moved, resent=resent)
    return figures


async def payments(sb: Sandbox, client: paynet.AsyncClient, count: int, seed: int) -> Figures:
    references = [f"SOAK-PAY-{seed}-{i}" for i in range(count)]
    calls = [
        (lambda r=r: client.payments.create(amount=Decimal("10.00"), reference_no=r, domain="soak.example.com", card=CARD))
        for r in references
    ]
    return await phase(sb, "v2/transaction/payment", seed, references, calls, "S", resent=True)


async def captures(sb: Sandbox, client: paynet.AsyncClient, count: int, seed: int) -> Figures:
    references = [f"SOAK-CAP-{seed}-{i}" for i in range(count)]
    await gather_bounded(
        [
            (lambda r=r: client.payments.create(
                amount=Decimal("20.00"), reference_no=r, domain="soak.example.com", card=CARD,
                transaction_type="pre_auth",
            ))
            for r in references
        ]
    )
    calls = [(lambda r=r: client.payments.capture(reference_no=r, amount=Decimal("15.00"))) for r in references]
    return await phase(sb, "v1/transaction/capture", seed, references, calls, "CR", resent=False)


async def charges(sb: Sandbox, client: paynet.AsyncClient, count: int, seed: int) -> Figures:
    sessions = []
    for _ in range(count):
        s = admin(sb, "paynetjs/session", {
            "amount": "1000", "pan": CARD["number"], "month": 12, "year": 2045, "cvc": "000", "card_holder": "SOAK TEST",
        })
        sessions.append((s["session_id"], s["token_id"]))
    references = [f"SOAK-CHG-{seed}-{i}" for i in range(count)]
    calls = [
        (lambda r=r, s=s: client.payments.charge(session_id=s[0], token_id=s[1], amount=Decimal("10"), reference_no=r))
        for r, s in zip(references, sessions)
    ]
    return await phase(sb, "v1/transaction/charge", seed, references, calls, "S", resent=False)


async def soak(payment_count: int, other_count: int, seed: int = 1) -> list[tuple[str, Figures]]:
    with Sandbox() as sb:
        async with paynet.AsyncClient(
            secret_key=sb.secret_key, base_url=sb.url, timeout=DEADLINE, max_retries=3
        ) as client:
            return [
                ("payments.create", await payments(sb, client, payment_count, seed)),
                ("payments.capture", await captures(sb, client, other_count, seed)),
                ("payments.charge", await charges(sb, client, other_count, seed)),
            ]


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    for what, figures in asyncio.run(soak(n, max(300, n // 5), seed=int(sys.argv[2]) if len(sys.argv) > 2 else 1)):
        print(figures.line(what))
        for line in figures.misclassified[:20]:
            print("  ", line)
