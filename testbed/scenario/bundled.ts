/**
 * The scenarios that come with ofp (testbed/scenarios/*.yaml), and how a
 * command-line argument names one: a bundled scenario's name, or a file.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nearest } from '../../src/text/nearest.js';

/** testbed/scenarios of this package, found from this module (in the sources or in dist/). */
export function scenariosDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'testbed', 'scenarios');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('the bundled scenarios (testbed/scenarios) are not where this package keeps them');
}

/** Every bundled scenario: name (its file's name) → path, sorted by name. */
export function bundledScenarios(): { name: string; file: string }[] {
  const dir = scenariosDir();
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => ({ name: f.replace(/\.ya?ml$/, ''), file: join(dir, f) }));
}

export type Resolved = { ok: true; file: string; bundled: boolean } | { ok: false; why: string };

/** NAME (bundled) or FILE (a path to a .yaml file). */
export function resolveScenario(arg: string): Resolved {
  const looksLikeFile = /\.ya?ml$/i.test(arg) || arg.includes('/') || arg.includes('\\');
  if (looksLikeFile || (existsSync(arg) && statSync(arg).isFile())) {
    const file = resolve(arg);
    if (!existsSync(file)) return { ok: false, why: `no such scenario file: ${arg}` };
    return { ok: true, file, bundled: false };
  }
  const all = bundledScenarios();
  const found = all.find((s) => s.name === arg);
  if (found) return { ok: true, file: found.file, bundled: true };
  const near = nearest(arg, all.map((s) => s.name));
  return { ok: false, why: `no bundled scenario is named ${JSON.stringify(arg)}${near ? ` (did you mean ${near}?)` : ''}; see ofp testbed list, or give a .yaml file` };
}
