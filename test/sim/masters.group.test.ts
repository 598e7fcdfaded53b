/**
 * Masters in a group (§12.1), their cores on the simulated network over many
 * seeds: they find one another through `peers`, declare a killed master dead
 * everywhere within 2 s, declare no live one dead under 10% loss with bursts,
 * and keep to the admission and anti-amplification rules with and without a
 * cluster key.
 */
import { describe, expect, it } from 'vitest';
import { ClusterAuth } from '../../src/protocol/auth.js';
import { encode } from '../../src/protocol/codec.js';
import { MEMBER_PAD_TO } from '../../src/protocol/constants.js';
import { Rng } from '../../src/protocol/rng.js';
import { nodeCrypto } from '../../src/platform/crypto.js';
import { Master, type MasterEvent } from '../../src/roles/master/master.js';
import type { LinkSpec } from '../../testbed/scenario/types.js';
import { newLinkState, type LinkState } from '../../testbed/link/impairment.js';
import { SimNetwork, type TraceRecord } from '../../testbed/sim/network.js';

const KEY = 'a cluster key for the group tests';
const MASTERS = ['10.0.1.1:7700', '10.0.1.2:7700', '10.0.1.3:7700'];
const FORGER = '10.0.9.9:4444';

const link = (loss: number, burst: number): LinkSpec => ({ loss, burst, delay: 1, jitter: 2, duplicate: 0, reorder: 0, corrupt: 0, rate: 0, blocked: false });

interface Group {
  readonly net: SimNetwork;
  readonly masters: Map<string, Master>;
  readonly log: { at: number; addr: string; e: MasterEvent }[];
  readonly trace: TraceRecord[];
}

function group(seed: number, o: { key?: boolean; spec?: LinkSpec } = {}): Group {
  const net = new SimNetwork(seed);
  const states = new Map<string, LinkState>();
  const spec = o.spec ?? link(0, 1);
  net.model = {
    link: (from, to) => {
      let state = states.get(`${from}>${to}`);
      if (!state) states.set(`${from}>${to}`, (state = newLinkState()));
      return { spec, state };
    },
  };
  const trace: TraceRecord[] = [];
  net.onTrace = (r) => trace.push(r);
  const log: Group['log'] = [];
  const masters = new Map<string, Master>();
  const seeds = new Rng(seed ^ 0x6a09);
  for (const self of MASTERS) {
    const deps = { rng: new Rng(seeds.u32()), crypto: nodeCrypto, ...(o.key ? { auth: new ClusterAuth(KEY, nodeCrypto) } : {}) };
    const m = new Master(deps, { group: { self, peers: MASTERS.filter((x) => x !== self) } });
    masters.set(self, m);
    net.add(self, m, (e) => log.push({ at: net.now, addr: self, e }));
    net.command(self, { type: 'start' });
  }
  return { net, masters, log, trace };
}

const SEEDS = Array.from({ length: 24 }, (_, i) => 700 + i);
const LOSSY_SEEDS = Array.from({ length: Number(process.env.OFP_GROUP_SEEDS ?? 24) }, (_, i) => 900 + i);

describe('masters in a group, simulated', () => {
  it(`find one another, and declare a killed master dead at every other within 2 s (${SEEDS.length} seeds, with and without a key)`, () => {
    const worst: number[] = [];
    for (const seed of SEEDS) {
      const g = group(seed, { key: seed % 2 === 0 });
      const start = g.net.now;
      g.net.run({ until: start + 3_000 });
      for (const [addr, m] of g.masters) {
        expect(m.members().map((x) => [x.addr, x.state]).sort(), `seed ${seed}: ${addr}'s members`).toEqual(MASTERS.filter((x) => x !== addr).map((x) => [x, 'alive']));
      }
      const victim = MASTERS[seed % 3]!;
      const killedAt = g.net.now;
      g.net.remove(victim);
      g.net.run({ until: killedAt + 5_000 });
      for (const addr of MASTERS.filter((x) => x !== victim)) {
        const dead = g.log.find((l) => l.addr === addr && l.e.type === 'member-dead' && l.e.addr === victim);
        expect(dead, `seed ${seed}: ${addr} declares ${victim} dead`).toBeDefined();
        worst.push(Math.round(dead!.at - killedAt));
        expect(dead!.at - killedAt, `seed ${seed}: ${addr} took ${dead!.at - killedAt} ms`).toBeLessThanOrEqual(2_000);
      }
      // The living never suspected each other.
      expect(g.log.filter((l) => l.e.type === 'member-dead' && l.e.addr !== victim)).toEqual([]);
    }
    expect(worst.length).toBe(SEEDS.length * 2);
    worst.sort((x, y) => x - y);
    console.log(`masters: a killed master declared dead after ${worst[0]}–${worst.at(-1)} ms (median ${worst[worst.length >> 1]}) over ${SEEDS.length} seeds`);
  });

  it(`declare no live master dead under 10% loss in bursts of 2 datagrams on average (${LOSSY_SEEDS.length} seeds × 60 s of simulated time)`, () => {
    let suspicions = 0;
    let lost = 0;
    let sent = 0;
    for (const seed of LOSSY_SEEDS) {
      const g = group(seed, { key: seed % 2 === 1, spec: link(0.1, 2) });
      g.net.run({ until: g.net.now + 60_000 });
      suspicions += g.log.filter((l) => l.e.type === 'member-suspect').length;
      lost += g.trace.filter((r) => r.fate !== 'delivered').length;
      sent += g.trace.length;
      const deaths = g.log.flatMap((l) => (l.e.type === 'member-dead' ? [`${l.addr} says ${l.e.addr}`] : []));
      expect(deaths, `seed ${seed}`).toEqual([]);
      expect(g.trace.some((r) => r.fate !== 'delivered'), `seed ${seed}: the link lost datagrams`).toBe(true);
      for (const m of g.masters.values()) expect(m.members().every((x) => x.state === 'alive' || x.state === 'suspect')).toBe(true);
    }
    console.log(`masters: 3 in a group, ${LOSSY_SEEDS.length} seeds × 60 s: ${((100 * lost) / sent).toFixed(1)}% of ${sent} datagrams lost, ${suspicions} suspicions, 0 false deaths`);
  });

  it('pad every ping and ping-req to MEMBER_PAD_TO bytes, and send no ack larger than what its asker sent', () => {
    const g = group(5, { spec: link(0.2, 2) });
    g.net.run({ until: g.net.now + 10_000 });
    const member = g.trace.filter((r) => r.type === 'member');
    expect(member.length).toBeGreaterThan(100);
    const pings = member.filter((r) => r.size === MEMBER_PAD_TO);
    const others = member.filter((r) => r.size !== MEMBER_PAD_TO);
    expect(pings.length).toBeGreaterThan(0);
    // Every datagram that is not a padded ping is smaller: the acks.
    for (const r of others) expect(r.size).toBeLessThan(MEMBER_PAD_TO);
  });

  it('without a key, admit only the members named at start: a stranger\'s ping draws nothing, a forged update names nobody new', () => {
    const g = group(9);
    g.net.run({ until: g.net.now + 1_000 });
    const [a] = MASTERS;
    const ping = (up: { s: 'alive'; a: string; i: number }[]) => encode({ type: 'member', k: 'ping', seq: 99, up, pad: new Uint8Array(900) });
    const before = g.trace.length;
    g.net.inject(a!, FORGER, ping([{ s: 'alive', a: FORGER, i: 0 }]));
    // From a member's address, naming a stranger: the update is ignored.
    g.net.inject(a!, MASTERS[1]!, ping([{ s: 'alive', a: '10.0.9.8:1', i: 0 }]));
    g.net.run({ until: g.net.now + 3_000 });
    expect(g.trace.slice(before).filter((r) => r.to === FORGER || r.to === '10.0.9.8:1')).toEqual([]);
    expect(g.masters.get(a!)!.members().map((m) => m.addr).sort()).toEqual(MASTERS.slice(1));
    expect(g.log.some((l) => l.addr === a && l.e.type === 'dropped' && l.e.from === FORGER)).toBe(true);
  });

  it('with a key, drop a member message without a valid MAC: no ack, no update', () => {
    const g = group(11, { key: true });
    g.net.run({ until: g.net.now + 1_000 });
    const [a] = MASTERS;
    const before = g.trace.length;
    g.net.inject(a!, FORGER, encode({ type: 'member', k: 'ping', seq: 5, up: [{ s: 'dead', a: MASTERS[1]!, i: 9 }], pad: new Uint8Array(900) }));
    g.net.run({ until: g.net.now + 2_000 });
    expect(g.trace.slice(before).filter((r) => r.to === FORGER)).toEqual([]);
    expect(g.log.filter((l) => l.e.type === 'member-dead')).toEqual([]);
  });

  it('a flood of small pings forged with a member\'s address draws no more ack bytes than that address sent', () => {
    const g = group(13);
    g.net.run({ until: g.net.now + 1_000 });
    const [a, b] = MASTERS;
    const small = encode({ type: 'member', k: 'ping', seq: 4242, up: [] });
    expect(small.length).toBeLessThan(40);
    const before = g.trace.length;
    for (let i = 0; i < 500; i++) g.net.inject(a!, b!, small);
    g.net.run({ until: g.net.now + 2_000 });
    const after = g.trace.slice(before);
    // a's pings to b are MEMBER_PAD_TO bytes; the rest it sent b are acks.
    const acks = after.filter((r) => r.from === a && r.to === b && r.size < MEMBER_PAD_TO).reduce((n, r) => n + r.size, 0);
    const fromB = g.trace.filter((r) => r.from === b && r.to === a && r.fate === 'delivered').reduce((n, r) => n + r.size, 0) + 500 * small.length;
    expect(acks).toBeGreaterThan(0);
    expect(acks).toBeLessThanOrEqual(fromB);
  });
});
