import { describe, expect, it } from 'vitest';
import { encode } from '../../src/protocol/codec.js';
import type { Message } from '../../src/protocol/messages.js';
import { Rng } from '../../src/protocol/rng.js';
import type { RoleCore } from '../../src/roles/role.js';
import { envelope } from '../helpers/msgpack.js';
import { KEY } from '../helpers/roleDriver.js';
import { deliverForged, forSeeds, mediaFile, MASTER, seedRange, simCluster } from '../helpers/simCluster.js';
import { expectCopy, LOSSY, runToEnd, runUntil, warmUp } from './simAssert.js';

const S1 = '10.0.1.1:5000';
const S2 = '10.0.1.2:5000';
const CLIENT = '10.0.2.1:6000';
const ATTACKER = '10.6.6.6:666';
const SIZE = 1_000_000;

/** Datagrams no role should act on: each kind names the drop code it must be counted under. */
function garbage(rng: Rng): [code: string | undefined, bytes: Uint8Array][] {
  const valid = encode({ type: 'teardown', sid: rng.id() });
  return [
    ['malformed', Uint8Array.from([0xc1, ...rng.bytes(rng.below(40))])],
    ['truncated', valid.subarray(0, valid.length - 1)],
    ['oversize', rng.bytes(1201 + rng.below(300))],
    ['unknown-version', envelope(2 + rng.below(200), 1, { rid: 1 })],
    ['unknown-type', envelope(1, 99, {})],
    ['bad-field', envelope(1, 1, { rid: -1, file: 'x' })],
    [undefined, rng.bytes(1 + rng.below(100))],
  ];
}

describe('simulated garbage: counted, dropped, and the stream goes on', () => {
  for (const mode of ['redirect', 'relay'] as const) {
    it(`garbage and forged control messages at every role while a stream runs (${mode}, key set, 5% loss)`, () => {
      forSeeds(seedRange(700, 20), (seed) => {
        const files = [mediaFile('a.ts', SIZE)];
        const c = simCluster({ seed, key: KEY, link: LOSSY, master: { mode }, servers: [{ files }, { files }] });
        warmUp(c);
        const attacker = c.injector(ATTACKER);
        const cl = c.addClient(CLIENT, { masters: [MASTER], file: 'a.ts', choose: { by: 'random' } });
        runUntil(c, () => cl.client.state === 'playing', 'the stream playing');
        const rng = new Rng(seed);
        const roles: [string, RoleCore<unknown>][] = [[MASTER, c.master], [S1, c.servers[0]!], [S2, c.servers[1]!], [CLIENT, cl.client]];
        const expected = new Map<string, Map<string, number>>(roles.map(([a]) => [a, new Map()]));
        const count = (addr: string, code: string) => expected.get(addr)!.set(code, (expected.get(addr)!.get(code) ?? 0) + 1);
        const cookie = new Uint8Array(8);
        // Control messages without a MAC, with forged sources: from the master to servers, from servers to the master.
        const forged = (at: number): [string, string, Message][] => [
          [S1, MASTER, { type: 'poll', seq: 1, at }],
          [S2, MASTER, { type: 'forward', rid: 1, file: 'a.ts', client: ATTACKER, sid: 5, off: 0, at }],
          [S1, MASTER, { type: 'error', code: 'not-registered', msg: 'forget it', at }],
          [MASTER, S1, { type: 'leave', name: S1, epoch: c.servers[0]!.epoch, cookie, at }],
          [MASTER, S2, { type: 'load', name: S2, epoch: c.servers[1]!.epoch, cookie, seq: 0, streams: 0, bw: 1e12, sent: 0, cap: 1, sids: [], at }],
          [MASTER, ATTACKER, { type: 'register', name: ATTACKER, epoch: 1, cap: 1e12, group: 'x', files: 0, parts: 1, at }],
        ];
        for (let round = 0; round < 15; round++) {
          c.net.at(c.net.now + round * 50, () => {
            for (const [addr] of roles) {
              for (const [code, bytes] of garbage(rng)) {
                attacker.send(addr, bytes);
                if (code) count(addr, code);
              }
            }
            for (const [to, from, m] of forged(Math.floor(c.net.now))) {
              deliverForged(c.net, to, from, encode(m));
              count(to, 'missing-mac');
            }
          });
        }
        runToEnd(c);
        expectCopy(c, cl, 'a.ts', SIZE);
        // Every role counted each kind of garbage that reached it (the attacker's link loses some).
        for (const [addr, role] of roles) {
          for (const [code, sent] of expected.get(addr)!) {
            const n = role.dropped.get(code) ?? 0;
            expect(n, `${addr} dropped ${code}`).toBeGreaterThan(0);
            if (code === 'missing-mac') expect(n, `${addr} missing-mac (forged, never lost)`).toBeGreaterThanOrEqual(sent);
            else expect(n, `${addr} dropped ${code}`).toBeGreaterThanOrEqual(Math.floor(sent * 0.7));
          }
        }
        // The forged messages changed nothing: both servers are still registered and up, no stray registration.
        expect(c.master.serversView().map((s) => s.name).sort()).toEqual([S1, S2]);
        for (const s of c.master.serversView()) expect(s.state).toBe('up');
        expect(c.servers.every((s) => s.state === 'registered')).toBe(true);
        expect(c.servers.every((s) => s.streamCount() === 0 || s.streamsView().every((x) => x.client === CLIENT))).toBe(true);
      });
    });
  }

  it('without a key, forged leave/load need the cookie: a guessed one is answered not-registered and changes nothing', () => {
    forSeeds(seedRange(740, 10), (seed) => {
      const files = [mediaFile('a.ts', 300_000)];
      const c = simCluster({ seed, servers: [{ files }, { files }] });
      warmUp(c);
      const cl = c.addClient(CLIENT, { masters: [MASTER], file: 'a.ts', choose: { by: 'random' } });
      runUntil(c, () => cl.client.state === 'playing', 'the stream playing');
      const cookie = new Uint8Array(8).fill(1);
      deliverForged(c.net, MASTER, S1, encode({ type: 'leave', name: S1, epoch: c.servers[0]!.epoch, cookie }));
      deliverForged(c.net, MASTER, S2, encode({ type: 'load', name: S2, epoch: c.servers[1]!.epoch, cookie, seq: 0, streams: 0, bw: 1e12, sent: 0, cap: 1, sids: [] }));
      expect(c.master.dropped.get('not-registered')).toBe(2);
      expect(c.master.serversView().map((s) => s.state)).toEqual(['up', 'up']);
      runToEnd(c);
      expectCopy(c, cl, 'a.ts', 300_000);
    });
  });
});
