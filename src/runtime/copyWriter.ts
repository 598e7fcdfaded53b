/**
 * Where a client's copy goes: a file (never replacing one without --force)
 * or stdout. Bytes arrive strictly in order; they are buffered a little and
 * written in blocks. On failure what was written stays: an in-order prefix.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { UsageError } from '../errors.js';

const FLUSH_AT = 256 * 1024;

export class CopyWriter {
  /** Bytes accepted (written or buffered). */
  bytes = 0;
  /** Bytes on disk (or handed to stdout). */
  written = 0;
  /** Set when bytes arrived out of order or could not be written: the copy cannot be trusted past `written`. */
  problem: string | undefined;
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private closed = false;

  private constructor(
    readonly target: string,
    private readonly fd: number | undefined,
    private readonly start: number,
  ) {}

  /** Open FILE for writing (or `-` for stdout). Refuses an existing file unless `force`. */
  static open(target: string, force: boolean, start = 0): CopyWriter {
    if (target === '-') {
      const w = new CopyWriter(target, undefined, start);
      // A closed pipe (`| head`) is a failed copy, not a crash.
      process.stdout.on('error', (e: NodeJS.ErrnoException) => {
        w.problem ??= `cannot write to stdout: ${e.code ?? e.message}`;
      });
      return w;
    }
    try {
      return new CopyWriter(target, openSync(target, force ? 'w' : 'wx'), start);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw new UsageError('file-exists', `${target} exists: pass --force to replace it, or choose another --out`);
      throw new UsageError('cannot-write', `--out ${target} cannot be written (${code ?? (e as Error).message})`);
    }
  }

  get toStdout(): boolean {
    return this.fd === undefined;
  }

  /** The next run of bytes; `off` must be where the previous one ended. */
  write(off: number, data: Uint8Array): void {
    if (this.problem) return;
    if (off !== this.start + this.bytes) {
      this.flush(); // keep the in-order prefix
      this.problem ??= `bytes at ${off} arrived when ${this.start + this.bytes} was expected`;
      return;
    }
    this.chunks.push(new Uint8Array(data));
    this.bytes += data.length;
    this.buffered += data.length;
    if (this.buffered >= FLUSH_AT) this.flush();
  }

  flush(): void {
    if (this.buffered === 0 || this.problem) return;
    const block = Buffer.concat(this.chunks);
    this.chunks = [];
    this.buffered = 0;
    try {
      if (this.fd === undefined) {
        process.stdout.write(block);
      } else {
        let done = 0;
        while (done < block.length) done += writeSync(this.fd, block, done, block.length - done);
      }
      this.written += block.length;
    } catch (e) {
      this.problem = `cannot write ${this.target}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
    }
  }

  /**
   * Write what is buffered and close. Once: a second close is a no-op, never a second closeSync
   * (which fails with EBADF, or, once the number is reused, closes some other file or socket).
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    if (this.fd !== undefined) {
      closeSync(this.fd);
      return;
    }
    // stdout may be a slow pipe: wait (boundedly) until what we wrote has drained.
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 10_000);
      process.stdout.write('', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}
