/**
 * The media of a real run, made as `ofp media make` makes it: every item of
 * the scenario in `<workDir>/media` (a synthetic file and its sidecar, or for
 * an item of several flows one file per flow and the manifest), and for each
 * server a directory `<workDir>/servers/<name>` holding only its items (hard
 * links, or copies where links cannot be made).
 */
import { copyFileSync, linkSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SIDECAR_SUFFIX } from '../../src/runtime/mediaDir.js';
import { MANIFEST_SUFFIX } from '../../src/runtime/mediaItem.js';
import { makeSyntheticFile, makeSyntheticItem } from '../../src/runtime/syntheticFile.js';
import type { MediaSpec, Scenario } from '../scenario/types.js';
import { HarnessError } from '../../src/errors.js';

export interface MediaFlowFile {
  /** The flow's file name (the name the server serves it by; for a single file, the item's name). */
  readonly name: string;
  readonly path: string;
  readonly size: number;
}

export interface MadeMedia {
  readonly dir: string;
  /** Item name → its flow files (one for a single file), flow 0 first. */
  readonly items: ReadonlyMap<string, readonly MediaFlowFile[]>;
  /** Server name → its media directory. */
  readonly serverDirs: ReadonlyMap<string, string>;
}

/** A node name as a file name. */
export function fileSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}

function makeItem(m: MediaSpec, dir: string): { flows: MediaFlowFile[]; extra: string[] } {
  if (m.flows && m.flows.length > 0) {
    const made = makeSyntheticItem({ name: m.name, flows: m.flows.map((f) => ({ flow: f.name, rate: f.bitrate })), durationMs: m.duration, dir, force: true });
    return {
      flows: made.flows.map((f) => ({ name: f.name, path: f.path, size: f.size })),
      extra: [m.name + MANIFEST_SUFFIX, ...made.flows.map((f) => f.name + SIDECAR_SUFFIX)],
    };
  }
  const made = makeSyntheticFile({ name: m.name, durationMs: m.duration, rate: m.bitrate, dir, force: true });
  return { flows: [{ name: made.name, path: made.path, size: made.size }], extra: [made.name + SIDECAR_SUFFIX] };
}

function place(from: string, to: string): void {
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

export function makeMedia(s: Pick<Scenario, 'media' | 'servers'>, workDir: string): MadeMedia {
  const dir = join(workDir, 'media');
  const items = new Map<string, MediaFlowFile[]>();
  const extras = new Map<string, string[]>();
  try {
    mkdirSync(dir, { recursive: true });
    for (const m of s.media) {
      const made = makeItem(m, dir);
      items.set(m.name, made.flows);
      extras.set(m.name, made.extra);
    }
  } catch (e) {
    throw new HarnessError('real mode', `cannot make the media in ${dir}: ${(e as Error).message}`);
  }
  const serverDirs = new Map<string, string>();
  for (const srv of s.servers) {
    const sdir = join(workDir, 'servers', fileSafe(srv.name));
    try {
      mkdirSync(sdir, { recursive: true });
      for (const name of srv.files) {
        const flows = items.get(name);
        if (!flows) throw new Error(`it holds ${JSON.stringify(name)}, which is not a media item of the scenario`);
        for (const f of [...flows.map((x) => x.name), ...(extras.get(name) ?? [])]) place(join(dir, f), join(sdir, f));
      }
    } catch (e) {
      throw new HarnessError(srv.name, `cannot make its media directory ${sdir}: ${(e as Error).message}`);
    }
    serverDirs.set(srv.name, sdir);
  }
  return { dir, items, serverDirs };
}
