import fc from 'fast-check';
import { Unpackr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { packPlain } from '../../src/protocol/codec.js';
import { MAX_NESTING } from '../../src/protocol/constants.js';
import { scanMessagePack } from '../../src/protocol/scan.js';

const scan = (bytes: number[] | Uint8Array) => scanMessagePack(Uint8Array.from(bytes))?.code;

describe('scanMessagePack', () => {
  it('accepts one value of each supported MessagePack format', () => {
    const values: unknown[] = [0, 127, -1, -32, 128, 255, 256, 65535, 65536, -33, -129, -32769, -(2n ** 31n) - 1n, 2n ** 32n, null, true, false,
      '', 'a'.repeat(31), 'a'.repeat(32), 'a'.repeat(256), 'a'.repeat(70_000), new Uint8Array(0), new Uint8Array(256), new Uint8Array(70_000),
      [], new Array(16).fill(0), new Array(70_000).fill(0), {}, Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, i])),
      Object.fromEntries(Array.from({ length: 70_000 }, (_, i) => [`k${i}`, 0]))];
    for (const v of values) expect(scan(packPlain(v)), String(v).slice(0, 40)).toBeUndefined();
  });

  it('refuses floats: version 1 has no floating-point field', () => {
    expect(scan([0xca, 0, 0, 0, 0])).toBe('unsupported-value');
    expect(scan([0xcb, 0, 0, 0, 0, 0, 0, 0, 0])).toBe('unsupported-value');
    expect(scan(packPlain([1, 2.5]))).toBe('unsupported-value');
  });

  it('every possible first byte gets an answer, never an exception', () => {
    for (let c = 0; c <= 0xff; c++) {
      for (const tail of [[], [0], new Array(20).fill(0), new Array(20).fill(0xff)]) {
        const r = scanMessagePack(Uint8Array.from([c, ...tail]));
        if (r) expect(['truncated', 'trailing-bytes', 'malformed', 'unsupported-value']).toContain(r.code);
      }
    }
  });

  it('the codes: truncated, trailing-bytes, malformed, unsupported-value', () => {
    expect(scan([0xa5, 0x61])).toBe('truncated'); // fixstr of 5, one byte
    expect(scan([0xcd, 0x01])).toBe('truncated'); // uint16, one byte
    expect(scan([0x92, 0x01])).toBe('truncated'); // fixarray of 2, one item
    expect(scan([0x01, 0x02])).toBe('trailing-bytes');
    expect(scan([])).toBe('malformed');
    expect(scan([0xc1])).toBe('malformed');
    expect(scan([0xd4, 0x00, 0x00])).toBe('unsupported-value');
    expect(scan([0x81, 0x01, 0x02])).toBe('unsupported-value'); // integer key
    expect(scan([0x81, 0xc0, 0x02])).toBe('unsupported-value'); // nil key
    expect(scan([0x81, 0xd9, 0x01, 0x61, 0x02])).toBeUndefined(); // str 8 key
  });

  it(`nesting: ${MAX_NESTING} levels pass, one more does not (arrays and maps alike)`, () => {
    const arrays = (n: number) => [...new Array(n).fill(0x91), 0x00];
    expect(scan(arrays(MAX_NESTING))).toBeUndefined();
    expect(scan(arrays(MAX_NESTING + 1))).toBe('unsupported-value');
    const maps = (n: number) => [...new Array(n).fill([0x81, 0xa1, 0x6b]).flat(), 0x00];
    expect(scan(maps(MAX_NESTING))).toBeUndefined();
    expect(scan(maps(MAX_NESTING + 1))).toBe('unsupported-value');
    // Nesting a million deep answers quickly instead of exhausting the stack.
    expect(scan(new Array(1_000_000).fill(0x91))).toBe('unsupported-value');
  });

  it('huge claimed lengths are truncated, without allocating or looping over them', () => {
    expect(scan([0xdd, 0xff, 0xff, 0xff, 0xff])).toBe('truncated');
    expect(scan([0xdf, 0xff, 0xff, 0xff, 0xff])).toBe('truncated');
    expect(scan([0xdb, 0xff, 0xff, 0xff, 0xff])).toBe('truncated');
    expect(scan([0xc6, 0xff, 0xff, 0xff, 0xff])).toBe('truncated');
  });

  it('property: whatever the scan accepts, msgpackr decodes without an error', () => {
    const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number', moreTypes: false });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        if (scanMessagePack(b)) return;
        expect(() => unpackr.unpack(b)).not.toThrow();
      }),
      { numRuns: 5000, seed: 13 },
    );
  });
});
