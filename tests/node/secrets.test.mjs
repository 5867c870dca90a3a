// No secret key, PAN or CVC in any error message, inspect output or log line.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import util from 'node:util';
import { after, before, test } from 'node:test';
import { Client } from 'paynet';
import { startSandbox } from 'paynet/testing';
import { CARDS, card, payment } from './support.mjs';

const SECRET = 'sck_TOPSECRET_d41d8cd98f00b204e980';
const WRONG_SECRET = 'sck_WRONGSECRET_9e107d9d372bb682';
const CVC = '7319';
const PANS = [...Object.values(CARDS), '4546711234567890'];

function assertClean(text, where) {
  for (const secret of [SECRET, WRONG_SECRET, ...PANS]) {
    assert.ok(!text.includes(secret), `${where} leaks ${secret.slice(0, 8)}…:\n${text}`);
  }
  assert.doesNotMatch(text, /cvc\W{0,4}\d{3}/i, where);
}

let sandbox;
before(async () => {
  sandbox = await startSandbox({ secretKey: SECRET, slowBankDelayMs: 1500 });
});
after(() => sandbox.stop());

/** Calls that fail in every way we can provoke, with card data in the parameters. */
function failingCalls(client, wrongKeyClient) {
  const withCard = (number, extra) => payment({ card: card(number, { cvc: CVC, ...extra }) });
  return [
    client.payments.create(withCard(CARDS.insufficientFunds)),
    client.payments.create(withCard(CARDS.stolen)),
    client.payments.create(withCard(CARDS.malformedResponse)),
    client.payments.create(withCard(CARDS.slowBank), { timeoutMs: 300, maxRetries: 0 }),
    client.payments.create(withCard('4546711234567890')),
    client.payments.create(withCard(CARDS.success, { cvc: '73' })),
    client.payments.create(withCard(CARDS.success, { expYear: 2001 })),
    client.payments.create({ ...withCard(CARDS.success), unknownThing: CARDS.success }),
    wrongKeyClient.payments.create(withCard(CARDS.success)),
  ];
}

test('errors, clients and sandboxes print no secret', async () => {
  const events = [];
  const client = new Client({ secretKey: SECRET, baseUrl: sandbox.url, onRequest: (e) => events.push(e) });
  const wrong = new Client({ secretKey: WRONG_SECRET, baseUrl: sandbox.url });
  const outcomes = await Promise.allSettled(failingCalls(client, wrong));
  for (const outcome of outcomes) {
    assert.equal(outcome.status, 'rejected');
    const error = outcome.reason;
    assert.ok(!error.message.includes(CVC), error.message);
    assertClean(error.message, 'message');
    assertClean(String(error.stack), 'stack');
    assertClean(util.inspect(error, { depth: Infinity, showHidden: true }), 'inspect(error)');
    assertClean(JSON.stringify(error), 'JSON.stringify(error)');
  }
  for (const shown of [
    util.inspect(client, { depth: Infinity, showHidden: true }),
    util.inspect(wrong, { depth: Infinity, showHidden: true }),
    JSON.stringify(client),
    String(client),
    util.inspect(sandbox.client(), { depth: Infinity }),
  ]) {
    assertClean(shown, 'inspect(client)');
  }
  assert.ok(events.length > 0);
  assertClean(JSON.stringify(events), 'onRequest events');
});

test('a process that logs everything it can prints no secret (stdout and stderr)', async () => {
  // A child process, so that anything native code writes to stderr is seen too.
  const script = `
    const { Client } = require('paynet');
    const { startSandbox } = require('paynet/testing');
    (async () => {
      const sandbox = await startSandbox({ secretKey: ${JSON.stringify(SECRET)} });
      const client = new Client({ secretKey: ${JSON.stringify(SECRET)}, baseUrl: sandbox.url,
        onRequest: (event) => console.log('paynet request', event) });
      const params = { amount: '12.50', referenceNo: 'ORDER-LOG', domain: 'd',
        card: { number: ${JSON.stringify(CARDS.insufficientFunds)}, expMonth: 12, expYear: 2045,
                cvc: ${JSON.stringify(CVC)}, holderName: 'TEST TEST' } };
      console.log(client);
      await client.payments.create(params).catch((error) => console.error(error));
      await client.payments.create({ ...params, card: { ...params.card, number: '4546711234567890' } })
        .catch((error) => console.error(error));
      await sandbox.stop();
    })();
  `;
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ['-e', script], {
    cwd: new URL('../..', import.meta.url),
  });
  assert.match(stdout, /paynet request/);
  assert.match(stderr, /CardDeclinedError/);
  assertClean(stdout, 'stdout');
  assertClean(stderr, 'stderr');
});
