// Issue 9 from Node: what the client does when the network or the answer is
// hostile, driven by the sandbox's after-commit faults over real HTTP.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, InvalidRequestError, ProtocolError, UnknownOutcomeError } from 'paynet';
import { startSandbox } from 'paynet/testing';
import { card, payment } from './support.mjs';

const KEY = 'sck_node_hostile_Zq81Lm42';
const PAN = '4355084355084358';
const CVC = '0417';

async function session(sb, amount = '1000') {
  const answer = await fetch(`${sb.url}/__sandbox/paynetjs/session`, {
    method: 'POST',
    body: JSON.stringify({ amount, pan: PAN, month: 12, year: 2045, cvc: '000', card_holder: 'TEST TEST' }),
  });
  return answer.json();
}

describe('hostile networks', () => {
  let sb;
  let client;
  before(async () => {
    sb = await startSandbox({ secretKey: KEY });
    client = sb.client({ maxRetries: 0 });
  });
  after(() => sb.stop());

  test('an unknown outcome carries its reference, and lookup settles it', async () => {
    const s = await session(sb);
    sb.setFaults([{ kind: 'status', status: 502, path: 'v1/transaction/charge', count: 1 }]);
    const err = await client.payments
      .charge({ sessionId: s.session_id, tokenId: s.token_id, amount: '10', referenceNo: 'NODE-UO-1' })
      .then(() => assert.fail('the 502 must not read as a success'), (e) => e);
    assert.ok(err instanceof UnknownOutcomeError, String(err));
    assert.equal(err.referenceNo, 'NODE-UO-1');
    assert.equal(err.httpStatus, 502);
    const tx = await client.transactions.lookup(err);
    assert.equal(tx.isSucceed, true, 'the charge did move money');
    assert.equal(tx.referenceNo, 'NODE-UO-1');
    assert.equal(await client.transactions.lookup('NODE-NEVER-SENT'), null);
    assert.equal((await client.transactions.lookup({ referenceNo: 'NODE-UO-1' })).xactId, tx.xactId);
  });

  test('a charge refused before it was processed looks up as null', async () => {
    const s = await session(sb);
    sb.setFaults([{ kind: 'status', status: 503, when: 'before', count: 1 }]);
    const err = await client.payments
      .charge({ sessionId: s.session_id, tokenId: s.token_id, amount: '10', referenceNo: 'NODE-UO-2' })
      .catch((e) => e);
    assert.ok(err instanceof UnknownOutcomeError);
    assert.equal(await client.transactions.lookup(err), null);
  });

  test('a capture lost after commit names the pre-auth, and repeating it cannot capture twice', async () => {
    const pre = await client.payments.create(payment({ transactionType: 'pre_auth', amount: '30' }));
    sb.setFaults([{ kind: 'reset', path: 'v1/transaction/capture', count: 1 }]);
    const err = await client.payments.capture({ xactId: pre.xactId, amount: '10' }).catch((e) => e);
    assert.ok(err instanceof UnknownOutcomeError, String(err));
    assert.equal(err.xactId, pre.xactId);
    assert.equal((await client.transactions.lookup(err)).xactId, pre.xactId, 'check reports the pre-auth');
    const again = await client.payments.capture({ xactId: pre.xactId, amount: '10' }).catch((e) => e);
    assert.ok(again instanceof InvalidRequestError, String(again));
  });

  test('a redirect is not followed, and nothing reaches its target', async () => {
    const elsewhere = await startSandbox({ secretKey: KEY });
    try {
      sb.setFaults([{ kind: 'redirect', status: 307, location: `${elsewhere.url}/v2/transaction/payment`, count: 2 }]);
      const err = await client.payments.create(payment({ card: card(PAN, { cvc: CVC }) })).catch((e) => e);
      assert.ok(err instanceof UnknownOutcomeError, String(err));
      const check = await client.transactions.check({ referenceNo: 'X' }).catch((e) => e);
      assert.ok(check instanceof ProtocolError, String(check));
      assert.equal(elsewhere.stats().requests, 0);
    } finally {
      await elsewhere.stop();
    }
  });

  test('a success without an xact_id, xact_date or amount is an unknown outcome, never a half-empty payment', async () => {
    for (const missing of ['xact_id', 'xact_date', 'amount']) {
      const answer = { is_succeed: true, code: 0, xact_id: 'xk_1', xact_date: '2026-12-01T10:00:00+03:00', amount: 10 };
      delete answer[missing];
      sb.setFaults([{ kind: 'replace', body: JSON.stringify(answer), count: 1 }]);
      const sent = payment();
      const err = await client.payments.create(sent).catch((e) => e);
      assert.ok(err instanceof UnknownOutcomeError, String(err));
      assert.ok(err.message.includes(`has no \`${missing}\``), err.message);
      assert.equal(err.referenceNo, sent.referenceNo);
      assert.match(err.bodySnippet, /is_succeed/);
    }
  });

  test('an echoing proxy leaks neither the key, the card number nor the CVC', async () => {
    sb.setFaults([{ kind: 'echo', count: 1 }]);
    const err = await client.payments.create(payment({ card: card(PAN, { cvc: CVC }) })).catch((e) => e);
    assert.ok(err instanceof UnknownOutcomeError);
    const shown = `${err.message} ${err.bodySnippet} ${JSON.stringify(err)} ${err.stack}`;
    for (const secret of [KEY, PAN, `"${CVC}"`]) assert.ok(!shown.includes(secret), `${secret} leaked: ${shown}`);
  });
});

describe('base URLs', () => {
  test('plain http is refused for live and for other machines unless opted in', () => {
    const refused = (options) => {
      const err = (() => {
        try {
          return new Client({ secretKey: KEY, ...options });
        } catch (e) {
          return e;
        }
      })();
      assert.ok(err instanceof InvalidRequestError, `${JSON.stringify(options)}: ${err}`);
      assert.match(err.field, /^base_?[uU]rl$/);
    };
    refused({ environment: 'live', baseUrl: 'http://127.0.0.1:8080' });
    refused({ baseUrl: 'http://sandbox.internal:8080' });
    refused({ baseUrl: 'https://api.example.com/?x=1' });
    refused({ baseUrl: 'https://user:pw@api.example.com' });
    new Client({ secretKey: KEY, baseUrl: 'http://sandbox.internal:8080', allowInsecureHttp: true });
    new Client({ secretKey: KEY, baseUrl: 'http://localhost:1' });
  });
});

describe('amount text', () => {
  test('exponent notation, spaces and bare points are refused by field', () => {
    const client = new Client({ secretKey: KEY, baseUrl: 'http://127.0.0.1:9' });
    for (const amount of ['1e5', '1E+5', ' 12.50', '12.50 ', '12.', '.5', '+12', 1e-7]) {
      assert.throws(() => client.prepare('payments.create', payment({ amount })), (e) => e instanceof InvalidRequestError && e.field === 'amount', String(amount));
    }
  });
});
