/**
 * Job files on disk (§14.4): where a media server receives a job's file (in
 * its media directory), and where a base server keeps the files it pulled from
 * providers (its store). A file being received is a temporary file named
 * `.ofp-job-<key>.part`, which the media directory's scan skips; a whole,
 * verified one is renamed to its name. A descriptor stays open on it, so a
 * node serves the file it verified even once a newer one takes its name.
 * Temporary files left by a process that died are removed at start, but for
 * those a restarted base server takes back (its store, §14.10).
 */
import { closeSync, fstatSync, ftruncateSync, lstatSync, openSync, readdirSync, readSync, renameSync, unlinkSync, writeSync, constants as fsConstants } from 'node:fs';
import { join } from 'node:path';
import type { JobFiles } from '../roles/jobs/holding.js';

const PREFIX = '.ofp-job-';
const SUFFIX = '.part';

export class DiskJobFiles implements JobFiles {
  private readonly open = new Map<string, { fd: number; path: string; size: number }>();

  constructor(
    readonly dir: string,
    /** Told when a file goes into service under its name. */
    private readonly onCommit?: (name: string, path: string, size: number) => void,
    /** Files to serve as they are, by key (a provider's upload). */
    private readonly fixed: ReadonlyMap<string, string> = new Map(),
    /** Told when a file leaves service (a job's `delete`). */
    private readonly onRemove?: (name: string) => void,
  ) {}

  /** Remove the temporary files of jobs a dead process left in the directory, but those of the keys in `keep`; their names. */
  sweep(keep: ReadonlySet<string> = new Set()): string[] {
    const gone: string[] = [];
    for (const name of readdirSync(this.dir)) {
      if (!name.startsWith(PREFIX) || !name.endsWith(SUFFIX)) continue;
      if (keep.has(name.slice(PREFIX.length, -SUFFIX.length))) continue;
      try {
        unlinkSync(join(this.dir, name));
        gone.push(name);
      } catch {
        // Someone else's, or gone already.
      }
    }
    return gone;
  }

  private tempPath(key: string): string {
    return join(this.dir, `${PREFIX}${key}${SUFFIX}`);
  }

  create(key: string, size: number): void {
    this.release(key);
    const path = this.tempPath(key);
    const fd = openSync(path, fsConstants.O_RDWR | fsConstants.O_CREAT | fsConstants.O_TRUNC | fsConstants.O_NOFOLLOW, 0o644);
    try {
      ftruncateSync(fd, size);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    this.open.set(key, { fd, path, size });
  }

  reopen(key: string, size: number): boolean {
    this.release(key);
    const path = this.tempPath(key);
    let fd: number;
    try {
      fd = openSync(path, fsConstants.O_RDWR | fsConstants.O_NOFOLLOW);
    } catch {
      return false;
    }
    if (!fstatSync(fd).isFile() || fstatSync(fd).size !== size) {
      closeSync(fd);
      return false;
    }
    this.open.set(key, { fd, path, size });
    return true;
  }

  write(key: string, off: number, bytes: Uint8Array): void {
    const f = this.open.get(key);
    if (!f) throw new Error(`no file open for ${key}`);
    let done = 0;
    while (done < bytes.length) done += writeSync(f.fd, bytes, done, bytes.length - done, off + done);
  }

  read(key: string, off: number, len: number): Uint8Array {
    let f = this.open.get(key);
    if (!f) {
      const path = this.fixed.get(key);
      if (!path) throw new Error(`no file open for ${key}`);
      f = { fd: openSync(path, fsConstants.O_RDONLY), path, size: -1 };
      this.open.set(key, f);
    }
    const buf = Buffer.allocUnsafe(len);
    let got = 0;
    while (got < len) {
      const n = readSync(f.fd, buf, got, len - got, off + got);
      if (n === 0) throw new Error(`${f.path} ends before byte ${off + len}`);
      got += n;
    }
    return buf;
  }

  commit(key: string, name: string): void {
    const f = this.open.get(key);
    if (!f) throw new Error(`no file open for ${key}`);
    const path = join(this.dir, name);
    renameSync(f.path, path);
    f.path = path;
    this.onCommit?.(name, path, f.size);
  }

  discard(key: string): void {
    const f = this.open.get(key);
    this.release(key);
    if (f && f.path.endsWith(SUFFIX)) {
      try {
        unlinkSync(f.path);
      } catch {
        // Gone already.
      }
    }
  }

  sizeOf(name: string): number | undefined {
    try {
      const st = lstatSync(join(this.dir, name));
      return st.isFile() ? st.size : undefined;
    } catch {
      return undefined;
    }
  }

  readNamed(name: string, off: number, len: number): Uint8Array {
    const fd = openSync(join(this.dir, name), fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
    try {
      const buf = Buffer.allocUnsafe(len);
      let got = 0;
      while (got < len) {
        const n = readSync(fd, buf, got, len - got, off + got);
        if (n === 0) throw new Error(`${name} ends before byte ${off + len}`);
        got += n;
      }
      return buf;
    } finally {
      closeSync(fd);
    }
  }

  remove(name: string): void {
    const path = join(this.dir, name);
    // A descriptor a job still holds on it (one it received) is closed: its bytes are gone with the name.
    for (const [key, f] of this.open) if (f.path === path) this.release(key);
    unlinkSync(path);
    this.onRemove?.(name);
  }

  /** Close the descriptor of `key` (its file stays). */
  release(key: string): void {
    const f = this.open.get(key);
    if (!f) return;
    this.open.delete(key);
    try {
      closeSync(f.fd);
    } catch {
      // A broken descriptor: nothing more to do.
    }
  }

  close(): void {
    for (const key of [...this.open.keys()]) this.release(key);
  }
}
