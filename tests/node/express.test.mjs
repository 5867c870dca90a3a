// Runs examples/express-app.mjs against the sandbox, over HTTP end to end.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSandbox } from 'paynet/testing';
import { createApp } from '../../examples/express-app.mjs';
import { CARDS, card } from './support.mjs';

let sandbox;
let server;
let base;
before(async () => {
  sandbox = await startSandbox();
  server = createApp(sandbox.client()).listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});
after(async () => {
  await new Promise((resolve) => server.close(resolve));
  await sandbox.stop();
});

const checkout = (body) =>
  fetch(`${base}/checkout`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

test('POST /checkout pays, and a retried order is not charged twice', async () => {
  const order = { orderId: `WEB-${Date.now()}`, amount: '49.90', card: card() };
  const first = await checkout(order);
  assert.equal(first.status, 200);
  const paid = await first.json();
  assert.equal(paid.paid, true);
  assert.equal(paid.amount, '49.90');
  const again = await (await checkout(order)).json();
  assert.equal(again.replayed, true);
  assert.equal(again.xactId, paid.xactId);
});

test('a declined card is a 402, a bad card number a 400 naming the field', async () => {
  const declined = await checkout({ orderId: `WEB-D-${Date.now()}`, amount: 10, card: card(CARDS.insufficientFunds) });
  assert.equal(declined.status, 402);
  assert.equal((await declined.json()).error, 'card_declined');
  const bad = await checkout({ orderId: `WEB-B-${Date.now()}`, amount: 10, card: card('4546711234567890') });
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).field, 'card.number');
});
