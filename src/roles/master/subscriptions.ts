/**
 * The master's subscribers (spec §11.3): operators that asked for its
 * notices. A subscription starts only once the subscriber has echoed the
 * cookie of a `subscribe-ack`, which proves it receives at its address (§9.4):
 * the master never pushes notices to an address that has not. The cookie needs
 * no table: it is a MAC of the address under a secret of this master instance.
 * A subscription is a lease, renewed by each `subscribe`; the table is bounded.
 */
import { COOKIE_LENGTH, MAX_SUBSCRIBERS, SUBSCRIBE_LEASE } from '../../protocol/constants.js';
import { equalBytes } from '../../protocol/auth.js';
import type { MessageOf } from '../../protocol/messages.js';
import type { RoleDeps } from '../role.js';

const utf8 = new TextEncoder();
const COOKIE_LABEL = 'ofp1-subscribe';

export interface Subscriber {
  readonly addr: string;
  /** Sequence number of the next event to send it. */
  cursor: number;
  /** When the lease ends, unless renewed. */
  expires: number;
}

export type SubscribeState = MessageOf<'subscribe-ack'>['state'];

export class Subscriptions {
  private readonly secret: Uint8Array;
  private readonly table = new Map<string, Subscriber>();

  constructor(
    private readonly deps: RoleDeps,
    private readonly limit = MAX_SUBSCRIBERS,
    private readonly lease = SUBSCRIBE_LEASE,
  ) {
    this.secret = deps.rng.bytes(16);
  }

  /** The cookie of an address: unpredictable to anyone who does not receive there. */
  cookieFor(addr: string): Uint8Array {
    return this.deps.crypto.hmacSha256(this.secret, utf8.encode(`${COOKIE_LABEL}|${addr}`)).subarray(0, COOKIE_LENGTH);
  }

  /**
   * A `subscribe` from `from`: start, renew or end its subscription. `next` is
   * where a new subscriber's cursor starts. Returns the state to answer and
   * the subscriber (when active).
   */
  subscribe(msg: MessageOf<'subscribe'>, from: string, now: number, next: number): { state: SubscribeState; sub?: Subscriber } {
    const proven = msg.cookie !== undefined && equalBytes(msg.cookie, this.cookieFor(from));
    if (!proven) return { state: 'pending' };
    if (msg.end) {
      this.table.delete(from);
      return { state: 'ended' };
    }
    this.expire(now);
    let sub = this.table.get(from);
    if (!sub) {
      if (this.table.size >= this.limit) return { state: 'full' };
      sub = { addr: from, cursor: next, expires: 0 };
      this.table.set(from, sub);
    }
    sub.expires = now + this.lease;
    return { state: 'active', sub };
  }

  /** Forget the subscribers whose lease has ended. */
  expire(now: number): void {
    for (const [addr, s] of this.table) if (s.expires <= now) this.table.delete(addr);
  }

  values(): IterableIterator<Subscriber> {
    return this.table.values();
  }

  get size(): number {
    return this.table.size;
  }
}
