/**
 * Media on disk: every regular file of a directory is a media file. Its
 * bitrate comes from a sidecar `<file>.ofp.json` (`{"rate": 4000000}`, bits
 * per second) or from a default. Hidden files, sidecars and manifests are not
 * media. A manifest `<item>.ofp-item.json` makes an item of several flows
 * (mediaItem.ts) out of files of the directory, which are then served only as
 * flows of that item.
 */
import { closeSync, constants as fsConstants, lstatSync, openSync, readFileSync, readSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { MAX_FILE_NAME } from '../protocol/constants.js';
import type { MediaFile, MediaReader } from '../roles/server/server.js';
import { MANIFEST_SUFFIX, readManifest } from './mediaItem.js';
import { parseRate } from './units.js';
import { UsageError } from '../errors.js';

export const SIDECAR_SUFFIX = '.ofp.json';

export interface MediaEntry extends MediaFile {
  readonly path: string;
  /** Where the rate came from. */
  readonly rateFrom: 'sidecar' | 'default';
}

/** An item of several flows, from a manifest: size and rate are the sums of its flows'. */
export interface MediaItem extends MediaFile {
  readonly flows: readonly MediaEntry[];
  readonly manifest: string;
}

export interface MediaScan {
  /** Files served on their own. */
  readonly files: MediaEntry[];
  /** Items of several flows. */
  readonly items: MediaItem[];
  /** Files that are not served, and why. */
  readonly skipped: { readonly name: string; readonly why: string }[];
}

/** What a server lists in its content list: the files served on their own and the items, by name. */
export function catalogOf(scan: MediaScan): MediaFile[] {
  const items: MediaFile[] = scan.items.map((i) => ({ name: i.name, size: i.size, rate: i.rate, flows: i.flows.map((f) => ({ name: f.name, size: f.size, rate: f.rate })) }));
  return [...scan.files, ...items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Every file a server reads from: the files served on their own and every flow file of an item. */
export function readableFiles(scan: MediaScan): MediaEntry[] {
  const byName = new Map<string, MediaEntry>();
  for (const f of [...scan.files, ...scan.items.flatMap((i) => i.flows)]) byName.set(f.name, f);
  return [...byName.values()];
}

export interface Sidecar {
  readonly rate?: number;
  readonly duration?: number;
  readonly size?: number;
  readonly synthetic?: boolean;
}

/** Read a sidecar; undefined when there is none. Throws `bad-sidecar` when it cannot be used. */
export function readSidecar(path: string): Sidecar | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // A media name near the 255-byte limit leaves no room for a sidecar's name.
    if (code === 'ENOENT' || code === 'ENAMETOOLONG') return undefined;
    throw new UsageError('bad-sidecar', `${path} cannot be read (${(e as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError('bad-sidecar', `${path} is not JSON: write {"rate": 4000000} (bits per second)`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError('bad-sidecar', `${path} is not a JSON object: write {"rate": 4000000} (bits per second)`);
  }
  const v = value as Record<string, unknown>;
  let rate: number | undefined;
  if (typeof v.rate === 'number' && Number.isFinite(v.rate) && v.rate >= 1) rate = Math.round(v.rate);
  else if (typeof v.rate === 'string') rate = parseRate(v.rate, `${path}: rate`);
  else if (v.rate !== undefined) throw new UsageError('bad-sidecar', `${path}: rate must be bits per second, like 4000000 or "4M"`);
  return {
    ...(rate !== undefined ? { rate } : {}),
    ...(typeof v.duration === 'number' ? { duration: v.duration } : {}),
    ...(typeof v.size === 'number' ? { size: v.size } : {}),
    ...(v.synthetic === true ? { synthetic: true } : {}),
  };
}

/** The media files and items of `dir`, sorted by name. */
export function scanMediaDir(dir: string, defaultRate: number): MediaScan {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new UsageError('bad-media', `--media ${dir} is not a directory: give the directory that holds the media files`);
    names = readdirSync(dir);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError('bad-media', `--media ${dir} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (e as Error).message})`}: give the directory that holds the media files`);
  }
  const all: MediaEntry[] = [];
  const skipped: { name: string; why: string }[] = [];
  const manifests: string[] = [];
  for (const name of names.sort()) {
    if (name.startsWith('.') || name.endsWith(SIDECAR_SUFFIX)) continue;
    if (name.endsWith(MANIFEST_SUFFIX)) {
      manifests.push(name);
      continue;
    }
    const entry = mediaEntry(dir, name, defaultRate, skipped);
    if (entry) all.push(entry);
  }
  const byName = new Map(all.map((f) => [f.name, f]));
  const items: MediaItem[] = [];
  const inItems = new Set<string>();
  for (const m of manifests) {
    const name = m.slice(0, -MANIFEST_SUFFIX.length);
    const path = join(dir, m);
    if (name.length === 0) throw new UsageError('bad-manifest', `${path} names no item: call it ITEM${MANIFEST_SUFFIX}`);
    if (byName.has(name)) throw new UsageError('bad-manifest', `${path} makes an item ${JSON.stringify(name)}, but a file of that name is served too: rename one`);
    const flows = readManifest(path, SIDECAR_SUFFIX).map((flow) => {
      const f = byName.get(flow);
      if (!f) throw new UsageError('bad-manifest', `${path}: flow ${JSON.stringify(flow)} is not a media file of ${dir}`);
      inItems.add(flow);
      return f;
    });
    items.push({ name, size: flows.reduce((n, f) => n + f.size, 0), rate: flows.reduce((n, f) => n + f.rate, 0), flows, manifest: path });
  }
  return { files: all.filter((f) => !inItems.has(f.name)), items, skipped };
}

/** A regular file of the media directory, with its rate; undefined (and maybe a skip) when it is not media. */
function mediaEntry(dir: string, name: string, defaultRate: number, skipped: { name: string; why: string }[]): MediaEntry | undefined {
  let path = join(dir, name);
  let st;
  try {
    if (lstatSync(path).isSymbolicLink()) {
      // A link is served only when it stays in the directory (nginx's disable_symlinks): a link to
      // /etc/passwd in the media directory must not put /etc/passwd on the network.
      const target = realpathSync(path);
      const inside = realpathSync(dir);
      if (!target.startsWith(inside + sep)) {
        skipped.push({ name, why: `is a link that leads out of the media directory (to ${target}): not served` });
        return undefined;
      }
      path = target;
    }
    st = statSync(path);
  } catch (e) {
    skipped.push({ name, why: `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` });
    return undefined;
  }
  if (!st.isFile()) return undefined;
  if (Buffer.byteLength(name, 'utf8') > MAX_FILE_NAME) {
    skipped.push({ name, why: `the name is longer than ${MAX_FILE_NAME} bytes` });
    return undefined;
  }
  const sidecar = readSidecar(path + SIDECAR_SUFFIX);
  const rate = sidecar?.rate ?? defaultRate;
  return { name, size: st.size, rate, path, rateFrom: sidecar?.rate !== undefined ? 'sidecar' : 'default' };
}

/**
 * Reads media for a server core, through a small cache of blocks: streams
 * read sequentially in small chunks and resend recent ones.
 * A read error throws (the core ends that stream with `media-error`).
 */
/** A server reads its media files in blocks of this many bytes, and keeps the last MEDIA_BLOCKS_KEPT it read. */
export const MEDIA_READ_BLOCK = 64 * 1024;
export const MEDIA_BLOCKS_KEPT = 64;

export class FileMediaReader implements MediaReader {
  private readonly files = new Map<string, MediaEntry>();
  private readonly fds = new Map<string, number>();
  /** Block cache, least recently used first. */
  private readonly cache = new Map<string, Uint8Array>();

  constructor(
    files: readonly MediaEntry[],
    private readonly blockSize = MEDIA_READ_BLOCK,
    private readonly maxBlocks = MEDIA_BLOCKS_KEPT,
  ) {
    for (const f of files) this.files.set(f.name, f);
  }

  read(file: string, offset: number, length: number): Uint8Array {
    const f = this.files.get(file);
    if (!f) throw new Error(`${file} is not served here`);
    if (offset < 0 || length < 0 || offset + length > f.size) throw new Error(`bytes ${offset}+${length} are outside ${file} (${f.size} bytes)`);
    const first = Math.floor(offset / this.blockSize);
    const last = Math.floor((offset + length - 1) / this.blockSize);
    if (length === 0) return new Uint8Array(0);
    if (first === last) {
      const block = this.block(f, first);
      const from = offset - first * this.blockSize;
      return block.subarray(from, from + length);
    }
    const out = new Uint8Array(length);
    let pos = 0;
    for (let b = first; b <= last; b++) {
      const block = this.block(f, b);
      const from = Math.max(0, offset - b * this.blockSize);
      const to = Math.min(block.length, offset + length - b * this.blockSize);
      out.set(block.subarray(from, to), pos);
      pos += to - from;
    }
    return out;
  }

  private block(f: MediaEntry, index: number): Uint8Array {
    const key = `${index}:${f.name}`;
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const start = index * this.blockSize;
    const size = Math.min(this.blockSize, f.size - start);
    const buf = Buffer.allocUnsafe(size);
    let fd = this.fds.get(f.name);
    try {
      if (fd === undefined) {
        // The path was checked at start (a link resolved to a file inside the directory): should it
        // have been replaced by a link since, the open fails (ELOOP) rather than follow it.
        fd = openSync(f.path, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
        this.fds.set(f.name, fd);
      }
      let got = 0;
      while (got < size) {
        const n = readSync(fd, buf, got, size - got, start + got);
        if (n === 0) throw new Error(`${f.path} is shorter than the ${f.size} bytes it had when the server started`);
        got += n;
      }
    } catch (e) {
      // Reopen on the next read: the file may have been replaced.
      this.closeFile(f.name);
      throw e;
    }
    if (this.cache.size >= this.maxBlocks) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(key, buf);
    return buf;
  }

  /**
   * A file of a distribution job went into service under `name` (§14.4): served from `path` from
   * now on. Nothing reads the name at that moment (the server waits for that): the old file's
   * descriptor and cached blocks go.
   */
  replace(entry: MediaEntry): void {
    this.closeFile(entry.name);
    for (const key of [...this.cache.keys()]) if (key.slice(key.indexOf(':') + 1) === entry.name) this.cache.delete(key);
    this.files.set(entry.name, entry);
  }

  /** A job deleted `name` (§14.8): nothing reads it (the server waits for that); it is served no more. */
  remove(name: string): void {
    this.closeFile(name);
    for (const key of [...this.cache.keys()]) if (key.slice(key.indexOf(':') + 1) === name) this.cache.delete(key);
    this.files.delete(name);
  }

  private closeFile(name: string): void {
    const fd = this.fds.get(name);
    if (fd === undefined) return;
    this.fds.delete(name);
    try {
      closeSync(fd);
    } catch {
      // Closing a broken descriptor: nothing more to do.
    }
  }

  close(): void {
    for (const name of [...this.fds.keys()]) this.closeFile(name);
    this.cache.clear();
  }
}
