// The wrapper's edges: sandbox lifetime, default params, what cannot be a
// parameter, and a charge whose outcome is unknown.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { APIConnectionError, InternalError, InvalidRequestError, UnknownOutcomeError } from 'paynet';
import { startSandbox } from 'paynet/testing';
import { CARDS, payment } from './support.mjs';

const require = createRequire(import.meta.url);

let sandbox;
before(async () => {
  sandbox = await startSandbox({ slowBankDelayMs: 3000 });
});
after(() => sandbox.stop());

test('a client made by sandbox.client() keeps its sandbox alive', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc');
  const client = await (async () => (await startSandbox()).client())();
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const tx = await client.payments.create(payment());
  assert.equal(tx.isSucceed, true);
});

test('the sandbox methods work detached', async () => {
  const { stop, stats, client } = await startSandbox();
  await client().payments.create(payment());
  assert.equal(stats().ledgerEntries, 1);
  await stop();
  await assert.rejects(client({ maxRetries: 0 }).payments.create(payment()), APIConnectionError);
});

test('paymentList() without parameters is the report for today', async () => {
  const tx = await sandbox.client().payments.create(payment());
  const report = await sandbox.client().reports.paymentList();
  assert.ok(report.rows.some((row) => row.xactId === tx.xactId));
});

test('what cannot be a parameter is refused naming it, before sending', async () => {
  const client = sandbox.client();
  const circular = payment();
  circular.card.self = circular.card;
  const cases = [
    [{ ...payment(), reference_no: 'R' }, 'reference_no', /`referenceNo`/],
    [payment({ card: { ...payment().card, exp_month: 12 } }), 'card.exp_month', /`expMonth`/],
    [{ ...payment(), description: () => 'x' }, 'description', /function/],
    [{ ...payment(), description: Symbol('x') }, 'description', /symbol/],
    [circular, 'card.self', /itself/],
  ];
  const sent = sandbox.stats().requests;
  for (const [params, field, message] of cases) {
    await assert.rejects(client.payments.create(params), (error) => {
      assert.ok(error instanceof InvalidRequestError, `${error}`);
      assert.equal(error.field, field);
      assert.match(error.message, message);
      return true;
    });
  }
  await assert.rejects(client.reports.paymentList({ date: new Date() }), (error) => error.field === 'date');
  assert.equal(sandbox.stats().requests, sent);
});

test('a charge that outlives its timeout has an unknown outcome, never retried', async () => {
  const response = await fetch(`${sandbox.url}/__sandbox/paynetjs/session`, {
    method: 'POST',
    body: JSON.stringify({ amount: '1250', pan: CARDS.slowBank, month: 12, year: 2045, cvc: '000', card_holder: 'TEST TEST' }),
  });
  const { session_id: sessionId, token_id: tokenId } = await response.json();
  const referenceNo = `JS-SLOW-${Date.now()}`;
  const sent = sandbox.stats().requests;
  await assert.rejects(
    sandbox.client().payments.charge({ sessionId, tokenId, amount: '12.50', referenceNo }, { timeoutMs: 300, maxRetries: 3 }),
    (error) => {
      assert.ok(error instanceof UnknownOutcomeError, `${error}`);
      assert.ok(!(error instanceof APIConnectionError), 'not a plain connection error: retrying could charge twice');
      assert.equal(error.kind, 'unknown_outcome');
      assert.equal(error.referenceNo, referenceNo);
      return true;
    },
  );
  assert.equal(sandbox.stats().requests, sent + 1, 'sent once');
});

test('a panic inside a call is an InternalError, and the process lives on', async () => {
  // `testing.panic` exists in test builds only (feature test-hooks): it panics inside core.
  const { NativeClient } = require('../../lib/native.js');
  const { fromNative } = require('../../lib/errors.js');
  const native = new NativeClient(JSON.stringify({ secretKey: sandbox.secretKey, baseUrl: sandbox.url }), 'node/test');
  const error = await native.call('testing.panic', '{}').then(
    () => assert.fail('the call should fail'),
    (raw) => fromNative(raw, 'string'),
  );
  assert.ok(error instanceof InternalError, `${error}`);
  assert.equal(error.kind, 'internal');
  assert.equal((await sandbox.client().payments.create(payment())).isSucceed, true);
});
