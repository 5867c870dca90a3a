"""Every result value has its kind's Python type, as core's types say (spec/paynet.json),
in every model and mode: typed models, plain dicts, a declined error's transaction.

The kind travels with the value (core serializes it under its kind's name), never
with the field's name, so this checks each model's fields against its own spec.
"""

from __future__ import annotations

import datetime as dt
import json
import pathlib
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

import paynet
from paynet.testing import Sandbox

from .conftest import card, reference

SPEC = json.loads((pathlib.Path(__file__).parents[2] / "spec" / "paynet.json").read_text())


def kind_of(ty: dict[str, Any]) -> str | None:
    while ty["type"] in ("optional", "list"):
        ty = ty["of"]
    if ty["type"] == "decimal":
        return str(ty["kind"])
    return {"datetime": "datetime", "date": "date"}.get(ty["type"])


MODELS = {s["name"]: {f["name"]: kind_of(f["type"]) for f in s["fields"]} for s in SPEC["structs"] if s["role"] == "model"}

CHECKS: dict[str | None, Callable[[Any], bool]] = {
    "money": lambda v: type(v) is Decimal,
    "ratio": lambda v: type(v) is Decimal or type(v) is int,
    "datetime": lambda v: isinstance(v, dt.datetime) and v.tzinfo is not None,
    "date": lambda v: type(v) is dt.date,
    None: lambda v: not isinstance(v, (Decimal, dt.date, dt.datetime)),
}


class Seen:
    def __init__(self) -> None:
        self.models: set[str] = set()
        self.kinds: set[tuple[str, str]] = set()

    def check(self, model: str, get: Callable[[str], Any]) -> None:
        self.models.add(model)
        for name, kind in MODELS[model].items():
            value = get(name)
            if value is None:
                continue
            assert CHECKS[kind](value), f"{model}.{name} is {kind or 'of no kind'} but came as {value!r}"
            if kind is not None:
                self.kinds.add((model, name))

    def typed(self, model: str, obj: Any) -> None:
        self.check(model, lambda name: getattr(obj, name))

    def plain(self, model: str, d: dict[str, Any]) -> None:
        self.check(model, d.__getitem__)


def every_kind_field() -> set[tuple[str, str]]:
    return {(m, f) for m, fields in MODELS.items() for f, k in fields.items() if k is not None}


def consent(sandbox: Sandbox, url: str) -> None:
    """The customer on a subscription's page: a card, consent, the bank's 3D page, back."""
    from .test_subscriptions import CARD_SECOND
    from .test_subscriptions import consent as give_consent

    give_consent(sandbox, url, CARD_SECOND)


def test_every_models_values_have_their_kinds_types(client: paynet.Client, sandbox: Sandbox) -> None:
    seen = Seen()
    native = client._require_native()
    params = {"amount": Decimal("12.50"), "reference_no": reference(), "domain": "d", "card": card().to_dict()}
    tx = client.payments.create(**params)  # type: ignore[arg-type]
    seen.typed("Transaction", tx)
    seen.plain("Transaction", native.call("payments.create", {**params, "reference_no": reference()}))
    with pytest.raises(paynet.CardDeclinedError) as declined:
        client.payments.create(**{**params, "reference_no": reference(), "card": card("insufficient_funds")})  # type: ignore[arg-type]
    seen.typed("TransactionRecord", declined.value.transaction)
    auth = client.payments.create(**{**params, "reference_no": reference(), "transaction_type": "pre_auth"})  # type: ignore[arg-type]
    seen.typed("Acknowledgement", client.payments.cancel_pre_auth(xact_id=auth.xact_id))
    seen.typed("TransactionRecord", client.transactions.check(xact_id=auth.xact_id))
    report = client.reports.payment_list()
    seen.typed("PaymentReport", report)
    assert report.rows
    for row in report.rows:
        seen.typed("PaymentReportRow", row)
    day = report.date.isoformat()
    seen.typed("PaymentReportRange", client.reports.payment_list_range(start=day, end=day))
    seen.plain("PaymentReportRange", native.call("reports.payment_list_range", {"start": day, "end": day}))
    raw = native.call("reports.payment_list", {})
    seen.plain("PaymentReport", raw)
    for row in raw["rows"]:
        seen.plain("PaymentReportRow", row)
    session = client.payments.create_3d(
        amount=Decimal("15.00"), reference_no=reference(), domain="d", card=card(), return_url="https://shop.example.com/3d"
    )
    seen.typed("ThreeDSecureSession", session)
    link = client.pay_links.create(name_surname="TEST TEST", amount=Decimal("10.00"), reference_no=reference())
    seen.typed("PayLink", link)
    seen.typed("PayLinkDetail", client.pay_links.retrieve(reference_no=link.reference_no))
    today = dt.date.today()
    page = client.pay_links.list_page(date_from=today - dt.timedelta(days=1), date_to=today + dt.timedelta(days=1))
    seen.typed("PayLinkPage", page)
    for detail in page.links:
        seen.typed("PayLinkDetail", detail)
    post = json.dumps({
        "referance_no": "LINK-1", "xact_id": "xk_1", "xact_date": "2026-12-01T10:00:00+03:00", "is_succeed": True,
        "amount": 10.5, "netAmount": 10.1, "comission": 0.3, "comission_tax": 0.1, "instalment": 0,
    })
    seen.typed("PayLinkConfirmation", client.pay_links.parse_confirmation(body=post))
    seen.plain("PayLinkConfirmation", native.call("pay_links.parse_confirmation", {"body": post}))
    refunded = client.payments.create(**{**params, "reference_no": reference()})  # type: ignore[arg-type]
    request = client.refunds.create(xact_id=refunded.xact_id)
    seen.typed("RefundRequest", request)
    seen.typed("SlipLink", client.transactions.slip(xact_id=refunded.xact_id))
    sandbox.decide_reversal(request.reversal_id or "", approve=True)
    around = {"date_from": today - dt.timedelta(days=2), "date_to": today + dt.timedelta(days=2)}
    refunds = client.refunds.list_page(**around, limit=100)
    seen.typed("RefundPage", refunds)
    for refund in refunds.refunds:
        seen.typed("Refund", refund)
    seen.typed("TransactionDetail", client.transactions.retrieve(xact_id=refunded.xact_id))
    transactions = client.transactions.list_page(**around, limit=100)
    seen.typed("TransactionPage", transactions)
    for row in transactions.transactions:
        seen.typed("TransactionRow", row)
    see_cards_and_ratios(client, seen)
    sub_ref = reference()
    created = client.subscriptions.create(
        name_surname="TEST TEST", amount=Decimal("20.00"), interval="monthly", interval_count=1,
        begin_date=today + dt.timedelta(days=30), reference_no=sub_ref, end_user_email="a@example.com",
        end_user_gsm="5321234567", end_user_desc="plan", is_fixed_price=False,
    )
    seen.typed("SubscriptionCreated", created)
    consent(sandbox, created.url)
    seen.typed(
        "Invoice",
        client.subscription_invoices.create(reference_no=sub_ref, due_date=today + dt.timedelta(days=30), amount=Decimal("20.00")),
    )
    session = client.subscription_cards.add_3d(
        reference_no=sub_ref,
        return_url="https://shop.example/r",
        card=paynet.Card(number="5571135571135575", exp_month=12, exp_year=2035, cvc="000", holder_name="TEST TEST"),
    )
    back = sandbox.complete_3d(session.post_url)
    added = client.subscription_cards.complete_add_3d(session_id=back["fields"]["session_id"], token_id=back["fields"]["token_id"])
    seen.typed("CardAdded", added)
    charges = client.subscription_invoices.charge(reference_no=sub_ref, invoice_no=1)
    seen.typed("InvoiceCharges", charges)
    for charge in charges.charges:
        seen.typed("InvoiceChargeResult", charge)
    seen.typed("Subscription", client.subscriptions.retrieve(reference_no=sub_ref))
    subs = client.subscriptions.list_page(limit=100)
    seen.typed("SubscriptionPage", subs)
    for sub in subs.subscriptions:
        seen.typed("Subscription", sub)
    invoices = client.subscription_invoices.list_page(reference_no=sub_ref)
    seen.typed("InvoicePage", invoices)
    for invoice in invoices.invoices:
        seen.typed("Invoice", invoice)
    cards = client.subscription_cards.list(reference_no=sub_ref)
    seen.typed("SubscriptionCardList", cards)
    for c in cards.cards:
        seen.typed("SubscriptionCard", c)
    application = client.memberships.create(
        contact_gsm_no="5321234567", contact_name="A", contact_surname="B", contact_mail="a@example.com", company_name="C"
    )
    seen.typed("Application", application)
    documents = client.memberships.all_document_types()
    seen.typed("DocumentTypes", documents)
    for document in documents.document_types:
        seen.typed("DocumentType", document)
    assert seen.models == set(MODELS), "a model of the spec was not checked: add a call returning it"
    assert seen.kinds == every_kind_field(), f"never seen with a value: {every_kind_field() - seen.kinds}"


def see_cards_and_ratios(client: paynet.Client, seen: Seen) -> None:
    """The card storage and ratio models (README "Saved cards", "Instalment tables")."""
    saved = client.cards.save(card=card(), card_desc="Kinds", user_unique_id=reference())
    seen.typed("StoredCard", saved)
    page = client.cards.list_page(card_owner_id=saved.card_owner_id or "")
    seen.typed("StoredCardPage", page)
    for stored in page.cards:
        seen.typed("StoredCard", stored)
    seen.typed("CardOtp", client.cards.send_otp(user_gsm="5321234567", otp_session_id=reference()))
    ratios = client.ratios.get(amount=Decimal("10"), bin="435508")
    seen.typed("RatioTable", ratios)
    for bank in ratios.banks:
        seen.typed("BankRatios", bank)
        for option in bank.options:
            seen.typed("InstalmentOption", option)
    table = client.ratios.instalment_table(amount=Decimal("10"), bin="435508", add_commission=True)
    seen.typed("InstalmentTable", table)
    for instalment_bank in table.banks:
        seen.typed("InstalmentBank", instalment_bank)
        for row in instalment_bank.rows:
            seen.typed("InstalmentRow", row)
    ratio_type = client.ratios.set_type(description="Kinds")
    seen.typed("RatioType", ratio_type)
    client.ratios.delete_type(ratio_code=ratio_type.ratio_code)
    seen.typed("AgentSession", client.agents.login(user_name="bayi.kullanici", password="Bayi.Sifre.1", agent_id="20077", pushtoken_id="k"))
    seen.typed("AgentLoginLink", client.agents.autologin(user_name="bayi.kullanici", agent_id="20077"))
    seen.typed("AgentRef", client.agents.check_agent(agent_reference_no="987345"))
    seen.typed("AgentLimits", client.agents.limit_info(agent_id="20077"))


def test_a_declined_transaction_keeps_its_kinds(client: paynet.Client) -> None:
    params = {"amount": Decimal("7.25"), "reference_no": reference(), "domain": "d", "card": card("do_not_honour")}
    with pytest.raises(paynet.CardDeclinedError) as declined:
        client.payments.create(**params)  # type: ignore[arg-type]
    tx = declined.value.transaction
    assert tx.amount == Decimal("7.25") and type(tx.amount) is Decimal
    assert isinstance(tx.xact_date, dt.datetime) and tx.xact_date.tzinfo is not None
