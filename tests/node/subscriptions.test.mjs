// Subscriptions end to end against the sandbox: a monthly plan created, consented to on
// the customer's page (3D on the bank's page), billed for a year by moving the sandbox
// clock with a card that expires mid-year falling back to the second card; paused,
// resumed and cancelled; invoices added and charged by hand; cards managed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSandbox } from 'paynet/testing';
import { InvalidRequestError, UnknownOutcomeError } from 'paynet';

const CARD_EXPIRING = { card_holder: 'TEST TEST', pan: '4355084355084358', month: '6', year: '2031', cvc: '000' };
const CARD_SECOND = { card_holder: 'TEST TEST', pan: '5571135571135575', month: '12', year: '2035', cvc: '000' };
const reference = () => `N-${Date.now()}-${Math.random().toString(36).slice(2, 10)}`;

let sb;
let client;
before(async () => {
  sb = await startSandbox();
  client = sb.client();
});
after(() => sb.stop());

async function postForm(url, fields) {
  const resp = await fetch(url, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
  return { status: resp.status, location: resp.headers.get('location'), text: await resp.text() };
}

/** The customer on the page at `url`: card, consent, the bank's 3D page, back. */
async function consent(url, card) {
  const page = await postForm(url, { ...card, consent: 'on' });
  assert.equal(page.status, 303, page.text);
  const back = sb.complete3d(page.location);
  const done = await postForm(back.returnUrl, back.fields);
  assert.equal(done.status, 200, done.text);
  return done.text;
}

async function newPlan(count, extra = {}) {
  const referenceNo = reference();
  const created = await client.subscriptions.create({
    nameSurname: 'Ayşe Yılmaz', amount: '99.90', interval: 'monthly', intervalCount: count,
    beginDate: '2031-01-15', referenceNo, endUserEmail: 'ayse@example.com', endUserGsm: '5321234567',
    endUserDesc: 'SaaS plan', ...extra,
  });
  return { referenceNo, url: created.url };
}

const invoices = async (referenceNo, options = {}) => {
  const all = [];
  for await (const invoice of client.subscriptionInvoices.list({ referenceNo, ...options })) all.push(invoice);
  return all;
};

test('a monthly plan is billed for a year and falls back to the second card', async () => {
  sb.setClock('2031-01-01T09:00:00+03:00');
  const { referenceNo, url } = await newPlan(12);
  assert.equal((await client.subscriptions.retrieve({ referenceNo })).status, 'waiting');
  assert.match(await consent(url, CARD_EXPIRING), /card saved/);
  await consent(url, CARD_SECOND);
  const sub = await client.subscriptions.retrieve({ referenceNo });
  assert.deepEqual([sub.status, sub.amount, sub.interval], ['active', '99.90', 'monthly']);
  sb.setClock('2032-01-01T09:00:00+03:00');
  const year = await invoices(referenceNo);
  assert.deepEqual(year.map((i) => i.status), Array(12).fill('paid'));
  assert.deepEqual(year.map((i) => i.dueDate.getUTCMonth() + 1), [...Array(12).keys()].map((m) => m + 1));
  assert.deepEqual(year.map((i) => i.attemptCount), [...Array(6).fill(1), ...Array(6).fill(2)]);
  const july = await client.transactions.check({ referenceNo: `${referenceNo}-7` });
  assert.ok(july.cardNoMasked.endsWith('5575'));
  assert.equal(july.amount, '99.90');
  assert.equal(JSON.parse((await client.subscriptions.retrieve({ referenceNo })).otherFields).paid_count, 12);
  const charged = new Set(year.map((i) => i.xactId));
  for await (const row of client.transactions.list({ dateFrom: '2031-01-01', dateTo: '2031-12-31', limit: 100 })) charged.delete(row.xactId);
  assert.equal(charged.size, 0, 'every charge is in transactions.list');
  const march = await client.transactions.check({ referenceNo: `${referenceNo}-3` });
  const report = await client.reports.paymentList({ date: '2031-03-15' });
  assert.ok(report.rows.some((row) => row.xactId === march.xactId));
});

test('pause, resume and cancel', async () => {
  sb.setClock('2031-01-01T09:00:00+03:00');
  const { referenceNo, url } = await newPlan(4, { beginDate: '2031-01-10' });
  // The helper takes the page's own path: card, consent, the bank's 3D page.
  const saved = sb.subscribe(url, { card: { cardHolder: 'TEST TEST', pan: '5571135571135575', month: 12, year: 2035, cvc: '000' } });
  assert.deepEqual((await client.subscriptionCards.list({ referenceNo })).cards.map((c) => c.cardId), [saved.cardId]);
  sb.setClock('2031-01-11T09:00:00+03:00');
  await client.subscriptions.updateStatus({ referenceNo, status: 'passive' });
  sb.setClock('2031-03-11T09:00:00+03:00');
  assert.deepEqual((await invoices(referenceNo)).map((i) => i.status), ['paid', 'waiting', 'waiting', 'waiting']);
  await client.subscriptions.updateStatus({ referenceNo, status: 'active' });
  assert.deepEqual((await invoices(referenceNo)).map((i) => i.status), ['paid', 'paid', 'paid', 'waiting']);
  await client.subscriptions.updateStatus({ referenceNo, status: 'cancelled' });
  sb.setClock('2031-06-01T09:00:00+03:00');
  assert.deepEqual((await invoices(referenceNo)).map((i) => i.status), ['paid', 'paid', 'paid', 'cancelled']);
  await assert.rejects(client.subscriptions.updateStatus({ referenceNo, status: 'active' }), InvalidRequestError);
  assert.throws(() => sb.subscribe(url), /cancelled/);
});

test('invoices added and charged by hand, amounts and statuses updated', async () => {
  sb.setClock('2031-01-01T09:00:00+03:00');
  const { referenceNo, url } = await newPlan(1, { isFixedPrice: false });
  await consent(url, CARD_SECOND);
  await client.subscriptionInvoices.create({ referenceNo, dueDate: '2031-05-01', amount: '20' });
  await client.subscriptionInvoices.updateAmount({ referenceNo, invoiceNo: 1, amount: '25.50' });
  await client.subscriptionInvoices.create({ referenceNo, dueDate: '2031-06-01', amount: '30' });
  const charged = await client.subscriptionInvoices.charge({ referenceNo, invoiceNo: 1 });
  assert.ok(charged.allPaid);
  assert.equal((await client.transactions.check({ referenceNo: `${referenceNo}-1` })).amount, '25.50');
  await client.subscriptionInvoices.updateStatus({ referenceNo, invoiceNo: 2, status: 'external_charged' });
  assert.deepEqual((await invoices(referenceNo)).map((i) => i.status), ['paid', 'external_charged']);
  await client.subscriptionInvoices.updateAllStatuses({ referenceNo, status: 'cancelled' });
  await client.subscriptions.updateAmount({ referenceNo, amount: '12.00' });
  await client.subscriptions.sendAgain({ referenceNo });
  assert.equal((await client.subscriptions.retrieve({ referenceNo })).amount, '12.00');
});

test('cards added through the API, arranged, linked, renamed and removed', async () => {
  sb.setClock('2031-01-01T09:00:00+03:00');
  const { referenceNo, url } = await newPlan(2);
  await consent(url, CARD_EXPIRING);
  const session = await client.subscriptionCards.add3d({
    referenceNo, returnUrl: 'https://shop.example/cards/return', label: 'business',
    card: { number: '5571135571135575', expMonth: 12, expYear: 2035, cvc: '000', holderName: 'TEST TEST' },
  });
  const back = sb.complete3d(session.postUrl);
  await client.subscriptionCards.completeAdd3d({ sessionId: back.fields.session_id, tokenId: back.fields.token_id });
  const [first, second] = (await client.subscriptionCards.list({ referenceNo })).cards;
  assert.equal(second.label, 'business');
  await client.subscriptionCards.arrange({ referenceNo, cardIds: [second.cardId, first.cardId] });
  assert.deepEqual((await client.subscriptionCards.list({ referenceNo })).cards.map((c) => c.cardId), [second.cardId, first.cardId]);
  await client.subscriptionCards.updateLabel({ referenceNo, cardId: first.cardId, label: 'old' });
  const other = await newPlan(1);
  await client.subscriptionCards.link({ referenceNo: other.referenceNo, cardId: second.cardId });
  await client.subscriptionCards.delete({ referenceNo, cardId: first.cardId });
  assert.deepEqual((await client.subscriptionCards.list({ referenceNo })).cards.map((c) => c.label), ['business']);
  let found = false;
  for await (const s of client.subscriptions.list()) found ||= s.referenceNo === referenceNo;
  assert.ok(found);
});

test('a dealer applies and reads the documents it needs', async () => {
  const agentReference = reference().slice(0, 20);
  const made = await client.memberships.create({
    contactGsmNo: '5321234567', contactName: 'Ayşe', contactSurname: 'Yılmaz', contactMail: 'ayse@example.com',
    companyName: 'Bayi 1', agentReference, addressLine1: 'Moda Cd. 1',
  });
  assert.equal(made.status, 'received');
  assert.equal((await client.memberships.retrieve({ agentReference })).id, made.id);
  const commercial = (await client.memberships.documentTypes({ formType: 'commercial' })).documentTypes;
  assert.deepEqual([...new Set(commercial.map((d) => d.formTypeId))], [3]);
  const every = (await client.memberships.allDocumentTypes()).documentTypes;
  assert.ok(every.length > commercial.length);
  await assert.rejects(
    client.memberships.create({ contactGsmNo: '05321234567', contactName: 'A', contactSurname: 'B', contactMail: 'a@b.c', companyName: 'C' }),
    (e) => e instanceof InvalidRequestError && e.field === 'contactGsmNo',
  );
});

const CARD_DECLINED = { card_holder: 'TEST TEST', pan: '4000000000000002', month: '12', year: '2035', cvc: '000' };

test('the older docs\' decimal amounts and their shares reach the sandbox; shares above the amount are refused', async () => {
  sb.setClock('2031-01-01T09:00:00+03:00');
  const decimal = sb.client({ subscriptionAmountFormat: 'decimal', maxRetries: 0 });
  const referenceNo = reference();
  await decimal.subscriptions.create({
    nameSurname: 'Ayşe Yılmaz', amount: '99.90', interval: 'monthly', intervalCount: 1, beginDate: '2031-01-15', referenceNo,
    endUserEmail: 'ayse@example.com', endUserGsm: '5321234567', endUserDesc: 'plan', agentAmount: '9.90', companyAmount: '90',
  });
  const sub = await decimal.subscriptions.retrieve({ referenceNo });
  assert.equal(sub.amount, '99.90');
  assert.match(sub.otherFields, /"agent_amount":9\.90/);
  const invoice = await decimal.subscriptionInvoices.create({ referenceNo, dueDate: '2031-06-01', amount: '12.34', companyAmount: '2' });
  assert.equal(invoice.amount, '12.34');
  await assert.rejects(
    decimal.subscriptions.updateAmount({ referenceNo, amount: '10', agentAmount: '6', companyAmount: '5' }),
    (e) => e instanceof InvalidRequestError && e.field === 'companyAmount',
  );
});

test('a manual charge with a declined invoice lists it; a new invoice and an added card are answered', async () => {
  sb.setClock('2031-01-01T09:00:00+03:00');
  const { referenceNo, url } = await newPlan(1, { isFixedPrice: false });
  await consent(url, CARD_DECLINED);
  const made = await client.subscriptionInvoices.create({ referenceNo, dueDate: '2031-05-01', amount: '20', invoiceNo: 7 });
  assert.deepEqual([made.invoiceNo, made.status, made.amount, made.referenceNo], [7, 'waiting', '20.00', referenceNo]);
  const charged = await client.subscriptionInvoices.charge({ referenceNo, invoiceNo: 7 });
  assert.equal(charged.allPaid, false);
  assert.deepEqual(charged.failed.map((c) => c.invoiceNo), [7]);
  const session = await client.subscriptionCards.add3d({
    referenceNo, returnUrl: 'https://shop.example/r', label: 'second',
    card: { number: '5571135571135575', expMonth: 12, expYear: 2035, cvc: '000', holderName: 'TEST TEST' },
  });
  const back = sb.complete3d(session.postUrl);
  const added = await client.subscriptionCards.completeAdd3d({ sessionId: back.fields.session_id, tokenId: back.fields.token_id });
  assert.deepEqual([added.cardNoMasked, added.label, added.orderNo, added.referenceNo], ['557113******5575', 'second', 2, referenceNo]);
  assert.ok((await client.subscriptionCards.list({ referenceNo })).cards.some((c) => c.cardId === added.cardId));
});

test('arranging cards is never resent, its remedy names the subscription, and the hook reports the path an option chose', async () => {
  sb.setClock('2031-01-01T09:00:00+03:00');
  const { referenceNo, url } = await newPlan(1);
  const saved = sb.subscribe(url, { card: { cardHolder: 'TEST TEST', pan: '5571135571135575', month: 12, year: 2035, cvc: '000' } });
  const { subscriptionId } = await client.subscriptions.retrieve({ referenceNo });
  const events = [];
  const hooked = sb.client({ maxRetries: 2, subscriptionAmountUpdatePath: 'v1/subcription/amount_update', onRequest: (e) => events.push(e) });
  sb.failNext({ path: 'v1/subscription/card_info_arrange' });
  await assert.rejects(hooked.subscriptionCards.arrange({ subscriptionId, cardIds: [saved.cardId] }), (e) => {
    assert.ok(e instanceof UnknownOutcomeError, String(e));
    assert.ok(e.message.includes(`subscription_id "${subscriptionId}"`) && !e.message.includes('{'), e.message);
    return true;
  });
  assert.deepEqual(events.filter((e) => e.operation === 'subscription_cards.arrange').map((e) => e.attempt), [1]);
  await hooked.subscriptions.updateAmount({ referenceNo, amount: '10' });
  assert.deepEqual(events.filter((e) => e.operation === 'subscriptions.update_amount').map((e) => e.path), ['v1/subcription/amount_update']);
});
