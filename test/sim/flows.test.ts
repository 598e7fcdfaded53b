import { describe, expect, it } from 'vitest';
import { eventsAt, forSeeds, mediaFile, MASTER, seedRange, simCluster } from '../helpers/simCluster.js';
import { KEY } from '../helpers/roleDriver.js';
import { expectCopy, LOSSY, runToEnd, warmUp } from './simAssert.js';

const SIZE = 400_000;
const SEEDS = seedRange(1, 20);

/** The event that shows which flow the client went through. */
const FLOW_EVENT = { redirect: 'redirected', relay: 'setup', list: 'listed' } as const;

describe('simulated flows: every copy is byte-identical', () => {
  for (const mode of ['redirect', 'relay', 'list'] as const) {
    for (const [linkName, link] of [['no loss', undefined], ['5% loss both ways, jitter, duplication, reordering', LOSSY]] as const) {
      for (const key of [undefined, KEY]) {
        it(`${mode}, ${linkName}${key ? ', with a cluster key' : ''}`, () => {
          forSeeds(SEEDS, (seed) => {
            const c = simCluster({ seed, key, link, servers: [{ files: [mediaFile('a.ts', SIZE)] }, { files: [mediaFile('a.ts', SIZE)] }] });
            warmUp(c);
            const cl = c.addClient('10.0.2.1:6000', { masters: [MASTER], file: 'a.ts', mode, choose: { by: 'random' } });
            runToEnd(c);
            expectCopy(c, cl, 'a.ts', SIZE);
            expect(eventsAt(c, cl.addr, FLOW_EVENT[mode]).length, `${mode} flow taken`).toBeGreaterThan(0);
            if (mode === 'relay') expect(eventsAt(c, cl.addr, 'setup').some((l) => l.e.via === 'master')).toBe(true);
            if (!link) {
              // Without loss nothing is resent and nothing is duplicated.
              expect(cl.client.result!.duplicates).toBe(0);
              expect(cl.client.result!.switches).toBe(0);
            }
          });
        });
      }
    }
  }

  it('several clients at once across three servers: the load is spread, every copy identical', () => {
    forSeeds(seedRange(100, 20), (seed) => {
      const files = [mediaFile('a.ts', 300_000), mediaFile('b.ts', 200_000, 2_000_000)];
      const c = simCluster({ seed, link: LOSSY, servers: [0, 1, 2].map(() => ({ files, cap: 40_000_000 })) });
      warmUp(c);
      const clients = Array.from({ length: 12 }, (_, i) => {
        const file = i % 3 === 0 ? 'b.ts' : 'a.ts';
        const mode = (['redirect', 'relay', 'list'] as const)[i % 3]!;
        const choose = i % 2 === 0 ? { by: 'fewest-users' as const } : { by: 'random' as const };
        return { file, cl: c.addClient(`10.0.2.${i + 1}:6000`, { masters: [MASTER], file, mode, choose }, c.net.now + i * 20) };
      });
      runToEnd(c);
      for (const { file, cl } of clients) expectCopy(c, cl, file, file === 'a.ts' ? 300_000 : 200_000);
      const setups = c.servers.map((s) => s.stats.setups);
      expect(setups.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(12);
      for (const n of setups) expect(n, `streams per server: ${setups.join(', ')}`).toBeGreaterThanOrEqual(2);
    });
  });

  it('a client starting mid-file gets exactly the rest of the file', () => {
    forSeeds(seedRange(200, 10), (seed) => {
      const c = simCluster({ seed, link: LOSSY, servers: [{ files: [mediaFile('a.ts', SIZE)] }] });
      warmUp(c);
      const cl = c.addClient('10.0.2.1:6000', { masters: [MASTER], file: 'a.ts', choose: { by: 'random' }, start: 123_457 });
      runToEnd(c);
      expectCopy(c, cl, 'a.ts', SIZE, 123_457);
    });
  });
});

describe("simulated: the seed's example end to end (S1.1, S1.2)", () => {
  // Server 1 holds A,B,C,D; server 2 holds B,E,F,G,H; server 3 holds B,E,H,J.
  const SIZES: Record<string, number> = { A: 150_000, B: 200_000, C: 1000, D: 1000, E: 1000, F: 1000, G: 2_000_000, H: 1000, J: 2_000_000 };
  const holding = (names: string) => names.split('').map((n) => mediaFile(n, SIZES[n]!));
  const S = ['10.0.1.1:5000', '10.0.1.2:5000', '10.0.1.3:5000'];

  it('with servers 2 and 3 busy, B goes to server 1; A only ever from server 1, J from server 3; every copy identical', () => {
    forSeeds(seedRange(300, 20), (seed) => {
      const c = simCluster({ seed, link: LOSSY, servers: [{ files: holding('ABCD'), cap: 20_000_000 }, { files: holding('BEFGH'), cap: 20_000_000 }, { files: holding('BEHJ'), cap: 20_000_000 }] });
      warmUp(c);
      // Load servers 2 and 3 with long streams (4 s) of files only they hold, and let their load reports arrive.
      const busy = [
        c.addClient('10.0.2.1:6000', { masters: [MASTER], file: 'G', choose: { by: 'random' } }),
        c.addClient('10.0.2.2:6000', { masters: [MASTER], file: 'G', choose: { by: 'random' } }),
        c.addClient('10.0.2.3:6000', { masters: [MASTER], file: 'J', choose: { by: 'random' } }),
      ];
      c.net.run({ until: c.net.now + 400 });
      const b = c.addClient('10.0.2.4:6000', { masters: [MASTER], file: 'B', mode: 'redirect', choose: { by: 'random' } });
      // A starts once B has been answered (even if B's first request is lost), so the choice for B
      // is made with servers 2 and 3 busy and server 1 idle.
      const a = c.addClient('10.0.2.5:6000', { masters: [MASTER], file: 'A', mode: 'relay', choose: { by: 'random' } }, c.net.now + 1500);
      runToEnd(c);
      expectCopy(c, busy[0]!, 'G', SIZES.G!);
      expectCopy(c, busy[1]!, 'G', SIZES.G!);
      expectCopy(c, busy[2]!, 'J', SIZES.J!);
      expectCopy(c, b, 'B', SIZES.B!);
      expectCopy(c, a, 'A', SIZES.A!);
      expect(busy[0]!.client.result!.servers).toEqual([S[1]]);
      expect(busy[2]!.client.result!.servers).toEqual([S[2]]);
      // The master's choice for B (a lost request may later send the client elsewhere, which is S4.5 at work).
      const firstRedirect = eventsAt(c, MASTER, 'redirect').find((l) => l.e.client === b.addr);
      expect(firstRedirect?.e.srv, 'B goes to the server with the most available bandwidth').toBe(S[0]);
      expect(new Set(a.client.result!.servers)).toEqual(new Set([S[0]]));
    });
  });

  it('an unknown file fails with not-found, every time', () => {
    forSeeds(seedRange(320, 5), (seed) => {
      const c = simCluster({ seed, link: LOSSY, servers: [{ files: holding('ABCD') }] });
      warmUp(c);
      const z = c.addClient('10.0.2.9:6000', { masters: [MASTER], file: 'Z', choose: { by: 'random' } });
      runToEnd(c);
      expect(z.client.result).toMatchObject({ ok: false, code: 'not-found' });
    });
  });
});
