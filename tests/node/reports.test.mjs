// Reports as Arrow tables (core builds the arrays, apache-arrow reads the IPC stream),
// date ranges with progress, over HTTP against a sandbox seeded with demo traffic.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { DataType } from 'apache-arrow';
import { InvalidRequestError, ProtocolError } from 'paynet';
import { startSandbox } from 'paynet/testing';

let sandbox;
let client;
const days = Array.from({ length: 30 }, (_, i) => `2026-11-${String(i + 1).padStart(2, '0')}`);

before(async () => {
  sandbox = await startSandbox();
  sandbox.seedDemo({ from: days[0], to: days.at(-1), perDay: 30, seed: 11 });
  client = sandbox.client({ maxRetries: 2 });
});
after(() => sandbox.stop());

test('toArrow(): exact decimals, Istanbul timestamps, dates, dictionary codes; the same values as the rows', async () => {
  const report = await client.reports.paymentList({ date: days[9] });
  assert.ok(report.rows.length > 10);
  assert.deepEqual(Object.keys(report), ['date', 'total', 'totalCount', 'rows']);
  const table = report.toArrow();
  assert.equal(table.numRows, report.rows.length);
  const type = (name) => table.schema.fields.find((f) => f.name === name).type;
  for (const name of ['amount', 'company_pay_amount', 'company_service_amount']) {
    assert.ok(DataType.isDecimal(type(name)), name);
    assert.equal(type(name).precision, 18);
    assert.equal(type(name).scale, 2);
  }
  assert.ok(DataType.isTimestamp(type('xact_date')));
  assert.equal(type('xact_date').timezone, 'Europe/Istanbul');
  assert.ok(DataType.isDate(type('due_date')));
  for (const name of ['bank_id', 'card_type', 'xact_type']) assert.ok(DataType.isDictionary(type(name)), name);
  assert.deepEqual(table.schema.fields.filter((f) => DataType.isFloat(f.type)).map((f) => f.name), []);
  // Decimal128 cells as kuruş (exact integers), against the rows' exact strings.
  const kurus = (text) => BigInt(text.replace('.', ''));
  const amounts = table.getChild('amount');
  for (let i = 0; i < table.numRows; i++) {
    const cell = amounts.get(i);
    const value = BigInt.asIntN(64, BigInt(cell[0]) | (BigInt(cell[1]) << 32n));
    assert.equal(value, kurus(report.rows[i].amount), `row ${i}`);
  }
  assert.deepEqual([...table.getChild('bank_id')], report.rows.map((r) => r.bankId));
  assert.deepEqual([...table.getChild('xact_id')], report.rows.map((r) => r.xactId));
  assert.deepEqual([...table.getChild('xact_date')].map(Number), report.rows.map((r) => r.xactDate.getTime()));
});

test('paymentListRange: every day in order, with onProgress', async () => {
  const seen = [];
  const week = await client.reports.paymentListRange({ start: days[0], end: days[6], concurrency: 3 }, { onProgress: (p) => seen.push(p) });
  for (let i = 0; i < 50 && seen.length < 7; i++) await tick();
  assert.deepEqual(seen.map((p) => p.done).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(seen.map((p) => p.part).sort(), days.slice(0, 7));
  assert.ok(seen.every((p) => p.total === 7));
  const perDay = await Promise.all(days.slice(0, 7).map((date) => client.reports.paymentList({ date })));
  assert.deepEqual(week.rows, perDay.flatMap((d) => d.rows));
  assert.equal(week.days, 7);
  assert.equal(week.toArrow().numRows, week.rows.length);
});

test('a failed day names its date; bad ranges are refused before any request', async () => {
  sandbox.setFaults([{ kind: 'replace', path: 'v1/transaction/payment_list', body: 'not json', count: 1 }]);
  await assert.rejects(client.reports.paymentListRange({ start: days[0], end: days[2], concurrency: 1 }), (e) => e instanceof ProtocolError && e.message.includes(days[0]));
  sandbox.setFaults([]);
  const before = sandbox.stats().requests;
  await assert.rejects(client.reports.paymentListRange({ start: days[5], end: days[1] }), (e) => e instanceof InvalidRequestError && e.field === 'end');
  await assert.rejects(client.reports.paymentListRange({ start: days[0], end: days[1] }, { onProgress: 'yes' }), (e) => e instanceof InvalidRequestError && e.field === 'onProgress');
  await assert.rejects(client.reports.paymentList({ date: days[0] }, { onProgress: () => {} }), (e) => e instanceof InvalidRequestError);
  assert.equal(sandbox.stats().requests, before);
});

test('list pages have toArrow() too', async () => {
  const page = await client.transactions.listPage({ dateFrom: days[0], dateTo: days[1], showUnsucceed: true, limit: 20 });
  const table = page.toArrow();
  assert.equal(table.numRows, page.transactions.length);
  assert.ok(DataType.isDictionary(table.schema.fields.find((f) => f.name === 'bank_id').type));
  assert.deepEqual([...table.getChild('xact_id')], page.transactions.map((t) => t.xactId));
  // The iterator's pages are the same results.
  let n = 0;
  for await (const t of client.transactions.list({ dateFrom: days[0], dateTo: days[1], showUnsucceed: true, limit: 20 })) n += t.xactId ? 1 : 0;
  assert.equal(n, page.totalCount);
});
