"""The Python models against what core actually returns, so they cannot drift apart silently."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import pathlib
from decimal import Decimal
from typing import Any

import pytest

import paynet
from paynet import _native

from .conftest import SECRET_KEY, card, reference


def field_names(cls: type[Any]) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


@pytest.fixture
def native(client: paynet.Client) -> _native.NativeClient:
    return client._require_native()


def test_transaction_fields_match_core(native: _native.NativeClient) -> None:
    params = {"amount": Decimal("1"), "reference_no": reference(), "domain": "d", "card": card().to_dict()}
    raw = native.call("payments.create", params)
    assert set(raw) == field_names(paynet.Transaction) == field_names(paynet.TransactionRecord)
    check = native.call("transactions.check", {"reference_no": params["reference_no"]})
    assert set(check) == field_names(paynet.TransactionRecord)


def test_a_success_requires_what_paynet_always_sends() -> None:
    """The success model's required fields have no default; the record's are all optional."""
    required = {f.name for f in dataclasses.fields(paynet.Transaction) if f.default is dataclasses.MISSING}
    assert required == {"xact_id", "xact_date", "amount", "is_succeed"}
    assert all(f.default is not dataclasses.MISSING for f in dataclasses.fields(paynet.TransactionRecord) if f.name != "is_succeed")


def test_report_fields_match_core(native: _native.NativeClient) -> None:
    native.call("payments.create", {"amount": Decimal("1"), "reference_no": reference(), "domain": "d", "card": card().to_dict()})
    raw = native.call("reports.payment_list", {})
    assert set(raw) == field_names(paynet.PaymentReport)
    assert raw["rows"] and set(raw["rows"][0]) == field_names(paynet.PaymentReportRow)
    assert isinstance(raw["date"], dt.date)


def test_unknown_enum_values_and_keys_still_parse() -> None:
    tx = paynet.TransactionRecord._from_native(
        {"is_succeed": True, "transaction_type": "refund", "bank_id": "NEWB", "brand_new_field": 1}
    )
    assert tx.transaction_type == "refund" and not isinstance(tx.transaction_type, paynet.TransactionType)
    assert tx.bank_id == "NEWB"


def test_unknown_error_kind_is_still_a_paynet_error() -> None:
    from paynet._errors import _from_native

    e = _from_native("rate_limited", "slow down", {"http_status": 429})
    assert type(e) is paynet.PaynetError and e.kind == "rate_limited" and e.http_status == 429


def test_each_kind_has_one_class() -> None:
    from paynet._errors import _BY_KIND

    spec = json.loads((pathlib.Path(__file__).resolve().parents[2] / "spec" / "paynet.json").read_text(encoding="utf-8"))
    kinds = [k["name"] for k in spec["error_kinds"]]
    assert {"card_declined", "three_d_secure_failed", "unknown_outcome"} <= set(kinds)
    assert sorted(_BY_KIND) == sorted(kinds)
    assert all(issubclass(cls, paynet.PaynetError) and cls.kind == k for k, cls in _BY_KIND.items())


def test_to_pandas_keeps_decimals(client: paynet.Client) -> None:
    pytest.importorskip("pandas")
    client.payments.create(amount=Decimal("12.34"), reference_no=reference(), domain="d", card=card())
    frame = client.reports.payment_list().to_pandas()
    assert Decimal("12.34") in list(frame["amount"])
    assert all(isinstance(v, Decimal) for v in frame["amount"])


def test_native_methods_are_core_methods() -> None:
    spec = json.loads((pathlib.Path(__file__).parents[2] / "spec" / "paynet.json").read_text(encoding="utf-8"))
    assert sorted(_native.METHODS) == sorted(m["name"] for m in spec["methods"])
    for cls in (paynet.Client, paynet.AsyncClient):
        client = cls(secret_key=SECRET_KEY, base_url="http://127.0.0.1:9")
        for method in _native.METHODS:
            resource, name = method.split(".")
            assert callable(getattr(getattr(client, resource), name)), f"{cls.__name__}: no {method}"
    assert paynet.__version__ == _native.__version__
    assert SECRET_KEY not in repr(_native.NativeClient(SECRET_KEY))


def _same(a: Any, b: Any) -> None:
    """Equal, and of the same types field by field (enum members stay members)."""
    assert type(a) is type(b) and a == b
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, tuple):
            assert len(x) == len(y)
            for u, v in zip(x, y):
                _same(u, v)
        else:
            assert type(x) is type(y) and x == y, f.name


def test_typed_results_equal_models_built_from_dicts(native: _native.NativeClient) -> None:
    """The native fast path (`typed=True`) builds exactly what `_from_native` builds from dicts."""
    params = {"amount": Decimal("12.5"), "reference_no": reference(), "domain": "d", "card": card().to_dict()}
    typed = native.call("payments.create", params, typed=True)
    check = {"reference_no": params["reference_no"]}
    _same(native.call("transactions.check", check, typed=True),
          paynet.TransactionRecord._from_native(native.call("transactions.check", check)))
    assert isinstance(typed, paynet.Transaction) and typed.amount == Decimal("12.50")
    assert isinstance(typed.transaction_type, paynet.TransactionType)
    assert isinstance(typed.xact_date, dt.datetime) and typed.xact_date.utcoffset() is not None
    typed_report = native.call("reports.payment_list", {}, typed=True)
    built = paynet.PaymentReport._from_native(native.call("reports.payment_list", {}))
    assert isinstance(typed_report.rows, tuple) and typed_report.rows
    _same(typed_report, built)
    assert isinstance(typed_report.rows[0].xact_type, paynet.XactType)


def test_errors_and_enums_read_naturally() -> None:
    # Tracebacks name the class as users import it.
    assert paynet.CardDeclinedError.__module__ == "paynet"
    assert repr(paynet.InvalidRequestError("x")).startswith("InvalidRequestError(")
    # `except TimeoutError` (the builtin) catches paynet's timeout too.
    assert issubclass(paynet.TimeoutError, TimeoutError) and issubclass(paynet.TimeoutError, paynet.APIConnectionError)
    e = paynet.TimeoutError("no answer", reference_no="R-1")
    assert str(e) == "no answer" and e.reference_no == "R-1" and e.kind == "timeout"
    # An enum member prints as its value, in str() and f-strings alike.
    assert str(paynet.TransactionType.SALE) == "sale" and f"{paynet.BankId('AXSS')}" == "AXSS"
    assert paynet.TransactionType.SALE == "sale"


def test_huge_integers_are_refused_by_field(client: paynet.Client) -> None:
    with pytest.raises(paynet.InvalidRequestError) as refused:
        client.payments.create(amount=10**30, reference_no=reference(), domain="d", card=card())
    assert refused.value.field == "amount"
    with pytest.raises(paynet.InvalidRequestError) as refused:
        client.payments.create(amount=1, installment=2**70, reference_no=reference(), domain="d", card=card())
    assert refused.value.field == "installment"


def test_sandbox_options_are_checked() -> None:
    from paynet.testing import Sandbox

    with pytest.raises(ValueError, match="settlement_days"):
        Sandbox(settlement_days=10**6)
