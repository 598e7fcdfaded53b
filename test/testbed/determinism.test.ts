/**
 * Sim mode is reproducible from its seed: the same seed gives the same trace
 * (every datagram's time, ends, type, size and fate), the same events and the
 * same outcomes; another seed gives another run.
 */
import { describe, expect, it } from 'vitest';
import { bundledScenarios } from '../../testbed/scenario/bundled.js';
import { loadScenario } from '../../testbed/scenario/parse.js';
import type { ModeOutput } from '../../testbed/scenario/types.js';
import { runSim } from '../../testbed/sim/runSim.js';

const file = (name: string) => bundledScenarios().find((b) => b.name === name)!.file;

/** Everything a run produced but its wall time. */
const comparable = (o: ModeOutput) => ({ ...o.record, wall: 0 });

describe('sim mode determinism', () => {
  // Loss, bursts, jitter and duplication: the seed decides a great deal here.
  const lossy = loadScenario(file('lossy-bursts'));
  // Faults, handoffs, two flows.
  const twoFlow = loadScenario(file('two-flow-handoff'));

  for (const sc of [lossy, twoFlow]) {
    it(`${sc.name}: two runs with the same seed give the same trace hash, trace, events and outcomes`, async () => {
      const a = await runSim(sc, { seed: 42 });
      const b = await runSim(sc, { seed: 42 });
      expect(a.record.sim!.traceHash).toMatch(/^\d+:[0-9a-f]{64}$/);
      expect(b.record.sim!.traceHash).toBe(a.record.sim!.traceHash);
      expect(JSON.stringify(b.trace)).toBe(JSON.stringify(a.trace));
      expect(comparable(b)).toEqual(comparable(a));
      expect(b.logs).toEqual(a.logs);
    });

    it(`${sc.name}: different seeds give different traces`, async () => {
      const hashes = new Set<string>();
      for (const seed of [1, 2, 3]) hashes.add((await runSim(sc, { seed, traceCap: 0 })).record.sim!.traceHash);
      expect(hashes.size).toBe(3);
    });
  }

  it('the trace cap keeps trace.ndjson bounded without changing the hash', async () => {
    const full = await runSim(lossy, { seed: 9 });
    const capped = await runSim(lossy, { seed: 9, traceCap: 100 });
    expect(capped.record.sim!.traceHash).toBe(full.record.sim!.traceHash);
    expect(full.trace.length).toBe(full.record.sim!.datagrams);
    expect(capped.trace.length).toBeLessThanOrEqual(100);
    expect(capped.traceNote).toMatch(/^sampled: 1 datagram in \d+/);
    // The sample is a subsequence of the whole trace, spread over the run.
    expect(capped.trace.at(-1)!.t).toBeGreaterThan(full.trace.at(-1)!.t / 2);
  });
});
