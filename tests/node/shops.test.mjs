// The Express example shop (examples/shops/express_shop.mjs) over HTTP, on an ephemeral
// port, against the sandbox: 3D Secure sale, pre-auth, cancel and decline, Paynet.js,
// PayLink paid by the confirmation Paynet posts to the shop, forged confirmations.
// The browser's part is played with fetch: the bank's 3D form, Paynet.js's session call
// and the PayLink payer's form are posted to the sandbox as the pages would post them.
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
    publishableKey: `pbk_${sandbox.secretKey.replace(/^sck_/, '')}`,
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

/** The shop's html_content → the bank's page (post_url) → the bank's auto-submitting form → the shop. */
async function throughTheBank(shopPage, answer) {
  assert.ok(shopPage.action.startsWith(sandbox.url), shopPage.action);
  const bank = await get(shopPage.action);
  assert.ok(bank.has('otp') && bank.has('confirm') && bank.has('cancel'), bank.text);
  const back = await postForm(shopPage.action, answer);
  assert.equal(back.action, `${shopUrl}/checkout/3d/return`);
  for (const name of ['session_id', 'token_id', 'reference_no', 'md_status']) assert.ok(name in back.fields, name);
  return { result: await postForm(back.action, back.fields), posted: back.fields };
}

async function start3d(fields = {}) {
  const shopPage = await postForm(`${shopUrl}/checkout/3d`, { amount: '150.00', kind: 'sale', ...CARD, ...fields });
  assert.equal(shopPage.status, 200, shopPage.text);
  return shopPage;
}

const orderStatus = async (reference) => (await get(`${shopUrl}/orders/${reference}`)).textOf('order-status');

test('the checkout page has the card form', async () => {
  const checkout = await get(`${shopUrl}/`);
  assert.equal(checkout.status, 200);
  assert.equal(checkout.action, '/checkout/3d');
  for (const name of ['amount', 'card_holder', 'card_number', 'exp_month', 'exp_year', 'cvc']) assert.ok(name in checkout.fields, name);
});

test('a 3D sale ends on the receipt, and a reloaded return charges once', async () => {
  const { result: receipt, posted } = await throughTheBank(await start3d(), { otp: '123456', action: 'confirm' });
  assert.equal(receipt.status, 200, receipt.text);
  assert.equal(receipt.textOf('receipt-amount'), '150.00 TL');
  assert.equal(receipt.textOf('receipt-card'), '435508******4358');
  assert.match(receipt.textOf('receipt-xact'), /^xk_/);
  assert.equal(receipt.textOf('receipt-kind'), 'charged');
  assert.ok(!receipt.text.includes(CARDS.success));
  assert.equal(await orderStatus(posted.reference_no), 'paid');

  const again = await postForm(`${shopUrl}/checkout/3d/return`, posted);
  assert.equal(again.textOf('receipt-xact'), receipt.textOf('receipt-xact'));
  const { entries } = await (await fetch(`${sandbox.url}/__sandbox/ledger`)).json();
  assert.equal(entries.filter((e) => e.reference_no === posted.reference_no).length, 1);
});

test('a cancelled 3D shows the failure page and charges nothing', async () => {
  const { result: failed, posted } = await throughTheBank(await start3d(), { action: 'cancel' });
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

test('a mistyped card is refused on the checkout page', async () => {
  const refused = await postForm(`${shopUrl}/checkout/3d`, { amount: '10.00', kind: 'sale', ...CARD, card_number: '4355084355084359' });
  assert.equal(refused.status, 400);
  assert.match(refused.textOf('error'), /number/);
});

// --- Paynet.js

/** What Paynet.js does when its card form is paid: a session from the page's data-key and data-amount. */
async function paynetjsSession(script, pan = CARDS.success) {
  assert.equal(script.src, `${sandbox.url}/public/js/paynet.min.js`);
  const response = await fetch(`${sandbox.url}/__sandbox/paynetjs/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      publishable_key: script['data-key'],
      amount: script['data-amount'],
      card_holder: 'TEST TEST',
      pan,
      month: '12',
      year: '2045',
      cvc: '000',
      instalment: '0',
      add_comission_amount: script['data-add_commission_amount'],
      ratio_code: script['data-ratio_code'],
      installments: script['data-installments'],
      no_instalment: script['data-no_instalment'],
      tds_required: script['data-tds_required'],
    }),
  });
  assert.equal(response.status, 200);
  return response.json();
}

test('a Paynet.js payment is charged', async () => {
  const checkout = await get(`${shopUrl}/checkout/paynetjs?amount=25.00`);
  const script = checkout.script();
  assert.equal(script['data-key'], `pbk_${sandbox.secretKey.replace(/^sck_/, '')}`);
  assert.equal(script['data-amount'], '2500');
  const { session_id, token_id } = await paynetjsSession(script);
  const receipt = await postForm(`${shopUrl}${checkout.action}`, { ...checkout.fields, session_id, token_id });
  assert.equal(receipt.status, 200, receipt.text);
  assert.equal(receipt.textOf('receipt-amount'), '25.00 TL');
  assert.equal(await orderStatus(checkout.fields.order), 'paid');
});

test('a Paynet.js decline shows the failure page', async () => {
  const checkout = await get(`${shopUrl}/checkout/paynetjs?amount=30.00`);
  const session = await paynetjsSession(checkout.script(), CARDS.doNotHonour);
  const failed = await postForm(`${shopUrl}${checkout.action}`, { ...checkout.fields, ...session });
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
  const payer = await get(url);
  assert.equal(payer.textOf('paylink-amount'), `${amount} TRY`);
  const paid = await postForm(`${sandbox.url}${payer.action}`, { card_holder: 'TEST TEST', pan: CARDS.success, month: '12', year: '2045', cvc: '000' });
  assert.equal(paid.status, 303);
  assert.ok(paid.headers.get('location').startsWith(`${shopUrl}/orders/${reference}?xact_id=`));
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
  const delivered = await (await fetch(`${sandbox.url}/__sandbox/confirmations`)).json();
  const attempts = delivered.confirmations.filter((c) => c.reference_no === reference);
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
