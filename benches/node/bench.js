'use strict';
// Node side of the paynet benchmarks: one case per process, JSON on stdout.
//
//   node bench.js conc   --client paynet|fetch|axios --seconds S --conc 64
//   node bench.js report --client paynet|fetch        --date yyyy-MM-dd
//   node bench.js arrow  --client paynet|fetch        --date yyyy-MM-dd  [--way result|upfront]
//                        (paynet: `toArrow()` on the result, or `paymentListArrow()` with `upfront`)
//   node bench.js import --client paynet|axios
//   node bench.js idle   --client paynet|fetch|axios
//
// `paynet` and `axios` resolve from benches/.build/node/node_modules (NODE_PATH),
// where setup.sh put a copy of the package with a release addon.
//
// The peers are written as a careful user would: plain calls, a status check,
// JSON.parse, and a typed object with exact amounts as strings. JSON.parse has
// already turned `12.50` into the double 12.5; `toFixed(2)` gives back the exact
// kuruş text for any amount below 2^53 / 100 (Paynet amounts have two decimals),
// which is the usual way to keep money exact without a lossless JSON parser.

const { performance } = require('node:perf_hooks');

const CHECK = '/v1/transaction/check';
const REPORT = '/v1/transaction/payment_list';

function args() {
  const out = { mode: process.argv[2], seconds: 2, warmup: 200, conc: 64, date: '2030-01-15', ref: 'bench-ref-1',
    key: 'sck_sandbox_0000000000000000', url: process.env.PAYNET_URL };
  for (let i = 3; i < process.argv.length; i += 2) {
    const k = process.argv[i].replace(/^--/, '');
    const v = process.argv[i + 1];
    out[k] = ['seconds', 'warmup', 'conc'].includes(k) ? Number(v) : v;
  }
  return out;
}

const money = (x) => (x === null || x === undefined ? null : x.toFixed(2));

function txnFromCheck(doc) {
  if (doc.code !== 0 || !doc.Data || doc.Data.length === 0) {
    throw new Error(`paynet: code ${doc.code}: ${doc.message}`);
  }
  const r = doc.Data[0];
  return {
    xactId: r.xact_id,
    id: r.id,
    xactDate: new Date(r.xact_date),
    xactDateRaw: r.xact_date,
    transactionType: r.transaction_type,
    posType: r.pos_type,
    isTds: r.is_tds,
    agentId: r.agent_id,
    note: r.note,
    ratio: r.ratio,
    referenceNo: r.agent_reference,
    bankId: r.bank_id,
    bankName: r.bank_name,
    cardNoMasked: r.card_no,
    cardHolder: r.card_holder,
    amount: money(r.amount),
    netAmount: money(r.net_amount),
    commission: money(r.comission),
    commissionTax: money(r.comission_tax),
    currency: r.currency,
    authorizationCode: r.authorization_code,
    bankReferenceCode: r.reference_code,
    orderId: r.order_id,
    installment: r.instalment,
    cardType: r.card_type,
    isSucceed: r.is_succeed,
    xactTransactionId: r.xact_transaction_id,
    email: r.email,
    phone: r.phone,
  };
}

// "15.01.2030 12:00:00" (Istanbul wall clock) -> Date
function reportDate(s) {
  return new Date(`${s.slice(6, 10)}-${s.slice(3, 5)}-${s.slice(0, 2)}T${s.slice(11)}+03:00`);
}

function rowFromReport(r) {
  return {
    xactId: r.xact_id,
    xactDate: reportDate(r.xact_date),
    dueDate: r.due_date.slice(0, 10),
    xactType: r.xact_type,
    isSucceed: r.is_succeed,
    amount: money(r.amount),
    companyPayAmount: money(r.company_pay_amount),
    companyServiceAmount: money(r.company_service_amount),
    agentPayAmount: money(r.agent_pay_amount),
    agentServiceAmount: money(r.agent_service_amount),
    ratio: r.ratio,
    companyCostRatio: r.company_cost_ratio,
    installment: r.instalment,
    plusInstallment: r.plus_installment,
    posType: r.pos_type,
    companyCode: r.company_code,
    companyName: r.company_name,
    agentId: r.agent_id,
    agentName: r.agent_name,
    bankId: r.bank_id,
    bankName: r.bank_name,
    cardNoMasked: r.card_no,
    cardHolder: r.card_holder,
    cardType: r.card_type,
    authorizationCode: r.authorization_code,
    bankReferenceCode: r.reference_code,
    orderId: r.order_id,
    userId: r.user_id,
  };
}

function makeClient(a) {
  const headers = { Authorization: `Basic ${a.key}`, 'Content-Type': 'application/json' };
  if (a.client === 'paynet') {
    const { Client } = require('paynet');
    const c = new Client({ secretKey: a.key, baseUrl: a.url, timeoutMs: 120000 });
    return {
      check: (ref) => c.transactions.check({ referenceNo: ref }),
      report: async (date) => (await c.reports.paymentList({ date })).rows,
      arrow: async (date) => (await c.reports.paymentList({ date })).toArrow(),
      arrowUpFront: (date) => c.reports.paymentListArrow({ date }),
    };
  }
  if (a.client === 'fetch') {
    const post = async (path, body) => {
      const r = await fetch(a.url + path, { method: 'POST', headers, body: JSON.stringify(body) });
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      return r.json();
    };
    return {
      check: async (ref) => txnFromCheck(await post(CHECK, { reference_no: ref })),
      report: async (date) => {
        const doc = await post(REPORT, { date });
        if (doc.code !== 0) throw new Error(doc.message);
        return doc.Data.map(rowFromReport);
      },
    };
  }
  if (a.client === 'axios') {
    const axios = require('axios');
    const http = require('node:http');
    const ax = axios.create({
      baseURL: a.url,
      headers,
      timeout: 60000,
      httpAgent: new http.Agent({ keepAlive: true, maxSockets: a.conc }),
    });
    return {
      check: async (ref) => txnFromCheck((await ax.post(CHECK, { reference_no: ref })).data),
      report: async (date) => {
        const doc = (await ax.post(REPORT, { date })).data;
        return doc.Data.map(rowFromReport);
      },
    };
  }
  throw new Error(`unknown client ${a.client}`);
}

function expect(t) {
  if (t.amount !== '12.50' || !(t.xactDate instanceof Date)) {
    throw new Error(`wrong result ${JSON.stringify(t)}`);
  }
}

async function conc(a) {
  const c = makeClient(a);
  const lat = [];
  const worker = async (count, deadline) => {
    for (let i = 0; ; i++) {
      const s = performance.now();
      const t = await c.check(a.ref);
      const e = performance.now();
      if (deadline) {
        lat.push(e - s);
        if (e >= deadline) return;
      } else {
        expect(t);
        if (i + 1 >= count) return;
      }
    }
  };
  const warm = Math.max(a.conc * 2, a.warmup);
  await Promise.all(Array.from({ length: a.conc }, () => worker(Math.ceil(warm / a.conc), 0)));
  const t0 = performance.now();
  await Promise.all(Array.from({ length: a.conc }, () => worker(0, t0 + a.seconds * 1e3)));
  const seconds = (performance.now() - t0) / 1e3;
  lat.sort((x, y) => x - y);
  const n = lat.length;
  return {
    calls: n,
    seconds,
    calls_per_s: n / seconds,
    p50_us: lat[Math.floor(lat.length / 2)] * 1e3,
    p99_us: lat[Math.min(lat.length - 1, Math.floor(lat.length * 0.99))] * 1e3,
  };
}

// Reads every field of every row. paynet makes a report's row objects on the
// first read of `rows`, from columns (bindings-node/src/rows.rs): reading every
// value on both sides keeps any work left for later inside the clock.
function touch(rows) {
  let n = 0;
  for (const row of rows) {
    for (const key in row) {
      const v = row[key];
      n += typeof v === 'string' ? v.length : v === null ? 0 : 1;
    }
  }
  return n;
}

async function report(a) {
  const c = makeClient(a);
  if (global.gc) global.gc();
  const baseRss = process.memoryUsage().rss / 1024;
  const basePeak = process.resourceUsage().maxRSS;
  const t0 = performance.now();
  const rows = await c.report(a.date);
  const touched = touch(rows);
  const seconds = (performance.now() - t0) / 1e3;
  if (touched === 0) throw new Error('no field read');
  const first = rows[0];
  if (typeof first.amount !== 'string' || !(first.xactDate instanceof Date)) {
    throw new Error(`untyped row ${JSON.stringify(first)}`);
  }
  const peak = process.resourceUsage().maxRSS;
  return { rows: rows.length, seconds, peak_rss_delta_kb: peak - baseRss, peak_rss_kb: peak,
    base_rss_kb: baseRss, base_peak_kb: basePeak };
}

function importTime(a) {
  const t0 = performance.now();
  require(a.client);
  return { import_ms: performance.now() - t0 };
}

function idle(a) {
  // RSS growth from loading the library, then from one idle client.
  if (global.gc) global.gc();
  const rss0 = process.memoryUsage().rss / 1024;
  const mod = a.client === 'fetch' ? null : require(a.client);
  if (global.gc) global.gc();
  const rss1 = process.memoryUsage().rss / 1024;
  let c;
  if (a.client === 'paynet') {
    c = new mod.Client({ secretKey: a.key, baseUrl: a.url });
  } else if (a.client === 'axios') {
    const http = require('node:http');
    c = mod.create({ baseURL: a.url, httpAgent: new http.Agent({ keepAlive: true }) });
  } else {
    c = fetch; // built in: nothing to load or construct
  }
  if (global.gc) global.gc();
  const rss2 = process.memoryUsage().rss / 1024;
  if (!c) throw new Error('no client');
  return { import_rss_kb: rss1 - rss0, idle_rss_kb: rss2 - rss1, process_rss_kb: rss2 };
}

// Report -> an apache-arrow Table (paynet `toArrow()` or `paymentListArrow()`), against the peer's typed rows.
async function arrow(a) {
  const c = makeClient(a);
  // Loaded before the clock starts, as pyarrow is in Python: no report's cost.
  if (a.client === 'paynet') require('apache-arrow');
  if (global.gc) global.gc();
  const baseRss = process.memoryUsage().rss / 1024;
  const t0 = performance.now();
  const paynet = a.client === 'paynet' && (a.way === 'upfront' ? c.arrowUpFront : c.arrow);
  const table = paynet ? await paynet(a.date) : await c.report(a.date);
  const seconds = (performance.now() - t0) / 1e3;
  const rows = a.client === 'paynet' ? table.numRows : table.length;
  if (a.client === 'paynet' && table.schema.fields.find((f) => f.name === 'amount').type.scale !== 2) throw new Error('amount is not decimal(18, 2)');
  const peak = process.resourceUsage().maxRSS;
  return { rows, seconds, peak_rss_delta_kb: peak - baseRss, peak_rss_kb: peak, base_rss_kb: baseRss };
}

async function main() {
  const a = args();
  let out;
  if (a.mode === 'conc') out = await conc(a);
  else if (a.mode === 'report') out = await report(a);
  else if (a.mode === 'arrow') out = await arrow(a);
  else if (a.mode === 'import') out = importTime(a);
  else if (a.mode === 'idle') out = idle(a);
  else throw new Error(`unknown mode ${a.mode}`);
  process.stdout.write(`${JSON.stringify(out)}\n`);
  // The paynet client keeps native handles; exit explicitly once measured.
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
