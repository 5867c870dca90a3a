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
}

export interface SandboxStats {
  /** API requests received (`/__sandbox/*` excluded). */
  requests: number;
  ledgerEntries: number;
}

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
  stats(): SandboxStats;
  /** A client pointed at this sandbox; `options` override the defaults. */
  client<M extends MoneyMode = 'string'>(options?: Partial<ClientOptions<M>>): Client<M>;
  /** Stops after in-flight requests finish. Safe to call twice. */
  stop(): Promise<void>;
}

export declare function startSandbox(options?: SandboxOptions): Promise<Sandbox>;
