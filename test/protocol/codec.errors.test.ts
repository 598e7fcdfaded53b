import { describe, expect, it } from 'vitest';
import { decode, type DecodeResult, encode, encodeWithMac } from '../../src/protocol/codec.js';
import { MAX_DATAGRAM, MAX_NESTING, REQUEST_PAD_TO } from '../../src/protocol/constants.js';
import { ERRORS, type ErrorCode } from '../../src/protocol/errors.js';
import { MESSAGES } from '../../src/protocol/messages.js';
import { padded } from '../../src/protocol/padding.js';
import { cat, envelope, mp } from '../helpers/msgpack.js';

const REQUEST = MESSAGES.request.code;
const goodRequest = { rid: 1, file: 'a.ts' };

function codeOf(r: DecodeResult): ErrorCode | 'ok' {
  return r.ok ? 'ok' : r.code;
}

function expectCode(bytes: Uint8Array, code: ErrorCode | 'ok'): void {
  const r = decode(bytes);
  expect(codeOf(r), r.ok ? 'decoded' : r.detail).toBe(code);
  if (!r.ok) expect(r.detail.length).toBeGreaterThan(0);
}

describe('decode error codes', () => {
  it('every decode error is in the error table, is never sent on the wire except unknown-version, and is the peer\'s fault', () => {
    const codes: ErrorCode[] = ['oversize', 'truncated', 'trailing-bytes', 'malformed', 'unsupported-value', 'bad-envelope', 'unknown-version', 'unknown-type', 'missing-field', 'bad-field'];
    for (const c of codes) {
      expect(ERRORS[c].fault).toBe('peer');
      expect(ERRORS[c].wire).toBe(c === 'unknown-version');
    }
  });

  describe('oversize', () => {
    it('a datagram of MAX_DATAGRAM + 1 bytes is oversize, whatever it holds', () => {
      expectCode(new Uint8Array(MAX_DATAGRAM + 1), 'oversize');
      const full = encode(padded({ type: 'request', rid: 1, file: 'x' }));
      expectCode(cat(full, [0]), 'oversize');
    });
    it('a valid datagram of exactly MAX_DATAGRAM bytes is accepted', () => {
      const full = encode(padded({ type: 'request', rid: 1, file: 'x' }));
      expect(full.length).toBe(REQUEST_PAD_TO);
      expect(REQUEST_PAD_TO).toBe(MAX_DATAGRAM);
      expect(decode(full).ok).toBe(true);
    });
  });

  describe('truncated', () => {
    it('every proper prefix of a valid datagram is truncated (or, when empty, malformed)', () => {
      const bytes = encode({ type: 'setup', rid: 2, sid: 3, file: 'f', srv: '10.0.0.1:1', size: 10, rate: 8, chunk: 1100, off: 0, cookie: new Uint8Array(8) });
      for (let n = 1; n < bytes.length; n++) expectCode(bytes.subarray(0, n), 'truncated');
    });
    it('a container that claims more items than bytes are left is truncated', () => {
      expectCode(Uint8Array.from([0xdd, 0xff, 0xff, 0xff, 0xff, 1]), 'truncated');
      expectCode(Uint8Array.from([0xdf, 0x00, 0x00, 0x10, 0x00]), 'truncated');
      expectCode(Uint8Array.from([0xc6, 0x7f, 0xff, 0xff, 0xff]), 'truncated');
    });
  });

  it('trailing-bytes: anything after the single top-level value', () => {
    expectCode(cat(encode({ type: 'teardown', sid: 1 }), [0x00]), 'trailing-bytes');
    expectCode(cat(encode({ type: 'teardown', sid: 1 }), encode({ type: 'teardown', sid: 1 })), 'trailing-bytes');
  });

  describe('malformed', () => {
    it('an empty datagram', () => expectCode(new Uint8Array(0), 'malformed'));
    it('the reserved byte 0xc1, at the top or inside', () => {
      expectCode(Uint8Array.from([0xc1]), 'malformed');
      expectCode(cat([0x93, 0x01, 0x01], [0x81, 0xa3, 0x72, 0x69, 0x64, 0xc1]), 'malformed');
    });
  });

  describe('unsupported-value', () => {
    it('an extension type (fixext and ext 8/16/32)', () => {
      for (const ext of [[0xd4, 1, 0], [0xd5, 1, 0, 0], [0xd6, 0xff, 0, 0, 0, 0], [0xd7, 1, 0, 0, 0, 0, 0, 0, 0, 0], [0xd8, 1, ...new Array(16).fill(0)], [0xc7, 1, 5, 0], [0xc8, 0, 1, 5, 0], [0xc9, 0, 0, 0, 1, 5, 0]]) {
        expectCode(cat([0x93, 0x01, 0x09, 0x81, 0xa3, 0x73, 0x69, 0x64], ext), 'unsupported-value');
      }
      // A Date is what msgpackr would turn into a timestamp extension.
      expectCode(envelope(1, REQUEST, { ...goodRequest, off: new Date(0) }), 'unsupported-value');
    });
    it('a map key that is not a string', () => {
      expectCode(envelope(1, REQUEST, new Map<unknown, unknown>([[1, 2]])), 'unsupported-value');
      expectCode(envelope(1, REQUEST, new Map<unknown, unknown>([['rid', 1], [true, 'a.ts']])), 'unsupported-value');
      expectCode(envelope(1, REQUEST, new Map<unknown, unknown>([[new Uint8Array([0x72]), 1]])), 'unsupported-value');
    });
    it(`nesting deeper than MAX_NESTING (${MAX_NESTING})`, () => {
      const nest = (depth: number): unknown => (depth === 0 ? 1 : [nest(depth - 1)]);
      // The envelope is one level; the body map another.
      expectCode(envelope(1, REQUEST, { ...goodRequest, x: nest(MAX_NESTING - 2) }), 'ok');
      expectCode(envelope(1, REQUEST, { ...goodRequest, x: nest(MAX_NESTING - 1) }), 'unsupported-value');
      expectCode(mp(nest(MAX_NESTING + 5)), 'unsupported-value');
    });
  });

  describe('bad-envelope', () => {
    it('the top-level value is not a 3- or 4-item array', () => {
      expectCode(mp(1), 'bad-envelope');
      expectCode(mp('hello'), 'bad-envelope');
      expectCode(mp({ v: 1 }), 'bad-envelope');
      expectCode(mp([1, REQUEST]), 'bad-envelope');
      expectCode(mp([1, REQUEST, goodRequest, new Uint8Array(16), 5]), 'bad-envelope');
    });
    it('the version or type is not an integer', () => {
      expectCode(mp(['1', REQUEST, goodRequest]), 'bad-envelope');
      expectCode(mp([-1, REQUEST, goodRequest]), 'bad-envelope');
      expectCode(mp([1, 'request', goodRequest]), 'bad-envelope');
      expectCode(mp([1, null, goodRequest]), 'bad-envelope');
    });
    it('the body is not a map', () => {
      expectCode(mp([1, REQUEST, [1, 'a.ts']]), 'bad-envelope');
      expectCode(mp([1, REQUEST, new Uint8Array(3)]), 'bad-envelope');
      expectCode(mp([1, REQUEST, null]), 'bad-envelope');
      expectCode(mp([1, REQUEST, 'x']), 'bad-envelope');
    });
    it('the MAC is not 16 bytes of bin 8', () => {
      expectCode(mp([1, REQUEST, goodRequest, new Uint8Array(15)]), 'bad-envelope');
      expectCode(mp([1, REQUEST, goodRequest, 'x'.repeat(16)]), 'bad-envelope');
      // 16 bytes, but as bin 16 (0xc5 0x00 0x10) rather than bin 8.
      const body = encode({ type: 'request', ...goodRequest });
      expectCode(cat([0x94], body.subarray(1), [0xc5, 0x00, 0x10], new Uint8Array(16)), 'bad-envelope');
      // The well-formed version of the same is accepted.
      expectCode(encodeWithMac({ type: 'request', ...goodRequest }, () => new Uint8Array(16)), 'ok');
    });
  });

  it('unknown-version: the claimed version is reported', () => {
    for (const v of [0, 2, 200, 0xffff]) {
      const r = decode(envelope(v, REQUEST, goodRequest));
      expect(codeOf(r)).toBe('unknown-version');
      expect(!r.ok && r.version).toBe(v);
    }
    // The version is checked before anything else in the envelope.
    expect(codeOf(decode(mp([2, 'x', 'y'])))).toBe('unknown-version');
  });

  it('unknown-type: a code the catalogue does not define', () => {
    for (const c of [0, 14, 99, 255, 70_000, -1]) expectCode(envelope(1, c, goodRequest), 'unknown-type');
  });

  it('missing-field: a required field is absent (or nil)', () => {
    expectCode(envelope(1, REQUEST, { rid: 1 }), 'missing-field');
    expectCode(envelope(1, REQUEST, { rid: 1, file: null }), 'missing-field');
    expectCode(envelope(1, MESSAGES.ack.code, { sid: 1, next: 0, hi: 0 }), 'missing-field');
    const r = decode(envelope(1, REQUEST, { file: 'a' }));
    expect(!r.ok && r.type).toBe('request');
    expect(!r.ok && r.detail).toContain('rid');
  });

  describe('bad-field', () => {
    const cases: [string, Record<string, unknown>][] = [
      ['negative integer', { ...goodRequest, rid: -1 }],
      ['u32 above 2^32-1', { ...goodRequest, rid: 2n ** 32n }],
      ['integer beyond 2^53', { ...goodRequest, off: 2n ** 60n }],
      ['string for an integer', { ...goodRequest, rid: '1' }],
      ['integer for a string', { ...goodRequest, file: 5 }],
      ['binary for a string', { ...goodRequest, file: new Uint8Array(2) }],
      ['string longer than its limit, in bytes', { ...goodRequest, file: 'é'.repeat(128) }],
      ['enum value not in the list', { ...goodRequest, mode: 'teleport' }],
      ['exact-length binary of another length', { ...goodRequest, tok: new Uint8Array(15) }],
      ['list with too many items', { ...goodRequest, avoid: new Array(9).fill('10.0.0.1:1') }],
      ['list item of the wrong type', { ...goodRequest, avoid: [1] }],
      ['map for a list', { ...goodRequest, avoid: { a: 1 } }],
      ['boolean for an integer', { ...goodRequest, from: true }],
    ];
    for (const [what, body] of cases) it(what, () => expectCode(envelope(1, REQUEST, body), 'bad-field'));
    it('a float anywhere is unsupported-value, even a whole number for an integer field', () => {
      expectCode(envelope(1, REQUEST, { ...goodRequest, off: 1.5 }), 'unsupported-value');
      expectCode(Uint8Array.from([0x93, 0x01, 0x09, 0x81, 0xa3, 0x73, 0x69, 0x64, 0xca, 0x3f, 0x80, 0, 0]), 'unsupported-value');
    });

    it('tuple with the wrong number of items, and a struct list entry with a bad field', () => {
      expectCode(envelope(1, MESSAGES.ack.code, { sid: 1, next: 0, hi: 0, miss: [[1]] }), 'bad-field');
      expectCode(envelope(1, MESSAGES.ack.code, { sid: 1, next: 0, hi: 0, miss: [[1, 2, 3]] }), 'bad-field');
      expectCode(envelope(1, MESSAGES['server-list'].code, { rid: 1, file: 'a', total: 1, from: 0, servers: [{ srv: 'x', status: 'sleeping', users: 0, group: '', sid: 1 }] }), 'bad-field');
      expectCode(envelope(1, MESSAGES['server-list'].code, { rid: 1, file: 'a', total: 1, from: 0, servers: [{ srv: 'x', status: 'up', users: 0, group: '', sid: 1, tok: 'x' }] }), 'bad-field');
      expectCode(envelope(1, MESSAGES.status.code, { rid: 1, what: 'summary', total: 1, from: 0, summary: [1] }), 'bad-field');
    });

    it('a string of exactly its limit in bytes is accepted', () => {
      expectCode(envelope(1, REQUEST, { ...goodRequest, file: 'é'.repeat(127) + 'x' }), 'ok');
    });
  });
});
