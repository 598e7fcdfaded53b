// Group membership (SWIM): the precedence rules, probes, refutation, suspicion, and a small
// seeded network of members with latency, loss and loss bursts on a simulated clock.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/protocol/rng.js';
import {
  MEMBER_GOSSIP_INTERVAL, MEMBER_GOSSIP_NODES, MEMBER_INDIRECT_PROBES, MEMBER_PROBE_INTERVAL, MEMBER_PROBE_TIMEOUT, MEMBER_SUSPICION_MAX_MULT, MEMBER_SUSPICION_MULT,
  MEMBER_UPDATES_PER_MESSAGE,
} from '../../src/protocol/constants.js';
import {
  type MemberEvent, type MemberMessage, type MemberSend, Membership, type MembershipOptions, overrides, retransmitLimit, suspicionConfirmations, suspicionTimeout,
} from '../../src/roles/membership/membership.js';
import { fromWire } from '../../src/roles/membership/messages.js';

function drain(m: Membership): MemberSend[] {
  const out: MemberSend[] = [];
  for (let s = m.pollSend(); s; s = m.pollSend()) out.push(s);
  return out;
}

function events(m: Membership): MemberEvent[] {
  const out: MemberEvent[] = [];
  for (let e = m.pollEvent(); e; e = m.pollEvent()) out.push(e);
  return out;
}

const ping = (seq: number, updates: MemberMessage['updates'] = []): MemberMessage => ({ type: 'ping', seq, updates });

/**
 * A member that knows `others`, all alive at incarnation 0, with its queues drained. Without the
 * rounds of gossip unless asked: most tests here follow the probes, sends and timers one by one.
 */
function knowing(self: string, others: readonly string[], seed = 1, gossipInterval = 0): Membership {
  const m = new Membership(self, new Rng(seed), { gossipInterval });
  m.handle(others[0] ?? 'x', ping(1, others.map((addr) => ({ state: 'alive' as const, addr, inc: 0 }))), 0);
  drain(m);
  events(m);
  return m;
}

describe('membership precedence (SWIM §4.2, memberlist)', () => {
  it('alive overrides alive or suspect of a lower incarnation only', () => {
    expect(overrides({ state: 'alive', inc: 2 }, { state: 'alive', inc: 1 })).toBe(true);
    expect(overrides({ state: 'alive', inc: 2 }, { state: 'suspect', inc: 1 })).toBe(true);
    expect(overrides({ state: 'alive', inc: 1 }, { state: 'suspect', inc: 1 })).toBe(false);
    expect(overrides({ state: 'alive', inc: 1 }, { state: 'alive', inc: 1 })).toBe(false);
    expect(overrides({ state: 'alive', inc: 1 }, { state: 'dead', inc: 1 })).toBe(false);
    expect(overrides({ state: 'alive', inc: 2 }, { state: 'dead', inc: 1 })).toBe(true);
  });
  it('suspect(i) overrides alive(j) for i ≥ j, and a suspect only at a newer incarnation', () => {
    expect(overrides({ state: 'suspect', inc: 1 }, { state: 'alive', inc: 1 })).toBe(true);
    expect(overrides({ state: 'suspect', inc: 2 }, { state: 'alive', inc: 1 })).toBe(true);
    expect(overrides({ state: 'suspect', inc: 0 }, { state: 'alive', inc: 1 })).toBe(false);
    expect(overrides({ state: 'suspect', inc: 1 }, { state: 'suspect', inc: 1 })).toBe(false);
    expect(overrides({ state: 'suspect', inc: 3 }, { state: 'dead', inc: 1 })).toBe(false);
  });
  it('dead overrides everything at its incarnation, and nothing older', () => {
    expect(overrides({ state: 'dead', inc: 1 }, { state: 'alive', inc: 1 })).toBe(true);
    expect(overrides({ state: 'dead', inc: 1 }, { state: 'suspect', inc: 1 })).toBe(true);
    expect(overrides({ state: 'dead', inc: 1 }, { state: 'dead', inc: 1 })).toBe(false);
    expect(overrides({ state: 'dead', inc: 0 }, { state: 'alive', inc: 1 })).toBe(false);
  });
  it('applies them to what it knows, reporting each change once', () => {
    const m = knowing('a', ['b']);
    m.handle('c', ping(1, [{ state: 'suspect', addr: 'b', inc: 0 }]), 10);
    expect(m.member('b')?.state).toBe('suspect');
    m.handle('c', ping(2, [{ state: 'alive', addr: 'b', inc: 0 }]), 11);
    expect(m.member('b')?.state).toBe('suspect');
    m.handle('c', ping(3, [{ state: 'alive', addr: 'b', inc: 1 }]), 12);
    expect(m.member('b')).toMatchObject({ state: 'alive', inc: 1 });
    m.handle('c', ping(4, [{ state: 'dead', addr: 'b', inc: 1 }, { state: 'dead', addr: 'b', inc: 1 }]), 13);
    m.handle('c', ping(5, [{ state: 'alive', addr: 'b', inc: 1 }, { state: 'suspect', addr: 'b', inc: 1 }]), 14);
    expect(m.member('b')).toMatchObject({ state: 'dead', inc: 1 });
    expect(events(m).map((e) => e.type)).toEqual(['member-suspect', 'member-alive', 'member-dead']);
    m.handle('c', ping(6, [{ state: 'suspect', addr: 'z', inc: 0 }]), 15);
    expect(m.member('z')).toBeUndefined();
  });
});

describe('membership refutation', () => {
  for (const state of ['suspect', 'dead'] as const) {
    it(`a member told it is ${state} says alive with a higher incarnation`, () => {
      const m = knowing('a', ['b']);
      m.handle('b', ping(7, [{ state, addr: 'a', inc: 0 }]), 5);
      expect(m.incarnation).toBe(1);
      expect(events(m)).toEqual([{ type: 'member-refuted', level: 'info', about: state, inc: 1 }]);
      const [ack] = drain(m);
      expect(ack).toEqual({ to: 'b', msg: { type: 'ack', seq: 7, updates: expect.arrayContaining([{ state: 'alive', addr: 'a', inc: 1 }]) } });
      expect(ack!.msg.updates[0]).toEqual({ state: 'alive', addr: 'a', inc: 1 }); // newest first
      // A stale rumour about an older incarnation is not refuted again.
      m.handle('b', ping(8, [{ state, addr: 'a', inc: 0 }]), 6);
      expect(m.incarnation).toBe(1);
    });
  }
  it('a suspect that refutes is alive again everywhere it is heard', () => {
    const m = knowing('a', ['b']);
    m.handle('c', ping(1, [{ state: 'suspect', addr: 'b', inc: 0 }]), 0);
    m.handle('b', ping(2, [{ state: 'alive', addr: 'b', inc: 1 }]), 10);
    expect(m.member('b')).toMatchObject({ state: 'alive', inc: 1 });
    expect(events(m).map((e) => e.type)).toEqual(['member-suspect', 'member-alive']);
    // No suspicion left to run out: the next wake-up is the probe's.
    expect(m.nextTimeout()).toBeLessThan(MEMBER_PROBE_INTERVAL);
  });
});

describe('membership leave', () => {
  it('a member that leaves says so, and is not refuted by itself; others see it left', () => {
    const a = knowing('a', ['b']);
    a.leave();
    a.handle('b', ping(1), 0);
    const [ack] = drain(a);
    expect(ack!.msg.updates[0]).toEqual({ state: 'left', addr: 'a', inc: 0 });
    a.handle('b', ping(2, [{ state: 'left', addr: 'a', inc: 0 }]), 1);
    expect(events(a)).toEqual([]);
    const b = knowing('b', ['a']);
    b.handle('a', ack!.msg, 2);
    expect(b.member('a')?.state).toBe('left');
    expect(events(b)).toEqual([{ type: 'member-left', level: 'info', addr: 'a', inc: 0 }]);
    // A stale alive does not bring it back; one of a newer incarnation does.
    b.handle('c', ping(3, [{ state: 'alive', addr: 'a', inc: 0 }]), 3);
    expect(b.member('a')?.state).toBe('left');
    b.handle('a', ping(4, [{ state: 'alive', addr: 'a', inc: 1 }]), 4);
    expect(b.member('a')?.state).toBe('alive');
  });
  it('forgets dead members after a while', () => {
    const m = knowing('a', ['b', 'c']);
    m.handle('c', ping(1, [{ state: 'dead', addr: 'b', inc: 0 }]), 0);
    for (let i = 0; i < 10_000 && m.member('b'); i++) {
      const t = m.nextTimeout()!;
      m.handleTimeout(t);
      for (const s of drain(m)) m.handle(s.to, { type: 'ack', seq: s.msg.seq, updates: [] }, t);
    }
    expect(m.member('b')).toBeUndefined();
    expect(m.members().map((v) => v.addr)).toEqual(['c']);
  });
});

describe('membership probes', () => {
  it('pings one member per period and needs nothing more when acked', () => {
    const m = knowing('a', ['b', 'c', 'd']);
    const t0 = m.nextTimeout()!;
    expect(t0).toBeLessThan(MEMBER_PROBE_INTERVAL);
    m.handleTimeout(t0);
    const [p] = drain(m);
    expect(p!.msg.type).toBe('ping');
    m.handle(p!.to, { type: 'ack', seq: p!.msg.seq, updates: [] }, t0 + 5);
    expect(m.nextTimeout()).toBe(t0 + MEMBER_PROBE_INTERVAL);
    m.handleTimeout(t0 + MEMBER_PROBE_INTERVAL);
    expect(events(m)).toEqual([]);
    const [q] = drain(m);
    expect(q!.msg.type).toBe('ping');
    expect(q!.to).not.toBe(p!.to);
  });
  it('probes every member once a round, in an order shuffled each round', () => {
    const others = ['b', 'c', 'd', 'e', 'f'];
    const m = knowing('a', others);
    const rounds: string[][] = [];
    for (let r = 0; r < 4; r++) {
      const round: string[] = [];
      for (let i = 0; i < others.length; i++) {
        const t = m.nextTimeout()!;
        m.handleTimeout(t);
        const p = drain(m).find((s) => s.msg.type === 'ping')!;
        round.push(p.to);
        m.handle(p.to, { type: 'ack', seq: p.msg.seq, updates: [] }, t + 1);
      }
      rounds.push(round);
      expect([...round].sort()).toEqual(others);
    }
    expect(new Set(rounds.map((r) => r.join())).size).toBeGreaterThan(1);
  });
  it('without an ack asks k others to probe and pings the target again; a relayed ack clears the target', () => {
    const m = knowing('a', ['b', 'c', 'd', 'e', 'f']);
    const t0 = m.nextTimeout()!;
    m.handleTimeout(t0);
    const [p] = drain(m);
    expect(m.nextTimeout()).toBe(t0 + MEMBER_PROBE_TIMEOUT);
    m.handleTimeout(t0 + MEMBER_PROBE_TIMEOUT);
    const sent = drain(m);
    expect(sent.filter((s) => s.msg.type === 'ping'), 'the same ping again, to the target').toEqual([{ to: p!.to, msg: expect.objectContaining({ type: 'ping', seq: p!.msg.seq }) }]);
    const reqs = sent.filter((s) => s.msg.type === 'ping-req');
    expect(reqs).toHaveLength(MEMBER_INDIRECT_PROBES);
    for (const r of reqs) {
      expect(r.msg).toMatchObject({ type: 'ping-req', seq: p!.msg.seq, target: p!.to });
      expect(r.to).not.toBe(p!.to);
    }
    m.handle(reqs[1]!.to, { type: 'ack', seq: p!.msg.seq, updates: [] }, t0 + 120);
    m.handleTimeout(t0 + MEMBER_PROBE_INTERVAL);
    expect(events(m)).toEqual([]);
    expect(m.member(p!.to)?.state).toBe('alive');
  });
  it('with a second indirect round (the servers\' view), tries once more through other members a probe timeout later; masters do not', () => {
    const others = ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm'];
    const run = (secondIndirect: boolean, answer: boolean) => {
      const m = new Membership('a', new Rng(3), { gossipInterval: 0, secondIndirect });
      m.handle('b', ping(1, others.map((addr) => ({ state: 'alive' as const, addr, inc: 0 }))), 0);
      drain(m);
      events(m);
      const t0 = m.nextTimeout()!;
      m.handleTimeout(t0);
      const [p] = drain(m);
      m.handleTimeout(t0 + MEMBER_PROBE_TIMEOUT);
      const first = drain(m).filter((s) => s.msg.type === 'ping-req').map((s) => s.to);
      expect(m.nextTimeout()).toBe(secondIndirect ? t0 + 2 * MEMBER_PROBE_TIMEOUT : t0 + MEMBER_PROBE_INTERVAL);
      m.handleTimeout(t0 + 2 * MEMBER_PROBE_TIMEOUT);
      const again = drain(m);
      if (answer) {
        const via = again.find((s) => s.msg.type === 'ping-req')!;
        m.handle(via.to, { type: 'ack', seq: p!.msg.seq, updates: [] }, t0 + 2 * MEMBER_PROBE_TIMEOUT + 5);
      }
      m.handleTimeout(t0 + MEMBER_PROBE_INTERVAL);
      return { target: p!.to, first, again, state: m.member(p!.to)?.state };
    };
    const two = run(true, false);
    expect(two.again.filter((s) => s.msg.type === 'ping').map((s) => s.to), 'the target pinged once more').toEqual([two.target]);
    const second = two.again.filter((s) => s.msg.type === 'ping-req');
    expect(second).toHaveLength(MEMBER_INDIRECT_PROBES);
    for (const r of second) {
      expect(r.msg).toMatchObject({ target: two.target });
      expect([two.target, ...two.first], 'other members than the first round').not.toContain(r.to);
    }
    expect(two.state, 'no ack from either round: suspect at the end of the period').toBe('suspect');
    expect(run(true, true).state, 'an ack relayed from the second round clears the target').toBe('alive');
    const one = run(false, false);
    expect(one.again, 'masters: one round').toEqual([]);
    expect(one.state).toBe('suspect');
  });
  it('relays a ping-req: pings the target and forwards its ack with the asker’s sequence number', () => {
    const b = knowing('b', ['a', 'c']);
    b.handle('a', { type: 'ping-req', seq: 42, target: 'c', updates: [] }, 100);
    const [relayPing] = drain(b);
    expect(relayPing).toMatchObject({ to: 'c', msg: { type: 'ping' } });
    expect(b.tables()['probe relays']!.size).toBe(1);
    b.handle('c', { type: 'ack', seq: relayPing!.msg.seq, updates: [] }, 110);
    expect(drain(b)).toMatchObject([{ to: 'a', msg: { type: 'ack', seq: 42 } }]);
    expect(b.tables()['probe relays']!.size).toBe(0);
  });
  it('a suspicion nobody confirms lasts the longest; one confirmation shortens it to the suspicion timeout (Lifeguard)', () => {
    const others = ['b', 'c', 'd', 'e'];
    const n = others.length + 1;
    expect(suspicionConfirmations(n)).toBe(MEMBER_SUSPICION_MULT - 2);
    const lone = knowing('a', others);
    lone.handle('c', ping(1, [{ state: 'suspect', addr: 'b', inc: 0, from: 'c' }]), 1_000);
    expect(lone.nextTimeout()).toBeLessThan(1_000); // its own probe comes first
    const deadlineOf = (m: Membership) => {
      for (let i = 0; i < 1_000; i++) {
        const t = m.nextTimeout()!;
        m.handleTimeout(t);
        for (const s of drain(m)) if (s.to !== 'b') m.handle(s.to, { type: 'ack', seq: s.msg.seq, updates: [] }, t);
        if (m.member('b')?.state === 'dead') return t;
      }
      return undefined;
    };
    const confirmed = knowing('a', others);
    confirmed.handle('c', ping(1, [{ state: 'suspect', addr: 'b', inc: 0, from: 'c' }]), 1_000);
    confirmed.handle('d', ping(2, [{ state: 'suspect', addr: 'b', inc: 0, from: 'd' }]), 1_000);
    expect(deadlineOf(confirmed)).toBe(1_000 + suspicionTimeout(n));
    // `a`'s own failed probe of b would confirm it too: answer b's pings here, so that only c suspects.
    for (let i = 0; i < 1_000; i++) {
      const t = lone.nextTimeout()!;
      lone.handleTimeout(t);
      for (const s of drain(lone)) lone.handle(s.to, { type: 'ack', seq: s.msg.seq, updates: [] }, t);
      if (lone.member('b')?.state === 'dead') {
        expect(t).toBeCloseTo(1_000 + MEMBER_SUSPICION_MAX_MULT * suspicionTimeout(n), 6);
        break;
      }
    }
    expect(lone.member('b')?.state).toBe('dead');
  });

  it('a member with no ack at all by the end of the period is suspect, then dead', () => {
    const m = knowing('a', ['b', 'c', 'd']);
    const t0 = m.nextTimeout()!;
    m.handleTimeout(t0);
    const [p] = drain(m);
    m.handleTimeout(t0 + MEMBER_PROBE_TIMEOUT);
    drain(m);
    const end = t0 + MEMBER_PROBE_INTERVAL;
    m.handleTimeout(end);
    expect(events(m)).toEqual([{ type: 'member-suspect', level: 'warn', addr: p!.to, inc: 0 }]);
    expect(m.localHealth).toBe(1);
    // The suspicion rides on the next ping.
    const next = drain(m).find((s) => s.msg.type === 'ping')!;
    expect(next.msg.updates).toContainEqual({ state: 'suspect', addr: p!.to, inc: 0, from: 'a' });
    const deadline = end + MEMBER_SUSPICION_MAX_MULT * suspicionTimeout(4);
    expect(m.member(p!.to)?.state).toBe('suspect');
    for (let i = 0; i < 1_000; i++) {
      const t = m.nextTimeout()!;
      if (t > deadline) break;
      m.handleTimeout(t);
      for (const s of drain(m)) if (s.to !== p!.to) m.handle(s.to, { type: 'ack', seq: s.msg.seq, updates: [] }, t + 1);
    }
    expect(m.member(p!.to)?.state).toBe('dead');
    expect(events(m)).toContainEqual({ type: 'member-dead', level: 'warn', addr: p!.to, inc: 0 });
  });
});

describe('membership dissemination', () => {
  it('piggybacks each update a bounded number of times, at most a bounded number per message', () => {
    const others = Array.from({ length: 20 }, (_, i) => `m${i}`);
    const m = new Membership('a', new Rng(1));
    const limit = retransmitLimit(21);
    m.handle('m0', ping(0, others.map((addr) => ({ state: 'alive' as const, addr, inc: 0 }))), 0);
    const counts = new Map<string, number>();
    for (let i = 0; i < 200; i++) {
      m.handle('m0', ping(i), i);
      for (const s of drain(m)) {
        expect(s.msg.updates.length).toBeLessThanOrEqual(MEMBER_UPDATES_PER_MESSAGE);
        for (const u of s.msg.updates) counts.set(u.addr, (counts.get(u.addr) ?? 0) + 1);
      }
    }
    expect(counts.size).toBe(21);
    for (const c of counts.values()) expect(c).toBe(limit);
    expect(m.tables()['member updates']!.size).toBe(0);
  });
  it('gossips what it has to tell every MEMBER_GOSSIP_INTERVAL to MEMBER_GOSSIP_NODES live members, suspects included, and stops when nothing is left', () => {
    const others = ['b', 'c', 'd', 'e', 'f'];
    const m = knowing('a', others, 4, MEMBER_GOSSIP_INTERVAL);
    // c is suspect: it is among those gossiped to, as the one member that can refute it.
    m.handle('b', ping(2, [{ state: 'suspect', addr: 'c', inc: 0, from: 'b' }]), 1);
    drain(m);
    const rounds: MemberSend[][] = [];
    for (let t = 0; t < 40 && m.nextTimeout() !== undefined; t++) {
      const at = m.nextTimeout()!;
      m.handleTimeout(at);
      const gossip = drain(m).filter((x) => x.msg.type === 'gossip');
      if (gossip.length > 0) rounds.push(gossip);
    }
    expect(rounds.length).toBeGreaterThan(2);
    for (const r of rounds) {
      expect(r.length).toBeLessThanOrEqual(MEMBER_GOSSIP_NODES);
      expect(new Set(r.map((x) => x.to)).size).toBe(r.length);
      for (const x of r) expect(x.msg.updates.length).toBeGreaterThan(0);
    }
    expect(rounds.flat().some((x) => x.to === 'c')).toBe(true);
    // Once every update went out its retransmit limit, the rounds send nothing.
    for (let i = 0; i < 200; i++) {
      const at = m.nextTimeout();
      if (at === undefined) break;
      m.handleTimeout(at);
      drain(m);
    }
    const late = m.nextTimeout()!;
    m.handleTimeout(late);
    expect(drain(m).filter((x) => x.msg.type === 'gossip')).toEqual([]);
  });
  it('keeps its tables within their bounds', () => {
    const m = new Membership('a', new Rng(3));
    for (let i = 0; i < 500; i++) m.handle(`x${i}`, ping(i, [{ state: 'alive', addr: `x${i}`, inc: 0 }]), i);
    const known = m.members().map((x) => x.addr);
    for (let i = 0; i < 500; i++) m.handle(`x${i}`, { type: 'ping-req', seq: i, target: known[i % known.length]!, updates: [] }, 500);
    for (const t of Object.values(m.tables())) expect(t.size).toBeLessThanOrEqual(t.limit);
    expect(m.tables()['probe relays']!.size, 'the relays filled up to their bound').toBe(m.tables()['probe relays']!.limit);
  });

  it('probes for another only a member it holds live, and answers a sync only at the address the sync names as its sender (§9.4)', () => {
    const m = new Membership('a', new Rng(4), { syncInterval: 1_000, maxBuckets: 128 });
    m.handle('b', ping(1, [{ state: 'alive', addr: 'b', inc: 0 }, { state: 'alive', addr: 'c', inc: 0 }]), 0);
    drain(m);
    m.handle('b', { type: 'ping-req', seq: 9, target: '203.0.113.9:53', updates: [] }, 10);
    expect(drain(m), 'no ping to an address outside the group').toEqual([]);
    // In an authenticated view (the servers', §13.4), a member it has not heard of yet is probed for another:
    // a large view that forms has many; one it holds dead is not.
    const v = new Membership('a', new Rng(4), { relayUnknown: true });
    v.handle('b', ping(1, [{ state: 'alive', addr: 'b', inc: 0 }, { state: 'alive', addr: 'd', inc: 0 }]), 0);
    v.handle('b', ping(2, [{ state: 'dead', addr: 'd', inc: 0 }]), 1);
    expect(v.member('d')?.state).toBe('dead');
    drain(v);
    v.handle('b', { type: 'ping-req', seq: 9, target: 'e', updates: [] }, 10);
    expect(drain(v).map((x) => [x.to, x.msg.type])).toEqual([['e', 'ping']]);
    v.handle('b', { type: 'ping-req', seq: 10, target: 'd', updates: [] }, 20);
    expect(drain(v)).toEqual([]);
    // A sync (a join, or a digest) replayed from another source than the member it names draws nothing.
    m.handle('203.0.113.9:53', { type: 'sync', seq: 0, updates: [{ state: 'alive', addr: 'b', inc: 0 }] }, 20);
    m.handle('203.0.113.9:53', { type: 'sync', seq: 7, updates: [{ state: 'alive', addr: 'b', inc: 0 }], digest: new Uint8Array(4) }, 20);
    expect(drain(m)).toEqual([]);
    // From the member itself, both are answered.
    m.handle('b', { type: 'sync', seq: 0, updates: [{ state: 'alive', addr: 'b', inc: 0 }] }, 30);
    m.handle('b', { type: 'sync', seq: 7, updates: [{ state: 'alive', addr: 'b', inc: 0 }], digest: new Uint8Array(4) }, 30);
    expect(drain(m).map((x) => [x.to, x.msg.type])).toEqual([['b', 'sync-ack'], ['b', 'sync-ack']]);
  });
});

// --- A deterministic network of members -------------------------------------------------------

interface Entry {
  readonly at: number;
  readonly n: number;
  readonly to: number;
  readonly from?: number;
  readonly msg?: MemberMessage;
}

/** A binary min-heap on (at, insertion order), so that runs are reproducible. */
class Heap {
  private items: Entry[] = [];
  get length(): number {
    return this.items.length;
  }
  push(e: Entry): void {
    const a = this.items;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): Entry | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && less(a[l]!, a[m]!)) m = l;
        if (r < a.length && less(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

function less(a: Entry, b: Entry): boolean {
  return a.at !== b.at ? a.at < b.at : a.n < b.n;
}

interface NetOptions {
  readonly members: number;
  readonly seed: number;
  readonly until: number;
  /** Loss outside bursts and in them; per link, the mean gap between bursts and their mean length (ms). */
  readonly loss?: { readonly base: number; readonly burst: number; readonly gap: number; readonly length: number };
  /** Member `who` stops answering at `at`. */
  readonly kill?: { readonly who: number; readonly at: number };
}

interface NetResult {
  /** Per member, when it declared each other member dead. */
  readonly deadAt: Map<string, number>[];
  readonly falseDeaths: number;
  readonly suspicions: number;
  readonly refutations: number;
  readonly sent: number;
  readonly lost: number;
  readonly members: Membership[];
}

/** N members joining through the first, over links with 1–10 ms latency and Gilbert–Elliott loss bursts. */
function runNet(o: NetOptions): NetResult {
  const rng = new Rng(o.seed);
  const addr = (i: number) => `m${i}`;
  const members = Array.from({ length: o.members }, (_, i) => new Membership(addr(i), rng.fork()));
  const index = new Map(members.map((m, i) => [m.self, i]));
  const armed: (number | undefined)[] = members.map(() => undefined);
  // Per directed link, the current or next loss burst: bursts start after exponential gaps.
  const burstFrom = new Float64Array(o.members * o.members).fill(-1);
  const burstTo = new Float64Array(o.members * o.members).fill(-1);
  const bursting = (link: number, now: number): boolean => {
    const l = o.loss!;
    for (let i = 0; i < 1000 && burstTo[link]! < now; i++) {
      burstFrom[link] = Math.max(burstTo[link]!, 0) - l.gap * Math.log(1 - rng.float());
      burstTo[link] = burstFrom[link]! + l.length * (0.5 + rng.float());
    }
    return burstFrom[link]! <= now;
  };
  const deadAt = members.map(() => new Map<string, number>());
  const heap = new Heap();
  const r = { falseDeaths: 0, suspicions: 0, refutations: 0, sent: 0, lost: 0 };
  let n = 0;
  const dead = (i: number, now: number) => o.kill !== undefined && o.kill.who === i && now >= o.kill.at;
  const after = (i: number, now: number) => {
    const m = members[i]!;
    for (let s = m.pollSend(); s; s = m.pollSend()) {
      const to = index.get(s.to)!;
      r.sent++;
      const link = i * o.members + to;
      const lost = o.loss !== undefined && rng.float() < (bursting(link, now) ? o.loss.burst : o.loss.base);
      if (lost) r.lost++;
      else heap.push({ at: now + 1 + rng.below(10), n: n++, to, from: i, msg: s.msg });
    }
    for (let e = m.pollEvent(); e; e = m.pollEvent()) {
      if (e.type === 'member-suspect') r.suspicions++;
      if (e.type === 'member-refuted') r.refutations++;
      if (e.type === 'member-dead') {
        if (!deadAt[i]!.has(e.addr)) deadAt[i]!.set(e.addr, now);
        if (!dead(index.get(e.addr)!, now)) r.falseDeaths++;
      }
    }
    const t = m.nextTimeout();
    if (t !== armed[i]) {
      armed[i] = t;
      if (t !== undefined) heap.push({ at: Math.max(t, now), n: n++, to: i });
    }
  };
  members.forEach((m, i) => {
    const at = rng.below(100);
    heap.push({ at, n: n++, to: i, from: -1 });
  });
  for (let steps = 0; heap.length > 0 && steps < 5_000_000; steps++) {
    const e = heap.pop()!;
    if (e.at > o.until) break;
    const m = members[e.to]!;
    if (dead(e.to, e.at)) continue;
    if (e.from === -1) m.join(e.to === 0 ? [] : [addr(0)], e.at);
    else if (e.msg) m.handle(addr(e.from!), e.msg, e.at);
    else if (armed[e.to] !== e.at) continue; // superseded
    else { armed[e.to] = undefined; m.handleTimeout(e.at); }
    after(e.to, e.at);
  }
  return { deadAt, members, ...r };
}

describe('membership over a simulated network', () => {
  for (const size of [5, 20]) {
    it(`${size} members: all join through one, and a killed member is declared dead by every other within 2 s`, () => {
      let worst = 0;
      const seeds = 10;
      for (let seed = 1; seed <= seeds; seed++) {
        const killAt = 5_000 + seed * 37;
        const who = 1 + (seed % (size - 1));
        const r = runNet({ members: size, seed, until: killAt + 4_000, kill: { who, at: killAt } });
        expect(r.falseDeaths).toBe(0);
        for (let i = 0; i < size; i++) {
          if (i === who) continue;
          const at = r.deadAt[i]!.get(`m${who}`);
          expect(at, `m${i} declares m${who} dead (seed ${seed})`).toBeDefined();
          worst = Math.max(worst, at! - killAt);
          // Everyone else it knows, alive.
          const alive = r.members[i]!.members().filter((v) => v.state === 'alive').length;
          expect(alive).toBe(size - 2);
        }
      }
      console.log(`membership: ${size} members, ${seeds} seeds: worst detection ${Math.round(worst)} ms`);
      expect(worst).toBeLessThan(2_000);
    });
  }

  for (const [size, seeds] of [[5, 50], [20, 50]] as const) {
    it(`${size} members, 10% loss with bursts, ${seeds} seeds × 30 s: no live member is ever declared dead`, () => {
      let suspicions = 0;
      let refutations = 0;
      let sent = 0;
      let lost = 0;
      for (let seed = 1; seed <= seeds; seed++) {
        const r = runNet({ members: size, seed: 1000 + seed, until: 30_000, loss: { base: 0.06, burst: 0.5, gap: 2_500, length: 250 } });
        expect(r.falseDeaths, `seed ${1000 + seed}`).toBe(0);
        suspicions += r.suspicions;
        refutations += r.refutations;
        sent += r.sent;
        lost += r.lost;
      }
      console.log(`membership: ${size} members, ${seeds} seeds × 30 s: loss ${((100 * lost) / sent).toFixed(1)}% of ${sent} messages, ${suspicions} suspicions, ${refutations} refutations, 0 false deaths`);
    });
  }
});

describe('what members say of themselves (§13): data, refreshes and anti-entropy', () => {
  const entry = (n: number, st: 'up' | 'overloaded' | 'draining' = 'up') => ({ st, n, g: 'edge', bw: 1_000_000 * (10 - n) });

  it('a newer (incarnation, version) of a member\'s data wins, whatever its liveness; an older one is ignored', () => {
    const m = knowing('a', ['b']);
    const d = (v: number, n: number) => ({ v, ...entry(n) });
    m.handle('c', ping(1, [{ state: 'alive', addr: 'b', inc: 0, data: d(2, 2) }]), 10);
    expect(m.member('b')!.data).toEqual(d(2, 2));
    m.handle('c', ping(2, [{ state: 'alive', addr: 'b', inc: 0, data: d(1, 7) }]), 11);
    expect(m.member('b')!.data!.n, 'an older version').toBe(2);
    // Suspect at incarnation 0: a newer version of its data still counts, and leaves it suspect.
    m.handle('c', ping(3, [{ state: 'suspect', addr: 'b', inc: 0, from: 'c' }]), 12);
    m.handle('c', ping(4, [{ state: 'alive', addr: 'b', inc: 0, data: d(3, 4) }]), 13);
    expect(m.member('b')).toMatchObject({ state: 'suspect', data: d(3, 4) });
    // A refutation (a newer incarnation) wins with any version: the member restarted its count.
    m.handle('c', ping(5, [{ state: 'alive', addr: 'b', inc: 1, data: d(1, 0) }]), 14);
    expect(m.member('b')).toMatchObject({ state: 'alive', inc: 1, data: d(1, 0) });
    // A newcomer brings its data along; one that is not simply up is news of a status too.
    m.handle('c', ping(6, [{ state: 'alive', addr: 'z', inc: 4, data: d(9, 1) }]), 15);
    expect(m.member('z')!.data).toEqual(d(9, 1));
    events(m);
    m.handle('c', ping(7, [{ state: 'alive', addr: 'y', inc: 4, data: { v: 2, ...entry(1, 'draining') } }]), 16);
    expect(events(m).filter((e) => e.type === 'member-status')).toEqual([{ type: 'member-status', level: 'debug', addr: 'y', st: 'draining', v: 2 }]);
  });

  it('a refresh rides on what goes anyway, dataRetransmits times, and starts no round of gossip; an urgent change does', () => {
    const m = new Membership('a', new Rng(4), { gossipInterval: 200, dataRetransmits: 2 });
    m.handle('b', ping(1, ['b', 'c', 'd', 'e'].map((addr) => ({ state: 'alive' as const, addr, inc: 0 }))), 0);
    drain(m);
    events(m);
    /** The others answer every ping at once: they stay alive. */
    const run = (from: number, to: number, each: (s: MemberSend) => void = () => {}) => {
      for (let t = from; t <= to; t += 50) {
        m.handleTimeout(t);
        for (const s of drain(m)) {
          each(s);
          if (s.msg.type === 'ping') m.handle(s.to, { type: 'ack', seq: s.msg.seq, updates: [] }, t);
        }
        drain(m);
      }
    };
    // Long after the joiners' updates went their last time (retransmit limit): nothing urgent is left.
    run(0, 20_000);
    m.setData(entry(3), false);
    let gossip = 0;
    let carried = 0;
    run(20_050, 22_000, (s) => {
      if (s.msg.type === 'gossip') gossip++;
      if (s.msg.updates.some((u) => u.addr === 'a' && u.data?.n === 3)) carried++;
    });
    expect(gossip, 'a refresh starts no gossip').toBe(0);
    expect(carried, 'carried by two probes, then no more').toBe(2);
    m.setData(entry(3, 'draining'), true);
    run(22_050, 22_400, (s) => {
      if (s.msg.type === 'gossip') gossip++;
    });
    expect(gossip, 'a change of status goes out in rounds of gossip').toBeGreaterThan(0);
    expect(m.ownData).toMatchObject({ v: 2, st: 'draining' });
  });

  it('a refutation heard by a member that never held the suspicion is passed on as a refresh (quietRefutations); over a suspect it spreads at full strength, and between masters always', () => {
    /** `a`, knowing b..e alive, hears `news` at 20 s, long after the joins went out: the gossip that follows, and how often b's alive at incarnation 1 goes out. */
    const after = (opts: Partial<MembershipOptions>, news: MemberMessage['updates']) => {
      const m = new Membership('a', new Rng(5), { gossipInterval: 200, dataRetransmits: 3, ...opts });
      m.handle('b', ping(1, ['b', 'c', 'd', 'e'].map((addr) => ({ state: 'alive' as const, addr, inc: 0, data: { v: 1, ...entry(1) } }))), 0);
      drain(m);
      let gossip = 0;
      let carried = 0;
      const run = (from: number, to: number) => {
        for (let t = from; t <= to; t += 50) {
          m.handleTimeout(t);
          for (const s of drain(m)) {
            if (t >= 20_000 && s.msg.type === 'gossip') gossip++;
            if (s.msg.updates.some((u) => u.addr === 'b' && u.state === 'alive' && u.inc === 1)) carried++;
            if (s.msg.type === 'ping') m.handle(s.to, { type: 'ack', seq: s.msg.seq, updates: [] }, t);
          }
          drain(m);
        }
      };
      run(0, 19_950);
      m.handle('c', { type: 'gossip', seq: 0, updates: news }, 20_000);
      run(20_000, 40_000);
      return { gossip, carried, b: m.member('b')! };
    };
    const refuted = { state: 'alive' as const, addr: 'b', inc: 1, data: { v: 1, ...entry(1) } };
    const quiet = after({ quietRefutations: true }, [refuted]);
    expect(quiet.b).toMatchObject({ state: 'alive', inc: 1 });
    expect(quiet.gossip, 'alive before and after: no round of gossip').toBe(0);
    expect(quiet.carried, 'passed on dataRetransmits times, on probes').toBe(3);
    // Where the suspicion had come, the refutation changes what the member holds: gossiped at once, as often as liveness.
    const overSuspect = after({ quietRefutations: true }, [{ state: 'suspect', addr: 'b', inc: 0, from: 'c' }, refuted]);
    expect(overSuspect.b).toMatchObject({ state: 'alive', inc: 1 });
    expect(overSuspect.gossip).toBeGreaterThan(0);
    expect(overSuspect.carried).toBe(retransmitLimit(5));
    // A suspicion heard after its refutation has outrun it: the refutation follows it at full strength.
    const outrun = after({ quietRefutations: true }, [refuted, { state: 'suspect', addr: 'b', inc: 0, from: 'c' }]);
    expect(outrun.b).toMatchObject({ state: 'alive', inc: 1 });
    expect(outrun.gossip).toBeGreaterThan(0);
    expect(outrun.carried).toBe(retransmitLimit(5));
    // Heard twice: sent on at full strength once.
    const again = after({ quietRefutations: true }, [refuted, { state: 'suspect', addr: 'b', inc: 0, from: 'c' }, { state: 'suspect', addr: 'b', inc: 0, from: 'd' }]);
    expect(again.carried).toBe(retransmitLimit(5));
    // Masters' groups (no quietRefutations): any newer incarnation goes out as often as liveness.
    const masters = after({}, [refuted]);
    expect(masters.gossip).toBeGreaterThan(0);
    expect(masters.carried).toBe(retransmitLimit(5));
  });

  describe('anti-entropy by digest (§13.3)', () => {
    const SYNC = { gossipInterval: 0, syncInterval: 1_000, syncPage: 14, bucketFill: 8, maxBuckets: 128, maxPushPages: 2, quietArrivals: true } as const;
    const alive = (addr: string, n = 1, st: 'up' | 'draining' = 'up') => ({ state: 'alive' as const, addr, inc: 0, data: { v: 1, ...entry(n, st) } });
    /** A member that knows `others` (alive, with entries), and nothing queued. */
    function viewOf(self: string, others: readonly string[], seed: number, opts: Partial<MembershipOptions> = {}): Membership {
      const m = new Membership(self, new Rng(seed), { ...SYNC, ...opts });
      m.setData(entry(0), false);
      for (let i = 0; i < others.length; i += 10) m.handle('seed', { type: 'gossip', seq: 0, updates: others.slice(i, i + 10).map((a) => alive(a)) }, 0);
      drain(m);
      events(m);
      return m;
    }
    /** `m`'s next sync, once its timer is due (its probes answered meanwhile). */
    function nextSync(m: Membership, from: number, to?: string): { to: string; msg: Extract<MemberMessage, { type: 'sync' }>; at: number } {
      for (let t = from; t < from + 600_000; t += 50) {
        m.handleTimeout(t);
        const sent = drain(m);
        const s = sent.find((x) => x.msg.type === 'sync' && (to === undefined || x.to === to));
        if (s) return { ...(s as { to: string; msg: Extract<MemberMessage, { type: 'sync' }> }), at: t };
        for (const p of sent) if (p.msg.type === 'ping') m.handle(p.to, { type: 'ack', seq: p.msg.seq, updates: [] }, t);
        drain(m);
      }
      throw new Error('no sync');
    }
    const known = (m: Membership) => new Set(m.members().filter((x) => x.state !== 'left').map((x) => x.addr));

    it('every syncInterval, the digest of its view and its own entry go to one member; a member whose view agrees answers nothing', () => {
      const all = Array.from({ length: 30 }, (_, i) => `s${i}`);
      const a = viewOf('s0', all.slice(1), 1);
      const b = viewOf('s1', all.filter((x) => x !== 's1'), 2);
      const sync = nextSync(a, 0);
      expect(sync.msg.updates).toEqual([expect.objectContaining({ addr: 's0', state: 'alive', data: expect.objectContaining({ n: 0 }) })]);
      expect(sync.msg.digest!.length, '30 entries: 4 buckets of 4 bytes').toBe(16);
      b.handle('s0', sync.msg, 1_000);
      expect(drain(b), 'the views agree: nothing comes back').toEqual([]);
      // A refresh that one of them missed shows in the digest: the other sends the bucket that holds it.
      b.handle('s5', { type: 'gossip', seq: 0, updates: [{ ...alive('s5', 9), data: { v: 2, ...entry(9) } }] }, 1_100);
      drain(b);
      b.handle('s0', { ...sync.msg, seq: 99 }, 1_200);
      const [ack] = drain(b);
      expect(ack!.msg.type).toBe('sync-ack');
      expect(ack!.msg.updates.find((u) => u.addr === 's5')?.data).toMatchObject({ v: 2, n: 9 });
    });

    it('where the views differ, the peer sends its entries of those buckets and the asker pushes back what it lacks: both end with the same view', () => {
      const common = Array.from({ length: 40 }, (_, i) => `c${i}`);
      const onlyA = ['a1', 'a2', 'a3'];
      const onlyB = ['b1', 'b2', 'b3', 'b4'];
      const a = viewOf('A', [...common, ...onlyA, 'B'], 3);
      const b = viewOf('B', [...common, ...onlyB, 'A'], 4);
      let t = 0;
      for (let round = 0; round < 10; round++) {
        const sync = nextSync(a, t, 'B');
        t = sync.at + 10;
        b.handle('A', sync.msg, t);
        const acks = drain(b).filter((s) => s.to === 'A');
        if (acks.length === 0) break;
        for (const ack of acks) {
          expect(ack.msg).toMatchObject({ type: 'sync-ack', seq: sync.msg.seq });
          expect(ack.msg.updates.length).toBeLessThanOrEqual(SYNC.syncPage);
          a.handle('B', ack.msg, t);
        }
        for (const push of drain(a).filter((s) => s.to === 'B')) {
          expect(push.msg.type).toBe('gossip');
          b.handle('A', push.msg, t);
        }
        drain(b);
      }
      expect(known(a)).toEqual(new Set([...common, ...onlyA, ...onlyB, 'B']));
      expect(known(b)).toEqual(new Set([...common, ...onlyA, ...onlyB, 'A']));
      // Agreed now: the next digest draws nothing.
      b.handle('A', nextSync(a, t, 'B').msg, t + 1_000);
      expect(drain(b)).toEqual([]);
    });

    it('a newer entry learnt from a sync-ack repairs this view and is not passed on; the same from gossip is, as a refresh', () => {
      const others = Array.from({ length: 12 }, (_, i) => `p${i}`);
      const newer = { state: 'alive' as const, addr: 'p3', inc: 0, data: { v: 2, ...entry(7) } };
      /** How often `A`'s messages carry p3's newer entry over the next 10 s, once it heard it in `msg`. */
      const passedOn = (msg: MemberMessage) => {
        const a = viewOf('A', [...others, 'B'], 15, { dataRetransmits: 3 });
        a.handle('B', msg, 10);
        expect(a.member('p3')!.data).toMatchObject({ v: 2, n: 7 });
        let carried = 0;
        for (let t = 20; t < 10_000; t += 50) {
          a.handleTimeout(t);
          for (const s of drain(a)) {
            if (s.msg.updates.some((u) => u.addr === 'p3' && u.data?.v === 2)) carried++;
            if (s.msg.type === 'ping') a.handle(s.to, { type: 'ack', seq: s.msg.seq, updates: [] }, t);
          }
          drain(a);
        }
        return carried;
      };
      expect(passedOn({ type: 'sync-ack', seq: 77, updates: [alive('B'), newer], buckets: [] }), 'a repair').toBe(0);
      expect(passedOn({ type: 'gossip', seq: 0, updates: [newer] }), 'a refresh').toBe(3);
    });

    it('a status the peer has not heard is found, and so is a death', () => {
      const others = Array.from({ length: 12 }, (_, i) => `p${i}`);
      const a = viewOf('A', [...others, 'B'], 5);
      const b = viewOf('B', [...others, 'A'], 6);
      a.handle('p3', { type: 'gossip', seq: 0, updates: [{ state: 'alive', addr: 'p3', inc: 0, data: { v: 2, ...entry(1, 'draining') } }, { state: 'dead', addr: 'p7', inc: 0 }] }, 10);
      drain(a);
      const sync = nextSync(a, 20, 'B');
      b.handle('A', sync.msg, 2_000);
      for (const ack of drain(b).filter((s) => s.to === 'A')) a.handle('B', ack.msg, 2_000);
      for (const push of drain(a).filter((s) => s.to === 'B')) b.handle('A', push.msg, 2_000);
      expect(b.member('p3')!.data!.st).toBe('draining');
      expect(b.member('p7')!.state).toBe('dead');
    });

    it('a bucket larger than a page goes in part and is not named, so nothing is pushed back for it', () => {
      const a = viewOf('A', ['B'], 7, { syncPage: 3, maxBuckets: 1 });
      const b = viewOf('B', ['A', 'x1', 'x2', 'x3', 'x4', 'x5'], 8, { syncPage: 3, maxBuckets: 1 });
      const sync = nextSync(a, 0);
      b.handle('A', sync.msg, 1_000);
      const [ack] = drain(b);
      expect(ack!.msg).toMatchObject({ type: 'sync-ack', buckets: [] });
      expect(ack!.msg.updates).toHaveLength(3);
      a.handle('B', ack!.msg, 1_000);
      expect(drain(a).filter((s) => s.to === 'B' && s.msg.type === 'gossip')).toEqual([]);
    });

    it('views far apart (more than a quarter of the buckets differ, beyond a page): the answer says more, and the next sync comes four times sooner', () => {
      const many = Array.from({ length: 60 }, (_, i) => `m${i}`);
      const a = viewOf('A', ['B'], 11, { syncInterval: 4_000 });
      const b = viewOf('B', ['A', ...many], 12, { syncInterval: 4_000 });
      const sync = nextSync(a, 0);
      expect(sync.msg.digest!.length, 'A holds 2 entries: one bucket').toBe(4);
      // B cuts its view as A's digest does: one bucket, which differs and holds more than a page.
      b.handle('A', sync.msg, sync.at + 10);
      const [ack] = drain(b);
      expect(ack!.msg).toMatchObject({ type: 'sync-ack', more: true, buckets: [] });
      a.handle('B', ack!.msg, sync.at + 10);
      drain(a);
      // The next sync is due 4 s after the first; after `more`, 1 s after the answer (nextSync steps 50 ms).
      const next = nextSync(a, sync.at + 50);
      expect(next.at).toBeLessThanOrEqual(sync.at + 10 + 1_000 + 50);
      // Views that differ in one bucket of many, all of it in the page: no `more`.
      const c = viewOf('C', ['A', ...many.slice(0, 40)], 13);
      const d = viewOf('D', ['A', 'C', ...many.slice(0, 40)], 14);
      const s2 = nextSync(c, 0);
      d.handle('C', s2.msg, 1_000);
      const answers = drain(d);
      for (const x of answers) expect(x.msg.type === 'sync-ack' && x.msg.more).toBeFalsy();
    });

    it('a digest that is not a power of two of buckets, or too long, draws nothing; nor does a sync-ack that answers no sync of its own, or comes from another member', () => {
      const others = Array.from({ length: 10 }, (_, i) => `p${i}`);
      const a = viewOf('A', [...others, 'B'], 9);
      const b = viewOf('B', ['A'], 10);
      for (const digest of [new Uint8Array(3), new Uint8Array(12), new Uint8Array(4 * 256), new Uint8Array(0)]) {
        b.handle('A', { type: 'sync', seq: 5, updates: [], digest }, 100);
        expect(drain(b)).toEqual([]);
      }
      a.handle('B', { type: 'sync-ack', seq: 12345, updates: [], buckets: [0] }, 200);
      expect(drain(a)).toEqual([]);
      // The answer to its sync, but from another member than the one it went to: no push either.
      const sync = nextSync(a, 300);
      const other = sync.to === 'p0' ? 'p1' : 'p0';
      a.handle(other, { type: 'sync-ack', seq: sync.msg.seq, updates: [], buckets: [0] }, sync.at + 10);
      expect(drain(a).filter((x) => x.msg.type === 'gossip')).toEqual([]);
      a.handle(sync.to, { type: 'sync-ack', seq: sync.msg.seq, updates: [], buckets: [0] }, sync.at + 20);
      expect(drain(a).filter((x) => x.msg.type === 'gossip' && x.to === sync.to), 'from the member it went to: what it lacks goes back').toHaveLength(1);
    });
  });

  it('a join is a sync with seq 0, and draws the whole table back, a page per message', () => {
    const others = Array.from({ length: 14 }, (_, i) => `p${i}`);
    const m = new Membership('a', new Rng(8), { gossipInterval: 0, syncInterval: 2_000 });
    m.handle('p0', ping(1, others.map((addr) => ({ state: 'alive' as const, addr, inc: 0, data: { v: 1, ...entry(1) } }))), 0);
    drain(m);
    m.handle('new', { type: 'sync', seq: 0, updates: [{ state: 'alive', addr: 'new', inc: 9, data: { v: 1, ...entry(0) } }] }, 10);
    const pages = drain(m).filter((s) => s.to === 'new' && s.msg.type === 'sync-ack');
    expect(pages.length).toBe(Math.ceil((others.length + 2) / MEMBER_UPDATES_PER_MESSAGE));
    const told = new Set(pages.flatMap((s) => s.msg.updates.map((u) => u.addr)));
    expect(told).toEqual(new Set(['a', 'new', ...others]));
    // A sync with another seq and no digest draws nothing.
    m.handle('new', { type: 'sync', seq: 5, updates: [] }, 20);
    expect(drain(m).filter((s) => s.msg.type === 'sync-ack')).toHaveLength(0);
    // And a member that joins sends its seeds exactly that.
    const j = new Membership('j', new Rng(9), { syncInterval: 2_000 });
    j.join(['a', 'b'], 0);
    expect(drain(j).map((s) => [s.to, s.msg.type, s.msg.seq])).toEqual([['a', 'sync', 0], ['b', 'sync', 0]]);
  });

  it('starts at the incarnation it is given: a member that restarts wins over what the others hold of its last life', () => {
    const m = new Membership('a', new Rng(6), { firstIncarnation: 1_700 });
    expect(m.incarnation).toBe(1_700);
    m.setData(entry(0), false);
    m.join(['b'], 0);
    const [join] = drain(m).filter((s) => s.to === 'b');
    expect(join!.msg.updates.find((u) => u.addr === 'a')).toMatchObject({ state: 'alive', inc: 1_700, data: { v: 1 } });
  });
});

describe('reading a member datagram (§12.1)', () => {
  it('leaves out an update whose address is no host:port, and a ping-req whose target is none: nothing is ever sent there', () => {
    const said = fromWire({ type: 'member', k: 'ping', seq: 1, up: [{ s: 'alive', a: '', i: 0 }, { s: 'alive', a: 'nonsense', i: 0 }, { s: 'alive', a: '10.0.0.2:5000', i: 3 }, { s: 'alive', a: '[::1]:5000', i: 0 }] });
    expect(said?.updates.map((u) => u.addr)).toEqual(['10.0.0.2:5000', '[::1]:5000']);
    expect(fromWire({ type: 'member', k: 'ping-req', seq: 2, target: '', up: [] })).toBeUndefined();
    expect(fromWire({ type: 'member', k: 'ping-req', seq: 2, target: '10.0.0.3:5000', up: [] })).toMatchObject({ type: 'ping-req', target: '10.0.0.3:5000' });
    // A member fed what is read makes no member of an empty address, and sends it nothing.
    const m = new Membership('10.0.0.1:5000', new Rng(1), {});
    m.handle('10.0.0.2:5000', fromWire({ type: 'member', k: 'ping', seq: 1, up: [{ s: 'alive', a: '', i: 0 }] })!, 0);
    expect(m.member('')).toBeUndefined();
    expect(drain(m).filter((x) => x.to === '')).toEqual([]);
  });
});
