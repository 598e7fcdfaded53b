import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, encode, encodeWithMac } from '../../src/protocol/codec.js';
import { MAC_LENGTH, MAX_DATAGRAM } from '../../src/protocol/constants.js';
import { type ErrorCode } from '../../src/protocol/errors.js';
import { checkStruct } from '../../src/protocol/fields.js';
import { MESSAGES, MESSAGE_TYPES } from '../../src/protocol/messages.js';
import { arbFittingMessage, arbMessage, arbMessageOf, arbMutation, mutate, plain } from '../helpers/arbitraries.js';

/** The codes `decode` may return: everything else would be a bug. */
const DECODE_CODES: readonly ErrorCode[] = ['oversize', 'truncated', 'trailing-bytes', 'malformed', 'unsupported-value', 'bad-envelope', 'unknown-version', 'unknown-type', 'missing-field', 'bad-field'];

/** Decode, and fail the property if it throws or answers with a code outside the table. */
function decodeSafely(bytes: Uint8Array): void {
  let r;
  try {
    r = decode(bytes);
  } catch (e) {
    throw new Error(`decode threw on ${Buffer.from(bytes).toString('hex')}: ${String(e)}`);
  }
  if (r.ok) {
    // What decodes must satisfy its schema: no invalid message gets through.
    expect(checkStruct(MESSAGES[r.msg.type].fields, r.msg as unknown as Record<string, unknown>, r.msg.type)).toBeUndefined();
  } else {
    expect(DECODE_CODES).toContain(r.code);
  }
}

const seed = Number(process.env.SEED ?? 0x0fb1);

describe('codec properties', () => {
  it('decoding arbitrary bytes never throws and answers ok or a decode error code', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: MAX_DATAGRAM + 8 }), (b) => decodeSafely(b)), { numRuns: 3000, seed });
  });

  it('decoding arbitrary bytes behind a valid envelope start never throws', () => {
    const prefixes = [[0x93, 0x01], [0x94, 0x01], [0x93, 0x01, 0x01], [0x93, 0x01, 0x07, 0x84], [0x94, 0x01, 0x10, 0x87]];
    fc.assert(fc.property(fc.constantFrom(...prefixes), fc.uint8Array({ maxLength: 200 }), (p, b) => decodeSafely(Uint8Array.from([...p, ...b]))), { numRuns: 3000, seed });
  });

  it('decoding mutations of valid datagrams (bit flips, truncations, insertions, overwrites) never throws', () => {
    fc.assert(
      fc.property(arbFittingMessage(), fc.boolean(), fc.array(arbMutation, { minLength: 1, maxLength: 4 }), (m, withMac, muts) => {
        const bytes = withMac ? encodeWithMac(m, () => new Uint8Array(MAC_LENGTH).fill(7)) : encode(m);
        decodeSafely(mutate(bytes, muts));
      }),
      { numRuns: 3000, seed },
    );
  });

  it('encode then decode is the identity for random valid messages of every type', () => {
    fc.assert(
      fc.property(arbFittingMessage(), (m) => {
        const r = decode(encode(m));
        expect(r.ok ? plain(r.msg) : r).toEqual(plain(m));
      }),
      { numRuns: 2000, seed },
    );
  });

  it('encode then decode is the identity with a MAC too, and the MAC element is the last 18 bytes', () => {
    fc.assert(
      fc.property(arbFittingMessage(), fc.uint8Array({ minLength: MAC_LENGTH, maxLength: MAC_LENGTH }), (m, mac) => {
        const bytes = encodeWithMac(m, () => mac);
        if (bytes.length > MAX_DATAGRAM) return; // the MAC pushed it over: covered by the size property
        const r = decode(bytes);
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expect(plain(r.msg)).toEqual(plain(m));
        expect([...r.mac!]).toEqual([...mac]);
        expect(r.signed!.length).toBe(bytes.length - MAC_LENGTH - 2);
      }),
      { numRuns: 1000, seed },
    );
  });

  it('each message type is generated and round-trips (no type is left to chance)', () => {
    for (const type of MESSAGE_TYPES) {
      fc.assert(
        fc.property(arbFittingMessage({ maxItems: 4, maxBytes: 100 }, type), (m) => {
          const r = decode(encode(m));
          expect(r.ok ? plain(r.msg) : r).toEqual(plain(m));
        }),
        { numRuns: 60, seed },
      );
    }
  });

  it('whatever size a valid message encodes to, decode accepts it exactly when it is at most MAX_DATAGRAM bytes', () => {
    fc.assert(
      fc.property(arbMessage({ maxItems: 40 }), (m) => {
        const bytes = encode(m);
        const r = decode(bytes);
        if (bytes.length <= MAX_DATAGRAM) expect(r.ok ? plain(r.msg) : r).toEqual(plain(m));
        else expect(r.ok ? 'ok' : r.code).toBe('oversize');
      }),
      { numRuns: 800, seed },
    );
  });

  it('integers up to 2^53-1 round-trip exactly in every integer field position', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: BigInt(Number.MAX_SAFE_INTEGER) }).map(Number), (n) => {
        const m = { type: 'ack' as const, sid: 1, next: n, hi: n, miss: [[n, n]] as [number, number][] };
        const r = decode(encode(m));
        expect(r.ok && r.msg).toEqual({ ...m });
      }),
      { numRuns: 1000, seed },
    );
  });

  it('the arbitrary respects the schema (a sanity check of the generator itself)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...MESSAGE_TYPES).chain((t) => arbMessageOf(t, { maxItems: 3 })), (m) => {
        expect(checkStruct(MESSAGES[m.type].fields, m as unknown as Record<string, unknown>, m.type)).toBeUndefined();
      }),
      { numRuns: 500, seed },
    );
  });
});
