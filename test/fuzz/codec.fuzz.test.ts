/**
 * Fuzzing of the datagram decoder (§2): whatever bytes a peer sends, `decode`
 * returns — never throws — and says what is wrong with a specific code from
 * the error table; what it accepts satisfies the schema and encodes back to
 * itself. Inputs: random bytes, the spec's vectors truncated, extended,
 * bit-flipped and mutated, messages with one field of the wrong type or out of
 * range, and length headers far beyond the datagram.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, type DecodeResult, encode, encodeWithMac, packPlain } from '../../src/protocol/codec.js';
import { MAC_LENGTH, MAX_DATAGRAM, PROTOCOL_VERSION } from '../../src/protocol/constants.js';
import type { ErrorCode } from '../../src/protocol/errors.js';
import { checkStruct, type Field, shapeStruct, U32 } from '../../src/protocol/fields.js';
import { MESSAGES, type Message, TYPE_BY_CODE } from '../../src/protocol/messages.js';
import { arbMutation, mutate, plain } from '../helpers/arbitraries.js';
import { fuzz, FUZZ_TIMEOUT, fuzzTitle } from './params.js';
import { arbMessage } from './schemaArb.js';

/** The codes `decode` may answer with; any other would be a bug. */
const DECODE_CODES: readonly ErrorCode[] = ['oversize', 'truncated', 'trailing-bytes', 'malformed', 'unsupported-value', 'bad-envelope', 'unknown-version', 'unknown-type', 'missing-field', 'bad-field'];

const vectors = JSON.parse(readFileSync(join(import.meta.dirname, '../../protocol-spec/vectors/v1.json'), 'utf8')) as {
  messages: { name: string; hex: string }[];
  authenticated: { name: string; hex: string }[];
  lenient: { name: string; hex: string }[];
};
const VALID = [...vectors.messages, ...vectors.authenticated, ...vectors.lenient].map((v) => ({ name: v.name, bytes: Uint8Array.from(Buffer.from(v.hex, 'hex')) }));
const arbVector = fc.constantFrom(...VALID);

/** Decode without letting a throw escape, and check the answer's form. */
function decodeChecked(bytes: Uint8Array): DecodeResult {
  let r: DecodeResult;
  try {
    r = decode(bytes);
  } catch (e) {
    throw new Error(`decode threw on ${Buffer.from(bytes).toString('hex')}: ${String(e)}`);
  }
  if (r.ok) {
    expect(checkStruct(MESSAGES[r.msg.type].fields, r.msg as unknown as Record<string, unknown>, r.msg.type), 'an accepted message satisfies its schema').toBeUndefined();
    // Whatever is accepted encodes back to itself: no value the schema allows is lost on the way.
    const bytes = encode(r.msg);
    if (bytes.length > MAX_DATAGRAM) {
      // Invalid UTF-8 is read as U+FFFD (§2.2), three bytes for one: only then may the message grow.
      expect(JSON.stringify(r.msg), 'an accepted message grows only by replaced invalid UTF-8').toContain('\ufffd');
    } else {
      const again = decode(bytes);
      expect(again.ok ? plain(again.msg) : again, 'an accepted message re-encodes to itself').toEqual(plain(r.msg));
    }
  } else {
    expect(DECODE_CODES, `code of ${r.detail}`).toContain(r.code);
  }
  return r;
}

/** A value for a message, BigInt included. */
function show(v: unknown): string {
  return JSON.stringify(plain(v), (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));
}

function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

/** Pack a body as the wire would carry it, big integers as 64-bit integers rather than floats. */
function packBody(type: Message['type'], body: Record<string, unknown>): Uint8Array {
  return packPlain([PROTOCOL_VERSION, MESSAGES[type].code, body]);
}

const big = (n: number): unknown => (Number.isInteger(n) && n > U32 ? BigInt(n) : n);

/**
 * Values a field does not accept, each with the code `decode` must answer
 * (when the datagram stays within MAX_DATAGRAM): the wrong MessagePack type, out of
 * range, too long, too many items, the wrong length, a float.
 */
function arbWrong(f: Field): fc.Arbitrary<{ value: unknown; code: ErrorCode }> {
  const bad = (value: unknown) => ({ value, code: 'bad-field' as ErrorCode });
  const common = [
    fc.constant({ value: 1.5, code: 'unsupported-value' as ErrorCode }),
    fc.constant(bad(new Uint8Array([1, 2]))),
    fc.constant(bad({ a: 1 })),
    fc.constant(bad(true)),
  ];
  switch (f.kind) {
    case 'uint':
      return fc.oneof(
        ...common,
        fc.constant(bad('7')),
        fc.constant(bad([1])),
        fc.integer({ min: -(2 ** 31), max: -1 }).map(bad),
        fc.bigInt({ min: 2n ** 53n, max: 2n ** 64n - 1n }).map(bad),
        ...(f.max < Number.MAX_SAFE_INTEGER ? [fc.integer({ min: 1, max: 1000 }).map((k) => bad(big(f.max + k)))] : []),
        // Below the field's least value (an id of 0, a scale of 0).
        ...(f.min !== undefined ? [fc.integer({ min: 0, max: f.min - 1 }).map(bad)] : []),
      );
    case 'str':
      return fc.oneof(...common.slice(0, 2), fc.constant(bad(7)), fc.constant(bad(['x'])), fc.constant(bad('x'.repeat(f.max + 1))), fc.constant(bad('é'.repeat(Math.floor(f.max / 2) + 1))));
    case 'bin':
      return fc.oneof(
        fc.constant(bad('bytes')),
        fc.constant(bad(3)),
        fc.constant(bad([1, 2])),
        ...(f.len !== undefined ? [fc.integer({ min: 0, max: 40 }).filter((n) => n !== f.len).map((n) => bad(new Uint8Array(n)))] : [fc.constant(bad(new Uint8Array(f.max + 1)))]),
      );
    case 'bool':
      return fc.oneof(fc.constant(bad(0)), fc.constant(bad(1)), fc.constant(bad('true')), fc.constant(bad(new Uint8Array(1))));
    case 'enum':
      return fc.oneof(fc.constant(bad('no-such-value')), fc.constant(bad(0)), fc.constant(bad(f.values![0]!.toUpperCase() + '_')), fc.constant(bad([f.values![0]])));
    case 'list':
      return fc.oneof(fc.constant(bad({ 0: 1 })), fc.constant(bad('[]')), fc.constant(bad(Array.from({ length: f.max + 1 }, () => 0))), fc.constant(bad([true])));
    case 'tuple':
      return fc.oneof(fc.constant(bad([])), fc.constant(bad(new Array(f.items!.length + 1).fill(0))), fc.constant(bad('tuple')));
    case 'struct':
      return fc.oneof(fc.constant(bad([])), fc.constant(bad(5)), fc.constant(bad('map')));
  }
}

/** A valid message and one of its fields replaced by a value of the wrong kind. */
const arbWrongField = arbMessage().chain((m) => {
  const fields = MESSAGES[m.type].fields as Readonly<Record<string, Field>>;
  return fc.constantFrom(...Object.keys(fields)).chain((name) => arbWrong(fields[name]!).map((w) => ({ m, name, ...w })));
});

/** MessagePack headers that claim far more bytes or items than any datagram holds. */
const arbHugeHeader = fc.oneof(
  fc.tuple(fc.constantFrom(0xc6, 0xdb, 0xdd, 0xdf), fc.integer({ min: 2 ** 16, max: 2 ** 32 - 1 })).map(([c, n]) => [c, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]),
  fc.tuple(fc.constantFrom(0xc5, 0xda, 0xdc, 0xde), fc.integer({ min: MAX_DATAGRAM, max: 0xffff })).map(([c, n]) => [c, n >> 8, n & 0xff]),
);

describe('fuzz: decode', () => {
  it(fuzzTitle('codec: random bytes never throw and answer a decode code'), () => {
    fuzz('codec: random bytes never throw and answer a decode code', fc.property(fc.uint8Array({ maxLength: MAX_DATAGRAM + 4 }), (b) => {
      decodeChecked(b);
    }), 2000);
  }, FUZZ_TIMEOUT);

  it(fuzzTitle('codec: a strict prefix of a valid vector is truncated (empty: malformed)'), () => {
    fuzz('codec: a strict prefix of a valid vector is truncated (empty: malformed)', fc.property(arbVector, fc.nat(), (v, cut) => {
      const at = cut % v.bytes.length;
      const r = decodeChecked(v.bytes.subarray(0, at));
      expect(r.ok ? 'ok' : r.code, `${v.name} cut at ${at}`).toBe(at === 0 ? 'malformed' : 'truncated');
    }), 1000);
  }, FUZZ_TIMEOUT);

  it(fuzzTitle('codec: bytes after a valid vector are trailing-bytes (or oversize)'), () => {
    fuzz('codec: bytes after a valid vector are trailing-bytes (or oversize)', fc.property(arbVector, fc.uint8Array({ minLength: 1, maxLength: 1300 }), (v, tail) => {
      const b = concat(v.bytes, tail);
      const r = decodeChecked(b);
      expect(r.ok ? 'ok' : r.code, v.name).toBe(b.length > MAX_DATAGRAM ? 'oversize' : 'trailing-bytes');
    }), 1000);
  }, FUZZ_TIMEOUT);

  it(fuzzTitle('codec: bit flips and mutations of valid vectors never throw'), () => {
    fuzz('codec: bit flips and mutations of valid vectors never throw', fc.property(arbVector, fc.array(arbMutation, { minLength: 1, maxLength: 6 }), (v, muts) => {
      decodeChecked(mutate(v.bytes, muts));
    }), 2000);
  }, FUZZ_TIMEOUT);

  it(fuzzTitle('codec: one field of the wrong type or out of range is bad-field, a float unsupported-value'), () => {
    fuzz('codec: one field of the wrong type or out of range is bad-field, a float unsupported-value', fc.property(arbWrongField, ({ m, name, value, code }) => {
      const body = shapeStruct(MESSAGES[m.type].fields, m as unknown as Record<string, unknown>);
      body[name] = value;
      const b = packBody(m.type, body);
      const r = decodeChecked(b);
      expect(r.ok ? 'ok' : r.code, `${m.type}.${name} = ${show(value)}`).toBe(b.length > MAX_DATAGRAM ? 'oversize' : code);
    }), 2000);
  }, FUZZ_TIMEOUT);

  it(fuzzTitle('codec: a missing required field is missing-field; unknown and prototype-named keys are ignored'), () => {
    const arb = arbMessage().chain((m) => {
      const required = Object.entries(MESSAGES[m.type].fields).filter(([, f]) => !f.optional).map(([k]) => k);
      return fc.record({
        m: fc.constant(m),
        drop: required.length > 0 ? fc.option(fc.constantFrom(...required), { nil: undefined }) : fc.constant(undefined),
        extra: fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '', 'zz', 'type'), fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.dictionary(fc.constantFrom('rid', 'sid', 'file'), fc.nat())), { maxKeys: 3 }),
      });
    });
    fuzz('codec: a missing required field is missing-field; unknown and prototype-named keys are ignored', fc.property(arb, ({ m, drop, extra }) => {
      const body: Record<string, unknown> = { ...shapeStruct(MESSAGES[m.type].fields, m as unknown as Record<string, unknown>) };
      if (drop !== undefined) delete body[drop];
      for (const [k, x] of Object.entries(extra)) Object.defineProperty(body, k, { value: x, enumerable: true, configurable: true, writable: true });
      const b = packBody(m.type, body);
      const r = decodeChecked(b);
      if (b.length > MAX_DATAGRAM) expect(r.ok ? 'ok' : r.code).toBe('oversize');
      else if (drop !== undefined) expect(r.ok ? 'ok' : r.code, `${m.type} without ${drop}`).toBe('missing-field');
      else expect(r.ok ? plain(r.msg) : r, 'unknown keys change nothing').toEqual(plain(m));
    }), 1000);
  }, FUZZ_TIMEOUT);

  it(fuzzTitle('codec: length headers beyond the datagram are truncated, wherever a value starts'), () => {
    const prefixes = fc.constantFrom<number[][]>(
      [[0x93]], // the version
      [[0x93, 0x01]], // the type
      [[0x93, 0x01, 0x01]], // the body
      [[0x94, 0x01, 0x07, 0x80]], // the MAC
      [[0x93, 0x01, 0x01, 0x81, 0xa3, 0x72, 0x69, 0x64]], // a field's value
      [[0x93, 0x01, 0x08, 0x81, 0xa4, 0x6d, 0x69, 0x73, 0x73, 0x91]], // an item of a list
    );
    fuzz('codec: length headers beyond the datagram are truncated, wherever a value starts', fc.property(prefixes, arbHugeHeader, fc.uint8Array({ maxLength: 1000 }), ([prefix], header, tail) => {
      const b = concat(prefix!, header, tail);
      const r = decodeChecked(b);
      expect(r.ok ? 'ok' : r.code).toBe(b.length > MAX_DATAGRAM ? 'oversize' : 'truncated');
    }), 1000);
  }, FUZZ_TIMEOUT);

  it(fuzzTitle('codec: decode(encode(m)) is m for random valid messages of every type, with and without a MAC'), () => {
    fuzz('codec: decode(encode(m)) is m for random valid messages of every type, with and without a MAC', fc.property(arbMessage(), fc.option(fc.uint8Array({ minLength: MAC_LENGTH, maxLength: MAC_LENGTH }), { nil: undefined }), (m, mac) => {
      const bytes = mac ? encodeWithMac(m, () => mac) : encode(m);
      const r = decodeChecked(bytes);
      expect(r.ok ? plain(r.msg) : r).toEqual(plain(m));
      if (r.ok && mac) expect([...r.mac!]).toEqual([...mac]);
      if (r.ok && !mac) expect(r.mac).toBeUndefined();
    }), 2000);
  }, FUZZ_TIMEOUT);

  it(fuzzTitle('codec: random envelopes around random bodies answer the envelope codes'), () => {
    const arb = fc.record({
      version: fc.oneof(fc.constant(PROTOCOL_VERSION), fc.integer({ min: 0, max: 300 }), fc.constant(-1), fc.constant('1')),
      code: fc.oneof(fc.constantFrom(...TYPE_BY_CODE.keys()), fc.integer({ min: -5, max: 300 }), fc.constant(null)),
      body: fc.oneof(fc.constant({}), fc.constant([]), fc.constant(null), fc.constant(new Uint8Array(3)), fc.dictionary(fc.string({ maxLength: 4 }), fc.nat())),
      extra: fc.array(fc.oneof(fc.constant(new Uint8Array(MAC_LENGTH)), fc.nat(), fc.constant(new Uint8Array(3))), { maxLength: 2 }),
    });
    fuzz('codec: random envelopes around random bodies answer the envelope codes', fc.property(arb, ({ version, code, body, extra }) => {
      decodeChecked(packPlain([version, code, body, ...extra]));
    }), 1000);
  }, FUZZ_TIMEOUT);
});
