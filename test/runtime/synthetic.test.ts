/** Synthetic media (src/media/synthetic.ts): every byte is the one its word, written out by hand, has there. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkSynthetic, nameKey, syntheticBytes } from '../../src/media/synthetic.js';

/** The byte at offset `p` of the file keyed `key`, from the format's description alone. */
function byteAt(key: number, p: number): number {
  const o = p - (p % 8);
  const tag = (o / 8 + key) % 65536;
  const word = [...Array.from({ length: 6 }, (_, i) => Math.floor(o / 256 ** (5 - i)) % 256), Math.floor(tag / 256), tag % 256];
  return word[p % 8]!;
}

describe('synthetic media', () => {
  it('is 8-byte words: the offset in 48 bits, big-endian, then (offset / 8 + key) mod 65536', () => {
    const key = nameKey('A.ts');
    const tag = (n: number) => [((n + key) >> 8) & 0xff, (n + key) & 0xff];
    expect([...syntheticBytes(key, 0, 16)]).toEqual([0, 0, 0, 0, 0, 0, ...tag(0), 0, 0, 0, 0, 0, 8, ...tag(1)]);
    // Past 4 GiB, the offset's upper 16 bits.
    const far = 0x1_2345_6780;
    expect([...syntheticBytes(key, far, 8)]).toEqual([0x00, 0x01, 0x23, 0x45, 0x67, 0x80, ...[(((far / 8 + key) & 0xffff) >> 8), (far / 8 + key) & 0xff]]);
  });

  it('any range, aligned or not, is the bytes the description gives, and checks as intact', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 0, max: 3_000 }), (key, offset, length) => {
        const got = syntheticBytes(key, offset, length);
        expect(got.length).toBe(length);
        for (let i = 0; i < length; i++) if (got[i] !== byteAt(key, offset + i)) expect(`byte ${offset + i}: ${got[i]}`).toBe(`byte ${offset + i}: ${byteAt(key, offset + i)}`);
        expect(checkSynthetic(key, offset, got)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('a damaged byte is found where it is, with the offset its word claims', () => {
    const data = syntheticBytes(7, 1_000, 64);
    // In a word's tag: the word still claims its own offset, 1,016.
    data[23]! ^= 0xff;
    expect(checkSynthetic(7, 1_000, data)).toEqual({ at: 1_023, claims: 1_016 });
    // In its offset: the word claims another one (0x3f8 with its low byte flipped: 0x307).
    data[23]! ^= 0xff;
    data[21]! ^= 0xff;
    expect(checkSynthetic(7, 1_000, data)).toEqual({ at: 1_021, claims: 0x307 });
  });
});
