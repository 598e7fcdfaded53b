/**
 * The per-source token bucket (§9.5): bursts, refill, one bucket per source,
 * a bounded table, and reports at most once per interval per source and for
 * a bounded number of sources.
 */
import { describe, expect, it } from 'vitest';
import { RATE_LIMIT_REPORT_INTERVAL, RATE_LIMIT_REPORTS } from '../../src/protocol/constants.js';
import { admitDatagram, type RateLimit, type RateLimited, SourceLimiter } from '../../src/roles/rateLimit.js';

const LIMIT: RateLimit = { rate: 100, burst: 10 };
const admitted = (l: SourceLimiter, from: string, n: number, now: number) => {
  let ok = 0;
  for (let i = 0; i < n; i++) if (l.admit(from, now)) ok++;
  return ok;
};

describe('rate limit: one token bucket per source (§9.5)', () => {
  it('takes a burst at once, then refuses until tokens come back at the rate', () => {
    const l = new SourceLimiter(LIMIT);
    expect(admitted(l, 'a:1', 25, 0)).toBe(10);
    expect(l.stats).toMatchObject({ passed: 10, dropped: 15 });
    // 100/s: one token every 10 ms.
    expect(admitted(l, 'a:1', 5, 9)).toBe(0);
    expect(admitted(l, 'a:1', 5, 10)).toBe(1);
    expect(admitted(l, 'a:1', 50, 210)).toBe(10); // 2 s worth capped at the burst
  });

  it('over a long run a flooding source gets the rate, no more', () => {
    const l = new SourceLimiter(LIMIT);
    let ok = 0;
    // 10 000/s for 5 s: one datagram every 0.1 ms.
    for (let t = 0; t < 5_000; t += 0.1) if (l.admit('a:1', t)) ok++;
    expect(ok).toBeGreaterThanOrEqual(5 * 100);
    expect(ok).toBeLessThanOrEqual(5 * 100 + 10 + 1);
  });

  it('sources do not share a bucket: a flooding one leaves the others whole', () => {
    const l = new SourceLimiter(LIMIT);
    expect(admitted(l, 'flood:1', 1_000, 0)).toBe(10);
    expect(admitted(l, 'other:2', 10, 0)).toBe(10);
    expect(admitted(l, 'flood:1:other-port', 10, 0)).toBe(10);
  });

  it('a clock that goes back does not mint tokens', () => {
    const l = new SourceLimiter(LIMIT);
    admitted(l, 'a:1', 10, 1_000);
    expect(admitted(l, 'a:1', 10, 500)).toBe(0);
  });

  it('keeps at most its table size of sources, forgetting the oldest', () => {
    const l = new SourceLimiter(LIMIT, 1_000);
    for (let i = 0; i < 50_000; i++) l.admit(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}:1`, i);
    expect(l.size).toBe(1_000);
  });

  it('refuses a limit that limits nothing or everything', () => {
    expect(() => new SourceLimiter({ rate: 0, burst: 10 })).toThrow(RangeError);
    expect(() => new SourceLimiter({ rate: 10, burst: 0 })).toThrow(RangeError);
  });
});

describe('rate limit: reports (§9.5)', () => {
  it('one rate-limited event per source per interval, counting what was dropped since the last', () => {
    const l = new SourceLimiter(LIMIT);
    const events: RateLimited[] = [];
    const emit = (e: RateLimited) => events.push(e);
    for (let i = 0; i < 1_000; i++) admitDatagram(l, 'a:1', 0, emit);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'rate-limited', level: 'warn', from: 'a:1', dropped: 1, rate: 100, burst: 10 });
    // Flood on for 3 intervals at 1000/s: one event per interval, each with the drops since the last.
    for (let t = 1; t <= 3 * RATE_LIMIT_REPORT_INTERVAL; t++) admitDatagram(l, 'a:1', t, emit);
    expect(events.length).toBe(4);
    const dropped = events.reduce((n, e) => n + e.dropped, 0);
    expect(dropped).toBeLessThanOrEqual(l.stats.dropped);
    expect(dropped).toBeGreaterThan(l.stats.dropped - 1_000);
  });

  it(`at most ${RATE_LIMIT_REPORTS} sources are reported per interval; the others only counted`, () => {
    const l = new SourceLimiter({ rate: 1, burst: 1 });
    const events: RateLimited[] = [];
    for (let s = 0; s < 200; s++) for (let i = 0; i < 3; i++) admitDatagram(l, `10.0.0.${s}:1`, 0, (e) => events.push(e));
    expect(events).toHaveLength(RATE_LIMIT_REPORTS);
    expect(l.stats.dropped).toBe(400);
    expect(l.stats.reports).toBe(RATE_LIMIT_REPORTS);
  });
});
