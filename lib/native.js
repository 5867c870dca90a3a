'use strict';
// The napi addon: from the platform package npm installed next to this one
// (`paynet-linux-x64-gnu`, ...: ARCHITECTURE.md "Distribution"), or in a clone
// the one `npm install` / `make node` built into bindings-node/native/ (see README).

try {
  module.exports = require('../bindings-node/native/index.js');
} catch (error) {
  throw new Error(
    `paynet: the native addon for ${process.platform}-${process.arch} could not be loaded. ` +
      'Installed from npm: reinstall without --omit=optional / --no-optional (the addon ships in ' +
      'the optional platform package paynet-<platform>). In a clone: `npm run build:native` ' +
      '(needs Rust: https://rustup.rs).',
    { cause: error },
  );
}
