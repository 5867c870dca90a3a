import testing from './testing.js';

export const { startSandbox, Sandbox } = testing;
