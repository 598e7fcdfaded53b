import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encode } from '../../src/protocol/codec.js';
import type { Message } from '../../src/protocol/messages.js';
import { padded } from '../../src/protocol/padding.js';
import { envelope } from '../helpers/msgpack.js';
import { KEY } from '../helpers/roleDriver.js';
import { dataOf, MASTER, ServerFixture } from '../helpers/serverFixture.js';

const SPOOFED = '10.0.9.9:9999';

describe('server: anti-amplification (§9.4)', () => {
  const sids = fc.constantFrom(100, 101, 102, 7, 0xffff_ffff);
  const datagram: fc.Arbitrary<Uint8Array> = fc.oneof(
    fc.record({ rid: fc.nat(), sid: sids, off: fc.constantFrom(0, 1100, 10_000_000), pad: fc.boolean(), file: fc.constantFrom('movie.ts', 'nope.ts') }).map(({ rid, sid, off, pad, file }) => {
      const m: Message = { type: 'request', rid, file, sid, ...(off ? { off } : {}) };
      return encode(pad ? padded(m) : m);
    }),
    fc.record({ sid: sids, cookie: fc.uint8Array({ minLength: 8, maxLength: 8 }), off: fc.nat(5_000_000) }).map((m) => encode({ type: 'play', ...m })),
    fc.record({ sid: sids, next: fc.nat(5_000_000) }).map(({ sid, next }) => encode({ type: 'ack', sid, next, hi: next, miss: [[0, 10_000]] })),
    sids.map((sid) => encode({ type: 'teardown', sid })),
    fc.uint8Array({ maxLength: 60 }),
    fc.constant(envelope(2, 1, {})),
  );

  for (const key of [undefined, KEY]) {
    it(`any sequence of datagrams from an address that never proves it receives gets no more bytes than it sent${key ? ' (key set)' : ''}`, () => {
      fc.assert(
        fc.property(fc.array(datagram, { minLength: 1, maxLength: 30 }), fc.array(fc.nat(700), { minLength: 30, maxLength: 30 }), (dgs, gaps) => {
          const f = new ServerFixture({ key }).register();
          dgs.forEach((bytes, i) => {
            f.d.datagram(SPOOFED, bytes);
            f.d.advance(gaps[i]!);
            const sent = f.d.bytesTo.get(SPOOFED) ?? 0;
            const received = f.d.bytesFrom.get(SPOOFED)!;
            if (sent > received) throw new Error(`after ${i + 1} datagrams: sent ${sent} bytes for ${received} received`);
          });
          // Above all, no stream data: that takes the cookie, which only a receiver has.
          expect(dataOf(f.d.sent.filter((s) => s.to === SPOOFED))).toHaveLength(0);
        }),
        { numRuns: 150, seed: 51 },
      );
    });
  }
});

describe('server: garbage is counted and dropped, and the stream goes on', () => {
  it('random bytes, truncated, oversize, unknown version, unexpected and unauthenticated messages, while a stream plays', () => {
    const f = new ServerFixture({ key: KEY, files: [{ name: 'movie.ts', size: 50_000_000, rate: 4_000_000 }] }).register();
    const s = f.play('movie.ts');
    const good = encode({ type: 'ack', sid: s.sid, next: 0, hi: 0, miss: [] });
    const garbage: [string, Uint8Array][] = [
      ['10.6.6.6:1', Uint8Array.from([0xc1, 1, 2, 3])],
      ['10.6.6.6:1', good.subarray(0, good.length - 2)],
      ['10.6.6.6:1', new Uint8Array(1500)],
      ['10.6.6.6:1', envelope(7, 8, {})],
      ['10.6.6.6:1', encode({ type: 'poll', seq: 1 })],
      [MASTER, encode({ type: 'poll', seq: 1, at: f.d.now })],
      ['10.6.6.6:1', encode({ type: 'redirect', rid: 1, file: 'x', srv: 'y', sid: 1 })],
    ];
    let acked = 0;
    for (let round = 0; round < 20; round++) {
      for (const [from, bytes] of garbage) f.d.datagram(from, bytes);
      f.d.advance(100);
      acked = Math.max(acked, ...dataOf(f.d.sent, s.sid).map((d) => d.off + d.data.length));
      f.ack(s.sid, acked);
    }
    expect(Object.fromEntries(f.server.dropped)).toMatchObject({
      malformed: 20, truncated: 20, oversize: 20, 'unknown-version': 20, 'unexpected-message': 40, 'missing-mac': 20,
    });
    expect(f.server.streamCount()).toBe(1);
    // The stream kept its pace: ~2 s at 4 Mbit/s.
    expect(acked).toBeGreaterThan(950_000);
  });
});
