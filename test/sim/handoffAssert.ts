/** Assertions shared by the simulated handoff tests. */
import { expect } from 'vitest';
import { MASTER, type SimCluster } from '../helpers/simCluster.js';
import { burstNpt, CLIENT, copyProblem, eventsAt, type Item, masterHandoffs, type PlayingStream, type PositionLog, positionProblems, sinceStart } from './handoffScenario.js';
import { LOSSY } from './simAssert.js';

export const LINKS = [['no loss', undefined], ['5% loss', LOSSY]] as const;

/**
 * Checks of every handoff the master decided for stream `sid` (the old server
 * kept streaming until the client moved): positions within the bounds of
 * `positionProblems`, from the change event (`handoff-start`) to the
 * handoff's completion; and, without loss, |computed − true| no more than a
 * pacing burst plus ten one-way trips (establish, setup, move, switch, play
 * take five) of progress at the fastest scale.
 */
export function plannedProblems(c: SimCluster, sid: number, item: Item, log: PositionLog, lossless: boolean, scale = 1000, since = 0): string[] {
  const problems: string[] = [];
  const starts = eventsAt(c, MASTER, 'handoff-start').filter((s) => s.e.sid === sid);
  for (const h of masterHandoffs(c, since).filter((x) => x.e.sid === sid && x.e.by === 'master')) {
    const start = starts.filter((s) => s.at <= h.at).at(-1);
    if (!start) {
      problems.push(`handoff at ${h.at} without a handoff-start`);
      continue;
    }
    problems.push(...positionProblems(h, item, log, start.at, h.at, scale));
    const small = burstNpt(item) + (10 * scale) / 1000;
    if (lossless && h.diff !== undefined && Math.abs(h.diff) > small) problems.push(`${h.e.why} handoff: |computed − true| = ${Math.abs(h.diff)} > ${small.toFixed(1)}`);
  }
  return problems;
}

/** The common checks of a case: the copy, the client's handoff record, the master's events. */
export function expectHandoffs(p: PlayingStream, item: Item, lossless: boolean, why: string, o: { count?: number; scale?: number } = {}): void {
  const { c, cl, first, sid, log } = p;
  const context = () => `${JSON.stringify(cl.client.result)}\n${c.logText()}`;
  expect(copyProblem(cl, item), context()).toBeUndefined();
  const r = cl.client.result!;
  const { handoffs } = sinceStart(p);
  const count = o.count ?? 1;
  expect(handoffs.length, context()).toBeGreaterThanOrEqual(count);
  expect(handoffs[0]!.from).toBe(first);
  expect(r.maxGap).toBe(Math.max(...r.handoffs.map((h) => h.gap)));
  const hs = masterHandoffs(c, p.at).filter((h) => h.e.sid === sid);
  expect(hs.length, context()).toBeGreaterThanOrEqual(count);
  expect(hs[0]!.e).toMatchObject({ from: first, client: CLIENT });
  // A client that asks on its own (its `switch` lost, or the change indicator unanswered) is followed
  // as a drain when the master knows its server is draining, and otherwise as a failure.
  if (hs[0]!.e.by === 'client') expect(why === 'drain' ? ['drain', 'failure'] : ['failure'], context()).toContain(hs[0]!.e.why);
  else expect(hs[0]!.e.why, context()).toBe(why);
  expect(plannedProblems(c, sid, item, log, lossless, o.scale, p.at), context()).toEqual([]);
  if (lossless) {
    // Make-before-break: the new server's first bytes follow the old server's last within a few ms.
    expect(handoffs).toHaveLength(count);
    expect(hs.map((h) => h.e.by)).toEqual(new Array(count).fill('master'));
    for (const h of handoffs) {
      expect(h.why).toBe(why);
      expect(h.gap).toBeLessThanOrEqual(10);
      expect(h.computed).toBeDefined();
    }
  }
}
