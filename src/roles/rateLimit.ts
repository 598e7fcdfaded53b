/**
 * Per-source rate limits (§9.5): a token bucket per source address
 * (`host:port`), checked at a role's datagram entry before any decoding work,
 * so that one source flooding a role costs it a table look-up per datagram and
 * cannot crowd out the others. The table of buckets is bounded: when full, the
 * oldest source is forgotten (and would start again with a full bucket).
 *
 * Drops are counted, and reported as `rate-limited` events at most once per
 * RATE_LIMIT_REPORT_INTERVAL per source and for at most RATE_LIMIT_REPORTS
 * sources per interval in all: a flood must not turn into a flood of events.
 */
import { RATE_LIMIT, RATE_LIMIT_BURST, RATE_LIMIT_REPORT_INTERVAL, RATE_LIMIT_REPORTS, RATE_LIMIT_TABLE_SIZE } from '../protocol/constants.js';
import { FifoMap } from './fifoMap.js';

export interface RateLimit {
  /** Datagrams per second one source may send. */
  readonly rate: number;
  /** Datagrams one source may send at once (the bucket's size). */
  readonly burst: number;
}

/** The limit `--rate-limit on` sets. */
export const DEFAULT_RATE_LIMIT: RateLimit = { rate: RATE_LIMIT, burst: RATE_LIMIT_BURST };

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date, ms. */
  at: number;
  /** Dropped since this source was last reported. */
  dropped: number;
  reportedAt: number;
}

export interface RateLimitStats {
  /** Datagrams let through. */
  passed: number;
  /** Datagrams dropped, over every source. */
  dropped: number;
  /** Sources reported in `rate-limited` events (a source once per interval). */
  reports: number;
}

export class SourceLimiter {
  private readonly buckets: FifoMap<string, Bucket>;
  readonly stats: RateLimitStats = { passed: 0, dropped: 0, reports: 0 };
  private windowAt = Number.NEGATIVE_INFINITY;
  private windowReports = 0;

  constructor(
    readonly limit: RateLimit,
    readonly tableSize = RATE_LIMIT_TABLE_SIZE,
  ) {
    if (!(limit.rate > 0) || !(limit.burst >= 1)) throw new RangeError(`a rate limit needs a rate > 0 and a burst >= 1 (got ${limit.rate}/s, burst ${limit.burst})`);
    this.buckets = new FifoMap(tableSize);
  }

  /** Sources whose buckets are kept. */
  get size(): number {
    return this.buckets.size;
  }

  /** May one more datagram from `from` be taken at `now`? Counts it either way. */
  admit(from: string, now: number): boolean {
    let b = this.buckets.get(from);
    if (!b) {
      b = { tokens: this.limit.burst, at: now, dropped: 0, reportedAt: Number.NEGATIVE_INFINITY };
      this.buckets.set(from, b);
    } else if (now > b.at) {
      b.tokens = Math.min(this.limit.burst, b.tokens + ((now - b.at) * this.limit.rate) / 1000);
      b.at = now;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      this.stats.passed++;
      return true;
    }
    b.dropped++;
    this.stats.dropped++;
    return false;
  }

  /**
   * After `admit` refused a datagram: how many this source has had dropped
   * since it was last reported, when a report on it is due; else undefined.
   */
  report(from: string, now: number): number | undefined {
    const b = this.buckets.get(from);
    if (!b || b.dropped === 0 || now - b.reportedAt < RATE_LIMIT_REPORT_INTERVAL) return undefined;
    if (now - this.windowAt >= RATE_LIMIT_REPORT_INTERVAL) {
      this.windowAt = now;
      this.windowReports = 0;
    }
    if (this.windowReports >= RATE_LIMIT_REPORTS) return undefined;
    this.windowReports++;
    this.stats.reports++;
    const n = b.dropped;
    b.dropped = 0;
    b.reportedAt = now;
    return n;
  }
}

/** What the hook reports of a source it holds back, at most once per report interval. */
export type RateLimited = {
  readonly type: 'rate-limited';
  readonly level: 'warn';
  readonly from: string;
  readonly dropped: number;
  readonly rate: number;
  readonly burst: number;
  readonly sources: number;
};

/**
 * The hook at a role's datagram entry: true when the datagram may go on to be
 * decoded; when it may not, a `rate-limited` event if one is due.
 */
export function admitDatagram(limiter: SourceLimiter, from: string, now: number, emit: (e: RateLimited) => void): boolean {
  if (limiter.admit(from, now)) return true;
  const dropped = limiter.report(from, now);
  if (dropped !== undefined) {
    emit({ type: 'rate-limited', level: 'warn', from, dropped, rate: limiter.limit.rate, burst: limiter.limit.burst, sources: limiter.size });
  }
  return false;
}
