/**
 * The master's failover manager (S2, S3.6; §10), driven message by message:
 * stream control events, establishment, the move through the first server,
 * failures, overload, drain, the client asking again, and operators' orders.
 */
import { describe, expect, it } from 'vitest';
import { type ClusterAuth, handoffToken } from '../../src/protocol/auth.js';
import { encode } from '../../src/protocol/codec.js';
import { DATA_CHUNK, FORWARD_TIMEOUT, HANDOFF_ATTEMPTS, HANDOFF_TIMEOUT, MISSED_POLLS_DOWN, TOKEN_TTL } from '../../src/protocol/constants.js';
import type { Message, MessageOf } from '../../src/protocol/messages.js';
import { padded } from '../../src/protocol/padding.js';
import { HANDOFF_TABLE } from '../../src/roles/master/failover.js';
import type { AnswerMode } from '../../src/roles/master/master.js';
import { edges } from '../../src/roles/stateMachine.js';
import { nodeCrypto } from '../../src/platform/crypto.js';
import type { FakeServer } from '../helpers/fakeServer.js';
import { file, MasterFixture, RATE } from '../helpers/masterFixture.js';
import { KEY, ofType, type Sent, testAuth } from '../helpers/roleDriver.js';

const CLIENT = '10.0.2.1:6000';
const OPERATOR = '10.0.9.1:7000';
const FILE = 'a.ts';
const SIZE = 10_000_000;
/** A poll interval longer than any test: no polls unless a test asks for them. */
const NO_POLLS = 3_600_000;

interface Playing {
  readonly f: MasterFixture;
  readonly servers: FakeServer[];
  /** The server the stream plays at. */
  readonly from: FakeServer;
  readonly others: FakeServer[];
  readonly sid: number;
  readonly sk: Uint8Array;
  /** When it started playing (its `track` `play`, at position 0). */
  readonly t0: number;
}

/** A master with `servers` servers holding the file, and one client's stream playing at one of them. */
function playing(o: { servers?: number; key?: string; mode?: AnswerMode; pollInterval?: number } = {}): Playing {
  const f = new MasterFixture({ key: o.key, config: { pollInterval: o.pollInterval ?? NO_POLLS, ...(o.mode ? { mode: o.mode } : {}) } });
  const servers = Array.from({ length: o.servers ?? 3 }, () => f.addServer({ files: [file(FILE, SIZE)] }));
  const r = f.answer(CLIENT, FILE, { mode: 'redirect' });
  if (r.type !== 'redirect') throw new Error(`expected a redirect, got ${r.type}`);
  const from = servers.find((s) => s.addr === r.srv)!;
  const t0 = f.d.now;
  const acks = ofType(from.track({ sid: r.sid, n: 1, ev: 'play', when: t0, npt: 0, scale: 1000, client: CLIENT, file: FILE }), 'track-ack');
  expect(acks).toMatchObject([{ to: from.addr, sid: r.sid, n: 1 }]);
  return { f, servers, from, others: servers.filter((s) => s !== from), sid: r.sid, sk: r.sk!, t0 };
}

/** The last message of a type the master sent (to `to`, when given) among `sent`. */
function last<K extends Message['type']>(sent: readonly Sent[], type: K, to?: string) {
  return ofType(sent, type).filter((m) => to === undefined || m.to === to).at(-1);
}

/** The server a message went to. */
const serverAt = (p: Playing, addr: string) => p.servers.find((s) => s.addr === addr)!;

/** A setup from `srv` answering the `establish` it got. */
function answerEstablish(p: Playing, srv: FakeServer, off = 0): Sent[] {
  const est = last(p.f.d.sent, 'establish', srv.addr)!;
  return srv.send({ type: 'setup', rid: est.rid, sid: est.sid, file: est.file, srv: srv.addr, size: SIZE, rate: RATE, chunk: DATA_CHUNK, off, cookie: new Uint8Array(8).fill(3) });
}

/** `padded()` brings any request to REQUEST_PAD_TO bytes, so the answer has room (§9.4); its type lists only requests. */
const padControl = padded as unknown as (m: MessageOf<'control'>, target: number | undefined, encoder: (m: MessageOf<'control'>) => Uint8Array) => MessageOf<'control'>;

/** An operator's `control`, padded as operators' tools send it, with a MAC under `auth` (the cluster's unless given; null: none). */
function operatorControl(f: MasterFixture, m: Omit<MessageOf<'control'>, 'type'>, auth: ClusterAuth | null = f.auth ?? null): Sent[] {
  const now = Math.floor(f.d.now);
  const enc = (x: MessageOf<'control'>) => (auth ? auth.encode(x, now) : encode(x));
  return f.d.datagram(OPERATOR, enc(padControl({ type: 'control', ...m }, undefined, enc)));
}

/** Advance `ms`, the `alive` servers answering every poll with the streams they list. */
function live(f: MasterFixture, ms: number, alive: readonly (readonly [FakeServer, readonly number[]])[]): void {
  const end = f.d.now + ms;
  while (f.d.now < end) {
    for (const poll of ofType(f.d.advanceTo(Math.min(end, f.d.now + 1)), 'poll')) {
      const a = alive.find(([s]) => s.addr === poll.to);
      if (a) a[0].load({ seq: poll.seq, sids: [...a[1]], streams: a[1].length, bw: a[1].length * RATE });
    }
  }
}

describe('failover: stream control events (§10.4)', () => {
  it('play is recorded as the position at its time, acknowledged by number', () => {
    const p = playing();
    expect(p.f.master.assignmentView(p.sid)).toMatchObject({ server: p.from.addr, live: true, npt: { base: 0, when: p.t0, scale: 1000 } });
  });

  it('a repeat is acknowledged again and not applied twice', () => {
    const p = playing();
    p.f.d.advance(500);
    // A repeat carries the event as it was first sent (same number, same time); a changed position shows it is not applied.
    const out = p.from.track({ sid: p.sid, n: 1, ev: 'play', when: p.t0, npt: 9999, scale: 1000, client: CLIENT, file: FILE });
    expect(ofType(out, 'track-ack')).toMatchObject([{ sid: p.sid, n: 1 }]);
    expect(p.f.master.assignmentView(p.sid)!.npt).toEqual({ base: 0, when: p.t0, scale: 1000 });
  });

  it('an event ahead of a missing one is not applied; the ack names what is recorded, and the gap, once filled, is applied in order', () => {
    const p = playing();
    const t = p.t0;
    // Event 3 (to 0.5× at t+3000) arrives before event 2 (to 2× at t+1000).
    expect(ofType(p.from.track({ sid: p.sid, n: 3, ev: 'adjust', when: t + 3000, scale: 500 }), 'track-ack')).toMatchObject([{ n: 1 }]);
    expect(p.f.master.assignmentView(p.sid)!.npt).toEqual({ base: 0, when: t, scale: 1000 });
    expect(ofType(p.from.track({ sid: p.sid, n: 2, ev: 'adjust', when: t + 1000, scale: 2000 }), 'track-ack')).toMatchObject([{ n: 2 }]);
    expect(ofType(p.from.track({ sid: p.sid, n: 3, ev: 'adjust', when: t + 3000, scale: 500 }), 'track-ack')).toMatchObject([{ n: 3 }]);
    // 1000 × 1 + 2000 × 2 = 5000 at t+3000, then 0.5×.
    expect(p.f.master.assignmentView(p.sid)!.npt).toEqual({ base: 1000 + 4000, when: t + 3000, scale: 500 });
  });

  it('a master that restarted follows a stream from a play numbered beyond 1; an unknown stream\'s other events are only acknowledged', () => {
    const f = new MasterFixture({ config: { pollInterval: NO_POLLS } });
    const s = f.addServer({ files: [file(FILE, SIZE)] });
    const t = f.d.now;
    expect(ofType(s.track({ sid: 77, n: 4, ev: 'adjust', when: t, scale: 2000 }), 'track-ack')).toMatchObject([{ sid: 77, n: 4 }]);
    expect(f.master.assignmentView(77)).toBeUndefined();
    expect(ofType(s.track({ sid: 77, n: 5, ev: 'play', when: t, npt: 4000, scale: 2000, client: CLIENT, file: FILE }), 'track-ack')).toMatchObject([{ n: 5 }]);
    expect(f.master.assignmentView(77)).toMatchObject({ client: CLIENT, file: FILE, server: s.addr, rate: RATE, live: true, npt: { base: 4000, when: t, scale: 2000 } });
    s.track({ sid: 77, n: 6, ev: 'adjust', when: t + 500, scale: 1000 });
    expect(f.master.assignmentView(77)!.npt).toEqual({ base: 4000 + 500 * 2, when: t + 500, scale: 1000 });
  });

  it('`track` from an address that is not a server is dropped; with a key, one without a MAC is dropped', () => {
    const p = playing({ key: KEY });
    const m: Message = { type: 'track', sid: p.sid, n: 2, ev: 'adjust', when: p.t0 + 10, scale: 3000, at: p.t0 };
    expect(p.f.d.control('10.6.6.6:5000', m, p.f.auth)).toEqual([]);
    expect(p.f.d.datagram(p.from.addr, encode(m))).toEqual([]);
    expect(p.f.master.dropped.get('unexpected-message')).toBe(1);
    expect(p.f.master.dropped.get('missing-mac')).toBe(1);
    expect(p.f.master.assignmentView(p.sid)!.npt!.scale).toBe(1000);
  });

  it('an `end` from the stream\'s server ends the record', () => {
    const p = playing();
    p.from.track({ sid: p.sid, n: 2, ev: 'end', when: p.t0 + 10, scale: 1000, code: 'teardown' });
    expect(p.f.master.assignmentView(p.sid)).toBeUndefined();
  });
});

describe('failover: establish → setup → move (S2.6, §10.6)', () => {
  it('drain: the stream is established elsewhere at the computed position, the first server relays a switch with a token made with the stream key', () => {
    const p = playing({ key: KEY });
    const { f, from, sid } = p;
    f.d.advance(1500);
    const te = f.d.now;
    const out = from.load({ state: 'draining', sids: [sid], streams: 1, bw: RATE });
    expect(f.d.eventsOf('server-draining').map((e) => e.srv)).toEqual([from.addr]);
    // Position at the change event: 0 + 1500 × 1000/1000.
    expect(f.d.eventsOf('handoff-start')).toMatchObject([{ sid, client: CLIENT, file: FILE, from: from.addr, why: 'drain', computed: 1500 }]);
    const est = ofType(out, 'establish');
    expect(est).toHaveLength(1);
    expect(est[0]).toMatchObject({ sid, file: FILE, client: CLIENT, npt: 1500, scale: 1000, why: 'drain' });
    expect(p.others.map((s) => s.addr)).toContain(est[0]!.to);
    expect(out.find((s) => s.msg?.type === 'establish')!.mac).toBe(true);
    const to = serverAt(p, est[0]!.to);
    const moveOut = answerEstablish(p, to, 750_000);
    const move = ofType(moveOut, 'move');
    expect(move).toHaveLength(1);
    const exp = Math.floor(te) + TOKEN_TTL;
    expect(move[0]).toMatchObject({ to: from.addr, sid, srv: to.addr, off: 750_000, npt: 1500, scale: 1000, exp, why: 'drain' });
    expect([...move[0]!.cookie]).toEqual(new Array(8).fill(3));
    expect([...move[0]!.tok]).toEqual([...handoffToken(nodeCrypto, p.sk, sid, to.addr, exp)]);
    expect(moveOut.find((s) => s.msg?.type === 'move')!.mac).toBe(true);
    expect(f.master.failover.moving(sid)?.state).toBe('moving');
    // The client plays at the new server from where it is: the new server reports it.
    f.d.advance(8);
    to.track({ sid, n: 1, ev: 'play', when: f.d.now, npt: 1507, scale: 1000, client: CLIENT, file: FILE });
    expect(f.d.eventsOf('handoff')).toMatchObject([{ sid, client: CLIENT, file: FILE, from: from.addr, to: to.addr, why: 'drain', npt: 1507, computed: 1500, diff: 1500 - 1507, by: 'master' }]);
    expect(f.master.assignmentView(sid)).toMatchObject({ server: to.addr, handoffs: 1, npt: { base: 1507, scale: 1000 } });
    expect(f.master.failover.size).toBe(0);
    expect(f.master.failover.stats).toEqual({ started: 1, done: 1, failed: 0 });
  });

  // Regression: the `move` was sent once; when it (or the `switch` it causes) was lost, an overload
  // migration had nothing to fall back on (no change indicator) and failed after HANDOFF_TIMEOUT.
  it(`a move is sent again every FORWARD_TIMEOUT (${FORWARD_TIMEOUT} ms) until the new server reports play`, () => {
    const p = playing();
    const { f, from, sid } = p;
    from.load({ state: 'draining', sids: [sid], streams: 1, bw: RATE });
    const to = serverAt(p, last(f.d.sent, 'establish')!.to);
    answerEstablish(p, to);
    const mark = f.d.sent.length;
    f.d.advance(3 * FORWARD_TIMEOUT);
    const again = ofType(f.d.sent.slice(mark), 'move');
    expect(again.map((m) => m.to)).toEqual([from.addr, from.addr, from.addr]);
    expect(f.d.sent.slice(mark).filter((s) => s.msg?.type === 'move').map((s) => s.at - f.d.sent[mark - 1]!.at)).toEqual([1, 2, 3].map((k) => k * FORWARD_TIMEOUT));
    to.track({ sid, n: 1, ev: 'play', when: f.d.now, npt: 1200, scale: 1000, client: CLIENT, file: FILE });
    const after = f.d.sent.length;
    f.d.advance(3 * FORWARD_TIMEOUT);
    expect(ofType(f.d.sent.slice(after), 'move')).toEqual([]);
  });

  it(`no play at the new server within HANDOFF_TIMEOUT (${HANDOFF_TIMEOUT} ms): handoff-failed, the stream stays`, () => {
    const p = playing();
    const { f, from, sid } = p;
    from.load({ state: 'draining', sids: [sid], streams: 1, bw: RATE });
    const to = serverAt(p, last(f.d.sent, 'establish')!.to);
    answerEstablish(p, to);
    f.d.advance(HANDOFF_TIMEOUT - 1);
    expect(f.d.eventsOf('handoff-failed')).toEqual([]);
    f.d.advance(1);
    expect(f.d.eventsOf('handoff-failed')).toMatchObject([{ sid, from: from.addr, to: to.addr, why: 'drain', reason: 'the stream did not play at the new server in time' }]);
    expect(f.master.assignmentView(sid)!.server).toBe(from.addr);
    expect(f.master.failover.size).toBe(0);
    expect(f.master.failover.stats.failed).toBe(1);
  });

  it(`a refusal (the file is not there, no room) moves on to another server, HANDOFF_ATTEMPTS (${HANDOFF_ATTEMPTS}) in all; then handoff-failed and the stream stays`, () => {
    const p = playing({ servers: HANDOFF_ATTEMPTS + 2 });
    const { f, from, sid } = p;
    from.load({ state: 'draining', sids: [sid], streams: 1, bw: RATE });
    const tried: string[] = [];
    for (let i = 0; i < HANDOFF_ATTEMPTS; i++) {
      const est = last(f.d.sent, 'establish')!;
      expect(tried).not.toContain(est.to);
      tried.push(est.to);
      serverAt(p, est.to).send({ type: 'error', rid: est.rid, code: i % 2 === 0 ? 'not-found' : 'no-capacity', msg: 'no' });
    }
    expect(ofType(f.d.sent, 'establish')).toHaveLength(HANDOFF_ATTEMPTS);
    expect(f.d.eventsOf('establish-refused').map((e) => e.srv)).toEqual(tried);
    expect(f.d.eventsOf('handoff-failed')).toMatchObject([{ sid, why: 'drain', reason: 'no other server holds the file with room for it', tried }]);
    expect(f.master.assignmentView(sid)!.server).toBe(from.addr);
  });

  it(`no answer to an establish within FORWARD_TIMEOUT (${FORWARD_TIMEOUT} ms): another server; a late setup from the first is not taken`, () => {
    const p = playing();
    const { f, from, sid } = p;
    from.load({ state: 'draining', sids: [sid], streams: 1, bw: RATE });
    const first = serverAt(p, last(f.d.sent, 'establish')!.to);
    const firstEst = last(f.d.sent, 'establish')!;
    f.d.advance(FORWARD_TIMEOUT);
    expect(f.d.eventsOf('establish-timeout')).toMatchObject([{ sid, srv: first.addr }]);
    const second = last(f.d.sent, 'establish')!;
    expect(second.to).not.toBe(first.addr);
    expect(second.to).not.toBe(from.addr);
    const late = first.send({ type: 'setup', rid: firstEst.rid, sid, file: FILE, srv: first.addr, size: SIZE, rate: RATE, chunk: DATA_CHUNK, off: 0, cookie: new Uint8Array(8) });
    expect(ofType(late, 'move')).toEqual([]);
    expect(f.master.failover.moving(sid)).toMatchObject({ state: 'establishing', to: second.to });
    expect(ofType(answerEstablish(p, serverAt(p, second.to)), 'move')).toMatchObject([{ srv: second.to }]);
  });

  it('no other server holds the file: handoff-failed at once, the stream stays where it is', () => {
    const p = playing({ servers: 1 });
    const { f, from, sid } = p;
    const out = from.load({ state: 'draining', sids: [sid], streams: 1, bw: RATE });
    expect(ofType(out, 'establish')).toEqual([]);
    expect(f.d.eventsOf('handoff-failed')).toMatchObject([{ sid, from: from.addr, why: 'drain', tried: [] }]);
    expect(f.master.assignmentView(sid)!.server).toBe(from.addr);
    expect(f.master.failover.size).toBe(0);
  });

  it('a stream that has not reported playing, or whose client holds no stream key, cannot be moved', () => {
    const f = new MasterFixture({ config: { pollInterval: NO_POLLS } });
    const a = f.addServer({ files: [file(FILE, SIZE)] });
    f.addServer({ files: [file(FILE, SIZE)] });
    const r = f.answer(CLIENT, FILE) as MessageOf<'redirect'>;
    const reply = ofType(operatorControl(f, { rid: 1, op: 'handoff', sid: r.sid }), 'control-result');
    expect(reply).toMatchObject([{ ok: false, code: 'no-capacity' }]);
    expect(reply[0]!.msg).toMatch(/not reported playing/);
    // A stream the master only learnt of from its server (no key was issued for it).
    a.track({ sid: 91, n: 1, ev: 'play', when: f.d.now, npt: 0, scale: 1000, client: '10.0.2.9:6000', file: FILE });
    const noKey = ofType(operatorControl(f, { rid: 2, op: 'handoff', sid: 91 }), 'control-result');
    expect(noKey[0]!.msg).toMatch(/no stream key/);
  });
});

describe('failover: a server fails (S2.5a)', () => {
  const INTERVAL = 100;

  it('missed polls: establish at the position the stream had when the server was last heard; no move (it cannot relay one)', () => {
    const p = playing({ pollInterval: INTERVAL });
    const { f, from, sid, others } = p;
    live(f, 350, [[from, [sid]], ...others.map((s) => [s, []] as const)]);
    const lastHeard = f.master.serverView(from.addr)!.lastHeard;
    expect(lastHeard).toBeGreaterThan(p.t0);
    live(f, (MISSED_POLLS_DOWN + 1) * INTERVAL, others.map((s) => [s, []] as const));
    expect(f.d.eventsOf('server-down').map((e) => e.srv)).toEqual([from.addr]);
    expect(f.d.eventsOf('handoff-start')).toMatchObject([{ sid, from: from.addr, why: 'failure', computed: lastHeard - p.t0 }]);
    const est = last(f.d.sent, 'establish')!;
    expect(est).toMatchObject({ sid, npt: lastHeard - p.t0, why: 'failure' });
    answerEstablish(p, serverAt(p, est.to));
    expect(ofType(f.sentTo(from.addr), 'move')).toEqual([]);
    expect(f.master.failover.moving(sid)?.state).toBe('moving');
  });

  for (const mode of ['redirect', 'relay'] as const) {
    it(`${mode}: the client asks with \`prev\`: the same stream id, sent to the server already established`, () => {
      const p = playing({ pollInterval: INTERVAL, key: KEY, mode });
      const { f, from, sid, others } = p;
      live(f, 350, [[from, [sid]], ...others.map((s) => [s, []] as const)]);
      const lastHeard = f.master.serverView(from.addr)!.lastHeard;
      live(f, (MISSED_POLLS_DOWN + 1) * INTERVAL, others.map((s) => [s, []] as const));
      const est = last(f.d.sent, 'establish')!;
      const to = serverAt(p, est.to);
      answerEstablish(p, to, 123_400);
      const answer = f.answer(CLIENT, FILE, { mode, prev: sid, off: 400_000, avoid: [from.addr] });
      if (mode === 'redirect') {
        expect(answer).toMatchObject({ type: 'redirect', srv: to.addr, sid });
        const r = answer as MessageOf<'redirect'>;
        expect([...r.sk!]).toEqual([...p.sk]);
        expect(f.auth!.checkToken(r.tok, { client: CLIENT, file: FILE, server: to.addr, sid, exp: r.exp! }, f.d.now)).toBeUndefined();
      } else {
        // The setup the new server gave the master, relayed as the answer to this request.
        expect(answer).toMatchObject({ type: 'setup', srv: to.addr, sid, off: 123_400 });
        expect([...(answer as MessageOf<'setup'>).sk!]).toEqual([...p.sk]);
        expect([...(answer as MessageOf<'setup'>).cookie]).toEqual(new Array(8).fill(3));
      }
      // No forward, no new assignment: the stream keeps its record.
      expect(ofType(f.d.sent, 'forward')).toEqual([]);
      expect(f.master.assignmentCount()).toBe(1);
      f.d.advance(5);
      to.track({ sid, n: 1, ev: 'play', when: f.d.now, npt: 800, scale: 1000, client: CLIENT, file: FILE });
      expect(f.d.eventsOf('handoff')).toMatchObject([{ sid, from: from.addr, to: to.addr, why: 'failure', npt: 800, computed: lastHeard - p.t0, by: 'master' }]);
    });
  }

  it('the client notices first: asking with `prev`, it is sent elsewhere under the same stream id, and the master reports a handoff by the client from the last time it heard the server', () => {
    const p = playing({ pollInterval: INTERVAL });
    const { f, from, sid, others } = p;
    live(f, 350, [[from, [sid]], ...others.map((s) => [s, []] as const)]);
    const lastHeard = f.master.serverView(from.addr)!.lastHeard;
    f.d.advance(1);
    const r = f.answer(CLIENT, FILE, { mode: 'redirect', prev: sid, off: 200_000, avoid: [from.addr] }) as MessageOf<'redirect'>;
    expect(r).toMatchObject({ type: 'redirect', sid });
    expect(r.srv).not.toBe(from.addr);
    expect([...r.sk!]).toEqual([...p.sk]);
    serverAt(p, r.srv).track({ sid, n: 1, ev: 'play', when: f.d.now, npt: 400, scale: 1000, client: CLIENT, file: FILE });
    expect(f.d.eventsOf('handoff')).toMatchObject([{ sid, from: from.addr, to: r.srv, why: 'failure', npt: 400, computed: lastHeard - p.t0, by: 'client' }]);
    expect(f.master.assignmentView(sid)!.server).toBe(r.srv);
  });

  it('`prev` naming a stream of another client (or another file) resumes nothing: a new stream id', () => {
    const p = playing();
    const other = p.f.answer('10.0.2.2:6000', FILE, { mode: 'redirect', prev: p.sid }) as MessageOf<'redirect'>;
    expect(other.sid).not.toBe(p.sid);
    expect(p.f.master.assignmentView(p.sid)!.client).toBe(CLIENT);
  });
});

describe('failover: overload (S2.5b)', () => {
  it('the newest streams move first, until what stays fits; a report while they move starts no more', () => {
    const f = new MasterFixture({ config: { pollInterval: NO_POLLS } });
    const busy = f.addServer({ files: [file(FILE, SIZE)] });
    const clients = ['10.0.2.1:6000', '10.0.2.2:6000', '10.0.2.3:6000'];
    const sids: number[] = [];
    for (const client of clients) {
      const r = f.answer(client, FILE) as MessageOf<'redirect'>;
      busy.track({ sid: r.sid, n: 1, ev: 'play', when: f.d.now, npt: 0, scale: 1000, client, file: FILE });
      sids.push(r.sid);
      f.d.advance(10);
    }
    f.addServer({ files: [file(FILE, SIZE)] });
    // 3 × 4 Mbit/s committed, capacity 5 Mbit/s: 7 Mbit/s too many, so two streams go.
    busy.load({ sids, streams: 3, bw: 3 * RATE, cap: 5_000_000, state: 'overloaded' });
    expect(f.d.eventsOf('server-overloaded').map((e) => e.srv)).toEqual([busy.addr]);
    expect(f.d.eventsOf('migrate')).toMatchObject([
      { sid: sids[2], srv: busy.addr, why: 'overload', committed: 3 * RATE, cap: 5_000_000, rate: RATE },
      { sid: sids[1], srv: busy.addr, why: 'overload', committed: 3 * RATE, cap: 5_000_000, rate: RATE },
    ]);
    expect(f.d.eventsOf('handoff-start').map((e) => [e.sid, e.why])).toEqual([[sids[2], 'overload'], [sids[1], 'overload']]);
    busy.load({ sids, streams: 3, bw: 3 * RATE, cap: 5_000_000, state: 'overloaded' });
    expect(f.d.eventsOf('migrate')).toHaveLength(2);
  });

  it('committed bandwidth above capacity counts as overload even when the server does not say so', () => {
    const p = playing();
    p.from.load({ sids: [p.sid], streams: 1, bw: RATE, cap: RATE - 1 });
    expect(p.f.d.eventsOf('migrate').map((e) => e.sid)).toEqual([p.sid]);
  });

  it('a report within capacity relieves the server: it is chosen again', () => {
    const p = playing({ servers: 1 });
    p.from.load({ sids: [p.sid], streams: 1, bw: RATE, cap: 1000 });
    expect(p.f.master.serverView(p.from.addr)!.state).toBe('overloaded');
    expect(p.f.ask('10.0.2.5:6000', FILE)[0]).toMatchObject({ type: 'error', code: 'no-capacity' });
    p.from.load({ sids: [p.sid], streams: 1, bw: RATE });
    expect(p.f.master.serverView(p.from.addr)!.state).toBe('up');
    expect(p.f.redirectedTo('10.0.2.6:6000', FILE)).toBe(p.from.addr);
  });
});

describe('failover: operators\' orders (`control`)', () => {
  const control = (p: Playing, m: Omit<MessageOf<'control'>, 'type' | 'rid'>, rid = 5) => ofType(operatorControl(p.f, { rid, ...m }), 'control-result');

  it('drain: the order goes to the server, with a MAC; the operator is told', () => {
    const p = playing({ key: KEY });
    const out = operatorControl(p.f, { rid: 9, op: 'drain', srv: p.from.addr });
    expect(ofType(out, 'order')).toMatchObject([{ to: p.from.addr, op: 'drain' }]);
    expect(out.find((s) => s.msg?.type === 'order')!.mac).toBe(true);
    const reply = out.find((s) => s.msg?.type === 'control-result')!;
    expect(reply.to).toBe(OPERATOR);
    expect(reply.mac).toBe(true);
    expect(reply.msg).toMatchObject({ rid: 9, ok: true });
    expect(p.f.d.eventsOf('order')).toMatchObject([{ op: 'drain', srv: p.from.addr, streams: 1 }]);
  });

  it('capacity: the order carries it; without a capacity, bad-request; an unknown server, unknown-server', () => {
    const p = playing();
    const out = operatorControl(p.f, { rid: 1, op: 'capacity', srv: p.from.addr, cap: 2_000_000 });
    expect(ofType(out, 'order')).toMatchObject([{ to: p.from.addr, op: 'capacity', cap: 2_000_000 }]);
    expect(ofType(out, 'control-result')).toMatchObject([{ ok: true }]);
    expect(control(p, { op: 'capacity', srv: p.from.addr })).toMatchObject([{ ok: false, code: 'bad-request' }]);
    expect(control(p, { op: 'capacity', srv: '10.9.9.9:1', cap: 1 })).toMatchObject([{ ok: false, code: 'unknown-server' }]);
    expect(control(p, { op: 'drain', srv: '10.9.9.9:1' })).toMatchObject([{ ok: false, code: 'unknown-server' }]);
  });

  it('handoff: an unknown stream, an unknown server, the server it already plays at: refused with a code', () => {
    const p = playing();
    expect(control(p, { op: 'handoff', sid: 12345 })).toMatchObject([{ ok: false, code: 'unknown-stream' }]);
    expect(control(p, { op: 'handoff' })).toMatchObject([{ ok: false, code: 'unknown-stream' }]);
    expect(control(p, { op: 'handoff', sid: p.sid, srv: '10.9.9.9:1' })).toMatchObject([{ ok: false, code: 'unknown-server' }]);
    expect(control(p, { op: 'handoff', sid: p.sid, srv: p.from.addr })).toMatchObject([{ ok: false, code: 'bad-request' }]);
    expect(ofType(p.f.d.sent, 'establish')).toEqual([]);
  });

  it('handoff to a named server: established there first; without one, the master chooses', () => {
    const p = playing();
    const target = p.others[1]!;
    p.f.d.advance(250);
    expect(control(p, { op: 'handoff', sid: p.sid, srv: target.addr })).toMatchObject([{ ok: true }]);
    expect(last(p.f.d.sent, 'establish')).toMatchObject({ to: target.addr, sid: p.sid, npt: 250, why: 'operator' });
    expect(p.f.d.eventsOf('handoff-start')).toMatchObject([{ sid: p.sid, why: 'operator', to: target.addr }]);
    // A second order while it moves: refused, saying so, and nothing more is sent (it is under way).
    expect(control(p, { op: 'handoff', sid: p.sid })).toMatchObject([{ ok: false, msg: expect.stringContaining('already moving') }]);
    expect(ofType(p.f.d.sent, 'establish')).toHaveLength(1);

    const q = playing();
    expect(control(q, { op: 'handoff', sid: q.sid })).toMatchObject([{ ok: true }]);
    expect(q.others.map((s) => s.addr)).toContain(last(q.f.d.sent, 'establish')!.to);
  });

  it('with a cluster key, `control` without a MAC or with a wrong one is dropped, unanswered', () => {
    const p = playing({ key: KEY });
    const m = { rid: 1, op: 'drain', srv: p.from.addr } as const;
    expect(operatorControl(p.f, m, null)).toEqual([]);
    expect(operatorControl(p.f, m, testAuth('another key'))).toEqual([]);
    expect(p.f.master.dropped.get('missing-mac')).toBe(1);
    expect(p.f.master.dropped.get('bad-mac')).toBe(1);
    expect(p.f.d.eventsOf('order')).toEqual([]);
  });
});

describe('failover: the handoff table (drawn in the spec)', () => {
  it('every state is reachable from establishing, and done and failed are final', () => {
    const e = edges(HANDOFF_TABLE);
    const reach = new Set(['establishing']);
    for (let changed = true; changed; ) {
      changed = false;
      for (const [from, , to] of e) {
        if (reach.has(from) && !reach.has(to)) {
          reach.add(to);
          changed = true;
        }
      }
    }
    expect([...reach].sort()).toEqual(['done', 'establishing', 'failed', 'moving']);
    expect(e.filter(([from]) => from === 'done' || from === 'failed')).toEqual([]);
  });
});

describe('failover: regressions', () => {
  // The master forgot a stream whose old server stopped listing it (or left) after the client had been
  // sent to the new server but before that one reported it playing: the handoff was reported failed,
  // and the stream's key and position were lost.
  it('the old server lets the stream go, or leaves, while the client moves: the record lives on and the handoff completes', () => {
    const p = playing({ key: KEY });
    const { f, from, sid } = p;
    from.load({ state: 'draining', sids: [sid], streams: 1, bw: RATE });
    const to = serverAt(p, last(f.d.sent, 'establish')!.to);
    answerEstablish(p, to);
    from.load({ state: 'draining', sids: [], streams: 0, bw: 0 });
    from.leave();
    expect(f.d.eventsOf('server-left').map((e) => e.srv)).toEqual([from.addr]);
    expect(f.master.assignmentView(sid)).toBeDefined();
    to.track({ sid, n: 1, ev: 'play', when: f.d.now, npt: 10, scale: 1000, client: CLIENT, file: FILE });
    expect(f.d.eventsOf('handoff')).toMatchObject([{ sid, from: from.addr, to: to.addr, by: 'master' }]);
    expect(f.d.eventsOf('handoff-failed')).toEqual([]);
    expect([...f.master.assignmentView(sid)!.sk!]).toEqual([...p.sk]);
  });

  // A stream that played at another server without a handoff under way (the move had timed out) was
  // given the position at the new server's play as "computed", as if the old server had kept streaming.
  it('a handoff completed after its move timed out: computed at the last time the old server was heard', () => {
    const p = playing({ pollInterval: 100 });
    const { f, from, sid, others } = p;
    live(f, 350, [[from, [sid]], ...others.map((s) => [s, []] as const)]);
    const lastHeard = f.master.serverView(from.addr)!.lastHeard;
    const r = f.answer(CLIENT, FILE, { mode: 'redirect', prev: sid, avoid: [from.addr] }) as MessageOf<'redirect'>;
    live(f, HANDOFF_TIMEOUT + 100, others.map((s) => [s, []] as const));
    expect(f.d.eventsOf('handoff-failed')).toMatchObject([{ sid }]);
    serverAt(p, r.srv).track({ sid, n: 1, ev: 'play', when: f.d.now, npt: 500, scale: 1000, client: CLIENT, file: FILE });
    expect(f.d.eventsOf('handoff')).toMatchObject([{ sid, to: r.srv, computed: lastHeard - p.t0, by: 'client' }]);
  });

  // A client that asked again, avoiding the server of the handoff under way (it had refused the
  // client, or never answered), was sent back to that server on every request until the handoff
  // timed out.
  it('a client asking again while avoiding the server it was sent to: that handoff is given up, the client is sent elsewhere', () => {
    const p = playing();
    const { f, from, sid } = p;
    from.load({ state: 'draining', sids: [sid], streams: 1, bw: RATE });
    const to = serverAt(p, last(f.d.sent, 'establish')!.to);
    answerEstablish(p, to);
    expect(f.answer(CLIENT, FILE, { mode: 'redirect', prev: sid, avoid: [from.addr] })).toMatchObject({ srv: to.addr, sid });
    const third = p.others.find((s) => s !== to)!;
    expect(f.answer(CLIENT, FILE, { mode: 'redirect', prev: sid, avoid: [from.addr, to.addr] })).toMatchObject({ srv: third.addr, sid });
    expect(f.d.eventsOf('handoff-failed')).toMatchObject([{ sid, to: to.addr, reason: 'the client could not get the stream from the new server' }]);
    third.track({ sid, n: 1, ev: 'play', when: f.d.now, npt: 20, scale: 1000, client: CLIENT, file: FILE });
    expect(f.d.eventsOf('handoff')).toMatchObject([{ sid, from: from.addr, to: third.addr, by: 'client' }]);
  });

  // A server numbers a stream's events from 1 afresh when the stream comes back to it after it had
  // ended there: the master took the new `play` for a repeat of an old event, acknowledged it, and
  // never saw the stream play there.
  it('a stream back at a server it left, numbered from 1 again, is followed; an old duplicate is not', () => {
    const p = playing();
    const { f, from, sid } = p;
    f.d.advance(100);
    const r = f.answer(CLIENT, FILE, { mode: 'redirect', prev: sid, avoid: [from.addr] }) as MessageOf<'redirect'>;
    const second = serverAt(p, r.srv);
    second.track({ sid, n: 1, ev: 'play', when: f.d.now, npt: 100, scale: 1000, client: CLIENT, file: FILE });
    expect(ofType(from.track({ sid, n: 2, ev: 'end', when: f.d.now, scale: 1000, code: 'teardown' }), 'track-ack')).toMatchObject([{ n: 2 }]);
    // A late duplicate of the first server's old play changes nothing.
    expect(ofType(from.track({ sid, n: 1, ev: 'play', when: p.t0, npt: 0, scale: 1000, client: CLIENT, file: FILE }), 'track-ack')).toMatchObject([{ n: 2 }]);
    expect(f.master.assignmentView(sid)!.server).toBe(second.addr);
    // Later an operator moves it back to the first server, which numbers its events from 1.
    f.d.advance(1000);
    expect(ofType(operatorControl(f, { rid: 3, op: 'handoff', sid, srv: from.addr }), 'control-result')).toMatchObject([{ ok: true }]);
    answerEstablish(p, from);
    expect(ofType(f.d.sent, 'move').at(-1)).toMatchObject({ to: second.addr, srv: from.addr });
    expect(ofType(from.track({ sid, n: 1, ev: 'play', when: f.d.now, npt: 1100, scale: 1000, client: CLIENT, file: FILE }), 'track-ack')).toMatchObject([{ n: 1 }]);
    expect(f.d.eventsOf('handoff').map((e) => [e.from, e.to])).toEqual([[from.addr, second.addr], [second.addr, from.addr]]);
    expect(f.master.assignmentView(sid)!.server).toBe(from.addr);
  });
});
