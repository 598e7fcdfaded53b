/**
 * Synthetic media files on disk (`ofp media make`, `ofp media check`): bytes
 * that encode their own offset (src/media/synthetic.ts), so a copy can be
 * checked without the original.
 */
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { checkSynthetic, nameKey, syntheticBytes } from '../media/synthetic.js';
import { MAX_FILE_NAME } from '../protocol/constants.js';
import { readSidecar, SIDECAR_SUFFIX } from './mediaDir.js';
import { badFlowFileName, MANIFEST_SUFFIX } from './mediaItem.js';
import { UsageError } from '../errors.js';

const BLOCK = 1024 * 1024;

export interface MadeFile {
  readonly path: string;
  readonly sidecar: string;
  readonly name: string;
  readonly size: number;
  readonly rate: number;
  readonly duration: number;
}

/** A media file name must be one path component that a server will serve. */
export function checkMediaName(name: string): void {
  const why = name.length === 0 ? 'is empty'
    : /[/\\\0]/.test(name) || name === '..' ? 'must be a file name, not a path'
      : name.startsWith('.') ? 'must not start with a dot (hidden files are not served)'
        : name.endsWith(SIDECAR_SUFFIX) ? `must not end in ${SIDECAR_SUFFIX} (that is a sidecar)`
          : name.endsWith(MANIFEST_SUFFIX) ? `must not end in ${MANIFEST_SUFFIX} (that is an item manifest)`
          : Buffer.byteLength(name, 'utf8') > MAX_FILE_NAME ? `is longer than ${MAX_FILE_NAME} bytes` : undefined;
  if (why) throw new UsageError('usage', `media name ${JSON.stringify(name)} ${why}`);
}

/** Write a synthetic file of `durationMs` at `rate` bit/s, and its sidecar. */
export function makeSyntheticFile(o: { name: string; durationMs: number; rate: number; dir: string; force?: boolean }): MadeFile {
  checkMediaName(o.name);
  const size = Math.floor((o.durationMs / 1000) * o.rate / 8);
  try {
    mkdirSync(o.dir, { recursive: true });
  } catch (e) {
    throw new UsageError('cannot-write', `--out ${o.dir} cannot be created (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const path = join(o.dir, o.name);
  const sidecar = path + SIDECAR_SUFFIX;
  let fd: number;
  try {
    fd = openSync(path, o.force ? 'w' : 'wx');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new UsageError('file-exists', `${path} exists: pass --force to replace it`);
    throw new UsageError('cannot-write', `${path} cannot be written (${code ?? (e as Error).message})`);
  }
  const key = nameKey(o.name);
  try {
    for (let off = 0; off < size; off += BLOCK) {
      const block = syntheticBytes(key, off, Math.min(BLOCK, size - off));
      let done = 0;
      while (done < block.length) done += writeSync(fd, block, done, block.length - done, off + done);
    }
  } finally {
    closeSync(fd);
  }
  const duration = o.durationMs / 1000;
  writeFileSync(sidecar, JSON.stringify({ rate: o.rate, duration, size, synthetic: true }) + '\n');
  return { path, sidecar, name: o.name, size, rate: o.rate, duration };
}

export interface FlowSpec {
  /** The flow's name: its file is `ITEM.FLOW`. */
  readonly flow: string;
  /** bit/s */
  readonly rate: number;
}

export interface MadeItem {
  readonly name: string;
  readonly manifest: string;
  readonly size: number;
  readonly rate: number;
  readonly duration: number;
  readonly flows: MadeFile[];
}

/**
 * An item of several flows (S2.4): one synthetic file per flow, `NAME.FLOW`
 * with its sidecar, and the manifest `NAME.ofp-item.json` naming them.
 */
export function makeSyntheticItem(o: { name: string; flows: readonly FlowSpec[]; durationMs: number; dir: string; force?: boolean }): MadeItem {
  checkMediaName(o.name);
  const names = o.flows.map((f) => `${o.name}.${f.flow}`);
  for (const n of names) {
    const why = badFlowFileName(n, SIDECAR_SUFFIX);
    if (why) throw new UsageError('usage', `flow file name ${JSON.stringify(n)} ${why}: choose a shorter item name`);
  }
  const manifest = join(o.dir, o.name + MANIFEST_SUFFIX);
  if (!o.force) {
    // Check every file first: a refusal must not leave half an item behind.
    const there = [...names.map((n) => join(o.dir, n)), manifest].filter((p) => existsSync(p));
    if (there.length > 0) throw new UsageError('file-exists', `${there.join(', ')} exist${there.length === 1 ? 's' : ''}: pass --force to replace`);
  }
  const flows = o.flows.map((f, i) => makeSyntheticFile({ name: names[i]!, durationMs: o.durationMs, rate: f.rate, dir: o.dir, ...(o.force ? { force: true } : {}) }));
  try {
    writeFileSync(manifest, JSON.stringify({ flows: names }) + '\n');
  } catch (e) {
    throw new UsageError('cannot-write', `${manifest} cannot be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return {
    name: o.name,
    manifest,
    size: flows.reduce((n, f) => n + f.size, 0),
    rate: flows.reduce((n, f) => n + f.rate, 0),
    duration: o.durationMs / 1000,
    flows,
  };
}

export interface SyntheticCheck {
  readonly path: string;
  readonly name: string;
  readonly size: number;
  /** The size the file should have: given, or what its sidecar records. */
  readonly expectedSize?: number;
  readonly intact: boolean;
  /** The first byte that is not what a synthetic file named `name` holds there. */
  readonly firstWrong?: number;
  /** The offset the wrong byte's word claims to come from, when readable. */
  readonly claims?: number;
}

/** Check that a file holds exactly the synthetic bytes of `name` (default: its own name). */
export function checkSyntheticFile(path: string, name = basename(path), expected?: number): SyntheticCheck {
  let size: number;
  let fd: number;
  try {
    size = statSync(path).size;
    fd = openSync(path, 'r');
  } catch (e) {
    throw new UsageError('bad-media', `${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const key = nameKey(name);
  let wrong: { at: number; claims?: number } | undefined;
  try {
    const buf = Buffer.allocUnsafe(BLOCK);
    for (let off = 0; off < size && !wrong; off += BLOCK) {
      const n = readSync(fd, buf, 0, Math.min(BLOCK, size - off), off);
      if (n === 0) break;
      wrong = checkSynthetic(key, off, buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  let expectedSize = expected;
  if (expectedSize === undefined) {
    try {
      expectedSize = readSidecar(path + SIDECAR_SUFFIX)?.size;
    } catch {
      expectedSize = undefined;
    }
  }
  const short = expectedSize !== undefined && expectedSize !== size;
  return {
    path,
    name,
    size,
    ...(expectedSize !== undefined ? { expectedSize } : {}),
    intact: !wrong && !short,
    ...(wrong ? { firstWrong: wrong.at, ...(wrong.claims !== undefined ? { claims: wrong.claims } : {}) } : short ? { firstWrong: Math.min(size, expectedSize!) } : {}),
  };
}
