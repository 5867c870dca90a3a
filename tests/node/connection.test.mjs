// A TLS certificate failure and a refused port are both connection errors,
// and each message says which it was (core carries the root cause).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { APIConnectionError, Client, TimeoutError } from 'paynet';

const SECRET = 'sck_test_connection_0000000000';

/** A self-signed certificate for 127.0.0.1, made now (test-only; nothing is committed). */
function selfSigned() {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
  } catch {
    return null;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paynet-tls-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert,
      '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
    { stdio: 'ignore' },
  );
  const pair = { key: fs.readFileSync(key), cert: fs.readFileSync(cert) };
  fs.rmSync(dir, { recursive: true, force: true });
  return pair;
}

const tls = selfSigned();
let server;
let requestsSeen = 0;
before(async () => {
  if (!tls) return;
  server = https.createServer(tls, (req, res) => {
    requestsSeen += 1;
    res.end('{}');
  });
  // A handshake the client aborts is expected here; it must not crash the test run.
  server.on('tlsClientError', () => {});
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
});
after(() => server?.close());

async function failure(baseUrl) {
  const client = new Client({ secretKey: SECRET, baseUrl, maxRetries: 0, timeoutMs: 5000 });
  try {
    await client.transactions.check({ referenceNo: 'x' });
  } catch (error) {
    return error;
  }
  assert.fail(`a call to ${baseUrl} succeeded`);
}

function assertConnectionError(error) {
  assert.ok(error instanceof APIConnectionError, `${error}`);
  assert.ok(!(error instanceof TimeoutError), `${error}`);
  assert.equal(error.kind, 'connection');
  assert.equal(error.code, 'connection');
}

test('a server with a certificate the client does not trust is a connection error saying "certificate"', { skip: !tls && 'openssl not found' }, async (t) => {
  const error = await failure(`https://127.0.0.1:${server.address().port}`);
  assertConnectionError(error);
  assert.equal(requestsSeen, 0, 'nothing was sent over the untrusted connection');
  await t.test('the message names the certificate', () => {
    assert.match(error.message, /certificate/i);
    assert.doesNotMatch(error.message, /refused/i);
  });
  await t.test('the cause is the network failure, with a code', () => {
    assert.equal(error.cause?.kind, 'tls_certificate');
    assert.equal(error.cause?.code, 'ERR_TLS_CERT_INVALID');
  });
});

test('a closed port is a connection error saying "refused"', async (t) => {
  // Bind, note the port, close: nothing listens there now.
  const probe = net.createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  const error = await failure(`http://127.0.0.1:${port}`);
  assertConnectionError(error);
  await t.test('the message says the connection was refused', () => {
    assert.match(error.message, /refused/i);
    assert.doesNotMatch(error.message, /certificate/i);
  });
  await t.test('the cause is the network failure, with the usual code', () => {
    assert.equal(error.cause?.code, 'ECONNREFUSED');
    assert.equal(error.cause?.kind, 'refused');
  });
});
