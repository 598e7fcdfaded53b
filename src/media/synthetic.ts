/**
 * Synthetic media: bytes that encode their own offset, so a gap, a duplicate or
 * a reordering in a copy is visible at the exact byte where it happens.
 *
 * The file is a run of 8-byte words. The word at offset `o` (a multiple of 8)
 * is `o` as a 48-bit big-endian integer followed by 16 bits of
 * `(o / 8 + key) mod 65536`, where `key` comes from the file's name. The last
 * word is cut short when the size is not a multiple of 8.
 */

/** The bitrate of `ofp media make` when none is given. */
export const DEFAULT_BITRATE = '4M';

/** A 16-bit key derived from a name (FNV-1a, folded). */
export function nameKey(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return (h ^ (h >>> 16)) & 0xffff;
}

/** The 8 bytes of the word at offset `o` (a multiple of 8), into `w`. */
function word(o: number, key: number, w: Uint8Array): void {
  const hi = Math.floor(o / 0x1_0000_0000);
  const lo = o >>> 0;
  const tag = (o / 8 + key) & 0xffff;
  w[0] = (hi >>> 8) & 0xff;
  w[1] = hi & 0xff;
  w[2] = lo >>> 24;
  w[3] = (lo >>> 16) & 0xff;
  w[4] = (lo >>> 8) & 0xff;
  w[5] = lo & 0xff;
  w[6] = tag >>> 8;
  w[7] = tag & 0xff;
}

/** The `length` bytes at `offset` of the synthetic file keyed `key`. */
export function syntheticBytes(key: number, offset: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const w = new Uint8Array(8);
  let pos = 0;
  let o = offset;
  while (pos < length) {
    const base = o - (o % 8);
    const from = o - base;
    const n = Math.min(8 - from, length - pos);
    word(base, key, w);
    if (from === 0 && n === 8) out.set(w, pos);
    else out.set(w.subarray(from, from + n), pos);
    pos += n;
    o += n;
  }
  return out;
}

/**
 * Check that `data` is exactly the bytes at `offset` of the synthetic file
 * keyed `key`. Returns undefined when it is, or the offset of the first wrong
 * byte and the offset that byte belongs to, when it can be read off the word.
 */
export function checkSynthetic(key: number, offset: number, data: Uint8Array): { at: number; claims?: number } | undefined {
  const expected = syntheticBytes(key, offset, data.length);
  for (let i = 0; i < data.length; i++) {
    if (data[i] !== expected[i]) {
      const at = offset + i;
      const start = i - (at % 8);
      let claims: number | undefined;
      if (start >= 0 && start + 6 <= data.length) {
        claims = 0;
        for (let j = 0; j < 6; j++) claims = claims * 256 + data[start + j]!;
      }
      return claims === undefined ? { at } : { at, claims };
    }
  }
  return undefined;
}
