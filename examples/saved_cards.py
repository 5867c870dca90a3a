"""Saved cards and a checkout page's instalment table, against an embedded sandbox:
the first save names your customer id, you keep the card_owner_id Paynet returns,
list the customer's cards, pay with one, rename and delete it; then the
instalment options for the order, ready to render.

    python examples/saved_cards.py
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import paynet
from paynet.testing import Sandbox


def main() -> None:
    with Sandbox() as sandbox, paynet.Client(secret_key=sandbox.secret_key, base_url=sandbox.url) as client:
        customer = f"customer-{uuid.uuid4().hex[:6]}"
        card = paynet.Card(number="4355084355084358", exp_month=12, exp_year=2045, cvc="000", holder_name="AYSE YILMAZ")

        # First save: your id of the customer. Store the card_owner_id with them.
        saved = client.cards.save(card=card, card_desc="My Visa", user_unique_id=customer)
        owner = saved.card_owner_id or ""
        print(f"Saved {saved.card_no_masked} as {saved.card_desc!r} for owner {owner}")

        # A returning customer: their cards, then a payment with one of them.
        for stored in client.cards.list(card_owner_id=owner):
            print(f"  {stored.card_desc}: {stored.card_no_masked} ({stored.card_bank_name})")
        tx = client.payments.create(
            amount=Decimal("249.90"),
            reference_no=f"ORDER-{uuid.uuid4().hex[:8].upper()}",
            domain="shop.example.com",
            card_hash=saved.card_hash,
            card_owner_id=owner,
        )
        print(f"Paid {tx.amount} TL with the saved card: {tx.xact_id}")

        client.cards.update_description(card_owner_id=owner, card_hash=saved.card_hash, card_desc="Old Visa")
        client.cards.delete(card_owner_id=owner, card_hash=saved.card_hash)
        print(f"Deleted; {len(list(client.cards.list(card_owner_id=owner)))} cards left")

        # The instalment table of the checkout page, for the card's BIN.
        table = client.ratios.instalment_table(amount=Decimal("249.90"), bin="435508", add_commission=True)
        for bank in table.banks:
            print(f"\n{bank.bank_name} ({bank.card_type})")
            for row in bank.rows:
                print(f"  {row.count:>2} x {row.installment_amount!s:>8} = {row.total!s:>8} TL   {row.desc}")


if __name__ == "__main__":
    main()
