'use strict';
// `paynet/testing`: an in-process Paynet sandbox for your own test suites.

const util = require('node:util');
const native = require('./native');
const { Client } = require('./client');

const KEEP_ALIVE = Symbol('paynet.sandbox');

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
    this.client = this.client.bind(this);
    this.stop = this.stop.bind(this);
  }

  /** `{ requests, ledgerEntries }` since start. */
  stats() {
    return this.#handle.stats();
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
  return new Sandbox(await native.startSandbox(options));
}

module.exports = { startSandbox, Sandbox };
