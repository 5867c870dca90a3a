// Checkout as shops take money: 3D Secure, Paynet.js, PayLink and its
// confirmation post, against the sandbox over real HTTP.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import {
  CardDeclinedError,
  ConfirmationMismatchError,
  InvalidRequestError,
  ThreeDSecureError,
} from 'paynet';
import { startSandbox } from 'paynet/testing';
import { CARDS, card } from './support.mjs';
import { randomUUID } from 'node:crypto';

const RETURN_URL = 'https://shop.example.com/checkout/3d-return';
const NOT_ENROLLED = '4000000000003063';
const reference = () => `N-${randomUUID().slice(0, 20)}`;

let sandbox;
let client;
let confirmations;
before(async () => {
  sandbox = await startSandbox();
  client = sandbox.client({ maxRetries: 0 });
  confirmations = await confirmationServer();
});
after(() => {
  confirmations.close();
  sandbox.stop();
});

/** A shop's `confirmation_url`: keeps each JSON body Paynet posts. */
async function confirmationServer() {
  const bodies = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      bodies.push(body);
      res.writeHead(200).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/paynet/confirm`,
    async next(count) {
      const deadline = Date.now() + 5000;
      while (bodies.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.ok(bodies.length >= count, 'no confirmation was posted');
      return bodies[count - 1];
    },
    get count() {
      return bodies.length;
    },
    close: () => server.close(),
  };
}

function start3d(overrides = {}) {
  return client.payments.create3d({
    amount: '150.00',
    referenceNo: reference(),
    domain: 'shop.example.com',
    card: card(),
    returnUrl: RETURN_URL,
    ...overrides,
  });
}

test('a 3D sale goes through the bank page and charges once', async () => {
  const referenceNo = reference();
  const session = await start3d({ referenceNo });
  assert.ok(session.postUrl.startsWith(sandbox.url));
  assert.ok(session.htmlContent.includes(session.postUrl));
  assert.equal(await client.transactions.lookup(referenceNo), null);

  const posted = sandbox.complete3d(session, { otp: '123456' });
  assert.equal(posted.returnUrl, RETURN_URL);
  // Express's urlencoded body: the bank's fields under their wire names.
  const tx = await client.payments.complete3d(posted.fields);
  assert.equal(tx.isSucceed, true);
  assert.equal(tx.isTds, true);
  assert.equal(tx.amount, '150.00');
  assert.equal(tx.replayed, false);
  const again = await client.payments.complete3d({ sessionId: session.sessionId, tokenId: session.tokenId });
  assert.equal(again.replayed, true);
  assert.equal(again.xactId, tx.xactId);
});

for (const [name, action] of [
  ['cancelled', { cancel: true }],
  ['bank timeout', { otp: '000000' }],
]) {
  test(`a failed 3D (${name}) is a ThreeDSecureError and charges nothing`, async () => {
    const referenceNo = reference();
    const session = await start3d({ referenceNo });
    const posted = sandbox.complete3d(session, action);
    assert.equal(posted.fields.md_status, '0');
    const error = await client.payments.complete3d(posted.fields).catch((e) => e);
    assert.ok(error instanceof ThreeDSecureError, `${error}`);
    assert.ok(error instanceof CardDeclinedError);
    assert.equal(error.kind, 'three_d_secure_failed');
    assert.equal(error.resultCode, 16);
    assert.equal(error.transaction.isSucceed, false);
    const looked = await client.transactions.lookup(referenceNo);
    assert.ok(looked === null || looked.isSucceed === false);
  });
}

test('a card not enrolled fails the 3D; a decline after 3D is a card decline', async () => {
  const notEnrolled = await start3d({ card: card(NOT_ENROLLED) });
  const failed = await client.payments.complete3d(sandbox.complete3d(notEnrolled, { otp: '123456' }).fields).catch((e) => e);
  assert.ok(failed instanceof ThreeDSecureError, `${failed}`);
  const poor = await start3d({ card: card(CARDS.insufficientFunds) });
  const declined = await client.payments.complete3d(sandbox.complete3d(poor, { otp: '123456' }).fields).catch((e) => e);
  assert.ok(declined instanceof CardDeclinedError && !(declined instanceof ThreeDSecureError), `${declined}`);
});

test('a 3D pre-auth is captured', async () => {
  const session = await start3d({ transactionType: 'pre_auth', amount: '80' });
  const tx = await client.payments.complete3d(sandbox.complete3d(session, { otp: '123456' }).fields);
  assert.equal(tx.transactionType, 'pre_auth');
  const captured = await client.payments.capture({ xactId: tx.xactId });
  assert.equal(captured.isSucceed, true);
});

test('completing before the customer verified is refused; a form without the pair never leaves', async () => {
  const session = await start3d();
  const early = await client.payments.complete3d({ sessionId: session.sessionId, tokenId: session.tokenId }).catch((e) => e);
  assert.ok(early instanceof InvalidRequestError && !(early instanceof ThreeDSecureError), `${early}`);
  assert.equal(early.resultCode, 16);
  const missing = await client.payments.complete3d({ md_status: '1' }).catch((e) => e);
  assert.ok(missing instanceof InvalidRequestError, `${missing}`);
  assert.equal(missing.field, 'sessionId');
});

test('a Paynet.js session is charged', async () => {
  const session = sandbox.paynetjsSession({ amount: 2500, cardHolder: 'TEST TEST', pan: CARDS.success, month: 12, year: 2045, cvc: '000' });
  const tx = await client.payments.charge({ sessionId: session.sessionId, tokenId: session.tokenId, amount: '25.00' });
  assert.equal(tx.isSucceed, true);
  assert.equal(tx.amount, '25.00');
});

test('a receipt OTP is texted', async () => {
  const ack = await client.payments.sendReceiptOtp({ phoneNumber: '05321234567' });
  assert.equal(ack.resultCode, 0);
  assert.match(sandbox.lastReceiptOtp('05321234567'), /^\d{6}$/);
});

async function paidLink(amount = '99.90') {
  const link = await client.payLinks.create({
    nameSurname: 'TEST TEST',
    amount,
    referenceNo: reference(),
    confirmationUrl: confirmations.url,
    succeedUrl: 'https://shop.example.com/paid',
  });
  const seen = confirmations.count;
  const outcome = await sandbox.payLink(link.url, { card: { cardHolder: 'TEST TEST', pan: CARDS.success, month: 12, year: 2045, cvc: '000' } });
  assert.equal(outcome.isSucceed, true);
  return { link, body: await confirmations.next(seen + 1) };
}

test('a paid PayLink posts a confirmation that verifies', async () => {
  const { link, body } = await paidLink();
  const confirmation = await client.payLinks.verifyConfirmation({ body });
  assert.equal(confirmation.referenceNo, link.referenceNo);
  assert.equal(confirmation.isSucceed, true);
  assert.equal(confirmation.amount, '99.90');
  assert.equal(confirmation.transaction.xactId, confirmation.xactId);
  const detail = await client.payLinks.retrieve({ referenceNo: link.referenceNo });
  assert.equal(detail.status, 'paid');
  assert.equal(detail.amount, '99.90');
});

for (const [name, forge, field] of [
  ['amount', (post) => ({ ...post, amount: 1 }), 'amount'],
  ['success flipped', (post) => ({ ...post, is_succeed: false }), 'isSucceed'],
  ['unknown reference', (post) => ({ ...post, referance_no: 'NO-SUCH-ORDER-42' }), 'referenceNo'],
]) {
  test(`a forged confirmation (${name}) is refused`, async () => {
    const { body } = await paidLink();
    const forged = JSON.stringify(forge(JSON.parse(body)));
    const error = await client.payLinks.verifyConfirmation({ body: forged }).catch((e) => e);
    assert.ok(error instanceof ConfirmationMismatchError, `${error}`);
    assert.equal(error.field, field);
  });
}

test('PayLinks are listed page by page and made passive', async () => {
  const made = [];
  for (let i = 0; i < 3; i++) made.push(await client.payLinks.create({ nameSurname: 'TEST TEST', amount: '5', referenceNo: reference() }));
  const day = (offset) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  const span = { dateFrom: day(-1), dateTo: day(1) };
  const page = await client.payLinks.listPage({ ...span, limit: 2 });
  assert.equal(page.links.length, 2);
  assert.equal(page.hasMore, true);
  const walked = [];
  for await (const link of client.payLinks.list({ ...span, limit: 2 })) walked.push(link.referenceNo);
  assert.equal(new Set(walked).size, walked.length);
  assert.equal(walked.length, page.totalCount);
  for (const link of made) assert.ok(walked.includes(link.referenceNo));
  await client.payLinks.updateStatus({ referenceNo: made[0].referenceNo, status: 'passive' });
  assert.equal((await client.payLinks.retrieve({ referenceNo: made[0].referenceNo })).status, 'passive');
});

test('parseConfirmation types a post without asking Paynet', async () => {
  const { link, body } = await paidLink('20.05');
  const before = sandbox.stats().requests;
  const parsed = await client.payLinks.parseConfirmation({ body });
  assert.equal(sandbox.stats().requests, before);
  assert.equal(parsed.referenceNo, link.referenceNo);
  assert.equal(parsed.amount, '20.05');
  assert.equal(parsed.transaction, null);
});

test('a failed page rejects the loop, naming where it started', async () => {
  for (let i = 0; i < 2; i++) await client.payLinks.create({ nameSurname: 'TEST TEST', amount: '3', referenceNo: reference() });
  // A day either side: the sandbox dates in Istanbul time, this clock may be UTC.
  const day = (offset) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  const links = client.payLinks.list({ dateFrom: day(-1), dateTo: day(1), limit: 1 })[Symbol.asyncIterator]();
  await links.next();
  sandbox.setFaults([{ kind: 'status', status: 503, path: 'v1/mailorder/list', count: 1 }]);
  try {
    const error = await (async () => {
      for (;;) if ((await links.next()).done) return null;
    })().catch((e) => e);
    assert.ok(error instanceof Error && /starting after 1/.test(error.message), `${error}`);
  } finally {
    sandbox.clearFaults();
  }
});

test('a server repeating one page does not loop forever', async () => {
  const { ProtocolError } = await import('paynet');
  const same = JSON.stringify({ code: 0, has_more: true, total_count: 50, Data: [{ id: 1, reference_no: 'R-1' }] });
  sandbox.setFaults([{ kind: 'replace', status: 200, body: same, path: 'v1/mailorder/list', count: 5 }]);
  const today = new Date().toISOString().slice(0, 10);
  try {
    const walk = async () => {
      for await (const link of client.payLinks.list({ dateFrom: today, dateTo: today, limit: 1 })) void link;
    };
    await assert.rejects(walk(), (e) => e instanceof ProtocolError && /same page again/.test(e.message));
  } finally {
    sandbox.clearFaults();
  }
});
