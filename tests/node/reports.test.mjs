// Reports as Arrow tables (core builds the arrays, apache-arrow reads the IPC stream),
// date ranges with progress, over HTTP against a sandbox seeded with demo traffic.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import util from 'node:util';
import { DataType } from 'apache-arrow';
import { InvalidRequestError, ProtocolError } from 'paynet';
import { createRequire } from 'node:module';
import { decodeOutput, toCamel } from '../../lib/convert.js';
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

// The rows (made in JS from core's columns) and the table (core's Arrow arrays)
// come from the same typed rows by two separate paths: every cell must agree.
/** Every cell of `report.rows` against its column of `report.toArrow()`. */
function assertRowsMatchTable(report, numeric) {
  const table = report.toArrow();
  assert.equal(table.numRows, report.rows.length);
  for (const field of table.schema.fields) {
    const name = toCamel(field.name);
    const column = table.getChild(field.name);
    report.rows.forEach((row, i) => {
      const cell = column.get(i);
      const value = row[name];
      const at = `${name} of row ${i}`;
      if (cell === null) return assert.equal(value, null, at);
      if (DataType.isDecimal(field.type)) {
        const units = BigInt.asIntN(64, BigInt(cell[0]) | (BigInt(cell[1]) << 32n));
        const text = numeric || field.type.scale !== 2 ? value.toFixed(field.type.scale) : value;
        assert.equal(typeof value, numeric || field.type.scale !== 2 ? 'number' : 'string', at);
        assert.equal(BigInt(text.replace('.', '')), units, at);
      } else if (DataType.isTimestamp(field.type)) {
        assert.ok(value instanceof Date, at);
        assert.equal(value.getTime(), Number(cell), at);
        assert.equal(new Date(row[`${name}Raw`]).getTime(), value.getTime(), at);
      } else if (DataType.isDate(field.type)) {
        assert.equal(value, new Date(cell).toISOString().slice(0, 10), at);
      } else if (DataType.isInt(field.type)) {
        assert.equal(value, Number(cell), at);
      } else {
        assert.equal(value, cell, at);
      }
    });
  }
}

test('every row field equals its Arrow column, in string and number money', async () => {
  const numeric = sandbox.client({ money: 'number' });
  for (const c of [client, numeric]) {
    const report = await c.reports.paymentList({ date: days[12] });
    assert.ok(report.rows.some((r) => /[^\x00-\x7f]/.test(r.cardHolder)), 'some card holder is not ASCII');
    assertRowsMatchTable(report, c === numeric);
  }
});

// The rows come from core's typed cells; `call` writes the same result through
// its `Serialize` as JSON. Two paths from one typed result: equal in every field.
test('the rows equal what the JSON path gives, in string and number money', async () => {
  const { NativeClient } = createRequire(import.meta.url)('../../lib/native.js');
  for (const money of ['string', 'number']) {
    const c = sandbox.client({ money });
    const native = new NativeClient(JSON.stringify({ secretKey: sandbox.secretKey, baseUrl: sandbox.url, money }), 'node/test');
    for (const date of [days[12], days[20]]) {
      const report = await c.reports.paymentList({ date });
      const json = decodeOutput(await native.call('reports.payment_list', JSON.stringify({ date })));
      assert.ok(report.rows.length > 10);
      assert.deepEqual(report.rows, json.rows, `${date}, money as ${money}`);
      assert.deepEqual(report.rows.map((r) => Object.keys(r)), json.rows.map((r) => Object.keys(r)), 'same fields, same order');
    }
  }
});

// Long enough that core types its rows on worker threads as they arrive and
// the binding makes their columns in runs on several threads, joined after.
test('a long report reads the same: rows made on several threads equal the table', async () => {
  const date = '2026-12-15';
  for (const seed of [3, 4, 5]) sandbox.seedDemo({ from: date, perDay: 10000, seed });
  const report = await client.reports.paymentList({ date });
  // Past two runs of 8192 rows, and past one Arrow batch (16 384 rows).
  assert.ok(report.rows.length > 20000, `${report.rows.length} rows`);
  assert.equal(new Set(report.rows.map((r) => r.xactId)).size, report.rows.length, 'rows in order, none twice');
  assertRowsMatchTable(report, false);
});

test('a report is plain data: its rows are read once, then an ordinary property', async () => {
  const report = await client.reports.paymentList({ date: days[3] });
  assert.match(util.inspect(report, { depth: 0 }), /rows: \[Array\]/);
  const shape = Object.keys(report.rows[0]);
  assert.deepEqual(shape.slice(0, 4), ['xactId', 'xactDate', 'xactDateRaw', 'dueDate']);
  assert.ok(report.rows.every((r) => Object.keys(r).join() === shape.join()));
  assert.equal(Object.getPrototypeOf(report.rows[0]), Object.prototype);
  assert.equal(typeof Object.getOwnPropertyDescriptor(report, 'rows').value, 'object');
  assert.deepEqual(JSON.parse(JSON.stringify(report)).rows.length, report.rows.length);
  const copy = { ...report };
  assert.equal(copy.rows, report.rows);
  const later = await client.reports.paymentList({ date: days[4] });
  later.rows = [];
  assert.deepEqual(later.rows, []);
  assert.ok(later.toArrow().numRows > 0, 'the table is the answer, whatever the rows were set to');
});

test('a report frozen or sealed before its rows are read still reads, copies and prints as data', async () => {
  const frozen = Object.freeze(await client.reports.paymentList({ date: days[5] }));
  const expected = (await client.reports.paymentList({ date: days[5] })).rows;
  assert.ok(expected.length > 0);
  assert.match(util.inspect(frozen, { depth: 0 }), /rows: \[Array\]/);
  assert.deepEqual(frozen.rows, expected);
  assert.equal(frozen.rows, frozen.rows, 'read once');
  assert.deepEqual(JSON.parse(JSON.stringify(frozen)).rows.length, expected.length);
  assert.deepEqual(structuredClone(frozen).rows, expected);
  assert.deepEqual({ ...frozen }.rows, expected);
  assert.throws(() => { frozen.rows = []; }, TypeError);
  assert.deepEqual(frozen.rows, expected);
  const sealed = Object.seal(await client.reports.paymentList({ date: days[5] }));
  sealed.rows = [];
  assert.deepEqual(sealed.rows, []);
  assert.deepEqual(JSON.parse(JSON.stringify(sealed)).rows, []);
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

/** Every column of two tables, value for value (however their batches were cut). */
function assertSameTable(a, b, what) {
  assert.deepEqual(b.schema.fields.map((f) => [f.name, String(f.type)]), a.schema.fields.map((f) => [f.name, String(f.type)]), what);
  assert.equal(b.numRows, a.numRows, what);
  for (const field of a.schema.fields) {
    const [x, y] = [[...a.getChild(field.name)], [...b.getChild(field.name)]];
    assert.deepEqual(y.map(String), x.map(String), `${what}: ${field.name}`);
  }
}

test('paymentListArrow(): the table toArrow() gives, with the rows read straight into its columns', async () => {
  const date = '2026-12-20';
  // More rows than one Arrow batch read as the answer arrives holds (8 192).
  sandbox.seedSales({ from: date, count: 9000, seed: 3 });
  const report = await client.reports.paymentList({ date });
  const table = await client.reports.paymentListArrow({ date });
  assert.equal(table.numRows, 9000);
  assertSameTable(report.toArrow(), table, date);
  for (const day of days.slice(0, 3)) {
    assertSameTable((await client.reports.paymentList({ date: day })).toArrow(), await client.reports.paymentListArrow({ date: day }), day);
  }
  const range = { start: days[0], end: days[3] };
  assertSameTable((await client.reports.paymentListRange(range)).toArrow(), await client.reports.paymentListRangeArrow(range), 'range');
  const page = { dateFrom: days[0], dateTo: days[1], showUnsucceed: true, limit: 20 };
  assertSameTable((await client.transactions.listPage(page)).toArrow(), await client.transactions.listPageArrow(page), 'list page');
  // Refused before anything is sent; a bad answer is the call's error.
  const before = sandbox.stats().requests;
  await assert.rejects(client.reports.paymentListArrow({ date: 'soon' }), (e) => e instanceof InvalidRequestError && e.field === 'date');
  await assert.rejects(client.reports.paymentListArrow({ date }, { timeout: 5 }), (e) => e instanceof InvalidRequestError && e.field === 'timeout');
  assert.equal(sandbox.stats().requests, before);
  sandbox.setFaults([{ kind: 'replace', path: 'v1/transaction/payment_list', body: 'not json', count: 1 }]);
  await assert.rejects(client.reports.paymentListArrow({ date }), (e) => e instanceof ProtocolError);
  sandbox.setFaults([]);
});
