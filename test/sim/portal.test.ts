/**
 * The portal (S3.1, §12.3) in front of three masters, its core on the
 * simulated network with theirs, over many seeds: clients that know only the
 * portal get byte-identical copies in both modes (refer, forward); each
 * policy picks the master it says; a killed master is down for the portal
 * within 2 s and gets no more requests; the portal keeps no state per request.
 */
import { describe, expect, it } from 'vitest';
import { ClusterAuth } from '../../src/protocol/auth.js';
import { Rng } from '../../src/protocol/rng.js';
import { nodeCrypto } from '../../src/platform/crypto.js';
import { Portal, type PortalEvent, type PortalPolicy } from '../../src/roles/portal/portal.js';
import { expectedBytes, firstDifference, forSeeds, groupMasters, mediaFile, seedRange, simCluster, type SimCluster } from '../helpers/simCluster.js';
import { runUntil } from './simAssert.js';

const KEY = 'the cluster key of a portal and three masters';
const MASTERS = groupMasters(3);
const PORTAL = '10.0.0.9:3000';
const FILE = 'movie.ts';
const SIZE = 500_000;
const SEEDS = seedRange(5200, 8);

interface Setup {
  readonly c: SimCluster;
  readonly portal: Portal;
  readonly log: { at: number; e: PortalEvent }[];
}

function setup(seed: number, policy: PortalPolicy, mode: 'refer' | 'forward', size = SIZE): Setup {
  const c = simCluster({ seed, group: 3, key: KEY, master: { pollInterval: 250 }, servers: Array.from({ length: 3 }, () => ({ files: [mediaFile(FILE, size)] })) });
  const portal = new Portal({ rng: new Rng(seed ^ 0x907), crypto: nodeCrypto, auth: new ClusterAuth(KEY, nodeCrypto) }, { masters: MASTERS, policy, mode });
  const log: Setup['log'] = [];
  c.net.add(PORTAL, portal, (e) => log.push({ at: c.net.now, e }));
  c.net.command(PORTAL, { type: 'start' });
  c.net.run({ until: c.net.now + 2_000 });
  return { c, portal, log };
}

function clients(c: SimCluster, n: number, at: number, every = 40) {
  return Array.from({ length: n }, (_, i) => c.addClient(`10.0.2.${i + 1}:6000`, { masters: [PORTAL], portal: true, file: FILE, choose: { by: 'random' } }, at + i * every));
}

/** The master that answered each client: the one whose `redirect` (or relayed `setup`) it got. */
function answeredBy(c: SimCluster, since: number): Map<string, number> {
  const count = new Map<string, number>();
  for (const l of c.log) {
    if (l.at < since || !MASTERS.includes(l.addr) || (l.e.type !== 'redirect' && l.e.type !== 'relay')) continue;
    count.set(l.addr, (count.get(l.addr) ?? 0) + 1);
  }
  return count;
}

function expectCopies(c: SimCluster, list: ReturnType<typeof clients>): void {
  const want = expectedBytes(FILE, SIZE);
  for (const cl of list) {
    expect(cl.client.result?.ok, `${cl.addr}: ${cl.client.result?.code} ${cl.client.result?.message}`).toBe(true);
    expect(firstDifference(cl.copy, want), cl.addr).toBeUndefined();
  }
}

describe('the portal, simulated', () => {
  for (const mode of ['refer', 'forward'] as const) {
    it(`${mode}: clients that know only the portal get their copies; round robin spreads them evenly over the masters (${SEEDS.length} seeds)`, () => {
      forSeeds(SEEDS, (seed) => {
        const { c, portal } = setup(seed, 'round-robin', mode);
        expect(portal.masters().every((m) => m.up)).toBe(true);
        const since = c.net.now;
        const list = clients(c, 9, since);
        runUntil(c, () => c.allDone(), 'the clients done', 20_000);
        expectCopies(c, list);
        expect([...answeredBy(c, since).values()].sort()).toEqual([3, 3, 3]);
        const referred = c.log.filter((l) => l.e.type === 'referred').length;
        expect(referred).toBe(mode === 'refer' ? 9 : 0);
        // Nothing kept per request: its only tables are its masters and the amplification ledger.
        expect(Object.keys(portal.tables()).sort()).toEqual(['amplification', 'masters', 'version answers']);
      });
    });
  }

  it('round robin over three masters spreads a burst over equal servers as one master does: each master reserves what the others assign (§12.4)', () => {
    forSeeds(seedRange(6000, 20), (seed) => {
      // 8 s streams: all twelve play when they are counted.
      const { c } = setup(seed, 'round-robin', 'refer', 4_000_000);
      const since = c.net.now;
      clients(c, 12, since, 50);
      c.net.run({ until: since + 12 * 50 + 400 });
      expect(c.servers.reduce((n, x) => n + x.streamCount(), 0)).toBe(12);
      const counts = c.servers.map((s) => s.streamCount());
      expect(Math.max(...counts) - Math.min(...counts), counts.join('/')).toBeLessThanOrEqual(1);
      // Every master holds every stream's record: the ones it assigned, and the others' it was told of.
      for (const m of c.masters.values()) expect(m.tables().assignments!.size).toBe(12);
    });
  });

  it('priority sends every request to the first master that answers, in the order given; the next one once it dies', () => {
    forSeeds(SEEDS.slice(0, 4), (seed) => {
      const { c } = setup(seed, 'priority', 'refer');
      let since = c.net.now;
      clients(c, 4, since);
      runUntil(c, () => c.allDone(), 'the clients done', 20_000);
      expect([...answeredBy(c, since).entries()]).toEqual([[MASTERS[0], 4]]);
      c.killMaster(MASTERS[0]!);
      c.net.run({ until: c.net.now + 2_000 });
      since = c.net.now;
      const more = Array.from({ length: 3 }, (_, i) => c.addClient(`10.0.3.${i + 1}:6000`, { masters: [PORTAL], portal: true, file: FILE, choose: { by: 'random' } }, since + i * 40));
      runUntil(c, () => c.allDone(), 'the later clients done', 20_000);
      expectCopies(c, more);
      expect([...answeredBy(c, since).entries()]).toEqual([[MASTERS[1], 3]]);
    });
  });

  it('nearest sends requests to the master with the shortest round trip it measures', () => {
    forSeeds(SEEDS.slice(0, 4), (seed) => {
      const near = MASTERS[seed % 3]!;
      const c0 = setup(seed, 'nearest', 'forward');
      const { c } = c0;
      // The links between the portal and the masters: 20 ms each way, but 2 ms to one of them.
      for (const m of MASTERS) {
        const delay = m === near ? 2 : 20;
        c.net.setLink(PORTAL, m, { loss: 0, delay, jitter: 0, duplicate: 0, reorder: 0 });
        c.net.setLink(m, PORTAL, { loss: 0, delay, jitter: 0, duplicate: 0, reorder: 0 });
      }
      c.net.run({ until: c.net.now + 2_000 });
      const since = c.net.now;
      clients(c, 4, since);
      runUntil(c, () => c.allDone(), 'the clients done', 20_000);
      expect([...answeredBy(c, since).entries()]).toEqual([[near, 4]]);
    });
  });

  it('least-loaded spreads a burst over the masters rather than herd it onto one', () => {
    forSeeds(SEEDS.slice(0, 4), (seed) => {
      const { c } = setup(seed, 'least-loaded', 'refer');
      const since = c.net.now;
      // A burst within one poll of the masters: what the portal sent each since counts.
      clients(c, 6, since, 5);
      runUntil(c, () => c.allDone(), 'the clients done', 20_000);
      expect([...answeredBy(c, since).values()].sort()).toEqual([2, 2, 2]);
    });
  });

  it('resources sends requests to the master with the most bandwidth left on the servers it supervises', () => {
    forSeeds(SEEDS.slice(0, 4), (seed) => {
      const { c } = setup(seed, 'resources', 'refer');
      // Equal servers: the master that supervises the most of them has the most left (ties: the first given).
      const count = new Map(MASTERS.map((m) => [m, c.servers.filter((x) => x.supervisedBy === m).length]));
      const most = MASTERS.reduce((a, b) => (count.get(b)! > count.get(a)! ? b : a));
      const since = c.net.now;
      clients(c, 3, since, 5);
      runUntil(c, () => c.allDone(), 'the clients done', 20_000);
      expect([...answeredBy(c, since).entries()]).toEqual([[most, 3]]);
    });
  });

  it(`marks a killed master down within 2 s and hands it nothing more (${SEEDS.length} seeds)`, () => {
    const detect: number[] = [];
    forSeeds(SEEDS, (seed) => {
      const { c, log } = setup(seed, 'round-robin', 'refer');
      const victim = MASTERS[seed % 3]!;
      const killedAt = c.net.now;
      c.killMaster(victim);
      runUntil(c, () => log.some((l) => l.e.type === 'master-down' && l.e.master === victim), 'the master down at the portal', 5_000);
      const down = log.find((l) => l.e.type === 'master-down')!;
      detect.push(down.at - killedAt);
      expect(down.at - killedAt).toBeLessThanOrEqual(2_000);
      const since = c.net.now;
      const list = clients(c, 6, since);
      runUntil(c, () => c.allDone(), 'the clients done', 20_000);
      expectCopies(c, list);
      expect(answeredBy(c, since).has(victim)).toBe(false);
      expect(log.filter((l) => l.at >= since && (l.e.type === 'refer' || l.e.type === 'pass') && l.e.master === victim)).toEqual([]);
    });
    detect.sort((a, b) => a - b);
    console.log(`portal: a killed master down after p50 ${detect[Math.floor(detect.length / 2)]} ms, max ${detect.at(-1)} ms (${detect.length} seeds)`);
  });
});
