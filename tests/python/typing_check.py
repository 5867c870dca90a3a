"""Type-checked with `mypy --strict` (not run): the public API as users write it.

Lines marked `type: ignore[...]` must stay errors; mypy's `warn_unused_ignores`
(part of --strict) fails if one of them starts to type-check.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import paynet
from paynet.testing import Sandbox, SandboxStats


def sync_usage(client: paynet.Client) -> Decimal:
    tx: paynet.Transaction = client.payments.create(
        amount=Decimal("12.50"),
        reference_no="ORDER-1",
        domain="shop.example.com",
        card=paynet.Card(number="4355084355084358", exp_month=12, exp_year=2045, cvc="000", holder_name="A B"),
        transaction_type=paynet.TransactionType.PRE_AUTH,
        timeout=5.0,
    )
    # A success's xact_id, xact_date and amount are never None: no assert needed.
    assert tx.xact_id.startswith("xk_")
    when: dt.datetime = tx.xact_date
    del when
    captured: paynet.Transaction = client.payments.capture(xact_id=tx.xact_id, amount="10.00")
    # A check row is Paynet's record, successful or not: its fields may be missing.
    checked: paynet.TransactionRecord = client.transactions.check(reference_no="ORDER-1")
    checked.xact_id.startswith("xk_")  # type: ignore[union-attr]
    not_a_success: paynet.Transaction = client.transactions.check(reference_no="ORDER-1")  # type: ignore[assignment]
    del not_a_success
    found: paynet.TransactionRecord | None = client.transactions.lookup("ORDER-1")
    del found
    report: paynet.PaymentReport = client.reports.payment_list(date=dt.date(2024, 1, 31))
    for row in report:
        row_amount: Decimal | None = row.amount
        del row_amount
    replayed: bool = checked.replayed
    del replayed
    seen: list[paynet.Progress] = []
    month: paynet.PaymentReportRange = client.reports.payment_list_range(start="2026-11-01", end=dt.date(2026, 11, 30), progress=seen.append)
    month_rows: int = len(month) + month.days
    del month_rows
    client.reports.payment_list_range(start="2026-11-01", end="2026-11-30", progress=True)
    client.reports.payment_list_range(start="2026-11-01", end="2026-11-30", progress="yes")  # type: ignore[arg-type]
    frame = report.to_pandas(decimals="decimal")
    del frame
    client.payments.create(amount=1.5, reference_no="x", domain="d", card_hash="h")  # type: ignore[arg-type]
    client.payments.create(reference_no="x", domain="d", card_hash="h")  # type: ignore[call-arg]
    card: paynet.CardDict = {"number": "4355084355084358", "exp_month": 12, "exp_year": 2045, "cvc": "000", "holder_name": "A B"}
    client.payments.create(amount="1", reference_no="x", domain="d", card=card)
    client.payments.create(amount="1", reference_no="x", domain="d", card={"numbr": "4355084355084358"})  # type: ignore[arg-type]
    for link in client.pay_links.list(date_from=dt.date(2026, 1, 1), date_to="2026-01-31"):
        link_amount: Decimal | None = link.amount
        del link_amount
    return captured.amount


async def async_usage(client: paynet.AsyncClient) -> paynet.Transaction | paynet.TransactionRecord:
    report: paynet.PaymentReport = await client.reports.payment_list()
    del report
    try:
        tx = await client.payments.create(amount=7, reference_no="x", domain="d", card_hash="h")
        paid: Decimal = tx.amount
        del paid
        return tx
    except paynet.CardDeclinedError as e:
        # Always set on a decline, and a record: what a decline carries is not promised.
        declined: paynet.TransactionRecord = e.transaction
        declined_id: str | None = declined.xact_id
        del declined_id
        return declined
    except paynet.InvalidRequestError as e:
        field: str | None = e.field
        raise RuntimeError(field) from e


def sandbox_usage() -> SandboxStats:
    with Sandbox() as sb, paynet.Client(secret_key=sb.secret_key, base_url=sb.url) as client:
        sync_usage(client)
        with sb.client(timeout=5.0) as other:
            sync_usage(other)
        return sb.stats()


def errors_share_a_base(e: paynet.TimeoutError) -> paynet.APIConnectionError:
    kind: str = e.kind
    del kind
    return e
