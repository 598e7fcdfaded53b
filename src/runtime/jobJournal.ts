/**
 * A base server's journal on disk (§14.10): one file a job, `<store>/jobs/<id>.json`, each written
 * whole in place of the one before: to a temporary file, flushed to the disk, then renamed over
 * the old one, so a crash at any point leaves the old record or the new one, never half of one.
 * A forgotten job's file is removed. Bounded: one file per job the base server holds (MAX_JOBS).
 *
 * Reading back never throws for a file's content: the core skips a record it cannot read, named.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync, constants as fsConstants } from 'node:fs';
import { join } from 'node:path';
import type { JournalEntry } from '../roles/base/base.js';

const RECORD = /^(\d+)\.json$/;
const TEMP_SUFFIX = '.tmp';

export class DiskJobJournal {
  readonly dir: string;

  constructor(store: string) {
    this.dir = join(store, 'jobs');
    mkdirSync(this.dir, { recursive: true });
  }

  /**
   * Every record in the directory, as text (the core orders the jobs by creation); the temporary files of a write
   * a crash cut short are removed (the record before it is whole beside it).
   */
  load(): { readonly records: { readonly from: string; readonly text: string }[]; readonly removed: string[] } {
    const records: { from: string; text: string }[] = [];
    const removed: string[] = [];
    for (const name of readdirSync(this.dir).sort()) {
      const path = join(this.dir, name);
      if (name.endsWith(TEMP_SUFFIX)) {
        try {
          unlinkSync(path);
          removed.push(name);
        } catch {
          // Gone already.
        }
        continue;
      }
      if (!RECORD.test(name)) continue;
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (e) {
        // Unreadable (a directory of that name, a permission): handed on as text the core skips, named.
        text = `unreadable: ${e instanceof Error ? e.message : String(e)}`;
      }
      records.push({ from: path, text });
    }
    return { records, removed };
  }

  /** Keep `e`: write a job's record (atomically), or remove a forgotten job's. May throw (a disk error). */
  keep(e: JournalEntry): void {
    const path = join(this.dir, `${e.job}.json`);
    if (e.kind === 'forget') {
      try {
        unlinkSync(path);
      } catch {
        // Never written, or gone already.
      }
      return;
    }
    const temp = `${path}${TEMP_SUFFIX}`;
    const fd = openSync(temp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_TRUNC | fsConstants.O_NOFOLLOW, 0o644);
    try {
      const bytes = Buffer.from(JSON.stringify(e.record));
      let done = 0;
      while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
      // On the disk before the rename makes it the record: a crash never leaves an empty file in its place.
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
    this.syncDir();
  }

  /** The rename itself on the disk. */
  private syncDir(): void {
    let fd: number | undefined;
    try {
      fd = openSync(this.dir, fsConstants.O_RDONLY);
      fsyncSync(fd);
    } catch {
      // Some file systems do not sync a directory: the rename is then as durable as they make it.
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
}
