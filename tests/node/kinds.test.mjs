// Every result value has its kind's JS type, as core's types say (spec/paynet.json),
// in every model, in both money modes, and in a declined error's transaction. The
// kind travels with the value from core (bindings-node/src/output.rs), never with
// the field's name, so each model's fields are checked against its own spec.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { CardDeclinedError } from 'paynet';
import { startSandbox } from 'paynet/testing';
import { CARDS, card, payment } from './support.mjs';

const SPEC = JSON.parse(readFileSync(new URL('../../spec/paynet.json', import.meta.url), 'utf8'));

function kindOf(ty) {
  while (ty.type === 'optional' || ty.type === 'list') ty = ty.of;
  if (ty.type === 'decimal') return ty.kind;
  return ty.type === 'datetime' || ty.type === 'date' ? ty.type : null;
}

/** model -> [[nodeName, kind]] */
const MODELS = new Map(
  SPEC.structs.filter((s) => s.role === 'model').map((s) => [s.name, s.fields.map((f) => [f.node_name, kindOf(f.type)])]),
);

let sandbox;
before(async () => {
  sandbox = await startSandbox();
});
after(() => sandbox.stop());

function checker(money) {
  const seenModels = new Set();
  const seenKinds = new Set();
  const check = (model, obj) => {
    seenModels.add(model);
    for (const [name, kind] of MODELS.get(model)) {
      assert.ok(name in obj, `${model}.${name} is missing`);
      const value = obj[name];
      if (kind === 'datetime') {
        // A Date (or null) and its text, absent or not.
        assert.ok(`${name}Raw` in obj, `${model}.${name}Raw is missing`);
        const raw = obj[`${name}Raw`];
        if (value === null) {
          assert.equal(raw, null, `${model}.${name}`);
          continue;
        }
        assert.ok(value instanceof Date, `${model}.${name} is no Date`);
        assert.equal(typeof raw, 'string');
        assert.equal(value.getTime(), Date.parse(raw));
      } else {
        assert.ok(!(`${name}Raw` in obj), `${model}.${name}Raw exists for a ${kind ?? 'kind-less'} field`);
        if (value === null) continue;
        if (kind === 'money') assert.equal(typeof value, money === 'number' ? 'number' : 'string', `${model}.${name}`);
        else if (kind === 'ratio') assert.equal(typeof value, 'number', `${model}.${name}`);
        else if (kind === 'date') assert.match(value, /^\d{4}-\d\d-\d\d$/, `${model}.${name}`);
        else assert.ok(!(value instanceof Date), `${model}.${name}`);
      }
      if (kind !== null) seenKinds.add(`${model}.${name}`);
    }
  };
  return { check, seenModels, seenKinds };
}

/** The customer on a subscription's page: a card, consent, the bank's 3D page, back. */
async function consent(url) {
  const form = { card_holder: 'TEST TEST', pan: '5571135571135575', month: '12', year: '2035', cvc: '000', consent: 'on' };
  const page = await fetch(url, { method: 'POST', body: new URLSearchParams(form), redirect: 'manual' });
  assert.equal(page.status, 303);
  const back = sandbox.complete3d(page.headers.get('location'));
  const done = await fetch(back.returnUrl, { method: 'POST', body: new URLSearchParams(back.fields) });
  assert.equal(done.status, 200);
}

for (const money of ['string', 'number']) {
  test(`every model's values have their kinds' JS types (money: '${money}')`, async () => {
    const client = sandbox.client({ money });
    const { check, seenModels, seenKinds } = checker(money);
    check('Transaction', await client.payments.create(payment()));
    const declined = await client.payments.create(payment({ card: card(CARDS.insufficientFunds) })).catch((e) => e);
    assert.ok(declined instanceof CardDeclinedError);
    check('TransactionRecord', declined.transaction);
    const auth = await client.payments.create(payment({ transactionType: 'pre_auth' }));
    check('Acknowledgement', await client.payments.cancelPreAuth({ xactId: auth.xactId }));
    check('TransactionRecord', await client.transactions.check({ xactId: auth.xactId }));
    const report = await client.reports.paymentList();
    check('PaymentReport', report);
    assert.ok(report.rows.length > 0);
    for (const row of report.rows) check('PaymentReportRow', row);
    check('PaymentReportRange', await client.reports.paymentListRange({ start: report.date, end: report.date }));
    check('ThreeDSecureSession', await client.payments.create3d({ ...payment(), returnUrl: 'https://shop.example.com/3d' }));
    const link = await client.payLinks.create({ nameSurname: 'TEST TEST', amount: '10.00', referenceNo: `L-${Date.now()}-${money}` });
    check('PayLink', link);
    check('PayLinkDetail', await client.payLinks.retrieve({ referenceNo: link.referenceNo }));
    const day = (offset) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const page = await client.payLinks.listPage({ dateFrom: day(-1), dateTo: day(1) });
    check('PayLinkPage', page);
    for (const detail of page.links) check('PayLinkDetail', detail);
    const post = JSON.stringify({
      referance_no: 'LINK-1', xact_id: 'xk_1', xact_date: '2026-12-01T10:00:00+03:00', is_succeed: true,
      amount: 10.5, netAmount: 10.1, comission: 0.3, comission_tax: 0.1, instalment: 0,
    });
    check('PayLinkConfirmation', await client.payLinks.parseConfirmation({ body: post }));
    const refunded = await client.payments.create(payment());
    const request = await client.refunds.create({ xactId: refunded.xactId });
    check('RefundRequest', request);
    check('SlipLink', await client.transactions.slip({ xactId: refunded.xactId }));
    sandbox.decideReversal(request.reversalId, { approve: true });
    const around = { dateFrom: day(-2), dateTo: day(2), limit: 100 };
    const refunds = await client.refunds.listPage(around);
    check('RefundPage', refunds);
    for (const refund of refunds.refunds) check('Refund', refund);
    check('TransactionDetail', await client.transactions.retrieve({ xactId: refunded.xactId }));
    const transactions = await client.transactions.listPage(around);
    check('TransactionPage', transactions);
    for (const row of transactions.transactions) check('TransactionRow', row);
    await seeCardsAndRatios(client, check, money);
    const subRef = `S-${Date.now()}-${money}`;
    const created = await client.subscriptions.create({
      nameSurname: 'TEST TEST', amount: '20.00', interval: 'monthly', intervalCount: 1, beginDate: day(30),
      referenceNo: subRef, endUserEmail: 'a@example.com', endUserGsm: '5321234567', endUserDesc: 'plan', isFixedPrice: false,
    });
    check('SubscriptionCreated', created);
    await consent(created.url);
    check('Invoice', await client.subscriptionInvoices.create({ referenceNo: subRef, dueDate: day(30), amount: '20.00' }));
    const session = await client.subscriptionCards.add3d({
      referenceNo: subRef, returnUrl: 'https://shop.example/r',
      card: { number: '5571135571135575', expMonth: 12, expYear: 2035, cvc: '000', holderName: 'TEST TEST' },
    });
    const back = sandbox.complete3d(session.postUrl);
    check('CardAdded', await client.subscriptionCards.completeAdd3d({ sessionId: back.fields.session_id, tokenId: back.fields.token_id }));
    const charges = await client.subscriptionInvoices.charge({ referenceNo: subRef, invoiceNo: 1 });
    check('InvoiceCharges', charges);
    for (const charge of charges.charges) check('InvoiceChargeResult', charge);
    check('Subscription', await client.subscriptions.retrieve({ referenceNo: subRef }));
    const subs = await client.subscriptions.listPage({ limit: 100 });
    check('SubscriptionPage', subs);
    for (const sub of subs.subscriptions) check('Subscription', sub);
    const invoices = await client.subscriptionInvoices.listPage({ referenceNo: subRef });
    check('InvoicePage', invoices);
    for (const invoice of invoices.invoices) check('Invoice', invoice);
    const cards = await client.subscriptionCards.list({ referenceNo: subRef });
    check('SubscriptionCardList', cards);
    for (const c of cards.cards) check('SubscriptionCard', c);
    check('Application', await client.memberships.create({
      contactGsmNo: '5321234567', contactName: 'A', contactSurname: 'B', contactMail: 'a@example.com', companyName: 'C',
    }));
    const documents = await client.memberships.allDocumentTypes();
    check('DocumentTypes', documents);
    for (const document of documents.documentTypes) check('DocumentType', document);
    assert.deepEqual([...seenModels].sort(), [...MODELS.keys()].sort(), 'a model of the spec was not checked');
    const every = [...MODELS].flatMap(([m, fields]) => fields.filter(([, k]) => k !== null).map(([f]) => `${m}.${f}`));
    assert.deepEqual([...seenKinds].sort(), every.sort(), 'a field with a kind was never seen with a value');
  });
}

/** The card storage and ratio models (README "Saved cards", "Instalment tables"). */
async function seeCardsAndRatios(client, check, money) {
  const saved = await client.cards.save({ card: card(), cardDesc: 'Kinds', userUniqueId: `K-${Date.now()}-${money}` });
  check('StoredCard', saved);
  const page = await client.cards.listPage({ cardOwnerId: saved.cardOwnerId });
  check('StoredCardPage', page);
  for (const stored of page.cards) check('StoredCard', stored);
  check('CardOtp', await client.cards.sendOtp({ userGsm: '5321234567', otpSessionId: `O-${Date.now()}-${money}` }));
  const ratios = await client.ratios.get({ amount: '10', bin: '435508' });
  check('RatioTable', ratios);
  for (const bank of ratios.banks) {
    check('BankRatios', bank);
    for (const option of bank.options) check('InstalmentOption', option);
  }
  const table = await client.ratios.instalmentTable({ amount: '10', bin: '435508', addCommission: true });
  check('InstalmentTable', table);
  for (const bank of table.banks) {
    check('InstalmentBank', bank);
    for (const row of bank.rows) check('InstalmentRow', row);
  }
  const ratioType = await client.ratios.setType({ description: 'Kinds' });
  check('RatioType', ratioType);
  await client.ratios.deleteType({ ratioCode: ratioType.ratioCode });
  check('AgentSession', await client.agents.login({ userName: 'bayi.kullanici', password: 'Bayi.Sifre.1', agentId: '20077', pushtokenId: 'k' }));
  check('AgentLoginLink', await client.agents.autologin({ userName: 'bayi.kullanici', agentId: '20077' }));
  check('AgentRef', await client.agents.checkAgent({ agentReferenceNo: '987345' }));
  check('AgentLimits', await client.agents.limitInfo({ agentId: '20077' }));
}
