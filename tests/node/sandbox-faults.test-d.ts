// Compiled (never run) by `tsc --strict` in `make test-node`: the fault helpers'
// types accept the rule shapes they should and, at each @ts-expect-error, refuse the rest.
import { startSandbox, type FaultRule, type FaultStats, type LedgerEntry } from 'paynet/testing';

async function faults(): Promise<void> {
  const sandbox = await startSandbox({ faults: [{ kind: 'reset', path: 'v1/transaction/capture' }] });
  await startSandbox({ faults: { seed: 7, rules: [{ kind: 'delay', delayMs: 100, when: 'before' }] } });
  const rules: FaultRule[] = [
    { kind: 'status', status: 503, retryAfter: 2, rate: 0.1 },
    { kind: 'redirect', location: 'http://127.0.0.1:9/', status: 307 },
    { kind: 'replace', body: '{"is_succeed": true}', count: 1 },
    { kind: 'echo' },
  ];
  sandbox.setFaults(rules, { seed: 3 });
  sandbox.setFaults(rules);
  const stats: FaultStats = sandbox.faultStats();
  const resets: number = stats.injected.reset;
  const remaining: number | null = stats.rules[0]!.remaining;
  const delay: number | undefined = stats.rules[0]!.delayMs;
  sandbox.clearFaults();
  // @ts-expect-error: not a kind
  sandbox.setFaults([{ kind: 'explode' }]);
  // @ts-expect-error: wire (snake_case) names are not the JS names
  sandbox.setFaults([{ kind: 'delay', delay_ms: 5 }]);
  // @ts-expect-error: when is before or after
  sandbox.setFaults([{ kind: 'close', when: 'during' }]);
  sandbox.failNext({ kind: 'reset', path: 'v2/transaction/payment' });
  sandbox.failNext();
  // @ts-expect-error: not a kind
  sandbox.failNext({ kind: 'explode' });
  const entries: LedgerEntry[] = await sandbox.ledger();
  const amount: string = entries[0]!.amount;
  const parent: number | null = entries[0]!.parentId;
  void [resets, remaining, delay, amount, parent];
}
void faults;
