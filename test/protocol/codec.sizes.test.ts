/**
 * Computed sizes (sizes.ts, `encodedLength`): the size computed for a message
 * is exactly the length of its encoding, with and without a MAC, for every
 * message type, every integer width, strings of every UTF-8 length class and
 * every header boundary of strings, binary data, arrays and maps.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encode, encodedLength, encodeWithMac, packPlain, widestLength } from '../../src/protocol/codec.js';
import { COOKIE_LENGTH, MAC_LENGTH, MAX_DATAGRAM } from '../../src/protocol/constants.js';
import { type Field, type Fields, opt, shapeValue, t, U32 } from '../../src/protocol/fields.js';
import { MESSAGES, MESSAGE_TYPES, type Message, type MessageType } from '../../src/protocol/messages.js';
import { fieldLength, ListFill, numberLength, strLength, structLength } from '../../src/protocol/sizes.js';
import { arbMessage, arbMessageOf } from '../helpers/arbitraries.js';
import { SAMPLES } from '../helpers/sampleMessages.js';
import { arbMessage as arbVocabularyMessage } from '../fuzz/schemaArb.js';

const seed = Number(process.env.SEED ?? 0x512e);
const MAC = (): Uint8Array => new Uint8Array(MAC_LENGTH).fill(9);

/** Both lengths, computed and encoded, without and with a MAC. */
function expectExact(m: Message): void {
  expect(encodedLength(m), `${m.type} without a MAC`).toBe(encode(m).length);
  expect(encodedLength(m, true), `${m.type} with a MAC`).toBe(encodeWithMac(m, MAC).length);
}

/** The header-size boundaries of MessagePack's strings, binary data, arrays and maps, and one past each. */
const COUNT_EDGES = [0, 1, 15, 16, 31, 32, 255, 256, 65_535, 65_536];
/** Unsigned integers at every width edge, as the schema's generators also draw them. */
const UINT_EDGES = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x1_0000, U32, U32 + 1, 2 ** 40, 2 ** 52, Number.MAX_SAFE_INTEGER];

const strings = new Map<string, string>();

/** A string of exactly `bytes` UTF-8 bytes, mixing one-, two-, three- and four-byte characters. */
function utf8String(bytes: number, flavour: number): string {
  const key = `${bytes} ${flavour % 5}`;
  let s = strings.get(key);
  if (s === undefined) strings.set(key, (s = buildUtf8String(bytes, flavour % 5)));
  return s;
}

function buildUtf8String(bytes: number, flavour: number): string {
  const pieces = ['a', 'é', '中', '😀', '\ud800' /* a lone surrogate: written as U+FFFD, three bytes */];
  const widths = [1, 2, 3, 4, 3];
  let s = '';
  let left = bytes;
  for (let i = flavour; left > 0; i++) {
    // No piece starts with a low surrogate, so the lone high one never pairs up.
    const k = i % pieces.length;
    const w = widths[k]!;
    if (w > left) {
      s += 'a';
      left -= 1;
    } else {
      s += pieces[k]!;
      left -= w;
    }
  }
  return s;
}

/** A value for the field `f` of `count` bytes or items (for a str, bin or list field). */
function sized(f: Field, count: number, flavour: number): unknown {
  switch (f.kind) {
    case 'str':
      return utf8String(count, flavour);
    case 'bin':
      return new Uint8Array(count).fill(flavour);
    case 'list': {
      const some = Array.from({ length: 8 }, (_, i) => sampleValue(f.of!, i + flavour));
      return Array.from({ length: count }, (_, i) => some[i % 8]);
    }
    default:
      throw new Error(f.kind);
  }
}

/** Some valid value of any field. */
function sampleValue(f: Field, i: number): unknown {
  switch (f.kind) {
    case 'uint':
      return Math.max(f.min ?? 0, Math.min(f.max, UINT_EDGES[i % UINT_EDGES.length]!));
    case 'str':
      return utf8String(i % 40, i);
    case 'bin':
      return new Uint8Array(f.len ?? i % 20);
    case 'bool':
      return i % 2 === 0;
    case 'enum':
      return f.values![i % f.values!.length];
    case 'list':
      return Array.from({ length: i % 3 }, (_, k) => sampleValue(f.of!, i + k));
    case 'tuple':
      return f.items!.map((item, k) => sampleValue(item, i + k));
    case 'struct': {
      const out: Record<string, unknown> = {};
      let k = 0;
      for (const [name, g] of Object.entries(f.fields!)) if (!g.optional || (i + k++) % 2 === 0) out[name] = sampleValue(g, i + k);
      return out;
    }
  }
}

describe('computed sizes (§2.2): encodedLength(m) === encode(m).length', () => {
  it('every sample message, with and without a MAC', () => {
    for (const type of MESSAGE_TYPES) expectExact(SAMPLES[type] as Message);
  });

  it('random valid messages of every type, with lists and strings across the 15/16, 31/32 and 255/256 boundaries', () => {
    fc.assert(fc.property(arbMessage({ maxItems: 40, maxBytes: 300 }), (m) => expectExact(m)), { numRuns: 3000, seed });
  });

  it('random messages of each type in turn (so rare types are not left to chance)', () => {
    for (const type of MESSAGE_TYPES) {
      fc.assert(fc.property(arbMessageOf(type, { maxItems: 20 }), (m) => expectExact(m)), { numRuns: 100, seed });
    }
  });

  it('random messages drawn as the fuzzers draw them (names a role knows, chunk-aligned offsets)', () => {
    const vocabulary = { addrs: ['10.0.1.1:5000', '[2001:db8::1]:5000', 'ß.example:7'], files: ['B', 'movies/été.ts', '中'.repeat(85)] };
    fc.assert(fc.property(arbVocabularyMessage(vocabulary), (m) => expectExact(m)), { numRuns: 1000, seed });
  });

  it('every uint field at every integer width edge', () => {
    for (const type of MESSAGE_TYPES) {
      const fields = MESSAGES[type].fields as Fields;
      for (const [name, f] of Object.entries(fields)) {
        if (f.kind !== 'uint') continue;
        for (const n of UINT_EDGES) expectExact({ ...SAMPLES[type], [name]: n } as Message);
      }
    }
  });

  it('every string, binary and list field at every header boundary (0, 1, 15/16, 31/32, 255/256, 65535/65536 bytes or items)', () => {
    let checked = 0;
    for (const type of MESSAGE_TYPES) {
      const fields = MESSAGES[type].fields as Fields;
      for (const [name, f] of Object.entries(fields)) {
        if (f.kind !== 'str' && f.kind !== 'bin' && f.kind !== 'list') continue;
        // The codec writes what it is given: sizes beyond the schema's limits must be exact too.
        for (const count of COUNT_EDGES) {
          for (const flavour of [0, 1, 2, 3]) {
            if (f.kind !== 'str' && flavour > 0) break;
            expectExact({ ...SAMPLES[type], [name]: sized(f, count, flavour) } as Message);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(200);
  });

  it('nested lists and strings at their boundaries: status rows, a file row\'s servers, notice events', () => {
    const status = SAMPLES.status;
    const fileRow = status.files![0]!;
    for (const count of COUNT_EDGES) {
      if (count > 256) continue; // 65,536 rows of nested maps: slow, and the header is the same code path
      expectExact({ ...status, files: Array.from({ length: count }, (_, i) => ({ ...fileRow, file: utf8String(i % 300, i) })) });
      expectExact({ ...status, files: [{ ...fileRow, servers: Array.from({ length: count }, (_, i) => utf8String(i % 70, i)) }] });
      expectExact({ ...status, sessions: Array.from({ length: count }, () => status.sessions![0]!) });
      expectExact({ ...SAMPLES.notice, events: Array.from({ length: count }, (_, i) => SAMPLES.notice.events[i % 3]!) });
    }
  });

  it('a map of 15, 16 and 65,536 entries takes the right header (no message has so many fields: a struct of them)', () => {
    for (const n of [0, 1, 15, 16, 17, 65_535, 65_536]) {
      const fields: Record<string, Field> = {};
      const value: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) {
        fields[`f${i}`] = opt(t.uint('x'));
        value[`f${i}`] = i;
      }
      const f = t.struct(fields, 'many');
      expect(structLength(fields, value), `${n} entries`).toBe(packPlain(shapeValue(f, value)).length);
    }
  });

  it('any number, as msgpackr writes it (negative integers and floats included)', () => {
    const edges = [0, -1, -32, -33, -128, -129, -32_768, -32_769, -(2 ** 31), -(2 ** 31) - 1, 0.5, -0.5, 1e300, Number.MIN_SAFE_INTEGER, ...UINT_EDGES];
    for (const n of edges) expect(numberLength(n), String(n)).toBe(packPlain(n).length);
    fc.assert(fc.property(fc.oneof(fc.integer(), fc.double({ noNaN: true }), fc.maxSafeInteger()), (n) => {
      expect(numberLength(n)).toBe(packPlain(n).length);
    }), { numRuns: 2000, seed });
  });

  it('any string, as msgpackr writes it: UTF-8 bytes, not UTF-16 units, at every length', () => {
    const check = (s: string) => {
      expect(strLength(s)).toBe(packPlain(s).length);
      expect(fieldLength(t.str(U32, 'x'), s)).toBe(packPlain(s).length);
    };
    fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 400 }), fc.string({ unit: 'grapheme', maxLength: 300 })), check), { numRuns: 1000, seed });
    fc.assert(fc.property(fc.string({ unit: 'binary', minLength: 20_000, maxLength: 70_000, size: 'max' }), check), { numRuns: 30, seed });
    for (const n of COUNT_EDGES) for (const flavour of [0, 1, 2, 3, 4]) {
      const s = utf8String(n, flavour);
      expect(strLength(s), `${n} bytes, flavour ${flavour}`).toBe(packPlain(s).length);
    }
  });
});

describe('the widest size of a message (§4.6)', () => {
  it('a content part at its widest is what the widest values encode to, MAC included', () => {
    const files: [string, number, number][] = [['A', 1, 2], ['movies/été.ts', 2 ** 40, 4_000_000]];
    for (const epoch of [0, 0x7f, 0xffff_ffff]) {
      const widest = widestLength('content', { name: '10.0.1.1:5000', epoch, files }, ['cookie', 'part', 'parts', 'at'], true);
      const encoded = encodeWithMac({ type: 'content', name: '10.0.1.1:5000', epoch, cookie: new Uint8Array(COOKIE_LENGTH), part: 65_534, parts: 65_535, files, at: Number.MAX_SAFE_INTEGER }, MAC).length;
      expect(widest).toBe(encoded);
    }
  });

  it('no content part is ever larger than its widest size', () => {
    fc.assert(fc.property(arbMessageOf('content', { maxItems: 10 }), fc.boolean(), (m, mac) => {
      if (m.type !== 'content') return;
      const { cookie: _c, part: _p, parts: _ps, at: _a, ...known } = m;
      const widest = widestLength('content', known, ['cookie', 'part', 'parts', 'at'], true);
      expect(mac ? encodeWithMac(m, MAC).length : encode(m).length).toBeLessThanOrEqual(widest);
    }), { numRuns: 500, seed });
  });

  it('a field of no fixed width cannot be widened', () => {
    expect(() => widestLength('content', {}, ['name' as 'part'], false)).toThrow(/no fixed widest size/);
  });
});

describe('ListFill: a list filled by computed sizes (§7.4)', () => {
  const kinds: MessageType[] = ['server-list', 'status', 'content'];
  const listOf: Record<string, string> = { 'server-list': 'servers', status: 'files', content: 'files' };

  it('holds the longest prefix of the items that fits, its size is the encoding\'s, and one more item would not fit', () => {
    fc.assert(fc.property(
      fc.constantFrom(...kinds).chain((type) => fc.tuple(fc.constant(type), arbMessageOf(type, { maxItems: 60, maxBytes: 120 }))),
      fc.integer({ min: 40, max: MAX_DATAGRAM }),
      fc.integer({ min: 1, max: 64 }),
      ([type, m], limit, maxItems) => {
        const name = listOf[type]!;
        const items = ((m as unknown as Record<string, unknown[]>)[name] ?? []) as unknown[];
        const empty = { ...m, [name]: [] } as Message;
        const fill = new ListFill<unknown>((MESSAGES[type].fields as Fields)[name]!.of!, encodedLength(empty), limit, maxItems);
        for (const item of items) if (!fill.add(item)) break;
        const page = { ...m, [name]: fill.items } as Message;
        expect(fill.size).toBe(encode(page).length);
        // The old way, trial-encoding each prefix, stops at the same item.
        let trial = 0;
        while (trial < items.length && trial < maxItems && encode({ ...m, [name]: items.slice(0, trial + 1) } as Message).length <= limit) trial++;
        if (encodedLength(empty) <= limit) expect(fill.items.length).toBe(trial);
        if (fill.items.length < items.length && !fill.full) {
          expect(encode({ ...m, [name]: items.slice(0, fill.items.length + 1) } as Message).length).toBeGreaterThan(limit);
        }
      },
    ), { numRuns: 1000, seed });
  });
});
