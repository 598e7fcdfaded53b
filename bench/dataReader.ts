/**
 * Reads the three fields the stream sink needs (stream id, offset, payload
 * length) from a `data` datagram without decoding it into objects. The sink
 * takes well over 100 000 packets a second on one socket; the full decoder
 * (which validates every field and copies the payload) halves what it can
 * take, and the benchmark would measure its own receiver instead of the
 * server. Anything that is not a plain `data` datagram in the shape our
 * encoder writes gets `undefined`, and the caller decodes it in full; what it
 * does read, the full decoder accepts too (the tests check both).
 */
import { DATA_CHUNK, MAX_DATAGRAM } from '../src/protocol/constants.js';

export interface DataFields {
  readonly sid: number;
  readonly off: number;
  /** Payload bytes. */
  readonly len: number;
}

/** The `data` message type code (messages.ts). */
const DATA_CODE = 7;
const U32 = 0xffff_ffff;

type Key = 'sid' | 'seq' | 'off' | 'data' | 're' | 'fl' | 'ch';

/** The key of `klen` bytes at `at`, when it is one of a `data` message's (compared as bytes: no string is made). */
function keyAt(b: Uint8Array, at: number, klen: number): Key | undefined {
  const c0 = b[at];
  const c1 = b[at + 1];
  const c2 = b[at + 2];
  if (klen === 3) {
    if (c0 === 0x73 && c1 === 0x69 && c2 === 0x64) return 'sid';
    if (c0 === 0x73 && c1 === 0x65 && c2 === 0x71) return 'seq';
    if (c0 === 0x6f && c1 === 0x66 && c2 === 0x66) return 'off';
  } else if (klen === 4) {
    if (c0 === 0x64 && c1 === 0x61 && c2 === 0x74 && b[at + 3] === 0x61) return 'data';
  } else if (klen === 2) {
    if (c0 === 0x72 && c1 === 0x65) return 're';
    if (c0 === 0x66 && c1 === 0x6c) return 'fl';
    if (c0 === 0x63 && c1 === 0x68) return 'ch';
  }
  return undefined;
}

/** A MessagePack unsigned integer at `at`: [value, bytes used], or undefined when it is not one. */
function readUint(b: Uint8Array, at: number): [number, number] | undefined {
  const h = b[at];
  if (h === undefined) return undefined;
  if (h <= 0x7f) return [h, 1];
  if (h === 0xcc && at + 1 < b.length) return [b[at + 1]!, 2];
  if (h === 0xcd && at + 2 < b.length) return [(b[at + 1]! << 8) | b[at + 2]!, 3];
  if (h === 0xce && at + 4 < b.length) return [((b[at + 1]! << 24) >>> 0) + ((b[at + 2]! << 16) | (b[at + 3]! << 8) | b[at + 4]!), 5];
  // uint 64, or int 64 holding a non-negative value (how msgpackr writes integers from 2^32 up).
  if ((h === 0xcf || (h === 0xd3 && b[at + 1]! < 0x80)) && at + 8 < b.length) {
    const hi = ((b[at + 1]! << 24) >>> 0) + ((b[at + 2]! << 16) | (b[at + 3]! << 8) | b[at + 4]!);
    const lo = ((b[at + 5]! << 24) >>> 0) + ((b[at + 6]! << 16) | (b[at + 7]! << 8) | b[at + 8]!);
    const v = hi * 2 ** 32 + lo;
    return Number.isSafeInteger(v) ? [v, 9] : undefined;
  }
  return undefined;
}

/** The stream id, offset and payload length of a `data` datagram (version 1, no MAC), or undefined. */
export function readData(b: Uint8Array): DataFields | undefined {
  // [1, 7, {…}]: fixarray of 3, version 1, type 7, then a fixmap.
  if (b.length < 4 || b.length > MAX_DATAGRAM || b[0] !== 0x93 || b[1] !== 0x01 || b[2] !== DATA_CODE || (b[3]! & 0xf0) !== 0x80) return undefined;
  const entries = b[3]! & 0x0f;
  let at = 4;
  let sid: number | undefined;
  let seq: number | undefined;
  let off: number | undefined;
  let len: number | undefined;
  for (let i = 0; i < entries; i++) {
    // Keys are short fixstr: "sid", "seq", "off", "data", "re", "fl", "ch".
    const k = b[at];
    if (k === undefined || (k & 0xe0) !== 0xa0) return undefined;
    const klen = k & 0x1f;
    const key = keyAt(b, at + 1, klen);
    at += 1 + klen;
    if (key === 'data') {
      const h = b[at];
      let n: number;
      if (h === 0xc4 && at + 1 < b.length) {
        n = b[at + 1]!;
        at += 2;
      } else if (h === 0xc5 && at + 2 < b.length) {
        n = (b[at + 1]! << 8) | b[at + 2]!;
        at += 3;
      } else {
        return undefined;
      }
      if (n > DATA_CHUNK || at + n > b.length) return undefined;
      len = n;
      at += n;
    } else if (key === 're' || key === 'ch') {
      if (b[at] !== 0xc2 && b[at] !== 0xc3) return undefined;
      at += 1;
    } else if (key === 'fl') {
      // The sink reads single-flow streams: a later flow is left to the full decoder.
      if (b[at] !== 0x00) return undefined;
      at += 1;
    } else if (key !== undefined) {
      const u = readUint(b, at);
      if (!u) return undefined;
      if (key === 'sid') sid = u[0];
      else if (key === 'seq') seq = u[0];
      else off = u[0];
      at += u[1];
    } else {
      return undefined;
    }
  }
  // Every field once (a repeated key leaves another missing), nothing after the map,
  // the stream id never 0 and both ids within 32 bits.
  if (at !== b.length || sid === undefined || seq === undefined || off === undefined || len === undefined) return undefined;
  if (sid < 1 || sid > U32 || seq > U32) return undefined;
  return { sid, off, len };
}
