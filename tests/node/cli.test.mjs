// `npx paynet report payment-list`, run as a separate process against its embedded
// sandbox; the CSV and JSON read back equal what the client returns for the same demo data.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startSandbox } from 'paynet/testing';

const CLI = fileURLToPath(new URL('../../lib/cli.js', import.meta.url));
const run = (...args) => promisify(execFile)(process.execPath, [CLI, ...args], { env: { ...process.env, PAYNET_SECRET_KEY: '' } });

async function expected() {
  const sandbox = await startSandbox();
  try {
    sandbox.seedDemo({ from: '2026-11-01', to: '2026-11-05', seed: 5 });
    return await sandbox.client().reports.paymentListRange({ start: '2026-11-01', end: '2026-11-05' });
  } finally {
    sandbox.stop();
  }
}

test('CSV and JSON exports read back as the rows, amounts exact', async () => {
  const want = await expected();
  assert.ok(want.rows.length > 50);
  const dir = mkdtempSync(path.join(tmpdir(), 'paynet-cli-'));
  const csvFile = path.join(dir, 'nov.csv');
  const done = await run('report', 'payment-list', '--sandbox', '--seed', '5', '--from', '2026-11-01', '--to', '2026-11-05', '--out', csvFile);
  assert.equal(done.stdout + done.stderr, '');
  const [header, ...lines] = readFileSync(csvFile, 'utf8').trimEnd().split('\n');
  const columns = header.split(',');
  assert.equal(lines.length, want.rows.length);
  const at = (line, name) => line.split(',')[columns.indexOf(name)];
  lines.forEach((line, i) => {
    assert.equal(at(line, 'xact_id'), want.rows[i].xactId);
    assert.equal(at(line, 'amount'), want.rows[i].amount);
    assert.equal(at(line, 'xact_date'), want.rows[i].xactDateRaw);
  });
  const json = await run('report', 'payment-list', '--sandbox', '--seed', '5', '--from', '2026-11-01', '--to', '2026-11-05', '--format', 'json');
  const rows = JSON.parse(json.stdout);
  assert.deepEqual(rows.map((r) => r.amount), want.rows.map((r) => r.amount));
  assert.ok(rows.every((r) => typeof r.amount === 'string'));
});

test('usage errors and the key', async () => {
  await assert.rejects(run('report', 'payment-list', '--from', '2026-11-01'), (e) => e.code === 1 && e.stderr.includes('PAYNET_SECRET_KEY'));
  await assert.rejects(run('report', 'payment-list', '--sandbox', '--from', '11/01/2026'), (e) => e.code === 2);
  await assert.rejects(run('report', 'payment-list', '--sandbox', '--from', '2026-11-01', '--format', 'parquet'), (e) => e.code === 2 && e.stderr.includes('paynet[arrow]'));
  await assert.rejects(run('report', 'payment-list', '--sandbox', '--from', '2026-11-05', '--to', '2026-11-01'), (e) => e.code === 1 && e.stderr.includes('end'));
});
