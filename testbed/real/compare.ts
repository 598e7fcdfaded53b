/**
 * A client's copy against the original, byte for byte, in blocks (the files
 * may be larger than memory should hold): identical (complete and equal), or
 * at least an exact prefix (what was written is right, maybe not all).
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';

const BLOCK = 1024 * 1024;

export interface Comparison {
  /** Bytes in the copy (0 when there is none). */
  readonly bytes: number;
  readonly identical: boolean;
  readonly prefix: boolean;
  /** The first byte that differs, when one does. */
  readonly firstDiff?: number;
}

function sizeOf(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}

export function compareCopy(copy: string, original: string): Comparison {
  const size = sizeOf(copy);
  const full = sizeOf(original);
  if (full === undefined) throw new Error(`the original ${original} is missing`);
  // No copy: nothing was written, which is a (trivial) prefix.
  if (size === undefined) return { bytes: 0, identical: full === 0, prefix: true };
  if (size > full) return { bytes: size, identical: false, prefix: false, firstDiff: full };
  const a = openSync(copy, 'r');
  const b = openSync(original, 'r');
  try {
    const x = Buffer.allocUnsafe(BLOCK);
    const y = Buffer.allocUnsafe(BLOCK);
    for (let off = 0; off < size; off += BLOCK) {
      const n = Math.min(BLOCK, size - off);
      readFully(a, x, n, off);
      readFully(b, y, n, off);
      if (!x.subarray(0, n).equals(y.subarray(0, n))) {
        let i = 0;
        while (i < n && x[i] === y[i]) i++;
        return { bytes: size, identical: false, prefix: false, firstDiff: off + i };
      }
    }
  } finally {
    closeSync(a);
    closeSync(b);
  }
  return { bytes: size, identical: size === full, prefix: true };
}

function readFully(fd: number, buf: Buffer, n: number, at: number): void {
  let got = 0;
  while (got < n) {
    const r = readSync(fd, buf, got, n - got, at + got);
    if (r === 0) throw new Error('a file got shorter while it was compared');
    got += r;
  }
}
