/**
 * The media server's part in a handoff (S2, §10), driven message by message:
 * establishment at a position, the move relayed to the client, drain and the
 * change indicator, capacity orders, stream adjustments, stream control events
 * for the master, and the global chunk grid.
 */
import { describe, expect, it } from 'vitest';
import { encode } from '../../src/protocol/codec.js';
import {
  ACK_INTERVAL,
  DATA_CHUNK,
  DRAIN_TIMEOUT,
  PACING_BURST,
  SERVER_HOUSEKEEPING,
  TRACK_ATTEMPTS,
  TRACK_RETRY,
} from '../../src/protocol/constants.js';
import type { MessageOf } from '../../src/protocol/messages.js';
import type { MediaFile } from '../../src/roles/server/server.js';
import { offsetsAt } from '../../src/roles/server/stream.js';
import { Tracker } from '../../src/roles/server/tracker.js';
import { KEY, ofType, testAuth } from '../helpers/roleDriver.js';
import { CLIENT, dataOf, MASTER, NAME, ServerFixture } from '../helpers/serverFixture.js';

const RATE = 4_000_000;
const MOVIE: MediaFile = { name: 'movie.ts', size: 50_000_000, rate: RATE };
const SHOW: MediaFile = {
  name: 'show',
  size: 10_000_000 + 320_000,
  rate: RATE + 128_000,
  flows: [
    { name: 'show.video', size: 10_000_000, rate: RATE },
    { name: 'show.audio', size: 320_000, rate: 128_000 },
  ],
};

/** A registered server (with the cluster key unless `key` is null) holding the movie and the two-flow show. */
function registered(o: { key?: string | null; cap?: number; files?: MediaFile[] } = {}): ServerFixture {
  return new ServerFixture({ key: o.key === null ? undefined : (o.key ?? KEY), cap: o.cap, files: o.files ?? [MOVIE, SHOW] }).register();
}

const establish = (sid: number, file: string, npt: number, o: Partial<MessageOf<'establish'>> = {}): MessageOf<'establish'> => ({ type: 'establish', rid: 31, sid, file, client: CLIENT, npt, scale: 1000, why: 'drain', ...o });

/** Establish stream `sid` and play it from the client at `offs`; the setup the master got. */
function establishAndPlay(f: ServerFixture, sid: number, file: string, npt: number, offs: number[]): MessageOf<'setup'> {
  const setup = ofType(f.fromMaster(establish(sid, file, npt)), 'setup')[0]!;
  f.d.datagram(CLIENT, { type: 'play', sid, cookie: setup.cookie, off: offs[0]!, ...(offs.length > 1 ? { offs } : {}) });
  return setup;
}

describe('server: establishment (S2.6)', () => {
  it('sets the stream up at the offsets of the position, every flow at its own rate, and answers the master', () => {
    const f = registered();
    const out = f.fromMaster(establish(40, 'show', 1234));
    const setup = ofType(out, 'setup');
    // 1234 ms: video 1234 × 4000000/8000 = 617000; audio 1234 × 128000/8000 = 19744.
    expect(setup).toMatchObject([{ to: MASTER, rid: 31, sid: 40, file: 'show', srv: NAME, size: 10_000_000, rate: RATE, chunk: DATA_CHUNK, off: 617_000, offs: [617_000, 19_744] }]);
    expect(setup[0]!.flows).toEqual([['show.video', 10_000_000, RATE], ['show.audio', 320_000, 128_000]]);
    expect(out.find((s) => s.msg?.type === 'setup')!.mac).toBe(true);
    expect(f.d.eventsOf('establish')).toMatchObject([{ sid: 40, client: CLIENT, file: 'show', npt: 1234, offs: [617_000, 19_744], why: 'drain' }]);
    expect(f.server.streamView(40)).toMatchObject({ state: 'set-up', client: CLIENT, scale: 1000 });
    // Nothing is streamed before the client plays, and the client plays from its own position.
    expect(dataOf(f.d.advance(SERVER_HOUSEKEEPING))).toEqual([]);
    f.d.datagram(CLIENT, { type: 'play', sid: 40, cookie: setup[0]!.cookie, off: 616_000, offs: [616_000, 19_000] });
    const data = dataOf(f.d.advance(5));
    expect(data.filter((d) => (d.fl ?? 0) === 0)[0]).toMatchObject({ off: 616_000 });
    expect(data.filter((d) => d.fl === 1)[0]).toMatchObject({ off: 19_000 });
  });

  it('at a scale: the stream is set up at that scale (the rate in effect when it moved)', () => {
    const f = registered();
    const setup = ofType(f.fromMaster(establish(41, 'movie.ts', 2000, { scale: 1500 })), 'setup');
    expect(setup).toMatchObject([{ off: 1_000_000, scale: 1500 }]);
    expect(f.server.committed()).toBe(RATE * 1.5);
  });

  it('refuses while draining (shutting-down), a file it does not hold (not-found), beyond its capacity (no-capacity)', () => {
    const f = registered({ cap: 2 * RATE + 1 });
    const code = (m: MessageOf<'establish'>) => ofType(f.fromMaster(m), 'error').map((e) => [e.rid, e.code]);
    expect(code(establish(50, 'nothing.ts', 0, { rid: 1 }))).toEqual([[1, 'not-found']]);
    f.play('movie.ts'); // one stream: room left for the movie, not for the show
    expect(code(establish(51, 'show', 0, { rid: 2 }))).toEqual([[2, 'no-capacity']]);
    f.d.command({ type: 'drain' }); // with a stream to hand off, it drains rather than stopping at once
    expect(code(establish(52, 'movie.ts', 0, { rid: 3 }))).toEqual([[3, 'shutting-down']]);
    expect(f.server.streamCount()).toBe(1);
    expect(f.server.stats.refused).toBe(3);
  });

  it('an establish without the master\'s MAC, or from another address, is dropped', () => {
    const f = registered();
    expect(f.d.datagram(MASTER, encode(establish(60, 'movie.ts', 0)))).toEqual([]);
    expect(f.d.datagram(MASTER, testAuth('another key').encode(establish(60, 'movie.ts', 0), f.d.now))).toEqual([]);
    expect(f.d.control('10.6.6.6:4000', establish(60, 'movie.ts', 0), f.auth)).toEqual([]);
    expect(f.server.streamCount()).toBe(0);
    expect([f.server.dropped.get('missing-mac'), f.server.dropped.get('bad-mac'), f.server.dropped.get('unexpected-message')]).toEqual([1, 1, 1]);
  });
});

describe('server: move → switch (§10.6)', () => {
  const move = (sid: number): MessageOf<'move'> => ({ type: 'move', sid, srv: '10.0.1.2:5000', cookie: new Uint8Array(8).fill(6), off: 4400, offs: [4400, 141], npt: 8, scale: 1000, tok: new Uint8Array(16).fill(2), exp: 1_800_000_000_000, why: 'overload' });

  it('relays a switch to the client with the move\'s fields, and keeps streaming until the client tears down', () => {
    const f = registered();
    const s = f.play('movie.ts');
    const out = f.fromMaster(move(s.sid));
    const sw = ofType(out, 'switch');
    const { type: _t, cookie, tok, ...fields } = move(s.sid);
    expect(sw).toMatchObject([{ ...fields, to: CLIENT }]);
    expect([...sw[0]!.cookie]).toEqual([...cookie]);
    expect([...sw[0]!.tok]).toEqual([...tok]);
    expect(f.d.eventsOf('stream-move')).toMatchObject([{ sid: s.sid, client: CLIENT, to: '10.0.1.2:5000', why: 'overload', npt: 8 }]);
    expect(f.server.streamView(s.sid)!.movingTo).toBe('10.0.1.2:5000');
    f.ack(s.sid, 0);
    expect(dataOf(f.d.advance(50), s.sid).length).toBeGreaterThan(0);
    f.d.datagram(CLIENT, { type: 'teardown', sid: s.sid });
    expect(f.server.streamView(s.sid)).toBeUndefined();
  });

  it('a move for a stream that does not play here is dropped; a move without a MAC is dropped', () => {
    const f = registered();
    expect(ofType(f.fromMaster(move(999)), 'switch')).toEqual([]);
    const s = f.play('movie.ts');
    expect(ofType(f.d.datagram(MASTER, encode(move(s.sid))), 'switch')).toEqual([]);
    expect(f.server.stats.moved).toBe(0);
  });
});

describe('server: drain (S2.5c)', () => {
  it('marks every data packet with the change indicator, reports draining, and stops once its last stream has gone', () => {
    const f = registered();
    const s = f.play('movie.ts');
    f.ack(s.sid, 0);
    expect(dataOf(f.d.advance(10), s.sid).every((d) => d.ch === undefined)).toBe(true);
    const out = f.d.command({ type: 'drain' });
    expect(ofType(out, 'load')).toMatchObject([{ to: MASTER, state: 'draining', sids: [s.sid] }]);
    expect(f.d.eventsOf('draining')).toMatchObject([{ streams: 1 }]);
    expect(f.server.selfState()).toBe('draining');
    const marked = dataOf(f.d.advance(20), s.sid);
    expect(marked.length).toBeGreaterThan(0);
    expect(marked.every((d) => d.ch === true)).toBe(true);
    // New streams are refused meanwhile.
    expect(ofType(f.fromMaster(establish(70, 'movie.ts', 0)), 'error')).toMatchObject([{ code: 'shutting-down' }]);
    // Its last stream gone, it stops at once.
    const after = f.d.datagram(CLIENT, { type: 'teardown', sid: s.sid });
    expect(f.d.eventsOf('drained')).toMatchObject([{ left: 0, level: 'info' }]);
    expect(f.server.state).toBe('stopped');
    expect(ofType(after, 'leave')).toHaveLength(1);
    expect(f.server.pollTimeout()).toBeUndefined();
  });

  it(`stops after DRAIN_TIMEOUT (${DRAIN_TIMEOUT} ms) with streams left: \`end\` shutting-down to their clients`, () => {
    const f = registered();
    const s = f.play('movie.ts');
    f.d.command({ type: 'drain' });
    const t = f.d.now;
    for (let i = 0; f.d.now < t + DRAIN_TIMEOUT - ACK_INTERVAL; i++) {
      f.d.advance(ACK_INTERVAL);
      f.ack(s.sid, 0); // the client is there, but no switch reaches it
    }
    expect(f.d.eventsOf('drained')).toEqual([]);
    expect(f.server.state).not.toBe('stopped');
    const out = f.d.advance(2 * ACK_INTERVAL);
    expect(f.d.eventsOf('drained')).toMatchObject([{ left: 1, level: 'warn' }]);
    expect(f.d.eventsOf('drained')[0]!.ms).toBe(DRAIN_TIMEOUT);
    expect(ofType(out, 'end')).toMatchObject([{ to: CLIENT, sid: s.sid, code: 'shutting-down' }]);
    expect(f.server.state).toBe('stopped');
  });

  it('an order to drain from the master does the same; a repeated one changes nothing', () => {
    const f = registered();
    f.play('movie.ts');
    expect(ofType(f.fromMaster({ type: 'order', op: 'drain' }), 'load')).toMatchObject([{ state: 'draining' }]);
    expect(ofType(f.fromMaster({ type: 'order', op: 'drain' }), 'load')).toEqual([]);
    expect(f.d.eventsOf('draining')).toHaveLength(1);
  });
});

describe('server: capacity (S2.5b)', () => {
  it('an order below what it carries: an overloaded report at once; back above: up again', () => {
    const f = registered();
    f.play('movie.ts');
    const out = f.fromMaster({ type: 'order', op: 'capacity', cap: RATE - 1 });
    expect(ofType(out, 'load')).toMatchObject([{ state: 'overloaded', cap: RATE - 1, bw: RATE }]);
    expect(f.d.eventsOf('capacity')).toMatchObject([{ cap: RATE - 1, committed: RATE, state: 'overloaded' }]);
    const back = f.d.command({ type: 'capacity', cap: 2 * RATE });
    const load = ofType(back, 'load');
    expect(load).toHaveLength(1);
    expect(load[0]!.state).toBeUndefined();
    expect(f.server.cap).toBe(2 * RATE);
  });
});

describe('server: stream adjustments (S2.1)', () => {
  it('applies a new scale, acknowledges it by number, tells the master; a repeat is acknowledged again and applied once', () => {
    const f = registered();
    const s = f.play('movie.ts');
    const out = f.d.datagram(CLIENT, { type: 'adjust', sid: s.sid, n: 1, scale: 2000 });
    expect(ofType(out, 'adjust-ack')).toMatchObject([{ to: CLIENT, sid: s.sid, n: 1, scale: 2000 }]);
    expect(ofType(out, 'track')).toMatchObject([{ to: MASTER, sid: s.sid, n: 2, ev: 'adjust', when: Math.floor(f.d.now), scale: 2000 }]);
    expect(f.server.committed()).toBe(2 * RATE);
    const again = f.d.datagram(CLIENT, { type: 'adjust', sid: s.sid, n: 1, scale: 2000 });
    expect(ofType(again, 'adjust-ack')).toMatchObject([{ n: 1, scale: 2000 }]);
    expect(ofType(again, 'track')).toEqual([]);
    expect(f.d.eventsOf('stream-adjust')).toHaveLength(1);
    // An older number is answered with where the stream stands.
    expect(ofType(f.d.datagram(CLIENT, { type: 'adjust', sid: s.sid, n: 0, scale: 500 }), 'adjust-ack')).toMatchObject([{ n: 1, scale: 2000 }]);
  });

  it('refuses a faster rate beyond its capacity (no-capacity) and keeps the old one; a slower one is always taken', () => {
    const f = registered({ cap: 1.5 * RATE });
    const s = f.play('movie.ts');
    const out = f.d.datagram(CLIENT, { type: 'adjust', sid: s.sid, n: 1, scale: 2000 });
    expect(ofType(out, 'error')).toMatchObject([{ to: CLIENT, sid: s.sid, code: 'no-capacity' }]);
    expect(ofType(out, 'adjust-ack')).toEqual([]);
    expect(f.server.streamView(s.sid)!.scale).toBe(1000);
    expect(ofType(f.d.datagram(CLIENT, { type: 'adjust', sid: s.sid, n: 2, scale: 500 }), 'adjust-ack')).toMatchObject([{ n: 2, scale: 500 }]);
  });

  it('an adjustment from another address, or for a stream not playing, is dropped', () => {
    const f = registered();
    const s = f.play('movie.ts');
    expect(f.d.datagram('10.6.6.6:6000', { type: 'adjust', sid: s.sid, n: 1, scale: 16_000 })).toEqual([]);
    expect(f.d.datagram(CLIENT, { type: 'adjust', sid: 4242, n: 1, scale: 16_000 })).toEqual([]);
    expect(f.server.streamView(s.sid)!.scale).toBe(1000);
  });

  it('paces at rate × scale, counting payload only: resent data does not move the stream on (S2.3)', () => {
    const f = registered({ key: null });
    const s = f.play('movie.ts');
    f.d.datagram(CLIENT, { type: 'adjust', sid: s.sid, n: 1, scale: 2000 });
    const start = f.server.streamView(s.sid)!.flows[0]!.sendPos;
    // One second at 2 × 4 Mbit/s of payload is 1 000 000 bytes, give or take a pacing burst; the client
    // reports a chunk missing every ack interval, and its resends come on top.
    for (let t = 0; t < 1000; t += ACK_INTERVAL) {
      f.d.advance(ACK_INTERVAL);
      const pos = f.server.streamView(s.sid)!.flows[0]!.sendPos;
      f.ack(s.sid, 0, pos, [[0, DATA_CHUNK]]);
    }
    const flow = f.server.streamView(s.sid)!.flows[0]!;
    expect(Math.abs(flow.sendPos - start - 1_000_000)).toBeLessThanOrEqual(PACING_BURST);
    expect(flow.bytesResent).toBeGreaterThan(0);
    expect(flow.bytesSent).toBe(flow.sendPos);
  });
});

describe('server: stream control events for the master (§10.4)', () => {
  it('play: numbered, with its time, position, scale, client and item; sent again every TRACK_RETRY until acknowledged', () => {
    const f = registered();
    const setup = ofType(f.request('show'), 'setup')[0]!;
    const t = Math.floor(f.d.now);
    const out = f.d.datagram(CLIENT, { type: 'play', sid: setup.sid, cookie: setup.cookie, off: 617_000, offs: [617_000, 19_744] });
    const track = ofType(out, 'track');
    // Flow 0's position: 617000 × 8000 / 4000000 = 1234 ms.
    expect(track).toMatchObject([{ to: MASTER, sid: setup.sid, n: 1, ev: 'play', when: t, npt: 1234, scale: 1000, client: CLIENT, file: 'show' }]);
    expect(out.find((x) => x.msg?.type === 'track')!.mac).toBe(true);
    const resent = ofType(f.d.advance(TRACK_RETRY), 'track');
    expect(resent).toMatchObject([{ n: 1, ev: 'play', when: t }]);
    f.fromMaster({ type: 'track-ack', sid: setup.sid, n: 1 });
    expect(ofType(f.d.advance(3 * TRACK_RETRY), 'track')).toEqual([]);
    expect(f.server.tracker.pending).toBe(0);
  });

  it('acks are cumulative: one ack retires every event up to its number', () => {
    const f = registered();
    const s = f.play('movie.ts');
    f.d.datagram(CLIENT, { type: 'adjust', sid: s.sid, n: 1, scale: 2000 });
    f.d.datagram(CLIENT, { type: 'adjust', sid: s.sid, n: 2, scale: 1000 });
    expect(f.server.tracker.pending).toBe(3);
    f.fromMaster({ type: 'track-ack', sid: s.sid, n: 2 });
    expect(f.server.tracker.pending).toBe(1);
    expect(ofType(f.d.advance(TRACK_RETRY), 'track').map((e) => e.n)).toEqual([3]);
  });

  it(`unacknowledged events are given up after TRACK_ATTEMPTS (${TRACK_ATTEMPTS}) resends`, () => {
    const f = registered();
    f.play('movie.ts');
    const resends = ofType(f.d.advance((TRACK_ATTEMPTS + 3) * TRACK_RETRY), 'track');
    expect(resends).toHaveLength(TRACK_ATTEMPTS);
    expect(f.server.tracker.lost).toBe(1);
    expect(f.server.tracker.pending).toBe(0);
  });

  it('end: on teardown, with why', () => {
    const f = registered();
    const s = f.play('movie.ts');
    f.fromMaster({ type: 'track-ack', sid: s.sid, n: 1 });
    const out = f.d.datagram(CLIENT, { type: 'teardown', sid: s.sid });
    expect(ofType(out, 'track')).toMatchObject([{ sid: s.sid, n: 2, ev: 'end', code: 'teardown' }]);
  });

  // Regression: a stream served again at a server before its `end` there was acknowledged was
  // forgotten with that acknowledgement, and its next events were numbered from 1 again.
  it('a stream played again after its end keeps its numbering through the end\'s acknowledgement', () => {
    const t = new Tracker();
    t.add(9, { ev: 'play', when: 1, scale: 1000 }, 0);
    t.add(9, { ev: 'end', when: 2, scale: 1000 }, 0);
    expect(t.add(9, { ev: 'play', when: 3, scale: 1000 }, 0).n).toBe(3);
    t.ack(9, 3);
    expect(t.add(9, { ev: 'adjust', when: 4, scale: 500 }, 0).n).toBe(4);
  });
});

describe('server: the global chunk grid', () => {
  it('a flow started mid-chunk first sends the rest of that chunk, then whole chunks on the grid', () => {
    const f = registered({ key: null });
    const setup = ofType(f.request('movie.ts', { off: 1000 }), 'setup')[0]!;
    f.d.datagram(CLIENT, { type: 'play', sid: setup.sid, cookie: setup.cookie, off: 1000 });
    const data = dataOf(f.d.advance(2), setup.sid);
    expect(data.slice(0, 3).map((d) => [d.off, d.data.length])).toEqual([[1000, DATA_CHUNK - 1000], [DATA_CHUNK, DATA_CHUNK], [2 * DATA_CHUNK, DATA_CHUNK]]);
  });

  it('an establishment at a position off the grid: the same, on every flow', () => {
    const f = registered({ key: null });
    // 7 ms: video 3500 bytes (3 × 1100 + 200), audio 112 bytes.
    expect(offsetsAt(SHOW.flows!, 7)).toEqual([3500, 112]);
    establishAndPlay(f, 80, 'show', 7, [3500, 112]);
    const data = dataOf(f.d.advance(2), 80);
    const video = data.filter((d) => (d.fl ?? 0) === 0).map((d) => [d.off, d.data.length]);
    const audio = data.filter((d) => d.fl === 1).map((d) => [d.off, d.data.length]);
    expect(video.slice(0, 2)).toEqual([[3500, 4 * DATA_CHUNK - 3500], [4 * DATA_CHUNK, DATA_CHUNK]]);
    expect(audio[0]).toEqual([112, DATA_CHUNK - 112]);
  });

  it('resends are whole chunks of the grid, whatever range the client reports', () => {
    const f = registered({ key: null });
    const s = f.play('movie.ts');
    f.d.advance(5);
    const out = f.ack(s.sid, 0, 5 * DATA_CHUNK, [[DATA_CHUNK + 400, 10], [3 * DATA_CHUNK + 1099, 1]]);
    const resent = dataOf([...out, ...f.d.advance(10)], s.sid).filter((d) => d.re);
    expect(resent.map((d) => [d.off, d.data.length])).toEqual([[DATA_CHUNK, DATA_CHUNK], [3 * DATA_CHUNK, DATA_CHUNK]]);
  });
});
