import { describe, expect, it } from 'vitest';
import { KEY } from '../helpers/roleDriver.js';
import { forSeeds, mediaFile, MASTER, seedRange, simCluster, traceHasher } from '../helpers/simCluster.js';
import { LOSSY, runToEnd, warmUp } from './simAssert.js';

/** One lossy run with three clients in the three modes; the hash of every datagram's trace, and the clients' results. */
function run(seed: number) {
  const files = [mediaFile('a.ts', 200_000)];
  const c = simCluster({ seed, key: KEY, link: LOSSY, servers: [{ files }, { files }, { files }] });
  const hash = traceHasher(c.net);
  warmUp(c);
  const clients = (['redirect', 'relay', 'list'] as const).map((mode, i) => c.addClient(`10.0.2.${i + 1}:6000`, { masters: [MASTER], file: 'a.ts', mode, choose: { by: 'random' } }));
  runToEnd(c);
  return { hash: hash(), results: clients.map((cl) => cl.client.result), now: c.net.now, events: c.net.events };
}

describe('simulation determinism', () => {
  it('the same seed gives the identical trace, results and clock', () => {
    forSeeds(seedRange(800, 5), (seed) => {
      const a = run(seed);
      const b = run(seed);
      expect(b.hash).toBe(a.hash);
      expect(b.results).toEqual(a.results);
      expect(b.now).toBe(a.now);
      expect(b.events).toBe(a.events);
      expect(a.results.every((r) => r?.ok)).toBe(true);
    });
  });

  it('different seeds give different traces', () => {
    const hashes = seedRange(800, 5).map((seed) => run(seed).hash);
    expect(new Set(hashes).size).toBe(5);
  });
});
