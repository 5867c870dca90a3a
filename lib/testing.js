'use strict';
// `paynet/testing`: an in-process Paynet sandbox for your own test suites.

const util = require('node:util');
const native = require('./native');
const { Client } = require('./client');

const KEEP_ALIVE = Symbol('paynet.sandbox');

/** The code the sandbox bank's 3D page accepts (`'000000'` plays a bank timeout). */
const TDS_OTP = '123456';
/** The code the sandbox's card OTPs (`cards.sendOtp`) carry. */
const CARD_OTP = '123456';
const SUCCESS_CARD = Object.freeze({ cardHolder: 'TEST TEST', pan: '4355084355084358', month: 12, year: 2045, cvc: '000' });

/** A session_id, a post_url, or an object with `sessionId` / `session_id`. */
function sessionIdOf(session) {
  if (typeof session === 'string') return session;
  const id = session?.sessionId ?? session?.session_id;
  if (typeof id !== 'string') throw new TypeError('session must be a session_id, a post_url or an object with a sessionId');
  return id;
}

function wireCard(card) {
  if (!isPlainObject(card)) throw new TypeError('card must be a plain object: { cardHolder, pan, month, year, cvc }');
  const { cardHolder, pan, month, year, cvc } = card;
  return { card_holder: cardHolder, pan, month, year, cvc };
}

// Fault rule fields: JS name -> the sandbox's wire name. A fixed map, both ways.
const RULE_FIELDS = Object.freeze({
  kind: 'kind',
  when: 'when',
  path: 'path',
  count: 'count',
  rate: 'rate',
  status: 'status',
  retryAfter: 'retry_after',
  delayMs: 'delay_ms',
  location: 'location',
  body: 'body',
});
const RULE_FIELDS_FROM_WIRE = Object.freeze(
  Object.fromEntries(Object.entries(RULE_FIELDS).map(([js, wire]) => [wire, js])),
);

// The ledger view's names (`GET /__sandbox/ledger`) in Node's spelling.
const LEDGER_FIELDS = Object.freeze({
  id: 'id', xact_id: 'xactId', xact_type: 'xactType', transaction_type: 'transactionType',
  xact_date: 'xactDate', due_date: 'dueDate', is_succeed: 'isSucceed', bank_error_id: 'bankErrorId',
  reference_no: 'referenceNo', amount: 'amount', net_amount: 'netAmount', comission: 'comission',
  comission_tax: 'comissionTax', ratio: 'ratio', instalment: 'instalment', bank_id: 'bankId',
  card_no_masked: 'cardNoMasked', card_bin: 'cardBin', card_last4: 'cardLast4', parent_id: 'parentId',
  captured_by: 'capturedBy', card_hash: 'cardHash',
});
// The sandbox keeps money in kuruş, so two decimals are exact; shown as SDK amounts are.
const LEDGER_MONEY = new Set(['amount', 'net_amount', 'comission', 'comission_tax']);

function ledgerEntry(row) {
  const out = {};
  for (const [key, value] of Object.entries(row)) {
    out[LEDGER_FIELDS[key] ?? key] = LEDGER_MONEY.has(key) ? value.toFixed(2) : key === 'ratio' ? String(value) : value;
  }
  return out;
}

function isPlainObject(value) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function wireRule(rule, i) {
  if (!isPlainObject(rule)) throw new TypeError(`rules[${i}] must be a plain object, e.g. { kind: 'reset' }`);
  const out = {};
  for (const [key, value] of Object.entries(rule)) {
    if (!Object.hasOwn(RULE_FIELDS, key)) {
      throw new TypeError(
        `rules[${i}].${key} is not a fault rule field (fields: ${Object.keys(RULE_FIELDS).join(', ')})`,
      );
    }
    if (value === undefined || value === null) continue;
    if (typeof value === 'number' ? !Number.isFinite(value) : typeof value !== 'string') {
      throw new TypeError(`rules[${i}].${key} must be a string or a finite number`);
    }
    out[RULE_FIELDS[key]] = value;
  }
  return out;
}

/** The sandbox's JSON fault plan from JS rules and an optional seed. */
function planJson(rules, seed) {
  if (!Array.isArray(rules)) throw new TypeError("rules must be an array of fault rules, e.g. [{ kind: 'reset' }]");
  const plan = { rules: rules.map(wireRule) };
  if (seed !== undefined && seed !== null) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new TypeError('seed must be an integer >= 0');
    plan.seed = seed;
  }
  return JSON.stringify(plan);
}

/** `faults` as startSandbox takes it: an array of rules or `{ seed, rules }`. */
function faultsJson(faults) {
  if (Array.isArray(faults)) return planJson(faults);
  if (!isPlainObject(faults)) throw new TypeError('faults must be an array of rules or { seed, rules }');
  for (const key of Object.keys(faults)) {
    if (key !== 'seed' && key !== 'rules') throw new TypeError(`faults.${key} is not a fault plan field (fields: seed, rules)`);
  }
  return planJson(faults.rules, faults.seed);
}

/**
 * A refused plan (native `InvalidArg`) is a TypeError, like any bad argument,
 * naming the field as the caller spelled it (`rules[0].delayMs`).
 */
function planError(err) {
  if (!(err instanceof Error && err.code === 'InvalidArg')) return err;
  const message = err.message.replace(/(rules\[\d+\]\.)([a-z_]+)/g, (_, at, wire) => at + (RULE_FIELDS_FROM_WIRE[wire] ?? wire));
  return new TypeError(message);
}

/** A refused argument (native `InvalidArg`) is a TypeError, like any bad argument. */
function nativeCall(call) {
  try {
    return call();
  } catch (err) {
    throw planError(err);
  }
}

/** One delivery attempt of a post to the shop, camelCase. */
function deliveryFromWire(a) {
  return {
    url: a.url,
    attempt: a.attempt,
    status: a.status,
    error: a.error,
    delivered: a.delivered,
    referenceNo: a.reference_no,
    xactId: a.xact_id,
  };
}

/** `'yyyy-MM-dd'` of a Date in Istanbul time (UTC+3 all year). */
function isoDay(date) {
  return new Date(date.getTime() + 3 * 3600 * 1000).toISOString().slice(0, 10);
}

/** A TL amount (`'12.34'` or a number) in kuruş; at most 2 decimals. */
function kurus(amount) {
  const text = typeof amount === 'number' ? String(amount) : amount;
  const m = typeof text === 'string' ? /^(\d+)(?:\.(\d{1,2}))?$/.exec(text) : null;
  if (!m) throw new TypeError(`amount must be a TL amount like '12.34', not ${String(amount)}`);
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

function ruleFromWire(rule) {
  const out = {};
  for (const [key, value] of Object.entries(rule)) out[RULE_FIELDS_FROM_WIRE[key] ?? key] = value;
  return out;
}

class Sandbox {
  #handle;

  constructor(handle) {
    this.#handle = handle;
    /** `http://127.0.0.1:PORT`, for `new Client({ baseUrl })`. */
    this.url = handle.url;
    /** The key the sandbox accepts (a test key, not a secret). */
    this.secretKey = handle.secretKey;
    /** The key a shop page gives Paynet.js as `data-key`. */
    this.publishableKey = handle.publishableKey;
    // Usable detached: `const { stop } = await startSandbox()`.
    this.stats = this.stats.bind(this);
    this.complete3d = this.complete3d.bind(this);
    this.paynetjsSession = this.paynetjsSession.bind(this);
    this.payLink = this.payLink.bind(this);
    this.subscribe = this.subscribe.bind(this);
    this.confirmations = this.confirmations.bind(this);
    this.lastReceiptOtp = this.lastReceiptOtp.bind(this);
    this.clock = this.clock.bind(this);
    this.setClock = this.setClock.bind(this);
    this.advanceClock = this.advanceClock.bind(this);
    this.decideReversal = this.decideReversal.bind(this);
    this.reversalPosts = this.reversalPosts.bind(this);
    this.seedSales = this.seedSales.bind(this);
    this.seedDemo = this.seedDemo.bind(this);
    this.failNext = this.failNext.bind(this);
    this.ledger = this.ledger.bind(this);
    this.setFaults = this.setFaults.bind(this);
    this.clearFaults = this.clearFaults.bind(this);
    this.faultStats = this.faultStats.bind(this);
    this.client = this.client.bind(this);
    this.stop = this.stop.bind(this);
  }

  /** `{ requests, ledgerEntries }` since start. */
  stats() {
    return this.#handle.stats();
  }

  /**
   * Replaces the fault rules (tried in order, at most one fires per request)
   * and zeroes the fault counters. A bad rule throws a TypeError naming it.
   */
  setFaults(rules, options = {}) {
    const json = planJson(rules, options.seed);
    try {
      this.#handle.setFaults(json);
    } catch (err) {
      throw planError(err);
    }
  }

  /**
   * Makes the next `count` (default 1) requests to `path` (or to any API path) fail with
   * one fault, replacing the current rules. By default after the ledger committed (the
   * money moved, the answer is lost); `when: 'before'` records nothing. `kind` defaults to
   * `'status'` (502); other rule fields as in `setFaults`.
   */
  failNext(options = {}) {
    if (!isPlainObject(options)) throw new TypeError("failNext takes { kind, path, count, when, ... }");
    const { kind = 'status', count = 1, when = 'after', ...rest } = options;
    const rule = { kind, count, when, ...rest };
    if (kind === 'status' && rule.status === undefined) rule.status = 502;
    this.setFaults([rule]);
  }

  /**
   * Every transaction the sandbox recorded, oldest first (`GET /__sandbox/ledger`):
   * camelCase fields, money as exact strings, the card masked.
   */
  async ledger() {
    const answer = await fetch(`${this.url}/__sandbox/ledger`, { redirect: 'error' });
    if (!answer.ok) throw new Error(`the sandbox ledger answered HTTP ${answer.status}`);
    return (await answer.json()).entries.map(ledgerEntry);
  }

  /** Removes every fault rule (and zeroes the counters). */
  clearFaults() {
    this.#handle.clearFaults();
  }

  /** `{ seed, injected: { reset, close, ... }, total, rules }` since the rules were set. */
  faultStats() {
    const stats = JSON.parse(this.#handle.faultStats());
    return { ...stats, rules: stats.rules.map(ruleFromWire) };
  }

  /**
   * Plays the customer on the bank's 3D page: `{ otp }` (default the right code) or
   * `{ cancel: true }`. Returns `{ returnUrl, fields }`, the form the bank posts to the
   * shop. Throws when there is none (unknown session, wrong code with tries left).
   */
  complete3d(session, options = {}) {
    const { otp, cancel = false } = options ?? {};
    if (cancel && otp !== undefined) throw new TypeError('pass either otp or cancel: true, not both');
    const raw = this.#handle.complete3d(sessionIdOf(session), cancel ? undefined : (otp ?? TDS_OTP), cancel);
    const post = JSON.parse(raw);
    return { returnUrl: post.return_url, fields: Object.fromEntries(post.fields) };
  }

  /**
   * What Paynet.js does in the browser: the card and the `data-*` values in,
   * `{ sessionId, tokenId }` out. `amount` is `data-amount` (kuruş, ×100). A saved
   * card's `cardHash` and `cardOwnerId` stand for the card.
   */
  paynetjsSession(options) {
    if (!isPlainObject(options)) throw new TypeError('paynetjsSession takes { amount, ...card, ...data values }');
    const { amount, instalment = 0, addComissionAmount = false, ratioCode = '', installments = '', noInstalment = false, tdsRequired = false, cardHash, cardOwnerId, ...card } = options;
    if (amount === undefined) throw new TypeError('amount (data-amount, kuruş) is required');
    const request = {
      publishable_key: this.publishableKey,
      amount: String(amount),
      ...(cardHash === undefined ? wireCard({ ...SUCCESS_CARD, ...card }) : { card_hash: cardHash, card_owner_id: cardOwnerId }),
      instalment,
      add_comission_amount: addComissionAmount,
      ratio_code: ratioCode,
      installments,
      no_instalment: noInstalment,
      tds_required: tdsRequired,
    };
    const session = JSON.parse(this.#handle.paynetjsSession(JSON.stringify(request)));
    return { sessionId: session.session_id, tokenId: session.token_id };
  }

  /**
   * Pays a PayLink as its payer would (`url` or token) with `card` (the success card by
   * default). Resolves `{ xactId, isSucceed, redirect }`; rejects for a paid, passive or
   * expired link.
   */
  async payLink(url, options = {}) {
    const card = wireCard(options?.card ?? SUCCESS_CARD);
    const paid = JSON.parse(await this.#handle.payLink(url, JSON.stringify(card)));
    return { xactId: paid.xact_id, isSucceed: paid.is_succeed, redirect: paid.redirect };
  }

  /**
   * Consents to a subscription as its customer would on the page (`url` of
   * `subscriptions.create`, or its token): `card` (the success card by default), the
   * consent box, the bank's 3D page with the right code. The card is saved after the
   * subscription's cards; a waiting subscription becomes active. Returns `{ cardId, message }`;
   * throws for a cancelled subscription or a bad card. Call it again to add a card.
   */
  subscribe(url, options = {}) {
    const card = wireCard(options?.card ?? SUCCESS_CARD);
    const done = JSON.parse(nativeCall(() => this.#handle.subscribe(url, JSON.stringify(card))));
    return { cardId: done.card_id, message: done.message };
  }

  /** Every `confirmation_url` delivery attempt so far, oldest first (they run in the background). */
  confirmations() {
    return JSON.parse(this.#handle.confirmations()).map(deliveryFromWire);
  }

  /** The sandbox's now: every date it writes comes from it. */
  clock() {
    return new Date(this.#handle.clock());
  }

  /** Moves the sandbox clock to `at` (a Date or an ISO 8601 string with an offset); it keeps ticking from there. */
  setClock(at) {
    const date = at instanceof Date ? at : typeof at === 'string' ? new Date(at) : undefined;
    if (date === undefined || Number.isNaN(date.getTime())) {
      throw new TypeError('setClock takes a valid Date or an ISO 8601 string');
    }
    nativeCall(() => this.#handle.setClock(date.toISOString()));
  }

  /** Moves the sandbox clock forward, e.g. `{ days: 1 }` to leave "the same day" of a sale. */
  advanceClock(options = {}) {
    const { days = 0, seconds = 0 } = options ?? {};
    if (!Number.isFinite(days) || !Number.isFinite(seconds)) throw new TypeError('days and seconds must be finite numbers');
    const total = days * 86400 + seconds;
    if (total < 0) throw new TypeError('the clock only advances; use setClock to go back');
    nativeCall(() => this.#handle.advanceClock(total));
  }

  /**
   * Approves (or with `{ approve: false }` rejects) the pending refund or cancel request
   * `reversalId`, as Paynet's operations would; its `succeedUrl` hears of it. Returns the
   * request as `reversal_list` shows it; throws an Error for an unknown or decided request.
   */
  decideReversal(reversalId, options = {}) {
    const { approve = true } = options ?? {};
    if (typeof reversalId !== 'string') throw new TypeError('reversalId must be a string');
    const r = JSON.parse(this.#handle.decideReversal(reversalId, Boolean(approve)));
    return {
      reversalId: r.reversal_id,
      xactId: r.xact_id,
      referenceNo: r.reference_no,
      amount: r.amount,
      status: r.status,
      xactType: r.xact_type,
      requestDate: r.request_date,
      decisionDate: r.decision_date,
      bankId: r.bank_id,
      agentId: r.agent_id,
    };
  }

  /** Every `succeedUrl` delivery attempt of a refund decision, oldest first (`xactId` is the `reversalId`). */
  reversalPosts() {
    return JSON.parse(this.#handle.reversalPosts()).map(deliveryFromWire);
  }

  /**
   * Inserts `count` successful sales of `amount` TL (default `'100.00'`) made from `from`
   * to `to` (`'yyyy-MM-dd'`, both included; default the sandbox's today) straight into the
   * ledger: volume for list and pagination tests. The same `seed` gives the same data.
   */
  seedSales(options) {
    if (!isPlainObject(options)) throw new TypeError('seedSales takes { count, from, to, amount, seed }');
    const { count, from = isoDay(this.clock()), to = from, amount = '100.00', seed = 0 } = options;
    if (!Number.isSafeInteger(count) || count < 1) throw new TypeError('count must be an integer >= 1');
    if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) throw new TypeError('seed must be an integer 0..2^32-1');
    const r = JSON.parse(nativeCall(() => this.#handle.seedSales(count, from, to, kurus(amount), seed)));
    return { inserted: r.inserted, firstId: r.first_id, lastId: r.last_id, from: r.from, to: r.to };
  }

  /**
   * Inserts a realistic stretch of a shop's traffic from `from` to `to` (both included):
   * about `perDay` card attempts a day (default 40) over several banks and card types,
   * with instalments, declines, pre-auths (most captured hours later), dealers' sales and
   * refunds. The same `seed` on a fresh sandbox gives the same data.
   */
  seedDemo(options) {
    if (!isPlainObject(options)) throw new TypeError('seedDemo takes { from, to, perDay, seed }');
    const { from, to = from, perDay = 40, seed = 0 } = options;
    if (typeof from !== 'string') throw new TypeError("from must be a 'yyyy-MM-dd' string");
    if (!Number.isSafeInteger(perDay) || perDay < 1) throw new TypeError('perDay must be an integer >= 1');
    if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) throw new TypeError('seed must be an integer 0..2^32-1');
    const r = JSON.parse(nativeCall(() => this.#handle.seedDemo(from, to, perDay, seed)));
    return { inserted: r.inserted, firstId: r.first_id, lastId: r.last_id, from: r.from, to: r.to };
  }

  /** The last code `v2/agent/create_end_user_receipt_otp` sent to `phone`, or null. */
  lastReceiptOtp(phone) {
    return this.#handle.lastReceiptOtp(phone) ?? null;
  }

  /** A client pointed at this sandbox; `options` override the defaults. */
  client(options = {}) {
    const client = new Client({ secretKey: this.secretKey, baseUrl: this.url, ...options });
    // The server stops when its handle is garbage-collected: a client made
    // here keeps it alive for as long as the client itself is in use.
    Object.defineProperty(client, KEEP_ALIVE, { value: this });
    return client;
  }

  /** Stops the server after in-flight requests finish. Safe to call twice. */
  stop() {
    return this.#handle.stop();
  }

  [util.inspect.custom](depth, options, inspect) {
    return `Sandbox ${inspect({ url: this.url }, options)}`;
  }
}

const NO_SANDBOX =
  'this build of paynet has no embedded sandbox (built without the cargo feature embedded-sandbox): ' +
  'use the published package, or run the paynet-sandbox program and point a Client at its URL';

/** Starts a sandbox on 127.0.0.1 (a free port unless `options.port`). */
async function startSandbox(options = {}) {
  if (typeof native.startSandbox !== 'function') throw new Error(NO_SANDBOX);
  const { faults, ...rest } = options ?? {};
  const nativeOptions = faults === undefined || faults === null ? rest : { ...rest, faults: faultsJson(faults) };
  try {
    return new Sandbox(await native.startSandbox(nativeOptions));
  } catch (err) {
    throw planError(err);
  }
}

module.exports = { startSandbox, Sandbox, TDS_OTP, CARD_OTP };
