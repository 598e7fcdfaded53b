import { describe, expect, it } from 'vitest';
import { formatRateSchedule, parseRateSchedule, parseScale } from '../../src/runtime/rateSchedule.js';
import { UsageError } from '../../src/errors.js';

describe('--rate-schedule', () => {
  it('reads TIME:SCALE steps: times after play starts in ms, scales in thousandths', () => {
    expect(parseRateSchedule('0s:1x,10s:2x,20s:0.5x')).toEqual([
      { at: 0, scale: 1000 },
      { at: 10_000, scale: 2000 },
      { at: 20_000, scale: 500 },
    ]);
    expect(parseRateSchedule(' 0:1.5x , 2500ms:16x, 1m:0.001X ')).toEqual([
      { at: 0, scale: 1500 },
      { at: 2500, scale: 16_000 },
      { at: 60_000, scale: 1 },
    ]);
    expect(formatRateSchedule(parseRateSchedule('0s:1x,10s:2x,20s:0.5x'))).toBe('0s:1x,10s:2x,20s:0.5x');
  });

  it.each([
    ['', /empty step/],
    ['0s:1x,', /empty step/],
    ['2x', /not TIME:SCALE/],
    ['0s:', /not TIME:SCALE/],
    ['soon:2x', /"soon" is not a time/],
    ['-1s:2x', /is not a time/],
    ['0s:2', /"2" is not a scale/],
    ['0s:0x', /"0x" is not a scale/],
    ['0s:16.5x', /0\.001x to 16x/],
    ['0s:0.0004x', /is not a scale/],
    ['10s:2x,10s:1x', /increasing order/],
    ['10s:2x,5s:1x', /increasing order/],
  ])('refuses %j with one line', (text, why) => {
    let err: unknown;
    try {
      parseRateSchedule(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).code).toBe('usage');
    expect((err as UsageError).message).toMatch(why);
    expect((err as UsageError).message).toMatch(/^--rate-schedule /);
    expect((err as UsageError).message).not.toContain('\n');
  });

  it('caps the number of steps', () => {
    const many = Array.from({ length: 65 }, (_, i) => `${i}s:1x`).join(',');
    expect(() => parseRateSchedule(many)).toThrow(/at most 64/);
  });

  it('reads scales as multiples', () => {
    expect(parseScale('2x')).toBe(2000);
    expect(parseScale('.25x')).toBe(250);
    expect(() => parseScale('x2')).toThrow(UsageError);
  });
});
