// The after-sale helpers of paynet/testing: the clock, the review of refund requests,
// auto-approval and seeding, with the Paynet calls made as plain HTTP.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startSandbox } from 'paynet/testing';

/** One API request with the secret key, straight to `sb`. */
async function call(sb, path, body) {
  const resp = await fetch(sb.url + path, {
    method: 'POST',
    headers: { Authorization: `Basic ${sb.secretKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: resp.status, json: await resp.json() };
}

const reference = () => `N-${Date.now()}-${Math.random().toString(36).slice(2, 10)}`;

async function sale(sb, amount = '100.00') {
  const { status, json } = await call(sb, '/v2/transaction/payment', {
    amount, reference_no: reference(), domain: 'shop.example',
    card_holder: 'TEST TEST', pan: '4355084355084358', month: 12, year: 2045, cvc: '000',
  });
  assert.equal(status, 200, JSON.stringify(json));
  return json;
}

const detail = async (sb, xactId) => (await call(sb, '/v1/transaction/detail', { xact_id: xactId })).json.Data[0];

test('the clock moves and the sales follow it', async (t) => {
  const sb = await startSandbox();
  t.after(() => sb.stop());
  assert.ok(Math.abs(sb.clock().getTime() - Date.now()) < 5000);
  sb.setClock('2030-03-01T10:00:00+03:00');
  assert.equal(sb.clock().toISOString().slice(0, 13), '2030-03-01T07');
  sb.setClock(new Date('2030-03-01T22:00:00Z'));
  sb.advanceClock({ days: 1, seconds: 3600 });
  assert.equal(sb.clock().toISOString().slice(0, 13), '2030-03-02T23');
  const paid = await sale(sb);
  assert.ok(paid.xact_date.startsWith('2030-03-03T02:00'), paid.xact_date);
  assert.throws(() => sb.advanceClock({ days: -1 }), TypeError);
  assert.throws(() => sb.setClock('not a date'), TypeError);
  assert.throws(() => sb.setClock('9999-01-01T00:00:00Z'), TypeError);
});

test('a refund request waits for the review', async (t) => {
  const sb = await startSandbox();
  t.after(() => sb.stop());
  const paid = await sale(sb);
  let r = await call(sb, '/v1/transaction/reversed_request', { xact_id: paid.xact_id, amount: '5000' });
  assert.equal(r.status, 400); // same day: a full cancel only
  sb.advanceClock({ days: 1 });
  r = await call(sb, '/v1/transaction/reversed_request', { xact_id: paid.xact_id, amount: '5000' });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  const request = sb.decideReversal(r.json.reversal_id);
  assert.equal(request.status, 'approved');
  assert.equal(request.xactType, 'CD');
  assert.equal(request.amount, 50);
  assert.equal(request.xactId, paid.xact_id);
  assert.equal((await detail(sb, paid.xact_id)).refunded_amount, 50);
  assert.throws(() => sb.decideReversal(r.json.reversal_id, { approve: false }), /already been approved/);
  assert.throws(() => sb.decideReversal('xk_unknown'), /no reversal request/);
  assert.throws(() => sb.decideReversal(42), TypeError);
  r = await call(sb, '/v1/transaction/reversed_request', { xact_id: paid.xact_id });
  assert.equal(sb.decideReversal(r.json.reversal_id, { approve: false }).status, 'rejected');
  assert.deepEqual(sb.reversalPosts(), []);
});

test('autoApproveReversals approves at once', async (t) => {
  const sb = await startSandbox({ autoApproveReversals: true });
  t.after(() => sb.stop());
  const paid = await sale(sb, '20.00');
  const r = await call(sb, '/v1/transaction/reversed_request', { xact_id: paid.xact_id });
  assert.equal(r.status, 200);
  const row = await detail(sb, paid.xact_id);
  assert.equal(row.reversed, true);
  assert.equal(row.reversed_xact_id, r.json.reversal_id);
});

test('seedSales gives list pagination 1 001 sales to walk', async (t) => {
  const sb = await startSandbox();
  t.after(() => sb.stop());
  const report = sb.seedSales({ count: 1001, from: '2030-01-01', to: '2030-01-07', amount: '12.34', seed: 42 });
  assert.deepEqual({ ...report, firstId: undefined, lastId: undefined }, {
    inserted: 1001, firstId: undefined, lastId: undefined, from: '2030-01-01', to: '2030-01-07',
  });
  assert.equal(report.lastId - report.firstId, 1000);
  const seen = new Set();
  for (let after = 0; ;) {
    const { json } = await call(sb, '/v1/transaction/list', { datab: '2030-01-01', datbi: '2030-01-07', limit: 100, starting_after: after });
    for (const row of json.Data) seen.add(row.xact_id);
    after += json.Data.length;
    if (!json.has_more) break;
  }
  assert.equal(seen.size, 1001);
  // Without dates: the sandbox's today in Istanbul.
  const istanbulToday = new Date(sb.clock().getTime() + 3 * 3600 * 1000).toISOString().slice(0, 10);
  assert.equal(sb.seedSales({ count: 2 }).from, istanbulToday);
  assert.throws(() => sb.seedSales({ count: 0 }), TypeError);
  assert.throws(() => sb.seedSales({ count: 1, amount: '1.234' }), TypeError);
  assert.throws(() => sb.seedSales({ count: 1, from: '2030-01-02', to: '2030-01-01' }), TypeError);
});
