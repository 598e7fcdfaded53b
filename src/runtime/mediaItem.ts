/**
 * Media items of several flows (S2.4) in a media directory: a manifest
 * `<item>.ofp-item.json` = `{"flows": ["<file>", "<file>", …]}` names files
 * of the same directory, flow 0 first. Each flow file has its own rate (its
 * sidecar, or the default); the item's size and rate are the sums.
 */
import { readFileSync } from 'node:fs';
import { MAX_FLOWS } from '../protocol/constants.js';
import { flowNameProblem } from '../protocol/flowNames.js';
import { UsageError } from '../errors.js';

export const MANIFEST_SUFFIX = '.ofp-item.json';

/** Why `name` cannot be a flow file named by a manifest, or undefined. */
export function badFlowFileName(name: string, sidecarSuffix: string): string | undefined {
  // A flow's file name is the name the client writes it under (§10.2): one plain path component.
  const why = flowNameProblem(name);
  if (why) return `${why}: name a file of the same directory`;
  if (name.endsWith(sidecarSuffix) || name.endsWith(MANIFEST_SUFFIX)) return 'is a sidecar or a manifest, not media';
  return undefined;
}

/** The flow file names of a manifest, checked. Throws `bad-manifest`. */
export function readManifest(path: string, sidecarSuffix: string): string[] {
  const hint = `write {"flows": ["movie.video", "movie.audio"]}: 2 to ${MAX_FLOWS} files of the same directory, flow 0 first`;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError('bad-manifest', code ? `${path} cannot be read (${code})` : `${path} is not JSON: ${hint}`);
  }
  const flows = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>).flows : undefined;
  if (!Array.isArray(flows) || flows.some((f) => typeof f !== 'string')) throw new UsageError('bad-manifest', `${path} has no list of flow file names: ${hint}`);
  if (flows.length < 2 || flows.length > MAX_FLOWS) throw new UsageError('bad-manifest', `${path} names ${flows.length} flow(s): an item has 2 to ${MAX_FLOWS} (a single file is served as it is)`);
  const names = flows as string[];
  for (const [i, name] of names.entries()) {
    const why = badFlowFileName(name, sidecarSuffix) ?? (names.indexOf(name) !== i ? 'is named twice' : undefined);
    if (why) throw new UsageError('bad-manifest', `${path}: flow ${JSON.stringify(name)} ${why}`);
  }
  return names;
}
