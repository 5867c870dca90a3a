// A checkout page's instalment table and a saved-card payment, against an
// embedded sandbox:  node examples/instalment_table.mjs
import { startSandbox } from 'paynet/testing';

const sandbox = await startSandbox();
try {
  const client = sandbox.client();
  const card = { number: '4355084355084358', expMonth: 12, expYear: 2045, cvc: '000', holderName: 'AYSE YILMAZ' };

  // First save names your customer id; keep the cardOwnerId Paynet returns.
  const saved = await client.cards.save({ card, cardDesc: 'My Visa', userUniqueId: `customer-${Date.now()}` });
  for await (const stored of client.cards.list({ cardOwnerId: saved.cardOwnerId })) {
    console.log(`${stored.cardDesc}: ${stored.cardNoMasked}`);
  }
  const tx = await client.payments.create({
    amount: '249.90', referenceNo: `ORDER-${Date.now()}`, domain: 'shop.example.com',
    cardHash: saved.cardHash, cardOwnerId: saved.cardOwnerId,
  });
  console.log(`Paid ${tx.amount} TL with the saved card`);

  // Amounts are exact strings, ready to render.
  const table = await client.ratios.instalmentTable({ amount: '249.90', bin: '435508', addCommission: true });
  for (const bank of table.banks) {
    console.log(`\n${bank.bankName} (${bank.cardType})`);
    for (const row of bank.rows) console.log(`  ${row.count} x ${row.installmentAmount} = ${row.total} TL   ${row.desc}`);
  }
} finally {
  await sandbox.stop();
}
