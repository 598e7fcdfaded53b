/**
 * No role crashes, whatever it is sent: random valid messages of every type,
 * from strangers and from the very addresses of its peers (no cluster key, so
 * nothing is filtered by authentication), mixed with mutated datagrams, while
 * it is in the middle of its work. Every datagram a role sends in answer must
 * itself be valid and fit in MAX_DATAGRAM.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, encode } from '../../src/protocol/codec.js';
import { MAX_DATAGRAM } from '../../src/protocol/constants.js';
import type { Message } from '../../src/protocol/messages.js';
import { arbFittingMessage, arbMutation, mutate } from '../helpers/arbitraries.js';
import { ClientFixture, M1, SRV1 } from '../helpers/clientFixture.js';
import { file, MasterFixture } from '../helpers/masterFixture.js';
import type { Role } from '../../src/roles/role.js';
import type { Driver } from '../helpers/roleDriver.js';
import { CLIENT, MASTER, ServerFixture } from '../helpers/serverFixture.js';

type AnyDriver = Driver<unknown, Role<unknown>>;

/** Datagrams: valid messages (their strings drawn from names the roles know), or mutated ones. */
function arbDatagram(names: readonly string[]): fc.Arbitrary<Uint8Array> {
  const known = fc.constantFrom(...names);
  const message = arbFittingMessage({ maxItems: 4, maxBytes: 40 }).chain((m) =>
    // Point string fields at real names half of the time, so messages match real state.
    fc.record({ srv: known, file: fc.constantFrom('B', 'movie.ts', 'x'), name: known, client: known }).map((pick) => {
      const out: Record<string, unknown> = { ...m };
      for (const k of ['srv', 'file', 'name', 'client'] as const) if (typeof out[k] === 'string' && pick[k].length % 2 === 0) out[k] = pick[k];
      return encode(out as unknown as Message);
    }),
  );
  return fc.oneof(
    { weight: 4, arbitrary: message },
    { weight: 1, arbitrary: fc.tuple(message, fc.array(arbMutation, { minLength: 1, maxLength: 3 })).map(([b, ms]) => mutate(b, ms)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 80 }) },
  );
}

function hammer(make: () => AnyDriver, peers: readonly string[], names: readonly string[], runs: number, seed: number): void {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.constantFrom(...peers), arbDatagram(names), fc.nat(400)), { minLength: 1, maxLength: 40 }), (inputs) => {
      const d = make();
      const before = d.sent.length;
      for (const [from, bytes, gap] of inputs) {
        d.datagram(from, bytes);
        d.advance(gap);
      }
      d.advance(20_000);
      for (const s of d.sent.slice(before)) {
        expect(s.bytes.length).toBeLessThanOrEqual(MAX_DATAGRAM);
        const r = decode(s.bytes);
        expect(r.ok, r.ok ? '' : `${r.code}: ${r.detail}`).toBe(true);
      }
      expect(d.eventsOf('internal-error')).toEqual([]);
    }),
    { numRuns: runs, seed },
  );
}

describe('robustness: no role crashes on anything it is sent', () => {
  it('master, with servers registered and streams assigned', () => {
    const make = () => {
      const f = new MasterFixture({ config: { mode: 'relay' } });
      f.addServer({ files: [file('B'), file('x')] });
      f.addServer({ files: [file('B')] });
      f.ask('10.0.2.1:6000', 'B');
      f.ask('10.0.2.2:6000', 'B', { mode: 'redirect' });
      return f.d;
    };
    const peers = ['10.0.1.1:5000', '10.0.1.2:5000', '10.0.2.1:6000', '10.0.9.9:1'];
    hammer(make, peers, peers, 300, 71);
  });

  it('server, registered and streaming', () => {
    const make = () => {
      // A low rate keeps the number of data packets (and the test's time) small.
      const f = new ServerFixture({ files: [{ name: 'movie.ts', size: 5_000_000, rate: 200_000 }] }).register();
      f.play('movie.ts');
      f.d.advance(50);
      return f.d;
    };
    const peers = [MASTER, CLIENT, '10.0.9.9:1'];
    hammer(make, peers, [...peers, '10.0.1.1:5000'], 300, 72);
  });

  it('client, playing a stream', () => {
    const make = () => {
      const f = new ClientFixture();
      f.start();
      f.redirect(SRV1, 11);
      f.setup(SRV1, 100_000, { sid: 11 });
      f.data(SRV1, 11, 0, 100_000);
      return f.d;
    };
    const peers = [M1, SRV1, '10.0.9.9:1'];
    hammer(make, peers, peers, 300, 73);
  });

  it('client, asking in list mode', () => {
    const make = () => {
      const f = new ClientFixture({ mode: 'list' });
      f.start();
      return f.d;
    };
    const peers = [M1, SRV1, '10.0.9.9:1'];
    hammer(make, peers, peers, 200, 74);
  });
});
