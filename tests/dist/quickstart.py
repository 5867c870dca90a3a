"""README "Python" quickstart against the embedded sandbox, run from an installed wheel."""

import shutil
import sys
from decimal import Decimal
from pathlib import Path

import paynet
from paynet.testing import Sandbox

assert shutil.which("cargo") is None, "cargo is on PATH: this test must run without it"
# The test runs from a temp folder: make sure this is the installed package, not a checkout.
assert "site-packages" in Path(paynet.__file__).parts, paynet.__file__

with Sandbox() as sb, paynet.Client(secret_key=sb.secret_key, base_url=sb.url) as client:
    tx = client.payments.create(
        amount=Decimal("249.90"),
        reference_no="ORDER-1001",
        domain="shop.example.com",
        card=paynet.Card(number="4355084355084358", exp_month=12, exp_year=2045,
                         cvc="000", holder_name="AYSE YILMAZ"),
    )
    assert tx.amount == Decimal("249.90"), tx.amount
    try:
        client.payments.create(amount=Decimal("75"), reference_no="ORDER-1002",
                               domain="shop.example.com",
                               card={"number": "4000000000009995", "exp_month": 12,
                                     "exp_year": 2045, "cvc": "000", "holder_name": "A B"})
        raise AssertionError("the declined card was accepted")
    except paynet.CardDeclinedError as e:
        declined = e.bank_error_code
print(f"python {sys.version.split()[0]} paynet {paynet.__version__}: paid {tx.amount}, declined ({declined})")
