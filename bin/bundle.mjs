#!/usr/bin/env node
/**
 * Bundles the `ofp` command line (run by `npm run build`, after tsc):
 *
 *   dist/ofp.cjs   oclif, every command, and what the commands run (the roles,
 *                  the testbed) behind dynamic imports: one file, so starting
 *                  `ofp` resolves no module path and reads no other file; and
 *                  CommonJS, so bin/run.js can keep V8's compiled code for it.
 *   dist/ui.mjs    the dashboard's view (ink and React, which are ES modules
 *                  with top-level await): loaded only when a dashboard opens,
 *                  by bin/run.js (code from V8's cache cannot import() on
 *                  Node.js 20).
 *
 * `--metafile` also writes dist/bundle-meta.json (what went where), which the
 * tests read to check that `--help` and the roles load none of the heavy parts.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

/**
 * The dashboard's view lives in its own module, dist/ui.mjs, which bin/run.js imports for the
 * bundle (src/runtime/dashboard/loadUi.ts): the bundle's own `import()` of it (commands/cli.ts)
 * is left out.
 */
const uiEntry = join(root, 'src', 'ui', 'run.tsx');
const uiAsSeparateModule = {
  name: 'ui-as-separate-module',
  setup(b) {
    b.onResolve({ filter: /\/ui\/run\.js$/ }, (args) => {
      const target = join(args.resolveDir, args.path.replace(/\.js$/, '.tsx'));
      return target === uiEntry ? { path: './ui.mjs', external: true } : undefined;
    });
  },
};

/**
 * oclif sorts a plugin's commands with `localeCompare` each time it loads, before any command runs:
 * the first call sets up ICU's collator, 6 ms of every start (`ofp --version` included). Command ids
 * are ASCII words and colons, which code-point order sorts as the collator does; the build says so
 * loudly if oclif's line changes, rather than losing the saving quietly.
 */
const OCLIF_SORT = '.sort((a, b) => a.id.localeCompare(b.id));';
const commandOrder = {
  name: 'oclif-command-order',
  setup(b) {
    b.onLoad({ filter: /@oclif[\\/]core[\\/]lib[\\/]config[\\/]plugin\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes(OCLIF_SORT)) throw new Error(`${args.path}: no longer sorts commands with ${OCLIF_SORT}: see bin/bundle.mjs`);
      return { contents: text.replace(OCLIF_SORT, '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));'), loader: 'js' };
    });
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  sourcesContent: false,
  legalComments: 'none',
  minify: true,
  logLevel: 'warning',
  metafile: true,
  // typescript and ts-node: oclif asks for them only to run a plugin from TypeScript sources.
  // msgpackr: it finds its optional native extension from its own directory.
  // ink, React and yaml are loaded from node_modules, by the commands that use them.
  external: ['typescript', 'ts-node', 'msgpackr-extract', 'ink', 'react', 'react/*', 'react-dom', 'yaml'],
};

rmSync(join(dist, 'ofp.cjs'), { force: true });
// The code caches of the last build (bin/run.js) are of no use to this one.
rmSync(join(dist, '.v8-cache'), { recursive: true, force: true });
const cli = await build({
  ...common,
  entryPoints: [join(root, 'commands', 'cli.ts')],
  outfile: join(dist, 'ofp.cjs'),
  format: 'cjs',
  // The few modules that find files of the package from where they are (the bundled
  // scenarios, bin/run.js) look from dist/, and walk up to the package's root.
  define: { 'import.meta.url': '__ofpModuleUrl' },
  banner: { js: "'use strict';\nconst __ofpModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [uiAsSeparateModule, commandOrder],
});

const ui = await build({
  ...common,
  entryPoints: [uiEntry],
  outfile: join(dist, 'ui.mjs'),
  format: 'esm',
  jsx: 'automatic',
});

writeFileSync(join(dist, 'bundle-meta.json'), JSON.stringify({ cli: cli.metafile, ui: ui.metafile }));
