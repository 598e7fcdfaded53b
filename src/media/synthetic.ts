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

/** The 8 bytes of the word at offset `o` (a multiple of 8), into `w` at `at`. */
function word(o: number, key: number, w: Uint8Array, at: number): void {
  const hi = Math.floor(o / 0x1_0000_0000);
  const lo = o >>> 0;
  const tag = (o / 8 + key) & 0xffff;
  w[at] = (hi >>> 8) & 0xff;
  w[at + 1] = hi & 0xff;
  w[at + 2] = lo >>> 24;
  w[at + 3] = (lo >>> 16) & 0xff;
  w[at + 4] = (lo >>> 8) & 0xff;
  w[at + 5] = lo & 0xff;
  w[at + 6] = tag >>> 8;
  w[at + 7] = tag & 0xff;
}

/** The `length` bytes at `offset` of the synthetic file keyed `key`. */
export function syntheticBytes(key: number, offset: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let pos = 0;
  let o = offset;
  // A word cut by the start or the end goes through a scratch word; whole words are written in place.
  const partial = (n: number) => {
    const w = new Uint8Array(8);
    const base = o - (o % 8);
    word(base, key, w, 0);
    out.set(w.subarray(o - base, o - base + n), pos);
    pos += n;
    o += n;
  };
  if (o % 8 !== 0 && length > 0) partial(Math.min(8 - (o % 8), length));
  if (length - pos >= 8) {
    // Word after word, in 32-bit integers: the offset's two halves and the tag, each stepped on.
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    let hi = Math.floor(o / 0x1_0000_0000);
    let lo = o >>> 0;
    let tag = (o / 8 + key) & 0xffff;
    for (; length - pos >= 8; pos += 8, o += 8) {
      view.setUint16(pos, hi);
      view.setUint32(pos + 2, lo);
      view.setUint16(pos + 6, tag);
      lo = (lo + 8) >>> 0;
      if (lo === 0) hi++;
      tag = (tag + 1) & 0xffff;
    }
  }
  if (pos < length) partial(length - pos);
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
