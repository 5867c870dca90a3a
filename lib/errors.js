'use strict';
// The base error class, and the one place where a native rejection becomes
// an error (the subclasses are generated: lib/errors_gen.js).
// The native layer can only reject with a plain Error (napi gives async
// functions no way to choose the class), so it puts the data in the message
// as `PAYNET:` + JSON; see bindings-node/src/error.rs.

const { decodeResult, fieldToCamel, toCamel } = require('./convert');
const { defineErrors } = require('./errors_gen');

const ENVELOPE_PREFIX = 'PAYNET:';

class PaynetError extends Error {
  /**
   * @param {string} message
   * @param {object} [details] any of the fields below, plus `kind`
   * @param {{ cause?: unknown }} [options]
   */
  constructor(message, details = {}, options = undefined) {
    super(message, options);
    this.name = new.target.name;
    this.kind = details.kind ?? new.target.kind ?? 'internal';
    // A Node-style alias: `switch (err.code)` in generic error handlers.
    this.code = this.kind;
    this.field = details.field ?? null;
    this.httpStatus = details.httpStatus ?? null;
    this.resultCode = details.resultCode ?? null;
    this.errorType = details.errorType ?? null;
    this.paynetErrorId = details.paynetErrorId ?? null;
    this.bankErrorCode = details.bankErrorCode ?? null;
    this.bankMessage = details.bankMessage ?? null;
    this.transaction = details.transaction ?? null;
    this.referenceNo = details.referenceNo ?? null;
    this.xactId = details.xactId ?? null;
    this.bodySnippet = details.bodySnippet ?? null;
  }
}

// The subclasses, one per core error kind, are generated from core's spec
// (lib/errors_gen.js, `make gen`).
const CLASSES = defineErrors(PaynetError);
const { InvalidRequestError, InternalError } = CLASSES;
const BY_KIND = new Map(Object.values(CLASSES).map((cls) => [cls.kind, cls]));

/** A parameter/option refused by the wrapper itself, before core sees it. */
function invalid(field, problem) {
  return new InvalidRequestError(`${field}: ${problem}`, { field });
}

/**
 * Core names fields in snake_case (`card.exp_month`, `unknown field
 * \`holdername\``); JS users wrote camelCase, so say it their way: each
 * quoted name that lib/names.js lists is shown by its Node name, other quoted
 * text (a value such as `pre_auth`) as it is.
 */
function camelizeMessage(message, rawField, field) {
  let text = message;
  if (rawField && text.startsWith(`${rawField}:`)) text = field + text.slice(rawField.length);
  return text.replace(/`([a-z0-9_]+)`/g, (_, name) => `\`${toCamel(name)}\``);
}

/** Native rejection -> PaynetError subclass; `cause` keeps the original. */
// What a network failure is called in Node (`err.cause.code`), by core's cause kind.
const CAUSE_CODES = Object.freeze({
  refused: 'ECONNREFUSED',
  reset: 'ECONNRESET',
  dns: 'ENOTFOUND',
  connect_timeout: 'ETIMEDOUT',
  tls_certificate: 'ERR_TLS_CERT_INVALID',
  tls: 'ERR_TLS_HANDSHAKE',
});

/** The network failure behind an error, as `cause`: an Error with Node's usual `code`. */
function networkCause({ kind, detail }) {
  const cause = new Error(detail);
  cause.code = CAUSE_CODES[kind] ?? 'ERR_NETWORK';
  cause.kind = kind;
  return cause;
}

function fromNative(error, money) {
  const text = error && typeof error.message === 'string' ? error.message : '';
  if (!text.startsWith(ENVELOPE_PREFIX)) {
    return new InternalError(`paynet: unexpected native error: ${text || String(error)}`, {}, { cause: error });
  }
  let envelope;
  try {
    envelope = JSON.parse(text.slice(ENVELOPE_PREFIX.length));
  } catch {
    return new InternalError('paynet: unreadable native error', {}, { cause: error });
  }
  // The envelope now lives in the new error's fields; keep `cause` readable.
  error.message = envelope.message;
  const cls = BY_KIND.get(envelope.kind) ?? InternalError;
  const field = envelope.field == null ? null : fieldToCamel(envelope.field);
  const message =
    envelope.kind === 'invalid_request' ? camelizeMessage(envelope.message, envelope.field, field) : envelope.message;
  let transaction = null;
  if (envelope.transaction != null) {
    try {
      transaction = decodeResult(envelope.transaction, money, 'TransactionRecord');
    } catch (stale) {
      stale.cause = error;
      return stale;
    }
  }
  const { cause, ...rest } = envelope;
  const details = { ...rest, field, transaction };
  return new cls(message, details, { cause: cause ? networkCause(cause) : error });
}

module.exports = {
  PaynetError,
  ...CLASSES,
  fromNative,
  invalid,
};
