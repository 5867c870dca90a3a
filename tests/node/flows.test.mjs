// Payment flows from the user's side, over real HTTP against the sandbox.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  APIError,
  AuthenticationError,
  CardDeclinedError,
  Client,
  PaynetError,
  ProtocolError,
} from 'paynet';
import { startSandbox } from 'paynet/testing';
import { CARDS, card, payment } from './support.mjs';

let sandbox;
let client;
before(async () => {
  sandbox = await startSandbox();
  client = sandbox.client();
});
after(() => sandbox.stop());

test('a sale succeeds with exact amounts and both date forms', async () => {
  const params = payment({ amount: '12.50' });
  const tx = await client.payments.create(params);
  assert.equal(tx.isSucceed, true);
  assert.equal(tx.replayed, false);
  assert.equal(tx.transactionType, 'sale');
  assert.equal(tx.referenceNo, params.referenceNo);
  assert.equal(tx.amount, '12.50');
  assert.equal(typeof tx.netAmount, 'string');
  assert.equal(typeof tx.ratio, 'number');
  assert.equal(tx.cardNoMasked, '435508******4358');
  assert.ok(tx.xactDate instanceof Date);
  assert.match(tx.xactDateRaw, /^\d{4}-\d\d-\d\dT[\d:.]+[+-]\d\d:\d\d$/);
  assert.equal(tx.xactDate.getTime(), Date.parse(tx.xactDateRaw));
});

test('declines throw CardDeclinedError carrying the transaction', async () => {
  const cases = [
    [CARDS.insufficientFunds, '51'],
    [CARDS.doNotHonour, '05'],
    [CARDS.expired, '54'],
    [CARDS.stolen, '43'],
  ];
  for (const [number, bankCode] of cases) {
    const params = payment({ card: card(number) });
    await assert.rejects(client.payments.create(params), (error) => {
      assert.ok(error instanceof CardDeclinedError);
      assert.ok(error instanceof PaynetError);
      assert.ok(error instanceof Error);
      assert.equal(error.kind, 'card_declined');
      assert.equal(error.code, 'card_declined');
      assert.equal(error.name, 'CardDeclinedError');
      assert.equal(error.bankErrorCode, bankCode, number);
      assert.equal(typeof error.bankMessage, 'string');
      assert.equal(error.referenceNo, params.referenceNo);
      assert.equal(error.transaction.isSucceed, false);
      assert.equal(error.transaction.amount, '12.50');
      assert.ok(error.transaction.xactDate instanceof Date);
      assert.ok(error.cause instanceof Error);
      return true;
    });
  }
});

test('a repeated referenceNo replays the earlier success instead of charging again', async () => {
  const params = payment();
  const first = await client.payments.create(params);
  const entries = sandbox.stats().ledgerEntries;
  const second = await client.payments.create(params);
  assert.equal(second.replayed, true);
  assert.equal(second.xactId, first.xactId);
  assert.equal(sandbox.stats().ledgerEntries, entries);
});

test('a pre-auth is captured in part, then checked', async () => {
  const auth = await client.payments.create(payment({ amount: '100.00', transactionType: 'pre_auth' }));
  assert.equal(auth.transactionType, 'pre_auth');
  const captured = await client.payments.capture({ xactId: auth.xactId, amount: 60 });
  assert.equal(captured.isSucceed, true);
  assert.equal(captured.amount, '60.00');
  const checked = await client.transactions.check({ referenceNo: auth.referenceNo });
  assert.equal(checked.referenceNo, auth.referenceNo);
});

test('a pre-auth is cancelled once, and then cannot be captured', async () => {
  const auth = await client.payments.create(payment({ amount: '40.00', transactionType: 'pre_auth' }));
  const ack = await client.payments.cancelPreAuth({ xactId: auth.xactId });
  assert.deepEqual(ack, { resultCode: 0, message: ack.message, objectName: 'transaction_preauth_reversal' });
  assert.equal((await client.transactions.check({ xactId: auth.xactId })).reversed, true);
  const again = await client.payments.cancelPreAuth({ xactId: auth.xactId }).catch((e) => e);
  assert.equal(again.resultCode, 6);
  await assert.rejects(client.payments.capture({ xactId: auth.xactId }), { kind: 'invalid_request' });
});

test('check finds a payment by xactId and returns a declined one without throwing', async () => {
  const ok = await client.payments.create(payment());
  assert.equal((await client.transactions.check({ xactId: ok.xactId })).isSucceed, true);
  const declined = payment({ card: card(CARDS.doNotHonour) });
  await assert.rejects(client.payments.create(declined), CardDeclinedError);
  const checked = await client.transactions.check({ referenceNo: declined.referenceNo });
  assert.equal(checked.isSucceed, false);
});

test('check of an unknown payment is an APIError', async () => {
  await assert.rejects(client.transactions.check({ referenceNo: 'NO-SUCH-ORDER' }), APIError);
});

test('paymentList reports the day with exact amounts', async () => {
  const tx = await client.payments.create(payment({ amount: '1500' }));
  const date = tx.xactDateRaw.slice(0, 10);
  const report = await client.reports.paymentList({ date });
  assert.equal(report.date, date);
  const row = report.rows.find((r) => r.xactId === tx.xactId);
  assert.ok(row, 'the payment is in the report');
  assert.equal(row.amount, '1500.00');
  assert.match(row.dueDate, /^\d{4}-\d\d-\d\d$/);
  assert.ok(row.xactDate instanceof Date);
});

test('a Paynet.js payment is charged with its session', async () => {
  const response = await fetch(`${sandbox.url}/__sandbox/paynetjs/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ amount: '1250', pan: CARDS.success, month: 12, year: 2045, cvc: '000', card_holder: 'TEST TEST' }),
  });
  assert.equal(response.status, 200);
  const { session_id: sessionId, token_id: tokenId } = await response.json();
  const tx = await client.payments.charge({ sessionId, tokenId, amount: '12.50', referenceNo: `JS-${Date.now()}` });
  assert.equal(tx.isSucceed, true);
  assert.equal(tx.amount, '12.50');
});

test('every money-moving success carries xactId, xactDate and amount', async () => {
  const sale = await client.payments.create(payment({ amount: '20' }));
  const hold = await client.payments.create(payment({ amount: '30', transactionType: 'pre_auth' }));
  const captured = await client.payments.capture({ xactId: hold.xactId, amount: '25' });
  const response = await fetch(`${sandbox.url}/__sandbox/paynetjs/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ amount: '1500', pan: CARDS.success, month: 12, year: 2045, cvc: '000', card_holder: 'TEST TEST' }),
  });
  const { session_id: sessionId, token_id: tokenId } = await response.json();
  const charged = await client.payments.charge({ sessionId, tokenId, amount: '15', referenceNo: `JS-${Date.now()}` });
  for (const [tx, amount] of [[sale, '20.00'], [hold, '30.00'], [captured, '25.00'], [charged, '15.00']]) {
    assert.equal(tx.isSucceed, true);
    assert.match(tx.xactId, /^xk_/);
    assert.equal(tx.amount, amount);
    assert.ok(tx.xactDate instanceof Date && Math.abs(Date.now() - tx.xactDate.getTime()) < 5 * 60_000, tx.xactDateRaw);
  }
});

test('a wrong secret key is an AuthenticationError', async () => {
  const wrong = new Client({ secretKey: 'sck_wrong', baseUrl: sandbox.url });
  await assert.rejects(wrong.payments.create(payment()), AuthenticationError);
});

test('an unreadable answer is a ProtocolError', async () => {
  await assert.rejects(client.payments.create(payment({ card: card(CARDS.malformedResponse) })), ProtocolError);
});

test("money: 'number' returns amounts as numbers", async () => {
  const numeric = sandbox.client({ money: 'number' });
  const tx = await numeric.payments.create(payment({ amount: '12.50' }));
  assert.equal(tx.amount, 12.5);
  assert.equal(typeof tx.commission, 'number');
});

test('CommonJS and ESM entries share the same classes', async () => {
  const { createRequire } = await import('node:module');
  const cjs = createRequire(import.meta.url)('paynet');
  assert.equal(cjs.Client, Client);
  assert.equal(cjs.CardDeclinedError, CardDeclinedError);
});
