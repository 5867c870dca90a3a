// The Express example shop (examples/shops/express_shop.mjs) over HTTP, on an ephemeral
// port, against the sandbox: 3D Secure sale, pre-auth and its capture, cancel and decline,
// Paynet.js, PayLink paid by the confirmation Paynet posts to the shop, forged confirmations.
// The browser's part is played by the sandbox's helpers (complete3d on the bank's page,
// paynetjsSession, payLink), which run the same code as its pages; tests/browser/ walks the
// same flows in Chromium.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { startSandbox } from 'paynet/testing';
import { createApp } from '../../examples/shops/express_shop.mjs';
import { CARDS } from './support.mjs';

const CARD = { card_holder: 'TEST TEST', card_number: CARDS.success, exp_month: '12', exp_year: '2045', cvc: '000' };

let sandbox;
let server;
let shopUrl;
/** While set, the sandbox's confirmation posts are kept here instead of reaching the shop. */
let held = null;

before(async () => {
  sandbox = await startSandbox();
  server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  shopUrl = `http://127.0.0.1:${server.address().port}`;
  const app = createApp({
    secretKey: sandbox.secretKey,
    paynetUrl: sandbox.url,
    publishableKey: sandbox.publishableKey,
    publicUrl: shopUrl,
  });
  server.on('request', (req, res) => {
    if (held && req.method === 'POST' && req.url === '/paynet/confirmation') {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        held.set(JSON.parse(body).referance_no, body);
        res.writeHead(200).end();
      });
      return;
    }
    app(req, res);
  });
});
after(async () => {
  server.closeAllConnections();
  server.close();
  await sandbox.stop();
});

// --- pages
const decode = (text) =>
  text.replace(/&(amp|lt|gt|quot|#39);/g, (_, e) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]);
const attrs = (tag) => Object.fromEntries([...tag.matchAll(/([\w-]+)="([^"]*)"/g)].map(([, k, v]) => [k, decode(v)]));

function page(status, text, headers) {
  const form = /<form\b[^>]*>([\s\S]*?)<\/form>/.exec(text);
  return {
    status,
    text,
    headers,
    /** The first form's action and its inputs with a name. */
    action: form ? decode(/action="([^"]*)"/.exec(form[0])[1]) : null,
    fields: form
      ? Object.fromEntries([...form[1].matchAll(/<input\b[^>]*>/g)].map((m) => attrs(m[0])).filter((a) => a.name).map((a) => [a.name, a.value ?? '']))
      : {},
    textOf(id) {
      const m = new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)</`).exec(text);
      assert.ok(m, `no #${id} in ${text}`);
      return decode(m[1].replace(/<[^>]+>/g, '')).replace(/\s+/g, ' ').trim();
    },
    has: (id) => text.includes(`id="${id}"`),
    hrefOf: (id) => attrs(new RegExp(`<a [^>]*id="${id}"[^>]*>`).exec(text)[0]).href,
    script: () => attrs(/<script [^>]*class="paynet-button"[^>]*>/.exec(text)[0]),
  };
}

async function request(url, init = {}) {
  const r = await fetch(url, { redirect: 'manual', ...init });
  return page(r.status, await r.text(), r.headers);
}
const get = (url) => request(url);
const postForm = (url, fields) => request(url, { method: 'POST', body: new URLSearchParams(fields) });
const postBody = async (path, body) =>
  (await fetch(`${shopUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status;

// --- the browser's part

/** The shop's html_content (a form to the bank's post_url) → the bank's page → the shop's return_url. */
async function throughTheBank(shopPage, answer) {
  assert.ok(shopPage.action.startsWith(sandbox.url), shopPage.action);
  const back = sandbox.complete3d(shopPage.action, answer);
  assert.equal(back.returnUrl, `${shopUrl}/checkout/3d/return`);
  for (const name of ['session_id', 'token_id', 'reference_no', 'md_status']) assert.ok(name in back.fields, name);
  return { result: await postForm(back.returnUrl, back.fields), posted: back.fields };
}

async function start3d(fields = {}) {
  const shopPage = await postForm(`${shopUrl}/checkout/3d`, { amount: '150.00', kind: 'sale', ...CARD, ...fields });
  assert.equal(shopPage.status, 200, shopPage.text);
  return shopPage;
}

const orderStatus = async (reference) => (await get(`${shopUrl}/orders/${reference}`)).textOf('order-status');

/** The sandbox's ledger entries of an order (all, or of one type: `CR` the captures). */
async function ledger(reference, xactType) {
  const { entries } = await (await fetch(`${sandbox.url}/__sandbox/ledger`)).json();
  return entries.filter((e) => e.reference_no === reference && (!xactType || e.xact_type === xactType));
}

test('the checkout page has the card form', async () => {
  const checkout = await get(`${shopUrl}/`);
  assert.equal(checkout.status, 200);
  assert.equal(checkout.action, '/checkout/3d');
  for (const name of ['amount', 'card_holder', 'card_number', 'exp_month', 'exp_year', 'cvc']) assert.ok(name in checkout.fields, name);
});

test('a 3D sale ends on the receipt, and a reloaded return charges once', async () => {
  const { result: receipt, posted } = await throughTheBank(await start3d(), { otp: '123456' });
  assert.equal(receipt.status, 200, receipt.text);
  assert.equal(receipt.textOf('receipt-amount'), '150.00 TL');
  assert.equal(receipt.textOf('receipt-card'), '435508******4358');
  assert.match(receipt.textOf('receipt-xact'), /^xk_/);
  assert.equal(receipt.textOf('receipt-kind'), 'charged');
  assert.ok(!receipt.text.includes(CARDS.success));
  assert.equal(await orderStatus(posted.reference_no), 'paid');

  const again = await postForm(`${shopUrl}/checkout/3d/return`, posted);
  assert.equal(again.textOf('receipt-xact'), receipt.textOf('receipt-xact'));
  assert.equal((await ledger(posted.reference_no)).length, 1);
});

test('a cancelled 3D shows the failure page and charges nothing', async () => {
  const { result: failed, posted } = await throughTheBank(await start3d(), { cancel: true });
  assert.equal(posted.md_status, '0');
  assert.equal(failed.status, 402);
  assert.equal(failed.textOf('failed'), 'Payment failed');
  assert.match(failed.textOf('failed-reason'), /3D Secure/);
  assert.equal(await orderStatus(posted.reference_no), 'awaiting payment');
});

test('a bank decline after 3D shows the failure page', async () => {
  const { result: failed } = await throughTheBank(await start3d({ card_number: CARDS.insufficientFunds }), { otp: '123456' });
  assert.equal(failed.status, 402);
  assert.match(failed.textOf('failed-reason'), /declined/);
});

test('a 3D pre-auth is pre-authorised', async () => {
  const { result: receipt } = await throughTheBank(await start3d({ amount: '80.00', kind: 'pre_auth' }), { otp: '123456' });
  assert.equal(receipt.textOf('receipt-kind'), 'pre-authorised');
  assert.equal(receipt.textOf('receipt-amount'), '80.00 TL');
});

// --- pre-auth, then capture

/** A 3D pre-auth paid on the bank's page: the order, its receipt (with the Capture form) and the bank's post. */
async function preAuthorised(amount = '80.00') {
  const { result: receipt, posted } = await throughTheBank(await start3d({ amount, kind: 'pre_auth' }), { otp: '123456' });
  assert.equal(receipt.textOf('receipt-kind'), 'pre-authorised', receipt.text);
  assert.equal(await orderStatus(posted.reference_no), 'pre-authorised');
  return { reference: posted.reference_no, receipt, posted };
}

for (const [name, amount] of [['in full', '80.00'], ['in part', '30.50']]) {
  test(`a 3D pre-auth is captured ${name} from its receipt`, async () => {
    const { reference, receipt } = await preAuthorised('80.00');
    assert.equal(receipt.action, `/orders/${reference}/capture`);
    assert.equal(receipt.fields.amount, '80.00'); // prefilled with the order's amount
    // The shop captures the order's own pre-auth: an xact_id in the form is not used.
    const captured = await postForm(`${shopUrl}${receipt.action}`, { amount, xact_id: 'xk_not_this_one' });
    assert.equal(captured.status, 200, captured.text);
    assert.equal(captured.textOf('captured-amount'), `${amount} TL`);
    assert.equal(captured.textOf('captured-authorised'), '80.00 TL');
    assert.equal(await orderStatus(reference), 'captured');
    const checked = await sandbox.client().transactions.check({ xactId: captured.textOf('captured-xact') });
    assert.deepEqual([checked.transactionType, checked.isSucceed, checked.amount, checked.referenceNo], ['capture', true, amount, reference]);
    assert.deepEqual((await ledger(reference, 'CR')).map((e) => e.xact_id), [checked.xactId]);
  });
}

test('a second capture takes no more money', async () => {
  const { reference, receipt, posted } = await preAuthorised('50.00');
  const url = `${shopUrl}${receipt.action}`;
  assert.equal((await postForm(url, receipt.fields)).textOf('captured-amount'), '50.00 TL');
  const again = await postForm(url, receipt.fields); // the captured page reloaded, the form sent twice
  assert.equal(again.status, 409, again.text);
  assert.equal(again.textOf('failed'), 'Capture refused');
  assert.match(again.textOf('failed-reason'), /captured/);
  // The bank's return reloaded: the receipt again, without the form; the order stays captured.
  const reloaded = await postForm(`${shopUrl}/checkout/3d/return`, posted);
  assert.equal(reloaded.textOf('receipt-kind'), 'pre-authorised');
  assert.ok(!reloaded.has('capture-form'));
  assert.equal(await orderStatus(reference), 'captured');
  assert.equal((await ledger(reference, 'CR')).length, 1);
});

test("a pre-auth captured elsewhere shows Paynet's refusal", async () => {
  const { reference, receipt } = await preAuthorised('40.00');
  await sandbox.client().payments.capture({ xactId: receipt.textOf('receipt-xact') }); // say, from Paynet's merchant panel
  const refused = await postForm(`${shopUrl}${receipt.action}`, receipt.fields);
  assert.equal(refused.status, 400, refused.text);
  assert.equal(refused.textOf('failed'), 'Capture failed');
  assert.match(refused.textOf('failed-reason'), /already been captured/);
  assert.equal((await ledger(reference, 'CR')).length, 1);
});

test('a capture whose answer is lost is settled by repeating it', async () => {
  const { reference, receipt } = await preAuthorised('70.00');
  // The capture is made, then the connection drops before its answer: an unknown outcome.
  sandbox.setFaults([{ kind: 'reset', when: 'after', path: 'v1/transaction/capture', count: 1 }]);
  let captured;
  try {
    captured = await postForm(`${shopUrl}${receipt.action}`, { amount: '25.00' });
  } finally {
    sandbox.clearFaults();
  }
  assert.equal(captured.status, 200, captured.text);
  assert.equal(captured.textOf('captured-amount'), '25.00 TL');
  assert.ok(!captured.has('captured-xact')); // the answer naming the capture was lost
  assert.equal(await orderStatus(reference), 'captured');
  assert.deepEqual((await ledger(reference, 'CR')).map((e) => Number(e.amount)), [25]);
});

test('a bad capture amount is refused, and the order stays capturable', async () => {
  const { reference, receipt } = await preAuthorised('60.00');
  const url = `${shopUrl}${receipt.action}`;
  for (const amount of ['', 'abc', '0', '0.00', '-5', '60.01', '1.234', 'NaN', '1e1', 'Infinity']) {
    assert.equal((await postForm(url, { amount })).status, 400, amount);
  }
  assert.deepEqual(await ledger(reference, 'CR'), []);
  assert.equal(await orderStatus(reference), 'pre-authorised');
  assert.equal((await postForm(url, { amount: '60' })).textOf('captured-amount'), '60.00 TL');
});

test('a sale and an unknown order have nothing to capture', async () => {
  const { result: receipt, posted } = await throughTheBank(await start3d({ amount: '15.00' }), { otp: '123456' });
  assert.ok(!receipt.has('capture-form'));
  const refused = await postForm(`${shopUrl}/orders/${posted.reference_no}/capture`, { amount: '15.00' });
  assert.equal(refused.status, 409);
  assert.match(refused.textOf('failed-reason'), /paid/);
  assert.equal((await postForm(`${shopUrl}/orders/ORDER-NOSUCHORDER/capture`, { amount: '15.00' })).status, 404);
  assert.deepEqual(await ledger(posted.reference_no, 'CR'), []);
});

test('a mistyped card is refused on the checkout page', async () => {
  const refused = await postForm(`${shopUrl}/checkout/3d`, { amount: '10.00', kind: 'sale', ...CARD, card_number: '4355084355084359' });
  assert.equal(refused.status, 400);
  assert.match(refused.textOf('error'), /number/);
});

// --- Paynet.js

/** What Paynet.js does when its card form is paid, with the page's data-* values. */
function paynetjsSession(script, pan = CARDS.success) {
  assert.equal(script.src, `${sandbox.url}/public/js/paynet.min.js`);
  assert.equal(script['data-key'], sandbox.publishableKey);
  const { sessionId, tokenId } = sandbox.paynetjsSession({
    amount: script['data-amount'],
    pan,
    addComissionAmount: script['data-add_commission_amount'] === 'true',
    ratioCode: script['data-ratio_code'],
    installments: script['data-installments'],
    noInstalment: script['data-no_instalment'] === 'true',
    tdsRequired: script['data-tds_required'] === 'true',
  });
  return { session_id: sessionId, token_id: tokenId };
}

test('a Paynet.js payment is charged', async () => {
  const checkout = await get(`${shopUrl}/checkout/paynetjs?amount=25.00`);
  assert.equal(checkout.script()['data-amount'], '2500');
  const receipt = await postForm(`${shopUrl}${checkout.action}`, { ...checkout.fields, ...paynetjsSession(checkout.script()) });
  assert.equal(receipt.status, 200, receipt.text);
  assert.equal(receipt.textOf('receipt-amount'), '25.00 TL');
  assert.equal(await orderStatus(checkout.fields.order), 'paid');
});

test('a Paynet.js decline shows the failure page', async () => {
  const checkout = await get(`${shopUrl}/checkout/paynetjs?amount=30.00`);
  const failed = await postForm(`${shopUrl}${checkout.action}`, { ...checkout.fields, ...paynetjsSession(checkout.script(), CARDS.doNotHonour) });
  assert.equal(failed.status, 402);
  assert.match(failed.textOf('failed-reason'), /declined/);
  assert.equal(await orderStatus(checkout.fields.order), 'awaiting payment');
});

// --- PayLink

/** A PayLink made by the shop and paid on the payer's page; the order's reference. */
async function payLink(amount) {
  const made = await postForm(`${shopUrl}/paylinks`, { amount, name_surname: 'TEST TEST' });
  assert.equal(made.status, 200, made.text);
  const reference = made.textOf('order-ref');
  const url = made.hrefOf('paylink-url');
  assert.ok(url.startsWith(sandbox.url));
  const paid = await sandbox.payLink(url, { card: { cardHolder: 'TEST TEST', pan: CARDS.success, month: 12, year: 2045, cvc: '000' } });
  assert.ok(paid.isSucceed);
  assert.equal(paid.redirect, `${shopUrl}/orders/${reference}?xact_id=${paid.xactId}`);
  return reference;
}

async function eventually(check) {
  const deadline = Date.now() + 5000;
  while (!(await check()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.ok(await check(), 'timed out');
}

test('a paid PayLink is marked paid by the confirmation Paynet posts to the shop', async () => {
  const reference = await payLink('99.90');
  await eventually(async () => (await orderStatus(reference)) === 'paid');
  const order = await get(`${shopUrl}/orders/${reference}`);
  assert.match(order.textOf('order-xact'), /^xk_/);
  const attempts = sandbox.confirmations().filter((c) => c.referenceNo === reference);
  assert.deepEqual(attempts.map((c) => [c.delivered, c.status]), [[true, 200]]);
});

async function heldConfirmation(amount) {
  held = new Map();
  try {
    const reference = await payLink(amount);
    await eventually(() => held.has(reference));
    return { reference, body: JSON.parse(held.get(reference)) };
  } finally {
    held = null;
  }
}

const FORGERIES = {
  amount: (post) => ({ ...post, amount: 1 }),
  'unknown reference': (post) => ({ ...post, referance_no: 'ORDER-NOSUCHORDER' }),
  'is_succeed flipped': (post) => ({ ...post, is_succeed: !post.is_succeed }),
};

for (const [name, forge] of Object.entries(FORGERIES)) {
  test(`a forged confirmation (${name}) is refused and the order stays unpaid`, async () => {
    const { reference, body } = await heldConfirmation('12.34');
    assert.equal(await postBody('/paynet/confirmation', JSON.stringify(forge(body))), 400);
    assert.equal(await orderStatus(reference), 'awaiting payment');
    // The genuine post, delivered late, still marks it paid.
    assert.equal(await postBody('/paynet/confirmation', JSON.stringify(body)), 200);
    assert.equal(await orderStatus(reference), 'paid');
  });
}

test('a garbled confirmation is refused', async () => {
  assert.equal(await postBody('/paynet/confirmation', 'not json'), 400);
  assert.equal(await postBody('/paynet/confirmation', '{}'), 400);
});
