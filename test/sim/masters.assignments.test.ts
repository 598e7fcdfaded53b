/**
 * Assignment records across a group (S3.3, §12.4), the cores of three masters
 * on the simulated network over many seeds: each delta is keyed by its server,
 * the server's incarnation and its origin's count there; when a member misses
 * deltas, the origin's next digest finds the gap and the member pulls what it
 * lacks, so every master holds every live assignment again within a digest
 * interval and a round trip.
 */
import { describe, expect, it } from 'vitest';
import { ASSIGN_DIGEST_INTERVAL } from '../../src/protocol/constants.js';
import { decode } from '../../src/protocol/codec.js';
import { peekType } from '../../testbed/link/peekType.js';
import { expectedBytes, firstDifference, forSeeds, groupMasters, mediaFile, seedRange, simCluster, type SimCluster } from '../helpers/simCluster.js';

const MASTERS = groupMasters(3);
const [M1, M2, M3] = MASTERS as [string, string, string];
const FILE = 'movie.ts';
const SIZE = 2_000_000;
const SEEDS = seedRange(7300, 12);
const KEY = 'the cluster key of a group of three masters';

function cluster(seed: number): SimCluster {
  const c = simCluster({ seed, group: 3, key: KEY, master: { pollInterval: 250 }, servers: Array.from({ length: 3 }, () => ({ files: [mediaFile(FILE, SIZE)] })) });
  c.net.run({ until: c.net.now + 2_000 });
  return c;
}

/** The clients' streams M1 assigned, by id. */
function assignedBy(c: SimCluster, master: string): number[] {
  return c.log.filter((l) => l.addr === master && l.e.type === 'redirect').map((l) => (l.e as { sid: number }).sid);
}

describe('assignment records shared by a group of masters, simulated (§12.4)', () => {
  it(`a member that lost every assign of one origin gets them all back from its digest, and the others never pull (${SEEDS.length} seeds)`, () => {
    forSeeds(SEEDS, (seed) => {
      const c = cluster(seed);
      // The clients never reach their servers: each assignment stays a reservation that only the
      // masters know of (no server reports or tells the stream), which only §12.4 can spread.
      const toServer = (from: string, to: string) => from.startsWith('10.0.2.') && !MASTERS.includes(to);
      const seen = { lostToM2: 0, pulls: new Map<string, number>(), firstPull: Infinity, digests: 0 };
      /** Counts the pulls and digests; loses what clients send servers, and (first) every assign from M1 to M2. */
      let cutM2 = true;
      c.net.lose = (from, to, bytes) => {
        const type = peekType(bytes);
        if (type === 'pull') {
          seen.pulls.set(`${from}>${to}`, (seen.pulls.get(`${from}>${to}`) ?? 0) + 1);
          seen.firstPull = Math.min(seen.firstPull, c.net.now);
        }
        if (type === 'digest') seen.digests++;
        if (toServer(from, to)) return true;
        if (!cutM2 || type !== 'assign' || from !== M1 || to !== M2) return false;
        seen.lostToM2++;
        return true;
      };
      const since = c.net.now;
      for (let i = 0; i < 6; i++) c.addClient(`10.0.2.${i + 1}:6000`, { masters: [M1], file: FILE, choose: { by: 'random' } }, since + i * 20);
      c.net.run({ until: since + 200 });
      const sids = assignedBy(c, M1);
      expect(sids).toHaveLength(6);
      // Every delta M1 sent M2 was lost (a pull's answers included); M3 got each one as it was made.
      const m2 = c.masters.get(M2)!;
      const m3 = c.masters.get(M3)!;
      expect(sids.every((sid) => m3.assignmentView(sid) !== undefined)).toBe(true);
      cutM2 = false;
      const learned = () => c.log.filter((l) => l.addr === M2 && l.e.type === 'assignment-learned' && sids.includes((l.e as { sid: number }).sid));
      expect(learned(), 'nothing reached M2 while its link dropped every assign').toEqual([]);
      expect(seen.lostToM2).toBeGreaterThanOrEqual(6);
      // Within a digest interval and a round trip, M2 holds all six: pulled from M1, which alone is asked.
      c.net.run({ until: c.net.now + ASSIGN_DIGEST_INTERVAL + 100 });
      expect(sids.filter((sid) => m2.assignmentView(sid) === undefined), `seed ${seed}`).toEqual([]);
      expect([...seen.pulls.keys()]).toEqual([`${M2}>${M1}`]);
      expect(seen.digests).toBeGreaterThan(0);
      for (const l of learned()) {
        expect((l.e as { from: string }).from).toBe(M1);
        expect(l.at).toBeGreaterThan(seen.firstPull);
      }
      // Each on the server M1 gave it, dated as M1 made it (its reservation runs out when M1's does), not as M2 learned it.
      for (const sid of sids) {
        const mine = c.masters.get(M1)!.assignmentView(sid)!;
        const learnt = m2.assignmentView(sid)!;
        expect(learnt.server).toBe(mine.server);
        expect(Math.abs(learnt.at - mine.at), `stream ${sid}: M1 made it at ${mine.at}, M2 dates it ${learnt.at}`).toBeLessThanOrEqual(50);
      }
    });
  });

  it(`tells a handoff as a delta: a member the new server's track has not reached moves the stream at once (${SEEDS.length} seeds)`, () => {
    forSeeds(SEEDS, (seed) => {
      const c = cluster(seed);
      const since = c.net.now;
      const list = Array.from({ length: 3 }, (_, i) => c.addClient(`10.0.2.${i + 1}:6000`, { masters: [M1], file: FILE, choose: { by: 'random' } }, since + i * 20));
      c.net.run({ until: since + 1_500 });
      const busy = c.servers.filter((s) => s.streamCount() > 0);
      const server = busy[seed % busy.length]!;
      const supervisor = server.supervisedBy;
      const other = MASTERS.find((m) => m !== supervisor)!;
      const sids = server.streamsView().map((s) => s.sid);
      // Every `track` to `other` is lost for a while: only the supervisor's delta can tell it of the move.
      let cut = true;
      c.net.lose = (_from, to, bytes) => cut && to === other && peekType(bytes) === 'track';
      const at = c.net.now;
      c.net.command(server.config.name, { type: 'drain' });
      c.net.run({ until: at + 1_500 });
      const m = c.masters.get(other)!;
      for (const sid of sids) {
        const here = c.masters.get(supervisor)!.assignmentView(sid)!;
        expect(here.server, `stream ${sid} at its supervisor`).not.toBe(server.config.name);
        const there = m.assignmentView(sid);
        expect(there?.server, `stream ${sid} at ${other}, which heard no track\n${c.logText()}`).toBe(here.server);
        expect(there!.handoffs).toBe(1);
        const told = c.log.filter((l) => l.addr === other && l.at >= at && l.e.type === 'assignment-learned' && (l.e as { sid: number }).sid === sid);
        expect(told.map((l) => [(l.e as { from: string }).from, (l.e as { hops: number }).hops]), `stream ${sid}`).toEqual([[supervisor, 1]]);
      }
      cut = false;
      c.net.run({ until: c.net.now + 20_000 });
      // The tracks come through in the end: counted already, they move nothing again, and every copy is whole.
      for (const sid of sids) expect(c.masters.get(other)!.assignmentView(sid)?.handoffs ?? 1).toBe(1);
      const want = expectedBytes(FILE, SIZE);
      for (const cl of list) {
        expect(cl.client.result?.ok, `${cl.addr}: ${cl.client.result?.message}`).toBe(true);
        expect(firstDifference(cl.copy, want), cl.addr).toBeUndefined();
      }
    });
  });

  it('keys each delta by its server, the server\'s incarnation and its origin\'s count there', () => {
    const c = cluster(7399);
    const sent: { srv: string; inc: number; seq: number }[] = [];
    c.net.lose = (from, to, bytes) => {
      if (from === M1 && to === M2 && peekType(bytes) === 'assign') {
        const d = decode(bytes.subarray(0));
        if (d.ok && d.msg.type === 'assign') sent.push({ srv: d.msg.srv, inc: d.msg.inc, seq: d.msg.seq });
      }
      return false;
    };
    const since = c.net.now;
    for (let i = 0; i < 9; i++) c.addClient(`10.0.2.${i + 1}:6000`, { masters: [M1], file: FILE, choose: { by: 'random' } }, since + i * 20);
    c.net.run({ until: since + 400 });
    expect(sent).toHaveLength(9);
    const byServer = new Map<string, number[]>();
    for (const s of sent) byServer.set(s.srv, [...(byServer.get(s.srv) ?? []), s.seq]);
    // Each server's count runs 1, 2, 3, … in the order M1 assigned there.
    for (const seqs of byServer.values()) expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    for (const s of sent) expect(s.inc).toBe(c.masters.get(M1)!.serverView(s.srv)!.epoch);
  });
});
