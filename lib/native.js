'use strict';
// The napi addon, built from bindings-node/ by `npm install` (see README).

try {
  module.exports = require('../bindings-node/native/index.js');
} catch (error) {
  throw new Error(
    'paynet: the native addon could not be loaded. Build it with `npm run build:native` ' +
      '(needs Rust: https://rustup.rs).',
    { cause: error },
  );
}
