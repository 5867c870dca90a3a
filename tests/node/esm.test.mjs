// The ESM entry at runtime: named and default imports are the CommonJS objects.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import paynet, { Client, ThreeDSecureError, VERSION } from 'paynet';

const require = createRequire(import.meta.url);

test('the default import is the whole module, the same objects as require gives', () => {
  const cjs = require('paynet');
  assert.equal(paynet, cjs);
  assert.equal(paynet.Client, Client);
  assert.equal(cjs.ThreeDSecureError, ThreeDSecureError);
  assert.equal(typeof VERSION, 'string');
  assert.ok(new paynet.Client({ secretKey: 'sck_test_default_import_0000' }) instanceof Client);
});
