/**
 * Draining (S2.5c): a sub-machine of the media server core. It keeps since
 * when the server drains and says when the drain is over — no stream left, or
 * DRAIN_TIMEOUT up — with what to report. It never sends, reports or stops
 * anything itself: the server core does, on its outcomes.
 */
import { DRAIN_TIMEOUT } from '../../protocol/constants.js';
import type { ServerEvent } from './events.js';

export type DrainReport = Extract<ServerEvent, { type: 'draining' | 'drained' }>;

export class Drain {
  private began: number | undefined;

  /** Since when the server has been draining, if it is. */
  get since(): number | undefined {
    return this.began;
  }

  /** When the drain gives up on the streams left (DRAIN_TIMEOUT), if the server drains. */
  deadline(): number | undefined {
    return this.began === undefined ? undefined : this.began + DRAIN_TIMEOUT;
  }

  /** Drain, with `streams` streams to hand off: the `draining` report, or undefined when it drains already. */
  begin(now: number, streams: number): DrainReport | undefined {
    if (this.began !== undefined) return undefined;
    this.began = now;
    return { type: 'draining', streams };
  }

  /**
   * With `left` streams left, is the drain over — no stream left, or `timedOut`? The `drained`
   * report when it is (the server then stops), undefined when it is not or the server does not drain.
   */
  over(now: number, left: number, timedOut: boolean): DrainReport | undefined {
    if (this.began === undefined || (left > 0 && !timedOut)) return undefined;
    return { type: 'drained', level: left === 0 ? 'info' : 'warn', left, ms: Math.round(now - this.began) };
  }

  /** The server stopped: it drains no more. */
  end(): void {
    this.began = undefined;
  }
}
