// The shared vectors (tests/vectors/README.md): the same wire JSON from Node
// as from Rust and Python, and the same reading of documented answers.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { Client, InvalidRequestError } from 'paynet';
import { startSandbox } from 'paynet/testing';
import { camelKeys, parseExact, toCamel } from './support.mjs';

const VECTORS = new URL('../vectors/', import.meta.url);
const AMOUNT_FIELDS = new Set(['amount', 'companyAmount']);

function load(kind) {
  const dir = new URL(`${kind}/`, VECTORS);
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => {
      const text = readFileSync(new URL(name, dir), 'utf8');
      return { name, text, vector: JSON.parse(text), exact: parseExact(text) };
    });
}

/** The same params with every amount that a JS number can carry exactly as a number. */
function withNumberAmounts(params) {
  let changed = false;
  const out = { ...params };
  for (const key of AMOUNT_FIELDS) {
    if (typeof out[key] === 'string' && String(Number(out[key])) === out[key]) {
      out[key] = Number(out[key]);
      changed = true;
    }
  }
  return changed ? out : null;
}

const fieldToCamel = (path) => path.split('.').map(toCamel).join('.');

describe('request vectors', () => {
  let sandbox;
  let client;
  before(async () => {
    sandbox = await startSandbox();
    client = sandbox.client();
  });
  after(() => sandbox.stop());

  for (const { name, vector, exact } of load('requests')) {
    const params = camelKeys(vector.params);
    const variants = [['strings', params]];
    const numbers = withNumberAmounts(params);
    if (numbers) variants.push(['numbers', numbers]);
    for (const [label, input] of variants) {
      test(`${name} (amounts as ${label})`, async () => {
        if (vector.expect) {
          const options = Object.fromEntries(Object.entries(vector.client ?? {}).map(([k, v]) => [toCamel(k), v]));
          const prepared = (vector.client ? sandbox.client(options) : client).prepare(vector.method, input);
          assert.equal(prepared.method, 'POST');
          assert.equal(prepared.path, vector.expect.path);
          assert.deepEqual(parseExact(prepared.body), exact.expect.body);
          return;
        }
        const isExpected = (error) => {
          assert.ok(error instanceof InvalidRequestError, `${error}`);
          assert.equal(error.kind, vector.expect_error.kind);
          assert.equal(error.field, fieldToCamel(vector.expect_error.field));
          return true;
        };
        assert.throws(() => client.prepare(vector.method, input), isExpected);
        // A real call is refused the same way, before anything is sent.
        const [resource, method] = vector.method.split('.').map(toCamel);
        const before = sandbox.stats().requests;
        await assert.rejects(client[resource][method](input), isExpected);
        assert.equal(sandbox.stats().requests, before);
      });
    }
  }
});

/** Serves one canned answer, with its numbers written exactly as in the vector. */
async function serve(status, exactBody) {
  const text = JSON.stringify(exactBody).replace(/\{"\$number":"([^"]+)"\}/g, '$1');
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(status, { 'content-type': 'application/json' }).end(text));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${server.address().port}` };
}

const CALLS = {
  'payments.create': (client) =>
    client.payments.create({
      amount: '12.50',
      referenceNo: 'deneme11',
      domain: 'shop.example.com',
      card: { number: '4355084355084358', expMonth: 12, expYear: 2045, cvc: '000', holderName: 'TEST TEST' },
    }),
  'reports.payment_list': (client) => client.reports.paymentList({ date: '2020-02-05' }),
};

describe('response vectors', () => {
  for (const { name, vector, exact } of load('responses')) {
    test(name, async () => {
      const { server, url } = await serve(vector.status, exact.body);
      try {
        const result = await CALLS[vector.endpoint](new Client({ secretKey: 'sck_test', baseUrl: url }));
        for (const [path, expected] of Object.entries(vector.expect)) {
          const segments = path.split('.').map(toCamel);
          const last = segments.pop();
          const parent = segments.reduce((obj, key) => obj[key], result);
          const actual = parent[last];
          if (actual instanceof Date) {
            assert.equal(parent[`${last}Raw`], expected, path);
            assert.equal(actual.getTime(), Date.parse(expected), path);
          } else if (typeof actual === 'number' && typeof expected === 'string') {
            // Ratios are numbers in Node (core's field-kind table says so).
            assert.equal(actual, Number(expected), path);
          } else {
            assert.deepEqual(actual, expected, path);
          }
        }
      } finally {
        server.close();
      }
    });
  }
});
