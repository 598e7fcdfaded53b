/**
 * Several handoffs in one stream (drained twice; moved away and back), and
 * rate adjustments (S2.1) before and after the event, in the simulator over
 * many seeds; every case with 0% and 5% loss, one flow and two flows; every
 * copy byte-identical.
 */
import { describe, expect, it } from 'vitest';
import { forSeeds, seedRange } from '../helpers/simCluster.js';
import { expectHandoffs, LINKS, plannedProblems } from './handoffAssert.js';
import { CLIENT, copyProblem, eventsAt, finish, ITEMS, masterHandoffs, playingStream, positionProblems, singleFlow, sinceStart, twoFlows } from './handoffScenario.js';
import { runUntil } from './simAssert.js';

const SEEDS = seedRange(3250, 15);

describe('simulated handoff: several handoffs in one stream', () => {
  for (const [linkName, link] of LINKS) {
    for (const [itemName, item] of ITEMS) {
      it(`${itemName}, ${linkName}: drain the first server, then the second; the stream ends at the third`, () => {
        forSeeds(SEEDS, (seed) => {
          const p = playingStream({ seed, item, link, playFor: 400 + (seed % 4) * 100 });
          expect(p, 'the stream plays').toBeDefined();
          const { c, cl, first } = p!;
          c.net.command(first, { type: 'drain' });
          const moved = () => eventsAt(c, CLIENT, 'handoff').filter((h) => h.at >= p!.at);
          runUntil(c, () => moved().length >= 1, 'the first handoff', 5000);
          const second = moved()[0]!.e.to;
          c.net.run({ until: c.net.now + 300 });
          c.net.command(second, { type: 'drain' });
          runUntil(c, () => moved().length >= 2 || cl.client.result !== undefined, 'the second handoff', 5000);
          finish(c);
          expectHandoffs(p!, item, !link, 'drain', { count: 2 });
          const since = sinceStart(p!);
          expect(since.handoffs[1]!.from).toBe(second);
          expect(new Set(since.servers).size).toBe(3);
          expect(since.servers.slice(0, 2)).toEqual([first, second]);
        });
      });
    }
  }
});

describe('simulated handoff: a stream moved away and back', () => {
  for (const [linkName, link] of LINKS) {
    for (const [itemName, item] of ITEMS) {
      it(`${itemName}, ${linkName}: overload the first of two servers, then the second: the stream returns to the first`, () => {
        forSeeds(SEEDS, (seed) => {
          const p = playingStream({ seed, item, link, servers: 2, playFor: 400 + (seed % 4) * 100 });
          expect(p, 'the stream plays').toBeDefined();
          const { c, cl, first } = p!;
          const moved = () => eventsAt(c, CLIENT, 'handoff').filter((h) => h.at >= p!.at);
          c.net.command(first, { type: 'capacity', cap: 1000 });
          runUntil(c, () => moved().length >= 1, 'the first handoff', 5000);
          const second = moved()[0]!.e.to;
          // The first server has room again (its report tells the master), and the second has none.
          c.net.command(first, { type: 'capacity', cap: 1_000_000_000 });
          c.net.run({ until: c.net.now + 300 });
          c.net.command(second, { type: 'capacity', cap: 1000 });
          runUntil(c, () => moved().length >= 2 || cl.client.result !== undefined, 'the second handoff', 5000);
          finish(c);
          expectHandoffs(p!, item, !link, 'overload', { count: 2 });
          const since = sinceStart(p!);
          expect(since.servers.slice(0, 3)).toEqual([first, second, first]);
          // The master followed the stream back: its record names the first server again.
          const back = masterHandoffs(c, p!.at).filter((h) => h.to === first);
          expect(back.length, c.logText()).toBeGreaterThanOrEqual(1);
        });
      });
    }
  }
});

describe('simulated handoff: rate adjustments before and after the event (S2.1)', () => {
  // 1.5× from 300 ms into the stream, 0.6× from 3 s: the event (0.7–1.3 s, plus up to a change
  // grace and a lost request or two for the handoff itself) falls between the two. A 6 s item lasts.
  const schedule = [{ at: 300, scale: 1500 }, { at: 3000, scale: 600 }];
  for (const event of ['drain', 'crash'] as const) {
    for (const [linkName, link] of LINKS) {
      for (const [itemName, item] of [['one flow', singleFlow(6)], ['two flows', twoFlows(6)]] as const) {
        it(`${itemName}, ${linkName}, ${event}: the stream moves at its adjusted rate, later adjustments go to the new server`, () => {
          forSeeds(SEEDS, (seed) => {
            const p = playingStream({ seed, item, link, client: { schedule }, playFor: 700 + ((seed * 157) % 600) });
            expect(p, 'the stream plays').toBeDefined();
            const { c, cl, first, sid, log } = p!;
            const at = c.net.now;
            const context = () => `${JSON.stringify(cl.client.result)}\n${c.logText()}`;
            let lastHeard = 0;
            if (event === 'drain') {
              c.net.command(first, { type: 'drain' });
            } else {
              log.snapshot();
              c.net.remove(first);
              c.net.run({ until: c.net.now + 50 });
              lastHeard = c.master.serverView(first)!.lastHeard;
            }
            finish(c);
            expect(copyProblem(cl, item), context()).toBeUndefined();
            const { handoffs } = sinceStart(p!);
            expect(handoffs.length, context()).toBeGreaterThanOrEqual(1);
            const to = handoffs[0]!.to;
            // The new server set the stream up at the scale in effect, and took the later adjustment.
            const setupThere = eventsAt(c, to, 'stream-setup').find((l) => l.e.sid === sid);
            expect(setupThere?.e.scale, context()).toBe(1500);
            const adjusted = eventsAt(c, CLIENT, 'adjusted').map((a) => a.e);
            expect(adjusted.map((a) => a.scale), context()).toEqual([1500, 600]);
            expect(adjusted[0]!.srv).toBe(first);
            expect(adjusted[1]!.srv).not.toBe(first);
            expect(c.log.some((l) => l.addr === adjusted[1]!.srv && l.e.type === 'stream-adjust' && l.e.scale === 600)).toBe(true);
            const hs = masterHandoffs(c, at).filter((h) => h.e.sid === sid);
            expect(hs.length, context()).toBeGreaterThanOrEqual(1);
            if (event === 'drain') {
              expect(plannedProblems(c, sid, item, log, !link, 1500, at), context()).toEqual([]);
            } else {
              // Placed where the client's data stopped (`quiet`): between the master's last word from the server and the crash.
              expect(positionProblems(hs[0]!, item, log, lastHeard, at, 1500, at), context()).toEqual([]);
            }
          });
        });
      }
    }
  }
});
