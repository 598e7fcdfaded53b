/**
 * Shared supervision (§12.2), the cores of three masters, their servers and
 * clients on the simulated network over many seeds: every server gets one
 * supervisor, the first of its rendezvous order; a killed master's servers
 * are taken over by the live masters within 2 s while their streams play on
 * untouched; and a server that then fails has its streams moved by its new
 * supervisor (S3.6 across masters), byte-identical, every handoff ordered by
 * one master only.
 */
import { describe, expect, it } from 'vitest';
import { SUPERVISE_RETRY } from '../../src/protocol/constants.js';
import { rank } from '../../src/roles/master/supervision.js';
import { expectedBytes, firstDifference, forSeeds, groupMasters, mediaFile, seedRange, simCluster, type SimCluster } from '../helpers/simCluster.js';
import { runUntil } from './simAssert.js';

const MASTERS = groupMasters(3);
const FILE = 'movie.ts';
/** 6 s at 4 Mbit/s. */
const SIZE = 3_000_000;
const SEEDS = seedRange(4100, 8);

/** A group shares a cluster key: with it, every master derives each stream's key (§9.3) and can order its move. */
const KEY = 'the cluster key of a group of three masters';

function cluster(seed: number, key: string | undefined = KEY): SimCluster {
  const c = simCluster({ seed, group: 3, ...(key ? { key } : {}), master: { pollInterval: 250 }, servers: Array.from({ length: 4 }, () => ({ files: [mediaFile(FILE, SIZE)] })) });
  // Let the group form and the servers register with every master.
  c.net.run({ until: c.net.now + 2_000 });
  return c;
}

/** Each server's supervisor, as the server says. */
function supervisors(c: SimCluster): Map<string, string> {
  return new Map(c.servers.filter((s) => s.state !== 'stopped').map((s) => [s.config.name, s.supervisedBy]));
}

/** What every master that is alive says of each server's supervisor: one answer per server, or the disagreement. */
function mastersAgree(c: SimCluster): string | undefined {
  for (const s of c.servers) {
    const said = new Set([...c.masters.values()].map((m) => m.supervisionOf(s.config.name)?.supervisor));
    if (said.size !== 1 || !said.has(s.supervisedBy)) return `${s.config.name}: the server says ${s.supervisedBy}, the masters ${[...said].join(', ')}`;
  }
  return undefined;
}

function clients(c: SimCluster, n: number, at: number) {
  return Array.from({ length: n }, (_, i) => c.addClient(`10.0.2.${i + 1}:6000`, { masters: [MASTERS[i % 3]!, ...MASTERS.filter((_, j) => j !== i % 3)], file: FILE, choose: { by: 'random' } }, at + i * 50));
}

function expectCopies(c: SimCluster, list: ReturnType<typeof clients>): void {
  const want = expectedBytes(FILE, SIZE);
  for (const cl of list) {
    expect(cl.client.result?.ok, `${cl.addr}: ${cl.client.result?.code} ${cl.client.result?.message}\n${c.logText()}`).toBe(true);
    expect(firstDifference(cl.copy, want), cl.addr).toBeUndefined();
  }
}

describe('shared supervision over three masters, simulated', () => {
  it(`gives every server one supervisor, the first of its rendezvous order, that all masters agree on (${SEEDS.length} seeds)`, () => {
    forSeeds(SEEDS, (seed) => {
      const c = cluster(seed);
      for (const [server, sup] of supervisors(c)) expect(sup, server).toBe(rank(server, MASTERS)[0]);
      expect(mastersAgree(c)).toBeUndefined();
      // The backup shown is the next in that order.
      for (const s of c.servers) expect(c.master.supervisionOf(s.config.name)?.backups).toEqual([rank(s.config.name, MASTERS)[1]]);
    });
  });

  it(`takes a killed master's servers over within 2 s, and their streams play on without a handoff (${SEEDS.length} seeds)`, () => {
    const takeovers: number[] = [];
    forSeeds(SEEDS, (seed) => {
      const c = cluster(seed);
      const list = clients(c, 4, c.net.now);
      c.net.run({ until: c.net.now + 1_000 });
      // The master that supervises the most servers dies.
      const count = new Map<string, number>();
      for (const sup of supervisors(c).values()) count.set(sup, (count.get(sup) ?? 0) + 1);
      const victim = [...count.entries()].sort((a, b) => b[1] - a[1])[0]![0];
      const orphans = [...supervisors(c)].filter(([, m]) => m === victim).map(([s]) => s);
      const killedAt = c.net.now;
      c.killMaster(victim);
      runUntil(c, () => orphans.every((s) => supervisors(c).get(s) !== victim), 'the orphans taken over', 5_000);
      const live = MASTERS.filter((m) => m !== victim);
      for (const s of orphans) {
        const taken = c.log.find((l) => l.addr === s && l.at >= killedAt && l.e.type === 'supervisor');
        expect(taken, `${s} takes a supervisor`).toBeDefined();
        takeovers.push(taken!.at - killedAt);
        expect(taken!.at - killedAt, `${s} taken over after ${taken!.at - killedAt} ms`).toBeLessThanOrEqual(2_000);
        expect(supervisors(c).get(s)).toBe(rank(s, live)[0]);
      }
      c.net.run({ until: c.net.now + SUPERVISE_RETRY * 2 });
      expect(mastersAgree(c)).toBeUndefined();
      runUntil(c, () => c.allDone(), 'the clients done', 20_000);
      expectCopies(c, list);
      for (const cl of list) expect(cl.client.result!.handoffs, cl.addr).toEqual([]);
    });
    takeovers.sort((a, b) => a - b);
    console.log(`supervision takeover after a master's death, ${takeovers.length} servers over ${SEEDS.length} seeds: p50 ${takeovers[Math.floor(takeovers.length / 2)]} ms, max ${takeovers.at(-1)} ms`);
  });

  for (const how of ['fails', 'drains'] as const) {
    it(`moves the streams of a server that ${how} after its supervisor died, ordered by its new supervisor alone (${SEEDS.length} seeds)`, () => {
      forSeeds(SEEDS, (seed) => {
        const c = cluster(seed);
        const list = clients(c, 4, c.net.now);
        c.net.run({ until: c.net.now + 1_000 });
        // A server with streams; its supervisor dies, then the server fails or drains.
        const busy = c.servers.filter((s) => s.streamCount() > 0);
        const server = busy[seed % busy.length]!;
        const victim = server.supervisedBy;
        c.killMaster(victim);
        runUntil(c, () => server.supervisedBy !== victim, 'the server taken over', 5_000);
        const heir = server.supervisedBy;
        const streams = server.streamsView().map((s) => s.sid);
        c.net.run({ until: c.net.now + 300 });
        const at = c.net.now;
        if (how === 'fails') c.net.remove(server.config.name);
        else c.net.command(server.config.name, { type: 'drain' });
        runUntil(c, () => c.allDone(), 'the clients done', 20_000);
        expectCopies(c, list);
        for (const sid of streams) {
          // Every master left follows the stream to its new server and reports its handoff.
          for (const m of c.masters.keys()) {
            const moved = c.log.filter((l) => l.addr === m && l.at >= at && l.e.type === 'handoff' && l.e.sid === sid);
            expect(moved.length, `stream ${sid} at ${m}\n${c.logText()}`).toBe(1);
          }
          // Only the supervisor orders a move (a failed server's client may ask any master on its own).
          const orders = c.log.filter((l) => l.at >= at && l.e.type === 'handoff-start' && l.e.sid === sid);
          for (const o of orders) expect(o.addr, `stream ${sid}: a move ordered by a master that does not supervise ${server.config.name}`).toBe(heir);
          if (how === 'drains') expect(orders.length, `stream ${sid}: the drain's move`).toBe(1);
          const failed = c.log.filter((l) => l.at >= at && l.e.type === 'handoff-failed' && l.e.sid === sid);
          expect(failed.map((l) => l.addr), `stream ${sid}: handoffs reported failed`).toEqual([]);
        }
      });
    });
  }

  it(`keeps one supervisor per server while a master is cut off from the other two, and agrees again once it heals (${SEEDS.length} seeds)`, () => {
    forSeeds(SEEDS, (seed) => {
      const c = cluster(seed);
      const list = clients(c, 4, c.net.now);
      c.net.run({ until: c.net.now + 500 });
      const before = supervisors(c);
      const lone = MASTERS[seed % 3]!;
      const cut = { loss: 1, delay: 1, jitter: 0, duplicate: 0, reorder: 0 };
      for (const other of MASTERS.filter((m) => m !== lone)) {
        c.net.setLink(lone, other, cut);
        c.net.setLink(other, lone, cut);
      }
      const at = c.net.now;
      c.net.run({ until: at + 4_000 });
      // Each side takes the other for dead; both still reach every server, which keeps its supervisor.
      expect(c.master.members().some((m) => m.state === 'dead'), 'the partition is seen').toBe(true);
      expect(c.log.filter((l) => l.at >= at && l.e.type === 'supervisor').map((l) => l.addr), 'supervisors changed during the partition').toEqual([]);
      expect(supervisors(c)).toEqual(before);
      for (const m of MASTERS) {
        c.net.setLink(lone, m, { loss: 0, delay: 1, jitter: 0, duplicate: 0, reorder: 0 });
        c.net.setLink(m, lone, { loss: 0, delay: 1, jitter: 0, duplicate: 0, reorder: 0 });
      }
      runUntil(c, () => [...c.masters.values()].every((m) => m.members().every((x) => x.state === 'alive')), 'the group whole again', 10_000);
      c.net.run({ until: c.net.now + 1_000 });
      expect(mastersAgree(c)).toBeUndefined();
      for (const [server, sup] of supervisors(c)) expect(sup, server).toBe(rank(server, MASTERS)[0]);
      runUntil(c, () => c.allDone(), 'the clients done', 20_000);
      expectCopies(c, list);
      for (const cl of list) expect(cl.client.result!.handoffs, cl.addr).toEqual([]);
    });
  });

  it(`without a cluster key, the new supervisor moves a drained server's streams too: the assignments told it their keys (${SEEDS.length} seeds)`, () => {
    forSeeds(SEEDS, (seed) => {
      const c = cluster(seed, undefined);
      const list = clients(c, 4, c.net.now);
      c.net.run({ until: c.net.now + 1_000 });
      const busy = c.servers.filter((s) => s.streamCount() > 0);
      const server = busy[seed % busy.length]!;
      const streams = server.streamsView().map((s) => s.sid);
      c.killMaster(server.supervisedBy);
      runUntil(c, () => c.masters.has(server.supervisedBy), 'the server taken over', 5_000);
      const heir = server.supervisedBy;
      const at = c.net.now;
      c.net.command(server.config.name, { type: 'drain' });
      runUntil(c, () => c.allDone(), 'the clients done', 20_000);
      expectCopies(c, list);
      for (const sid of streams) {
        const orders = c.log.filter((l) => l.at >= at && l.e.type === 'handoff-start' && l.e.sid === sid);
        expect(orders.map((l) => l.addr), `stream ${sid}: the drain's move`).toEqual([heir]);
      }
    });
  });
});
