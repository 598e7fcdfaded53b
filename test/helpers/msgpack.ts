/** Hand-built MessagePack pieces, for datagrams no encoder of ours would write. */
import { packPlain } from '../../src/protocol/codec.js';

export function cat(...parts: (Uint8Array | readonly number[])[]): Uint8Array {
  const n = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(n);
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/** Any plain value as MessagePack (objects as string-keyed maps, Map for other keys). */
export const mp = (v: unknown): Uint8Array => packPlain(v);

/** A datagram `[version, code, body]` from a body given as a plain object. */
export function envelope(version: number, code: number, body: unknown): Uint8Array {
  return mp([version, code, body]);
}
