// Shared by the test files (not a test itself: node --test only runs *.test.mjs).
import { randomUUID } from 'node:crypto';

export const CARDS = {
  success: '4355084355084358',
  insufficientFunds: '4000000000009995',
  doNotHonour: '4000000000000002',
  expired: '4000000000000069',
  stolen: '4000000000009979',
  slowBank: '4000000000000259',
  malformedResponse: '4000000000000119',
};

export function card(number = CARDS.success, extra = {}) {
  return { number, expMonth: 12, expYear: 2045, cvc: '000', holderName: 'TEST TEST', ...extra };
}

/** Valid `payments.create` parameters with a fresh referenceNo. */
export function payment(overrides = {}) {
  return { amount: '12.50', referenceNo: `ORDER-${randomUUID()}`, domain: 'shop.example.com', card: card(), ...overrides };
}

export function toCamel(name) {
  return name.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
}

/** Deep snake_case -> camelCase of object keys (vector params are snake_case). */
export function camelKeys(value) {
  if (Array.isArray(value)) return value.map(camelKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [toCamel(k), camelKeys(v)]));
}

/**
 * JSON.parse, but every number becomes `{ $number: '<its exact text>' }`, so
 * `12.50` and `12.5` compare different. Strings are matched first so digits
 * inside them are left alone.
 */
export function parseExact(text) {
  const marked = text.replace(/"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g, (token) =>
    token.startsWith('"') ? token : `{"$number":"${token}"}`,
  );
  return JSON.parse(marked);
}
