/**
 * Regenerates the parts of the spec that come from the code (§0.3):
 *
 *   tsx protocol-spec/generate.ts            rewrite the generated blocks, schema.json, vectors/v1.json
 *   tsx protocol-spec/generate.ts --check    write nothing; exit 1 listing every file or block that differs
 *
 * `checkSpec()` is the same check, for tests.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { blockRenderers } from './gen/blocks.js';
import { readConstants } from './gen/constants.js';
import { stableStringify } from './gen/json.js';
import { beginMarker, endMarker, replaceBlocks } from './gen/markdown.js';
import { buildSchema } from './gen/schema.js';
import { buildVectors } from './gen/vectors.js';

export interface SpecPaths {
  /** The repository root: where `src/protocol/constants.ts` is read from. */
  readonly root: string;
  /** The spec directory: chapters, schema.json, vectors/. */
  readonly specDir: string;
}

export interface SpecResult {
  /** Files (and blocks) whose content on disk differs from what the code gives; with `write`, those rewritten. */
  readonly differences: readonly string[];
  /** Things the generator cannot fix by rewriting: unknown or unterminated blocks, blocks no chapter holds. */
  readonly problems: readonly string[];
}

/** The repository root: the nearest directory above this module holding package.json (also from dist/). */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('no package.json above protocol-spec/generate');
    dir = up;
  }
}

export function defaultPaths(): SpecPaths {
  const root = findRoot();
  return { root, specDir: join(root, 'protocol-spec') };
}

/** The chapter sections of a block's old and new text that differ, by block name. */
function changedBlocks(before: string, after: string, names: readonly string[]): string[] {
  const section = (text: string, name: string) => {
    const start = text.indexOf(beginMarker(name));
    const end = text.indexOf(endMarker(name), start);
    return start < 0 || end < 0 ? undefined : text.slice(start, end);
  };
  return names.filter((name) => section(before, name) !== section(after, name));
}

/** Compute every generated file and block; write them, or only compare them with what is on disk. */
export function generateSpec(paths: SpecPaths = defaultPaths(), write = false): SpecResult {
  const differences: string[] = [];
  const problems: string[] = [];
  const show = (file: string) => relative(paths.root, file) || file;
  const constants = readConstants(readFileSync(join(paths.root, 'src/protocol/constants.ts'), 'utf8'));
  const renderers = blockRenderers(constants);
  const cache = new Map<string, string>();
  const render = (name: string) => {
    const r = renderers.get(name);
    if (!r) return undefined;
    if (!cache.has(name)) cache.set(name, r());
    return cache.get(name);
  };

  const outputs = new Map<string, string>();
  const seen = new Set<string>();
  const chapters = readdirSync(paths.specDir).filter((f) => /^[0-9]{2}-.*\.md$/.test(f)).sort();
  for (const chapter of chapters) {
    const file = join(paths.specDir, chapter);
    const before = readFileSync(file, 'utf8');
    const result = replaceBlocks(before, render);
    for (const p of result.problems) problems.push(`${show(file)}: ${p}`);
    for (const name of result.found) {
      if (seen.has(name)) problems.push(`${show(file)}: block ${name} appears more than once in the spec`);
      seen.add(name);
    }
    if (result.text !== before) {
      const blocks = changedBlocks(before, result.text, result.found);
      for (const name of blocks) differences.push(`${show(file)}: block ${name}`);
      if (blocks.length === 0) differences.push(show(file));
      outputs.set(file, result.text);
    }
  }
  for (const name of renderers.keys()) if (!seen.has(name)) problems.push(`no chapter holds the block ${name}`);

  const files: [string, string][] = [
    [join(paths.specDir, 'schema.json'), stableStringify(buildSchema())],
    [join(paths.specDir, 'vectors', 'v1.json'), stableStringify(buildVectors())],
  ];
  for (const [file, text] of files) {
    const before = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    if (before !== text) {
      differences.push(before === undefined ? `${show(file)}: missing` : show(file));
      outputs.set(file, text);
    }
  }

  if (write) {
    for (const [file, text] of outputs) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
    }
  }
  return { differences, problems };
}

/** The check of `npm run spec:check`: nothing differs and nothing is wrong. */
export function checkSpec(paths: SpecPaths = defaultPaths()): SpecResult {
  return generateSpec(paths, false);
}

function main(argv: readonly string[]): number {
  const check = argv.includes('--check');
  const result = generateSpec(defaultPaths(), !check);
  for (const p of result.problems) console.error(`error: ${p}`);
  if (check) {
    for (const d of result.differences) console.error(`differs from the code: ${d}`);
    if (result.differences.length > 0) console.error('Run `npm run spec:write` to regenerate.');
    if (result.differences.length === 0 && result.problems.length === 0) console.log('protocol-spec: every generated part matches the code.');
  } else {
    for (const d of result.differences) console.log(`wrote ${d}`);
    if (result.differences.length === 0) console.log('protocol-spec: already up to date.');
  }
  return result.problems.length > 0 || (check && result.differences.length > 0) ? 1 : 0;
}

if (process.argv[1] && pathToFileURL(resolve(process.argv[1])).href === import.meta.url) {
  process.exitCode = main(process.argv.slice(2));
}
