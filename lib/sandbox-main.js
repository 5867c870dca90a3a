#!/usr/bin/env node
'use strict';
// `npx paynet-sandbox`: the sandbox as a program, for docker-compose files and
// other languages' tests. The command line is the Rust program's own
// (`--help`); this only keeps it running until SIGINT or SIGTERM.

const native = require('./native');

async function main(args) {
  if (typeof native.startSandboxFromArgs !== 'function') {
    process.stderr.write('paynet-sandbox: this build of paynet has no embedded sandbox (cargo feature embedded-sandbox)\n');
    return 2;
  }
  let sandbox;
  try {
    sandbox = await native.startSandboxFromArgs(args);
  } catch (err) {
    process.stderr.write(`paynet-sandbox: ${err.message}\n`);
    return err.code === 'InvalidArg' ? 2 : 1;
  }
  if (sandbox === null) {
    process.stdout.write(`${native.SANDBOX_USAGE}\n`);
    return 0;
  }
  process.stdout.write(`LISTENING url=${sandbox.url}\n`);
  // The server runs on the addon's own threads, which do not keep Node's event loop alive.
  const keepAlive = setInterval(() => {}, 2 ** 30);
  await new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  clearInterval(keepAlive);
  await sandbox.stop();
  return 0;
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
