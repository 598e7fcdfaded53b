#!/usr/bin/env node
/**
 * `ofp`: loads the command line bundle (dist/ofp.cjs, see bin/bundle.mjs) with
 * V8's code cache, and runs it.
 *
 * Most of a command's start-up is V8 compiling the code it runs. The first run
 * of each command keeps what V8 compiled in dist/.v8-cache/ (one file per
 * command, written once, atomically); later runs start from it, like a native
 * tool. Without a writable dist/ it simply runs without a cache; a cache that
 * V8 refuses (another Node.js, another build) is written again.
 *
 * CommonJS (bin/package.json says so): Node.js starts a CommonJS script
 * without setting up its ES module loader, which is a start-up of its own.
 */
'use strict';
const { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { dirname, join } = require('node:path');
const { pathToFileURL } = require('node:url');
const { Script } = require('node:vm');

// The dashboard's React runs its production build unless told otherwise: the development
// build is slower and keeps a timing entry for every render of every component.
process.env.NODE_ENV ??= 'production';
// A stack that OFP_DEBUG=1 prints points into the sources, not into the bundle.
if (process.env.OFP_DEBUG) process.setSourceMapsEnabled(true);

const root = join(__dirname, '..');

// The Node.js versions ofp runs on (package.json engines: ">=MAJOR.MINOR"): a warning, as npm gives.
const engines = /^>=(\d+)\.(\d+)/.exec(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).engines?.node ?? '');
const [major, minor] = process.versions.node.split('.').map(Number);
if (engines && (major < +engines[1] || (major === +engines[1] && minor < +engines[2]))) {
  process.emitWarning(`ofp needs Node.js ${engines[0]}; this is ${process.versions.node}`);
}

const bundle = join(root, 'dist', 'ofp.cjs');
let source;
let stat;
try {
  source = readFileSync(bundle, 'utf8');
  stat = statSync(bundle);
} catch {
  process.stderr.write(`error internal: ${bundle} is missing: run npm run build (npm install does it)\n`);
  process.exit(3);
}

// One cache per command (what `ofp master` compiles is not what `ofp master --help` does),
// per build of the bundle, and per version of V8.
const words = process.argv.slice(2, 4).filter((a) => /^[a-z][a-z-]*$/.test(a));
if (process.argv.includes('--help') || process.argv.includes('-h')) words.push('help');
const command = words.join('-') || 'ofp';
const cacheDir = join(root, 'dist', '.v8-cache');
const cacheFile = join(cacheDir, `${command}-${stat.size}-${Math.round(stat.mtimeMs)}-${process.versions.v8}.bin`);
let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}

// Compiled as Node.js compiles a CommonJS module.
const wrapped = `(function (exports, require, module, __filename, __dirname) { ${source}\n});`;
const script = new Script(wrapped, { filename: bundle, cachedData });
const cli = Object.assign(new Module(bundle, module), { filename: bundle, loaded: true });
script.runInThisContext().call(cli.exports, cli.exports, Module.createRequire(bundle), cli, bundle, dirname(bundle));
// oclif finds the commands and hooks in this same module (package.json: oclif.commands.target).
require.cache[bundle] = cli;
// Code from V8's cache cannot import() on Node.js 20: this module imports the dashboard's view for it.
cli.exports.setUiImporter(() => import(pathToFileURL(join(root, 'dist', 'ui.mjs')).href));

if (cachedData === undefined || script.cachedDataRejected) {
  let kept = false;
  const keep = () => {
    if (kept) return;
    kept = true;
    try {
      mkdirSync(cacheDir, { recursive: true });
      const partial = `${cacheFile}.${process.pid}`;
      writeFileSync(partial, script.createCachedData());
      renameSync(partial, cacheFile);
    } catch {
      // No cache then: the next run compiles again.
    }
  };
  // Once a role has started (what it compiled by then is what the next start needs; after its
  // first line is out), or when the command ends.
  cli.exports.onStarted(() => setImmediate(keep));
  process.once('exit', keep);
}

cli.exports.main(root).catch((e) => {
  // oclif reports what a command throws; this is a failure of the loader itself.
  process.stderr.write(`error internal: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 3;
});
