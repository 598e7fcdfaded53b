import { describe, expect, it } from 'vitest';
import { formatBytes, formatRate } from '../../src/view/units.js';
import { parseCount, parseDuration, parseRate } from '../../src/runtime/units.js';
import { UsageError } from '../../src/errors.js';

describe('parseRate', () => {
  it.each([
    ['4M', 4_000_000],
    ['4000k', 4_000_000],
    ['4000000', 4_000_000],
    ['1G', 1_000_000_000],
    ['2.5M', 2_500_000],
    ['4 Mbit/s', 4_000_000],
    ['400kbps', 400_000],
    ['1T', 1e12],
  ])('%s is %d bit/s', (text, bits) => {
    expect(parseRate(text)).toBe(bits);
  });

  it.each(['', '4Q', 'M', '-4M', '4MB', 'four', '0', '1e9', '4M4'])('refuses %j, naming the value', (text) => {
    let err: unknown;
    try {
      parseRate(text, '--bitrate');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).code).toBe('bad-rate');
    expect((err as UsageError).message).toContain(`--bitrate ${JSON.stringify(text)}`);
  });
});

describe('parseDuration', () => {
  it('reads bare numbers in the given unit and explicit units', () => {
    expect(parseDuration('3')).toBe(3000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('500', 'x', 'ms')).toBe(500);
    expect(parseDuration('2s', 'x', 'ms')).toBe(2000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('0', 'x', 's', true)).toBe(0);
  });

  it.each(['0', '-1', 'abc', '3 days', '', '1y'])('refuses %j', (text) => {
    expect(() => parseDuration(text, '--duration')).toThrow(/--duration/);
  });

  it('names the bound when a duration parses but is too short, never "is not a duration"', () => {
    expect(() => parseDuration('0', '--poll-interval', 'ms', false, 10)).toThrow('--poll-interval "0" is too short: give at least 10 ms');
    expect(() => parseDuration('5ms', '--poll-interval', 'ms', false, 10)).toThrow(/at least 10 ms/);
    expect(parseDuration('10', '--poll-interval', 'ms', false, 10)).toBe(10);
    expect(() => parseDuration('0', '--wait', 'ms')).toThrow('--wait "0" is too short: give more than 0');
    expect(() => parseDuration('soon', '--wait', 'ms')).toThrow(/is not a duration/);
  });
});

describe('parseCount', () => {
  it('takes whole numbers in range only', () => {
    expect(parseCount('7700', '--port', 0, 65535)).toBe(7700);
    expect(parseCount(0, '--port', 0, 65535)).toBe(0);
    expect(() => parseCount('65536', '--port', 0, 65535)).toThrow(/--port "65536"/);
    expect(() => parseCount('1.5', '--port', 0, 65535)).toThrow(UsageError);
  });
});

describe('formatting', () => {
  it('prints rates and sizes for people', () => {
    expect(formatRate(4_000_000)).toBe('4.00 Mbit/s');
    expect(formatRate(950_000)).toBe('950 kbit/s');
    expect(formatRate(12)).toBe('12 bit/s');
    expect(formatBytes(1_500_000)).toBe('1.50 MB');
    expect(formatBytes(999)).toBe('999 B');
  });
});
