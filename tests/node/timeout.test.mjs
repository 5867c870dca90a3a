import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { APIConnectionError, TimeoutError } from 'paynet';
import { startSandbox } from 'paynet/testing';
import { CARDS, card, payment } from './support.mjs';

let sandbox;
before(async () => {
  sandbox = await startSandbox({ slowBankDelayMs: 3000 });
});
after(() => sandbox.stop());

test('a slow bank past timeoutMs is a TimeoutError carrying the referenceNo', async () => {
  const client = sandbox.client();
  const params = payment({ card: card(CARDS.slowBank) });
  const started = Date.now();
  await assert.rejects(client.payments.create(params, { timeoutMs: 500, maxRetries: 0 }), (error) => {
    assert.ok(error instanceof TimeoutError, `${error}`);
    assert.ok(error instanceof APIConnectionError);
    assert.equal(error.kind, 'timeout');
    assert.equal(error.referenceNo, params.referenceNo);
    return true;
  });
  assert.ok(Date.now() - started < 2500, 'the per-call deadline applied');
});

test('a client-wide timeoutMs applies too', async () => {
  const client = sandbox.client({ timeoutMs: 500, maxRetries: 0 });
  await assert.rejects(client.payments.create(payment({ card: card(CARDS.slowBank) })), TimeoutError);
});

test('a refused connection is an APIConnectionError', async () => {
  const client = sandbox.client({ baseUrl: 'http://127.0.0.1:9', maxRetries: 0, timeoutMs: 2000 });
  await assert.rejects(client.transactions.check({ referenceNo: 'R' }), (error) => {
    assert.ok(error instanceof APIConnectionError);
    assert.equal(error.kind, 'connection');
    return true;
  });
});
