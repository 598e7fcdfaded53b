/**
 * The master's subscriptions and notices (§11.3, §11.4), driven datagram by
 * datagram against the pure Master core: proof of address, leases, room,
 * ending, resending from the ring, what each event carries, request counting,
 * the rate of notices, authentication and anti-amplification.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  COOKIE_LENGTH,
  MAX_DATAGRAM,
  MAX_SUBSCRIBERS,
  MISSED_POLLS_DOWN,
  NOTICE_BURST,
  NOTICE_COUNT_INTERVAL,
  NOTICE_EVENTS,
  NOTICE_INTERVAL,
  NOTICE_RING,
  SUBSCRIBE_LEASE,
  SUBSCRIBE_RENEW,
} from '../../../src/protocol/constants.js';
import { NOTICE_KINDS } from '../../../src/protocol/messages.js';
import { file, MasterFixture, RATE } from '../../helpers/masterFixture.js';
import { KEY, ofType, testAuth } from '../../helpers/roleDriver.js';
import { answerEstablish, CLIENT, expectDocumentedFields, FILE, live, NO_POLLS, Operator, OPERATOR, playing, serverAt } from './notices.operator.js';

/** Where `control` orders come from in these tests: not the subscriber's address. */
const CONTROLLER = '10.0.9.2:7000';

function master(key?: string) {
  return new MasterFixture({ key, config: { pollInterval: NO_POLLS } });
}

/** `n` events at the master, now: drain orders for one server, passed on. */
function drainOrders(f: MasterFixture, n: number, srv: string): void {
  const c = new Operator(f, CONTROLLER);
  for (let i = 0; i < n; i++) c.control({ op: 'drain', srv });
}

describe('subscriptions: proof of address (§11.3)', () => {
  it('a first subscribe is answered pending with a cookie and starts nothing; echoing the cookie makes it active', () => {
    const f = master();
    f.addServer({ files: [file('A')] });
    const next = f.master.notices.nextSeq;
    expect(next).toBe(3); // server-registered, server-up
    const op = new Operator(f);
    const pending = op.ack(op.subscribe());
    expect(pending).toMatchObject({ type: 'subscribe-ack', rid: 1, state: 'pending', lease: 0, next });
    expect(pending.cookie).toHaveLength(COOKIE_LENGTH);
    expect(f.master.notices.subscriptions.size).toBe(0);
    const active = op.ack(op.subscribe({ cookie: pending.cookie }));
    expect(active).toMatchObject({ rid: 2, state: 'active', lease: SUBSCRIBE_LEASE, next });
    expect([...active.cookie]).toEqual([...pending.cookie]);
    expect(f.master.notices.subscriptions.size).toBe(1);
    // Events from then on come as notices; what happened before does not (no `since`).
    const mark = f.d.sent.length;
    const s2 = f.addServer({ files: [file('B')] });
    f.d.advance(0);
    expect(op.events(mark)).toEqual([
      { seq: next, event: { ago: 0, ev: 'server-registered', srv: s2.addr }, sentAt: f.d.now },
      { seq: next + 1, event: { ago: 0, ev: 'server-up', srv: s2.addr }, sentAt: f.d.now },
    ]);
  });

  it('a wrong cookie (another address\'s, a guess) is answered pending with the right one, and starts nothing', () => {
    const f = master();
    const op = new Operator(f);
    const other = new Operator(f, '10.0.9.3:7000');
    const otherCookie = other.ack(other.subscribe()).cookie;
    const right = op.ack(op.subscribe()).cookie;
    expect([...otherCookie]).not.toEqual([...right]);
    for (const cookie of [otherCookie, new Uint8Array(COOKIE_LENGTH), right.map((b, i) => (i === 0 ? b ^ 1 : b))]) {
      const a = op.ack(op.subscribe({ cookie, since: 1 }));
      expect(a).toMatchObject({ state: 'pending', lease: 0 });
      expect([...a.cookie]).toEqual([...right]);
    }
    expect(f.master.notices.subscriptions.size).toBe(0);
    const mark = f.d.sent.length;
    f.addServer({ files: [file('A')] });
    f.d.advance(1000);
    expect(op.notices(mark)).toEqual([]);
    expect(other.notices(mark)).toEqual([]);
  });

  it('the cookie is the same for an address each time, and differs by port', () => {
    const f = master();
    const a = new Operator(f, '10.0.9.1:7000');
    const b = new Operator(f, '10.0.9.1:7001');
    const c1 = a.ack(a.subscribe()).cookie;
    const c2 = a.ack(a.subscribe()).cookie;
    expect([...c1]).toEqual([...c2]);
    expect([...b.ack(b.subscribe()).cookie]).not.toEqual([...c1]);
  });
});

describe('subscriptions: room, ending, leases (§11.3)', () => {
  it(`at MAX_SUBSCRIBERS (${MAX_SUBSCRIBERS}) another proven address is answered full and sent nothing; room again once one ends`, () => {
    const f = master();
    const ops = Array.from({ length: MAX_SUBSCRIBERS }, (_, i) => new Operator(f, `10.0.9.${i + 10}:7000`));
    for (const op of ops) op.join();
    const late = new Operator(f, '10.0.9.99:7000');
    late.ack(late.subscribe());
    expect(late.ack(late.subscribe({ cookie: late.cookie }))).toMatchObject({ state: 'full', lease: 0 });
    expect(f.master.notices.subscriptions.size).toBe(MAX_SUBSCRIBERS);
    const mark = f.d.sent.length;
    f.addServer({ files: [file('A')] });
    f.d.advance(0);
    for (const op of ops) expect(op.eventsOf('server-up', mark)).toHaveLength(1);
    expect(late.notices(mark)).toEqual([]);
    // One leaves: the late one gets in.
    expect(ops[0]!.end()).toMatchObject({ state: 'ended', lease: 0 });
    expect(late.renew()).toMatchObject({ state: 'active', lease: SUBSCRIBE_LEASE });
  });

  it('end: the subscription is over at once, nothing more is sent; an end without the cookie ends nothing', () => {
    const f = master();
    const op = new Operator(f);
    op.join();
    expect(op.ack(op.subscribe({ end: true }))).toMatchObject({ state: 'pending' });
    expect(f.master.notices.subscriptions.size).toBe(1);
    expect(op.end()).toMatchObject({ state: 'ended', lease: 0 });
    expect(f.master.notices.subscriptions.size).toBe(0);
    const mark = f.d.sent.length;
    f.addServer({ files: [file('A')] });
    f.d.advance(5000);
    expect(op.notices(mark)).toEqual([]);
  });

  it(`without renewal the lease (SUBSCRIBE_LEASE ${SUBSCRIBE_LEASE} ms) runs out: no more notices; a proven subscribe starts it again`, () => {
    const f = master();
    const op = new Operator(f);
    op.join();
    f.d.advance(SUBSCRIBE_LEASE - 1);
    let mark = f.d.sent.length;
    const a = f.addServer({ files: [file('A')] });
    f.d.advance(0);
    expect(op.eventsOf('server-up', mark).map((e) => e.srv)).toEqual([a.addr]);
    f.d.advance(1);
    mark = f.d.sent.length;
    const b = f.addServer({ files: [file('B')] });
    f.d.advance(5000);
    expect(op.notices(mark)).toEqual([]);
    expect(f.master.notices.subscriptions.size).toBe(0);
    // Back again: from the master's next event on.
    expect(op.renew()).toMatchObject({ state: 'active' });
    mark = f.d.sent.length;
    b.leave();
    f.d.advance(0);
    expect(op.events(mark).map((e) => e.event)).toEqual([{ ago: 0, ev: 'server-left', srv: b.addr }]);
  });

  it(`renewing every SUBSCRIBE_RENEW (${SUBSCRIBE_RENEW} ms) keeps it going well past one lease`, () => {
    const f = master();
    const op = new Operator(f);
    op.join();
    for (let t = 0; t < 4 * SUBSCRIBE_LEASE; t += SUBSCRIBE_RENEW) {
      f.d.advance(SUBSCRIBE_RENEW);
      expect(op.renew()).toMatchObject({ state: 'active', lease: SUBSCRIBE_LEASE });
    }
    const mark = f.d.sent.length;
    const s = f.addServer({ files: [file('A')] });
    f.d.advance(0);
    expect(op.eventsOf('server-up', mark).map((e) => e.srv)).toEqual([s.addr]);
  });
});

describe('subscriptions: since, and the ring (§11.3, §11.4)', () => {
  it('a new subscription with `since` is sent the events held from there, in order, each once', () => {
    const f = master();
    const servers = [f.addServer({ files: [file('A')] }), f.addServer({ files: [file('B')] })];
    servers[0]!.leave();
    const op = new Operator(f);
    op.join(1);
    f.d.advance(1000);
    const seen = op.events();
    expect(seen.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(seen.map((e) => [e.event.ev, e.event.srv])).toEqual([
      ['server-registered', servers[0]!.addr],
      ['server-up', servers[0]!.addr],
      ['server-registered', servers[1]!.addr],
      ['server-up', servers[1]!.addr],
      ['server-left', servers[0]!.addr],
    ]);
  });

  it('a renewal with `since` below what was sent resends from there (a lost notice); `since` ahead changes nothing', () => {
    const f = master();
    const op = new Operator(f);
    op.join();
    for (let i = 0; i < 3; i++) f.addServer({ files: [file(`F${i}`)] });
    f.d.advance(1000);
    expect(op.events().map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    let mark = f.d.sent.length;
    op.renew(3);
    f.d.advance(1000);
    expect(op.events(mark).map((e) => e.seq)).toEqual([3, 4, 5, 6]);
    mark = f.d.sent.length;
    op.renew(50);
    f.d.advance(1000);
    expect(op.notices(mark)).toEqual([]);
  });

  it(`events older than the ring (NOTICE_RING ${NOTICE_RING}) are gone: a since before them starts at the oldest held`, () => {
    const f = master();
    const s = f.addServer({ files: [file('A')] });
    drainOrders(f, NOTICE_RING + 10, s.addr);
    const next = f.master.notices.nextSeq;
    expect(next).toBe(NOTICE_RING + 13);
    const op = new Operator(f);
    op.join(1);
    f.d.advance(60_000);
    op.renew(); // keeps the lease while it catches up
    f.d.advance(60_000);
    const seqs = op.events().map((e) => e.seq);
    expect(seqs[0]).toBe(next - NOTICE_RING);
    expect(seqs).toEqual(Array.from({ length: NOTICE_RING }, (_, i) => next - NOTICE_RING + i));
  });
});

describe('notices: what happens at the master (§11.4)', () => {
  it('a server registering, drained by order, draining, its stream handed off, leaving: each with its fields', () => {
    const p = playing();
    const { f, from, sid } = p;
    const op = new Operator(f);
    op.join(1);
    new Operator(f, CONTROLLER).control({ op: 'drain', srv: from.addr });
    new Operator(f, CONTROLLER).control({ op: 'capacity', srv: p.others[0]!.addr, cap: 50_000_000 });
    f.d.advance(1500);
    from.load({ state: 'draining', sids: [sid], streams: 1, bw: RATE });
    const to = answerEstablish(p);
    f.d.advance(8);
    to.track({ sid, n: 1, ev: 'play', when: f.d.now, npt: 1507, scale: 1000, client: CLIENT, file: FILE });
    from.leave();
    f.d.advance(1000);
    const seen = op.events();
    expectDocumentedFields(seen);
    const kinds = seen.map((e) => e.event.ev);
    expect(kinds.filter((k) => k === 'server-registered')).toHaveLength(3);
    expect(seen.map((e) => e.seq)).toEqual(seen.map((_, i) => i + 1));
    const after = seen.filter((e) => !['server-registered', 'server-up'].includes(e.event.ev)).map((e) => e.event);
    expect(after).toEqual([
      { ago: expect.any(Number), ev: 'drain-ordered', srv: from.addr },
      { ago: expect.any(Number), ev: 'capacity-ordered', srv: p.others[0]!.addr, n: 50_000_000 },
      { ago: expect.any(Number), ev: 'server-draining', srv: from.addr },
      { ago: expect.any(Number), ev: 'handoff-start', sid, srv: from.addr, why: 'drain', npt: 1500 },
      // make-before-break through a server that still works: no interruption (§11.5).
      { ago: expect.any(Number), ev: 'handoff', sid, srv: from.addr, to: to.addr, why: 'drain', npt: 1507, gap: 0 },
      { ago: expect.any(Number), ev: 'server-left', srv: from.addr },
    ]);
  });

  it('`ago` is how long before the notice the event happened', () => {
    const f = master();
    const s = f.addServer({ files: [file('A')] });
    const op = new Operator(f);
    op.join();
    f.d.advance(250);
    const happened = f.d.now;
    s.leave();
    f.d.advance(0);
    const first = op.notices().at(-1)!;
    expect(first).toMatchObject({ sentAt: happened, events: [{ ago: 0, ev: 'server-left', srv: s.addr }] });
    // Asked for again 700 ms later, the same event is 700 ms old.
    f.d.advance(700);
    const mark = f.d.sent.length;
    op.renew(first.seq);
    f.d.advance(0);
    expect(op.notices(mark)).toMatchObject([{ seq: first.seq, sentAt: happened + 700, events: [{ ago: 700, ev: 'server-left' }] }]);
  });

  it('a server going down, its stream established elsewhere, played there: server-down, handoff-start, handoff with the gap since it was last heard', () => {
    const INTERVAL = 100;
    const p = playing({ pollInterval: INTERVAL });
    const { f, from, sid, others } = p;
    const op = new Operator(f);
    op.join();
    live(f, 350, [[from, [sid]], ...others.map((s) => [s, []] as const)]);
    const lastHeard = f.master.serverView(from.addr)!.lastHeard;
    live(f, (MISSED_POLLS_DOWN + 1) * INTERVAL, others.map((s) => [s, []] as const));
    const to = answerEstablish(p);
    f.d.advance(40);
    const playedAt = f.d.now;
    to.track({ sid, n: 1, ev: 'play', when: playedAt, npt: 777, scale: 1000, client: CLIENT, file: FILE });
    f.d.advance(NOTICE_INTERVAL);
    const seen = op.events();
    expectDocumentedFields(seen);
    expect(seen.map((e) => e.event)).toEqual([
      { ago: expect.any(Number), ev: 'server-down', srv: from.addr },
      { ago: expect.any(Number), ev: 'handoff-start', sid, srv: from.addr, why: 'failure', npt: lastHeard - p.t0 },
      { ago: expect.any(Number), ev: 'handoff', sid, srv: from.addr, to: to.addr, why: 'failure', npt: 777, gap: playedAt - lastHeard },
    ]);
    expect(playedAt - lastHeard).toBeGreaterThan(MISSED_POLLS_DOWN * INTERVAL);
    expect(f.d.eventsOf('handoff')).toMatchObject([{ sid, gap: playedAt - lastHeard }]);
  });

  it('overload: server-overloaded, handoff-start and migrate for the stream that goes', () => {
    const p = playing();
    const { f, from, sid } = p;
    const op = new Operator(f);
    op.join();
    from.load({ state: 'overloaded', sids: [sid], streams: 1, bw: from.cap + 1 });
    f.d.advance(NOTICE_INTERVAL);
    const seen = op.events();
    expectDocumentedFields(seen);
    expect(seen.map((e) => e.event)).toEqual([
      { ago: 0, ev: 'server-overloaded', srv: from.addr },
      { ago: 0, ev: 'handoff-start', sid, srv: from.addr, why: 'overload', npt: 0 },
      { ago: 0, ev: 'migrate', sid, srv: from.addr, why: 'overload' },
    ]);
  });

  it('every kind the master records is a documented kind of NOTICE_KINDS', () => {
    // A run that goes through most kinds; whatever comes must be documented (and, by the test above, carry its fields).
    const p = playing({ pollInterval: 100 });
    const op = new Operator(p.f);
    op.join();
    live(p.f, 2000, p.others.map((s) => [s, []] as const));
    p.f.d.advance(100 * 70);
    const kinds = new Set(op.events().map((e) => e.event.ev));
    for (const k of kinds) expect(NOTICE_KINDS).toContain(k);
    expect([...kinds]).toEqual(expect.arrayContaining(['server-down', 'handoff-start', 'server-forgotten']));
  });
});

describe('notices: requests counted in windows (§11.4)', () => {
  it(`redirects, relayed setups, server lists and errors within NOTICE_COUNT_INTERVAL (${NOTICE_COUNT_INTERVAL} ms) make one requests event and one request-errors event per code`, () => {
    const f = master();
    const servers = [f.addServer({ files: [file('A')] }), f.addServer({ files: [file('A')] })];
    const op = new Operator(f);
    op.join();
    const start = f.d.now;
    for (let i = 0; i < 3; i++) f.answer(`10.0.2.${i + 1}:6000`, 'A', { mode: 'redirect' });
    f.answer('10.0.2.10:6000', 'A', { mode: 'list' });
    for (let i = 0; i < 2; i++) expect(f.answer(`10.0.2.${i + 20}:6000`, 'nope')).toMatchObject({ type: 'error', code: 'not-found' });
    // A relayed setup: the server answers the forward.
    const mark = f.d.sent.length;
    expect(f.ask('10.0.2.30:6000', 'A', { mode: 'relay' }), 'nothing to the client until the server answers').toEqual([]);
    const forwards = ofType(f.d.sent.slice(mark), 'forward');
    expect(forwards).toHaveLength(1);
    const forward = forwards[0]!;
    const srv = servers.find((s) => s.addr === forward.to)!;
    srv.send({ type: 'setup', rid: forward.rid, sid: forward.sid, file: 'A', srv: srv.addr, size: 10, rate: RATE, chunk: 1100, off: 0, cookie: new Uint8Array(8) });
    // A repeat answered from the answer cache is not counted again.
    f.ask('10.0.2.1:6000', 'A', { mode: 'redirect', rid: 1 });
    f.d.advanceTo(start + NOTICE_COUNT_INTERVAL - 1);
    expect(op.eventsOf('requests')).toEqual([]);
    f.d.advanceTo(start + NOTICE_COUNT_INTERVAL);
    expect(op.eventsOf('requests')).toEqual([{ ago: 0, ev: 'requests', counts: [3, 1, 1] }]);
    expect(op.eventsOf('request-errors')).toEqual([{ ago: 0, ev: 'request-errors', code: 'not-found', n: 2 }]);
    // The next window starts with the next request, and counts only its own.
    f.d.advance(5000);
    expect(op.eventsOf('requests')).toHaveLength(1);
    f.answer('10.0.2.40:6000', 'A', { mode: 'redirect' });
    f.d.advance(NOTICE_COUNT_INTERVAL);
    expect(op.eventsOf('requests').map((e) => e.counts)).toEqual([[3, 1, 1], [1, 0, 0]]);
    expect(op.eventsOf('request-errors')).toHaveLength(1);
  });

  it('nothing is counted while no one subscribes', () => {
    const f = master();
    f.addServer({ files: [file('A')] });
    for (let i = 0; i < 5; i++) f.answer(`10.0.2.${i + 1}:6000`, 'A');
    const op = new Operator(f);
    op.join(1);
    f.d.advance(3 * NOTICE_COUNT_INTERVAL);
    expect(op.eventsOf('requests')).toEqual([]);
    expect(op.eventsOf('server-up')).toHaveLength(1);
  });
});

describe('notices: rate and size (§11.4)', () => {
  it(`at most NOTICE_BURST (${NOTICE_BURST}) notices per NOTICE_INTERVAL (${NOTICE_INTERVAL} ms) to a subscriber, each of at most NOTICE_EVENTS (${NOTICE_EVENTS}) events; every event arrives once, in order`, () => {
    const f = master();
    const s = f.addServer({ files: [file('A')] });
    const ops = [new Operator(f), new Operator(f, '10.0.9.5:7000')];
    for (const op of ops) op.join();
    const first = f.master.notices.nextSeq;
    const n = 200;
    drainOrders(f, n, s.addr);
    f.d.advance(5 * NOTICE_INTERVAL);
    drainOrders(f, n, s.addr); // a second burst while the first is still going out
    f.d.advance(10_000);
    for (const op of ops) {
      const notices = op.notices();
      expect(op.events().map((e) => e.seq)).toEqual(Array.from({ length: 2 * n }, (_, i) => first + i));
      for (const x of notices) {
        expect(x.events.length).toBeGreaterThan(0);
        expect(x.events.length).toBeLessThanOrEqual(NOTICE_EVENTS);
        expect(x.size).toBeLessThanOrEqual(MAX_DATAGRAM);
      }
      // Any window of NOTICE_INTERVAL holds at most NOTICE_BURST notices.
      const times = notices.map((x) => x.sentAt);
      for (let i = 0; i < times.length; i++) {
        const inWindow = times.filter((t) => t >= times[i]! && t < times[i]! + NOTICE_INTERVAL).length;
        expect(inWindow, `notices in [${times[i]}, +${NOTICE_INTERVAL})`).toBeLessThanOrEqual(NOTICE_BURST);
      }
      // And it was not slower than that: 400 events at 3 a notice, 8 a round.
      expect(times.at(-1)! - times[0]!).toBeLessThan(Math.ceil((2 * n) / (NOTICE_EVENTS * NOTICE_BURST)) * NOTICE_INTERVAL + 5 * NOTICE_INTERVAL);
    }
  });

  it('notices with the longest addresses still fit a datagram, with a MAC', () => {
    const f = new MasterFixture({ key: KEY, config: { pollInterval: NO_POLLS } });
    const op = new Operator(f);
    op.join();
    const long = (i: number) => `[ffff:ffff:ffff:ffff:ffff:ffff:ffff:${(0xff00 + i).toString(16)}]:65535`;
    const servers = [0, 1, 2].map((i) => f.addServer({ addr: long(i), files: [file(FILE, 10_000_000)] }));
    const r = f.answer('[ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe]:65535', FILE, { mode: 'redirect' });
    if (r.type !== 'redirect') throw new Error(r.type);
    const from = servers.find((s) => s.addr === r.srv)!;
    from.track({ sid: r.sid, n: 1, ev: 'play', when: f.d.now, npt: 0, scale: 1000, client: '[ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe]:65535', file: FILE });
    from.load({ state: 'draining', sids: [r.sid], streams: 1, bw: RATE });
    const est = ofType(f.d.sent, 'establish').at(-1)!;
    const to = servers.find((s) => s.addr === est.to)!;
    to.send({ type: 'setup', rid: est.rid, sid: est.sid, file: FILE, srv: to.addr, size: 10_000_000, rate: RATE, chunk: 1100, off: 0, cookie: new Uint8Array(8) });
    to.track({ sid: r.sid, n: 1, ev: 'play', when: f.d.now, npt: 4_000_000_000, scale: 1000, client: '[ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe]:65535', file: FILE });
    f.d.advance(1000);
    const notices = op.notices();
    expect(notices.flatMap((x) => x.events).some((e) => e.ev === 'handoff' && e.to === to.addr)).toBe(true);
    for (const x of notices) {
      expect(x.mac).toBe(true);
      expect(x.size).toBeLessThanOrEqual(MAX_DATAGRAM);
    }
    expect(f.master.dropped.get('amplification-limit')).toBeUndefined();
  });
});

describe('subscriptions: authentication and anti-amplification (§11.1, §9.4)', () => {
  it('with a cluster key, a subscribe without a MAC or with another key\'s is dropped unanswered; with the key, acks and notices carry a MAC', () => {
    const f = new MasterFixture({ key: KEY, config: { pollInterval: NO_POLLS } });
    const none = new Operator(f, OPERATOR, null);
    expect(none.subscribe()).toEqual([]);
    expect(f.master.dropped.get('missing-mac')).toBe(1);
    const wrong = new Operator(f, OPERATOR, testAuth('another key'));
    expect(wrong.subscribe()).toEqual([]);
    expect(f.master.dropped.get('bad-mac')).toBe(1);
    const op = new Operator(f);
    const first = op.subscribe();
    expect(first.map((s) => s.mac)).toEqual([true]);
    op.ack(first);
    // The cookie without the key is dropped too: no subscription.
    const stolen = new Operator(f, OPERATOR, null);
    expect(stolen.subscribe({ cookie: op.cookie })).toEqual([]);
    expect(f.master.notices.subscriptions.size).toBe(0);
    op.ack(op.subscribe({ cookie: op.cookie }));
    f.addServer({ files: [file('A')] });
    f.d.advance(0);
    const notices = op.notices();
    expect(notices.length).toBeGreaterThan(0);
    expect(notices.every((x) => x.mac)).toBe(true);
  });

  it('a first subscribe that is not padded gets no answer: the ack would be larger than what the address sent', () => {
    const f = master();
    const op = new Operator(f);
    expect(op.subscribe({}, false)).toEqual([]);
    expect(f.master.dropped.get('amplification-limit')).toBe(1);
    expect(op.subscribe()).toHaveLength(1);
  });

  it('a cookie learned at one address and sent from a victim\'s address starts nothing there: the victim gets at most what was sent in its name', () => {
    const f = master();
    const victim = '10.0.5.5:5353';
    const s = f.addServer({ files: [file('A')] });
    const attacker = new Operator(f, '10.0.6.6:4000');
    attacker.join();
    const spoofed = new Operator(f, victim);
    for (let i = 0; i < 20; i++) spoofed.subscribe({ cookie: attacker.cookie, since: 1 }, i % 2 === 0);
    drainOrders(f, 300, s.addr);
    f.d.advance(10_000);
    expect(spoofed.notices()).toEqual([]);
    expect(f.d.bytesTo.get(victim) ?? 0).toBeLessThanOrEqual(f.d.bytesFrom.get(victim)!);
    // While the attacker, proven at its own address, is sent far more than it sent: the check above can fail.
    expect(f.d.bytesTo.get(attacker.addr)!).toBeGreaterThan(f.d.bytesFrom.get(attacker.addr)!);
  });

  for (const key of [undefined, KEY]) {
    it(`property: any sequence of subscribes without this address's cookie, with events going on, sends it no more bytes than it sent${key ? ' (key set)' : ''}`, () => {
      const step = fc.record({
        cookie: fc.constantFrom('none', 'other', 'random'),
        pad: fc.boolean(),
        since: fc.option(fc.nat(40), { nil: undefined }),
        end: fc.option(fc.boolean(), { nil: undefined }),
        events: fc.nat(4),
        wait: fc.nat(3 * NOTICE_INTERVAL),
        random: fc.uint8Array({ minLength: COOKIE_LENGTH, maxLength: COOKIE_LENGTH }),
      });
      fc.assert(
        fc.property(fc.array(step, { minLength: 1, maxLength: 20 }), (steps) => {
          const f = new MasterFixture({ key, config: { pollInterval: NO_POLLS } });
          const s = f.addServer({ files: [file('A')] });
          const other = new Operator(f, '10.0.6.6:4000');
          other.join(1);
          const op = new Operator(f, OPERATOR);
          steps.forEach((st, i) => {
            const cookie = st.cookie === 'none' ? undefined : st.cookie === 'other' ? other.cookie : st.random;
            op.subscribe({ ...(cookie ? { cookie } : {}), ...(st.since !== undefined ? { since: st.since } : {}), ...(st.end !== undefined ? { end: st.end } : {}) }, st.pad);
            drainOrders(f, st.events, s.addr);
            f.d.advance(st.wait);
            const sent = f.d.bytesTo.get(OPERATOR) ?? 0;
            const received = f.d.bytesFrom.get(OPERATOR)!;
            if (sent > received) throw new Error(`after ${i + 1} subscribes: sent ${sent} bytes for ${received} received`);
            if (op.notices().length > 0) throw new Error(`after ${i + 1} subscribes: a notice went to an address that never echoed its cookie`);
          });
        }),
        { numRuns: 60, seed: 11 },
      );
    });
  }
});

describe('failover: the master\'s gap estimate (§11.5)', () => {
  it('the client asked first after a failure: the gap runs from SERVER_SILENCE_TIMEOUT before its request', () => {
    const INTERVAL = 100;
    const p = playing({ pollInterval: INTERVAL });
    const { f, from, sid, others } = p;
    live(f, 350, [[from, [sid]], ...others.map((s) => [s, []] as const)]);
    const lastHeard = f.master.serverView(from.addr)!.lastHeard;
    // The master keeps hearing the others; the client, without data from its server, asks after its silence timeout.
    live(f, 200, others.map((s) => [s, []] as const));
    const askedAt = f.d.now;
    const r = f.answer(CLIENT, FILE, { mode: 'redirect', prev: sid, off: 200_000, avoid: [from.addr] });
    if (r.type !== 'redirect') throw new Error(r.type);
    f.d.advance(30);
    serverAt(p, r.srv).track({ sid, n: 1, ev: 'play', when: f.d.now, npt: 400, scale: 1000, client: CLIENT, file: FILE });
    expect(lastHeard).toBeGreaterThan(askedAt - 500);
    expect(f.d.eventsOf('handoff')).toMatchObject([{ sid, by: 'client', why: 'failure', gap: 530 }]);
  });

  it('the same when the master last heard the server long before: the client\'s silence, not the poll interval, bounds the gap', () => {
    const INTERVAL = 1_000;
    const p = playing({ pollInterval: INTERVAL });
    const { f, from, sid, others } = p;
    live(f, 350, [[from, [sid]], ...others.map((s) => [s, []] as const)]);
    const lastHeard = f.master.serverView(from.addr)!.lastHeard;
    // The server died just after its last report; the client notices 500 ms after its last data, 900 ms later.
    live(f, 900, others.map((s) => [s, []] as const));
    const askedAt = f.d.now;
    expect(askedAt - lastHeard).toBeGreaterThanOrEqual(900);
    const r = f.answer(CLIENT, FILE, { mode: 'redirect', prev: sid, off: 200_000, avoid: [from.addr] });
    if (r.type !== 'redirect') throw new Error(r.type);
    f.d.advance(30);
    serverAt(p, r.srv).track({ sid, n: 1, ev: 'play', when: f.d.now, npt: 400, scale: 1000, client: CLIENT, file: FILE });
    expect(f.d.eventsOf('handoff')).toMatchObject([{ sid, by: 'client', why: 'failure', gap: 530 }]);
  });

  it('a request that says how long the client was quiet (`quiet`): the gap runs from there', () => {
    const INTERVAL = 1_000;
    const p = playing({ pollInterval: INTERVAL });
    const { f, from, sid, others } = p;
    live(f, 350, [[from, [sid]], ...others.map((s) => [s, []] as const)]);
    live(f, 400, others.map((s) => [s, []] as const));
    // Its data stopped 100 ms before it asked (a silence timeout learnt from the stream, §6.2).
    const r = f.answer(CLIENT, FILE, { mode: 'redirect', prev: sid, quiet: 100, off: 200_000, avoid: [from.addr] });
    if (r.type !== 'redirect') throw new Error(r.type);
    f.d.advance(30);
    serverAt(p, r.srv).track({ sid, n: 1, ev: 'play', when: f.d.now, npt: 400, scale: 1000, client: CLIENT, file: FILE });
    expect(f.d.eventsOf('handoff')).toMatchObject([{ sid, by: 'client', why: 'failure', gap: 130 }]);
  });

  it('a `quiet` longer than the stream has played since its last control event is cut there', () => {
    const p = playing({ pollInterval: 1_000 });
    const { f, from, sid, others } = p;
    live(f, 750, [[from, [sid]], ...others.map((s) => [s, []] as const)]);
    const r = f.answer(CLIENT, FILE, { mode: 'redirect', prev: sid, quiet: 4_000_000_000, off: 200_000, avoid: [from.addr] });
    if (r.type !== 'redirect') throw new Error(r.type);
    f.d.advance(30);
    serverAt(p, r.srv).track({ sid, n: 1, ev: 'play', when: f.d.now, npt: 400, scale: 1000, client: CLIENT, file: FILE });
    const [h] = f.d.eventsOf('handoff');
    expect(h).toMatchObject({ sid, by: 'client', why: 'failure' });
    expect(h!.gap).toBeLessThanOrEqual(f.d.now - p.t0);
  });

  it('an operator\'s handoff through a working server: gap 0; the same when the first server goes down meanwhile: from its last word', () => {
    const p = playing();
    const { f, sid } = p;
    const op = new Operator(f);
    op.join();
    f.d.advance(500);
    const c = new Operator(f, CONTROLLER);
    c.control({ op: 'handoff', sid });
    const to = answerEstablish(p);
    f.d.advance(20);
    to.track({ sid, n: 1, ev: 'play', when: f.d.now, npt: 520, scale: 1000, client: CLIENT, file: FILE });
    f.d.advance(NOTICE_INTERVAL);
    expect(op.eventsOf('handoff')).toMatchObject([{ sid, why: 'operator', gap: 0 }]);
    // Back again, and this time the first server (now `to`) leaves before the stream plays at the next one.
    const lastWord = f.d.now;
    to.load({ sids: [sid], streams: 1, bw: RATE });
    c.control({ op: 'handoff', sid });
    const third = answerEstablish(p);
    f.d.advance(300);
    to.leave();
    third.track({ sid, n: 1, ev: 'play', when: f.d.now, npt: 900, scale: 1000, client: CLIENT, file: FILE });
    f.d.advance(NOTICE_INTERVAL);
    expect(op.eventsOf('handoff').at(-1)).toMatchObject({ sid, why: 'operator', srv: to.addr, to: third.addr });
    expect(op.eventsOf('handoff').at(-1)!.gap).toBe(f.d.now - NOTICE_INTERVAL - lastWord);
  });
});
