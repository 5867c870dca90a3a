#!/usr/bin/env node
'use strict';

// `npx paynet report payment-list --from 2026-11-01 --to 2026-11-30 --format csv --out nov.csv`:
// the Node counterpart of Python's `paynet` command (CSV and JSON; Parquet is the
// Python command's, through pyarrow). The key comes from PAYNET_SECRET_KEY; `--sandbox`
// runs against an embedded sandbox seeded with demo traffic. A progress line on a
// terminal (stderr), nothing otherwise.

const fs = require('node:fs');
const { parseArgs } = require('node:util');

const USAGE = `usage: paynet report payment-list --from YYYY-MM-DD [--to YYYY-MM-DD]
                 [--format csv|json] [--out FILE] [--concurrency N]
                 [--sandbox [--seed N]] [--environment test|live]`;

// The report row's fields in core's names (lib/names.js), in the spec's order.
const { MODELS } = require('./names');

function fail(message, code = 2) {
  process.stderr.write(`paynet: ${message}\n`);
  process.exitCode = code;
}

function text(value) {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

function csvCell(value) {
  const s = text(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function write(report, format, out) {
  const names = MODELS.PaymentReportRow.toCamel;
  const columns = Object.keys(names);
  // A timestamp as Paynet sent it (with its +03:00 offset), not as UTC.
  const cell = (row, name) => {
    const camel = names[name];
    return row[`${camel}Raw`] !== undefined ? row[`${camel}Raw`] : row[camel];
  };
  if (format === 'csv') {
    out.write(`${columns.join(',')}\n`);
    for (const row of report.rows) out.write(`${columns.map((name) => csvCell(cell(row, name))).join(',')}\n`);
  } else {
    const rows = report.rows.map((row) => Object.fromEntries(columns.map((name) => [name, cell(row, name) ?? null])));
    out.write(`${JSON.stringify(rows, null, 0).replace(/\},\{/g, '},\n{')}\n`);
  }
}

async function main(argv) {
  const [command, report, ...rest] = argv;
  if (command !== 'report' || report !== 'payment-list') return fail(USAGE);
  let values;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        format: { type: 'string', default: 'csv' },
        out: { type: 'string' },
        concurrency: { type: 'string' },
        sandbox: { type: 'boolean', default: false },
        seed: { type: 'string', default: '1' },
        environment: { type: 'string', default: 'test' },
      },
    }));
  } catch (error) {
    return fail(`${error.message}\n${USAGE}`);
  }
  const day = /^\d{4}-\d{2}-\d{2}$/;
  if (!day.test(values.from ?? '') || (values.to !== undefined && !day.test(values.to))) return fail(`--from and --to are yyyy-MM-dd dates\n${USAGE}`);
  if (!['csv', 'json'].includes(values.format)) return fail('--format is csv or json here (parquet: the Python command, pip install "paynet[arrow]")');
  const start = values.from;
  const end = values.to ?? start;
  let sandbox;
  let client;
  if (values.sandbox) {
    const { startSandbox } = require('./testing');
    sandbox = await startSandbox();
    sandbox.seedDemo({ from: start < end ? start : end, to: start < end ? end : start, seed: Number(values.seed) });
    client = sandbox.client();
  } else {
    const secretKey = process.env.PAYNET_SECRET_KEY;
    if (!secretKey) return fail('set PAYNET_SECRET_KEY (or use --sandbox)', 1);
    const { Client } = require('./index');
    client = new Client({ secretKey, environment: values.environment });
  }
  const tty = process.stderr.isTTY;
  const onProgress = tty ? (p) => process.stderr.write(`\rpaynet: ${p.done}/${p.total} days (${p.part})${p.done === p.total ? '\n' : ''}`) : undefined;
  try {
    const params = { start, end, ...(values.concurrency ? { concurrency: Number(values.concurrency) } : {}) };
    const result = await client.reports.paymentListRange(params, onProgress ? { onProgress } : {});
    const out = values.out && values.out !== '-' ? fs.createWriteStream(values.out) : process.stdout;
    write(result, values.format, out);
    if (out !== process.stdout) await new Promise((resolve, reject) => out.end((error) => (error ? reject(error) : resolve())));
  } catch (error) {
    fail(error.message, 1);
  } finally {
    sandbox?.stop();
  }
}

main(process.argv.slice(2)).catch((error) => fail(error.message, 1));
