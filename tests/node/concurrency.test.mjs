// Calls run on napi's tokio runtime: nothing blocks the event loop.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSandbox } from 'paynet/testing';
import { payment } from './support.mjs';

let sandbox;
before(async () => {
  sandbox = await startSandbox();
});
after(() => sandbox.stop());

test('500 concurrent payments make 500 ledger entries while a timer keeps firing', async () => {
  const client = sandbox.client();
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  const started = Date.now();
  try {
    const results = await Promise.all(Array.from({ length: 500 }, () => client.payments.create(payment())));
    const elapsed = Date.now() - started;
    assert.equal(new Set(results.map((tx) => tx.xactId)).size, 500);
    assert.ok(results.every((tx) => tx.isSucceed && !tx.replayed));
    assert.equal(sandbox.stats().ledgerEntries, 500);
    // A blocked loop would fire the 5 ms timer at most a handful of times.
    const expected = Math.floor(elapsed / 5);
    assert.ok(ticks >= Math.min(10, expected / 4), `${ticks} ticks in ${elapsed} ms`);
  } finally {
    clearInterval(timer);
  }
});
