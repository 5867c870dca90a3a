// A bounded soak: money-moving calls through after-commit faults, reconciled
// against the sandbox's ledger. Run by soak.test.mjs (2 000 payments in the
// suite) and by `make soak` (`node tests/node/soak.mjs 10000`).
//
// Whatever the faults: no reference is charged twice, and no call that moved
// money reached its caller as anything but a success, a replay, a
// TimeoutError or an UnknownOutcomeError naming its reference (charge and
// capture are never resent: UnknownOutcomeError only).
import { PaynetError, TimeoutError, UnknownOutcomeError } from 'paynet';
import { startSandbox } from 'paynet/testing';
import { card } from './support.mjs';

/** 10 % of requests fail after the ledger committed, over every kind (marginal rates). */
export const AFTER_COMMIT_FAULTS = [
  { kind: 'reset', rate: 0.02 },
  { kind: 'close', rate: 0.02 / 0.98 },
  { kind: 'status', status: 502, rate: 0.02 / 0.96 },
  { kind: 'status', status: 503, rate: 0.01 / 0.94 },
  { kind: 'status', status: 500, rate: 0.01 / 0.93 },
  { kind: 'truncate', rate: 0.015 / 0.92 },
  { kind: 'delay', delayMs: 1500, rate: 0.005 / 0.905 },
];

const DEADLINE_MS = 1000;

async function ledger(sb) {
  const answer = await fetch(`${sb.url}/__sandbox/ledger`);
  return (await answer.json()).entries;
}

async function session(sb) {
  const answer = await fetch(`${sb.url}/__sandbox/paynetjs/session`, {
    method: 'POST',
    body: JSON.stringify({ amount: '1000', pan: card().number, month: 12, year: 2045, cvc: '000', card_holder: 'SOAK TEST' }),
  });
  return answer.json();
}

async function bounded(calls, limit = 48) {
  const results = new Array(calls.length);
  let next = 0;
  async function worker() {
    while (next < calls.length) {
      const i = next++;
      try {
        results[i] = await calls[i]();
      } catch (error) {
        if (!(error instanceof PaynetError)) throw error;
        results[i] = error;
      }
    }
  }
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

function outcomeName(result) {
  if (result instanceof PaynetError) return result.constructor.name;
  return result.replayed ? 'replayed' : 'success';
}

function reconcile(figures, references, results, moved, { resent }) {
  references.forEach((reference, i) => {
    const result = results[i];
    const name = outcomeName(result);
    figures.outcomes[name] = (figures.outcomes[name] ?? 0) + 1;
    const times = moved.get(reference) ?? 0;
    if (times > 1) figures.doubles += 1;
    if (times === 0) return;
    if (result instanceof PaynetError) figures.movedButFailed += 1;
    let ok;
    if (!(result instanceof PaynetError)) ok = result.isSucceed && (result.referenceNo ?? reference) === reference;
    else if (result instanceof UnknownOutcomeError) ok = result.referenceNo === reference;
    else if (result instanceof TimeoutError) ok = resent && result.referenceNo === reference;
    else ok = false;
    if (!ok) figures.misclassified.push(`${reference}: ${result?.code ?? 'ok'} ${result?.message ?? ''}`);
  });
}

function movedBy(entries, xactType) {
  const moved = new Map();
  for (const e of entries) {
    if (e.is_succeed && e.xact_type === xactType) moved.set(e.reference_no, (moved.get(e.reference_no) ?? 0) + 1);
  }
  return moved;
}

async function phase(sb, path, seed, references, calls, xactType, resent) {
  sb.setFaults(AFTER_COMMIT_FAULTS.map((r) => ({ ...r, path })), { seed });
  const results = await bounded(calls);
  const figures = { calls: references.length, faults: sb.faultStats().total, outcomes: {}, doubles: 0, movedButFailed: 0, misclassified: [] };
  sb.clearFaults();
  reconcile(figures, references, results, movedBy(await ledger(sb), xactType), { resent });
  return figures;
}

export async function soak(paymentCount, otherCount, seed = 1) {
  const sb = await startSandbox();
  const client = sb.client({ timeoutMs: DEADLINE_MS, maxRetries: 3 });
  try {
    const payRefs = Array.from({ length: paymentCount }, (_, i) => `SOAK-PAY-${seed}-${i}`);
    const payments = await phase(sb, 'v2/transaction/payment', seed, payRefs,
      payRefs.map((referenceNo) => () => client.payments.create({ amount: '10.00', referenceNo, domain: 'soak.example.com', card: card() })),
      'S', true);

    const capRefs = Array.from({ length: otherCount }, (_, i) => `SOAK-CAP-${seed}-${i}`);
    await bounded(capRefs.map((referenceNo) => () =>
      client.payments.create({ amount: '20.00', referenceNo, domain: 'soak.example.com', card: card(), transactionType: 'pre_auth' })));
    const captures = await phase(sb, 'v1/transaction/capture', seed, capRefs,
      capRefs.map((referenceNo) => () => client.payments.capture({ referenceNo, amount: '15.00' })), 'CR', false);

    const chgRefs = Array.from({ length: otherCount }, (_, i) => `SOAK-CHG-${seed}-${i}`);
    const sessions = [];
    for (let i = 0; i < otherCount; i++) sessions.push(await session(sb));
    const charges = await phase(sb, 'v1/transaction/charge', seed, chgRefs,
      chgRefs.map((referenceNo, i) => () =>
        client.payments.charge({ sessionId: sessions[i].session_id, tokenId: sessions[i].token_id, amount: '10', referenceNo })),
      'S', false);
    return [['payments.create', payments], ['payments.capture', captures], ['payments.charge', charges]];
  } finally {
    await sb.stop();
  }
}

export function line(what, f) {
  const kinds = Object.entries(f.outcomes).sort().map(([k, v]) => `${k} ${v}`).join(', ');
  return `${what}: ${f.calls} calls, ${f.faults} faults injected; outcomes: ${kinds}; moved money but threw ${f.movedButFailed}; double charges ${f.doubles}; misclassified ${f.misclassified.length}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 10000);
  for (const [what, figures] of await soak(n, Math.max(300, Math.floor(n / 5)), Number(process.argv[3] ?? 1))) {
    console.log(line(what, figures));
    for (const m of figures.misclassified.slice(0, 20)) console.log('  ', m);
  }
}
