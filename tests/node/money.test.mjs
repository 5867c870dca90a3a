// Amounts: exact in, exact out, and refused (before anything is sent) when
// a number cannot be an exact kuruş amount.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { InvalidRequestError } from 'paynet';
import { startSandbox } from 'paynet/testing';
import { payment } from './support.mjs';

let sandbox;
let client;
before(async () => {
  sandbox = await startSandbox();
  client = sandbox.client();
});
after(() => sandbox.stop());

/** Asserts that the call is refused with `field` and that no request left. */
async function refused(promise, field) {
  const before = sandbox.stats().requests;
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof InvalidRequestError, `${error}`);
    assert.equal(error.field, field);
    return true;
  });
  assert.equal(sandbox.stats().requests, before, 'nothing was sent');
}

test("'12.50' and 12.5 are accepted and come back as '12.50'", async () => {
  for (const amount of ['12.50', 12.5]) {
    const tx = await client.payments.create(payment({ amount }));
    assert.equal(tx.amount, '12.50');
  }
});

test('0.1 + 0.2 is refused, not rounded', async () => {
  await refused(client.payments.create(payment({ amount: 0.1 + 0.2 })), 'amount');
});

test('NaN, Infinity, -Infinity and negatives are refused before any request', async () => {
  for (const amount of [NaN, Infinity, -Infinity, -1, '-5.00', 12.345, '12.345', '12,50', 'abc']) {
    await refused(client.payments.create(payment({ amount })), 'amount');
  }
});

test('NaN in a nested or non-money field is refused with that field, not sent as null', async () => {
  await refused(client.payments.capture({ xactId: 'x', amount: NaN }), 'amount');
  await refused(client.payments.create(payment({ installment: NaN })), 'installment');
});

test('a number prints as String(n) on the wire', () => {
  const body = (amount) => client.prepare('payments.create', payment({ amount, referenceNo: 'R' })).body;
  assert.match(body(12.5), /"amount":12.50[,}]/);
  assert.match(body(1500), /"amount":1500.00[,}]/);
  assert.match(body('0.01'), /"amount":0.01[,}]/);
  assert.match(body(1e7), /"amount":10000000.00[,}]/);
});

test('large amounts stay exact through a payment', async () => {
  const tx = await client.payments.create(payment({ amount: '9999999.99' }));
  assert.equal(tx.amount, '9999999.99');
});
