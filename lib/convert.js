'use strict';
// JS values <-> the JSON text core reads and writes. Generic over every
// endpoint: names are mapped camelCase <-> snake_case, and result fields get
// their JS type from core's field-kind table (money, ratio, datetime, date).

const native = require('./native');

const FIELD_KINDS = native.fieldKinds();

// Parameter and result names come from a small fixed set: convert each once.
const SNAKE = new Map();
const CAMEL = new Map();

function toSnake(name) {
  let out = SNAKE.get(name);
  if (out === undefined) {
    out = name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    if (SNAKE.size < 10000) SNAKE.set(name, out);
  }
  return out;
}

function toCamel(name) {
  let out = CAMEL.get(name);
  if (out === undefined) {
    out = name.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
    if (CAMEL.size < 10000) CAMEL.set(name, out);
  }
  return out;
}

/** camelCase names of datetime fields (`xactDate`). */
const DATETIMES = new Set(
  Object.entries(FIELD_KINDS)
    .filter(([, kind]) => kind === 'datetime')
    .map(([name]) => toCamel(name)),
);

/** `card.exp_month` / `installments[0]` -> `card.expMonth` / `installments[0]`. */
function fieldToCamel(path) {
  return path.split('.').map(toCamel).join('.');
}

/**
 * Serializes user parameters to JSON text with snake_case keys.
 *
 * Written by hand rather than with JSON.stringify because numbers must keep
 * their shortest round-trip text (what String(n) prints, which core then
 * refuses if it has more than two decimals), and because JSON.stringify would
 * silently turn NaN and Infinity into `null`, i.e. "parameter absent". Those
 * go over as the strings "NaN" / "Infinity", which core refuses naming the
 * field. A bigint goes over as its exact digits.
 *
 * What cannot be a parameter is refused here, naming it: functions, symbols,
 * cycles, snake_case names (the wire spelling; sent as given they would
 * reach core beside their camelCase twin), and `Date`s (an instant, while
 * Paynet's dates are calendar days: which day depends on a time zone).
 */
function encodeParams(value, path = 'params', seen = new Set()) {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : JSON.stringify(String(value));
    case 'bigint':
      return value.toString();
    case 'object':
      break;
    default:
      throw refuse(path, `cannot be a ${typeof value}`);
  }
  if (value instanceof Date) throw refuse(path, "must be a 'YYYY-MM-DD' string, not a Date");
  if (seen.has(value)) throw refuse(path, 'refers to itself');
  seen.add(value);
  let text;
  if (Array.isArray(value)) {
    text = `[${value.map((item, i) => (item === undefined ? 'null' : encodeParams(item, `${path}[${i}]`, seen))).join(',')}]`;
  } else {
    const members = [];
    for (const [key, item] of Object.entries(value)) {
      const at = path === 'params' ? key : `${path}.${key}`;
      if (key.includes('_')) throw refuse(at, `unknown parameter; did you mean \`${toCamel(key)}\`?`);
      if (item === undefined) continue;
      members.push(`${JSON.stringify(toSnake(key))}:${encodeParams(item, at, seen)}`);
    }
    text = `{${members.join(',')}}`;
  }
  seen.delete(value);
  return text;
}

function refuse(field, problem) {
  // Required here, not at the top: errors.js requires this module.
  return require('./errors').invalid(field, problem);
}

/**
 * Reads `NativeClient.call`'s answer: `[result, datetimePaths]` as JSON text
 * already in the JS shape (camelCase, money per the client's mode, rates as
 * numbers, each datetime as `xDate: null` + `xDateRaw`; see
 * bindings-node/src/output.rs). What is left is making the `Date`s, only
 * where the paths say datetimes are (`['rows', '*', 'xactDate']`), or, if the
 * paths are `null`, wherever a datetime name is found.
 */
function decodeOutput(text) {
  const [value, paths] = JSON.parse(text);
  if (paths === null) {
    fillAllDates(value);
  } else {
    for (const path of paths) fillDates(value, path, 0);
  }
  return value;
}

function fillDate(object, name) {
  const raw = object[`${name}Raw`];
  object[name] = typeof raw === 'string' ? new Date(raw) : null;
}

function fillDates(node, path, at) {
  if (node === null || typeof node !== 'object') return;
  const step = path[at];
  if (at === path.length - 1) {
    fillDate(node, step);
  } else if (step === '*') {
    if (!Array.isArray(node)) return;
    if (at === path.length - 2) {
      // The common case, a list of rows: no recursion per row.
      const name = path[at + 1];
      const rawName = `${name}Raw`;
      for (let i = 0; i < node.length; i++) {
        const row = node[i];
        if (row === null || typeof row !== 'object') continue;
        const raw = row[rawName];
        row[name] = typeof raw === 'string' ? new Date(raw) : null;
      }
    } else {
      for (let i = 0; i < node.length; i++) fillDates(node[i], path, at + 1);
    }
  } else {
    fillDates(node[step], path, at + 1);
  }
}

function fillAllDates(node) {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const item of node) fillAllDates(item);
    return;
  }
  for (const key of Object.keys(node)) {
    if (DATETIMES.has(key) && node[key] === null && `${key}Raw` in node) fillDate(node, key);
    else fillAllDates(node[key]);
  }
}

/**
 * Turns core's result (snake_case, money as exact decimal strings, datetimes
 * as RFC 3339 text) into the JS shape promised by `index.d.ts`.
 * `money: 'number'` converts money fields with Number(); see README for why
 * strings are the default.
 */
function decodeResult(value, money) {
  if (Array.isArray(value)) return value.map((item) => decodeResult(item, money));
  if (value === null || typeof value !== 'object') return value;
  const out = {};
  for (const [key, item] of Object.entries(value)) {
    const name = toCamel(key);
    const kind = FIELD_KINDS[key];
    if (kind === 'money' && typeof item === 'string') {
      out[name] = money === 'number' ? Number(item) : item;
    } else if (kind === 'ratio' && typeof item === 'string') {
      // A rate is a factor, not an amount: a float is fine (core's table says so).
      out[name] = Number(item);
    } else if (kind === 'datetime') {
      // Date keeps the instant but drops Paynet's offset (+03:00); the raw
      // text keeps it for display and for exact comparisons.
      out[name] = typeof item === 'string' ? new Date(item) : null;
      out[`${name}Raw`] = typeof item === 'string' ? item : null;
    } else {
      out[name] = decodeResult(item, money);
    }
  }
  return out;
}

module.exports = { encodeParams, decodeOutput, decodeResult, fieldToCamel, toCamel, toSnake };
