/**
 * A structural check of MessagePack bytes, run before they are decoded, so that
 * every way peer bytes can be wrong gets its own stable error code (§2.2) and
 * nothing outside the protocol's subset of MessagePack reaches the decoder:
 * no extension types, no floats, only string map keys, bounded nesting, exactly one
 * top-level value.
 */
import { MAX_NESTING } from './constants.js';

export type ScanError = 'truncated' | 'trailing-bytes' | 'malformed' | 'unsupported-value';

export interface ScanFailure {
  readonly code: ScanError;
  readonly detail: string;
}

class Fail {
  constructor(readonly code: ScanError, readonly detail: string) {}
}

/** Check that `b` holds exactly one value of the protocol's MessagePack subset. */
export function scanMessagePack(b: Uint8Array): ScanFailure | undefined {
  if (b.length === 0) return { code: 'malformed', detail: 'empty datagram' };
  try {
    const end = skipValue(b, 0, 0);
    if (end !== b.length) return { code: 'trailing-bytes', detail: `${b.length - end} byte(s) after the top-level value` };
    return undefined;
  } catch (e) {
    if (e instanceof Fail) return { code: e.code, detail: e.detail };
    throw e;
  }
}

function need(b: Uint8Array, pos: number, n: number): void {
  if (pos + n > b.length) throw new Fail('truncated', `value at byte ${pos} needs ${n} more byte(s)`);
}

function u16(b: Uint8Array, p: number): number {
  return (b[p]! << 8) | b[p + 1]!;
}

function u32(b: Uint8Array, p: number): number {
  return ((b[p]! << 24) >>> 0) + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
}

/** Returns the offset just past the value that starts at `pos`. */
function skipValue(b: Uint8Array, pos: number, depth: number): number {
  need(b, pos, 1);
  const c = b[pos]!;
  if (c <= 0x7f || c >= 0xe0) return pos + 1; // fixint
  if (c >= 0xa0 && c <= 0xbf) return skipBytes(b, pos + 1, c & 0x1f);
  if (c >= 0x90 && c <= 0x9f) return skipArray(b, pos + 1, c & 0x0f, depth);
  if (c >= 0x80 && c <= 0x8f) return skipMap(b, pos + 1, c & 0x0f, depth);
  switch (c) {
    case 0xc0: case 0xc2: case 0xc3: return pos + 1; // nil, false, true
    case 0xc1: throw new Fail('malformed', `reserved byte 0xc1 at ${pos}`);
    case 0xc4: case 0xd9: need(b, pos + 1, 1); return skipBytes(b, pos + 2, b[pos + 1]!);
    case 0xc5: case 0xda: need(b, pos + 1, 2); return skipBytes(b, pos + 3, u16(b, pos + 1));
    case 0xc6: case 0xdb: need(b, pos + 1, 4); return skipBytes(b, pos + 5, u32(b, pos + 1));
    case 0xc7: case 0xc8: case 0xc9:
    case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8:
      throw new Fail('unsupported-value', `extension type at byte ${pos}`);
    case 0xca: case 0xcb:
      // Version 1 has no floating-point fields: a float is never a valid value.
      throw new Fail('unsupported-value', `float at byte ${pos}`);
    case 0xcc: case 0xd0: need(b, pos + 1, 1); return pos + 2;
    case 0xcd: case 0xd1: need(b, pos + 1, 2); return pos + 3;
    case 0xce: case 0xd2: need(b, pos + 1, 4); return pos + 5;
    case 0xcf: case 0xd3: need(b, pos + 1, 8); return pos + 9;
    case 0xdc: need(b, pos + 1, 2); return skipArray(b, pos + 3, u16(b, pos + 1), depth);
    case 0xdd: need(b, pos + 1, 4); return skipArray(b, pos + 5, u32(b, pos + 1), depth);
    case 0xde: need(b, pos + 1, 2); return skipMap(b, pos + 3, u16(b, pos + 1), depth);
    case 0xdf: need(b, pos + 1, 4); return skipMap(b, pos + 5, u32(b, pos + 1), depth);
  }
  /* c8 and friends are handled above; every byte value is covered. */
  throw new Fail('malformed', `byte 0x${c.toString(16)} at ${pos}`);
}

function skipBytes(b: Uint8Array, pos: number, n: number): number {
  need(b, pos, n);
  return pos + n;
}

function enter(depth: number, pos: number): number {
  if (depth + 1 > MAX_NESTING) throw new Fail('unsupported-value', `nesting deeper than ${MAX_NESTING} at byte ${pos}`);
  return depth + 1;
}

function skipArray(b: Uint8Array, pos: number, n: number, depth: number): number {
  const d = enter(depth, pos);
  // Every element takes at least one byte: a count beyond what is left is truncation.
  if (n > b.length - pos) throw new Fail('truncated', `array of ${n} items in ${b.length - pos} bytes`);
  for (let i = 0; i < n; i++) pos = skipValue(b, pos, d);
  return pos;
}

function skipMap(b: Uint8Array, pos: number, n: number, depth: number): number {
  const d = enter(depth, pos);
  if (2 * n > b.length - pos) throw new Fail('truncated', `map of ${n} entries in ${b.length - pos} bytes`);
  for (let i = 0; i < n; i++) {
    need(b, pos, 1);
    const k = b[pos]!;
    const isStr = (k >= 0xa0 && k <= 0xbf) || k === 0xd9 || k === 0xda || k === 0xdb;
    if (!isStr) throw new Fail('unsupported-value', `map key at byte ${pos} is not a string`);
    pos = skipValue(b, pos, d);
    pos = skipValue(b, pos, d);
  }
  return pos;
}
