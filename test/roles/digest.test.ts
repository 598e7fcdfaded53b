// The digest of a view (§13.3): the hashes a second implementation must compute the same way.
import { describe, expect, it } from 'vitest';
import { bucketOf, bucketsFor, entryHash, fnv1a, packDigest, unpackDigest } from '../../src/roles/membership/digest.js';

/** FNV-1a 32 over bytes, written out independently of the one under test. */
function fnvBytes(bytes: Uint8Array): number {
  let h = 2166136261;
  for (const b of bytes) h = Number((BigInt((h ^ b) >>> 0) * 16777619n) % 4294967296n);
  return h;
}

describe('view digest (§13.3)', () => {
  it('FNV-1a 32 matches its published vectors, over UTF-8 bytes', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
    for (const s of ['10.0.0.7:7001', '[2001:db8::12]:5000', 'ß-été', '日本']) expect(fnv1a(s)).toBe(fnvBytes(new TextEncoder().encode(s)));
  });

  it('an entry hash covers address, incarnation, live or dead, and a live one\'s version: suspect hashes as alive', () => {
    expect(entryHash('10.0.0.7:7001', 1733390000, 'alive', { v: 12 })).toBe(fnv1a('10.0.0.7:7001 1733390000 live 12'));
    expect(entryHash('10.0.0.7:7001', 3, 'suspect', { v: 4 })).toBe(fnv1a('10.0.0.7:7001 3 live 4'));
    expect(entryHash('10.0.0.7:7001', 3, 'alive', undefined)).toBe(fnv1a('10.0.0.7:7001 3 live 0'));
    expect(entryHash('10.0.0.7:7001', 3, 'dead', { v: 4 })).toBe(fnv1a('10.0.0.7:7001 3 dead'));
    expect(entryHash('a', 1, 'alive', { v: 1 })).not.toBe(entryHash('a', 2, 'alive', { v: 1 }));
    expect(entryHash('a', 1, 'alive', { v: 1 })).not.toBe(entryHash('a', 1, 'alive', { v: 2 }));
  });

  it('one bucket per VIEW_BUCKET_FILL entries, a power of two, at most the maximum; a bucket is the low bits of the address hash', () => {
    expect([1, 8, 9, 16, 17, 30, 1000, 5000].map((n) => bucketsFor(n, 8, 128))).toEqual([1, 1, 2, 2, 4, 4, 128, 128]);
    expect(bucketOf(0xbf9cf968, 1)).toBe(0);
    expect(bucketOf(0xbf9cf968, 16)).toBe(0x8);
    expect(bucketOf(0xbf9cf968, 128)).toBe(0x68);
  });

  it('packs 4 bytes per bucket, big-endian, and takes back only a power of two of buckets within the bound', () => {
    const sums = Uint32Array.from([0x01020304, 0xffffffff]);
    expect([...packDigest(sums)]).toEqual([1, 2, 3, 4, 255, 255, 255, 255]);
    expect(unpackDigest(packDigest(sums), 128)).toEqual(sums);
    expect(unpackDigest(new Uint8Array(12), 128), 'three buckets').toBeUndefined();
    expect(unpackDigest(new Uint8Array(7), 128)).toBeUndefined();
    expect(unpackDigest(new Uint8Array(0), 128)).toBeUndefined();
    expect(unpackDigest(new Uint8Array(4 * 256), 128), 'more than the bound').toBeUndefined();
    // Read from a view into a larger buffer, as a decoded datagram's field is.
    const inside = new Uint8Array(20);
    inside.set([0, 0, 0, 9], 8);
    expect([...unpackDigest(inside.subarray(8, 12), 128)!]).toEqual([9]);
  });
});
