'use strict';

const util = require('node:util');
const native = require('./native');
const { decodeOutput, encodeParams, rowsFromColumns } = require('./convert');
const { tableFromParts } = require('./arrow');
const { PaynetError, ProtocolError, fromNative, invalid } = require('./errors');
const names = require('./names');

// Every method core's addon offers, by its Node names in lib/names.js
// (generated from the spec): a method the tables do not know means the
// addon and lib/ come from different builds.
const METHODS = native.methods().map((method) => {
  const known = names.METHODS[method];
  if (known === undefined) {
    throw new Error(`paynet: the native addon has a method lib/names.js does not know (${method}): rebuild both (make gen, npm run build:native)`);
  }
  return { method, resource: known.resource, name: known.method, params: known.params, result: known.result, target: known.target, pages: known.pages, progress: known.progress };
});
const PARAMS_OF = new Map(METHODS.map((m) => [m.method, m.params]));
const RESULT_OF = new Map(METHODS.map((m) => [m.method, m.result]));

/**
 * A result's secret fields (a session key, a one-time login link: the
 * model's `secrets` in lib/names.js) made non-enumerable: `result.sessionKey`
 * reads it, console.log, util.inspect and JSON.stringify leave it out, and so
 * do `{...result}` and structuredClone (documented on each field and in
 * bindings-node/README.md): a masking toJSON would not follow such copies.
 */
function hideSecrets(value, model) {
  const names = model && MODELS[model];
  if (!names || !HIDES.get(model) || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (const item of value) hideSecrets(item, model);
    return value;
  }
  for (const key of names.secrets) {
    if (Object.hasOwn(value, key)) Object.defineProperty(value, key, { enumerable: false });
  }
  for (const [key, struct] of Object.entries(names.structs)) hideSecrets(value[names.toCamel[key] ?? key], struct);
  return value;
}
const { MODELS } = names;
/** Whether a model has a secret field, itself or in a model it holds: the others are not walked (a report's rows). */
const HIDES = new Map();
function hides(model) {
  if (!HIDES.has(model)) {
    const { secrets, structs } = MODELS[model];
    HIDES.set(model, secrets.length > 0 || Object.values(structs).some((held) => MODELS[held] !== undefined && hides(held)));
  }
  return HIDES.get(model);
}
for (const model of Object.keys(MODELS)) hides(model);
// Methods made of several calls take `onProgress` too.
const WITH_PROGRESS = new Set(METHODS.filter((m) => m.progress).map((m) => m.method));
// Methods whose results have rows: they also get `toArrow()` (core builds the Arrow arrays).
const TABULAR = new Set(native.tabular());

// The options each object takes, from the spec (lib/names.js): the one list
// per options object, used both to read them and to refuse any other name
// (`timeout` instead of `timeoutMs` would otherwise be silently ignored).
const { CLIENT_OPTIONS, CALL_OPTIONS } = names;

/** Only `{...}` literals (or `Object.create(null)`): a Map, array or class instance is a mistake. */
function isPlainObject(value) {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** `options` is a plain object with only `known` names, or an InvalidRequestError naming the first other. */
function checkOptions(options, known) {
  if (!isPlainObject(options)) throw invalid('options', 'must be a plain object');
  for (const name of Object.keys(options)) {
    if (known.includes(name)) continue;
    const near = nearest(name, known);
    const hint = near ? `did you mean \`${near}\`?` : `known options are ${known.map((k) => `\`${k}\``).join(', ')}`;
    throw invalid(name, `unknown option; ${hint}`);
  }
}

/** The known name a misspelt one most likely meant: `timeout` -> `timeoutMs`, `baseURL` -> `baseUrl`. */
function nearest(name, known) {
  const plain = (text) => text.toLowerCase().replace(/[_-]/g, '');
  const wanted = plain(name);
  if (wanted.length < 3) return null;
  let best = null;
  let bestScore = Infinity;
  for (const candidate of known) {
    const have = plain(candidate);
    let score;
    if (have === wanted) score = 0; // baseURL, max_retries, secretkey
    else if (have.startsWith(wanted) || have.endsWith(wanted)) score = 1 + (have.length - wanted.length) / 100; // timeout, retries
    else {
      const distance = editDistance(wanted, have);
      if (distance > Math.max(1, Math.floor(have.length / 4))) continue; // environmnet, onrequst
      score = 2 + distance;
    }
    if (score < bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}

function editDistance(a, b) {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * Options as JSON for the addon, which reads each by its declared type and
 * names the one at fault. What JSON cannot carry faithfully (a function, a
 * BigInt, NaN) becomes an object, which no option accepts, rather than
 * vanishing: `timeoutMs: NaN` is refused, not the default.
 */
function optionsJson(options) {
  return JSON.stringify(options, function replacer(key, value) {
    if (key === '') return value;
    const kind = typeof value;
    if (kind === 'function' || kind === 'bigint' || kind === 'symbol' || (kind === 'number' && !Number.isFinite(value))) {
      return { unrepresentable: kind };
    }
    return value;
  });
}

/**
 * The debug log, as stripe-node's: `NODE_DEBUG=paynet` (Node's `util.debuglog`)
 * or `PAYNET_LOG=debug`, read when a client is made. One line per HTTP attempt,
 * from the same event `onRequest` gets, so no header, body, key or card data.
 */
function debugLogger() {
  const nodeDebug = util.debuglog('paynet');
  if (nodeDebug.enabled) return nodeDebug;
  if (process.env.PAYNET_LOG === 'debug') return (format, ...args) => console.error(`PAYNET ${process.pid}: ${format}`, ...args);
  return undefined;
}

function logEvent(log, e) {
  const status = e.status === null ? 'no answer' : String(e.status);
  const retry = e.willRetry ? ', will retry' : '';
  log('%s %s -> %s (%s) in %d ms, attempt %d%s [%s]', e.method, e.path, status, e.outcome, Math.round(e.durationMs), e.attempt, retry, e.operation);
}

function checkHook(hook) {
  if (hook !== undefined && hook !== null && typeof hook !== 'function') throw invalid('onRequest', 'must be a function');
  const log = debugLogger();
  if (!hook && !log) return undefined;
  // Runs on the JS thread from a native queue: a throw there would have no
  // caller to reach, so it becomes a process warning instead.
  return (eventJson) => {
    const event = JSON.parse(eventJson);
    if (log) logEvent(log, event);
    if (!hook) return;
    try {
      hook(event);
    } catch (error) {
      process.emitWarning(`paynet: the onRequest hook threw: ${error}`, 'PaynetWarning');
    }
  };
}

/**
 * The params a posted form gives (`req.body` as express.urlencoded or
 * multer parsed it), each read under its wire name or its Node name; the
 * form's other fields are ignored. A value must be text.
 */
function formParams(form, fromForm) {
  if (form === null || typeof form !== 'object' || Array.isArray(form)) {
    throw invalid('target', 'must be the posted form (an object such as req.body)');
  }
  const params = {};
  for (const [wire, name] of Object.entries(fromForm)) {
    const value = Object.hasOwn(form, wire) ? form[wire] : form[name];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') throw invalid(wire, "the form's value must be text");
    params[name] = value;
  }
  return params;
}

/**
 * What stands for the params of a method with a `target` (lib/names.js):
 * a string is `target.text` (`lookup('ORDER-1')`), a PaynetError gives the
 * `target.fromError` names it carries (`lookup(err)`), anything else is params.
 */
function targetParams(target, spec) {
  if (spec.fromForm && Object.keys(spec.fromForm).length > 0) return formParams(target, spec.fromForm);
  if (typeof target === 'string') return { [spec.text]: target };
  if (target instanceof PaynetError) {
    const params = {};
    for (const name of spec.fromError) params[name] = target[name] ?? undefined;
    if (spec.fromError.every((name) => params[name] === undefined)) {
      throw invalid('target', `this error names no ${spec.fromError.join(' or ')} to look up`);
    }
    return params;
  }
  return target;
}

/**
 * Every item of every page, each page fetched when the loop reaches it: core
 * says where the next one starts (`nextStartingAfter`), or that there is none.
 * A failed page rejects the loop, naming where it started.
 */
async function* everyItem(fetchPage, params = {}, callOptions = {}, items) {
  if (params === null || typeof params !== 'object' || Array.isArray(params)) {
    throw invalid('params', 'must be an object');
  }
  let cursor = { ...params };
  let previous = null;
  for (;;) {
    let page;
    try {
      page = await fetchPage(cursor, callOptions);
    } catch (error) {
      const where = cursor.startingAfter === undefined ? 'the first page' : `the page starting after ${cursor.startingAfter}`;
      if (error instanceof Error) error.message += ` (while fetching ${where})`;
      throw error;
    }
    // A server that ignores startingAfter would have the loop yield one page forever.
    const seen = JSON.stringify(page[items]);
    if (page[items].length > 0 && seen === previous) {
      throw new ProtocolError(`Paynet sent the same page again for startingAfter=${cursor.startingAfter}: the walk is stopped`);
    }
    previous = seen;
    yield* page[items];
    if (page.nextStartingAfter === null || page.nextStartingAfter === undefined) return;
    cursor = { ...cursor, startingAfter: page.nextStartingAfter };
  }
}

/** `onProgress` as the addon calls it: one JSON event per finished part. */
function progressCallback(onProgress) {
  return (progressJson) => {
    try {
      onProgress(JSON.parse(progressJson));
    } catch (error) {
      // Like the request hook: a throwing callback never breaks the call.
      process.emitWarning(`paynet: the onProgress callback threw ${error?.name ?? typeof error}; the call went on`);
    }
  };
}

let arrowModule;

/** The optional peer dependency, loaded on first use. */
function apacheArrow() {
  if (arrowModule === undefined) {
    try {
      arrowModule = require('apache-arrow');
    } catch {
      throw new Error("paynet: toArrow() and the ...Arrow methods need the apache-arrow package: npm install apache-arrow");
    }
  }
  return arrowModule;
}

/**
 * A tabular result: its fields from core at once, its rows (`rowsKey`) made
 * on first read, and `toArrow()` (not enumerable, so the result's JSON and
 * equality stay its data), an apache-arrow `Table` over the record batches
 * core builds of its typed rows (`lib/arrow.js`). So a table never makes row
 * objects, and the rows never pay for a table. Once read (or assigned), the
 * rows are a plain data property; util.inspect reads them first, so a report
 * never shows as `[Getter/Setter]`.
 */
function tabularResult(table, model, money) {
  // Read after the call settled: an error (never expected) gets its class here.
  const asPaynet = (read) => () => {
    try {
      return read();
    } catch (error) {
      throw fromNative(error, money);
    }
  };
  const parts = asPaynet(() => table.arrowParts());
  const result = hideSecrets(decodeOutput(table.envelope()), model);
  const key = table.rowsKey;
  const rowModel = MODELS[model].structs[MODELS[model].toSnake[key]];
  // The rows live in this closure as well as on the result: a result frozen
  // (Immer, Redux Toolkit) or sealed before its rows were read cannot turn
  // the accessor into a data property, yet still reads and copies as data.
  let rows;
  let rowsRead = false;
  const settle = (value) => {
    rows = value;
    rowsRead = true;
    if (Object.getOwnPropertyDescriptor(result, key).configurable) {
      Object.defineProperty(result, key, { value, writable: true, enumerable: true, configurable: true });
    }
    return value;
  };
  Object.defineProperty(result, key, {
    get: asPaynet(() => (rowsRead ? rows : settle(hideSecrets(rowsFromColumns(table.rows()), rowModel)))),
    set(value) {
      if (Object.isFrozen(result)) throw new TypeError(`Cannot assign to read only property '${key}' of object`);
      settle(value);
    },
    enumerable: true,
    configurable: true,
  });
  Object.defineProperty(result, 'toArrow', { value: () => tableFromParts(apacheArrow(), parts()), enumerable: false });
  // Shown as the plain data it is (the rows read), never as `[Getter/Setter]`.
  Object.defineProperty(result, util.inspect.custom, {
    value(depth, options, inspect) {
      return inspect({ ...this }, options);
    },
    enumerable: false,
    configurable: true,
  });
  return result;
}

class Client {
  #native;
  #money;

  /** @param {import('./index').ClientOptions} options */
  constructor(options) {
    checkOptions(options, CLIENT_OPTIONS);
    const onRequest = checkHook(options.onRequest);
    try {
      this.#native = new native.NativeClient(optionsJson(options), `node/${process.versions.node}`, onRequest);
    } catch (error) {
      throw fromNative(error, 'string');
    }
    this.#money = this.#native.money;
    // One resource object per core method prefix, one function per method:
    // an endpoint added to core's registry (and `make gen`) appears here with
    // no JS change. A method with a `target` also takes what an earlier call
    // left: `transactions.lookup(err)` or `lookup('ORDER-1')`.
    for (const { method, resource, name, target, pages } of METHODS) {
      // async: a refused target rejects the promise, as every other refusal does.
      const call = target
        ? async (params, callOptions) => this.#call(method, targetParams(params, target), callOptions)
        : (params, callOptions) => this.#call(method, params, callOptions);
      (this[resource] ??= {})[name] = call;
      // A tabular method also gets its table straight away: `paymentListArrow`.
      if (TABULAR.has(method) && !target) this[resource][`${name}Arrow`] = (params, callOptions) => this.#call(method, params, callOptions, true);
      // A list also gets an iterator over every item of every page.
      if (pages) this[resource][pages.iterator] = (params, callOptions) => everyItem(call, params, callOptions, pages.items);
    }
  }

  /** `arrow`: resolves to the apache-arrow `Table` of the rows, read straight into columns. */
  async #call(method, params = {}, callOptions = {}, arrow = false) {
    // Before anything is sent: without the peer dependency there is nothing to give.
    const arrowLib = arrow ? apacheArrow() : null;
    if (params === null || typeof params !== 'object' || Array.isArray(params)) {
      throw invalid('params', 'must be an object');
    }
    let onProgress;
    if (WITH_PROGRESS.has(method) && isPlainObject(callOptions) && 'onProgress' in callOptions) {
      ({ onProgress, ...callOptions } = callOptions);
      if (onProgress !== undefined && onProgress !== null && typeof onProgress !== 'function') {
        throw invalid('onProgress', 'must be a function');
      }
    }
    checkOptions(callOptions, CALL_OPTIONS);
    const paramsJson = encodeParams(params, PARAMS_OF.get(method));
    const optionsText = Object.keys(callOptions).length === 0 ? null : optionsJson(callOptions);
    const progress = onProgress ? progressCallback(onProgress) : null;
    try {
      if (!TABULAR.has(method)) {
        return hideSecrets(decodeOutput(await this.#native.call(method, paramsJson, optionsText, progress)), RESULT_OF.get(method));
      }
      const table = await this.#native.callTable(method, paramsJson, optionsText, progress, arrow);
      return arrow ? tableFromParts(arrowLib, table.arrowParts()) : tabularResult(table, RESULT_OF.get(method), this.#money);
    } catch (error) {
      if (error instanceof PaynetError) throw error;
      throw fromNative(error, this.#money);
    }
  }

  /**
   * What `method` (core's name, e.g. `payments.create`) would send for
   * `params`: `{ method, path, body }` with the exact wire body as JSON text
   * (numbers keep their text). Validates like a
   * real call; sends nothing. For tests and debugging.
   */
  prepare(method, params = {}) {
    // An unknown method keeps its keys as given: core refuses the method first.
    const paramsJson = encodeParams(params, PARAMS_OF.get(method) ?? null);
    try {
      return this.#native.prepare(method, paramsJson);
    } catch (error) {
      throw fromNative(error, this.#money);
    }
  }

  // The key lives only in the native object; show where we talk to instead.
  [util.inspect.custom](depth, options, inspect) {
    const shown = { environment: this.#native.environment, baseUrl: this.#native.baseUrl ?? null, money: this.#money };
    return `Client ${inspect(shown, options)}`;
  }
}

module.exports = { Client };
