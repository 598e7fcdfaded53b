/**
 * Regression tests of the handoff, each named after what broke.
 */
import { describe, expect, it } from 'vitest';
import { DATA_CHUNK, HANDOFF_TIMEOUT, POLL_INTERVAL } from '../../src/protocol/constants.js';
import type { MessageOf } from '../../src/protocol/messages.js';
import { ClientFixture, FILE, M1, SRV1 } from '../helpers/clientFixture.js';
import { file, MasterFixture } from '../helpers/masterFixture.js';
import { ofType } from '../helpers/roleDriver.js';
import { CLIENT as SERVER_CLIENT, ServerFixture } from '../helpers/serverFixture.js';

const CLIENT = '10.0.2.1:6000';
const SIZE = 10_000_000;

/** A master with `n` servers holding FILE, and a stream playing at the one it chose. */
function playing(n = 3, cap?: number) {
  const f = new MasterFixture({ config: { pollInterval: 60_000 } });
  const servers = Array.from({ length: n }, () => f.addServer({ files: [file(FILE, SIZE)], ...(cap ? { cap } : {}) }));
  const r = f.answer(CLIENT, FILE, { mode: 'redirect' }) as MessageOf<'redirect'>;
  const from = servers.find((s) => s.addr === r.srv)!;
  from.track({ sid: r.sid, n: 1, ev: 'play', when: f.d.now, npt: 0, scale: 1000, client: CLIENT, file: FILE });
  return { f, servers, from, others: servers.filter((s) => s !== from), sid: r.sid };
}

describe('handoff regressions', () => {
  it('a client froze on a slow stream: a silence deadline that is not a whole number of ms woke it for nothing, for ever', () => {
    // 12 kbit/s: eight packet intervals are 5866.67 ms, more than SERVER_SILENCE_TIMEOUT.
    const c = new ClientFixture();
    c.start();
    c.redirect(SRV1, 11);
    c.from(SRV1, { type: 'setup', rid: c.lastRequest().rid, sid: 11, file: FILE, srv: SRV1, size: 100_000, rate: 12_000, chunk: DATA_CHUNK, off: 0, cookie: new Uint8Array(8) });
    c.data(SRV1, 11, 0, 100_000);
    const before = c.d.now;
    c.d.advance(20_000); // the driver gives every timer asked for; a spin would never get there
    expect(c.d.now - before).toBe(20_000);
    expect(c.d.events.some((e) => e.type === 'server-silent')).toBe(true);
    expect(c.d.events.some((e) => e.type === 'server-failed')).toBe(true);
  });

  it('a client spun on its ack timer once the server it was leaving ended the stream while it asked', () => {
    const c = new ClientFixture({}, 5);
    c.start();
    c.redirect(SRV1, 11);
    c.setup(SRV1, SIZE, { sid: 11 });
    c.from(SRV1, { type: 'data', sid: 11, seq: 1, off: 0, data: new Uint8Array(DATA_CHUNK), ch: true });
    c.d.advance(1_000 + 50); // CHANGE_GRACE: it asks, still taking the old server's data
    expect(c.client.state).toBe('asking');
    c.from(SRV1, { type: 'end', sid: 11, code: 'shutting-down' });
    const before = c.d.now;
    c.d.advance(2_000);
    expect(c.d.now - before).toBe(2_000);
  });

  it('a draining server took new streams through request and forward', () => {
    const f = new ServerFixture().register();
    f.play('movie.ts'); // a stream to hand off keeps it draining
    f.d.command({ type: 'drain' });
    expect(ofType(f.request('movie.ts'), 'error').map((e) => e.code)).toEqual(['shutting-down']);
    const fwd = f.fromMaster({ type: 'forward', rid: 3, file: 'movie.ts', client: SERVER_CLIENT, sid: 77, off: 0 });
    expect(ofType(fwd, 'error').map((e) => e.code)).toEqual(['shutting-down']);
  });

  it('a handoff that found no server was started again at every load report', () => {
    const p = playing(1);
    p.from.load({ state: 'draining', sids: [p.sid], streams: 1, bw: 4_000_000 });
    expect(p.f.d.eventsOf('handoff-failed')).toHaveLength(1);
    p.from.load({ state: 'draining', sids: [p.sid], streams: 1, bw: 4_000_000 });
    p.from.load({ state: 'draining', sids: [p.sid], streams: 1, bw: 4_000_000 });
    expect(p.f.d.eventsOf('handoff-start')).toHaveLength(1);
    p.f.d.advance(HANDOFF_TIMEOUT);
    p.from.load({ state: 'draining', sids: [p.sid], streams: 1, bw: 4_000_000 });
    expect(p.f.d.eventsOf('handoff-start')).toHaveLength(2);
  });

  it('a handoff target was chosen for the media rate, not the rate the stream plays at', () => {
    // Capacity 6 Mbit/s: room for the 4 Mbit/s file, not for it at 2x.
    const p = playing(2, 6_000_000);
    p.from.track({ sid: p.sid, n: 2, ev: 'adjust', when: p.f.d.now, scale: 2000 });
    p.from.load({ state: 'draining', sids: [p.sid], streams: 1, bw: 8_000_000 });
    expect(ofType(p.f.d.sent, 'establish')).toHaveLength(0);
    expect(p.f.d.eventsOf('handoff-failed')).toHaveLength(1);
  });

  it('an operator\'s order lost on the way was never sent again', () => {
    const f = new MasterFixture({ config: { pollInterval: POLL_INTERVAL } });
    const s = f.addServer({ files: [file(FILE, SIZE)] });
    f.d.datagram('10.0.9.9:7000', { type: 'control', rid: 1, op: 'drain', srv: s.addr, pad: new Uint8Array(900) });
    expect(ofType(f.sentTo(s.addr), 'order')).toHaveLength(1);
    const mark = f.d.sent.length;
    s.load({}); // not draining yet: the order was lost
    f.d.advance(POLL_INTERVAL);
    expect(ofType(f.sentTo(s.addr, mark), 'order')).toMatchObject([{ op: 'drain' }]);
    s.load({ state: 'draining' });
    const mark2 = f.d.sent.length;
    f.d.advance(POLL_INTERVAL);
    expect(ofType(f.sentTo(s.addr, mark2), 'order')).toHaveLength(0);
  });

  it('a client gave up while the draining server it was leaving still delivered: it stays with it', () => {
    const c = new ClientFixture();
    c.start();
    c.redirect(SRV1, 11);
    c.setup(SRV1, SIZE, { sid: 11 });
    let off = 0;
    const feed = (ms: number) => {
      for (let t = 0; t < ms; t += 50) {
        c.from(SRV1, { type: 'data', sid: 11, seq: 1, off, data: new Uint8Array(DATA_CHUNK), ch: true });
        off += DATA_CHUNK;
        // Every master answers that no server has room.
        for (const r of ofType(c.d.sent, 'request').filter((q) => q.to === M1 && !answered.has(q.rid))) {
          answered.add(r.rid);
          c.from(M1, { type: 'error', rid: r.rid, code: 'no-capacity', msg: 'no room' });
        }
        c.d.advance(50);
      }
    };
    const answered = new Set<number>();
    feed(9_000);
    expect(c.client.result).toBeUndefined();
    expect(c.d.events.some((e) => e.type === 'stay')).toBe(true);
    expect(['playing', 'asking']).toContain(c.client.state);
  });

  it('an idle server told to drain waited DRAIN_TIMEOUT before it stopped', () => {
    const f = new ServerFixture().register();
    const out = f.d.command({ type: 'drain' });
    expect(f.server.state).toBe('stopped');
    expect(ofType(out, 'leave')).toHaveLength(1);
    expect(f.d.eventsOf('drained')).toMatchObject([{ left: 0, ms: 0 }]);
  });
});
