// The bounded soak of issue 9 in the suite: 2 000 payments, 300 captures and
// 300 charges through 10 % after-commit faults, reconciled against the ledger.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { line, soak } from './soak.mjs';

test('no double charge and no silent outcome under after-commit faults', async () => {
  for (const [what, figures] of await soak(2000, 300, 7)) {
    console.log(line(what, figures));
    assert.ok(figures.faults > 0.05 * figures.calls, `${what}: the faults did not fire`);
    assert.equal(figures.doubles, 0, what);
    assert.deepEqual(figures.misclassified, [], what);
    assert.equal(Object.values(figures.outcomes).reduce((a, b) => a + b, 0), figures.calls);
  }
});
