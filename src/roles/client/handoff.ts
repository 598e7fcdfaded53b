/**
 * A handoff under way (§10.6), as the client sees it: a sub-machine of the
 * client core. It keeps the session being left and why, until the new server
 * delivers the byte the client needs (then it gives the handoff's record: the
 * gap since the old server last delivered, the position, what the master
 * computed) or no master has anywhere to go and the old session, still
 * delivering, is taken back (stay). It sends nothing itself.
 */
import type { HandoffRecord } from './result.js';
import type { ServerSession } from './session.js';

interface Pending {
  readonly from: ServerSession;
  readonly why: string;
  /** Normal play time the master computed, ms (absent when the client moved on its own). */
  readonly computed?: number;
  /** The client's own position (flow 0) when the handoff began, ms of normal play time. */
  readonly position: number;
}

export class Handoff {
  private pending: Pending | undefined;
  /** The session being left while it still delivers: its data counts until the new server's does. */
  private leaving: ServerSession | undefined;

  /** A handoff is under way. */
  get active(): boolean {
    return this.pending !== undefined;
  }

  /** The server the stream moves from, while a handoff is under way. */
  get from(): string | undefined {
    return this.pending?.from.srv;
  }

  /** The session being left that still delivers, if any. */
  get outgoing(): ServerSession | undefined {
    return this.leaving;
  }

  /**
   * The stream moves off `from`: by a `switch` or a change indicator (`keep`: its data still
   * counts), or because it failed (only when no handoff is under way already: the first cause
   * is the one that counts).
   */
  begin(from: ServerSession, why: string, position: number, keep: boolean, computed?: number): void {
    if (!keep && this.pending) return;
    this.pending = { from, why, position, ...(computed !== undefined ? { computed } : {}) };
    if (keep) this.leaving = from;
  }

  /** The session being left ended its stream (`end`): the new server carries on alone. */
  outgoingEnded(): void {
    this.leaving = undefined;
  }

  /**
   * `to` delivered the byte the client needed: the handoff is over. Its record, and the session to
   * tear down (the one being left), if any.
   */
  done(to: ServerSession, now: number): { record: HandoffRecord; left: ServerSession | undefined } | undefined {
    const h = this.pending;
    if (!h) return undefined;
    const gap = Math.max(0, Math.round(now - h.from.lastDelivered(now)));
    const record: HandoffRecord = { from: h.from.srv, to: to.srv, why: h.why, npt: h.position, ...(h.computed !== undefined ? { computed: h.computed } : {}), gap };
    const left = this.leaving;
    this.pending = undefined;
    this.leaving = undefined;
    return { record, left };
  }

  /**
   * No master has anywhere to go: the session being left, when it delivered within `silence` ms,
   * is taken back and the handoff is over; otherwise undefined.
   */
  stay(now: number, silence: number): ServerSession | undefined {
    const old = this.leaving;
    if (!old || now - old.lastDelivered(0) >= silence) return undefined;
    this.pending = undefined;
    this.leaving = undefined;
    return old;
  }

  /** The client ends: the session being left, to tear down, if any; nothing is under way any more. */
  end(): ServerSession | undefined {
    const left = this.leaving;
    this.pending = undefined;
    this.leaving = undefined;
    return left;
  }
}
