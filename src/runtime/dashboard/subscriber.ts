/**
 * The dashboard's side of a subscription to a master's notices (§11.3,
 * §11.4), without I/O: what `subscribe` to send and when, what to make of
 * `subscribe-ack` and `notice`.
 *
 *  - The first `subscribe` has no cookie; the master answers `pending` with
 *    one; echoing it makes the subscription `active` (the master pushes only
 *    to an address that has proven it receives there). `full`: try later.
 *  - Renewed every SUBSCRIBE_RENEW while active, each renewal with `since`
 *    just past the last event taken.
 *  - Notices carry sequence numbers. A notice past the next expected one means
 *    some were lost: a `subscribe` with `since` asks the master to send them
 *    again; what it no longer holds is given up once (and counted), so a
 *    gap never makes it ask forever.
 *  - When the master stops answering, the subscription starts over once it
 *    is back, with `since` where it stopped; a master whose sequence numbers
 *    went back has restarted: everything it holds is asked for, from 1.
 */
import { NOTICE_RING, SUBSCRIBE_RENEW } from '../../protocol/constants.js';
import type { MessageOf } from '../../protocol/messages.js';
import type { NoticeEvent } from './noticeText.js';

export type SubscribePhase = 'idle' | 'pending' | 'active' | 'full';

/** What a `subscribe` carries besides rid, pad and at. */
export interface SubscribeBody {
  readonly cookie?: Uint8Array;
  readonly since?: number;
}

/** A `subscribe` without an answer is sent again after this long, ms. */
export const SUBSCRIBE_RETRY = 1_000;
/** After `full`, the next try waits this long, ms. */
export const FULL_RETRY = 5_000;
/**
 * Asking for lost notices again waits at least this long after the last ask,
 * ms: long enough for a master to send all it holds (NOTICE_RING events, at
 * NOTICE_BURST notices of NOTICE_EVENTS per NOTICE_INTERVAL), so that asking
 * does not start a resend that is still under way over again.
 */
export const ASK_BACKOFF = 5_000;
/** An ask whose answer did not come is forgotten after this long, ms. */
const ASK_TIMEOUT = 2_000;

export type AckOutcome = 'pending' | 'active' | 'full' | 'ended' | 'reset';

export interface NoticeOutcome {
  /** Events not seen before, with their sequence numbers, oldest first. */
  readonly events: { seq: number; ev: NoticeEvent }[];
  /** Events given up: the master no longer held them when asked again. */
  readonly lost: number;
}

export class NoticeSubscriber {
  phase: SubscribePhase = 'idle';
  private cookie: Uint8Array | undefined;
  private lastSent = Number.NEGATIVE_INFINITY;
  private lastActive = Number.NEGATIVE_INFINITY;
  /** Set when an answer calls for the next `subscribe` at once (a `pending` cookie to echo). */
  private urgent = true;
  private readonly seen = new Set<number>();
  /** Whether a subscription has begun (the sequence numbers below mean something). */
  private started = false;
  /** One past the highest sequence number seen. */
  private high = 0;
  /** Sequence numbers below are not asked for again. */
  private floor = 0;
  /** Where a subscription that begins asks from: 1, everything the master still holds (what happened before the dashboard came). */
  private resumeFrom: number | undefined = 1;
  private asking: { since: number; at: number; acked: boolean } | undefined;
  /** Events known to exist that no notice has brought yet: asked for from here (a restarted master's). */
  private pending: number | undefined;
  private lastAsk = Number.NEGATIVE_INFINITY;
  private restartSeen = false;

  get active(): boolean {
    return this.phase === 'active';
  }

  /** The `subscribe` to send now, if one is due. */
  due(now: number): SubscribeBody | undefined {
    if (this.asking && now - this.asking.at > ASK_TIMEOUT) this.asking = undefined;
    const cookie = this.cookie ? { cookie: this.cookie } : {};
    switch (this.phase) {
      case 'idle':
      case 'pending':
        return this.urgent || now - this.lastSent >= SUBSCRIBE_RETRY ? this.opening() : undefined;
      case 'full':
        return now - this.lastSent >= FULL_RETRY ? this.opening() : undefined;
      case 'active': {
        const missing = this.missing();
        if (missing !== undefined && !this.asking && now - this.lastAsk >= ASK_BACKOFF) {
          this.asking = { since: missing, at: now, acked: false };
          this.lastAsk = now;
          this.pending = undefined;
          return { ...cookie, since: missing };
        }
        // Each renewal says where we stand (§11.3), so that a lost notice, even the last one, comes again.
        return now - this.lastActive >= SUBSCRIBE_RENEW && now - this.lastSent >= SUBSCRIBE_RETRY ? { ...cookie, since: this.high } : undefined;
      }
    }
  }

  /** A `subscribe` that (re)starts the subscription: with the cookie, it asks for events from where we stopped. */
  private opening(): SubscribeBody {
    if (!this.cookie) return {};
    const since = this.started ? this.high : this.resumeFrom;
    return { cookie: this.cookie, ...(since !== undefined ? { since } : {}) };
  }

  /** The `subscribe` that due() returned has been sent. */
  sent(now: number): void {
    this.lastSent = now;
    this.urgent = false;
  }

  onAck(ack: MessageOf<'subscribe-ack'>, now: number): AckOutcome {
    const before = this.cookie;
    this.cookie = ack.cookie;
    switch (ack.state) {
      case 'pending':
        this.phase = 'pending';
        this.urgent = true;
        if (before && !sameBytes(before, ack.cookie) && this.started) {
          // A new cookie for the same address: a new master instance, with sequence numbers of its own (§11.3).
          this.reset();
          this.resumeFrom = 1;
          return 'reset';
        }
        return 'pending';
      case 'full':
        this.phase = 'full';
        return 'full';
      case 'ended':
        this.phase = 'idle';
        return 'ended';
      case 'active': {
        this.phase = 'active';
        this.urgent = false;
        this.lastActive = now;
        if (this.asking) this.asking.acked = true;
        if (!this.started) {
          // A new subscription: what the master holds from `resumeFrom` comes first (or events from now on).
          this.started = true;
          this.floor = this.resumeFrom ?? ack.next;
          this.high = Math.max(this.high, this.floor);
          this.resumeFrom = undefined;
          return 'active';
        }
        if (ack.next < this.high) {
          // Sequence numbers went back: a new master instance. Ask for all it holds.
          this.reset();
          this.started = true;
          this.floor = 1;
          this.high = 1;
          this.phase = 'active';
          this.lastActive = now;
          this.lastAsk = Number.NEGATIVE_INFINITY;
          if (ack.next > 1) this.pending = 1;
          return 'reset';
        }
        return 'active';
      }
    }
  }

  onNotice(n: MessageOf<'notice'>): NoticeOutcome {
    let lost = 0;
    if (this.asking?.acked) {
      // The first notice since the master took our `since`: what it skipped, it no longer holds.
      if (n.seq > this.asking.since) {
        for (let s = Math.max(this.asking.since, this.floor); s < Math.min(n.seq, this.high); s++) if (!this.seen.has(s)) lost++;
        this.floor = Math.max(this.floor, n.seq);
      }
      this.asking = undefined;
    }
    const events: { seq: number; ev: NoticeEvent }[] = [];
    n.events.forEach((ev, i) => {
      const seq = n.seq + i;
      if (this.seen.has(seq)) return;
      this.seen.add(seq);
      events.push({ seq, ev });
    });
    this.high = Math.max(this.high, n.seq + n.events.length);
    if (this.seen.size > 2 * NOTICE_RING) for (const s of this.seen) if (s < this.high - NOTICE_RING) this.seen.delete(s);
    return { events, lost };
  }

  /** The lowest sequence number that should have come and has not: below one seen (within what a master holds), or asked for after a reset. */
  missing(): number | undefined {
    if (this.pending !== undefined) return this.pending;
    for (let s = Math.max(this.floor, this.high - NOTICE_RING, 1); s < this.high; s++) if (!this.seen.has(s)) return s;
    return undefined;
  }

  /** The `subscribe` that ends an active subscription (so the master frees its place at once), if there is one. */
  ending(): SubscribeBody & { end: true } | undefined {
    return this.phase === 'active' && this.cookie ? { cookie: this.cookie, end: true } : undefined;
  }

  /** The master stopped answering: start over when it is back, from where we stopped. */
  lost(): void {
    this.phase = 'idle';
    this.asking = undefined;
    this.urgent = true;
  }

  /** The master restarted (its uptime went back): what its new instance holds is asked for, from 1. */
  restarted(): void {
    this.reset();
    this.restartSeen = false;
    this.resumeFrom = 1;
    this.phase = 'idle';
    this.urgent = true;
  }

  /** True once, after the subscription found a new master instance by itself (a new cookie, or sequence numbers that went back). */
  takeRestart(): boolean {
    const r = this.restartSeen;
    this.restartSeen = false;
    return r;
  }

  private reset(): void {
    this.restartSeen = true;
    this.seen.clear();
    this.started = false;
    this.high = 0;
    this.floor = 0;
    this.asking = undefined;
    this.pending = undefined;
    this.resumeFrom = undefined;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
