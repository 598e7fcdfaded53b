/**
 * Media items of several flows (S2.4) in a media directory: a manifest
 * `<item>.ofp-item.json` = `{"flows": ["<file>", "<file>", …]}` names files
 * of the same directory, flow 0 first. Each flow file has its own rate (its
 * sidecar, or the default); the item's size and rate are the sums.
 */
import { readFileSync } from 'node:fs';
import { MAX_FLOWS, MAX_NAME } from '../protocol/constants.js';
import { UsageError } from './usageError.js';

export const MANIFEST_SUFFIX = '.ofp-item.json';

/** Why `name` cannot be a flow file named by a manifest, or undefined. */
export function badFlowFileName(name: string, sidecarSuffix: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (/[/\\\0]/.test(name) || name === '..') return 'is a path: name a file of the same directory';
  if (name.startsWith('.')) return 'is hidden (starts with a dot)';
  if (name.endsWith(sidecarSuffix) || name.endsWith(MANIFEST_SUFFIX)) return 'is a sidecar or a manifest, not media';
  // Flow names travel in `setup` messages, where a name has at most MAX_NAME bytes.
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME) return `is longer than ${MAX_NAME} bytes (the longest flow name a setup carries)`;
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
