// Checkout flows through paynet/testing's helpers, with the Paynet calls made
// as plain HTTP (the SDK's own checkout methods are tested elsewhere).
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { startSandbox, TDS_OTP } from 'paynet/testing';

const RETURN_URL = 'https://shop.example/3d/return';
let sb;

before(async () => {
  sb = await startSandbox();
});
after(() => sb.stop());

/** One API request with the secret key, straight to the sandbox. */
async function call(path, body) {
  const resp = await fetch(sb.url + path, {
    method: 'POST',
    headers: { Authorization: `Basic ${sb.secretKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: resp.status, json: await resp.json() };
}

const reference = () => `N-${Date.now()}-${Math.random().toString(36).slice(2, 10)}`;

async function tdsInitial(pan = '4355084355084358') {
  const { status, json } = await call('/v2/transaction/tds_initial', {
    amount: 100.5, reference_no: reference(), domain: 'shop.example', return_url: RETURN_URL,
    card_holder: 'TEST TEST', pan, month: 12, year: 2045, cvc: '000',
  });
  assert.equal(status, 200, JSON.stringify(json));
  return json;
}

const tdsCharge = (s) => call('/v2/transaction/tds_charge', { session_id: s.session_id, token_id: s.token_id });

test('a 3D sale verified on the bank page is charged once', async () => {
  const started = await tdsInitial();
  const before = sb.stats().ledgerEntries;
  const post = sb.complete3d(started.post_url, { otp: TDS_OTP });
  assert.equal(post.returnUrl, RETURN_URL);
  assert.deepEqual(Object.keys(post.fields), ['session_id', 'token_id', 'reference_no', 'md_status']);
  assert.equal(post.fields.md_status, '1');
  const charged = await tdsCharge(started);
  assert.equal(charged.json.is_succeed, true);
  assert.equal(charged.json.is_tds, true);
  const again = await tdsCharge(started);
  assert.equal(again.json.code, 100);
  assert.equal(again.json.xact_id, charged.json.xact_id);
  assert.equal(sb.stats().ledgerEntries, before + 1);
});

test('a cancelled or failed 3D step answers code 16', async () => {
  const started = await tdsInitial();
  assert.throws(() => sb.complete3d(started.session_id, { otp: '999999' }), /2/);
  const post = sb.complete3d({ sessionId: started.session_id }, { cancel: true });
  assert.equal(post.fields.md_status, '0');
  assert.match(post.fields.md_error_message, /cancelled/);
  const answer = await tdsCharge(started);
  assert.equal(answer.json.code, 16);
  assert.equal(answer.json.is_succeed, false);
  assert.throws(() => sb.complete3d('js_unknown'), /no 3D session/);
  assert.throws(() => sb.complete3d(started.session_id, { otp: '1', cancel: true }), TypeError);
});

test('a Paynet.js session is charged with its data values', async () => {
  assert.equal(sb.publishableKey, 'pbk_sandbox_0000000000000000');
  const { sessionId, tokenId } = sb.paynetjsSession({ amount: 150000, tdsRequired: true });
  const { status, json } = await call('/v1/transaction/charge', {
    session_id: sessionId, token_id: tokenId, amount: '150000', transaction_type: 1, tds_required: true,
  });
  assert.equal(status, 200, JSON.stringify(json));
  assert.equal(json.is_succeed, true);
  assert.throws(() => sb.paynetjsSession({ amount: 100, pan: '4355084355084359' }), /pan/);
});

test('a paid link is confirmed to the shop', async () => {
  const received = [];
  const hook = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.writeHead(200).end();
    });
  });
  await new Promise((resolve) => hook.listen(0, '127.0.0.1', resolve));
  try {
    const { json: link } = await call('/v1/mailorder/create', {
      name_surname: 'Ayşe Yılmaz', amount: '75.50', succeed_url: 'https://shop.example/ok',
      confirmation_url: `http://127.0.0.1:${hook.address().port}/paid`,
    });
    const paid = await sb.payLink(link.url);
    assert.equal(paid.isSucceed, true);
    assert.equal(paid.redirect, `https://shop.example/ok?xact_id=${paid.xactId}`);
    const deadline = Date.now() + 5000;
    while (sb.confirmations().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const [attempt] = sb.confirmations();
    assert.deepEqual([attempt.attempt, attempt.status, attempt.delivered], [1, 200, true]);
    assert.equal(attempt.xactId, paid.xactId);
    assert.equal(received[0].referance_no, link.reference_no);
    await assert.rejects(sb.payLink(link.url), /paid/);
    const { json: other } = await call('/v1/mailorder/create', { name_surname: 'X', amount: '10' });
    const declined = await sb.payLink(other.url, { card: { cardHolder: 'X', pan: '4000000000009995', month: 12, year: 2045, cvc: '000' } });
    assert.deepEqual([declined.isSucceed, declined.redirect], [false, null]);
  } finally {
    hook.close();
  }
});

test('the receipt OTP is kept per number', async () => {
  assert.equal(sb.lastReceiptOtp('05321234567'), null);
  const { status, json } = await call('/v2/agent/create_end_user_receipt_otp', { phoneNumber: '05321234567' });
  assert.equal(status, 200);
  assert.deepEqual(json, { object_name: null, code: 0, message: 'Sms gönderimi başarılı.' });
  assert.match(sb.lastReceiptOtp('05321234567'), /^\d{6}$/);
});
