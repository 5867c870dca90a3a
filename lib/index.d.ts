// Public types of `paynet`. Hand-written here: what the spec does not describe
// (`Client`, the base error class `PaynetError`, `MoneyMode` and the money
// types, the `onRequest` event). Everything else, the parameter and result
// types, resources, `MethodName`, `ErrorKind`, `ClientOptions` and
// `RequestOptions` (lib/api.d.ts) and the error classes of the kinds
// (lib/errors.d.ts), is generated from core's spec (`make gen`) and re-exported.
// `make test-node` compiles tests/node/types.test-d.ts and examples/*.ts
// against this file.

import type { ClientOptions, ErrorKind, MethodName, RequestOptions, Resources, TransactionRecord } from './api';

export * from './api';
export * from './errors';

/** How result amounts are returned: exact decimal strings (default) or numbers. */
export type MoneyMode = 'string' | 'number';

/**
 * An amount in Turkish lira. A string is read exactly (`'12.50'`); a number by
 * the text `String(n)` prints, so `12.5` is accepted and `0.1 + 0.2`
 * (`0.30000000000000004`) is refused rather than rounded. At most two decimals,
 * never negative, NaN or infinite.
 */
export type MoneyInput = string | number;

/** A result amount: `'12.50'` by default, `12.5` with `money: 'number'`. */
export type Amount<M extends MoneyMode = 'string'> = M extends 'number' ? number : string;

/** One HTTP attempt, as given to `onRequest`. Never holds headers, bodies or card data. */
export interface RequestEvent {
  method: string;
  /** Relative to the base URL, e.g. `v2/transaction/payment`. */
  path: string;
  /** The SDK method, e.g. `payments.create`. */
  operation: MethodName;
  /** The call's `referenceNo`, if it has one. */
  referenceNo: string | null;
  /** `null` when no response arrived (connection error, timeout). */
  status: number | null;
  durationMs: number;
  /** 1 for the first try. */
  attempt: number;
  /**
   * `'ok'`, the error kind of this attempt, or `'cancelled'`: a money-moving
   * call given up while its request was out (Paynet may have processed it).
   */
  outcome: 'ok' | 'cancelled' | ErrorKind;
  willRetry: boolean;
}

/** One finished part of a method made of several calls (`reports.paymentListRange`: a due date). */
export interface Progress {
  /** Parts finished so far, this one included (they finish in any order). */
  done: number;
  total: number;
  /** The part: the due date, `yyyy-MM-dd`. */
  part: string;
}

/** The options of a method made of several calls: `RequestOptions` (per day) and `onProgress`. */
export interface ProgressOptions extends RequestOptions {
  /** Called as each part finishes; what it throws becomes a process warning. */
  onProgress?: (progress: Progress) => void;
}

/** A result with rows (a report, a list page). */
export interface Tabular {
  /**
   * The rows as an apache-arrow `Table` (the optional peer dependency
   * `apache-arrow`), built by core: money `Decimal(18, 2)`, timestamps
   * microseconds in `Europe/Istanbul`, dates `DateDay`, bank / card type /
   * transaction type codes as dictionaries. No float anywhere.
   */
  toArrow(): import('apache-arrow').Table;
}

export interface PreparedRequest {
  method: string;
  path: string;
  /** The exact wire body as JSON text: numbers keep their text (`12.50`). */
  body: string;
}

/** A Paynet client: one resource per spec resource (`Resources`, generated), one method per spec method. */
export declare class Client<M extends MoneyMode = 'string'> {
  constructor(options: ClientOptions<M>);
  /** What a call would send, validated and encoded; sends nothing. */
  prepare(method: MethodName, params: object): PreparedRequest;
}
export interface Client<M extends MoneyMode = 'string'> extends Resources<M> {}

export interface ErrorDetails {
  kind?: ErrorKind;
  field?: string | null;
  httpStatus?: number | null;
  resultCode?: number | null;
  errorType?: string | null;
  paynetErrorId?: string | null;
  bankErrorCode?: string | null;
  bankMessage?: string | null;
  transaction?: TransactionRecord<MoneyMode> | null;
  referenceNo?: string | null;
  bodySnippet?: string | null;
}

/** Every error paynet throws. Never carries the secret key, a PAN or a CVC. */
export declare class PaynetError extends Error {
  constructor(message: string, details?: ErrorDetails, options?: { cause?: unknown });
  readonly kind: ErrorKind;
  /** Equal to `kind`: a stable string for `switch (err.code)` in generic handlers. */
  readonly code: ErrorKind;
  /** `invalid_request`: the parameter at fault in camelCase, e.g. `card.expMonth`; `null` when Paynet refused without naming one. */
  readonly field: string | null;
  readonly httpStatus: number | null;
  /** Paynet's `result_code` / `code`. */
  readonly resultCode: number | null;
  /** Paynet's error `type`, e.g. `invalid_request_error`. */
  readonly errorType: string | null;
  readonly paynetErrorId: string | null;
  readonly bankErrorCode: string | null;
  readonly bankMessage: string | null;
  readonly transaction: TransactionRecord<MoneyMode> | null;
  /** The call's `referenceNo`: what to `transactions.lookup` after a timeout or an unknown outcome. */
  readonly referenceNo: string | null;
  /** The transaction the call acted on, when it named one (a capture's pre-auth). */
  readonly xactId: string | null;
  /** `protocol`: the start of the unreadable body, card numbers masked. */
  readonly bodySnippet: string | null;
}

/** The package version. */
export declare const VERSION: string;
