// Unknown or misshapen client and call options are refused by name, never ignored.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client, InvalidRequestError } from 'paynet';
import { startSandbox } from 'paynet/testing';
import { payment } from './support.mjs';

let sandbox;
before(async () => {
  sandbox = await startSandbox();
});
after(() => sandbox.stop());

const refusedAs = (field, pattern) => (error) => {
  assert.ok(error instanceof InvalidRequestError, `${error}`);
  assert.equal(error.kind, 'invalid_request');
  assert.equal(error.field, field);
  assert.ok(error.message.startsWith(`${field}: `), error.message);
  if (pattern) assert.match(error.message, pattern);
  return true;
};

test('an unknown client option is refused by name, with the option it was likely meant as', () => {
  const key = { secretKey: 'sck_test_options_0000000000' };
  const nearMisses = [
    ['timeout', 'timeoutMs'],
    ['baseURL', 'baseUrl'],
    ['retries', 'maxRetries'],
    ['max_retries', 'maxRetries'],
    ['connectTimeout', 'connectTimeoutMs'],
    ['environmnet', 'environment'],
    ['onrequest', 'onRequest'],
    ['paymentAmountFormats', 'paymentAmountFormat'],
  ];
  for (const [wrong, right] of nearMisses) {
    assert.throws(
      () => new Client({ ...key, [wrong]: 5000 }),
      refusedAs(wrong, new RegExp(`did you mean \`${right}\`\\?`)),
      wrong,
    );
  }
  // Nothing close: the message lists what is known.
  assert.throws(() => new Client({ ...key, proxy: 'http://p' }), refusedAs('proxy', /known options are .*`timeoutMs`/));
  // Given as undefined is still given: a typo must not depend on the value.
  assert.throws(() => new Client({ ...key, timeout: undefined }), refusedAs('timeout', /timeoutMs/));
  assert.throws(() => new Client({ secret_key: 'sck_x' }), refusedAs('secret_key', /secretKey/));
});

test('an unknown call option is refused by name before anything is sent', async () => {
  const client = sandbox.client();
  const before = sandbox.stats().requests;
  await assert.rejects(client.payments.create(payment(), { timeout: 5000 }), refusedAs('timeout', /`timeoutMs`/));
  await assert.rejects(client.payments.create(payment(), { retries: 0 }), refusedAs('retries', /`maxRetries`/));
  await assert.rejects(
    client.transactions.check({ referenceNo: 'x' }, { timeoutMs: 1000, idempotencyKey: 'k' }),
    refusedAs('idempotencyKey', /known options are `timeoutMs`, `maxRetries`/),
  );
  // A client option is not a call option.
  await assert.rejects(client.reports.paymentList({}, { baseUrl: sandbox.url }), refusedAs('baseUrl'));
  assert.equal(sandbox.stats().requests, before);
});

test('options that are not a plain object are refused', async () => {
  const key = 'sck_test_options_0000000000';
  class Options {
    constructor() {
      this.secretKey = key;
    }
  }
  const shapes = [new Options(), new Map([['secretKey', key]]), [key], new Date(), 'secretKey', 42, null, undefined];
  for (const options of shapes) {
    assert.throws(() => new Client(options), refusedAs('options', /plain object/), String(options));
  }
  const client = sandbox.client();
  const before = sandbox.stats().requests;
  for (const options of [new Map([['timeoutMs', 100]]), [100], new (class {})(), 'fast', null]) {
    await assert.rejects(client.payments.create(payment(), options), refusedAs('options', /plain object/), String(options));
  }
  assert.equal(sandbox.stats().requests, before);
});

test('every known option is still accepted, also on a null-prototype object', async () => {
  const options = Object.assign(Object.create(null), {
    secretKey: sandbox.secretKey,
    environment: 'test',
    baseUrl: sandbox.url,
    timeoutMs: 5000,
    connectTimeoutMs: 2000,
    maxRetries: 1,
    paymentAmountFormat: 'number',
    money: 'number',
    onRequest: () => {},
  });
  const client = new Client(options);
  const tx = await client.payments.create(payment(), Object.assign(Object.create(null), { timeoutMs: 5000, maxRetries: 0 }));
  assert.equal(tx.isSucceed, true);
  assert.equal(tx.amount, 12.5);
  // Omitted and undefined call options keep working.
  assert.equal((await client.transactions.check({ referenceNo: tx.referenceNo })).xactId, tx.xactId);
  assert.equal((await client.transactions.check({ referenceNo: tx.referenceNo }, undefined)).xactId, tx.xactId);
});

test('sandbox.client() refuses unknown options too', () => {
  assert.throws(() => sandbox.client({ timeout: 100 }), refusedAs('timeout', /`timeoutMs`/));
});
