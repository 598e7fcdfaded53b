/**
 * A stream at one server (§5), as the client sees it: a sub-machine of the
 * client core. A client has one current session, and in a handoff also the
 * one being left (handoff.ts). The session keeps the stream's identity and
 * its clocks: when the server last delivered, the silence retry (`play` again
 * at half the timeout, then the failure, S4.5) and a change indicator seen
 * (S2.5c). It sends nothing itself: the client core sends what it builds.
 */
import { CHANGE_GRACE, SILENCE_DEV_MULT, SILENCE_FLOOR, SILENCE_PACKETS, SILENCE_SAMPLES } from '../../protocol/constants.js';
import type { MessageOf } from '../../protocol/messages.js';

/** What a silence that is due calls for. */
export type Silence = 'play-again' | 'failed';

export class ServerSession {
  /** Where silence counts from: the last data, or the last `play` sent. */
  private quietSince: number;
  /** When the server last delivered data of the stream; undefined: never. */
  private deliveredAt: number | undefined;
  private retried = false;
  /** When the data first carried the change indicator, unanswered so far. */
  private changeAt: number | undefined;
  /** The stream's inter-arrivals, ms, smoothed as TCP smooths round trips (RFC 6298): mean, mean deviation, and how many. */
  private gapMean = 0;
  private gapDev = 0;
  private gaps = 0;

  constructor(
    readonly sid: number,
    readonly srv: string,
    readonly cookie: Uint8Array,
    now: number,
  ) {
    this.quietSince = now;
  }

  /** This session's stream, from its server. */
  carries(sid: number | undefined, from: string): boolean {
    return sid === this.sid && from === this.srv;
  }

  /** `play` from the client's offsets (flow by flow). */
  playMessage(offs: readonly number[]): MessageOf<'play'> {
    return { type: 'play', sid: this.sid, cookie: this.cookie, off: offs[0] ?? 0, ...(offs.length > 1 ? { offs: [...offs] } : {}) };
  }

  /** `play` sent or sent again while the stream starts: silence counts from now. */
  played(now: number): void {
    this.quietSince = now;
  }

  /** Data arrived from the server. */
  delivered(now: number): void {
    this.deliveredAt = now;
  }

  /** Data of the current stream arrived: its silence clock starts again. */
  heard(now: number): void {
    if (this.deliveredAt !== undefined) this.interArrival(now - this.deliveredAt);
    this.deliveredAt = now;
    this.quietSince = now;
    this.retried = false;
  }

  /** When the server last delivered; `fallback` when it never did. */
  lastDelivered(fallback: number): number {
    return this.deliveredAt ?? fallback;
  }

  /** Taken back after a handoff that found nowhere to go: silence counts from its last data. */
  resumed(now: number): void {
    this.quietSince = this.deliveredAt ?? now;
    this.retried = false;
  }

  /** One inter-arrival of the stream's data, ms: SRTT ← 7/8 SRTT + 1/8 x, RTTVAR ← 3/4 RTTVAR + 1/4 |SRTT − x| (the first: x and x/2). */
  private interArrival(x: number): void {
    if (this.gaps === 0) {
      this.gapMean = x;
      this.gapDev = x / 2;
    } else {
      this.gapDev = 0.75 * this.gapDev + 0.25 * Math.abs(this.gapMean - x);
      this.gapMean = 0.875 * this.gapMean + 0.125 * x;
    }
    this.gaps++;
  }

  /** The stream's pace changes (a rate adjustment): what was learnt of its inter-arrivals no longer holds. */
  relearn(): void {
    this.gaps = 0;
  }

  /**
   * The silence that means failure, learnt from the stream (§6.2): once SILENCE_SAMPLES inter-arrivals
   * are measured, the largest of SILENCE_FLOOR, mean + SILENCE_DEV_MULT × deviation and
   * SILENCE_PACKETS × mean, at most `ceiling`; `ceiling` before that.
   */
  silenceTimeout(ceiling: number): number {
    if (this.gaps < SILENCE_SAMPLES) return ceiling;
    return Math.min(ceiling, Math.max(SILENCE_FLOOR, this.gapMean + SILENCE_DEV_MULT * this.gapDev, SILENCE_PACKETS * this.gapMean));
  }

  /**
   * When silence next calls for something, given the timeout that means failure and its ceiling: the
   * `play` retry at half the timeout when the timeout is the ceiling; a timeout learnt from the stream,
   * shorter, has no retry (a `play` sends the stream again from the client's first missing byte, and
   * a server that is only slow would pay for it in rate).
   */
  silenceDeadline(timeout: number, ceiling: number): number {
    return this.quietSince + (this.retried || timeout < ceiling ? timeout : timeout / 2);
  }

  /** The silence deadline is due: the failure, or (the first time) `play` again. */
  silence(now: number, timeout: number): Silence {
    if (now >= this.quietSince + timeout) return 'failed';
    this.retried = true;
    return 'play-again';
  }

  /** The data carries the change indicator: true the first time, while unanswered. */
  changeIndicated(now: number): boolean {
    if (this.changeAt !== undefined) return false;
    this.changeAt = now;
    return true;
  }

  /** When an unanswered change indicator calls for asking a master, if one was seen. */
  changeDeadline(): number | undefined {
    return this.changeAt === undefined ? undefined : this.changeAt + CHANGE_GRACE;
  }

  /** The change indicator is answered (a `switch`) or acted on. */
  changeDone(): void {
    this.changeAt = undefined;
  }
}
