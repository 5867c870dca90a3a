'use strict';
// `paynet/testing`: an in-process Paynet sandbox for your own test suites.

const util = require('node:util');
const native = require('./native');
const { Client } = require('./client');

class Sandbox {
  #handle;

  constructor(handle) {
    this.#handle = handle;
    /** `http://127.0.0.1:PORT`, for `new Client({ baseUrl })`. */
    this.url = handle.url;
    /** The key the sandbox accepts (a test key, not a secret). */
    this.secretKey = handle.secretKey;
  }

  /** `{ requests, ledgerEntries }` since start. */
  stats() {
    return this.#handle.stats();
  }

  /** A client pointed at this sandbox; `options` override the defaults. */
  client(options = {}) {
    return new Client({ secretKey: this.secretKey, baseUrl: this.url, ...options });
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
