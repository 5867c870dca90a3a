"""The bounded soak of issue 9, in the suite: 2 000 payments, 300 captures and
300 charges from the async client through 10 % after-commit faults, reconciled
against the sandbox's ledger (see `soak.py`; `make soak` runs 10 000)."""

from __future__ import annotations

from .soak import soak


async def test_no_double_charge_and_no_silent_outcome_under_after_commit_faults() -> None:
    results = await soak(2000, 300, seed=7)
    for what, figures in results:
        print(figures.line(what))
        assert figures.faults > 0.05 * figures.calls, f"{what}: the faults did not fire"
        assert figures.doubles == 0, what
        assert figures.misclassified == [], f"{what}: {figures.misclassified[:5]}"
        assert sum(figures.outcomes.values()) == figures.calls
