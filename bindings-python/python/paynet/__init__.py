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

from ._client import (
    AsyncClient,
    AsyncPayments,
    AsyncReports,
    AsyncTransactions,
    Client,
    Payments,
    Reports,
    Transactions,
)
from ._errors import (
    APIConnectionError,
    APIError,
    AuthenticationError,
    CardDeclinedError,
    InternalError,
    InvalidRequestError,
    InvalidTypeError,
    PaynetError,
    ProtocolError,
    TimeoutError,
    UnknownOutcomeError,
)
from ._models import (
    BankId,
    Card,
    CardType,
    PaymentReport,
    PaymentReportRow,
    Transaction,
    XactType,
)
from ._models_gen import *  # noqa: F403 - the enums and the models with no behaviour of their own
from . import _models_gen
from ._native import __version__

# `logging` is imported by the native module when a client first logs (with a
# NullHandler on the "paynet" logger), not here: `import paynet` stays cheap.

__all__ = [
    "APIConnectionError",
    "APIError",
    "AsyncClient",
    "AsyncPayments",
    "AsyncReports",
    "AsyncTransactions",
    "AuthenticationError",
    "BankId",
    "Card",
    "CardDeclinedError",
    "CardType",
    "Client",
    "InternalError",
    "InvalidRequestError",
    "InvalidTypeError",
    "PaymentReport",
    "PaymentReportRow",
    "Payments",
    "PaynetError",
    "ProtocolError",
    "Reports",
    "TimeoutError",
    "Transaction",
    "Transactions",
    "UnknownOutcomeError",
    "XactType",
    "__version__",
]
__all__ += _models_gen.__all__
