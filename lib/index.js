'use strict';

const { Client } = require('./client');
const errors = require('./errors');

// Every error class by its name: the base and the generated ones (lib/errors_gen.js).
const { fromNative, invalid, ...classes } = errors;

module.exports = {
  Client,
  ...classes,
  VERSION: require('../package.json').version,
};
