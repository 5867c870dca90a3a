// Compiled (never run) by `tsc --strict` in `make test-node`: the after-sale helpers'
// types accept what they should and, at each @ts-expect-error, refuse the rest.
import { startSandbox, type ReversalRequest, type SeedReport } from 'paynet/testing';

async function afterSale(): Promise<void> {
  const sandbox = await startSandbox({ autoApproveReversals: true });
  const now: Date = sandbox.clock();
  sandbox.setClock(now);
  sandbox.setClock('2030-01-01T10:00:00+03:00');
  sandbox.advanceClock({ days: 1 });
  sandbox.advanceClock({ seconds: 30 });
  const request: ReversalRequest = sandbox.decideReversal('xk_x', { approve: false });
  const decided: string | null = request.decisionDate;
  const type: 'R' | 'CD' = request.xactType;
  const report: SeedReport = sandbox.seedSales({ count: 1001, from: '2030-01-01', to: '2030-01-07', seed: 42 });
  const first: number = report.firstId;
  const posts = sandbox.reversalPosts();
  // @ts-expect-error: count is required
  sandbox.seedSales({ from: '2030-01-01' });
  // @ts-expect-error: advanceClock takes { days, seconds }
  sandbox.advanceClock(1);
  void [decided, type, first, posts];
}
void afterSale;
