'use strict';
// `paynet/testing`: an in-process Paynet sandbox for your own test suites.

const util = require('node:util');
const native = require('./native');
const { Client } = require('./client');

const KEEP_ALIVE = Symbol('paynet.sandbox');

/** The code the sandbox bank's 3D page accepts (`'000000'` plays a bank timeout). */
const TDS_OTP = '123456';
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

/** A refused plan (native `InvalidArg`) is a TypeError, like any bad argument. */
function planError(err) {
  if (err instanceof Error && err.code === 'InvalidArg') return new TypeError(err.message);
  return err;
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
    this.confirmations = this.confirmations.bind(this);
    this.lastReceiptOtp = this.lastReceiptOtp.bind(this);
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
   * `{ sessionId, tokenId }` out. `amount` is `data-amount` (kuruş, ×100).
   */
  paynetjsSession(options) {
    if (!isPlainObject(options)) throw new TypeError('paynetjsSession takes { amount, ...card, ...data values }');
    const { amount, instalment = 0, addComissionAmount = false, ratioCode = '', installments = '', noInstalment = false, tdsRequired = false, ...card } = options;
    if (amount === undefined) throw new TypeError('amount (data-amount, kuruş) is required');
    const request = {
      publishable_key: this.publishableKey,
      amount: String(amount),
      ...wireCard({ ...SUCCESS_CARD, ...card }),
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

  /** Every `confirmation_url` delivery attempt so far, oldest first (they run in the background). */
  confirmations() {
    return JSON.parse(this.#handle.confirmations()).map((a) => ({
      url: a.url,
      attempt: a.attempt,
      status: a.status,
      error: a.error,
      delivered: a.delivered,
      referenceNo: a.reference_no,
      xactId: a.xact_id,
    }));
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

/** Starts a sandbox on 127.0.0.1 (a free port unless `options.port`). */
async function startSandbox(options = {}) {
  const { faults, ...rest } = options ?? {};
  const nativeOptions = faults === undefined || faults === null ? rest : { ...rest, faults: faultsJson(faults) };
  try {
    return new Sandbox(await native.startSandbox(nativeOptions));
  } catch (err) {
    throw planError(err);
  }
}

module.exports = { startSandbox, Sandbox, TDS_OTP };
