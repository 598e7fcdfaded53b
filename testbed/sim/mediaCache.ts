/**
 * The synthetic media of a run, made once per file and kept in memory: the
 * servers read from it and the clients' copies are compared with it, instead
 * of generating the same bytes again for every chunk sent and checked. Files
 * beyond the budget are generated on demand.
 */
import { nameKey, syntheticBytes } from '../../src/media/synthetic.js';

/** Bytes of media kept in memory at most. */
export const MEDIA_CACHE_BYTES = 512 * 1024 * 1024;

export class MediaCache {
  private readonly files = new Map<string, Uint8Array>();
  private used = 0;

  /** Files by name and size (a flow's file for a multi-flow item). */
  constructor(files: readonly { readonly name: string; readonly size: number }[]) {
    for (const f of files) {
      if (this.files.has(f.name) || this.used + f.size > MEDIA_CACHE_BYTES) continue;
      this.files.set(f.name, syntheticBytes(nameKey(f.name), 0, f.size));
      this.used += f.size;
    }
  }

  /** The `len` bytes at `off` of `file`. */
  read(file: string, off: number, len: number): Uint8Array {
    const whole = this.files.get(file);
    return whole && off + len <= whole.length ? whole.subarray(off, off + len) : syntheticBytes(nameKey(file), off, len);
  }

  /** Whether `data` is exactly the bytes at `off` of `file` (undefined: not cached, ask checkSynthetic). */
  matches(file: string, off: number, data: Uint8Array): boolean | undefined {
    const whole = this.files.get(file);
    if (!whole || off + data.length > whole.length) return undefined;
    return Buffer.from(data.buffer, data.byteOffset, data.length).equals(Buffer.from(whole.buffer, whole.byteOffset + off, data.length));
  }
}
