'use strict';
// README "Node" quickstart (CommonJS) against the embedded sandbox, from the installed tarballs.
const assert = require('node:assert');
const paynet = require('paynet');
const { startSandbox } = require('paynet/testing');

(async () => {
  assert.ok(!process.env.PATH.split(':').some((d) => require('node:fs').existsSync(`${d}/cargo`)), 'cargo is on PATH');
  assert.ok(require.resolve('paynet').includes('node_modules'), require.resolve('paynet'));
  const sandbox = await startSandbox();
  try {
    const client = sandbox.client();
    assert.ok(client instanceof paynet.Client);
    const tx = await client.payments.create({
      amount: '12.50', referenceNo: 'ORDER-1001', domain: 'shop.example.com',
      card: { number: '4355084355084358', expMonth: 12, expYear: 2045, cvc: '000', holderName: 'TEST TEST' },
    });
    assert.equal(tx.amount, '12.50');
    await assert.rejects(client.payments.create({
      amount: '75', referenceNo: 'ORDER-1002', domain: 'shop.example.com',
      card: { number: '4000000000009995', expMonth: 12, expYear: 2045, cvc: '000', holderName: 'A B' },
    }), paynet.CardDeclinedError);
    console.log(`cjs node ${process.version}: paid ${tx.amount}, declined`);
  } finally {
    await sandbox.stop();
  }
})().catch((e) => { console.error(e); process.exit(1); });
