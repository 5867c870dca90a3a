// An Express shop taking money with Paynet: 3D Secure (a sale, or a pre-auth captured later),
// Paynet.js and PayLink.
//
//   node examples/shops/express_shop.mjs      # with no PAYNET_SECRET_KEY: an in-process sandbox
//
// Configured by createApp({...}) or, when run, by the environment: PAYNET_SECRET_KEY,
// PAYNET_BASE_URL (the sandbox; unset: Paynet's test system), PAYNET_PUBLISHABLE_KEY,
// PAYNET_JS_URL (where paynet.min.js is served; default PAYNET_BASE_URL), SHOP_PUBLIC_URL
// (this shop as the bank and Paynet reach it) and PORT. Orders live in memory.
//
// Express has no CSRF protection of its own; with a CSRF middleware, exempt the two routes
// that the bank and Paynet post to (/checkout/3d/return, /paynet/confirmation).
import express from 'express';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import {
  CardDeclinedError,
  Client,
  ConfirmationMismatchError,
  InvalidRequestError,
  PaynetError,
  ThreeDSecureError,
  UnknownOutcomeError,
} from 'paynet';

const PAYNET_JS_TEST_URL = 'https://pts-pj.paynet.com.tr';

// --- HTML: every interpolated value is escaped unless it is already markup (html`...`).
class Markup {
  constructor(text) {
    this.text = text;
  }
  toString() {
    return this.text;
  }
}
const ENTITIES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (value) =>
  value instanceof Markup ? value.text : String(value ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c]);
const html = (strings, ...values) => new Markup(strings.reduce((out, s, i) => out + escape(values[i - 1]) + s));

const layout = (title, body) => html`<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}
label{display:block;margin-top:.5rem}input,select{width:100%;box-sizing:border-box;padding:.4rem}
button{margin-top:1rem;padding:.5rem 1rem}.error{color:#b00020}dt{font-weight:600}dd{margin:0 0 .5rem}</style>
</head>
<body>
${body}
</body>
</html>`.toString();

const checkoutPage = (amount, error) =>
  layout('Checkout', html`<h1>Checkout</h1>
${error ? html`<p class="error" id="error">${error}</p>` : ''}
<h2>Card, 3D Secure</h2>
<form id="checkout-3d" method="post" action="/checkout/3d">
  <label for="amount">Amount (TL)</label><input id="amount" name="amount" value="${amount}">
  <label for="card-holder">Name on card</label><input id="card-holder" name="card_holder" autocomplete="cc-name">
  <label for="card-number">Card number</label><input id="card-number" name="card_number" autocomplete="cc-number" inputmode="numeric">
  <label for="exp-month">Month</label><input id="exp-month" name="exp_month" autocomplete="cc-exp-month" inputmode="numeric">
  <label for="exp-year">Year</label><input id="exp-year" name="exp_year" autocomplete="cc-exp-year" inputmode="numeric">
  <label for="cvc">CVC</label><input id="cvc" name="cvc" autocomplete="cc-csc" inputmode="numeric">
  <label for="kind">Payment</label>
  <select id="kind" name="kind"><option value="sale">Charge now</option><option value="pre_auth">Pre-authorise (capture later)</option></select>
  <button type="submit" id="pay-3d">Pay</button>
</form>
<p><a id="paynetjs-link" href="/checkout/paynetjs?amount=${amount}">Pay with Paynet.js instead</a></p>
<h2>Payment link</h2>
<form id="paylink-order" method="post" action="/paylinks">
  <label for="paylink-amount">Amount (TL)</label><input id="paylink-amount" name="amount" value="${amount}">
  <label for="paylink-name">Payer's name</label><input id="paylink-name" name="name_surname" value="TEST TEST">
  <button type="submit" id="create-paylink">Create a payment link</button>
</form>`);

const receiptPage = (tx, order) =>
  layout('Receipt', html`<h1 id="receipt">Thank you, payment received</h1>
<dl>
  <dt>Amount</dt><dd id="receipt-amount">${tx.amount} TL</dd>
  <dt>Card</dt><dd id="receipt-card">${tx.cardNoMasked}</dd>
  <dt>Transaction</dt><dd id="receipt-xact">${tx.xactId}</dd>
  <dt>Type</dt><dd id="receipt-kind">${tx.transactionType === 'pre_auth' ? 'pre-authorised' : 'charged'}</dd>
</dl>
${order?.status === 'pre-authorised' ? html`<h2>Capture</h2>
<form id="capture-form" method="post" action="/orders/${order.reference}/capture">
  <label for="capture-amount">Amount to capture (TL)</label><input id="capture-amount" name="amount" value="${order.amount}">
  <button type="submit" id="capture">Capture</button>
</form>` : ''}
<p><a href="/">Back to the shop</a></p>`);

const capturedPage = (order) =>
  layout('Captured', html`<h1 id="captured">Payment captured</h1>
<dl>
  <dt>Order</dt><dd id="captured-order">${order.reference}</dd>
  <dt>Captured</dt><dd id="captured-amount">${order.captured} TL</dd>
  <dt>Pre-authorised</dt><dd id="captured-authorised">${order.amount} TL</dd>
  ${order.captureXactId ? html`<dt>Transaction</dt><dd id="captured-xact">${order.captureXactId}</dd>` : ''}
</dl>
<p><a href="/">Back to the shop</a></p>`);

const failedPage = (message, heading = 'Payment failed') =>
  layout(heading, html`<h1 id="failed">${heading}</h1>
<p id="failed-reason">${message}</p>
<p><a href="/">Try again</a></p>`);

// --- Money: TL text with at most two decimals, compared in kuruş.
function kurus(amount) {
  const match = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(String(amount));
  return match ? Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0')) : null;
}

/** The shop. `publicUrl` is where the bank and Paynet reach it (return and confirmation URLs). */
export function createApp({ secretKey, publicUrl, paynetUrl, publishableKey = '', paynetJsUrl }) {
  // One client per process, shared by every request.
  const paynet = new Client(paynetUrl ? { secretKey, baseUrl: paynetUrl } : { secretKey });
  const jsUrl = (paynetJsUrl || paynetUrl || PAYNET_JS_TEST_URL).replace(/\/+$/, '');
  const shopUrl = publicUrl.replace(/\/+$/, '');
  const orders = new Map();

  const newOrder = (amount) => {
    const value = kurus(amount);
    if (value === null || value === 0) return null;
    const order = {
      reference: `ORDER-${randomUUID().slice(0, 12).toUpperCase()}`,
      kurus: value,
      status: 'awaiting payment',
      xactId: null,
      captured: null, // once captured: the amount (TL) and the capture's xactId
      captureXactId: null,
    };
    order.amount = (value / 100).toFixed(2);
    orders.set(order.reference, order);
    return order;
  };

  const receipt = (res, tx) => {
    // Paynet's answer names the order, not what the browser posted.
    const order = orders.get(tx.referenceNo);
    // Once: a reloaded receipt does not undo a capture.
    if (order?.status === 'awaiting payment') {
      Object.assign(order, { status: tx.transactionType === 'pre_auth' ? 'pre-authorised' : 'paid', xactId: tx.xactId });
    }
    res.send(receiptPage(tx, order));
  };

  const failed = (res, error) => {
    if (!(error instanceof PaynetError)) throw error;
    let message = 'The payment could not be completed.'; // UnknownOutcomeError: look it up before retrying
    if (error instanceof ThreeDSecureError) message = '3D Secure verification was not completed. Nothing was charged.';
    else if (error instanceof CardDeclinedError) message = `Your bank declined the card: ${error.bankMessage || 'no reason given'}.`;
    res.status(402).send(failedPage(message));
  };

  /** Captures `amount` (TL) of the pre-auth; null when a lost answer had captured it. */
  const captureOnce = async (xactId, amount) => {
    try {
      return await paynet.payments.capture({ xactId, amount });
    } catch (error) {
      if (!(error instanceof UnknownOutcomeError)) throw error;
    }
    // It may have captured: repeat it. Paynet captures a pre-auth at most once and refuses
    // a second capture (invalid_request, resultCode 6) without moving money.
    try {
      return await paynet.payments.capture({ xactId, amount });
    } catch (error) {
      if (error instanceof InvalidRequestError && error.resultCode === 6) return null;
      throw error;
    }
  };

  const captureFailed = (res, error) => {
    if (!(error instanceof PaynetError)) throw error;
    // Otherwise the answer was lost twice, or Paynet was out of reach.
    let [status, message] = [502, 'The capture could not be completed. Capturing again is safe: Paynet captures once.'];
    if (error instanceof CardDeclinedError) [status, message] = [402, `Your bank declined the capture: ${error.bankMessage || 'no reason given'}.`];
    else if (error instanceof InvalidRequestError) [status, message] = [400, `Paynet refused the capture: ${error.message}`];
    res.status(status).send(failedPage(message, 'Capture failed'));
  };

  const app = express();
  app.use(express.urlencoded({ extended: false }));

  app.get('/', (req, res) => res.send(checkoutPage('150.00')));

  app.post('/checkout/3d', async (req, res) => {
    const form = req.body;
    const order = newOrder(form.amount);
    if (!order) return res.status(400).send(checkoutPage(form.amount, 'Please check the amount.'));
    const card = { number: form.card_number, expMonth: form.exp_month, expYear: form.exp_year, cvc: form.cvc, holderName: form.card_holder };
    let session;
    try {
      session = await paynet.payments.create3d({
        amount: order.amount,
        referenceNo: order.reference,
        domain: new URL(shopUrl).hostname,
        card,
        transactionType: form.kind === 'pre_auth' ? 'pre_auth' : 'sale',
        returnUrl: `${shopUrl}/checkout/3d/return`,
      });
    } catch (error) {
      if (!(error instanceof InvalidRequestError)) throw error;
      return res.status(400).send(checkoutPage(form.amount, `Please check ${error.field}.`));
    }
    // A page that takes the browser to the bank's 3D page: send it as it is.
    res.type('html').send(session.htmlContent);
  });

  // Posted by the bank's page, not by ours (so it would carry no CSRF token).
  app.post('/checkout/3d/return', async (req, res) => {
    let tx;
    try {
      // The posted md_status is not trusted: Paynet's tds_charge answer decides.
      tx = await paynet.payments.complete3d(req.body);
    } catch (error) {
      return failed(res, error);
    }
    receipt(res, tx);
  });

  app.get('/checkout/paynetjs', (req, res) => {
    const order = newOrder(req.query.amount ?? '150.00');
    if (!order) return res.status(400).send(failedPage('Please check the amount.'));
    // Paynet.js renders its button here and, once the card is accepted, adds session_id
    // and token_id to this form and submits it. The card never reaches the shop.
    res.send(layout('Checkout with Paynet.js', html`<h1>Checkout with Paynet.js</h1>
<p>Order <span id="order-ref">${order.reference}</span>: <span id="order-amount">${order.amount}</span> TL</p>
<form id="paynetjs-form" method="post" action="/checkout/paynetjs">
  <input type="hidden" name="order" value="${order.reference}">
  <script src="${jsUrl}/public/js/paynet.min.js" class="paynet-button"
          data-key="${publishableKey}" data-amount="${order.kurus}" data-button_label="Pay ${order.amount} TL"
          data-add_commission_amount="false" data-ratio_code="" data-installments=""
          data-no_instalment="false" data-tds_required="false"></script>
</form>`));
  });

  app.post('/checkout/paynetjs', async (req, res) => {
    const order = orders.get(req.body.order);
    if (!order) return res.status(404).send(failedPage('No such order.'));
    let tx;
    try {
      // The amount comes from the order, never from the browser.
      tx = await paynet.payments.charge({
        sessionId: req.body.session_id,
        tokenId: req.body.token_id,
        amount: order.amount,
        referenceNo: order.reference,
      });
    } catch (error) {
      return failed(res, error);
    }
    receipt(res, tx);
  });

  app.post('/paylinks', async (req, res) => {
    const order = newOrder(req.body.amount);
    if (!order) return res.status(400).send(checkoutPage(req.body.amount, 'Please check the amount.'));
    const link = await paynet.payLinks.create({
      nameSurname: req.body.name_surname,
      amount: order.amount,
      referenceNo: order.reference,
      confirmationUrl: `${shopUrl}/paynet/confirmation`,
      succeedUrl: `${shopUrl}/orders/${order.reference}`,
    });
    res.send(layout('Payment link', html`<h1>Payment link for order <span id="order-ref">${order.reference}</span></h1>
<p>Send this link to the payer: <a id="paylink-url" href="${link.url}">${link.url}</a></p>
<p><a id="order-link" href="/orders/${order.reference}">Order status</a></p>`));
  });

  app.post('/orders/:reference/capture', async (req, res) => {
    const order = orders.get(req.params.reference);
    if (!order) return res.status(404).send(failedPage('No such order.'));
    // The pre-auth is the one Paynet named on the receipt, never one from the form.
    if (order.status !== 'pre-authorised' || !order.xactId) {
      return res.status(409).send(failedPage(`Order ${order.reference} is ${order.status}: there is nothing to capture.`, 'Capture refused'));
    }
    const value = kurus(String(req.body?.amount ?? '').trim());
    if (!value || value > order.kurus) {
      return res.status(400).send(failedPage(`The amount must be above 0 and at most ${order.amount} TL, with at most two decimals.`, 'Capture refused'));
    }
    const amount = (value / 100).toFixed(2);
    order.status = 'capturing'; // from here a second capture of the order is refused
    let tx;
    try {
      tx = await captureOnce(order.xactId, amount);
    } catch (error) {
      order.status = 'pre-authorised'; // nothing captured, or not known to be: capturing again is safe
      return captureFailed(res, error);
    }
    // A lost answer that had captured it (null): what was asked for was taken.
    Object.assign(order, { status: 'captured', captured: tx?.amount ?? amount, captureXactId: tx?.xactId ?? null });
    res.send(capturedPage(order));
  });

  app.get('/orders/:reference', (req, res) => {
    // succeed_url gets ?xact_id=... appended: not proof of payment, the confirmation is.
    const order = orders.get(req.params.reference);
    if (!order) return res.status(404).send(failedPage('No such order.'));
    res.send(layout(`Order ${order.reference}`, html`<h1>Order <span id="order-ref">${order.reference}</span></h1>
<dl>
  <dt>Amount</dt><dd id="order-amount">${order.amount} TL</dd>
  <dt>Status</dt><dd id="order-status">${order.status}</dd>
  ${order.xactId ? html`<dt>Transaction</dt><dd id="order-xact">${order.xactId}</dd>` : ''}
</dl>`));
  });

  // Posted by Paynet's servers, not by a browser (so it would carry no CSRF token).
  // The raw body, exactly as it arrived, is what is verified.
  app.post('/paynet/confirmation', express.text({ type: '*/*' }), async (req, res) => {
    let confirmed;
    try {
      confirmed = await paynet.payLinks.verifyConfirmation({ body: typeof req.body === 'string' ? req.body : '' });
    } catch (error) {
      if (error instanceof ConfirmationMismatchError || error instanceof InvalidRequestError) {
        return res.status(400).type('text').send('rejected'); // forged or garbled: the order stays unpaid
      }
      if (error instanceof CardDeclinedError) return res.type('text').send('ok'); // a genuine post about a failed payment
      throw error;
    }
    const order = orders.get(confirmed.referenceNo);
    if (!order || kurus(confirmed.amount) !== order.kurus) return res.status(400).type('text').send('rejected');
    Object.assign(order, { status: 'paid', xactId: confirmed.xactId });
    res.type('text').send('ok');
  });

  return app;
}

let sandbox; // kept referenced: a sandbox stops when it is garbage-collected

async function main() {
  let { PAYNET_SECRET_KEY: secretKey, PAYNET_BASE_URL: paynetUrl, PAYNET_PUBLISHABLE_KEY: publishableKey } = process.env;
  if (!secretKey) {
    const { startSandbox } = await import('paynet/testing');
    sandbox = await startSandbox();
    ({ secretKey, url: paynetUrl, publishableKey } = sandbox);
    console.log(`no PAYNET_SECRET_KEY: using a local sandbox at ${paynetUrl}`);
  }
  // PORT=0 picks a free port; the shop's public URL then follows the port it got.
  const server = createServer().listen(Number(process.env.PORT ?? 8000), '127.0.0.1', () => {
    const url = `http://127.0.0.1:${server.address().port}`;
    const publicUrl = process.env.SHOP_PUBLIC_URL ?? url;
    server.on('request', createApp({ secretKey, publicUrl, paynetUrl, publishableKey, paynetJsUrl: process.env.PAYNET_JS_URL }));
    console.log(`listening on ${url}`);
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
