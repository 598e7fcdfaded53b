/**
 * The digest of a view (§13.3): what two servers compare to find, without sending their tables,
 * where their views differ.
 *
 * A member's entry falls in a bucket by the hash of its address; a bucket's digest is the sum,
 * modulo 2³², of its entries' hashes. An entry's hash covers what anti-entropy repairs: the
 * member, its incarnation, whether it is live (alive or suspect) or dead, and, live, the version of
 * what it says of itself. Two views that hold the same members in the same states, at the same
 * versions, have equal digests, whatever order they learnt them in.
 */
import type { MemberData, MemberState } from './messages.js';

/** FNV-1a, 32 bits, over the UTF-8 bytes of `s`. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  const bytes = /^[\x00-\x7f]*$/.test(s) ? undefined : new TextEncoder().encode(s);
  const n = bytes ? bytes.length : s.length;
  for (let i = 0; i < n; i++) {
    h ^= bytes ? bytes[i]! : s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** What an entry's hash covers: `ADDR INC live V` (V the version of its entry, 0 without one), or `ADDR INC dead`. */
export function entryHash(addr: string, inc: number, state: MemberState, data: Pick<MemberData, 'v'> | undefined): number {
  return fnv1a(state === 'dead' ? `${addr} ${inc} dead` : `${addr} ${inc} live ${data?.v ?? 0}`);
}

/** The bucket of `addr` among `buckets` (a power of two). */
export function bucketOf(addrHash: number, buckets: number): number {
  return addrHash & (buckets - 1);
}

/** How many buckets a view of `entries` entries (itself included) is cut into: one per `fill` entries, a power of two, at most `max`. */
export function bucketsFor(entries: number, fill: number, max: number): number {
  let b = 1;
  while (b < max && b * fill < entries) b *= 2;
  return b;
}

/** Bucket sums as the wire carries them: 4 bytes each, big-endian. */
export function packDigest(sums: Uint32Array): Uint8Array {
  const out = new Uint8Array(sums.length * 4);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < sums.length; i++) dv.setUint32(i * 4, sums[i]!);
  return out;
}

/** The bucket sums of a digest off the wire; undefined unless it holds a power of two of them, at most `max`. */
export function unpackDigest(bytes: Uint8Array, max: number): Uint32Array | undefined {
  const n = bytes.length / 4;
  if (!Number.isInteger(n) || n < 1 || n > max || (n & (n - 1)) !== 0) return undefined;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = dv.getUint32(i * 4);
  return out;
}
