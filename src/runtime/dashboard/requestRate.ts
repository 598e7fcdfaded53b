/**
 * Requests answered per second. While subscribed, from the master's
 * `requests` notices: each sums up one counting window (NOTICE_COUNT_INTERVAL)
 * and the master sends none for a window without requests, so a window that
 * is not followed by another in time means the rate fell to 0. Without a
 * subscription (the master is full), from the growth of the summary's
 * request counter between two refreshes.
 */
import { NOTICE_COUNT_INTERVAL } from '../../protocol/constants.js';

/** A window's figure holds until this much after it ended (the next window, with room for a late notice). */
const WINDOW_HOLD = 2.5 * NOTICE_COUNT_INTERVAL;

export class RequestRate {
  private window: { at: number; count: number } | undefined;
  private counter: { at: number; total: number } | undefined;
  private counterRate = 0;

  /** A `requests` event: `count` requests in the window that ended at `at`. */
  onWindow(count: number, at: number): void {
    if (this.window && this.window.at === at) this.window = { at, count: this.window.count + count };
    else if (!this.window || at >= this.window.at) this.window = { at, count };
  }

  /** The summary's requests counter, read at `at`. A counter that went down is a restarted master: start again. */
  onCounter(total: number, at: number): void {
    const c = this.counter;
    if (c && total >= c.total && at > c.at) this.counterRate = ((total - c.total) * 1000) / (at - c.at);
    else this.counterRate = 0;
    this.counter = { total, at };
  }

  /** Requests per second at `now`, to one decimal (so that noise does not count as a change). */
  value(now: number, subscribed: boolean): number {
    let rate: number;
    if (subscribed) rate = this.window && now - this.window.at <= WINDOW_HOLD ? (this.window.count * 1000) / NOTICE_COUNT_INTERVAL : 0;
    else rate = this.counterRate;
    return Math.round(rate * 10) / 10;
  }
}
