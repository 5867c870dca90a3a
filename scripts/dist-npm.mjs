#!/usr/bin/env node
// `make dist-node`, after `npm run build:release`: lays out the npm packages the napi-rs way
// and packs them into dist/ (ARCHITECTURE.md "Distribution").
//
//   dist/paynet-<version>.tgz                 the JS package: lib/ + the generated loader, no .node,
//                                             no scripts, optionalDependencies on the platform packages
//   dist/paynet-<platform>-<version>.tgz      npm/<platform>/ plus paynet.<platform>.node
//
// Only the platforms whose addon was built here are packed and listed in optionalDependencies
// (release.yml downloads the addons of all of package.json's napi.targets, then runs this).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTriple } from '@napi-rs/cli';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const stage = join(dist, 'npm-stage');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });

// 1. The platform packages: npm/<platform>/ (from `napi create-npm-dirs`) plus its addon, for
// the targets built. This is `napi artifacts`' copy, done by hand: CLI 3.10's also writes the
// addon and a loader into the package root and deletes files there for missing targets.
const built = pkg.napi.targets.map((t) => parseTriple(t).platformArchABI).filter((p) =>
  existsSync(join(root, 'bindings-node/native', `${pkg.napi.binaryName}.${p}.node`)));
if (built.length === 0) throw new Error('no addon in bindings-node/native/: run `npm run build:release` first');
rmSync(stage, { recursive: true, force: true });
const platformDirs = built.map((p) => {
  const dir = join(stage, `${pkg.name}-${p}`);
  cpSync(join(root, 'npm', p), dir, { recursive: true });
  const addon = `${pkg.napi.binaryName}.${p}.node`;
  cpSync(join(root, 'bindings-node/native', addon), join(dir, addon));
  const meta = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (meta.version !== pkg.version || meta.main !== addon) throw new Error(`npm/${p}/package.json: want version ${pkg.version} and main ${addon}`);
  return dir;
});

// 2. The main package, staged with a publish-ready package.json.
const main = join(stage, pkg.name);
mkdirSync(main, { recursive: true });
for (const file of ['README.md', 'LICENSE']) cpSync(join(root, file), join(main, file));
for (const entry of pkg.files) {
  if (entry.includes('*')) throw new Error(`package.json files: globs are not staged (${entry})`);
  cpSync(join(root, entry), join(main, entry), { recursive: true });
}
const published = { ...pkg };
// No lifecycle scripts reach users (`prepare` builds with cargo: contributors only), no dev tools.
delete published.scripts;
delete published.devDependencies;
published.optionalDependencies = Object.fromEntries(
  built.map((p) => [`${pkg.name}-${p}`, pkg.version]));
writeFileSync(join(main, 'package.json'), `${JSON.stringify(published, null, 2)}\n`);

// 3. Pack (no scripts: `npm pack` would otherwise run `prepare`).
const pack = (dir) => JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dist], dir))[0];
for (const dir of [main, ...platformDirs]) {
  const { filename, size, unpackedSize, entryCount } = pack(dir);
  console.log(`dist/${filename}: ${size} bytes packed, ${unpackedSize} unpacked, ${entryCount} files`);
}
