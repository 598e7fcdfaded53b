/**
 * Handoff on a server failure (S2.5a, S2.6), in the simulator over many seeds:
 * the client notices the silence first, or the master notices the missed polls
 * first, or the master loses sight of a server that still streams. Every case
 * with 0% and 5% loss, one flow and two flows.
 */
import { describe, expect, it } from 'vitest';
import { HANDOFF_TIMEOUT, MISSED_POLLS_DOWN, POLL_INTERVAL, SERVER_SILENCE_TIMEOUT, SETUP_TIMEOUT, SILENCE_FLOOR } from '../../src/protocol/constants.js';
import { PERFECT_LINK } from '../../testbed/sim/network.js';
import { forSeeds, MASTER, seedRange } from '../helpers/simCluster.js';
import { CLIENT, copyProblem, eventsAt, finish, ITEMS, lastControlEvent, masterHandoffs, playingStream, positionProblems, sinceStart } from './handoffScenario.js';
import { LOSSY } from './simAssert.js';

const SEEDS = seedRange(3100, 15);
const LINKS = [['no loss', undefined], ['5% loss', LOSSY]] as const;
/** A link that loses everything: a partition. */
const CUT = { ...PERFECT_LINK, loss: 1 };

/** How long the stream plays before the failure: spread over a poll interval and more, by seed. */
const playFor = (seed: number) => 700 + ((seed * 389) % 1300);

describe('simulated handoff: the serving server crashes, the client notices first (S2.5a)', () => {
  for (const [linkName, link] of LINKS) {
    for (const [itemName, item] of ITEMS) {
      it(`${itemName}, ${linkName}: the copy is identical, the handoff reported, computed and true positions within the bounds`, () => {
        forSeeds(SEEDS, (seed) => {
          const p = playingStream({ seed, item, link, playFor: playFor(seed) });
          expect(p, 'the stream plays').toBeDefined();
          const { c, cl, first, sid, log } = p!;
          const crashedAt = c.net.now;
          log.snapshot();
          c.net.remove(first);
          // Anything the server sent just before it crashed has arrived by now.
          c.net.run({ until: c.net.now + 50 });
          const lastHeard = c.master.serverView(first)!.lastHeard;
          finish(c);

          const context = () => `${JSON.stringify(cl.client.result)}\n${c.logText()}`;
          expect(copyProblem(cl, item), context()).toBeUndefined();
          const r = cl.client.result!;
          const since = sinceStart(p!);
          expect(since.servers[0]).toBe(first);
          expect(since.handoffs.length, context()).toBeGreaterThanOrEqual(1);
          expect(since.handoffs[0]).toMatchObject({ from: first, why: 'failure' });
          expect(since.handoffs[0]!.to).not.toBe(first);
          expect(r.maxGap).toBe(Math.max(...r.handoffs.map((h) => h.gap)));

          // The master follows the stream to its new server, under the same stream id.
          const hs = masterHandoffs(c, p!.at).filter((h) => h.e.sid === sid);
          expect(hs.length, context()).toBeGreaterThanOrEqual(1);
          expect(hs[0]!.e).toMatchObject({ from: first, to: since.handoffs[0]!.to, why: 'failure', client: CLIENT });
          // The master places a failure where the client says its data stopped (its request's `quiet`):
          // no earlier than the last time the master heard the server (at most a poll interval before
          // the crash when every load report arrives; we allow two lost in a row at 5%), no later than the crash.
          expect(crashedAt - lastHeard).toBeLessThanOrEqual((link ? 3 : 1) * POLL_INTERVAL);
          expect(positionProblems(hs[0]!, item, log, lastHeard, crashedAt, 1000, crashedAt), context()).toEqual([]);
          if (!link) {
            // Without loss the client's last data is the crash, and the master's position is within a few ms of the true one.
            expect(Math.abs(hs[0]!.computed! - hs[0]!.npt), context()).toBeLessThanOrEqual(10);
            // Without loss: the client asks after the silence timeout it learnt of its steady stream
            // (§6.2: SILENCE_FLOOR, far below SERVER_SILENCE_TIMEOUT), and is answered at once.
            expect(hs[0]!.e.by).toBe('client');
            expect(since.handoffs).toHaveLength(1);
            expect(since.handoffs[0]!.gap).toBeGreaterThanOrEqual(SILENCE_FLOOR);
            expect(since.handoffs[0]!.gap).toBeLessThanOrEqual(SILENCE_FLOOR + 20);
          }
        });
      });
    }
  }
});

describe('simulated handoff: the serving server crashes, the master notices first', () => {
  // With a 100 ms poll interval the master misses MISSED_POLLS_DOWN polls within about 400 ms, before
  // the client's silence timeout (SILENCE_FLOOR for these steady streams): it establishes the stream
  // elsewhere; the old server cannot relay a `switch`, so the client, asking with `prev`, is sent to
  // the server already set up.
  const INTERVAL = 100;
  for (const [linkName, link] of LINKS) {
    for (const [itemName, item] of ITEMS) {
      it(`${itemName}, ${linkName}: redirect and relay modes, the stream resumes at the established server`, () => {
        forSeeds(SEEDS, (seed) => {
          const mode = seed % 2 === 0 ? 'redirect' : 'relay';
          const p = playingStream({ seed, item, link, master: { pollInterval: INTERVAL }, client: { mode }, playFor: playFor(seed) });
          expect(p, 'the stream plays').toBeDefined();
          const { c, cl, first, sid, log } = p!;
          const crashedAt = c.net.now;
          log.snapshot();
          c.net.remove(first);
          c.net.run({ until: c.net.now + 50 });
          const lastHeard = c.master.serverView(first)!.lastHeard;
          finish(c);

          const context = () => `${mode} ${JSON.stringify(cl.client.result)}\n${c.logText()}`;
          expect(copyProblem(cl, item), context()).toBeUndefined();
          const since = sinceStart(p!);
          const start = eventsAt(c, MASTER, 'handoff-start').find((s) => s.e.sid === sid && s.at >= crashedAt);
          expect(start, context()).toBeDefined();
          expect(start!.e).toMatchObject({ from: first, why: 'failure' });
          // (With loss, the `establish` or its `setup` may be lost: the client, asking meanwhile, is sent
          // to a server of the master's choosing, and the handoff completes there.)
          const established = c.log.find((l) => l.e.type === 'establish' && l.e.sid === sid && l.at >= crashedAt);
          if (!link) expect(established, context()).toBeDefined();
          const hs = masterHandoffs(c, p!.at).filter((h) => h.e.sid === sid);
          expect(hs.length, context()).toBeGreaterThanOrEqual(1);
          expect(positionProblems(hs[0]!, item, log, lastHeard, crashedAt, 1000, lastControlEvent(c, first, sid, lastHeard, crashedAt)), context()).toEqual([]);
          expect(crashedAt - lastHeard).toBeLessThanOrEqual((link ? 3 : 1) * INTERVAL);
          if (!link) {
            const asked = eventsAt(c, CLIENT, 'server-failed')[0]!;
            expect(start!.at, 'the master noticed before the client').toBeLessThan(asked.at);
            expect(start!.at - crashedAt).toBeLessThanOrEqual((MISSED_POLLS_DOWN + 1) * INTERVAL);
            // The master's own handoff: the established server, the position at lastHeard.
            expect(hs[0]!.e).toMatchObject({ by: 'master', from: first, to: established!.addr, why: 'failure' });
            expect(since.handoffs).toEqual([expect.objectContaining({ from: first, to: established!.addr, why: 'failure' })]);
            expect(since.handoffs[0]!.gap).toBeLessThanOrEqual(SERVER_SILENCE_TIMEOUT + 20);
          }
        });
      });
    }
  }
});

describe('simulated handoff: the master loses sight of a server that still streams (a partition)', () => {
  // The master sees missed polls and establishes the stream elsewhere, but it cannot reach the old
  // server to move the stream, and the client, still fed, never asks: the stream stays where it
  // is, the handoff fails after HANDOFF_TIMEOUT, and the stream set up for nothing lapses.
  const INTERVAL = 200;
  for (const [linkName, link] of LINKS) {
    for (const [itemName, item] of ITEMS) {
      it(`${itemName}, ${linkName}: the stream stays, the copy is identical, the unused setup lapses`, () => {
        forSeeds(SEEDS, (seed) => {
          const p = playingStream({ seed, item, link, master: { pollInterval: INTERVAL }, playFor: 300 + (seed % 5) * 100 });
          expect(p, 'the stream plays').toBeDefined();
          const { c, cl, first, sid } = p!;
          const cutAt = c.net.now;
          c.net.setLink(MASTER, first, CUT);
          c.net.setLink(first, MASTER, CUT);
          finish(c);
          const context = () => `${JSON.stringify(cl.client.result)}\n${c.logText()}`;
          expect(copyProblem(cl, item), context()).toBeUndefined();
          const since = sinceStart(p!);
          expect(since.servers, context()).toEqual([first]);
          expect(since.handoffs).toEqual([]);
          const start = eventsAt(c, MASTER, 'handoff-start').find((s) => s.e.sid === sid && s.at >= cutAt);
          expect(start, context()).toBeDefined();
          expect(start!.e).toMatchObject({ from: first, why: 'failure' });
          expect(masterHandoffs(c, p!.at).filter((h) => h.e.sid === sid)).toEqual([]);
          // Let the master give the handoff up, and the second server drop the stream never played.
          c.net.run({ until: start!.at + Math.max(HANDOFF_TIMEOUT, SETUP_TIMEOUT) + 2000 });
          const failed = eventsAt(c, MASTER, 'handoff-failed').filter((f) => f.e.sid === sid);
          expect(failed.length, context()).toBeGreaterThanOrEqual(1);
          const established = c.log.filter((l) => l.e.type === 'establish' && l.e.sid === sid).map((l) => l.addr);
          expect(established.length).toBeGreaterThanOrEqual(1);
          for (const srv of established) {
            expect(c.servers.find((s) => s.config.name === srv)!.streamView(sid), `${srv} still holds the stream`).toBeUndefined();
            expect(c.log.some((l) => l.addr === srv && l.e.type === 'stream-end' && l.e.sid === sid && l.e.reason === 'setup-timeout')).toBe(true);
          }
        });
      });
    }
  }
});
