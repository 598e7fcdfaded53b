/**
 * Pacing at high rates (§5.1): a pacer's bucket holds PACING_DEPTH of its
 * flow's pace, so a server whose timers fire late still streams at rate ×
 * scale, with bursts no longer than PACING_DEPTH; a stall longer than that is
 * caught up (up to PACING_CATCHUP) a bucket per wake-up; no stream goes faster
 * than MAX_STREAM_RATE.
 */
import { describe, expect, it } from 'vitest';
import { ACK_INTERVAL, DATA_CHUNK, MAX_STREAM_RATE, PACING_BURST, PACING_CATCHUP, PACING_DEPTH, PACING_TICK } from '../../src/protocol/constants.js';
import { pacingDepth } from '../../src/roles/server/flowSender.js';
import type { MediaFile } from '../../src/roles/server/server.js';
import { ofType } from '../helpers/roleDriver.js';
import { CLIENT, dataOf, ServerFixture } from '../helpers/serverFixture.js';

/** How late the server's timers fire in these tests: every wake-up comes this long after the last, ms. */
const LATE_TICK = 15;
const SECONDS = 3;

const FAST: MediaFile = { name: 'fast.ts', size: 100_000_000, rate: 50_000_000 };
const SLOW: MediaFile = { name: 'slow.ts', size: 100_000_000, rate: 4_000_000 };

/**
 * Run a playing stream for `seconds` with the server woken only every LATE_TICK ms (never at its
 * PACING_TICK), the client acknowledging everything sent every ACK_INTERVAL; the new bytes each
 * wake-up sent.
 */
function runLate(f: ServerFixture, sid: number, seconds: number): number[] {
  const perWake: number[] = [];
  const start = f.d.now;
  let acked = 0;
  let nextAck = start + ACK_INTERVAL;
  while (f.d.now < start + seconds * 1000) {
    f.d.now += LATE_TICK;
    const sent = dataOf(f.d.input({ kind: 'timer' }), sid).filter((d) => !d.re);
    perWake.push(sent.reduce((n, d) => n + d.data.length, 0));
    acked = sent.reduce((n, d) => Math.max(n, d.off + d.data.length), acked);
    if (f.d.now >= nextAck) {
      f.ack(sid, acked);
      nextAck += ACK_INTERVAL;
    }
  }
  return perWake;
}

const sum = (xs: readonly number[]) => xs.reduce((n, x) => n + x, 0);

describe('server: pacing with late timers (§5.1)', () => {
  it('the bucket holds PACING_DEPTH of the pace, and at least PACING_BURST bytes', () => {
    expect(pacingDepth(1_000_000)).toBe(PACING_BURST);
    expect(pacingDepth(4_000_000)).toBe(10_000);
    expect(pacingDepth(50_000_000)).toBe((50_000_000 / 8) * (PACING_DEPTH / 1000));
    expect(pacingDepth(MAX_STREAM_RATE)).toBe(250_000);
  });

  it(`a 50 Mbit/s stream woken every ${LATE_TICK} ms delivers its rate, in bursts of at most PACING_DEPTH of it`, () => {
    const f = new ServerFixture({ files: [FAST] });
    const s = f.play('fast.ts');
    const perWake = runLate(f, s.sid, SECONDS);
    const nominal = (FAST.rate / 8) * SECONDS;
    expect(Math.abs(sum(perWake) - nominal) / nominal).toBeLessThan(0.02);
    expect(Math.max(...perWake)).toBeLessThanOrEqual(pacingDepth(FAST.rate));
    // A fixed bucket of PACING_BURST would have sent at most one burst per wake-up: 4.7 Mbit/s.
    expect(sum(perWake)).toBeGreaterThan(5 * PACING_BURST * perWake.length);
  });

  it(`a 4 Mbit/s stream at 16× (scale 16000) woken every ${LATE_TICK} ms delivers 64 Mbit/s`, () => {
    const f = new ServerFixture({ files: [SLOW] });
    const s = f.play('slow.ts');
    expect(ofType(f.d.datagram(CLIENT, { type: 'adjust', sid: s.sid, n: 1, scale: 16_000 }), 'adjust-ack')).toMatchObject([{ n: 1, scale: 16_000 }]);
    const perWake = runLate(f, s.sid, SECONDS);
    const pace = SLOW.rate * 16;
    const nominal = (pace / 8) * SECONDS;
    expect(Math.abs(sum(perWake) - nominal) / nominal).toBeLessThan(0.02);
    expect(Math.max(...perWake)).toBeLessThanOrEqual(pacingDepth(pace));
  });

  it('a request at scale 16000 paces at 16× from the start', () => {
    const f = new ServerFixture({ files: [SLOW] });
    const setup = ofType(f.request('slow.ts', { token: { scale: 16_000 } }), 'setup')[0]!;
    expect(setup.scale).toBe(16_000);
    f.d.datagram(CLIENT, { type: 'play', sid: setup.sid, cookie: setup.cookie, off: 0 });
    const nominal = ((SLOW.rate * 16) / 8) * SECONDS;
    expect(Math.abs(sum(runLate(f, setup.sid, SECONDS)) - nominal) / nominal).toBeLessThan(0.02);
  });

  it('a wake-up however late sends at most one bucket: PACING_DEPTH of the pace', () => {
    const f = new ServerFixture({ files: [FAST] });
    const s = f.play('fast.ts');
    f.d.advance(100);
    f.ack(s.sid, 0);
    // The host stalls for half a second: the next wake-up sends one bucket, not half a second of stream.
    f.d.now += 500;
    const burst = dataOf(f.d.input({ kind: 'timer' }), s.sid).reduce((n, d) => n + d.data.length, 0);
    expect(burst).toBeLessThanOrEqual(pacingDepth(FAST.rate));
    expect(burst).toBeGreaterThan(pacingDepth(FAST.rate) - DATA_CHUNK);
  });

  it('a stall longer than PACING_DEPTH is caught up over the next wake-ups: the stream keeps its rate, in bursts of at most a bucket', () => {
    const f = new ServerFixture({ files: [SLOW] });
    const s = f.play('slow.ts');
    const perWake: number[] = [];
    let acked = 0;
    const start = f.d.now;
    // A busy host: every 40 wake-ups the event loop stalls for 120 ms (six buckets of the pace), else it
    // wakes every PACING_TICK; the run ends 39 wake-ups after the last stall.
    for (let i = 0; i < 12 * 40 - 1; i++) {
      f.d.now += i % 40 === 39 ? 120 : PACING_TICK;
      const sent = dataOf(f.d.input({ kind: 'timer' }), s.sid).filter((d) => !d.re);
      perWake.push(sent.reduce((n, d) => n + d.data.length, 0));
      acked = sent.reduce((n, d) => Math.max(n, d.off + d.data.length), acked);
      if (i % 5 === 0) f.ack(s.sid, acked);
    }
    const nominal = ((SLOW.rate / 8) * (f.d.now - start)) / 1000;
    expect(Math.abs(sum(perWake) - nominal) / nominal).toBeLessThan(0.02);
    expect(Math.max(...perWake)).toBeLessThanOrEqual(pacingDepth(SLOW.rate));
  });

  it(`a stream falls behind by at most PACING_CATCHUP: a stall of seconds is not sent after it`, () => {
    const f = new ServerFixture({ files: [SLOW] });
    const s = f.play('slow.ts');
    f.d.advance(100);
    f.ack(s.sid, 0);
    f.d.now += 3_000;
    let sent = 0;
    let acked = 0;
    for (let i = 0; i < 500; i++) {
      f.d.now += PACING_TICK;
      const out = dataOf(f.d.input({ kind: 'timer' }), s.sid).filter((d) => !d.re);
      sent += out.reduce((n, d) => n + d.data.length, 0);
      acked = out.reduce((n, d) => Math.max(n, d.off + d.data.length), acked);
      if (i % 5 === 0) f.ack(s.sid, acked);
    }
    // Two seconds of pace, plus what it fell behind: PACING_CATCHUP of the pace, not three seconds of it.
    const pace = SLOW.rate / 8;
    expect(sent).toBeLessThanOrEqual(pace * (500 * PACING_TICK + PACING_CATCHUP) / 1000 + DATA_CHUNK);
    expect(sent).toBeGreaterThan(pace * (500 * PACING_TICK + PACING_CATCHUP) / 1000 - pacingDepth(SLOW.rate));
  });

  it('a flow the client\'s window holds back keeps no more than a bucket: it does not catch up the time it waited', () => {
    const f = new ServerFixture({ files: [FAST] });
    const s = f.play('fast.ts');
    // No ack for a second: the window (RECEIVE_WINDOW) fills and holds the flow back.
    let acked = 0;
    for (let i = 0; i < 250; i++) {
      f.d.now += PACING_TICK;
      acked = dataOf(f.d.input({ kind: 'timer' }), s.sid).filter((d) => !d.re).reduce((n, d) => Math.max(n, d.off + d.data.length), acked);
    }
    expect(acked).toBeLessThan((FAST.rate / 8) * 0.9);
    f.ack(s.sid, acked);
    let sent = 0;
    for (let i = 0; i < 50; i++) {
      f.d.now += PACING_TICK;
      sent += dataOf(f.d.input({ kind: 'timer' }), s.sid).filter((d) => !d.re).reduce((n, d) => n + d.data.length, 0);
    }
    expect(sent).toBeLessThanOrEqual((FAST.rate / 8) * (50 * PACING_TICK) / 1000 + pacingDepth(FAST.rate));
  });
});

describe('server: the fastest stream (MAX_STREAM_RATE, §5.1)', () => {
  it('a request whose stream would be paced above MAX_STREAM_RATE is refused with no-capacity', () => {
    const f = new ServerFixture({ files: [FAST] });
    const out = f.request('fast.ts', { token: { scale: 4_000 } });
    expect(ofType(out, 'setup')).toHaveLength(0);
    const [err] = ofType(out, 'error');
    expect(err).toMatchObject({ code: 'no-capacity' });
    expect(err!.msg).toContain('MAX_STREAM_RATE');
    expect(err!.msg).toContain('200 Mbit/s');
    expect(f.server.streamCount()).toBe(0);
    // At MAX_STREAM_RATE exactly, it is served.
    expect(ofType(f.request('fast.ts', { token: { scale: 2_000 } }), 'setup')).toHaveLength(1);
  });

  it('an adjust above MAX_STREAM_RATE is refused with no-capacity, and the stream goes on at its scale', () => {
    const f = new ServerFixture({ files: [FAST] });
    const s = f.play('fast.ts');
    const out = f.d.datagram(CLIENT, { type: 'adjust', sid: s.sid, n: 1, scale: 16_000 });
    expect(ofType(out, 'adjust-ack')).toHaveLength(0);
    expect(ofType(out, 'error')).toMatchObject([{ sid: s.sid, code: 'no-capacity' }]);
    expect(ofType(out, 'error')[0]!.msg).toContain('800 Mbit/s');
    const stream = f.server.streamView(s.sid)!;
    expect(stream.scale).toBe(1000);
    expect(f.server.committed()).toBe(FAST.rate);
    // Up to the limit, it is applied; down, always.
    expect(ofType(f.d.datagram(CLIENT, { type: 'adjust', sid: s.sid, n: 2, scale: 2_000 }), 'adjust-ack')).toMatchObject([{ n: 2, scale: 2_000 }]);
    expect(ofType(f.d.datagram(CLIENT, { type: 'adjust', sid: s.sid, n: 3, scale: 500 }), 'adjust-ack')).toMatchObject([{ n: 3, scale: 500 }]);
  });

  it('an item faster than MAX_STREAM_RATE is neither listed nor served, and the server says so', () => {
    const tooFast: MediaFile = { name: 'uhd.ts', size: 10_000_000, rate: 2 * MAX_STREAM_RATE };
    const both: MediaFile = { name: 'both', size: 20_000_000, rate: 120_000_000, flows: [{ name: 'a', size: 10_000_000, rate: 60_000_000 }, { name: 'b', size: 10_000_000, rate: 60_000_000 }] };
    const f = new ServerFixture({ files: [FAST, tooFast, both] });
    const reg = ofType(f.d.command({ type: 'start' }), 'register');
    expect(reg[0]!.files).toBe(1);
    expect(f.d.eventsOf('media-skipped').map((e) => [e.file, e.level])).toEqual([['uhd.ts', 'warn'], ['both', 'warn']]);
    expect(f.d.eventsOf('media-skipped')[0]!.why).toContain('MAX_STREAM_RATE');
    const content = ofType(f.fromMaster({ type: 'register-ack', name: f.server.config.name, epoch: f.server.epoch, cookie: new Uint8Array(8), interval: 1000 }), 'content');
    expect(content.flatMap((c) => c.files.map((x) => x[0]))).toEqual(['fast.ts']);
    expect(ofType(f.request('uhd.ts'), 'error')).toMatchObject([{ code: 'not-found' }]);
  });
});
