import testing from './testing.js';

export const { startSandbox, Sandbox, TDS_OTP, CARD_OTP } = testing;
