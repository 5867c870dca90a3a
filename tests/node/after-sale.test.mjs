// After the sale: refunds through Paynet's review, capture reversal, the
// transaction services and every page of a list (docs/AFTER-SALE.md).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { InvalidRequestError, UnknownOutcomeError } from 'paynet';
import { startSandbox } from 'paynet/testing';
import { payment } from './support.mjs';

let sandbox;
let client;
before(async () => {
  sandbox = await startSandbox();
  client = sandbox.client({ maxRetries: 0 });
});
after(() => sandbox.stop());

const isoDay = (date, offset = 0) => new Date(date.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
// Istanbul is UTC+3: a day either side of the sandbox's today covers it.
const span = () => ({ dateFrom: isoDay(sandbox.clock(), -5), dateTo: isoDay(sandbox.clock(), 5) });

async function refundsOf(xactId) {
  const found = [];
  for await (const refund of client.refunds.list({ ...span(), limit: 100 })) if (refund.xactId === xactId) found.push(refund);
  return found;
}

test('a same-day cancel is full, reviewed, and shows on the payment', async () => {
  const tx = await client.payments.create(payment({ amount: '100' }));
  await assert.rejects(client.refunds.create({ xactId: tx.xactId, amount: '30' }), InvalidRequestError);
  const request = await client.refunds.create({ xactId: tx.xactId });
  assert.equal((await refundsOf(tx.xactId))[0].status, 'pending');
  sandbox.decideReversal(request.reversalId, { approve: true });
  const [approved] = await refundsOf(tx.xactId);
  assert.equal(approved.status, 'approved');
  assert.equal(approved.amount, '100.00');
  const detail = await client.transactions.retrieve({ xactId: tx.xactId });
  assert.equal(detail.refundedAmount, '100.00');
});

test('later refunds are partial and never exceed the sale', async () => {
  const tx = await client.payments.create(payment({ amount: '100' }));
  sandbox.advanceClock({ days: 1 });
  await client.refunds.create({ xactId: tx.xactId, amount: '30' });
  await assert.rejects(client.refunds.create({ xactId: tx.xactId, amount: '80' }), InvalidRequestError);
  await client.refunds.create({ xactId: tx.xactId, amount: '70' });
});

test('a refund whose answer is lost is an unknown outcome, sent once', async () => {
  const tx = await client.payments.create(payment({ amount: '40' }));
  sandbox.advanceClock({ days: 1 });
  const retrying = sandbox.client({ maxRetries: 3 });
  sandbox.setFaults([{ kind: 'reset', when: 'after', path: 'v1/transaction/reversed_request', count: 1 }]);
  try {
    const error = await retrying.refunds.create({ xactId: tx.xactId, amount: '10' }).catch((e) => e);
    assert.ok(error instanceof UnknownOutcomeError, `${error}`);
    // lookup would answer about the sale: the error names no identifiers, and says where to look.
    assert.equal(error.xactId, null);
    assert.ok(error.message.includes('refunds.list') && error.message.includes(tx.xactId), error.message);
    await assert.rejects(retrying.transactions.lookup(error), InvalidRequestError);
  } finally {
    sandbox.clearFaults();
  }
  assert.equal((await refundsOf(tx.xactId)).length, 1);
});

test('a cancelled capture leaves its pre-auth capturable', async () => {
  const auth = await client.payments.create(payment({ amount: '50', transactionType: 'pre_auth' }));
  const capture = await client.payments.capture({ xactId: auth.xactId });
  assert.equal((await client.payments.cancelCapture({ xactId: capture.xactId })).isSucceed, true);
  assert.equal((await client.payments.capture({ xactId: auth.xactId })).isSucceed, true);
});

test('the services record on a payment', async () => {
  const tx = await client.payments.create(payment({ amount: '12.50' }));
  await client.transactions.addInfo({ xactId: tx.xactId, note: 'gift wrap' });
  await client.transactions.markTransferred({ xactId: tx.xactId, documentNo: 'INV-1', amount: '12.50', exchangeRate: '1.0' });
  const detail = await client.transactions.retrieve({ xactId: tx.xactId });
  assert.deepEqual([detail.note, detail.documentNo, detail.isTransferred, detail.amount], ['gift wrap', 'INV-1', true, '12.50']);
  assert.ok((await client.transactions.slip({ xactId: tx.xactId })).url.startsWith(sandbox.url));
});

test('every page of a thousand transactions comes once, through for await', async () => {
  const from = isoDay(sandbox.clock(), 30);
  const to = isoDay(sandbox.clock(), 32);
  sandbox.seedSales({ count: 1001, from, to, seed: 5 });
  const seen = new Set();
  let count = 0;
  for await (const row of client.transactions.list({ dateFrom: from, dateTo: to, limit: 100 })) {
    seen.add(row.xactId);
    count += 1;
  }
  assert.equal(count, 1001);
  assert.equal(seen.size, 1001);
  const page = await client.transactions.listPage({ dateFrom: from, dateTo: to, limit: 100 });
  assert.equal(page.nextStartingAfter, 100);
  assert.equal(page.totalCount, 1001);
});

const GIF = Buffer.from('R0lGODlhAQABAAAAACwAAAAAAQABAAACADs=', 'base64');

test('a signature image is uploaded from a Buffer or a path; anything else is refused by field', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const tx = await client.payments.create(payment({ amount: '5' }));
  assert.equal((await client.transactions.uploadSignature({ xactId: tx.xactId, image: GIF, fileName: 'signature.gif' })).resultCode, 0);
  const path = join(mkdtempSync(join(tmpdir(), 'paynet-')), 'signature.gif');
  writeFileSync(path, GIF);
  const { pathToFileURL } = await import('node:url');
  assert.equal((await client.transactions.uploadSignature({ xactId: tx.xactId, image: pathToFileURL(path) })).resultCode, 0);
  const text = await client.transactions.uploadSignature({ xactId: tx.xactId, image: path }).catch((e) => e);
  assert.ok(text instanceof InvalidRequestError && text.field === 'image', `${text}`);
  const refused = await client.transactions.uploadSignature({ xactId: tx.xactId, image: Buffer.from('%PDF-1.4') }).catch((e) => e);
  assert.ok(refused instanceof InvalidRequestError, `${refused}`);
  assert.equal(refused.field, 'image');
});

test('an escrowed payment is approved once', async () => {
  const session = sandbox.paynetjsSession({ amount: 4000 });
  const tx = await client.payments.charge({ sessionId: session.sessionId, tokenId: session.tokenId, amount: '40.00', isEscrow: true });
  assert.equal((await client.transactions.updateEscrow({ xactId: tx.xactId, status: 'approve' })).resultCode, 0);
  await assert.rejects(client.transactions.updateEscrow({ xactId: tx.xactId, status: 'reject' }));
});
