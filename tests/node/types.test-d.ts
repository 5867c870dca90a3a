// Compiled (never run) by `tsc --strict` in `make test-node`: the public
// types accept what they should and, at each @ts-expect-error, refuse the rest.
import {
  APIConnectionError,
  CardDeclinedError,
  Client,
  InvalidRequestError,
  PaynetError,
  TimeoutError,
  type ErrorKind,
  type PaymentReport,
  type Transaction,
  type TransactionRecord,
} from 'paynet';
import { startSandbox, type Sandbox } from 'paynet/testing';

declare const client: Client;
declare const numeric: Client<'number'>;

async function accepted(): Promise<void> {
  const tx: Transaction = await client.payments.create(
    { amount: '12.50', referenceNo: 'R', domain: 'd', card: { number: '4355084355084358', expMonth: 12, expYear: 2045, cvc: '000', holderName: 'A B' } },
    { timeoutMs: 500, maxRetries: 0 },
  );
  // A success's xactId, xactDate and amount are never null: no check needed under strict.
  const idLength: number = tx.xactId.length;
  const amount: string = tx.amount;
  const when: Date = tx.xactDate;
  const raw: string = tx.xactDateRaw;
  const replayed: boolean = tx.replayed;
  await client.payments.create({ amount: 12.5, referenceNo: 'R', domain: 'd', cardHash: 'h', transactionType: 'pre_auth' });
  const captured: Transaction = await client.payments.capture({ xactId: tx.xactId, amount: 10 });
  await client.payments.charge({ sessionId: 's', tokenId: 't', amount: '12.50', installments: [0, 3] });
  // A check row is Paynet's record, successful or not.
  const row: TransactionRecord = await client.transactions.check({ referenceNo: 'R' });
  const rowId: string | null = row.xactId;
  const report: PaymentReport = await client.reports.paymentList({ date: '2026-01-31' });
  const arrowRows: number = (await client.reports.paymentList({ date: '2026-01-31' })).toArrow().numRows;
  const month = await client.reports.paymentListRange({ start: '2026-11-01', end: '2026-11-30' }, { onProgress: (p) => void (p.done + p.total + p.part.length) });
  const upFront: number = (await client.reports.paymentListArrow({ date: '2026-01-31' })).numRows;
  const monthDays: number = month.days + month.toArrow().numRows + arrowRows + upFront;
  // @ts-expect-error the table has no report fields
  void (await client.reports.paymentListArrow({ date: '2026-01-31' })).totalCount;
  // @ts-expect-error onProgress is only for methods made of several calls
  await client.reports.paymentList({ date: '2026-01-31' }, { onProgress: () => {} });
  const due: string | null = report.rows[0]!.dueDate;
  const n: number = (await numeric.payments.create({ amount: 1, referenceNo: 'R', domain: 'd' })).amount;
  const fromOptions: Client<'number'> = new Client({ secretKey: 'k', money: 'number' });
  // lookup takes an earlier call's error, a referenceNo or its params (the spec's `target`).
  const found: TransactionRecord | null = await client.transactions.lookup('R');
  await client.transactions.lookup(new PaynetError('x'));
  await client.transactions.lookup({ xactId: 'x' }, { timeoutMs: 500 });
  const sandbox: Sandbox = await startSandbox({ slowBankDelayMs: 100 });
  const requests: number = sandbox.stats().requests;
  void [idLength, amount, when, raw, replayed, captured, rowId, due, n, fromOptions, requests, found];
}

function narrowing(error: unknown): void {
  if (error instanceof CardDeclinedError) {
    const tx: TransactionRecord<'string' | 'number'> = error.transaction;
    const declinedId: string | null = tx.xactId;
    // A failed 3D Secure is a declined card too.
    const code: 'card_declined' | 'three_d_secure_failed' = error.code;
    void [tx, declinedId, code, error.bankErrorCode, error.bankMessage, error.cause];
  }
  if (error instanceof InvalidRequestError) {
    const field: string | null = error.field;
    void field;
  }
  if (error instanceof TimeoutError) {
    const asConnection: APIConnectionError = error;
    const ref: string | null = error.referenceNo;
    void [asConnection, ref];
  }
  if (error instanceof PaynetError) {
    const kind: ErrorKind = error.kind;
    const status: number | null = error.httpStatus;
    void [kind, status];
  }
}

async function refused(): Promise<void> {
  // @ts-expect-error secretKey is required
  new Client({ environment: 'test' });
  // @ts-expect-error only 'test' | 'live'
  new Client({ secretKey: 'k', environment: 'production' });
  // @ts-expect-error money is 'string' | 'number'
  new Client({ secretKey: 'k', money: 'bigint' });
  // @ts-expect-error referenceNo is required
  await client.payments.create({ amount: '1', domain: 'd' });
  // @ts-expect-error amounts are string | number, not bigint
  await client.payments.create({ amount: 1n, referenceNo: 'R', domain: 'd' });
  // @ts-expect-error camelCase only
  await client.payments.create({ amount: '1', reference_no: 'R', domain: 'd' });
  // @ts-expect-error transactionType is 'sale' | 'pre_auth'
  await client.payments.create({ amount: '1', referenceNo: 'R', domain: 'd', transactionType: 'refund' });
  // @ts-expect-error amounts are strings unless money: 'number'
  const n: number | null = (await client.transactions.check({ xactId: 'x' })).amount;
  // @ts-expect-error a check row's xactId may be null (strict)
  const rowLength: number = (await client.transactions.check({ xactId: 'x' })).xactId.length;
  // @ts-expect-error a check row is not a success
  const notASuccess: Transaction = await client.transactions.check({ xactId: 'x' });
  // @ts-expect-error no such resource
  client.invoices;
  // @ts-expect-error endUserGsm is required
  await client.subscriptions.create({ nameSurname: 'A', amount: '1', interval: 'monthly', intervalCount: 1, beginDate: '2031-01-01', referenceNo: 'R', endUserEmail: 'e', endUserDesc: 'd' });
  // @ts-expect-error lookup takes an error, a string or CheckParams
  await client.transactions.lookup(42);
  // @ts-expect-error expMonth is a card field, not a payment one
  await client.payments.create({ amount: '1', referenceNo: 'R', domain: 'd', expMonth: 1 });
  // @ts-expect-error the per-call option is timeoutMs
  await client.transactions.check({ xactId: 'x' }, { timeout: 5 });
  void [n, rowLength, notASuccess];
}

void [accepted, narrowing, refused];
