// A typed script: `tsc --strict` checks it in `make test-node`.
// Run it with a TypeScript runner (tsx, ts-node, Node >= 22.18) after `npm install`.
import { CardDeclinedError, Client, InvalidRequestError, type Transaction } from 'paynet';
import { startSandbox } from 'paynet/testing';

async function payOrder(client: Client, orderId: string, amount: string): Promise<Transaction | null> {
  try {
    return await client.payments.create({
      amount,
      referenceNo: orderId,
      domain: 'shop.example.com',
      card: { number: '4355084355084358', expMonth: 12, expYear: 2045, cvc: '000', holderName: 'TEST TEST' },
    });
  } catch (error) {
    if (error instanceof CardDeclinedError) {
      console.log(`declined (${error.bankErrorCode}): ${error.bankMessage}`);
      return null;
    }
    if (error instanceof InvalidRequestError) {
      console.log(`fix ${error.field}: ${error.message}`);
      return null;
    }
    throw error;
  }
}

async function main(): Promise<void> {
  const sandbox = await startSandbox();
  try {
    const client = new Client({ secretKey: sandbox.secretKey, baseUrl: sandbox.url, timeoutMs: 10_000 });
    const tx = await payOrder(client, `ORDER-${Date.now()}`, '12.50');
    if (tx) {
      const amount: string | null = tx.amount; // exact decimal text, e.g. '12.50'
      console.log(`paid ${amount} TL at ${tx.xactDateRaw} (${tx.xactDate?.toISOString()})`);
    }

    // Amounts as numbers, typed as such.
    const numeric = new Client({ secretKey: sandbox.secretKey, baseUrl: sandbox.url, money: 'number' });
    const report = await numeric.reports.paymentList();
    const total: number = report.rows.reduce((sum, row) => sum + (row.amount ?? 0), 0);
    console.log(`${report.rows.length} payments due ${report.date}, ${total.toFixed(2)} TL`);
  } finally {
    await sandbox.stop();
  }
}

void main();
