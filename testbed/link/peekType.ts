/**
 * A datagram's message type read off its first bytes, without decoding it:
 * every datagram is a MessagePack array [1, typeCode, body, mac?], so bytes 0–2
 * are the array header, the version and the type code. Cheap enough for a
 * trace of every datagram of a large run.
 */
import { MESSAGES } from '../../src/protocol/messages.js';

const BY_CODE = new Map<number, string>(Object.entries(MESSAGES).map(([name, spec]) => [spec.code, name]));

/** The type name, or `?` when the bytes do not start like an ofp datagram. */
export function peekType(bytes: Uint8Array): string {
  if (bytes.length < 3 || (bytes[0] !== 0x93 && bytes[0] !== 0x94)) return '?';
  if (bytes[1] !== 1) return `?version-${bytes[1]}`;
  return BY_CODE.get(bytes[2]!) ?? `?type-${bytes[2]}`;
}
