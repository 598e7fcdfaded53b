/**
 * The master's notices (spec §11.4): what happens at the master — servers
 * joining, going down, draining, leaving; handoffs; orders; requests counted
 * per window — kept in a ring of numbered events and pushed to subscribers
 * (subscriptions.ts) in `notice` datagrams, at a bounded rate and size. Each
 * event has a sequence number, so a subscriber sees what it missed. The feed
 * queues the notices it pushes (`pollTransmit`); the master sends them.
 */
import {
  NOTICE_BURST,
  NOTICE_COUNT_INTERVAL,
  NOTICE_EVENTS,
  NOTICE_INTERVAL,
  NOTICE_RING,
  SUBSCRIBE_LEASE,
} from '../../protocol/constants.js';
import { encode } from '../../protocol/codec.js';
import type { MessageOf } from '../../protocol/messages.js';
import { Queue, type RoleDeps, type Transmit } from '../role.js';
import type { MasterEvent } from './events.js';
import { type Subscriber, Subscriptions } from './subscriptions.js';

export type NoticeEvent = MessageOf<'notice'>['events'][number];
/** An event as the master keeps it: its time instead of `ago`. */
type HeldEvent = Omit<NoticeEvent, 'ago'>;

interface Held {
  readonly seq: number;
  readonly at: number;
  readonly ev: HeldEvent;
}

/** The master events that become notices, and how. Requests are counted, not told one by one. */
function noticeOf(e: MasterEvent): HeldEvent | undefined {
  switch (e.type) {
    case 'server-registered':
    case 'server-up':
    case 'server-recovered':
    case 'server-down':
    case 'server-draining':
    case 'server-overloaded':
    case 'server-left':
    case 'server-forgotten':
    case 'server-restarted':
      return { ev: e.type, srv: e.srv };
    case 'order':
      return e.op === 'drain' ? { ev: 'drain-ordered', srv: e.srv } : { ev: 'capacity-ordered', srv: e.srv, n: e.cap };
    case 'handoff-start':
      return { ev: 'handoff-start', sid: e.sid, srv: e.from, to: e.to, why: e.why, npt: e.computed };
    case 'handoff':
      return { ev: 'handoff', sid: e.sid, srv: e.from, to: e.to, why: e.why, npt: e.npt, gap: e.gap };
    case 'handoff-failed':
      return { ev: 'handoff-failed', sid: e.sid, srv: e.from, to: e.to, why: e.why };
    case 'migrate':
      return { ev: 'migrate', sid: e.sid, srv: e.srv, why: 'overload' };
    case 'member-alive':
    case 'member-suspect':
    case 'member-dead':
    case 'member-left':
      return { ev: e.type, mbr: e.addr, n: e.inc };
    case 'supervision-gained':
    case 'supervision-lost':
      return { ev: 'supervisor', srv: e.srv, mbr: e.to, n: e.epoch };
    default:
      return undefined;
  }
}

/** The answers counted per window: redirects, relayed setups, server lists. */
const COUNTED = { redirect: 0, relay: 1, list: 2 } as const;

export class NoticeFeed {
  readonly subscriptions: Subscriptions;
  private readonly ring: (Held | undefined)[] = new Array<Held | undefined>(NOTICE_RING);
  /** The sequence number of the next event (the first is 1). */
  private next = 1;
  private readonly counts: [number, number, number] = [0, 0, 0];
  private readonly errors = new Map<string, number>();
  /** When the current window of counts ends (undefined: nothing counted). */
  private windowEnds: number | undefined;
  private flushAt: number | undefined;
  private lastFlush = Number.NEGATIVE_INFINITY;
  readonly stats = { notices: 0, events: 0 };

  /** Notices to push, each to an address that has proven it receives there (§9.4); the master drains them. */
  private readonly transmits = new Queue<Transmit>();

  constructor(private readonly deps: RoleDeps) {
    this.subscriptions = new Subscriptions(deps);
  }

  /** The next notice to push; the master drains them after each call that may push. */
  pollTransmit(): Transmit | undefined {
    return this.transmits.take();
  }

  /** The sequence number the next event will take. */
  get nextSeq(): number {
    return this.next;
  }

  /** The oldest sequence number still held. */
  get oldestSeq(): number {
    return Math.max(1, this.next - NOTICE_RING);
  }

  nextTimeout(): number | undefined {
    if (this.flushAt === undefined) return this.windowEnds;
    return this.windowEnds === undefined ? this.flushAt : Math.min(this.flushAt, this.windowEnds);
  }

  /** A master event: held as a notice, counted, or let go. */
  record(e: MasterEvent, now: number): void {
    if (e.type === 'redirect' || e.type === 'relay' || e.type === 'list' || e.type === 'request-error') {
      // Counts are only kept while someone listens: a subscriber gets the windows since it came.
      if (this.subscriptions.size === 0) return;
      if (e.type === 'request-error') this.errors.set(e.code, (this.errors.get(e.code) ?? 0) + 1);
      else this.counts[COUNTED[e.type]]++;
      this.windowEnds ??= now + NOTICE_COUNT_INTERVAL;
      return;
    }
    const ev = noticeOf(e);
    if (ev) this.add(ev, now);
  }

  /** A `subscribe` from `from`: the body of the `subscribe-ack` to answer with. */
  onSubscribe(msg: MessageOf<'subscribe'>, from: string, now: number): Omit<MessageOf<'subscribe-ack'>, 'type'> {
    const cookie = this.subscriptions.cookieFor(from);
    const { state, sub } = this.subscriptions.subscribe(msg, from, now, this.next);
    if (sub && msg.since !== undefined && msg.since < sub.cursor) {
      // Events it wants (again): from where it says, as far back as they are held.
      sub.cursor = Math.max(msg.since, this.oldestSeq);
    }
    if (sub && sub.cursor < this.next) this.schedule(now);
    return { rid: msg.rid, state, cookie, lease: state === 'active' ? SUBSCRIBE_LEASE : 0, next: this.next };
  }

  handleTimeout(now: number): void {
    if (this.windowEnds !== undefined && now >= this.windowEnds) this.closeWindow(now);
    if (this.flushAt !== undefined && now >= this.flushAt) this.flush(now);
  }

  private add(ev: HeldEvent, at: number): void {
    const seq = this.next++;
    this.ring[seq % NOTICE_RING] = { seq, at, ev };
    this.stats.events++;
    if (this.subscriptions.size > 0) this.schedule(at);
  }

  private schedule(now: number): void {
    this.flushAt ??= Math.max(now, this.lastFlush + NOTICE_INTERVAL);
  }

  /** The window of counts is over: one `requests` event, and one `request-errors` event per code. */
  private closeWindow(now: number): void {
    this.windowEnds = undefined;
    const [redirects, relays, lists] = this.counts;
    if (redirects + relays + lists > 0) this.add({ ev: 'requests', counts: [redirects, relays, lists] }, now);
    for (const [code, n] of this.errors) this.add({ ev: 'request-errors', code, n }, now);
    this.counts.fill(0);
    this.errors.clear();
  }

  private flush(now: number): void {
    this.flushAt = undefined;
    this.lastFlush = now;
    this.subscriptions.expire(now);
    let behind = false;
    for (const sub of this.subscriptions.values()) {
      this.send(sub, now);
      if (sub.cursor < this.next) behind = true;
    }
    if (behind) this.flushAt = now + NOTICE_INTERVAL;
    if (this.subscriptions.size === 0) {
      this.counts.fill(0);
      this.errors.clear();
      this.windowEnds = undefined;
    }
  }

  /** Up to NOTICE_BURST notices from the subscriber's cursor; events it fell too far behind for are skipped (the gap shows in the sequence numbers). */
  private send(sub: Subscriber, now: number): void {
    if (sub.cursor < this.oldestSeq) sub.cursor = this.oldestSeq;
    for (let burst = 0; burst < NOTICE_BURST && sub.cursor < this.next; burst++) {
      const seq = sub.cursor;
      const events: NoticeEvent[] = [];
      for (let s = seq; s < this.next && events.length < NOTICE_EVENTS; s++) {
        const held = this.ring[s % NOTICE_RING]!;
        events.push({ ago: Math.min(0xffff_ffff, Math.max(0, Math.round(now - held.at))), ...held.ev });
      }
      const m: MessageOf<'notice'> = { type: 'notice', seq, events };
      const auth = this.deps.auth;
      this.transmits.push({ to: sub.addr, bytes: auth ? auth.encode(m, now) : encode(m) });
      this.stats.notices++;
      sub.cursor = seq + events.length;
    }
  }
}
