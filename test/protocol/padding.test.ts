import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, encode } from '../../src/protocol/codec.js';
import { MAX_AVOID, MAX_FILE_NAME, REQUEST_PAD_TO } from '../../src/protocol/constants.js';
import type { MessageOf } from '../../src/protocol/messages.js';
import { padded } from '../../src/protocol/padding.js';

const request = (file: string, extra: Partial<MessageOf<'request'>> = {}): MessageOf<'request'> => ({ type: 'request', rid: 0xdead_beef, file, ...extra });

/**
 * Sizes a `pad` field cannot hit exactly with minimal MessagePack: the field costs
 * 4 bytes of key + 2 of bin 8 header + up to 255 bytes, or 4 + 3 + at least 256;
 * so 1–5 bytes of room (too little for the field) and exactly 262 bytes are out of reach.
 */
function reachable(bare: number, target: number): boolean {
  const room = target - bare;
  return room === 0 || (room >= 6 && room !== 262);
}

describe('padding (§9.4)', () => {
  it('requests of every file-name length and avoid-list size are exactly REQUEST_PAD_TO bytes', () => {
    for (let len = 0; len <= MAX_FILE_NAME; len++) {
      for (const avoid of [0, 1, MAX_AVOID]) {
        const m = request('f'.repeat(len), avoid ? { avoid: Array.from({ length: avoid }, (_, i) => `[2001:db8::${i}]:5000`), mode: 'list', off: 2 ** 40 } : {});
        const bytes = encode(padded(m));
        expect(bytes.length, `file ${len}, avoid ${avoid}`).toBe(REQUEST_PAD_TO);
        const d = decode(bytes);
        expect(d.ok && d.msg.type === 'request' && d.msg.file).toBe(m.file);
      }
    }
  });

  it('with multi-byte file names, tokens and sids too', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), fc.boolean(), (name, tok) => {
        const file = name.slice(0, 60);
        fc.pre(new TextEncoder().encode(file).length <= MAX_FILE_NAME);
        const m = request(file, tok ? { sid: 5, tok: new Uint8Array(16), exp: 1_700_000_030_000 } : {});
        expect(encode(padded(m)).length).toBe(REQUEST_PAD_TO);
      }),
      { numRuns: 300, seed: 21 },
    );
  });

  it('status requests are exactly REQUEST_PAD_TO bytes', () => {
    for (const what of ['summary', 'servers', 'files', 'sessions'] as const) {
      for (const from of [0, 1, 300, 2 ** 32]) {
        expect(encode(padded({ type: 'status-request', rid: 1, what, from, at: 1_700_000_000_000 })).length).toBe(REQUEST_PAD_TO);
      }
    }
  });

  it('for any target, exactly the target when the format can reach it, never more, at most 5 bytes short', () => {
    const m = request('movie.ts');
    const bare = encode(m).length;
    for (let target = bare; target <= bare + 1500; target++) {
      const size = encode(padded(m, target)).length;
      expect(size, `target ${target}`).toBeLessThanOrEqual(target);
      if (reachable(bare, target)) expect(size, `target ${target}`).toBe(target);
      else expect(size, `target ${target}`).toBeGreaterThanOrEqual(target - 5);
    }
  });

  it('replaces a pad the message already has, and leaves a message bigger than the target alone', () => {
    const m = request('x', { pad: new Uint8Array(900) });
    expect(encode(padded(m, 300)).length).toBe(300);
    const big = request('y'.repeat(200));
    expect(encode(padded(big, 100)).length).toBe(encode(big).length);
  });
});
