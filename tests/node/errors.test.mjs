// The error classes (generated into lib/errors_gen.js by `make gen`) against
// core's spec: one class per error kind, named, placed and with the `kind`
// spec/paynet.json declares, exported alike by the ESM and CommonJS entries.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import * as esm from 'paynet';

const require = createRequire(import.meta.url);
const cjs = require('paynet');
const { fromNative } = require('../../lib/errors.js');
const { CLASS_NAMES } = require('../../lib/errors_gen.js');
const SPEC = JSON.parse(readFileSync(new URL('../../spec/paynet.json', import.meta.url), 'utf8'));
const KINDS = SPEC.error_kinds;

test('each spec error kind has its class, under its parent', () => {
  assert.deepEqual(Object.entries(CLASS_NAMES), KINDS.map((k) => [k.name, k.class]));
  for (const kind of KINDS) {
    const cls = cjs[kind.class];
    assert.equal(typeof cls, 'function', kind.class);
    assert.equal(cls.name, kind.class);
    assert.equal(cls.kind, kind.name);
    const parent = kind.parent === undefined ? cjs.PaynetError : cjs[CLASS_NAMES[kind.parent]];
    assert.equal(Object.getPrototypeOf(cls), parent, kind.class);
    const error = new cls('m');
    assert.ok(error instanceof cjs.PaynetError && error instanceof Error);
    assert.equal(error.name, kind.class);
    assert.equal(error.kind, kind.name);
    assert.equal(error.code, kind.name);
  }
  assert.ok(new cjs.TimeoutError('t') instanceof cjs.APIConnectionError);
  assert.ok(!(new cjs.UnknownOutcomeError('u') instanceof cjs.APIConnectionError));
});

test('the entries export exactly the base and the kinds\' classes, the same objects', () => {
  const classes = (entry) => Object.keys(entry).filter((name) => name.endsWith('Error')).sort();
  const expected = ['PaynetError', ...KINDS.map((k) => k.class)].sort();
  assert.deepEqual(classes(cjs), expected);
  assert.deepEqual(classes(esm), expected);
  for (const name of expected) assert.equal(esm[name], cjs[name], name);
  assert.equal(esm.Client, cjs.Client);
  assert.equal(esm.VERSION, cjs.VERSION);
});

test('a native error of each kind becomes its class', () => {
  for (const kind of KINDS) {
    const raw = new Error(`PAYNET:${JSON.stringify({ kind: kind.name, message: 'm' })}`);
    const error = fromNative(raw, 'string');
    assert.equal(error.constructor, cjs[kind.class], kind.name);
    assert.equal(error.kind, kind.name);
  }
  // A kind newer than this package is an InternalError, as before.
  const newer = fromNative(new Error(`PAYNET:${JSON.stringify({ kind: 'rate_limited', message: 'm' })}`), 'string');
  assert.ok(newer instanceof cjs.InternalError);
});
