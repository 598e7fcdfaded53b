import { describe, expect, it } from 'vitest';
import { MASTER_SILENCE_POLLS, MISSED_POLLS_DOWN, POLL_INTERVAL } from '../../src/protocol/constants.js';
import { KEY } from '../helpers/roleDriver.js';
import { eventsAt, forSeeds, mediaFile, MASTER, seedRange, simCluster } from '../helpers/simCluster.js';
import { expectCopy, LOSSY, runToEnd, runUntil, warmUp } from './simAssert.js';

const DEAD_MASTER = '10.0.0.9:4000';

describe('simulated failures', () => {
  it('two masters given, one dead: the client rotates to the live one (S4.3) and completes', () => {
    let startedAtDead = 0;
    forSeeds(seedRange(400, 20), (seed) => {
      const c = simCluster({ seed, link: LOSSY, servers: [{ files: [mediaFile('a.ts', 200_000)] }] });
      warmUp(c);
      const cl = c.addClient('10.0.2.1:6000', { masters: [DEAD_MASTER, MASTER], file: 'a.ts', choose: { by: 'random' } });
      runToEnd(c);
      expectCopy(c, cl, 'a.ts', 200_000);
      const asks = eventsAt(c, cl.addr, 'ask');
      if (asks[0]!.e.master === DEAD_MASTER) {
        startedAtDead++;
        expect(c.log.some((l) => l.addr === cl.addr && l.e.type === 'master-silent' && l.e.master === DEAD_MASTER)).toBe(true);
        expect(asks[1]!.e.master).toBe(MASTER);
      }
    });
    // The starting master is random per client: both orders must have been exercised.
    if (!process.env.SEED) expect(startedAtDead).toBeGreaterThanOrEqual(4);
  });

  for (const mode of ['redirect', 'relay'] as const) {
    it(`master crash and restart (${mode}): servers re-register within a few poll intervals, a new request succeeds, running streams complete`, () => {
      forSeeds(seedRange(500, 20), (seed) => {
        const files = [mediaFile('long.ts', 2_000_000), mediaFile('short.ts', 100_000)];
        const c = simCluster({ seed, link: LOSSY, master: { mode }, servers: [{ files }, { files }] });
        warmUp(c);
        const running = [
          c.addClient('10.0.2.1:6000', { masters: [MASTER], file: 'long.ts', choose: { by: 'random' } }),
          c.addClient('10.0.2.2:6000', { masters: [MASTER], file: 'long.ts', choose: { by: 'random' } }),
        ];
        runUntil(c, () => running.every((r) => r.client.state === 'playing'), 'streams playing before the crash');
        c.net.run({ until: c.net.now + 500 });
        // The master dies, and comes back empty after half a second.
        c.net.remove(MASTER);
        c.net.run({ until: c.net.now + 500 });
        const restartedAt = c.net.now;
        const fresh = c.restartMaster();
        const upBy = () => fresh.serversView().filter((s) => s.state === 'up').length;
        let reRegisteredAfter: number | undefined;
        for (let step = 0; step < 200 && reRegisteredAfter === undefined; step++) {
          c.net.run({ until: c.net.now + 50 });
          if (upBy() === 2) reRegisteredAfter = c.net.now - restartedAt;
        }
        // A server nudges a silent master with load reports every poll interval and registers again after
        // MASTER_SILENCE_POLLS intervals at the latest; with 5% loss one nudge may be lost.
        expect(reRegisteredAfter, 'both servers are back in the catalog').toBeDefined();
        expect(reRegisteredAfter!).toBeLessThanOrEqual((MASTER_SILENCE_POLLS + 1) * POLL_INTERVAL);
        const late = c.addClient('10.0.2.3:6000', { masters: [MASTER], file: 'short.ts', choose: { by: 'random' } });
        runToEnd(c);
        for (const r of running) {
          expectCopy(c, r, 'long.ts', 2_000_000);
          expect(r.client.result!.switches, 'the running streams went on without a switch').toBe(0);
        }
        expectCopy(c, late, 'short.ts', 100_000);
      });
    });
  }

  it('without loss, servers are back within two poll intervals of a master restart', () => {
    forSeeds(seedRange(520, 10), (seed) => {
      const c = simCluster({ seed, servers: [{ files: [mediaFile('a.ts', 1000)] }, { files: [mediaFile('a.ts', 1000)] }] });
      warmUp(c);
      c.net.remove(MASTER);
      c.net.run({ until: c.net.now + 300 });
      const fresh = c.restartMaster();
      c.net.run({ until: c.net.now + 2 * POLL_INTERVAL });
      expect(fresh.serversView().map((s) => s.state)).toEqual(['up', 'up']);
    });
  });

  it('a server stopping mid-stream: the client finishes from another server, from the exact byte (S4.5)', () => {
    forSeeds(seedRange(540, 20), (seed) => {
      const files = [mediaFile('a.ts', 1_000_000)];
      const c = simCluster({ seed, link: LOSSY, servers: [{ files }, { files }] });
      warmUp(c);
      const cl = c.addClient('10.0.2.1:6000', { masters: [MASTER], file: 'a.ts', choose: { by: 'random' } });
      runUntil(c, () => cl.client.state === 'playing', 'the stream playing');
      c.net.run({ until: c.net.now + 500 });
      const first = eventsAt(c, cl.addr, 'setup')[0]!.e.srv;
      c.net.command(first, { type: 'stop' });
      runToEnd(c);
      expectCopy(c, cl, 'a.ts', 1_000_000);
      expect(cl.client.result!.servers[0]).toBe(first);
      expect(cl.client.result!.servers.length).toBeGreaterThanOrEqual(2);
      // The master took the stopped server out (its `leave`), or marks it down if that was lost.
      c.net.run({ until: c.net.now + (MISSED_POLLS_DOWN + 1) * POLL_INTERVAL });
      expect(c.master.serverView(first)?.state ?? 'gone').not.toBe('up');
    });
  });

  it('a server crashing mid-stream: the client detects the silence and finishes from another server', () => {
    forSeeds(seedRange(560, 20), (seed) => {
      const files = [mediaFile('a.ts', 1_000_000)];
      const c = simCluster({ seed, link: LOSSY, servers: [{ files }, { files }] });
      warmUp(c);
      const cl = c.addClient('10.0.2.1:6000', { masters: [MASTER], file: 'a.ts', choose: { by: 'random' } });
      runUntil(c, () => cl.client.state === 'playing', 'the stream playing');
      c.net.run({ until: c.net.now + 500 });
      const first = eventsAt(c, cl.addr, 'setup')[0]!.e.srv;
      c.net.remove(first);
      runToEnd(c);
      expectCopy(c, cl, 'a.ts', 1_000_000);
      expect(cl.client.result!.switches).toBeGreaterThanOrEqual(1);
    });
  });

  it('with a cluster key, a server without it (or with another key) cannot register', () => {
    forSeeds(seedRange(600, 10), (seed) => {
      const c = simCluster({
        seed,
        key: KEY,
        servers: [
          { files: [mediaFile('a.ts', 1000)] },
          { files: [mediaFile('evil.ts', 1000)], key: null },
          { files: [mediaFile('evil.ts', 1000)], key: 'some other key' },
        ],
      });
      warmUp(c, 10_000);
      expect(c.master.serversView().map((s) => s.name)).toEqual(['10.0.1.1:5000']);
      expect(c.master.dropped.get('missing-mac')).toBeGreaterThan(0);
      expect(c.master.dropped.get('bad-mac')).toBeGreaterThan(0);
      expect(c.master.catalog.holders('evil.ts')).toBeUndefined();
      const cl = c.addClient('10.0.2.1:6000', { masters: [MASTER], file: 'evil.ts', choose: { by: 'random' } });
      runToEnd(c);
      expect(cl.client.result).toMatchObject({ ok: false, code: 'not-found' });
    });
  });
});
