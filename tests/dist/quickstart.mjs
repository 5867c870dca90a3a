// README "Node" quickstart (ESM) against the embedded sandbox, from the installed tarballs.
import assert from 'node:assert';
import paynet, { Client, CardDeclinedError } from 'paynet';
import { startSandbox } from 'paynet/testing';

assert.equal(paynet.Client, Client);
const sandbox = await startSandbox();
try {
  const client = sandbox.client();
  assert.ok(client instanceof Client);
  const tx = await client.payments.create({
    amount: '12.50', referenceNo: 'ORDER-1001', domain: 'shop.example.com',
    card: { number: '4355084355084358', expMonth: 12, expYear: 2045, cvc: '000', holderName: 'TEST TEST' },
  });
  assert.equal(tx.amount, '12.50');
  await assert.rejects(client.payments.create({
    amount: '75', referenceNo: 'ORDER-1002', domain: 'shop.example.com',
    card: { number: '4000000000009995', expMonth: 12, expYear: 2045, cvc: '000', holderName: 'A B' },
  }), CardDeclinedError);
  console.log(`esm node ${process.version}: paid ${tx.amount}, declined`);
} finally {
  await sandbox.stop();
}
