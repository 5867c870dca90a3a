"""paynet: the Python SDK for the Paynet (paynet.com.tr) payment API.

    import paynet
    from decimal import Decimal

    with paynet.Client(secret_key="sck_...") as client:
        tx = client.payments.create(
            amount=Decimal("12.50"), reference_no="ORDER-1001", domain="shop.example.com",
            card=paynet.Card(number="4355084355084358", exp_month=12, exp_year=2045,
                             cvc="000", holder_name="TEST TEST"),
        )

`AsyncClient` has the same resources and arguments, awaited (the resource
classes, `Payments` / `AsyncPayments` and so on, are generated from core's spec). Amounts are
`decimal.Decimal` both ways (`int` and numeric `str` accepted, `float` refused).
"""

# The clients; the resource classes (`Payments` / `AsyncPayments`, ...), the
# result models and enums with no behaviour of their own, and the exception
# classes are generated from core's spec: each module's `__all__` says what
# it adds, so a new endpoint's classes reach `paynet` with no edit here.
from ._calls import Progress, RequestEvent
from ._client import AsyncClient, Client
from ._errors import PaynetError
from ._errors_gen import *  # noqa: F403
from . import _errors_gen
from ._models import (
    BankId,
    Card,
    CardType,
    PaymentReport,
    PaymentReportRange,
    PaymentReportRow,
    Transaction,
    TransactionRecord,
    XactType,
)
from ._models_gen import *  # noqa: F403
from . import _models_gen
from ._resources import *  # noqa: F403
from . import _resources
from ._native import __version__

# `logging` is imported by the native module when a client first logs (with a
# NullHandler on the "paynet" logger), not here: `import paynet` stays cheap.

__all__ = [
    "AsyncClient",
    "BankId",
    "Card",
    "CardType",
    "Client",
    "PaymentReport",
    "PaymentReportRange",
    "PaymentReportRow",
    "PaynetError",
    "Progress",
    "RequestEvent",
    "Transaction",
    "TransactionRecord",
    "XactType",
    "__version__",
]
__all__ += _errors_gen.__all__
__all__ += _models_gen.__all__
__all__ += _resources.__all__
