/**
 * Rates and durations as users type them (src/view/units.ts prints them back).
 * Rates are bits per second with decimal prefixes, as iperf's `-b` takes
 * them: `4M` = 4 000 000 bit/s, `4000k`, `4000000`, `1G`.
 */
import { formatDuration } from '../view/units.js';
import { UsageError } from '../errors.js';

const RATE_PREFIX: Readonly<Record<string, number>> = { '': 1, k: 1e3, K: 1e3, m: 1e6, M: 1e6, g: 1e9, G: 1e9, t: 1e12, T: 1e12 };

/** Parse a rate in bits per second; `what` names the flag in the error. */
export function parseRate(text: string, what = 'rate'): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([kKmMgGtT]?)\s*(?:bit\/s|bps|b\/s)?\s*$/.exec(text);
  const value = m ? Number(m[1]) * RATE_PREFIX[m[2]!]! : NaN;
  if (!Number.isFinite(value) || value < 1 || value > Number.MAX_SAFE_INTEGER) {
    throw new UsageError('bad-rate', `${what} ${JSON.stringify(text)} is not a rate: give bits per second, like 4M, 4000k or 4000000`);
  }
  return Math.round(value);
}

const DURATION_UNIT: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parse a duration into milliseconds. A bare number is in `unit`
 * (`--duration 3` is seconds, `--poll-interval 500` is ms). A duration
 * that parses but is shorter than `min` (or 0 where 0 is not allowed) gets
 * its own message naming the bound, never "is not a duration".
 */
export function parseDuration(text: string, what = 'duration', unit: 's' | 'ms' = 's', allowZero = false, min = 0): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h)?\s*$/.exec(text);
  const ms = m ? Number(m[1]) * DURATION_UNIT[m[2] ?? unit]! : NaN;
  if (!Number.isFinite(ms) || ms > 365 * 86_400_000) {
    throw new UsageError('bad-duration', `${what} ${JSON.stringify(text)} is not a duration: give ${unit === 's' ? 'seconds, like 3 or 1.5s' : 'milliseconds, like 500 or 2s'}${allowZero ? ' (0: none)' : ''}`);
  }
  if (allowZero && ms === 0) return 0;
  if (ms <= 0 || ms < min) {
    throw new UsageError('bad-duration', `${what} ${JSON.stringify(text)} is too short: give ${min > 0 ? `at least ${formatDuration(min)}` : 'more than 0'}${allowZero ? ' (or 0: none)' : ''}`);
  }
  return ms;
}

/** The shortest stall a job's receiver may be told to wait for, ms: a few of its pulls (JOB_PULL_INTERVAL). */
export const JOB_STALL_MIN = 200;
/** The shortest wait a base server may be told to give a target before it queries it, ms. */
export const JOB_QUERY_MIN = 100;

/** Parse a whole number within bounds (ports, counts). */
export function parseCount(text: string | number, what: string, min: number, max: number): number {
  const n = typeof text === 'number' ? text : /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError('usage', `${what} ${JSON.stringify(String(text))} must be a whole number from ${min} to ${max}`);
  }
  return n;
}
