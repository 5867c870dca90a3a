'use strict';
// JS values <-> the JSON text core reads and writes. Generic over every
// endpoint: names are mapped camelCase <-> snake_case through the generated
// tables of lib/names.js (never by pattern: `card3dX` is `card_3d_x` because
// the spec says so). A result's values come typed by their kinds (money,
// ratio, datetime, date) from the native side, which reads them from core's
// types (bindings-node/src/output.rs); an error's transaction, plain JSON, is
// typed by its model's `kinds` in lib/names.js, generated from those types.

const { fileURLToPath } = require('node:url');
const { PARAMS, MODELS, OPTIONS_TO_NODE } = require('./names');

/**
 * Core's name -> Node's, for every parameter, result field and client option:
 * what core's error fields and messages say, shown the way JS users wrote it.
 * Core names one thing one way, so the union of the tables is unambiguous.
 */
const TO_NODE = new Map();
for (const tables of [PARAMS, MODELS]) {
  for (const name of Object.keys(tables)) {
    for (const [snake, camel] of Object.entries(tables[name].toCamel)) TO_NODE.set(snake, camel);
  }
}
for (const [snake, camel] of Object.entries(OPTIONS_TO_NODE)) TO_NODE.set(snake, camel);

/** Core's name of a parameter, field or option in Node, or the name as is when it is none of them. */
function toCamel(name) {
  return TO_NODE.get(name) ?? name;
}

/** `card.exp_month` / `installments[0]` -> `card.expMonth` / `installments[0]`. */
function fieldToCamel(path) {
  return path
    .split('.')
    .map((segment) => {
      const at = segment.indexOf('[');
      return at < 0 ? toCamel(segment) : toCamel(segment.slice(0, at)) + segment.slice(at);
    })
    .join('.');
}

/** serde's wording, so that a name refused here reads as one core refuses. */
function unknown(key, names) {
  const quoted = Object.keys(names.toSnake).map((n) => `\`${n}\``);
  let known;
  if (quoted.length === 0) known = 'there are no fields';
  else if (quoted.length === 1) known = `expected ${quoted[0]}`;
  else if (quoted.length === 2) known = `expected ${quoted[0]} or ${quoted[1]}`;
  else known = `expected one of ${quoted.join(', ')}`;
  return `unknown field \`${key}\`, ${known}`;
}

/**
 * Serializes user parameters to JSON text with core's (snake_case) keys.
 * `struct` names the params struct `value` is (lib/names.js `PARAMS`; a
 * method's from `METHODS`): each key is looked up in its table, and a name
 * it does not list is refused here, as core would refuse it (kind, field and
 * wording): unknown, naming the known ones. A value in no struct (a list of
 * numbers, an object where text belongs) keeps its keys: core refuses its type.
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
function encodeParams(value, struct = null, path = 'params', seen = new Set()) {
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
  // A file parameter (core/src/file.rs): its bytes (a Buffer is a Uint8Array),
  // or its path as a `file:` URL, the way node:fs takes one.
  if (value instanceof Uint8Array) {
    return JSON.stringify({ $bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') });
  }
  if (value instanceof URL) {
    if (value.protocol !== 'file:') throw refuse(path, 'must be a file: URL');
    return JSON.stringify({ $path: fileURLToPath(value) });
  }
  if (value instanceof Date) throw refuse(path, "must be a 'YYYY-MM-DD' string, not a Date");
  if (seen.has(value)) throw refuse(path, 'refers to itself');
  seen.add(value);
  let text;
  if (Array.isArray(value)) {
    // A list holds the field's struct (if any) in each element.
    text = `[${value.map((item, i) => (item === undefined ? 'null' : encodeParams(item, struct, `${path}[${i}]`, seen))).join(',')}]`;
  } else {
    const names = struct === null ? null : (PARAMS[struct] ?? null);
    const members = [];
    for (const [key, item] of Object.entries(value)) {
      const at = path === 'params' ? key : `${path}.${key}`;
      if (key.includes('_')) {
        const meant = names === null ? undefined : names.toCamel[key];
        if (meant !== undefined) throw refuse(at, `unknown parameter; did you mean \`${meant}\`?`);
        throw refuse(at, names === null ? 'unknown parameter' : unknown(key, names));
      }
      if (item === undefined) continue;
      const snake = names === null ? key : names.toSnake[key];
      if (snake === undefined) {
        // What cannot be a parameter at all (a function, a cycle) is said
        // first, as it was before the name is looked at.
        encodeParams(item, null, at, seen);
        throw refuse(at, unknown(key, names));
      }
      const inner = names === null ? null : (names.structs[key] ?? null);
      members.push(`${JSON.stringify(snake)}:${encodeParams(item, inner, at, seen)}`);
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
 * where the paths say datetimes are (`['rows', '*', 'xactDate']`: `'*'` is
 * every element of an array; under a map, a path names the key).
 */
function decodeOutput(text) {
  const [value, paths] = JSON.parse(text);
  for (const path of paths) fillDates(value, path, 0);
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
  } else if (step === '*' && Array.isArray(node)) {
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

/**
 * The row objects from `NativeTable.rows()` (bindings-node/src/rows.rs):
 * per column a tag per row (null, text, number, true, false, JSON of a
 * nested value), the text of its values as one string with where each ends,
 * and codes into distinct values when the column repeats. The rows have the fields, order and types
 * `decodeOutput` gives (a datetime as `xDate`, a `Date` of the instant its
 * column's `numbers` hold, and `xDateRaw`).
 */
function rowsFromColumns({ count, columns }) {
  const forms = columns.map(formOf);
  const cols = columns.map(prepared);
  return rowBuilder(columns, forms)(cols, cols.map(columnReader), count);
}

const NULL = 0;
const TEXT = 1;
const NUMBER = 2;
const TRUE = 3;
const FALSE = 4;
const JSON_TEXT = 5;

/**
 * What one column holds, for the row builder to read it without a branch
 * per kind: `codes` (text of a few distinct values), `text`, `number`,
 * `bool`, `datetime` (text and instant), or `any` (a mix, or nested JSON).
 */
function formOf({ tags, codes, datetime }) {
  let seen = 0;
  for (let i = 0; i < tags.length; i++) seen |= 1 << tags[i];
  const only = (...allowed) => (seen & ~allowed.reduce((m, t) => m | (1 << t), 1 << NULL)) === 0;
  const text = codes === null || codes === undefined ? 'text' : 'codes';
  if (datetime) return only(TEXT) ? `datetime-${text}` : 'any';
  if (only(TEXT)) return text;
  if (only(NUMBER)) return 'number';
  if (only(TRUE, FALSE)) return 'bool';
  return 'any';
}

/** A column with, when it repeats, one string per distinct value (`values`), shared by the rows that have it. */
function prepared(column) {
  const { text, ends, codes } = column;
  if (codes === null || codes === undefined) return column;
  const values = new Array(ends.length - 1);
  for (let k = 0; k < values.length; k++) values[k] = text.slice(ends[k], ends[k + 1]);
  return { ...column, values };
}

/** Row `i`'s value of one column (`prepared`) of any form. */
function columnReader({ tags, text, ends, codes, numbers, values }) {
  const textOf = values === undefined ? (i) => text.slice(ends[i], ends[i + 1]) : (i) => values[codes[i]];
  return (i) => {
    switch (tags[i]) {
      case TEXT:
        return textOf(i);
      case NUMBER:
        return numbers[i];
      case TRUE:
        return true;
      case FALSE:
        return false;
      case JSON_TEXT:
        // A nested value (a ratio table's instalments), parsed anew for each row as `call` gives it.
        return decodeOutput(textOf(i));
      default:
        return null;
    }
  };
}

/** The expression of row `i`'s value of column `j` of form `form`. */
function readOf(form, j) {
  const text = form.endsWith('codes') ? `v${j}[c${j}[i]]` : `s${j}.slice(e${j}[i], e${j}[i + 1])`;
  switch (form) {
    case 'codes':
    case 'text':
      return `t${j}[i] === ${TEXT} ? ${text} : null`;
    case 'number':
      return `t${j}[i] === ${NUMBER} ? n${j}[i] : null`;
    case 'bool':
      return `t${j}[i] === ${TRUE} ? true : t${j}[i] === ${FALSE} ? false : null`;
    default:
      return `read[${j}](i)`;
  }
}

const BUILDERS = new Map();

/**
 * A function making every row with one object literal of the columns' names,
 * made once per row model and forms of its columns: all rows get one shape
 * from their first property on, where assigning the fields by name in a loop
 * measured about 3× slower, and each value is read by its column's form
 * (no call nor switch per value). The names are core's (each quoted with
 * JSON.stringify), never data.
 */
function rowBuilder(columns, forms) {
  const key = columns.map((c, j) => `${c.name}:${forms[j]}`).join(',');
  let build = BUILDERS.get(key);
  if (build === undefined) {
    const locals = [];
    const fields = [];
    columns.forEach((c, j) => {
      locals.push(`const { tags: t${j}, text: s${j}, ends: e${j}, codes: c${j}, numbers: n${j}, values: v${j} } = cols[${j}];`);
      const name = JSON.stringify(c.name);
      const form = forms[j];
      if (form.startsWith('datetime-')) {
        // The instant comes as a number (ms since the epoch): no text to parse.
        fields.push(`${name}: t${j}[i] === ${TEXT} ? new Date(n${j}[i]) : null`, `${JSON.stringify(`${c.name}Raw`)}: ${readOf(form.slice(9), j)}`);
      } else if (c.datetime) {
        fields.push(`${name}: typeof (raw = read[${j}](i)) === 'string' ? new Date(raw) : null`, `${JSON.stringify(`${c.name}Raw`)}: raw`);
      } else {
        fields.push(`${name}: ${readOf(form, j)}`);
      }
    });
    // eslint-disable-next-line no-new-func
    build = new Function('cols', 'read', 'count', `'use strict';
      ${locals.join('\n      ')}
      let raw;
      const rows = [];
      for (let i = 0; i < count; i++) {
        rows.push({ ${fields.join(', ')} });
      }
      return rows;`);
    BUILDERS.set(key, build);
  }
  return build;
}

/**
 * Turns core's result (snake_case, money as exact decimal strings, datetimes
 * as RFC 3339 text) into the JS shape promised by `index.d.ts`; `model` names
 * the result model `value` is (lib/names.js `MODELS`). A field the model does
 * not list means lib/names.js and the native addon disagree: an
 * `InternalError` naming it, never a guessed name.
 * `money: 'number'` converts money fields with Number(); see README for why
 * strings are the default.
 */
function decodeResult(value, money, model) {
  if (Array.isArray(value)) return value.map((item) => decodeResult(item, money, model));
  if (value === null || typeof value !== 'object') return value;
  const names = MODELS[model];
  if (names === undefined) throw stale(`result model ${model}`);
  const out = {};
  for (const [key, item] of Object.entries(value)) {
    const name = names.toCamel[key];
    if (name === undefined) throw stale(`${model} field \`${key}\``);
    const kind = names.kinds[key];
    if (kind === 'money' && typeof item === 'string') {
      out[name] = money === 'number' ? Number(item) : item;
    } else if (kind === 'ratio' && typeof item === 'string') {
      // A rate is a factor, not an amount: a float is fine (its type says so).
      out[name] = Number(item);
    } else if (kind === 'datetime') {
      // Date keeps the instant but drops Paynet's offset (+03:00); the raw
      // text keeps it for display and for exact comparisons.
      out[name] = typeof item === 'string' ? new Date(item) : null;
      out[`${name}Raw`] = typeof item === 'string' ? item : null;
    } else {
      out[name] = decodeResult(item, money, names.structs[key]);
    }
  }
  return out;
}

function stale(what) {
  const { InternalError } = require('./errors');
  return new InternalError(`paynet: ${what} is not in lib/names.js: the native addon and the generated tables disagree (run make gen and rebuild)`);
}

module.exports = { encodeParams, decodeOutput, decodeResult, rowsFromColumns, fieldToCamel, toCamel };
