'use strict';
// `paynet/testing`: an in-process Paynet sandbox for your own test suites.

const util = require('node:util');
const native = require('./native');
const { Client } = require('./client');

const KEEP_ALIVE = Symbol('paynet.sandbox');

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
    // Usable detached: `const { stop } = await startSandbox()`.
    this.stats = this.stats.bind(this);
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

module.exports = { startSandbox, Sandbox };
