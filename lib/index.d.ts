// Public types of `paynet`. Hand-written over lib/*.js; `make test-node`
// compiles tests/node/types.test-d.ts and examples/*.ts against this file.
// Parameter names are core's (core/src/endpoints/*.rs) in camelCase.

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

/**
 * Any other name (`timeout` for `timeoutMs`) is refused with an
 * `InvalidRequestError` naming it, as is anything but a plain object.
 */
export interface ClientOptions<M extends MoneyMode = 'string'> {
  /** Your Paynet secret key (`sck_…`). Kept in native memory; never printed. */
  secretKey: string;
  /** Default `'test'`, so a forgotten setting never moves real money. */
  environment?: 'test' | 'live';
  /** Overrides the environment's URL (the sandbox, a proxy). */
  baseUrl?: string;
  /** Deadline for a whole call, retries included. Default 60000. */
  timeoutMs?: number;
  /** Default 10000. */
  connectTimeoutMs?: number;
  /** Extra attempts where a retry cannot charge twice. Default 2. */
  maxRetries?: number;
  /**
   * How `payments.create` sends `amount`: Paynet's payment page (S001) shows a
   * JSON number (`12.50`, default), newer pages a comma string (`"12,50"`).
   * You always pass TL amounts.
   */
  paymentAmountFormat?: 'number' | 'comma';
  /** Result amounts as exact strings (default) or as numbers. */
  money?: M;
  /** Called once per HTTP attempt, for logs and metrics. Must not throw. */
  onRequest?: (event: RequestEvent) => void;
  /**
   * Plain `http://` to a host other than this machine (a sandbox in
   * docker-compose). Never allowed for `live`; loopback needs no opt-in.
   */
  allowInsecureHttp?: boolean;
  /** The largest answer read, in bytes (default 8 MiB); larger ones are refused. */
  maxResponseBytes?: number;
  /** The same for reports (`paymentList`), default 512 MiB. */
  maxReportBytes?: number;
}

/** Per-call overrides, the second argument of every method. Any other name is refused, naming it. */
export interface RequestOptions {
  timeoutMs?: number;
  maxRetries?: number;
}

export interface CardParams {
  /** The PAN; spaces and dashes are allowed. Checked with Luhn before sending. */
  number: string;
  expMonth: number | string;
  /** Four digits; two-digit years are read as 20YY. */
  expYear: number | string;
  cvc: string;
  holderName: string;
}

export type TransactionType = 'sale' | 'pre_auth';

export interface CreatePaymentParams {
  amount: MoneyInput;
  /** Your order number. Paynet deduplicates on it: a retry returns the earlier success. */
  referenceNo: string;
  /** The shop's domain, e.g. `www.acme.com`. */
  domain: string;
  card?: CardParams;
  /** A saved card's token, instead of `card`. */
  cardHash?: string;
  cardOwnerId?: string;
  /** Default `'sale'`. */
  transactionType?: TransactionType;
  /** Number of installments; absent or 0 is a single payment. */
  installment?: number;
  description?: string;
  cardHolderPhone?: string;
  cardHolderMail?: string;
  agentId?: string;
  companyAmount?: MoneyInput;
  addCommission?: boolean;
  ratioCode?: string;
  saveCard?: boolean;
  cardDesc?: string;
  userUniqueId?: string;
  userGsmNo?: string;
}

/**
 * Completes a Paynet.js payment. `addCommission`, `ratioCode`, `installments`,
 * `noInstallment` and `tdsRequired` must equal the form's `data-*` attributes.
 */
export interface ChargeParams {
  sessionId: string;
  tokenId: string;
  amount: MoneyInput;
  transactionType?: TransactionType;
  addCommission?: boolean;
  ratioCode?: string;
  /** Allowed installment counts, empty for no limit. */
  installments?: number[];
  noInstallment?: boolean;
  tdsRequired?: boolean;
  referenceNo?: string;
  isEscrow?: boolean;
  agentCustomerName?: string;
  /** A Turkish IBAN: `TR` and 24 digits. */
  iban?: string;
}

/** Identify the pre-auth by one of `xactId`, `xact` or `referenceNo`. */
export interface CaptureParams {
  xactId?: string;
  xact?: number;
  referenceNo?: string;
  /** Absent: the whole pre-authorised amount. */
  amount?: MoneyInput;
}

/** One of `xactId` or `referenceNo`. */
export interface CheckParams {
  xactId?: string;
  referenceNo?: string;
}

export interface PaymentListParams {
  /** `'YYYY-MM-DD'`; default today in Istanbul. */
  date?: string;
}

/** A payment, pre-auth or capture as Paynet reports it. */
export interface Transaction<M extends MoneyMode = 'string'> {
  id: number | null;
  xactId: string | null;
  /** The instant; `xactDateRaw` keeps Paynet's UTC offset, which `Date` drops. */
  xactDate: Date | null;
  /** RFC 3339 with offset, e.g. `2026-11-23T22:19:50.81+03:00`. */
  xactDateRaw: string | null;
  transactionType: 'sale' | 'pre_auth' | 'capture' | (string & {}) | null;
  referenceNo: string | null;
  isSucceed: boolean;
  /** Paynet recognised the `referenceNo` and returned the earlier success instead of charging again. */
  replayed: boolean;
  resultCode: number | null;
  message: string | null;
  amount: Amount<M> | null;
  netAmount: Amount<M> | null;
  commission: Amount<M> | null;
  commissionTax: Amount<M> | null;
  currency: string | null;
  installment: number | null;
  ratio: number | null;
  posType: number | null;
  isTds: boolean | null;
  agentId: string | null;
  userId: string | null;
  email: string | null;
  phone: string | null;
  bankId: string | null;
  bankName: string | null;
  cardNoMasked: string | null;
  cardHolder: string | null;
  cardType: string | null;
  cardBrandName: string | null;
  authorizationCode: string | null;
  bankReferenceCode: string | null;
  orderId: string | null;
  xactTransactionId: string | null;
  paynetErrorId: string | null;
  paynetErrorMessage: string | null;
  bankErrorCode: string | null;
  bankErrorMessage: string | null;
  bankErrorShortDesc: string | null;
  bankErrorLongDesc: string | null;
  cardHash: string | null;
  cardOwnerId: string | null;
  userUniqueId: string | null;
  isSaveCardSucceed: boolean | null;
  saveCardResultMessage: string | null;
  cardBankId: string | null;
  cardLogoUrl: string | null;
  campaignUrl: string | null;
  endUserCommission: Amount<M> | null;
  endUserRatio: number | null;
  ratioCode: string | null;
  mdStatus: number | null;
  note: string | null;
}

/** What Paynet pays out on one due date. */
export interface PaymentReport<M extends MoneyMode = 'string'> {
  /** `'YYYY-MM-DD'`: a calendar day, not an instant, so not a `Date`. */
  date: string;
  total: number | null;
  totalCount: number | null;
  rows: PaymentReportRow<M>[];
}

export interface PaymentReportRow<M extends MoneyMode = 'string'> {
  xactId: string | null;
  xactDate: Date | null;
  xactDateRaw: string | null;
  /** `'YYYY-MM-DD'`. */
  dueDate: string | null;
  /**
   * Paynet's code: `S` sale, `R` cancel, `CD` refund, `CR` capture, `PI` points
   * cancel, `PK` points usage, `PR` pre-auth, `RC` capture cancel, `RP` pre-auth cancel.
   */
  xactType: string | null;
  isSucceed: boolean | null;
  amount: Amount<M> | null;
  companyPayAmount: Amount<M> | null;
  companyServiceAmount: Amount<M> | null;
  agentPayAmount: Amount<M> | null;
  agentServiceAmount: Amount<M> | null;
  ratio: number | null;
  companyCostRatio: number | null;
  installment: number | null;
  plusInstallment: number | null;
  posType: number | null;
  companyCode: string | null;
  companyName: string | null;
  agentId: string | null;
  agentName: string | null;
  bankId: string | null;
  bankName: string | null;
  cardNoMasked: string | null;
  cardHolder: string | null;
  cardType: string | null;
  authorizationCode: string | null;
  bankReferenceCode: string | null;
  orderId: string | null;
  userId: string | null;
}

export interface Payments<M extends MoneyMode = 'string'> {
  /** `v2/transaction/payment`: a sale or pre-auth with card data or a saved card. */
  create(params: CreatePaymentParams, options?: RequestOptions): Promise<Transaction<M>>;
  /** `v1/transaction/charge`: completes a Paynet.js payment. */
  charge(params: ChargeParams, options?: RequestOptions): Promise<Transaction<M>>;
  /** `v1/transaction/capture`: settles a pre-auth, fully or in part. */
  capture(params: CaptureParams, options?: RequestOptions): Promise<Transaction<M>>;
}

export interface Transactions<M extends MoneyMode = 'string'> {
  /** `v1/transaction/check`: a payment's status; a declined one is returned, not thrown. */
  check(params: CheckParams, options?: RequestOptions): Promise<Transaction<M>>;
  /**
   * What became of a call: pass the `UnknownOutcomeError` (or any error with a
   * `referenceNo`/`xactId`), a `referenceNo`, or `{ referenceNo }` / `{ xactId }`.
   * The transaction as Paynet has it (declined ones included), or `null`:
   * Paynet has none, so the call did not happen. By reference, Paynet returns
   * the order's latest successful transaction (a capture, once there is one).
   */
  lookup(target: PaynetError | string | CheckParams, options?: RequestOptions): Promise<Transaction<M> | null>;
}

export interface Reports<M extends MoneyMode = 'string'> {
  /** `v1/transaction/payment_list`: payouts due on a date. */
  paymentList(params?: PaymentListParams, options?: RequestOptions): Promise<PaymentReport<M>>;
}

/** Core's method names, as `Client.prepare` takes them. */
export type MethodName =
  | 'payments.create'
  | 'payments.charge'
  | 'payments.capture'
  | 'transactions.check'
  | 'transactions.lookup'
  | 'reports.payment_list';

export interface PreparedRequest {
  method: string;
  path: string;
  /** The exact wire body as JSON text: numbers keep their text (`12.50`). */
  body: string;
}

export declare class Client<M extends MoneyMode = 'string'> {
  constructor(options: ClientOptions<M>);
  readonly payments: Payments<M>;
  readonly transactions: Transactions<M>;
  readonly reports: Reports<M>;
  /** What a call would send, validated and encoded; sends nothing. */
  prepare(method: MethodName, params: object): PreparedRequest;
}

export type ErrorKind =
  | 'authentication'
  | 'invalid_request'
  | 'card_declined'
  | 'api'
  | 'connection'
  | 'timeout'
  | 'unknown_outcome'
  | 'protocol'
  | 'internal';

export interface ErrorDetails {
  kind?: ErrorKind;
  field?: string | null;
  httpStatus?: number | null;
  resultCode?: number | null;
  errorType?: string | null;
  paynetErrorId?: string | null;
  bankErrorCode?: string | null;
  bankMessage?: string | null;
  transaction?: Transaction<MoneyMode> | null;
  referenceNo?: string | null;
  bodySnippet?: string | null;
}

/** Every error paynet throws. Never carries the secret key, a PAN or a CVC. */
export declare class PaynetError extends Error {
  constructor(message: string, details?: ErrorDetails, options?: { cause?: unknown });
  readonly kind: ErrorKind;
  /** Equal to `kind`: a stable string for `switch (err.code)` in generic handlers. */
  readonly code: ErrorKind;
  /** `invalid_request`: the parameter at fault in camelCase, e.g. `card.expMonth`. */
  readonly field: string | null;
  readonly httpStatus: number | null;
  /** Paynet's `result_code` / `code`. */
  readonly resultCode: number | null;
  /** Paynet's error `type`, e.g. `invalid_request_error`. */
  readonly errorType: string | null;
  readonly paynetErrorId: string | null;
  readonly bankErrorCode: string | null;
  readonly bankMessage: string | null;
  readonly transaction: Transaction<MoneyMode> | null;
  /** The call's `referenceNo`: what to `transactions.lookup` after a timeout or an unknown outcome. */
  readonly referenceNo: string | null;
  /** The transaction the call acted on, when it named one (a capture's pre-auth). */
  readonly xactId: string | null;
  /** `protocol`: the start of the unreadable body, card numbers masked. */
  readonly bodySnippet: string | null;
}

/** Missing or wrong secret key (HTTP 401 / result code 7). */
export declare class AuthenticationError extends PaynetError {
  readonly kind: 'authentication';
  readonly code: 'authentication';
}

/** Refused locally before sending, or by Paynet (HTTP 400 / result code 11). */
export declare class InvalidRequestError extends PaynetError {
  readonly kind: 'invalid_request';
  readonly code: 'invalid_request';
  /** The parameter at fault (`card.expYear`); `null` when Paynet refused without naming one. */
  readonly field: string | null;
}

/** The bank said no; `transaction` is the declined transaction. */
export declare class CardDeclinedError extends PaynetError {
  readonly kind: 'card_declined';
  readonly code: 'card_declined';
  readonly transaction: Transaction<MoneyMode>;
}

/** Any other error Paynet reported. */
export declare class APIError extends PaynetError {
  readonly kind: 'api';
  readonly code: 'api';
}

/** The request could not be delivered; nothing happened. */
export declare class APIConnectionError extends PaynetError {
  readonly kind: 'connection' | 'timeout';
  readonly code: 'connection' | 'timeout';
}

/** No answer in time on a call that is safe to repeat. */
export declare class TimeoutError extends APIConnectionError {
  readonly kind: 'timeout';
  readonly code: 'timeout';
}

/**
 * A money-moving call was sent but its result is unknown: `transactions.check`
 * with `referenceNo` before trying again. Deliberately not an APIConnectionError.
 */
export declare class UnknownOutcomeError extends PaynetError {
  readonly kind: 'unknown_outcome';
  readonly code: 'unknown_outcome';
}

/** An answer that is not what Paynet documents. */
export declare class ProtocolError extends PaynetError {
  readonly kind: 'protocol';
  readonly code: 'protocol';
}

/** A bug in paynet (including a caught Rust panic); please report it. */
export declare class InternalError extends PaynetError {
  readonly kind: 'internal';
  readonly code: 'internal';
}

/** The package version. */
export declare const VERSION: string;
