/**
 * Rates and durations as users type them, and as we print them back.
 * Rates are bits per second with decimal prefixes, as iperf's `-b` takes
 * them: `4M` = 4 000 000 bit/s, `4000k`, `4000000`, `1G`.
 */
import { UsageError } from './usageError.js';

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
 * (`--duration 3` is seconds, `--poll-interval 500` is ms).
 */
export function parseDuration(text: string, what = 'duration', unit: 's' | 'ms' = 's', allowZero = false): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h)?\s*$/.exec(text);
  const ms = m ? Number(m[1]) * DURATION_UNIT[m[2] ?? unit]! : NaN;
  if (!Number.isFinite(ms) || ms > 365 * 86_400_000 || (ms <= 0 && !(allowZero && ms === 0))) {
    throw new UsageError('bad-duration', `${what} ${JSON.stringify(text)} is not a duration: give ${unit === 's' ? 'seconds, like 3 or 1.5s' : 'milliseconds, like 500 or 2s'}${allowZero ? ' (0: none)' : ''}`);
  }
  return ms;
}

/** Parse a whole number within bounds (ports, counts). */
export function parseCount(text: string | number, what: string, min: number, max: number): number {
  const n = typeof text === 'number' ? text : /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError('usage', `${what} ${JSON.stringify(String(text))} must be a whole number from ${min} to ${max}`);
  }
  return n;
}

/** `4 Mbit/s`, `950 kbit/s`: for people. */
export function formatRate(bitsPerSecond: number): string {
  const units: [number, string][] = [[1e9, 'Gbit/s'], [1e6, 'Mbit/s'], [1e3, 'kbit/s']];
  for (const [size, name] of units) if (bitsPerSecond >= size) return `${trim(bitsPerSecond / size)} ${name}`;
  return `${Math.round(bitsPerSecond)} bit/s`;
}

/** `1.50 MB` (decimal, as rates are). */
export function formatBytes(bytes: number): string {
  const units: [number, string][] = [[1e9, 'GB'], [1e6, 'MB'], [1e3, 'kB']];
  for (const [size, name] of units) if (bytes >= size) return `${trim(bytes / size)} ${name}`;
  return `${bytes} B`;
}

/** `3.02 s`, `450 ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(2)} s`;
  const s = Math.round(ms / 1000);
  return s < 7200 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function trim(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}
