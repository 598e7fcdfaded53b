/**
 * `--rate-limit` as `ofp master` and `ofp server` take it (§9.5): `off`, `on`
 * (RATE_LIMIT datagrams/s per source, bursts of RATE_LIMIT_BURST), or
 * `N/s` (bursts of two seconds' worth) or `N/s:BURST`.
 */
import { DEFAULT_RATE_LIMIT, type RateLimit } from '../roles/rateLimit.js';
import { UsageError } from '../errors.js';

/** The most datagrams per second (and burst) a limit may name: beyond, it limits nothing a socket can take. */
const MAX_LIMIT = 10_000_000;

/** The limit, or undefined for `off`. */
export function parseRateLimit(text: string, what = '--rate-limit'): RateLimit | undefined {
  const t = text.trim().toLowerCase();
  if (t === 'off' || t === '0') return undefined;
  if (t === 'on') return DEFAULT_RATE_LIMIT;
  const m = /^(\d+)\s*(?:\/s)?(?:\s*:\s*(\d+))?$/.exec(t);
  const rate = m ? Number(m[1]) : NaN;
  const burst = m?.[2] !== undefined ? Number(m[2]) : 2 * rate;
  if (!m || !(rate >= 1) || rate > MAX_LIMIT || !(burst >= 1) || burst > 2 * MAX_LIMIT) {
    throw new UsageError('usage', `${what} ${JSON.stringify(text)} is not a rate limit: give off, on, N/s or N/s:BURST (datagrams per source, N from 1 to ${MAX_LIMIT}), like 500/s or 500/s:1000`);
  }
  return { rate, burst };
}

/** The `rateLimit` member of a role's settings: absent when off. */
export function withRateLimit(text: string | undefined): { rateLimit?: RateLimit } {
  const limit = text === undefined ? undefined : parseRateLimit(text);
  return limit ? { rateLimit: limit } : {};
}

/** `1000/s, bursts of 2000` for people. */
export function describeRateLimit(l: RateLimit | undefined): string {
  return l ? `${l.rate}/s per source, bursts of ${l.burst}` : 'off';
}
