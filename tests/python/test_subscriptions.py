"""Subscriptions end to end against the sandbox: a monthly plan created, consented to on
the customer's page (3D on the bank's page), billed for a year by moving the sandbox
clock, with a card that expires mid-year falling back to the second card; paused,
resumed and cancelled; invoices added and charged by hand."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

import paynet
from paynet.testing import ReturnPost, Sandbox

from .conftest import reference

IST = timezone(timedelta(hours=3))
START = datetime(2031, 1, 1, 9, 0, tzinfo=IST)
CARD_EXPIRING = {"card_holder": "TEST TEST", "pan": "4355084355084358", "month": "6", "year": "2031", "cvc": "000"}
CARD_SECOND = {"card_holder": "TEST TEST", "pan": "5571135571135575", "month": "12", "year": "2035", "cvc": "000"}
CARD_DECLINED = {"card_holder": "TEST TEST", "pan": "4000000000000002", "month": "12", "year": "2035", "cvc": "000"}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _post_form(url: str, fields: dict[str, str]) -> tuple[int, str, str | None]:
    opener = urllib.request.build_opener(_NoRedirect)
    req = urllib.request.Request(url, data=urllib.parse.urlencode(fields).encode(), method="POST")
    try:
        with opener.open(req, timeout=10) as resp:
            return resp.status, resp.read().decode(), resp.headers.get("Location")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), e.headers.get("Location")


def consent(sb: Sandbox, url: str, card: dict[str, str]) -> str:
    """The customer on the page at `url`: card, consent, the bank's 3D page, back."""
    status, _, post_url = _post_form(url, {**card, "consent": "on"})
    assert status == 303 and post_url, status
    back = sb.complete_3d(post_url)
    status, page, _ = _post_form(back["return_url"], back["fields"])
    assert status == 200, page
    return page


def new_plan(client: paynet.Client, count: int = 12, **extra: object) -> tuple[str, str]:
    ref = reference()
    created = client.subscriptions.create(
        name_surname="Ayşe Yılmaz",
        amount=Decimal("99.90"),
        interval="monthly",
        interval_count=count,
        begin_date=extra.pop("begin_date", date(2031, 1, 15)),
        reference_no=ref,
        end_user_email="ayse@example.com",
        end_user_gsm="5321234567",
        end_user_desc="SaaS plan",
        **extra,
    )
    assert created.url.startswith("http://127.0.0.1")
    return ref, created.url


@pytest.fixture
def clock(sandbox: Sandbox) -> Sandbox:
    sandbox.set_clock(START)
    return sandbox


def test_a_monthly_plan_billed_for_a_year_falls_back_to_the_second_card(client: paynet.Client, clock: Sandbox) -> None:
    ref, url = new_plan(client)
    assert client.subscriptions.retrieve(reference_no=ref).status == "waiting"
    assert "card saved" in consent(clock, url, CARD_EXPIRING)
    consent(clock, url, CARD_SECOND)
    sub = client.subscriptions.retrieve(reference_no=ref)
    assert (sub.status, sub.amount, sub.interval, sub.interval_count) == ("active", Decimal("99.90"), "monthly", 12)
    cards = client.subscription_cards.list(reference_no=ref).cards
    assert [c.card_no_masked for c in cards] == ["435508******4358", "557113******5575"]

    clock.set_clock(datetime(2032, 1, 1, 9, 0, tzinfo=IST))
    invoices = list(client.subscription_invoices.list(reference_no=ref))
    assert [i.status for i in invoices] == ["paid"] * 12
    assert [i.due_date.month for i in invoices] == list(range(1, 13))
    # Card one expires after June: from July on it declines and card two pays.
    assert [i.attempt_count for i in invoices] == [1] * 6 + [2] * 6
    july = client.transactions.check(reference_no=f"{ref}-7")
    assert july.card_no_masked.endswith("5575") and july.amount == Decimal("99.90")
    march = client.transactions.check(reference_no=f"{ref}-3")
    assert march.card_no_masked.endswith("4358")
    report = client.reports.payment_list(date=date(2031, 3, 15))
    assert march.xact_id in {row.xact_id for row in report.rows}
    charged = {i.xact_id for i in invoices}
    listed = client.transactions.list(date_from=date(2031, 1, 1), date_to=date(2031, 12, 31), limit=100)
    assert charged <= {row.xact_id for row in listed}
    # What Paynet answers beyond the documented fields stays readable.
    assert json.loads(client.subscriptions.retrieve(reference_no=ref).other_fields or "{}")["paid_count"] == 12
    # A year later nothing more is charged: the plan had 12.
    clock.set_clock(datetime(2032, 6, 1, 9, 0, tzinfo=IST))
    assert len(list(client.subscription_invoices.list(reference_no=ref, status="paid"))) == 12


def test_pause_resume_and_cancel(client: paynet.Client, clock: Sandbox) -> None:
    ref, url = new_plan(client, count=4, begin_date=date(2031, 1, 10))
    # The helper takes the page's own path: card, consent, the bank's 3D page.
    saved = clock.subscribe(url, card=CARD_SECOND)
    assert [c.card_id for c in client.subscription_cards.list(reference_no=ref).cards] == [saved["card_id"]]
    clock.set_clock(datetime(2031, 1, 11, 9, 0, tzinfo=IST))
    client.subscriptions.update_status(reference_no=ref, status="passive")
    assert client.subscriptions.retrieve(reference_no=ref).status == "passive"
    clock.set_clock(datetime(2031, 3, 11, 9, 0, tzinfo=IST))
    statuses = [i.status for i in client.subscription_invoices.list(reference_no=ref)]
    assert statuses == ["paid", "waiting", "waiting", "waiting"]
    # Resumed: what came due meanwhile is charged; the last one waits for its day.
    client.subscriptions.update_status(reference_no=ref, status="active")
    statuses = [i.status for i in client.subscription_invoices.list(reference_no=ref)]
    assert statuses == ["paid", "paid", "paid", "waiting"]
    client.subscriptions.update_status(reference_no=ref, status="cancelled")
    clock.set_clock(datetime(2031, 6, 1, 9, 0, tzinfo=IST))
    statuses = [i.status for i in client.subscription_invoices.list(reference_no=ref)]
    assert statuses == ["paid", "paid", "paid", "cancelled"]
    with pytest.raises(paynet.InvalidRequestError, match="cancelled"):
        client.subscriptions.update_status(reference_no=ref, status="active")
    with pytest.raises(ValueError, match="cancelled"):
        clock.subscribe(url)


def test_declines_are_retried_then_the_invoice_fails(client: paynet.Client, clock: Sandbox) -> None:
    ref, url = new_plan(client, count=1, begin_date=date(2031, 1, 2))
    consent(clock, url, CARD_DECLINED)
    clock.set_clock(datetime(2031, 1, 3, 9, 0, tzinfo=IST))
    [invoice] = client.subscription_invoices.list(reference_no=ref)
    assert (invoice.status, invoice.attempt_count) == ("waiting", 2)
    clock.set_clock(datetime(2031, 1, 10, 9, 0, tzinfo=IST))
    [invoice] = client.subscription_invoices.list(reference_no=ref)
    assert (invoice.status, invoice.attempt_count) == ("failed", 3)
    tried = client.transactions.check(reference_no=f"{ref}-1")
    assert not tried.is_succeed and tried.card_no_masked == "400000******0002"


def test_invoices_added_and_charged_by_hand(client: paynet.Client, clock: Sandbox) -> None:
    ref, url = new_plan(client, count=1, is_fixed_price=False)
    consent(clock, url, CARD_SECOND)
    assert list(client.subscription_invoices.list(reference_no=ref)) == []
    client.subscription_invoices.create(reference_no=ref, due_date=date(2031, 5, 1), amount=Decimal("20"))
    client.subscription_invoices.create(reference_no=ref, due_date=date(2031, 6, 1), amount=Decimal("30"))
    client.subscription_invoices.update_amount(reference_no=ref, invoice_no=1, amount=Decimal("25.50"))
    charged = client.subscription_invoices.charge(reference_no=ref, invoice_no=1)
    assert charged.all_paid and [c.invoice_no for c in charged.charges] == [1]
    assert client.transactions.check(reference_no=f"{ref}-1").amount == Decimal("25.50")
    client.subscription_invoices.update_status(reference_no=ref, invoice_no=2, status="external_charged")
    clock.set_clock(datetime(2031, 7, 1, 9, 0, tzinfo=IST))
    statuses = [i.status for i in client.subscription_invoices.list(reference_no=ref)]
    assert statuses == ["paid", "external_charged"]
    client.subscription_invoices.update_all_statuses(reference_no=ref, status="cancelled")
    client.subscriptions.update_amount(reference_no=ref, amount=Decimal("12.00"))
    client.subscriptions.send_again(reference_no=ref)


def add_card_3d(client: paynet.Client, clock: Sandbox, ref: str) -> ReturnPost:
    """A second card for subscription `ref`, labelled "business", through the bank's 3D page: what it posted back."""
    session = client.subscription_cards.add_3d(
        reference_no=ref,
        return_url="https://shop.example/cards/return",
        card=paynet.Card(number="5571135571135575", exp_month=12, exp_year=2035, cvc="000", holder_name="TEST TEST"),
        label="business",
    )
    return clock.complete_3d(session.post_url)


def test_cards_added_through_the_api_arranged_and_removed(client: paynet.Client, clock: Sandbox) -> None:
    ref, url = new_plan(client, count=2)
    consent(clock, url, CARD_EXPIRING)
    back = add_card_3d(client, clock, ref)
    assert back["return_url"] == "https://shop.example/cards/return"
    client.subscription_cards.complete_add_3d(session_id=back["fields"]["session_id"], token_id=back["fields"]["token_id"])
    first, second = client.subscription_cards.list(reference_no=ref).cards
    assert second.label == "business"
    client.subscription_cards.arrange(reference_no=ref, card_ids=[second.card_id, first.card_id])
    assert [c.card_id for c in client.subscription_cards.list(reference_no=ref).cards] == [second.card_id, first.card_id]
    client.subscription_cards.update_label(reference_no=ref, card_id=first.card_id, label="old")
    other_ref, _ = new_plan(client, count=1)
    client.subscription_cards.link(reference_no=other_ref, card_id=second.card_id)
    assert [c.card_id for c in client.subscription_cards.list(reference_no=other_ref).cards] == [second.card_id]
    client.subscription_cards.delete(reference_no=ref, card_id=first.card_id)
    assert [c.label for c in client.subscription_cards.list(reference_no=ref).cards] == ["business"]
    assert any(s.reference_no == ref for s in client.subscriptions.list())


async def test_the_async_client_runs_a_plan(aclient: paynet.AsyncClient, clock: Sandbox) -> None:
    ref = reference()
    created = await aclient.subscriptions.create(
        name_surname="Ayşe Yılmaz", amount=Decimal("10"), interval="weekly", interval_count=3,
        begin_date=date(2031, 1, 5), reference_no=ref, end_user_email="a@example.com",
        end_user_gsm="5321234567", end_user_desc="weekly box",
    )
    consent(clock, created.url, CARD_SECOND)
    clock.set_clock(datetime(2031, 2, 1, 9, 0, tzinfo=IST))
    invoices = [i async for i in aclient.subscription_invoices.list(reference_no=ref)]
    assert [(i.status, i.due_date.day) for i in invoices] == [("paid", 5), ("paid", 12), ("paid", 19)]
    assert (await aclient.subscriptions.retrieve(reference_no=ref)).interval == "weekly"
    assert len((await aclient.subscription_cards.list(reference_no=ref)).cards) == 1
    session = await aclient.subscription_cards.add_3d(
        reference_no=ref, return_url="https://shop.example/r",
        card=paynet.Card(number="4355084355084358", exp_month=12, exp_year=2035, cvc="000", holder_name="TEST TEST"),
    )
    back = clock.complete_3d(session.post_url)
    await aclient.subscription_cards.complete_add_3d(session_id=back["fields"]["session_id"], token_id=back["fields"]["token_id"])
    first, second = (await aclient.subscription_cards.list(reference_no=ref)).cards
    await aclient.subscription_cards.arrange(reference_no=ref, card_ids=[second.card_id, first.card_id])
    await aclient.subscription_cards.update_label(reference_no=ref, card_id=second.card_id, label="first now")
    other = reference()
    await aclient.subscriptions.create(
        name_surname="B", amount=Decimal("5"), interval="daily", interval_count=1, begin_date=date(2031, 3, 1),
        reference_no=other, end_user_email="b@example.com", end_user_gsm="5321234567", end_user_desc="d",
    )
    await aclient.subscription_cards.link(reference_no=other, card_id=second.card_id)
    await aclient.subscription_cards.delete(reference_no=ref, card_id=first.card_id)
    assert [c.label for c in (await aclient.subscription_cards.list(reference_no=ref)).cards] == ["first now"]
    await aclient.subscription_invoices.create(reference_no=ref, due_date=date(2031, 6, 1), amount=Decimal("7.50"))
    page = await aclient.subscription_invoices.list_page(reference_no=ref, status="waiting")
    assert [i.amount for i in page.invoices] == [Decimal("7.50")]
    assert (await aclient.subscription_invoices.charge(reference_no=ref, invoice_no=4)).all_paid
    await aclient.subscription_invoices.create(reference_no=ref, due_date=date(2031, 7, 1), amount=Decimal("7.50"))
    await aclient.subscription_invoices.update_status(reference_no=ref, invoice_no=5, status="cancelled")
    await aclient.subscription_invoices.update_all_statuses(reference_no=ref, status="deleted")
    await aclient.subscriptions.update_amount(reference_no=ref, amount=Decimal("11"))
    await aclient.subscriptions.send_again(reference_no=ref)
    assert any(s.reference_no == ref for s in (await aclient.subscriptions.list_page(limit=100)).subscriptions)
    assert [s async for s in aclient.subscriptions.list() if s.reference_no == other]
    await aclient.subscriptions.update_status(reference_no=ref, status="cancelled")
    assert (await aclient.subscriptions.retrieve(reference_no=ref)).status == "cancelled"



def test_a_dealer_applies_and_reads_the_documents_it_needs(client: paynet.Client) -> None:
    agent = reference()[:20]
    made = client.memberships.create(
        contact_gsm_no="5321234567", contact_name="Ayşe", contact_surname="Yılmaz", contact_mail="ayse@example.com",
        company_name="Bayi 1", agent_reference=agent, address_line1="Moda Cd. 1",
    )
    assert made.id and made.status == "received"
    assert client.memberships.retrieve(agent_reference=agent).id == made.id
    assert client.memberships.retrieve(id=made.id).company_name == "Bayi 1"
    commercial = client.memberships.document_types(form_type="commercial").document_types
    assert commercial and {d.form_type_id for d in commercial} == {3}
    every = client.memberships.all_document_types().document_types
    assert {d.form_type_id for d in every} == {2, 3} and len(every) > len(commercial)
    with pytest.raises(paynet.InvalidRequestError) as refused:
        client.memberships.create(
            contact_gsm_no="05321234567", contact_name="A", contact_surname="B", contact_mail="a@b.c", company_name="C"
        )
    assert refused.value.field == "contact_gsm_no"


async def test_the_async_client_reads_applications(aclient: paynet.AsyncClient) -> None:
    agent = reference()[:20]
    made = await aclient.memberships.create(
        contact_gsm_no="5321234567", contact_name="Ayşe", contact_surname="Yılmaz", contact_mail="a@example.com",
        company_name="Bayi 2", agent_reference=agent,
    )
    assert (await aclient.memberships.retrieve(agent_reference=agent)).id == made.id
    assert (await aclient.memberships.document_types(form_type="individual")).document_types
    assert (await aclient.memberships.all_document_types()).document_types


def test_the_older_docs_decimal_amounts_and_their_shares_reach_the_sandbox(sandbox: Sandbox) -> None:
    sandbox.set_clock(START)
    with paynet.Client(
        secret_key=sandbox.secret_key, base_url=sandbox.url, max_retries=0, subscription_amount_format="decimal"
    ) as decimal:
        ref, _ = new_plan(decimal, count=1, agent_amount=Decimal("9.90"), company_amount=Decimal("90"))
        sub = decimal.subscriptions.retrieve(reference_no=ref)
        assert sub.amount == Decimal("99.90")
        shares = json.loads(sub.other_fields or "{}", parse_float=Decimal)
        assert (shares["agent_amount"], shares["company_amount"]) == (Decimal("9.90"), Decimal("90.00"))
        invoice = decimal.subscription_invoices.create(
            reference_no=ref, due_date=date(2031, 6, 1), amount=Decimal("12.34"), agent_amount=Decimal("2")
        )
        assert invoice.amount == Decimal("12.34")
        # Shares above the amount: refused before sending, naming the share.
        with pytest.raises(paynet.InvalidRequestError) as refused:
            decimal.subscriptions.update_amount(
                reference_no=ref, amount=Decimal("10"), agent_amount=Decimal("6"), company_amount=Decimal("5")
            )
        assert refused.value.field == "company_amount"
        with pytest.raises(paynet.InvalidRequestError) as refused:
            decimal.subscription_invoices.create(
                reference_no=ref, due_date=date(2031, 6, 1), amount=Decimal("5"), agent_amount=Decimal("5.01")
            )
        assert refused.value.field == "agent_amount"


def test_a_manual_charge_with_a_declined_invoice_lists_it(client: paynet.Client, clock: Sandbox) -> None:
    ref, url = new_plan(client, count=1, is_fixed_price=False)
    consent(clock, url, CARD_DECLINED)
    made = client.subscription_invoices.create(reference_no=ref, due_date=date(2031, 5, 1), amount=Decimal("20"), invoice_no=7)
    assert isinstance(made, paynet.Invoice)
    assert (made.invoice_no, made.status, made.amount, made.reference_no) == (7, "waiting", Decimal("20.00"), ref)
    charged = client.subscription_invoices.charge(reference_no=ref, invoice_no=7)
    assert not charged.all_paid
    assert [c.invoice_no for c in charged.failed] == [7] and charged.failed[0].result_code != 0
    assert charged.charges == charged.failed


def test_a_card_added_through_3d_is_answered_and_renames_are_never_resent(client: paynet.Client, clock: Sandbox) -> None:
    ref, url = new_plan(client, count=2)
    consent(clock, url, CARD_EXPIRING)
    back = add_card_3d(client, clock, ref)
    added = client.subscription_cards.complete_add_3d(session_id=back["fields"]["session_id"], token_id=back["fields"]["token_id"])
    assert isinstance(added, paynet.CardAdded)
    assert (added.card_no_masked, added.label, added.order_no, added.reference_no) == ("557113******5575", "business", 2, ref)
    assert added.card_id in {c.card_id for c in client.subscription_cards.list(reference_no=ref).cards}
    sub_id = client.subscriptions.retrieve(reference_no=ref).subscription_id
    clock.fail_next(path="v1/subscription/card_info_label_update")
    attempts: list[paynet.RequestEvent] = []
    with paynet.Client(secret_key=clock.secret_key, base_url=clock.url, max_retries=2, on_request=attempts.append) as retrying:
        with pytest.raises(paynet.UnknownOutcomeError) as lost:
            retrying.subscription_cards.update_label(subscription_id=sub_id, card_id=added.card_id, label="x")
    assert [e["attempt"] for e in attempts] == [1], "sent once, never again"
    assert f'subscription_id "{sub_id}"' in str(lost.value) and "{" not in str(lost.value)


def test_the_request_hook_reports_the_path_an_option_chose(sandbox: Sandbox) -> None:
    events: list[paynet.RequestEvent] = []
    with paynet.Client(
        secret_key=sandbox.secret_key,
        base_url=sandbox.url,
        subscription_amount_update_path="v1/subcription/amount_update",
        on_request=events.append,
    ) as hooked:
        ref, _ = new_plan(hooked, count=1)
        hooked.subscriptions.update_amount(reference_no=ref, amount=Decimal("10"))
    assert [e["path"] for e in events if e["operation"] == "subscriptions.update_amount"] == ["v1/subcription/amount_update"]


async def test_the_async_client_reads_a_failed_charge_and_a_new_invoice(aclient: paynet.AsyncClient, clock: Sandbox) -> None:
    ref = reference()
    created = await aclient.subscriptions.create(
        name_surname="Ayşe Yılmaz", amount=Decimal("10"), interval="weekly", interval_count=1,
        begin_date=date(2031, 6, 5), reference_no=ref, end_user_email="a@example.com",
        end_user_gsm="5321234567", end_user_desc="weekly box", is_fixed_price=False,
    )
    consent(clock, created.url, CARD_DECLINED)
    made = await aclient.subscription_invoices.create(reference_no=ref, due_date=date(2031, 1, 1), amount=Decimal("7.50"))
    assert (made.invoice_no, made.amount) == (1, Decimal("7.50"))
    charged = await aclient.subscription_invoices.charge(reference_no=ref)
    assert not charged.all_paid and [c.invoice_no for c in charged.failed] == [1]
    with pytest.raises(paynet.InvalidRequestError) as refused:
        await aclient.subscriptions.create(
            name_surname="A", amount=Decimal("10"), interval="weekly", interval_count=1, begin_date=date(2031, 6, 5),
            reference_no=reference(), end_user_email="a@example.com", end_user_gsm="05321234567", end_user_desc="d",
        )
    assert refused.value.field == "end_user_gsm"
