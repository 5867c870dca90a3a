// Saved cards and instalment tables over real HTTP: save → list → pay with the
// hash (non-3D, 3D, Paynet.js) → rename → delete → the deleted hash refused; a
// checkout page's instalment table for three banks; a ratio type that changes
// later payments (README "Saved cards", "Instalment tables").
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { APIError, InvalidRequestError } from 'paynet';
import { startSandbox } from 'paynet/testing';
import { card, payment } from './support.mjs';

let sandbox;
let client;
before(async () => {
  sandbox = await startSandbox();
  client = sandbox.client({ maxRetries: 0 });
});
after(() => sandbox.stop());

const unique = (prefix) => `${prefix}-${Date.now()}-${Math.random().toString(36).slice(2)}`;

test('save, list, pay with the hash everywhere, rename, delete', async () => {
  const before = (await sandbox.ledger()).length;
  const saved = await client.cards.save({ card: card(), cardDesc: 'My Visa', userUniqueId: unique('C') });
  assert.ok(saved.cardHash.startsWith('pch_'));
  assert.equal(saved.cardNoMasked, '435508******4358');
  const owner = saved.cardOwnerId;
  const [verify, voided] = (await sandbox.ledger()).slice(before);
  assert.deepEqual([verify.xactType, verify.amount, voided.xactType, voided.parentId], ['PR', '1.00', 'RP', verify.id]);

  const second = await client.cards.save({ card: card('5571135571135575'), cardDesc: 'Work', cardOwnerId: owner });
  const hashes = [];
  for await (const stored of client.cards.list({ cardOwnerId: owner, limit: 1 })) hashes.push(stored.cardHash);
  assert.deepEqual(hashes, [saved.cardHash, second.cardHash]);

  const savedCard = { card: undefined, cardHash: saved.cardHash, cardOwnerId: owner };
  const tx = await client.payments.create(payment(savedCard));
  assert.equal(tx.isSucceed, true);
  const session = await client.payments.create3d({ ...payment(savedCard), returnUrl: 'https://shop.example.com/3d' });
  const posted = sandbox.complete3d(session);
  assert.equal((await client.payments.complete3d(posted.fields)).isSucceed, true);
  const js = sandbox.paynetjsSession({ amount: 1500, cardHash: saved.cardHash, cardOwnerId: owner });
  const charged = await client.payments.charge({ sessionId: js.sessionId, tokenId: js.tokenId, amount: '15', referenceNo: unique('JS') });
  assert.equal(charged.amount, '15.00');

  await client.cards.updateDescription({ cardOwnerId: owner, cardHash: saved.cardHash, cardDesc: 'Old Visa' });
  const page = await client.cards.listPage({ cardOwnerId: owner });
  assert.equal(page.cards[0].cardDesc, 'Old Visa');
  await client.cards.delete({ cardOwnerId: owner, cardHash: saved.cardHash });
  assert.deepEqual((await client.cards.listPage({ cardOwnerId: owner })).cards.map((c) => c.cardHash), [second.cardHash]);
  await assert.rejects(client.payments.create(payment(savedCard)), (e) => e instanceof InvalidRequestError && e.resultCode === 18);
});

test('the card OTP: a wrong code is refused, the right one accepted', async () => {
  const otpSessionId = unique('O');
  const sent = await client.cards.sendOtp({ userGsm: '5321234567', otpSessionId });
  assert.ok(sent.expiresAt instanceof Date);
  await assert.rejects(client.cards.checkOtp({ otpCode: '000000', otpSessionId, userGsm: '5321234567' }), APIError);
  assert.equal((await client.cards.checkOtp({ otpCode: '123456', otpSessionId, userGsm: '5321234567' })).resultCode, 0);
  await assert.rejects(client.cards.sendOtp({ userGsm: '05321234567', otpSessionId }), (e) => e instanceof InvalidRequestError && e.field === 'userGsm');
});

test('the card OTP code stays out of errors', async () => {
  const { inspect } = await import('node:util');
  const otpCode = '918273';
  const hidden = (e) => !inspect(e).includes(otpCode) && !String(e).includes(otpCode);
  await assert.rejects(client.cards.checkOtp({ otpCode, otpSessionId: '', userGsm: '5321234567' }), (e) => e instanceof InvalidRequestError && hidden(e));
  await assert.rejects(client.cards.checkOtp({ otpCode, otpSessionId: unique('O'), userGsm: '5321234567' }), (e) => e instanceof APIError && hidden(e));
});

test('an instalment table for three banks, exact amounts', async () => {
  const table = await client.ratios.instalmentTable({ amount: '10', addCommission: true });
  assert.equal(table.amount, '10.00');
  for (const bankId of ['AXSS', 'MAXM', 'BONS']) {
    const bank = table.banks.find((b) => b.bankId === bankId);
    assert.deepEqual(bank.rows.map((r) => r.installment), [0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const three = bank.rows.find((r) => r.installment === 3);
    assert.deepEqual([three.count, three.ratio, three.installmentAmount, three.total, three.surcharge, three.desc], [3, 0.0349, '3.47', '10.42', '0.42', '3 Taksit 3 x 3,47 = 10,42 TL']);
  }
  const byBin = await client.ratios.instalmentTable({ amount: '10', bin: '450803' });
  assert.deepEqual(byBin.banks.map((b) => b.bankId), ['MAXM']);
  await assert.rejects(client.ratios.instalmentTable({ bin: '450803' }), (e) => e instanceof InvalidRequestError && e.field === 'amount');
});

test('a ratio type changes later payments and blocks what it blocks', async () => {
  const { ratioCode } = await client.ratios.setType({ description: 'Campaign', isCumulative: true });
  await client.ratios.define({
    ratioCode,
    cardType: 'cc',
    banks: [
      { bankId: 'AXSS', instalments: [{ instalment: 3, ratio: '-0.01' }, { instalment: 6, isBlocked: true }] },
      { bankId: 'BONS', isBlocked: true },
    ],
  });
  const raw = await client.ratios.get({ amount: '100', ratioCode });
  const axss = raw.banks.find((b) => b.bankId === 'AXSS');
  assert.equal(axss.options.find((o) => o.installment === 3).ratio, 0.0249);
  assert.ok(!axss.options.some((o) => o.installment === 6));
  const tx = await client.payments.create(payment({ amount: '100', installment: 3, ratioCode }));
  assert.equal(tx.commission, '2.49');
  await assert.rejects(client.payments.create(payment({ amount: '100', installment: 6, ratioCode })), (e) => e.resultCode === 21);
  await client.ratios.deleteType({ ratioCode });
  await assert.rejects(client.ratios.deleteType({ ratioCode }), InvalidRequestError);
});

test('agents: limits used up by payments, login, one-time links, the bare check_agent', async () => {
  const before = await client.agents.limitInfo({ agentId: '20077' });
  assert.equal(before.definedLimit, '1000.00');
  await client.payments.create(payment({ amount: '100', agentId: '20077' }));
  const after = await client.agents.limitInfo({ agentId: '20077' });
  assert.equal(Number(after.usedLimit) - Number(before.usedLimit), 100);
  const session = await client.agents.login({ userName: 'bayi.kullanici', password: 'Bayi.Sifre.1', agentId: '20077', pushtokenId: 'device-1' });
  assert.ok(session.sessionKey.startsWith('ssk_'));
  const { inspect } = await import('node:util');
  assert.ok(!inspect(session).includes(session.sessionKey) && !JSON.stringify(session).includes(session.sessionKey));
  // As documented: copies leave the secret out too (they would otherwise print it), reading it by name works.
  assert.equal({ ...session }.sessionKey, undefined);
  assert.equal(structuredClone(session).sessionKey, undefined);
  assert.equal(structuredClone(session).agentId, '20077');
  const link = await client.agents.autologin({ userName: 'bayi.kullanici', agentId: '20077' });
  assert.ok(link.url.startsWith(sandbox.url) && !inspect(link).includes(link.url));
  assert.equal((await fetch(link.url)).status, 200);
  assert.equal((await fetch(link.url)).status, 410);
  assert.equal((await client.agents.checkAgent({ agentReferenceNo: '987345' })).agentId, '20077');
  const ok = await client.agents.checkIntegrationInfo({ agentId: '20077', publishableKey: 'pbk_agent_20077_test', secretKey: 'sck_agent_20077_test' });
  assert.equal(ok.resultCode, 0);
  await assert.rejects(client.agents.login({ userName: 'bayi.kullanici', password: 'wrong', agentId: '20077', pushtokenId: 'd' }), APIError);
});

test('ratios.getPublic goes with the publishable key, in the header or the body', async () => {
  const params = { amount: '10', bin: '435508' };
  const header = await sandbox.client({ publishableKey: sandbox.publishableKey }).ratios.getPublic(params);
  const body = await sandbox.client({ publishableKey: sandbox.publishableKey, publishableKeyIn: 'body' }).ratios.getPublic(params);
  assert.deepEqual(body, header);
  await assert.rejects(client.ratios.getPublic(params), (e) => e instanceof InvalidRequestError && e.field === 'publishableKey');
});

test('an OTP merchant saves a card once the code is checked', async () => {
  const { CARD_OTP } = await import('paynet/testing');
  const otpSandbox = await startSandbox({ requireCardOtp: true });
  try {
    const otpClient = otpSandbox.client();
    const otpSessionId = unique('O');
    const save = { card: card(), cardDesc: 'My Visa', userUniqueId: unique('C'), otpSessionId };
    await assert.rejects(otpClient.cards.save(save), InvalidRequestError);
    await otpClient.cards.sendOtp({ userGsm: '5321234567', otpSessionId });
    await otpClient.cards.checkOtp({ otpCode: CARD_OTP, otpSessionId, userGsm: '5321234567' });
    assert.ok((await otpClient.cards.save(save)).cardHash.startsWith('pch_'));
  } finally {
    await otpSandbox.stop();
  }
});
