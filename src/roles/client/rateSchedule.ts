/**
 * The client's rate schedule (S2.1, §10.3): a sub-machine of the client core.
 * It knows the steps asked for, the scale the stream plays at, and the one
 * adjustment in flight; it says when it next needs the time, and what is due
 * then. It never sends or reports anything itself: the client core asks it
 * (`nextTimeout`, `handleTimeout`) and acts on the outcomes.
 */
import { ACK_INTERVAL } from '../../protocol/constants.js';

/** A stream adjustment to ask for (S2.1): from `at` ms after the stream starts playing, `scale` thousandths of the media rate. */
export interface ScheduledRate {
  readonly at: number;
  readonly scale: number;
}

/** What a wake-up of the schedule calls for. */
export interface AdjustDue {
  /** A new step began: report it (`adjust`). */
  readonly began: boolean;
  /** The adjustment to send to the stream's server now. */
  readonly n: number;
  readonly scale: number;
}

export class RateSchedule {
  /** The scale the stream plays at, thousandths of the media rate (1000: its own rate). */
  scale = 1000;
  private index = 0;
  private lastN = 0;
  private pending: { n: number; scale: number; nextSend: number } | undefined;
  private playStartedAt: number | undefined;

  constructor(private readonly steps: readonly ScheduledRate[] = []) {}

  /** The stream played for the first time (the schedule's time 0). Later starts change nothing. */
  started(now: number): void {
    this.playStartedAt ??= now;
  }

  /** When the schedule next needs a wake-up: the pending adjustment's resend, or the next step. */
  nextTimeout(): number | undefined {
    if (this.pending) return this.pending.nextSend;
    const next = this.steps[this.index];
    return next && this.playStartedAt !== undefined ? this.playStartedAt + next.at : undefined;
  }

  /** What is due at `now`: a step that begins, and the adjustment to (re)send. */
  handleTimeout(now: number): AdjustDue | undefined {
    let began = false;
    if (!this.pending && this.playStartedAt !== undefined) {
      const next = this.steps[this.index];
      if (next && now >= this.playStartedAt + next.at) {
        this.index++;
        if (next.scale !== this.scale) {
          this.lastN++;
          this.pending = { n: this.lastN, scale: next.scale, nextSend: now };
          began = true;
        }
      }
    }
    const p = this.pending;
    if (!p || now < p.nextSend) return undefined;
    p.nextSend = now + 2 * ACK_INTERVAL;
    return { began, n: p.n, scale: p.scale };
  }

  /** The server acknowledged adjustment `n` at `scale`: true when that ends the pending one. */
  handleAck(n: number, scale: number): boolean {
    if (!this.pending || n < this.pending.n) return false;
    this.scale = scale;
    this.pending = undefined;
    return true;
  }

  /** The server has no room for the pending adjustment: the stream goes on as it was. Its scale, if one was pending. */
  handleRefused(): number | undefined {
    const p = this.pending;
    this.pending = undefined;
    return p?.scale;
  }

  /** The stream moved to another server: the pending adjustment goes there at once. */
  retarget(now: number): void {
    if (this.pending) this.pending.nextSend = now;
  }
}
