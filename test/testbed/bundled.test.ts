/**
 * Every bundled scenario passes in sim mode over several seeds, in process
 * (the same runner and checkers `ofp testbed run` uses). The scale scenario
 * runs as a cut-down copy (a twentieth of its nodes and time), so the suite
 * stays short; `ofp testbed run scale-1000x10000` runs it whole. `burst-even` also runs over
 * 20 seeds: the even spread of bursts is a claim about every arrival sequence, not a lucky one.
 */
import { describe, expect, it } from 'vitest';
import { checkRun, verdictOf } from '../../testbed/run/checks.js';
import { bundledScenarios } from '../../testbed/scenario/bundled.js';
import { loadScenario } from '../../testbed/scenario/parse.js';
import type { Scenario } from '../../testbed/scenario/types.js';
import { runSim } from '../../testbed/sim/runSim.js';

// Two seeds each: the suite's time is bounded (six minutes on a busy two-core machine), and `ofp testbed
// matrix` runs any number; the claims about every arrival sequence have tests over many seeds of their own.
const SEEDS = [1, 2];
const SCALE_CUT = 0.05;

const all = bundledScenarios().map((b) => ({ ...b, scenario: loadScenario(b.file) }));
const regular = all.filter((b) => !b.scenario.tags.includes('scale'));

/** Run in sim, check; the failed checks (with what was measured) and the verdict. */
async function verdict(sc: Scenario, seed: number): Promise<{ verdict: string; failed: string[] }> {
  const out = await runSim(sc, { seed, traceCap: 0 });
  const checks = checkRun(sc, out.record);
  expect(checks.length, 'every expectation is checked').toBe(Object.keys(sc.expect.pos ?? {}).length);
  return { verdict: verdictOf(checks), failed: checks.filter((c) => c.verdict !== 'pass').map((c) => `${c.name} ${c.verdict}: ${c.detail}`) };
}

describe('the bundled scenarios in sim mode', () => {
  it('are at least one per mechanism, each with a one-line description, and exactly one tagged scale', () => {
    expect(regular.length).toBeGreaterThanOrEqual(15);
    for (const b of all) expect(b.scenario.description, b.name).toMatch(/^[^\n]{10,}$/);
    expect(all.filter((b) => b.scenario.tags.includes('scale')).map((b) => b.name)).toEqual(['scale-1000x10000']);
  });

  for (const b of regular) {
    it(`${b.name} passes with seeds ${SEEDS.join(', ')}`, async () => {
      for (const seed of SEEDS) expect(await verdict(b.scenario, seed), `seed ${seed}`).toEqual({ verdict: 'pass', failed: [] });
    });
  }

  it(`scale-1000x10000 cut down to ${SCALE_CUT} (${SCALE_CUT * 1000} servers, ${SCALE_CUT * 10_000} clients) passes`, async () => {
    const full = all.find((b) => b.name === 'scale-1000x10000')!;
    const sc = loadScenario(full.file, { scale: SCALE_CUT });
    expect(sc.servers).toHaveLength(1000 * SCALE_CUT);
    expect(sc.clients).toHaveLength(10_000 * SCALE_CUT);
    expect(sc.duration).toBe(600_000 * SCALE_CUT);
    expect(await verdict(sc, 1)).toEqual({ verdict: 'pass', failed: [] });
  });
});

describe('even load under bursts (S1.2), in sim over 20 seeds', () => {
  it('burst-even: as each stream starts the three servers are within one stream of each other, and each serves four in all', async () => {
    const sc = loadScenario(bundledScenarios().find((b) => b.name === 'burst-even')!.file);
    for (let seed = 1; seed <= 20; seed++) {
      const out = await runSim(sc, { seed, traceCap: 0 });
      const checks = checkRun(sc, out.record);
      expect(checks.find((c) => c.name === 'load-even'), `seed ${seed}`).toMatchObject({ verdict: 'pass', value: expect.any(Number) });
      expect(checks.find((c) => c.name === 'load-even')!.value as number, `seed ${seed}`).toBeLessThanOrEqual(1);
      expect(out.record.streamsPerServer, `seed ${seed}`).toEqual({ 'edge-1': 4, 'edge-2': 4, 'edge-3': 4 });
    }
  });
});
