// `paynet/testing`: an in-process Paynet sandbox (real HTTP on 127.0.0.1).
import type { Client, ClientOptions, MoneyMode } from './index';

export interface SandboxOptions {
  /** The key clients must send; a fixed test key by default. */
  secretKey?: string;
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** How long the slow-bank card (4000000000000259) takes; default 3000. */
  slowBankDelayMs?: number;
  /** Days from transaction to payout date in `reports.paymentList`; default 0. */
  settlementDays?: number;
  /** Fault rules active from the start: a list, or `{ seed, rules }`. */
  faults?: FaultRule[] | FaultPlan;
  /** Approve refund and cancel requests as they are made; default false (they wait for `decideReversal`). */
  autoApproveReversals?: boolean;
  /** A card save needs an `otpSessionId` verified with `cards.checkOtp` (the code `CARD_OTP`); default false. */
  requireCardOtp?: boolean;
}

/**
 * What a fault does: `reset` (RST, no byte), `close` (FIN, no byte), `status`,
 * `delay`, `truncate` (half the body), `redirect`, `replace` (a literal body),
 * `echo` (502 echoing the request, its secrets included).
 */
export type FaultKind = 'reset' | 'close' | 'status' | 'delay' | 'truncate' | 'redirect' | 'replace' | 'echo';

/** One fault rule; the fields of the sandbox README, camelCase. */
export interface FaultRule {
  kind: FaultKind;
  /** `'after'` (default): the handler ran and the ledger committed. `'before'`: nothing is recorded. */
  when?: 'before' | 'after';
  /** One API path, e.g. `'v1/transaction/capture'`; absent: every API path. */
  path?: string;
  /** Fire for the next `count` matching requests (without count and rate: once). */
  count?: number;
  /** Fire with this probability per matching request (seeded, reproducible). */
  rate?: number;
  status?: number;
  /** Seconds, sent as `Retry-After` (status, redirect, replace). */
  retryAfter?: number;
  /** `delay`: how long the answer is held. */
  delayMs?: number;
  /** `redirect`: the `Location` header. */
  location?: string;
  /** `replace`: the answer body, as is. */
  body?: string;
}

export interface FaultPlan {
  /** Seeds the PRNG of `rate` rules; a fixed default otherwise. */
  seed?: number;
  rules: FaultRule[];
}

/** Faults injected per kind since the rules were set. */
export type FaultCounts = Record<FaultKind, number>;

/** A rule as the sandbox reports it: defaults filled in, with its counters. */
/** One transaction as the sandbox recorded it: money as exact strings, the card masked. */
export interface LedgerEntry {
  id: number;
  xactId: string;
  /** `S` sale, `PA` pre-auth, `C` capture, `R` cancel, `CD` refund, ... */
  xactType: string;
  transactionType: number;
  xactDate: string;
  dueDate: string;
  isSucceed: boolean;
  bankErrorId: string;
  referenceNo: string;
  amount: string;
  netAmount: string;
  comission: string;
  comissionTax: string;
  ratio: string;
  instalment: number;
  bankId: string;
  cardNoMasked: string;
  cardBin: string;
  cardLast4: string;
  /** The pre-auth a capture or the sale a cancel/refund belongs to. */
  parentId: number | null;
  capturedBy: number | null;
  cardHash: string;
}

export interface FaultRuleState extends FaultRule {
  when: 'before' | 'after';
  fired: number;
  /** Firings left; `null` for a rule without `count`. */
  remaining: number | null;
}

export interface FaultStats {
  seed: number;
  injected: FaultCounts;
  /** Sum of `injected`. */
  total: number;
  rules: FaultRuleState[];
}

export interface SandboxStats {
  /** API requests received (`/__sandbox/*` excluded). */
  requests: number;
  ledgerEntries: number;
}

/** The form the bank's 3D page posts to the shop's `return_url`. */
export interface ReturnPost {
  returnUrl: string;
  /** `session_id`, `token_id`, `reference_no`, `md_status` (`'1'`/`'0'`), on failure `md_error_message`. */
  fields: Record<string, string>;
}

/** A card as the sandbox's pages take it. */
export interface SandboxCard {
  cardHolder?: string;
  pan?: string;
  month?: number | string;
  year?: number | string;
  cvc?: string;
}

export interface PaynetJsSessionOptions extends SandboxCard {
  /** `data-amount`: kuruş (×100), e.g. `150000` for 1 500.00 TL. */
  amount: number | string;
  instalment?: number;
  addComissionAmount?: boolean;
  ratioCode?: string;
  installments?: string;
  noInstalment?: boolean;
  tdsRequired?: boolean;
  /** A saved card (`cards.save`) instead of the card: its hash and owner. */
  cardHash?: string;
  cardOwnerId?: string;
}

export interface PaynetJsSession {
  sessionId: string;
  tokenId: string;
}

/** A card saved to a subscription on its page (`subscribe`). */
export interface Subscribed {
  cardId: number;
  message: string;
}

export interface PaidLink {
  xactId: string;
  isSucceed: boolean;
  /** Where the payer's browser is sent; `null` when the page shows the decline itself. */
  redirect: string | null;
}

/** One delivery attempt of a PayLink `confirmation_url` post. */
export interface Confirmation {
  url: string;
  /** 1 for the first try; up to 5 retries follow a failure. */
  attempt: number;
  status: number | null;
  error: string | null;
  delivered: boolean;
  referenceNo: string;
  xactId: string;
}

/** A refund or cancel request as `v1/transaction/reversal_list` shows it. */
export interface ReversalRequest {
  reversalId: string;
  /** The payment it pays back. */
  xactId: string;
  referenceNo: string;
  amount: number;
  status: 'pending' | 'approved' | 'rejected';
  /** `'R'`: a same-day cancel; `'CD'`: a later refund. */
  xactType: 'R' | 'CD';
  requestDate: string;
  decisionDate: string | null;
  bankId: string;
  agentId: string;
}
export interface SeedSalesOptions {
  count: number;
  /** First day of the sales, `'yyyy-MM-dd'`; default the sandbox's today. */
  from?: string;
  /** Last day, included; default `from`. */
  to?: string;
  /** TL each sale charges, e.g. `'12.34'`; default `'100.00'`. */
  amount?: string | number;
  /** The same seed gives the same times and xact_ids; default 0. */
  seed?: number;
}
export interface SeedDemoOptions {
  /** First day, `'yyyy-MM-dd'`. */
  from: string;
  /** Last day, included; default `from`. */
  to?: string;
  /** Card attempts per day on average (±30 %); default 40. */
  perDay?: number;
  /** The same seed on a fresh sandbox gives the same data; default 0. */
  seed?: number;
}
export interface SeedReport {
  inserted: number;
  /** The sales have the ids `firstId..lastId`, in date order. */
  firstId: number;
  lastId: number;
  from: string;
  to: string;
}
/** The code the sandbox bank's 3D page accepts (`'000000'` plays a bank timeout). */
export declare const TDS_OTP: '123456';
/** The code the sandbox's card OTPs (`cards.sendOtp`) carry. */
export declare const CARD_OTP: '123456';

/**
 * A running sandbox. It stops when `stop()` is called or when it is garbage-
 * collected; a client made by `client()` keeps it alive. Its methods work
 * detached (`const { stop } = await startSandbox()`).
 */
export declare class Sandbox {
  private constructor();
  /** `http://127.0.0.1:PORT`, for `new Client({ baseUrl })`. */
  readonly url: string;
  /** The key the sandbox accepts (a test key, not a secret). */
  readonly secretKey: string;
  /** The key a shop page gives Paynet.js as `data-key`. */
  readonly publishableKey: string;
  stats(): SandboxStats;
  /**
   * Plays the customer on the bank's 3D page of `session` (its session_id, post_url, or
   * an object with a `sessionId`). Throws when there is no post (unknown session, wrong
   * code with tries left).
   */
  complete3d(session: string | { sessionId: string }, options?: { otp?: string } | { cancel: true }): ReturnPost;
  /** What Paynet.js does in the browser: card and `data-*` values in, the session out. */
  paynetjsSession(options: PaynetJsSessionOptions): PaynetJsSession;
  /** Pays a PayLink as its payer would (its `url` or token); the success card by default. */
  payLink(url: string, options?: { card?: SandboxCard }): Promise<PaidLink>;
  /**
   * Consents to a subscription as its customer would on the page (its `url` or token):
   * the card (the success card by default), consent, the bank's 3D page. Throws for a
   * cancelled subscription or a bad card.
   */
  subscribe(url: string, options?: { card?: SandboxCard }): Subscribed;
  /** Every `confirmation_url` delivery attempt so far, oldest first. */
  confirmations(): Confirmation[];
  /** The last code `v2/agent/create_end_user_receipt_otp` sent to `phone`. */
  lastReceiptOtp(phone: string): string | null;
  /** The sandbox's now: every date it writes comes from it. */
  clock(): Date;
  /** Moves the sandbox clock to `at` (it keeps ticking from there). */
  setClock(at: Date | string): void;
  /** Moves the sandbox clock forward, e.g. `{ days: 1 }` to leave "the same day" of a sale. */
  advanceClock(options: { days?: number; seconds?: number }): void;
  /** Approves (default) or rejects a pending refund or cancel request; throws for an unknown or decided one. */
  decideReversal(reversalId: string, options?: { approve?: boolean }): ReversalRequest;
  /** Every `succeedUrl` delivery attempt of a refund decision, oldest first (`xactId` is the `reversalId`). */
  reversalPosts(): Confirmation[];
  /** Inserts successful sales spread over days straight into the ledger, in one call. */
  seedSales(options: SeedSalesOptions): SeedReport;
  /** A realistic stretch of traffic: banks, card types, instalments, declines, pre-auths and captures, dealers, refunds. */
  seedDemo(options: SeedDemoOptions): SeedReport;
  /**
   * Replaces the fault rules (tried in order, at most one fires per request)
   * and zeroes the fault counters. A bad rule throws a TypeError naming it.
   */
  setFaults(rules: FaultRule[], options?: { seed?: number }): void;
  /**
   * Makes the next `count` (default 1) requests to `path` (or to any API path) fail with
   * one fault, replacing the current rules; `kind` defaults to `'status'` (502), `when`
   * to `'after'` (the ledger committed, the answer is lost).
   */
  failNext(options?: Partial<FaultRule>): void;
  /** Every transaction the sandbox recorded, oldest first. */
  ledger(): Promise<LedgerEntry[]>;
  /** Removes every fault rule (and zeroes the counters). */
  clearFaults(): void;
  faultStats(): FaultStats;
  /** A client pointed at this sandbox; `options` override the defaults. */
  client<M extends MoneyMode = 'string'>(options?: Partial<ClientOptions<M>>): Client<M>;
  /** Stops after in-flight requests finish. Safe to call twice. */
  stop(): Promise<void>;
}

export declare function startSandbox(options?: SandboxOptions): Promise<Sandbox>;
