/**
 * Where a client's copy of a media item goes, decided once the setup says how
 * many flows the item has (S2.4):
 *  - one flow: the file `--out` (or stdout with `-`; into it, named after the
 *    item, when `--out` is an existing directory);
 *  - several: the directory `--out` (created if missing), one file per flow,
 *    named as the server names the flow.
 * Nothing is replaced without --force. On failure what was written stays: an
 * in-order prefix of each flow.
 */
import { accessSync, constants, existsSync, mkdirSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CopyWriter } from './copyWriter.js';
import { CopyRefused, UsageError } from '../errors.js';
import { flowNamesProblem } from '../protocol/flowNames.js';

export interface CopyFlow {
  readonly name: string;
  readonly size: number;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export class CopyTarget {
  private writers: CopyWriter[] = [];
  /** Paths of the flow files, in flow order (empty until opened). */
  paths: string[] = [];
  /** True once the item turned out to have several flows. */
  multi = false;
  private createdDir = false;

  private constructor(
    readonly out: string,
    private readonly force: boolean,
    private readonly item: string,
  ) {}

  /**
   * What can be checked before asking: an existing file is not replaced
   * without --force, and a new `--out` goes into a directory that exists
   * and can be written, so a stream is never set up for a copy with nowhere to go.
   */
  static prepare(out: string, force: boolean, item: string): CopyTarget {
    if (out === '-') return new CopyTarget(out, force, item);
    if (!force && existsSync(out) && !isDirectory(out)) {
      throw new UsageError('file-exists', `${out} exists: pass --force to replace it, or choose another --out`);
    }
    const into = isDirectory(out) ? out : dirname(resolve(out));
    if (!isDirectory(into)) {
      throw new UsageError('cannot-write', `--out ${out}: the directory ${into} does not exist: create it first, or choose another --out`);
    }
    try {
      accessSync(into, constants.W_OK);
    } catch {
      throw new UsageError('cannot-write', `--out ${out}: the directory ${into} cannot be written: choose another --out`);
    }
    return new CopyTarget(out, force, item);
  }

  get opened(): boolean {
    return this.writers.length > 0;
  }

  get toStdout(): boolean {
    return this.out === '-';
  }

  /** Open the copy for the item's flows. Throws UsageError (the user's to fix) or CopyRefused. */
  open(flows: readonly CopyFlow[]): void {
    if (this.opened) return;
    if (flows.length <= 1) {
      const path = this.out !== '-' && isDirectory(this.out) ? join(this.out, this.item) : this.out;
      this.writers = [CopyWriter.open(path, this.force)];
      this.paths = [path];
      return;
    }
    this.multi = true;
    if (this.out === '-') {
      throw new UsageError('usage', `${this.item} has ${flows.length} flows (${flows.map((f) => f.name).join(', ')}) and stdout takes one: give --out a directory`);
    }
    // A flow name from the network becomes a file name (§10.2): one plain path component.
    const why = flowNamesProblem(flows.map((f) => f.name));
    if (why) throw new CopyRefused(`the server names the flows of ${this.item} so that ${why}: a flow name must be a plain file name (§10.2)`);
    if (existsSync(this.out) && !isDirectory(this.out)) {
      throw new UsageError('cannot-write', `--out ${this.out} is a file, but ${this.item} has ${flows.length} flows: give a directory (created if missing) for one file per flow`);
    }
    try {
      this.createdDir = !existsSync(this.out);
      mkdirSync(this.out, { recursive: true });
    } catch (e) {
      throw new UsageError('cannot-write', `--out ${this.out} cannot be created (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    const paths = flows.map((f) => join(this.out, f.name));
    if (!this.force) {
      const there = paths.filter((p) => existsSync(p));
      if (there.length > 0) {
        this.removeDir();
        throw new UsageError('file-exists', `${there.join(', ')} exist${there.length === 1 ? 's' : ''}: pass --force to replace the flow files, or choose another --out`);
      }
    }
    try {
      for (const p of paths) {
        this.writers.push(CopyWriter.open(p, this.force));
        this.paths.push(p);
      }
    } catch (e) {
      void this.discard();
      throw e;
    }
  }

  /** The next run of bytes of flow `fl`. */
  write(fl: number, off: number, data: Uint8Array): void {
    const w = this.writers[fl];
    if (w) w.write(off, data);
  }

  /** Bytes accepted, over every flow. */
  get bytes(): number {
    return this.writers.reduce((n, w) => n + w.bytes, 0);
  }

  /** Bytes on disk (or handed to stdout), over every flow. */
  get written(): number {
    return this.writers.reduce((n, w) => n + w.written, 0);
  }

  /** Bytes on disk of each flow. */
  get writtenPerFlow(): number[] {
    return this.writers.map((w) => w.written);
  }

  get problem(): string | undefined {
    for (const w of this.writers) if (w.problem) return w.problem;
    return undefined;
  }

  async close(): Promise<void> {
    for (const w of this.writers) await w.close();
  }

  /**
   * Nothing came: remove the files this run created (and the directory, when
   * it made it), so a failed run leaves nothing where there was nothing.
   * True when something was removed.
   */
  async discard(): Promise<boolean> {
    await this.close();
    if (this.toStdout || this.force) return false;
    let removed = false;
    for (const p of this.paths) {
      try {
        unlinkSync(p);
        removed = true;
      } catch {
        // Not there.
      }
    }
    this.removeDir();
    return removed;
  }

  private removeDir(): void {
    if (!this.createdDir) return;
    try {
      rmdirSync(this.out);
      this.createdDir = false;
    } catch {
      // Not empty, or gone.
    }
  }

  /** Where the copy is, for people: the file, stdout, or the directory with its flow files. */
  describe(): string {
    if (this.toStdout) return 'stdout';
    if (!this.multi) return this.paths[0] ?? this.out;
    return `${this.paths.map((p) => basename(p)).join(', ')} in ${this.out}`;
  }
}
