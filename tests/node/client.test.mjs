// Options, per-call options and the wrapper's own refusals.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import util from 'node:util';
import { after, before, test } from 'node:test';
import { Client, InvalidRequestError, PaynetError } from 'paynet';
import { startSandbox } from 'paynet/testing';
import { payment } from './support.mjs';

const require = createRequire(import.meta.url);

let sandbox;
before(async () => {
  sandbox = await startSandbox();
});
after(() => sandbox.stop());

const refusedWith = (field) => (error) => {
  assert.ok(error instanceof InvalidRequestError, `${error}`);
  assert.equal(error.field, field);
  assert.ok(error.message.startsWith(`${field}:`), error.message);
  return true;
};

test('bad client options are refused naming the option in camelCase', () => {
  assert.throws(() => new Client({ secretKey: '' }), refusedWith('secretKey'));
  assert.throws(() => new Client({}), refusedWith('secretKey'));
  assert.throws(() => new Client({ secretKey: 'k', environment: 'production' }), refusedWith('environment'));
  assert.throws(() => new Client({ secretKey: 'k', baseUrl: 'ftp://x' }), refusedWith('baseUrl'));
  assert.throws(() => new Client({ secretKey: 'k', timeoutMs: -1 }), refusedWith('timeoutMs'));
  assert.throws(() => new Client({ secretKey: 'k', timeoutMs: 0 }), refusedWith('timeoutMs'));
  assert.throws(() => new Client({ secretKey: 'k', maxRetries: 1.5 }), refusedWith('maxRetries'));
  assert.throws(() => new Client({ secretKey: 'k', money: 'bigint' }), refusedWith('money'));
  assert.throws(() => new Client({ secretKey: 'k', paymentAmountFormat: 'kurus' }), refusedWith('paymentAmountFormat'));
  assert.throws(() => new Client({ secretKey: 'k', onRequest: 'log' }), refusedWith('onRequest'));
  // What JSON cannot carry is refused, never taken for the default.
  assert.throws(() => new Client({ secretKey: 'k', timeoutMs: Number.NaN }), refusedWith('timeoutMs'));
  assert.throws(() => new Client({ secretKey: 'k', maxRetries: Infinity }), refusedWith('maxRetries'));
  assert.throws(() => new Client({ secretKey: 'k', maxResponseBytes: 10n }), refusedWith('maxResponseBytes'));
  assert.throws(() => new Client({ secretKey: () => 'k' }), refusedWith('secretKey'));
  assert.throws(() => new Client({ secretKey: 42 }), refusedWith('secretKey'));
  assert.throws(() => new Client({ secretKey: 'k', allowInsecureHttp: 'yes' }), refusedWith('allowInsecureHttp'));
  assert.throws(() => new Client({ secretKey: 'k', connectTimeoutMs: 2.5 }), refusedWith('connectTimeoutMs'));
});

test('every option at its spec default gives the default client', async () => {
  const { CLIENT_OPTIONS } = require('../../lib/names.js');
  const spec = JSON.parse(readFileSync(new URL('../../spec/paynet.json', import.meta.url), 'utf8'));
  const defaults = Object.fromEntries(
    spec.client_options.filter((o) => o.node?.default !== undefined).map((o) => [o.node.name, o.node.default]),
  );
  assert.ok(Object.keys(defaults).every((name) => CLIENT_OPTIONS.includes(name)));
  const client = new Client({ secretKey: sandbox.secretKey, baseUrl: sandbox.url, ...defaults });
  assert.equal(util.inspect(client), util.inspect(sandbox.client()));
  assert.equal(await client.transactions.lookup('NO-SUCH-ORDER'), null);
});

test('bad per-call options and params are refused before sending', async () => {
  const client = sandbox.client();
  const before = sandbox.stats().requests;
  await assert.rejects(client.payments.create(payment(), { timeoutMs: -5 }), refusedWith('timeoutMs'));
  await assert.rejects(client.payments.create(payment(), { timeoutMs: 0 }), refusedWith('timeoutMs'));
  await assert.rejects(client.payments.create(payment(), { maxRetries: -1 }), refusedWith('maxRetries'));
  await assert.rejects(client.payments.create(null), refusedWith('params'));
  await assert.rejects(client.transactions.check({}), InvalidRequestError);
  assert.equal(sandbox.stats().requests, before);
});

test('every method returns a Promise, even when it refuses', () => {
  const client = sandbox.client();
  const pending = client.payments.create({});
  assert.ok(pending instanceof Promise);
  return assert.rejects(pending, PaynetError);
});

test('core names in messages are shown in camelCase', async () => {
  const client = sandbox.client();
  await assert.rejects(client.payments.create({ ...payment(), cardHolderName: 'x' }), (error) => {
    assert.equal(error.field, 'cardHolderName');
    assert.match(error.message, /`referenceNo`/);
    assert.doesNotMatch(error.message, /reference_no/);
    return true;
  });
});

test('inspect shows where the client talks to, never the key', () => {
  const client = new Client({ secretKey: 'sck_hidden_value', baseUrl: sandbox.url, money: 'number' });
  const shown = util.inspect(client);
  assert.match(shown, /^Client \{/);
  assert.match(shown, /money: 'number'/);
  assert.ok(!shown.includes('sck_hidden_value'));
  // Only the resources are own properties: one per resource of the spec.
  const { METHODS } = require('../../lib/names.js');
  const resources = [...new Set(Object.values(METHODS).map((m) => m.resource))].sort();
  assert.ok(resources.includes('payLinks') && resources.includes('payments'));
  assert.deepEqual(Object.keys(client).sort(), resources);
});

test('onRequest sees each attempt without headers or bodies', async () => {
  const events = [];
  const client = sandbox.client({ onRequest: (event) => events.push(event) });
  await client.payments.create(payment());
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(events.length, 1);
  const [event] = events;
  assert.deepEqual(Object.keys(event).sort(), ['attempt', 'durationMs', 'method', 'operation', 'outcome', 'path', 'referenceNo', 'status', 'willRetry']);
  assert.equal(event.operation, 'payments.create');
  assert.equal(event.path, 'v2/transaction/payment');
  assert.equal(event.status, 200);
  assert.equal(event.outcome, 'ok');
});
