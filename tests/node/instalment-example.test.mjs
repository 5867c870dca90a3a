// Runs examples/instalment_table.mjs: the README's saved-card and instalment table example.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { promisify } from 'node:util';

test('the instalment table example runs and prints exact amounts', async () => {
  const script = fileURLToPath(new URL('../../examples/instalment_table.mjs', import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [script], { timeout: 30_000 });
  assert.match(stdout, /My Visa: 435508\*{6}4358/);
  assert.match(stdout, /Paid 249\.90 TL with the saved card/);
  assert.match(stdout, /3 x 86\.79 = 260\.36 TL {3}3 Taksit 3 x 86,79 = 260,36 TL/);
  assert.ok(!stdout.includes('4355084355084358'));
});
