'use strict';

const { Client } = require('./client');
const errors = require('./errors');

module.exports = {
  Client,
  PaynetError: errors.PaynetError,
  AuthenticationError: errors.AuthenticationError,
  InvalidRequestError: errors.InvalidRequestError,
  CardDeclinedError: errors.CardDeclinedError,
  APIError: errors.APIError,
  APIConnectionError: errors.APIConnectionError,
  TimeoutError: errors.TimeoutError,
  UnknownOutcomeError: errors.UnknownOutcomeError,
  ProtocolError: errors.ProtocolError,
  InternalError: errors.InternalError,
  VERSION: require('../package.json').version,
};
