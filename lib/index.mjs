// ESM entry: the same objects as the CommonJS entry, so `instanceof` agrees
// between code that imports and code that requires paynet.
import paynet from './index.js';

export const {
  Client,
  PaynetError,
  AuthenticationError,
  InvalidRequestError,
  CardDeclinedError,
  APIError,
  APIConnectionError,
  TimeoutError,
  UnknownOutcomeError,
  ProtocolError,
  InternalError,
  VERSION,
} = paynet;
