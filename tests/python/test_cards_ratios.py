"""Saved cards and instalment tables, sync and async, against the sandbox over
real HTTP: save → list → pay with the hash (non-3D, 3D, Paynet.js) → rename →
delete → the deleted hash refused; a checkout page's instalment table for three
banks; a ratio type that changes later payments (README "Saved cards",
"Instalment tables")."""

from __future__ import annotations

from decimal import Decimal

import pytest

import paynet
from paynet.testing import Sandbox

from .conftest import card, reference


def test_save_list_pay_rename_delete(client: paynet.Client, sandbox: Sandbox) -> None:
    before = len(sandbox.ledger())
    saved = client.cards.save(card=card(), card_desc="My Visa", user_unique_id=reference())
    assert saved.card_hash.startswith("pch_") and saved.card_no_masked == "435508******4358"
    assert "4355084355084358" not in repr(saved)
    owner = saved.card_owner_id
    assert owner
    # The bank verified the card: a 1 TL pre-auth, voided at once.
    verify, void = sandbox.ledger()[before:]
    assert (verify["xact_type"], verify["amount"], void["xact_type"], void["parent_id"]) == ("PR", Decimal("1.00"), "RP", verify["id"])

    mastercard = paynet.Card(number="5571135571135575", exp_month=12, exp_year=2045, cvc="000", holder_name="TEST TEST")
    second = client.cards.save(card=mastercard, card_desc="Work", card_owner_id=owner)
    assert [c.card_hash for c in client.cards.list(card_owner_id=owner)] == [saved.card_hash, second.card_hash]
    page = client.cards.list_page(card_owner_id=owner, limit=1)
    assert page.has_more and page.next_starting_after == 1 and len(page.cards) == 1

    tx = client.payments.create(
        amount=Decimal("25"), reference_no=reference(), domain="shop.example.com", card_hash=saved.card_hash, card_owner_id=owner
    )
    assert tx.is_succeed and tx.card_no_masked == "435508******4358"
    session = client.payments.create_3d(
        amount=Decimal("25"),
        reference_no=reference(),
        domain="shop.example.com",
        card_hash=saved.card_hash,
        card_owner_id=owner,
        return_url="https://shop.example.com/3d-return",
    )
    posted = sandbox.complete_3d(session)
    assert client.payments.complete_3d(posted["fields"]).is_succeed
    js = sandbox.paynetjs_session(amount=1500, card_hash=saved.card_hash, card_owner_id=owner)
    charged = client.payments.charge(session_id=js["session_id"], token_id=js["token_id"], amount=Decimal("15"), reference_no=reference())
    assert charged.is_succeed and charged.amount == Decimal("15.00")

    assert client.cards.update_description(card_owner_id=owner, card_hash=saved.card_hash, card_desc="Old Visa").result_code == 0
    assert next(c for c in client.cards.list(card_owner_id=owner) if c.card_hash == saved.card_hash).card_desc == "Old Visa"
    client.cards.delete(card_owner_id=owner, card_hash=saved.card_hash)
    assert [c.card_hash for c in client.cards.list(card_owner_id=owner)] == [second.card_hash]
    with pytest.raises(paynet.InvalidRequestError) as refused:
        client.payments.create(
            amount=Decimal("25"), reference_no=reference(), domain="shop.example.com", card_hash=saved.card_hash, card_owner_id=owner
        )
    assert refused.value.result_code == 18


async def test_save_list_delete_async(aclient: paynet.AsyncClient) -> None:
    saved = await aclient.cards.save(card=card(), card_desc="Phone", user_unique_id=reference())
    owner = saved.card_owner_id
    assert owner
    assert [c.card_hash async for c in aclient.cards.list(card_owner_id=owner)] == [saved.card_hash]
    tx = await aclient.payments.create(
        amount=Decimal("5"), reference_no=reference(), domain="shop.example.com", card_hash=saved.card_hash, card_owner_id=owner
    )
    assert tx.is_succeed
    await aclient.cards.update_description(card_owner_id=owner, card_hash=saved.card_hash, card_desc="Tablet")
    await aclient.cards.delete(card_owner_id=owner, card_hash=saved.card_hash)
    assert (await aclient.cards.list_page(card_owner_id=owner)).cards == ()


def test_card_otp(client: paynet.Client) -> None:
    session = reference()
    sent = client.cards.send_otp(user_gsm="5321234567", otp_session_id=session)
    assert sent.expires_at is not None and sent.expires_at.utcoffset() is not None
    with pytest.raises(paynet.APIError) as wrong:
        client.cards.check_otp(otp_code="000000", otp_session_id=session, user_gsm="5321234567")
    assert wrong.value.result_code == 1
    assert client.cards.check_otp(otp_code="123456", otp_session_id=session, user_gsm="5321234567").result_code == 0
    with pytest.raises(paynet.InvalidRequestError) as bad:
        client.cards.send_otp(user_gsm="05321234567", otp_session_id=session)
    assert bad.value.field == "user_gsm"


async def test_card_otp_async(aclient: paynet.AsyncClient) -> None:
    session = reference()
    await aclient.cards.send_otp(user_gsm="5321234567", otp_session_id=session)
    assert (await aclient.cards.check_otp(otp_code="123456", otp_session_id=session, user_gsm="5321234567")).result_code == 0


def test_an_instalment_table_for_three_banks(client: paynet.Client) -> None:
    table = client.ratios.instalment_table(amount=Decimal("10"), add_commission=True)
    assert table.amount == Decimal("10.00")
    for bank_id in ("AXSS", "MAXM", "BONS"):
        bank = next(b for b in table.banks if b.bank_id == bank_id)
        assert [r.installment for r in bank.rows] == [0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
        three = next(r for r in bank.rows if r.installment == 3)
        assert (three.count, three.ratio, three.installment_amount, three.total, three.surcharge) == (
            3,
            Decimal("0.0349"),
            Decimal("3.47"),
            Decimal("10.42"),
            Decimal("0.42"),
        )
        assert isinstance(three.total, Decimal) and three.desc == "3 Taksit 3 x 3,47 = 10,42 TL"
    [maximum] = client.ratios.instalment_table(amount=Decimal("10"), bin="450803").banks
    assert maximum.bank_id == "MAXM" and maximum.rows[0].total == Decimal("10.00")
    # `amount` is a required argument of the generated signature (core refuses a call without it too).
    with pytest.raises(TypeError, match="amount"):
        client.ratios.instalment_table(bin="450803")  # type: ignore[call-arg]


async def test_a_ratio_type_changes_later_payments_async(aclient: paynet.AsyncClient) -> None:
    raw = await aclient.ratios.get(amount=Decimal("100"), bin="435508")
    assert raw.banks[0].options[2].installment == 3 and raw.banks[0].options[2].ratio == Decimal("0.0349")
    created = await aclient.ratios.set_type(description="Campaign", is_cumulative=True)
    code = created.ratio_code
    await aclient.ratios.define(
        ratio_code=code,
        card_type="cc",
        banks=[
            {"bank_id": "AXSS", "instalments": [{"instalment": 3, "ratio": Decimal("-0.01")}, {"instalment": 6, "is_blocked": True}]},
            paynet.BankDefinition(bank_id="BONS", is_blocked=True),
        ],
    )
    table = await aclient.ratios.instalment_table(amount=Decimal("100"), ratio_code=code)
    axss = next(b for b in table.banks if b.bank_id == "AXSS")
    assert 6 not in [r.installment for r in axss.rows]
    assert next(r for r in axss.rows if r.installment == 3).ratio == Decimal("0.0249")
    assert all(b.bank_id != "BONS" for b in table.banks)
    tx = await aclient.payments.create(
        amount=Decimal("100"), reference_no=reference(), domain="shop.example.com", card=card(), installment=3, ratio_code=code
    )
    assert tx.commission == Decimal("2.49")
    with pytest.raises(paynet.InvalidRequestError) as blocked:
        await aclient.payments.create(
            amount=Decimal("100"), reference_no=reference(), domain="shop.example.com", card=card(), installment=6, ratio_code=code
        )
    assert blocked.value.result_code == 21
    await aclient.ratios.delete_type(ratio_code=code)
    with pytest.raises(paynet.InvalidRequestError):
        await aclient.ratios.delete_type(ratio_code=code)


def test_a_ratio_type_sync(client: paynet.Client) -> None:
    code = client.ratios.set_type(description="Net", is_cumulative=False).ratio_code
    client.ratios.define(ratio_code=code, card_type="cc", banks=[{"bank_id": "AXSS", "instalments": [{"instalment": 0, "ratio": "0.01"}]}])
    [axss] = client.ratios.get(amount=Decimal("100"), bin="435508", ratio_code=code).banks
    assert axss.options[0].ratio == Decimal("0.0100")
    with pytest.raises(paynet.InvalidRequestError) as out_of_range:
        client.ratios.define(ratio_code=code, card_type="cc", banks=[{"bank_id": "AXSS", "instalments": [{"instalment": 3, "ratio": "0.5"}]}])
    assert out_of_range.value.field == "banks[0].instalments[0].ratio"
    client.ratios.delete_type(ratio_code=code)


PASSWORD = "Bayi.Sifre.1"


def test_agents_limits_login_and_links(client: paynet.Client, sandbox: Sandbox) -> None:
    before = client.agents.limit_info(agent_id="20077")
    assert before.defined_limit == Decimal("1000.00") and isinstance(before.available_limit, Decimal)
    client.payments.create(amount=Decimal("100"), reference_no=reference(), domain="shop.example.com", card=card(), agent_id="20077")
    after = client.agents.limit_info(agent_id="20077")
    assert after.used_limit == before.used_limit + Decimal("100") and after.available_limit == before.available_limit - Decimal("100")

    session = client.agents.login(user_name="bayi.kullanici", password=PASSWORD, agent_id="20077", pushtoken_id="device-1")
    assert session.session_key and session.session_key.startswith("ssk_")
    assert session.session_key not in repr(session) and "session_key=***" in repr(session)
    link = client.agents.autologin(user_name="bayi.kullanici", agent_id="20077")
    assert link.url and link.url.startswith(sandbox.url) and link.url not in repr(link)
    assert client.agents.check_agent(agent_reference_no="987345").agent_id == "20077"
    ok = client.agents.check_integration_info(agent_id="20077", publishable_key="pbk_agent_20077_test", secret_key="sck_agent_20077_test")
    assert ok.result_code == 0


async def test_agents_async(aclient: paynet.AsyncClient) -> None:
    found = await aclient.agents.check_agent(agent_reference_no="123456")
    assert found.agent_id == "20078"
    with pytest.raises(paynet.APIError):
        await aclient.agents.login(user_name="bayi.kullanici", password="wrong", agent_id="20077", pushtoken_id="d")
    limits = await aclient.agents.limit_info(agent_id="20078")
    assert limits.defined_limit == Decimal("0.00")


def test_secret_parameters_stay_out_of_traceback_locals(client: paynet.Client) -> None:
    import traceback

    try:
        client.agents.login(user_name="bayi.kullanici", password=PASSWORD, agent_id="20077", pushtoken_id="")
    except paynet.InvalidRequestError as e:
        shown = "".join(traceback.TracebackException.from_exception(e, capture_locals=True).format())
    assert PASSWORD not in shown and "'***'" in shown, shown


# A module constant, so the test's own frame does not hold it as a local.
OTP_CODE = "918273"


def test_the_otp_code_stays_out_of_traceback_locals_and_errors(client: paynet.Client) -> None:
    import traceback

    try:
        client.cards.check_otp(otp_code=OTP_CODE, otp_session_id="", user_gsm="5321234567")
    except paynet.InvalidRequestError as e:
        shown = "".join(traceback.TracebackException.from_exception(e, capture_locals=True).format())
    assert OTP_CODE not in shown and "otp_code = '***'" in shown, shown
    with pytest.raises(paynet.APIError) as wrong:
        client.cards.check_otp(otp_code=OTP_CODE, otp_session_id=reference(), user_gsm="5321234567")
    assert OTP_CODE not in f"{wrong.value!r} {wrong.value}"


def test_the_public_ratio_call(sandbox: Sandbox) -> None:
    with paynet.Client(secret_key=sandbox.secret_key, base_url=sandbox.url, publishable_key=sandbox.publishable_key) as header:
        by_header = header.ratios.get_public(amount=Decimal("10"), bin="435508")
    with paynet.Client(
        secret_key=sandbox.secret_key, base_url=sandbox.url, publishable_key=sandbox.publishable_key, publishable_key_in="body"
    ) as body:
        assert body.ratios.get_public(amount=Decimal("10"), bin="435508") == by_header
    assert "pbk_" not in repr(body)
    with paynet.Client(secret_key=sandbox.secret_key, base_url=sandbox.url) as without, pytest.raises(paynet.InvalidRequestError) as e:
        without.ratios.get_public(amount=Decimal("10"))
    assert e.value.field == "publishable_key"


async def test_links_keys_and_the_public_ratio_call_async(sandbox: Sandbox, aclient: paynet.AsyncClient) -> None:
    link = await aclient.agents.autologin(user_name="bayi.kullanici", agent_id="20077")
    assert link.url and "al=" in link.url and link.url not in repr(link)
    with pytest.raises(paynet.APIError):
        await aclient.agents.check_integration_info(agent_id="20077", publishable_key="pbk_agent_20077_test", secret_key="sck_wrong")
    async with paynet.AsyncClient(secret_key=sandbox.secret_key, base_url=sandbox.url, publishable_key=sandbox.publishable_key) as public:
        table = await public.ratios.get_public(amount=Decimal("10"), bin="450803")
    assert [b.bank_id for b in table.banks] == ["MAXM"]


def test_an_otp_merchant_saves_after_the_code_is_checked() -> None:
    from paynet.testing import CARD_OTP

    with Sandbox(require_card_otp=True) as sb, sb.client() as client:
        session = reference()
        with pytest.raises(paynet.InvalidRequestError):
            client.cards.save(card=card(), card_desc="My Visa", user_unique_id=reference(), otp_session_id=session)
        client.cards.send_otp(user_gsm="5321234567", otp_session_id=session)
        client.cards.check_otp(otp_code=CARD_OTP, otp_session_id=session, user_gsm="5321234567")
        saved = client.cards.save(card=card(), card_desc="My Visa", user_unique_id=reference(), otp_session_id=session)
        assert saved.card_hash.startswith("pch_")


def test_the_instalment_table_requires_its_amount(client: paynet.Client) -> None:
    import inspect

    assert inspect.signature(client.ratios.instalment_table).parameters["amount"].default is inspect.Parameter.empty
