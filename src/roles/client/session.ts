/**
 * A stream at one server (§5), as the client sees it: a sub-machine of the
 * client core. A client has one current session, and in a handoff also the
 * one being left (handoff.ts). The session keeps the stream's identity and
 * its clocks: when the server last delivered, the silence retry (`play` again
 * at half the timeout, then the failure, S4.5) and a change indicator seen
 * (S2.5c). It sends nothing itself: the client core sends what it builds.
 */
import { CHANGE_GRACE } from '../../protocol/constants.js';
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

  /** When silence next calls for something, given the timeout that means failure. */
  silenceDeadline(timeout: number): number {
    return this.quietSince + (this.retried ? timeout : timeout / 2);
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
