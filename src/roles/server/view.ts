/**
 * The servers' shared view (S4.4, §13): every server knows every other one —
 * its address, status, users, group and available bandwidth — from the
 * servers themselves, so that any of them can answer a client with the server
 * list when no master does.
 *
 * It is the group membership of the masters (membership.ts: SWIM, Lifeguard,
 * gossip) with a server's timing and bounds and with data: each server's
 * entry rides on its `alive` updates. A change of status spreads at once, as
 * liveness does; users and bandwidth are refreshed at most every VIEW_REFRESH
 * (slower in a large view: the whole view refreshes VIEW_REFRESH_RATE entries
 * a second at most), passed on VIEW_DATA_RETRANSMITS times by each server, and
 * digests of anti-entropy every VIEW_SYNC_INTERVAL find what gossip missed.
 *
 * Pure: the server feeds it its entry, the datagrams and the time, and sends
 * what it queues.
 */
import {
  MAX_VIEW, VIEW_BUCKET_FILL, VIEW_INDIRECT_PROBES, VIEW_DATA_RETRANSMITS, VIEW_MAX_BUCKETS, VIEW_MAX_PUSH_PAGES, VIEW_PAGE, VIEW_GOSSIP_INTERVAL, VIEW_GOSSIP_NODES, VIEW_PROBE_INTERVAL, VIEW_PROBE_TIMEOUT, VIEW_REFRESH, VIEW_REFRESH_RATE,
  VIEW_SYNC_INTERVAL,
} from '../../protocol/constants.js';
import type { Rng } from '../../protocol/rng.js';
import type { TableSize } from '../role.js';
import { type MemberData, type MemberEvent, type MemberMessage, type MemberSend, Membership, type MemberView } from '../membership/membership.js';

/** What a server says of itself in the view. */
export type ViewEntry = Omit<MemberData, 'v'>;

/** The timing and bounds of the servers' view (§13.1). */
export const VIEW_TIMING = {
  probeInterval: VIEW_PROBE_INTERVAL,
  probeTimeout: VIEW_PROBE_TIMEOUT,
  gossipInterval: VIEW_GOSSIP_INTERVAL,
  gossipNodes: VIEW_GOSSIP_NODES,
  maxMembers: MAX_VIEW,
  syncInterval: VIEW_SYNC_INTERVAL,
  syncPage: VIEW_PAGE,
  bucketFill: VIEW_BUCKET_FILL,
  maxBuckets: VIEW_MAX_BUCKETS,
  maxPushPages: VIEW_MAX_PUSH_PAGES,
  dataRetransmits: VIEW_DATA_RETRANSMITS,
  quietArrivals: true,
  // Servers keep a view only with a cluster key (§13.4): every ping-req is authenticated.
  relayUnknown: true,
  indirectProbes: VIEW_INDIRECT_PROBES,
  secondIndirect: true,
  quietRefutations: true,
} as const;

/** How often a server gossips what must spread at once, ms, and to how many peers (§13.1; `ofp server --gossip-interval`, `--gossip-nodes`). */
export interface ViewGossip {
  readonly interval?: number;
  readonly nodes?: number;
}

/** One server as this server's view holds it. */
export interface ViewPeer {
  readonly addr: string;
  readonly state: MemberView['state'];
  /** When it entered that state. */
  readonly since: number;
  readonly data?: MemberData;
}

export class SharedView {
  private readonly group: Membership;
  /** What it last told (its status, and when it last refreshed its users and bandwidth), and what waits for the next refresh. */
  private told: ViewEntry | undefined;
  private refreshedAt = Number.NEGATIVE_INFINITY;
  private waiting: ViewEntry | undefined;
  private joined = false;

  /** `firstIncarnation`: above any this server had before (a restarted server's entry wins over its last life's). */
  constructor(readonly self: string, rng: Rng, firstIncarnation: number, gossip: ViewGossip = {}) {
    this.group = new Membership(self, rng, {
      ...VIEW_TIMING,
      firstIncarnation,
      ...(gossip.interval !== undefined ? { gossipInterval: gossip.interval } : {}),
      ...(gossip.nodes !== undefined ? { gossipNodes: gossip.nodes } : {}),
    });
  }

  /** Peers to join through (`--peers`, or those a master named): pinged now, tried again while unknown. */
  join(seeds: readonly string[], now: number): void {
    const fresh = seeds.filter((s) => s !== this.self && this.group.member(s) === undefined);
    if (fresh.length === 0 && this.joined) return;
    this.joined = true;
    this.group.join(fresh, now);
  }

  /**
   * The server's entry now. A new status is told at once, urgently; new users or bandwidth at the
   * next refresh, at most every refreshInterval().
   */
  note(entry: ViewEntry, now: number): void {
    const t = this.told;
    if (t && t.st === entry.st && t.n === entry.n && t.g === entry.g && t.bw === entry.bw) {
      this.waiting = undefined;
      return;
    }
    const urgent = !t || t.st !== entry.st || t.g !== entry.g;
    if (!urgent && now - this.refreshedAt < this.refreshInterval()) {
      this.waiting = entry;
      return;
    }
    this.tell(entry, urgent, now);
  }

  private tell(entry: ViewEntry, urgent: boolean, now: number): void {
    this.told = entry;
    this.waiting = undefined;
    this.refreshedAt = now;
    this.group.setData(entry, urgent);
  }

  /** How often this server may refresh its users and bandwidth: VIEW_REFRESH, or n ÷ VIEW_REFRESH_RATE s in a large view. */
  refreshInterval(): number {
    return Math.max(VIEW_REFRESH, ((this.group.size + 1) * 1000) / VIEW_REFRESH_RATE);
  }

  handle(from: string, msg: MemberMessage, now: number): void {
    this.group.handle(from, msg, now);
  }

  handleTimeout(now: number): void {
    if (this.waiting && now - this.refreshedAt >= this.refreshInterval()) this.tell(this.waiting, false, now);
    this.group.handleTimeout(now);
  }

  nextTimeout(): number | undefined {
    const t = this.group.nextTimeout();
    const refresh = this.waiting ? this.refreshedAt + this.refreshInterval() : undefined;
    return refresh !== undefined && (t === undefined || refresh < t) ? refresh : t;
  }

  pollSend(): MemberSend | undefined {
    return this.group.pollSend();
  }

  pollEvent(): MemberEvent | undefined {
    return this.group.pollEvent();
  }

  /** Leave, at once: `left` goes to a few peers now (a stopped server sends nothing more). */
  leave(now: number): void {
    this.group.leave(now);
  }

  /** The peers known, in no order: a snapshot. */
  servers(): ViewPeer[] {
    return this.group.members().map((m) => ({ addr: m.addr, state: m.state, since: m.since, ...(m.data ? { data: m.data } : {}) }));
  }

  /** One peer, as this view holds it. */
  server(addr: string): ViewPeer | undefined {
    const m = this.group.member(addr);
    return m && { addr: m.addr, state: m.state, since: m.since, ...(m.data ? { data: m.data } : {}) };
  }

  /** What this server says of itself, as it last told it, with its version. */
  get own(): MemberData | undefined {
    return this.group.ownData;
  }

  get incarnation(): number {
    return this.group.incarnation;
  }

  get size(): number {
    return this.group.size;
  }

  /**
   * What an operator reads of this view (§13, its load reports): the peers it holds alive with an
   * entry, and how stale the stalest of those entries is, ms (since it last changed here).
   */
  summary(now: number): { readonly known: number; readonly stalest: number } {
    return this.group.dataSummary(now);
  }

  tables(): Record<string, TableSize> {
    const t = this.group.tables();
    return { 'view peers': t.members!, 'view updates': t['member updates']!, 'view probe relays': t['probe relays']! };
  }
}
