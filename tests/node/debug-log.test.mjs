// The debug switch (NODE_DEBUG=paynet or PAYNET_LOG=debug): one line per HTTP
// attempt on stderr, and never a key, a card number or a CVC.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const SCRIPT = `
import { startSandbox } from 'paynet/testing';
const sb = await startSandbox({ secretKey: 'sck_debuglog_secret_1' });
const client = sb.client();
await client.payments.create({ amount: '12.50', referenceNo: 'DEBUG-1', domain: 'shop.example.com',
  card: { number: '4355084355084358', expMonth: 12, expYear: 2045, cvc: '739', holderName: 'TEST TEST' } });
await client.transactions.lookup('NO-SUCH-ORDER');
await sb.stop();
`;

function run(env) {
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', SCRIPT], {
    cwd: new URL('../..', import.meta.url),
    env: { ...process.env, NODE_DEBUG: '', PAYNET_LOG: '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(child.status, 0, child.stderr);
  return child.stderr;
}

for (const env of [{ NODE_DEBUG: 'paynet' }, { PAYNET_LOG: 'debug' }]) {
  test(`${Object.keys(env)[0]} logs each attempt and nothing secret`, () => {
    const log = run(env);
    assert.match(log, /PAYNET \d+: POST v2\/transaction\/payment -> 200 \(ok\) in \d+ ms, attempt 1 \[payments\.create\]/);
    assert.match(log, /POST v1\/transaction\/check -> \d+ \(\w+\) in \d+ ms, attempt 1 \[transactions\.lookup\]/);
    for (const secret of ['sck_debuglog_secret_1', '4355084355084358', 'TEST TEST']) assert.ok(!log.includes(secret), secret);
    // (the CVC's three digits could be in a pid or a duration: no field of it is logged)
    assert.doesNotMatch(log, /cvc|cvv|expMonth|holder/i);
  });
}

test('without the switch nothing is logged', () => {
  assert.equal(run({}), '');
});
