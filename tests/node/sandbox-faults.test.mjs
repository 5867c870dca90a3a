// Fault injection through paynet/testing: what the sandbox did (ledger,
// faultStats, raw answers); of the client only that its call failed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startSandbox } from 'paynet/testing';
import { payment } from './support.mjs';

/** One request straight to the sandbox, bypassing the client. */
async function rawPost(sb, path, body = {}) {
  const resp = await fetch(sb.url + path, {
    method: 'POST',
    headers: { Authorization: `Basic ${sb.secretKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: resp.status, headers: resp.headers, text: await resp.text() };
}

test('an after reset fails the call but the payment is recorded', async () => {
  const sb = await startSandbox({ faults: [{ kind: 'reset', path: 'v2/transaction/payment' }] });
  try {
    const client = sb.client({ maxRetries: 0 });
    const params = payment();
    await assert.rejects(client.payments.create(params));
    assert.equal(sb.stats().ledgerEntries, 1);
    const stats = sb.faultStats();
    assert.equal(stats.injected.reset, 1);
    assert.equal(stats.total, 1);
    assert.equal(stats.rules[0].path, '/v2/transaction/payment');
    assert.equal(stats.rules[0].remaining, 0);
    // Used up: the retry replays the recorded success.
    assert.equal((await client.payments.create(params)).replayed, true);
  } finally {
    await sb.stop();
  }
});

test('a before close keeps the payment out', async () => {
  const sb = await startSandbox();
  try {
    sb.setFaults([{ kind: 'close', when: 'before' }]);
    await assert.rejects(sb.client({ maxRetries: 0 }).payments.create(payment()));
    assert.equal(sb.stats().ledgerEntries, 0);
    assert.equal(sb.faultStats().injected.close, 1);
  } finally {
    await sb.stop();
  }
});

test('camelCase fields reach the sandbox and come back camelCase', async () => {
  const { setFaults, faultStats, clearFaults, stop, ...sb } = await startSandbox({
    faults: { seed: 9, rules: [] },
  });
  try {
    assert.equal(faultStats().seed, 9);
    setFaults(
      [
        { kind: 'status', status: 429, retryAfter: 3, path: '/v1/transaction/check', count: 1 },
        { kind: 'replace', body: '{"is_succeed": true}', path: 'v1/transaction/check' },
        { kind: 'delay', delayMs: 50, when: 'before', count: 1 },
      ],
      { seed: 4 },
    );
    let r = await rawPost(sb, '/v1/transaction/check');
    assert.equal(r.status, 429);
    assert.equal(r.headers.get('retry-after'), '3');
    r = await rawPost(sb, '/v1/transaction/check');
    assert.deepEqual([r.status, r.text], [200, '{"is_succeed": true}']);
    r = await rawPost(sb, '/v1/transaction/payment_list');
    assert.equal(r.status, 200);
    const stats = faultStats();
    assert.equal(stats.seed, 4);
    assert.deepEqual(stats.injected, {
      reset: 0, close: 0, status: 1, delay: 1, truncate: 0, redirect: 0, replace: 1, echo: 0,
    });
    assert.equal(stats.total, 3);
    assert.deepEqual(stats.rules[0], {
      kind: 'status', when: 'after', path: '/v1/transaction/check', count: 1, status: 429, retryAfter: 3,
      fired: 1, remaining: 0,
    });
    assert.equal(stats.rules[2].delayMs, 50);
    clearFaults();
    assert.deepEqual(faultStats().rules, []);
  } finally {
    await stop();
  }
});

test('bad rules are TypeErrors naming the field', async () => {
  const sb = await startSandbox();
  try {
    assert.throws(() => sb.setFaults([{ kind: 'delay' }]), { name: 'TypeError', message: /rules\[0\]\.delayMs is required/ });
    assert.throws(() => sb.setFaults([{ kind: 'reset' }, { kind: 'boom' }]), { name: 'TypeError', message: /rules\[1\]\.kind/ });
    assert.throws(() => sb.setFaults([{ kind: 'delay', delay_ms: 5 }]), { name: 'TypeError', message: /rules\[0\]\.delay_ms is not a fault rule field/ });
    assert.throws(() => sb.setFaults([{ kind: 'status', count: NaN }]), { name: 'TypeError', message: /rules\[0\]\.count/ });
    assert.throws(() => sb.setFaults({ kind: 'reset' }), TypeError);
    await assert.rejects(startSandbox({ faults: [{ kind: 'redirect' }] }), { name: 'TypeError', message: /rules\[0\]\.location/ });
    assert.deepEqual(sb.faultStats().rules, []);
  } finally {
    await sb.stop();
  }
});

test('failNext loses one answer and the ledger shows the payment it lost', async () => {
  const sb = await startSandbox();
  try {
    const client = sb.client({ maxRetries: 0 });
    const params = payment({ amount: '12.50' });
    sb.failNext({ kind: 'reset', path: 'v2/transaction/payment' });
    await assert.rejects(client.payments.create(params));
    const [entry, ...rest] = await sb.ledger();
    assert.equal(rest.length, 0);
    assert.equal(entry.referenceNo, params.referenceNo);
    assert.equal(entry.amount, '12.50');
    assert.equal(entry.isSucceed, true);
    assert.match(entry.cardNoMasked, /^435508\*+4358$/);
    assert.ok(!JSON.stringify(entry).includes(params.card.number));
    const again = await client.payments.create(params);
    assert.equal(again.replayed, true);
    assert.equal((await sb.ledger()).length, 1);
    assert.throws(() => sb.failNext({ kind: 'delay' }), /delayMs/);
  } finally {
    await sb.stop();
  }
});
