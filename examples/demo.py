"""The paynet tour, against an embedded sandbox: sale, decline, pre-auth and
partial capture, a replayed reference, and the day's settlement report.

    python examples/demo.py
"""

from __future__ import annotations

import logging
import uuid
from decimal import Decimal

import paynet
from paynet.testing import TEST_CARDS, Sandbox

DOMAIN = "shop.example.com"


def card(number: str) -> paynet.Card:
    return paynet.Card(number=number, exp_month=12, exp_year=2045, cvc="000", holder_name="AYSE YILMAZ")


def order_no() -> str:
    return f"ORDER-{uuid.uuid4().hex[:8].upper()}"


def show(title: str, tx: paynet.Transaction) -> None:
    kind = tx.transaction_type.value if isinstance(tx.transaction_type, paynet.TransactionType) else tx.transaction_type
    print(f"  {title:<22} {tx.reference_no or '-':<16} {kind or '-':<9} {tx.amount!s:>10} TL  replayed={tx.replayed}")


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="  log: %(message)s")
    with Sandbox() as sandbox, paynet.Client(secret_key=sandbox.secret_key, base_url=sandbox.url) as client:
        print(f"Sandbox at {sandbox.url}; client: {client!r}\n")

        print("Payments")
        sale = client.payments.create(
            amount=Decimal("149.90"), reference_no=order_no(), domain=DOMAIN, card=card(TEST_CARDS["success"])
        )
        show("sale", sale)

        try:
            client.payments.create(
                amount=Decimal("2500.00"),
                reference_no=order_no(),
                domain=DOMAIN,
                card=card(TEST_CARDS["insufficient_funds"]),
            )
        except paynet.CardDeclinedError as e:
            print(f"  {'declined':<22} {e.reference_no:<16} bank code {e.bank_error_code}: {e.bank_message}")

        auth = client.payments.create(
            amount=Decimal("300.00"),
            reference_no=order_no(),
            domain=DOMAIN,
            card=card(TEST_CARDS["success"]),
            transaction_type=paynet.TransactionType.PRE_AUTH,
        )
        show("pre-auth", auth)
        show("partial capture", client.payments.capture(xact_id=auth.xact_id, amount=Decimal("275.50")))

        again = client.payments.create(
            amount=Decimal("149.90"), reference_no=sale.reference_no or "", domain=DOMAIN, card=card(TEST_CARDS["success"])
        )
        show("same order again", again)
        print(f"  -> the retry was {'replayed: no second charge' if again.replayed else 'charged again!'}")

        report = client.reports.payment_list()
        print(f"\nSettlement report for {report.date:%Y-%m-%d}: {len(report)} rows")
        header = f"  {'xact_id':<14} {'type':<5} {'bank':<5} {'card':<17} {'amount':>10} {'to company':>11}"
        print(header)
        print("  " + "-" * (len(header) - 2))
        total = Decimal("0.00")
        for row in report:
            xact_type = row.xact_type.value if isinstance(row.xact_type, paynet.XactType) else row.xact_type
            bank = row.bank_id.value if isinstance(row.bank_id, paynet.BankId) else row.bank_id
            amount = row.amount or Decimal("0.00")
            total += amount
            print(
                f"  {(row.xact_id or '')[:12] + '…':<14} {xact_type or '':<5} {bank or '':<5} "
                f"{row.card_no_masked or '':<17} {amount:>10} {row.company_pay_amount or '':>11}"
            )
        print(f"  {'total':<44} {total:>10}")
        print(f"\nSandbox saw {sandbox.stats()['requests']} requests.")


if __name__ == "__main__":
    main()
