/**
 * Normal play time accounting (S2.1–S2.3, §10.3) against hand-computed cases.
 * Times are ms; scales are thousandths of the media rate, so "elapsed × rate ÷
 * media rate" is elapsed × scale / 1000. Each expected value is written out as
 * the arithmetic the spec prescribes.
 */
import { describe, expect, it } from 'vitest';
import { adjusted, nptAt, played } from '../../src/roles/master/npt.js';
import { offsetsAt, ServerStream } from '../../src/roles/server/stream.js';

describe('NPT: a message that carries a position (S2.1)', () => {
  it('play sets the position as it is, whatever was before', () => {
    expect(played(12_000, 1000, 1000)).toEqual({ base: 12_000, when: 1000, scale: 1000 });
    // At 4000, 3000 ms later at the media rate: 12000 + 3000 × 1000/1000.
    expect(nptAt(played(12_000, 1000, 1000), 4000)).toBe(12_000 + 3000);
    // A play at a scale: 2× from 500 at position 0; at 1250: 0 + 750 × 2000/1000.
    expect(nptAt(played(0, 500, 2000), 1250)).toBe(750 * 2);
  });

  it('the position at the play itself is the position it carries', () => {
    expect(nptAt(played(7_777, 123, 1500), 123)).toBe(7_777);
  });
});

describe('NPT: adjustments add the stretch since the previous event at the previous rate (S2.1)', () => {
  it('several adjustments, then a change event (S2.2)', () => {
    let s = played(0, 0, 1000);
    // t=2000: to 2×. Stretch 0..2000 at 1×: 2000 × 1000/1000 = 2000.
    s = adjusted(s, 2000, 2000);
    expect(s).toEqual({ base: 2000, when: 2000, scale: 2000 });
    // t=5000: to 0.5×. Stretch 2000..5000 at 2×: 3000 × 2000/1000 = 6000 → 8000.
    s = adjusted(s, 5000, 500);
    expect(s).toEqual({ base: 2000 + 6000, when: 5000, scale: 500 });
    // t=9000: to 1.5×. Stretch 5000..9000 at 0.5×: 4000 × 500/1000 = 2000 → 10000.
    s = adjusted(s, 9000, 1500);
    expect(s).toEqual({ base: 8000 + 2000, when: 9000, scale: 1500 });
    // Change event at t=10000: the stretch since the last adjustment at the current rate,
    // 1000 × 1500/1000 = 1500 → 11500.
    expect(nptAt(s, 10_000)).toBe(10_000 + 1500);
  });

  it('a scale change both ways returns to the same pace: up to 3× for 1 s, down to 1/4 for 4 s', () => {
    const s0 = played(60_000, 100_000, 1000);
    const up = adjusted(s0, 101_000, 3000); // 60000 + 1000 × 1 = 61000
    const down = adjusted(up, 102_000, 250); // 61000 + 1000 × 3 = 64000
    const back = adjusted(down, 106_000, 1000); // 64000 + 4000 × 0.25 = 65000
    expect([up.base, down.base, back.base]).toEqual([61_000, 64_000, 65_000]);
    // 2 s more at 1×: 67000.
    expect(nptAt(back, 108_000)).toBe(65_000 + 2000);
  });

  it('fractional scales keep their fraction: 333 thousandths for 3 s is 999 ms', () => {
    const s = adjusted(played(0, 0, 333), 3000, 1000);
    expect(s.base).toBe(3000 * 0.333);
    expect(nptAt(s, 3000)).toBeCloseTo(999, 9);
  });

  it('a play after adjustments sets the position again (it carries one)', () => {
    const adjustedTwice = adjusted(adjusted(played(0, 0, 1000), 1000, 2000), 2000, 1000);
    expect(nptAt(adjustedTwice, 3000)).toBe(1000 + 2000 + 1000);
    // The server restarts the stream from 500 ms (the client asked for it): that is the position now.
    const replay = played(500, 3000, 1000);
    expect(nptAt(replay, 3500)).toBe(500 + 500);
  });
});

describe('NPT: events out of time order are not taken backwards', () => {
  it('an adjustment stamped before the last event adds nothing, and keeps the later time', () => {
    const s = played(5000, 10_000, 1000);
    const late = adjusted(s, 9000, 2000);
    // Nothing is subtracted: base stays 5000 and `when` stays 10000; only the new scale applies from there.
    expect(late).toEqual({ base: 5000, when: 10_000, scale: 2000 });
    // At 10500: 5000 + 500 × 2000/1000.
    expect(nptAt(late, 10_500)).toBe(5000 + 1000);
  });

  it('a change event placed before the last event gives the position at that event, never less', () => {
    const s = adjusted(played(0, 0, 1000), 4000, 2000); // base 4000 at t=4000
    expect(nptAt(s, 3000)).toBe(4000);
    expect(nptAt(s, 4000)).toBe(4000);
    expect(nptAt(s, 4001)).toBe(4000 + 2);
  });
});

describe('NPT ↔ byte offsets: every flow at its own rate (S2.4)', () => {
  const flows = [
    { name: 'v', size: 10_000_000, rate: 4_000_000 },
    { name: 'a', size: 100_000, rate: 128_000 },
  ];

  it('offsetsAt: offset = floor(npt × rate / 8000), capped at the flow size', () => {
    // 1234 ms: video 1234 × 4000000/8000 = 617000; audio 1234 × 128000/8000 = 19744.
    expect(offsetsAt(flows, 1234)).toEqual([617_000, 19_744]);
    // 7 ms: video 7 × 500 = 3500 bytes; audio 7 × 16 = 112 bytes.
    expect(offsetsAt(flows, 7)).toEqual([3500, 112]);
    // Past the end of the audio: 10000 ms × 16 = 160000 > 100000.
    expect(offsetsAt(flows, 10_000)).toEqual([5_000_000, 100_000]);
    expect(offsetsAt(flows, 0)).toEqual([0, 0]);
  });

  it('a server stream reports flow 0 in NPT as floor(offset × 8000 / rate), the inverse of offsetsAt', () => {
    const s = new ServerStream(1, 'c', 'item', flows, [0, 0], 1000, new Uint8Array(8), 0);
    expect(s.nptOf(617_000)).toBe(1234);
    // 617499 bytes is 1234.998 ms: floored.
    expect(s.nptOf(617_499)).toBe(1234);
    for (const npt of [0, 1, 999, 1234, 19_999]) expect(s.nptOf(offsetsAt(flows, npt)[0]!)).toBe(npt);
  });

  it('the stream\'s bandwidth is every flow\'s rate times the scale', () => {
    const s = new ServerStream(1, 'c', 'item', flows, [0, 0], 1500, new Uint8Array(8), 0);
    expect(s.rate).toBe((4_000_000 + 128_000) * 1.5);
  });
});
