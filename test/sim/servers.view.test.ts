/**
 * The servers' shared view (S4.4, §13), simulated: servers a master names to
 * one another at registration find every other one, with its status, users,
 * group and bandwidth; a change of status reaches them all within 2 s; a
 * killed server is seen dead by all; and any server answers a list request
 * from its view.
 */
import { describe, expect, it } from 'vitest';
import { decode, encode } from '../../src/protocol/codec.js';
import type { MessageOf } from '../../src/protocol/messages.js';
import { padded } from '../../src/protocol/padding.js';
import { newLinkState, type LinkState } from '../../testbed/link/impairment.js';
import type { MediaServer } from '../../src/roles/server/server.js';
import { expectedBytes, firstDifference, forSeeds, mediaFile, seedRange, simCluster, type SimCluster } from '../helpers/simCluster.js';

const N = 20;
const SEEDS = seedRange(5100, 6);
const KEY = 'the cluster key of the servers of a shared view';

function cluster(seed: number, key: string | null = KEY): SimCluster {
  return simCluster({ seed, ...(key ? { key } : {}), master: { pollInterval: 1_000 }, servers: Array.from({ length: N }, (_, i) => ({ files: [mediaFile('a.ts', 1_000_000)], group: i % 2 ? 'odd' : 'even' })) });
}

/** The peers `s` holds alive, with an entry. */
function known(s: MediaServer): number {
  return s.viewOf()!.peers.filter((p) => p.state === 'alive' && p.data !== undefined).length;
}

/** Run until `done`, in steps of `step` ms; the time it took, or fail after `limit`. */
function until(c: SimCluster, done: () => boolean, limit: number, what: string, step = 50): number {
  const start = c.net.now;
  while (!done()) {
    if (c.net.now - start > limit) throw new Error(`${what}: not within ${limit} ms`);
    c.net.run({ until: c.net.now + step });
  }
  return c.net.now - start;
}

describe('the servers\' shared view, simulated (§13)', () => {
  it(`every server learns every other one, with its entry, from the peers its master named (${SEEDS.length} seeds, ${N} servers)`, () => {
    forSeeds(SEEDS, (seed) => {
      const c = cluster(seed);
      until(c, () => c.servers.every((s) => known(s) === N - 1), 30_000, 'a whole view everywhere', 250);
      const [a, b] = c.servers as [MediaServer, MediaServer];
      const entry = a.viewOf()!.peers.find((p) => p.addr === b.config.name)!.data!;
      expect(entry).toMatchObject({ st: 'up', n: 0, g: b.config.group, bw: b.cap });
      // Their load reports tell the master what each view holds: ofp master status and the dashboard show it.
      c.net.run({ until: c.net.now + 2_000 });
      const rows = c.master.statusRows('servers', c.net.now) as { name: string; vk?: number; vs?: number }[];
      expect(rows.map((r) => r.vk), `seed ${seed}`).toEqual(rows.map(() => N - 1));
      for (const r of rows) expect(r.vs).toBeLessThanOrEqual(60);
    });
  });

  it(`a change of status reaches every other server within 2 s; users and bandwidth follow, by refreshes and anti-entropy (${SEEDS.length} seeds)`, () => {
    const drains: number[] = [];
    const refreshes: number[] = [];
    forSeeds(SEEDS, (seed) => {
      const c = cluster(seed);
      until(c, () => c.servers.every((s) => known(s) === N - 1), 30_000, 'a whole view everywhere', 250);
      // Long enough that the joins have spread, and nothing urgent is left to gossip.
      c.net.run({ until: c.net.now + 10_000 });
      const victim = c.servers[seed % N]!;
      const name = victim.config.name;
      const statusOf = (s: MediaServer) => s.viewOf()!.peers.find((p) => p.addr === name)?.data?.st;
      c.net.command(name, { type: 'capacity', cap: 0 });
      const others = c.servers.filter((s) => s !== victim);
      // Overloaded at capacity 0? Only with streams: a server with none is up at any capacity. Its bandwidth says 0.
      refreshes.push(until(c, () => others.every((s) => s.viewOf()!.peers.find((p) => p.addr === name)?.data?.bw === 0), 30_000, 'the new bandwidth everywhere', 10));
      c.net.command(name, { type: 'drain' });
      const drained = until(c, () => others.every((s) => statusOf(s) === 'draining' || s.viewOf()!.peers.find((p) => p.addr === name)?.state === 'left'), 5_000, 'the drain everywhere', 10);
      expect(drained, `seed ${seed}`).toBeLessThanOrEqual(2_000);
      drains.push(drained);
    });
    console.log(`view of ${N} servers, ${SEEDS.length} seeds: a drain known everywhere after ${drains.join(', ')} ms; a new bandwidth after ${refreshes.join(', ')} ms`);
  });

  it(`a killed server is seen dead by every other within the failure-detection budget (${SEEDS.length} seeds)`, () => {
    forSeeds(SEEDS, (seed) => {
      const c = cluster(seed);
      until(c, () => c.servers.every((s) => known(s) === N - 1), 30_000, 'a whole view everywhere', 250);
      c.net.run({ until: c.net.now + 5_000 });
      const victim = c.servers[(seed * 7) % N]!;
      c.net.remove(victim.config.name);
      const others = c.servers.filter((s) => s !== victim);
      const took = until(c, () => others.every((s) => s.viewOf()!.peers.find((p) => p.addr === victim.config.name)?.state === 'dead'), 20_000, 'the death everywhere', 50);
      expect(took, `seed ${seed}`).toBeLessThanOrEqual(10_000);
      expect(c.log.filter((l) => l.e.type === 'peer-dead' && (l.e as { peer: string }).peer !== victim.config.name).map((l) => l.addr), 'no other server declared dead').toEqual([]);
    });
  });

  it('a server answers a list request from its view: every server, itself among them, with a token each (paged to the request\'s size)', () => {
    const c = cluster(5199);
    until(c, () => c.servers.every((s) => known(s) === N - 1), 30_000, 'a whole view everywhere', 250);
    const got: MessageOf<'server-list'>[] = [];
    c.net.add('10.0.2.2:6000', { handle: (i) => { if (i.kind === 'datagram') { const d = decode(i.bytes); if (d.ok && d.msg.type === 'server-list') got.push(d.msg); } }, pollTransmit: () => undefined, pollTimeout: () => undefined, pollEvent: () => undefined });
    const server = c.servers[3]!;
    c.net.inject(server.config.name, '10.0.2.2:6000', encode(padded({ type: 'request', rid: 9, file: 'a.ts', mode: 'list' })));
    c.net.run({ until: c.net.now + 100 });
    expect(got).toHaveLength(1);
    const list = got[0]!;
    expect(list.total).toBe(N);
    expect(list.servers.length).toBeGreaterThan(5);
    expect(list.servers.map((s) => s.srv)).toEqual([...list.servers.map((s) => s.srv)].sort());
    expect(list.servers.every((s) => s.tok !== undefined && s.status === 'up')).toBe(true);
    expect(list.exp).toBeDefined();
    // A request too small for one entry gets an error that says how much to pad, not an empty page;
    // never more bytes than it sent (§9.4): an unpadded one gets nothing at all.
    const errors: MessageOf<'error'>[] = [];
    c.net.add('10.0.2.3:6000', { handle: (i) => { if (i.kind === 'datagram') { const d = decode(i.bytes); if (d.ok && d.msg.type === 'error') errors.push(d.msg); } }, pollTransmit: () => undefined, pollTimeout: () => undefined, pollEvent: () => undefined });
    c.net.inject(server.config.name, '10.0.2.3:6000', encode({ type: 'request', rid: 11, file: 'a.ts', mode: 'list' }));
    c.net.inject(server.config.name, '10.0.2.3:6000', encode(padded({ type: 'request', rid: 10, file: 'a.ts', mode: 'list' }, 120)));
    c.net.run({ until: c.net.now + 100 });
    expect(errors.map((e) => [e.rid, e.code])).toEqual([[10, 'bad-request']]);
    expect(errors[0]!.msg).toMatch(/^pad the request to \d+ bytes for one server of the list$/);
  });
});

describe('a client whose masters are all gone asks the servers (S4.4, S4.5, §13.6), simulated', () => {
  it(`in list mode, it asks a server it was given for the list, chooses, and gets a whole copy (${SEEDS.length} seeds)`, () => {
    forSeeds(SEEDS, (seed) => {
      const c = cluster(seed);
      until(c, () => c.servers.every((s) => known(s) === N - 1), 30_000, 'a whole view everywhere', 250);
      for (const m of [...c.masters.keys()]) c.killMaster(m);
      const given = c.servers[seed % N]!.config.name;
      const cl = c.addClient('10.0.2.1:6000', { masters: [...c.masters.keys(), '10.0.0.1:4000'].slice(-1), file: 'a.ts', mode: 'list', choose: { by: 'fewest-users' }, servers: [given] });
      until(c, () => cl.client.result !== undefined, 60_000, 'the client done', 100);
      expect(cl.client.result?.ok, `${cl.client.result?.code} ${cl.client.result?.message}`).toBe(true);
      expect(firstDifference(cl.copy, expectedBytes('a.ts', 1_000_000))).toBeUndefined();
      const asked = c.log.filter((l) => l.addr === '10.0.2.1:6000' && l.e.type === 'asking-servers');
      expect(asked.map((l) => (l.e as { first: string }).first)).toEqual([given]);
      expect(c.log.some((l) => l.addr === given && l.e.type === 'list-answered')).toBe(true);
    });
  });

  it(`a server's list names servers that lack the file: they refuse it, and the client asks the next (S4.5; ${SEEDS.length} seeds)`, () => {
    let refusals = 0;
    forSeeds(SEEDS, (seed) => {
      // Half the servers hold a.ts, the others b.ts; the view holds no content lists, so a list has both.
      const c = simCluster({ seed, key: KEY, master: { pollInterval: 1_000 }, servers: Array.from({ length: 8 }, (_, i) => ({ files: [mediaFile(i % 2 ? 'b.ts' : 'a.ts', 500_000)] })) });
      until(c, () => c.servers.every((s) => known(s) === 7), 30_000, 'a whole view everywhere', 250);
      for (const m of [...c.masters.keys()]) c.killMaster(m);
      // Asked first: a server without the file.
      const given = c.servers[1]!.config.name;
      const cl = c.addClient('10.0.2.1:6000', { masters: ['10.0.0.1:4000'], file: 'a.ts', mode: 'list', choose: { by: 'random' }, servers: [given] });
      until(c, () => cl.client.result !== undefined, 60_000, 'the client done', 100);
      expect(cl.client.result?.ok, `seed ${seed}: ${cl.client.result?.code} ${cl.client.result?.message}`).toBe(true);
      expect(firstDifference(cl.copy, expectedBytes('a.ts', 500_000))).toBeUndefined();
      // It streamed from a server that holds a.ts.
      const holders = c.servers.filter((_, i) => i % 2 === 0).map((s) => s.config.name);
      const from = c.log.filter((l) => l.addr === '10.0.2.1:6000' && l.e.type === 'setup').map((l) => (l.e as { srv: string }).srv);
      expect(from.length).toBeGreaterThan(0);
      for (const s of from) expect(holders).toContain(s);
      refusals += c.log.filter((l) => l.e.type === 'request-refused' && (l.e as { client: string; code: string }).client === '10.0.2.1:6000' && (l.e as { code: string }).code === 'not-found').length;
    });
    // Over the seeds, the client did choose servers without the file, and moved on from them.
    expect(refusals).toBeGreaterThan(0);
  });

  it('without servers to ask, or not in list mode, it gives up as before', () => {
    const c = cluster(5150);
    until(c, () => c.servers.every((s) => known(s) === N - 1), 30_000, 'a whole view everywhere', 250);
    for (const m of [...c.masters.keys()]) c.killMaster(m);
    const redirect = c.addClient('10.0.2.1:6000', { masters: ['10.0.0.1:4000'], file: 'a.ts', choose: { by: 'random' }, servers: [c.servers[0]!.config.name] });
    const bare = c.addClient('10.0.2.2:6000', { masters: ['10.0.0.1:4000'], file: 'a.ts', mode: 'list', choose: { by: 'random' } });
    until(c, () => c.allDone(), 120_000, 'the clients done', 200);
    for (const cl of [redirect, bare]) expect(cl.client.result).toMatchObject({ ok: false, code: 'master-unreachable' });
  });

  it('without a cluster key a server keeps no view: it lists itself alone, and takes no member', () => {
    const c = cluster(5160, null);
    c.net.run({ until: c.net.now + 10_000 });
    for (const s of c.servers) expect(s.viewOf()).toBeUndefined();
    const got: MessageOf<'server-list'>[] = [];
    c.net.add('10.0.2.9:6000', { handle: (i) => { if (i.kind === 'datagram') { const d = decode(i.bytes); if (d.ok && d.msg.type === 'server-list') got.push(d.msg); } }, pollTransmit: () => undefined, pollTimeout: () => undefined, pollEvent: () => undefined });
    const s = c.servers[2]!;
    c.net.inject(s.config.name, '10.0.2.9:6000', encode(padded({ type: 'request', rid: 9, file: 'a.ts', mode: 'list' })));
    c.net.inject(s.config.name, '10.0.2.9:6000', encode(padded({ type: 'member', k: 'ping', seq: 1, up: [{ s: 'alive', a: '10.0.9.9:5000', i: 1 }] }, 1200)));
    c.net.run({ until: c.net.now + 100 });
    expect(got.map((l) => l.servers.map((x) => x.srv))).toEqual([[s.config.name]]);
    expect(c.log.some((l) => l.addr === s.config.name && l.e.type === 'dropped' && /keeps no view/.test(String((l.e as { detail?: string }).detail)))).toBe(true);
  });
});

describe('the servers\' view under loss, simulated', () => {
  it(`declares no live server dead under 10% loss in bursts, and a drain still reaches all within 2 s (4 seeds × 60 s, ${N} servers)`, () => {
    const drains: number[] = [];
    forSeeds(seedRange(5300, 4), (seed) => {
      const c = simCluster({ seed, key: KEY, master: { pollInterval: 1_000 }, servers: Array.from({ length: N }, () => ({ files: [mediaFile('a.ts', 1_000_000)] })) });
      // Every link loses 10% of datagrams, in bursts of 2 on average (Gilbert–Elliott), each with its own state.
      const states = new Map<string, LinkState>();
      const spec = { loss: 0.1, burst: 2, delay: 1, jitter: 2, duplicate: 0, reorder: 0, corrupt: 0, rate: 0, blocked: false };
      c.net.model = {
        link: (from, to) => {
          let state = states.get(`${from}>${to}`);
          if (!state) states.set(`${from}>${to}`, (state = newLinkState()));
          return { spec, state };
        },
      };
      until(c, () => c.servers.every((s) => known(s) === N - 1), 60_000, 'a whole view everywhere', 500);
      c.net.run({ until: c.net.now + 60_000 });
      expect(c.log.filter((l) => l.e.type === 'peer-dead').map((l) => `${l.addr} → ${(l.e as { peer: string }).peer}`), `seed ${seed}: false deaths`).toEqual([]);
      const victim = c.servers[seed % N]!;
      const name = victim.config.name;
      c.net.command(name, { type: 'drain' });
      const others = c.servers.filter((s) => s !== victim);
      drains.push(until(c, () => others.every((s) => { const p = s.viewOf()!.peers.find((x) => x.addr === name); return p?.data?.st === 'draining' || p?.state === 'left'; }), 5_000, 'the drain everywhere', 10));
    });
    expect(Math.max(...drains)).toBeLessThanOrEqual(2_000);
    console.log(`view of ${N} servers, 10% loss in bursts: no false death over 4 × 60 s; a drain known everywhere after ${drains.join(', ')} ms`);
  });
});
