/**
 * A portal's record of its masters (§12.3): a sub-machine of the portal core.
 * Per master: whether it answers the portal's polls, its round trip (a moving
 * average of what the polls measure), and what its summary says of its load:
 * requests per second, streams, and the bandwidth left on the servers it
 * supervises. The selection policies read it. It never sends anything: the
 * portal asks it which masters to poll and tells it the answers.
 */
import { PORTAL_MISSED_POLLS, PORTAL_RTT_WEIGHT } from '../../protocol/constants.js';
import type { MessageOf } from '../../protocol/messages.js';
import type { PortalPolicy } from './policies.js';

/** Requests sent a master that its summaries do not count yet, kept at most (a bound, far above a poll interval's worth). */
const MAX_UNCOUNTED = 4_096;

export { isPortalPolicy, PORTAL_POLICIES, type PortalPolicy } from './policies.js';

type Summary = NonNullable<MessageOf<'status'>['summary']>;

/** One master, as the portal knows it. */
export interface PortalMaster {
  readonly addr: string;
  /** Its place in the order given (priority: first is best). */
  readonly rank: number;
  up: boolean;
  /** Polls unanswered in a row. */
  missed: number;
  /** The poll waiting for its answer: its request id and when it went. */
  pending: { rid: number; at: number } | undefined;
  /** Moving average of the round trip, ms; undefined until one is measured. */
  rtt: number | undefined;
  /** Requests answered per second, from the last two summaries' counters. */
  reqRate: number;
  /** Streams it supervises (a group: on the servers it supervises), or follows. */
  sessions: number;
  /** Bandwidth left, bits per second: over the servers it supervises (a group), or all its servers. */
  free: number;
  lastRequests: { n: number; at: number } | undefined;
  /**
   * When the portal sent it requests its last summary may not count yet (sent after that poll, or
   * too shortly before it for the client to have asked): a burst spreads before the next poll tells.
   */
  sentAt: number[];
}

/** What a poll round or an answer changed: a master coming up or going down. */
export type MasterChange = { readonly kind: 'up'; readonly master: PortalMaster } | { readonly kind: 'down'; readonly master: PortalMaster };

export class MasterTable {
  readonly masters: PortalMaster[];
  private next = 0;

  constructor(addrs: readonly string[]) {
    this.masters = addrs.map((addr, rank) => ({ addr, rank, up: false, missed: 0, pending: undefined, rtt: undefined, reqRate: 0, sessions: 0, free: 0, lastRequests: undefined, sentAt: [] }));
  }

  byAddr(addr: string): PortalMaster | undefined {
    return this.masters.find((m) => m.addr === addr);
  }

  /**
   * A poll round begins: a master whose last poll went unanswered missed it; the masters down after
   * PORTAL_MISSED_POLLS misses in a row are returned. `rid(m)` gives each master's new poll its id.
   */
  round(now: number, rid: () => number): { polls: { master: PortalMaster; rid: number }[]; changes: MasterChange[] } {
    const changes: MasterChange[] = [];
    const polls: { master: PortalMaster; rid: number }[] = [];
    for (const m of this.masters) {
      if (m.pending) {
        m.missed++;
        if (m.up && m.missed >= PORTAL_MISSED_POLLS) {
          m.up = false;
          changes.push({ kind: 'down', master: m });
        }
      }
      m.pending = { rid: rid(), at: now };
      polls.push({ master: m, rid: m.pending.rid });
    }
    return { polls, changes };
  }

  /** A summary answering poll `rid` from `addr`; a master coming up, if it does. */
  answered(addr: string, rid: number, summary: Summary, now: number): MasterChange | undefined {
    const m = this.byAddr(addr);
    if (!m || !m.pending || m.pending.rid !== rid) return undefined;
    const sample = Math.max(0, now - m.pending.at);
    m.rtt = m.rtt === undefined ? sample : m.rtt + PORTAL_RTT_WEIGHT * (sample - m.rtt);
    // What this summary counts: requests referred at least two round trips before the poll left.
    const counted = m.pending.at - 2 * m.rtt;
    m.sentAt = m.sentAt.filter((t) => t > counted);
    m.pending = undefined;
    m.missed = 0;
    if (m.lastRequests && now > m.lastRequests.at) m.reqRate = (Math.max(0, summary.requests - m.lastRequests.n) * 1000) / (now - m.lastRequests.at);
    m.lastRequests = { n: summary.requests, at: now };
    m.sessions = summary.svs ?? summary.sessions;
    m.free = summary.svcap !== undefined && summary.svbw !== undefined ? Math.max(0, summary.svcap - summary.svbw) : Math.max(0, summary.cap - summary.bw);
    if (m.up) return undefined;
    m.up = true;
    return { kind: 'up', master: m };
  }

  /** The master a request goes to by `policy`, among those up (counted as sent to it at `now`); undefined when none is. */
  choose(policy: PortalPolicy, now: number): PortalMaster | undefined {
    const m = this.pick(policy);
    // Bounded: a master that never answers a poll is down, and its list goes with the next summary.
    if (m && m.sentAt.length < MAX_UNCOUNTED) m.sentAt.push(now);
    return m;
  }

  private pick(policy: PortalPolicy): PortalMaster | undefined {
    const up = this.masters.filter((m) => m.up);
    if (up.length === 0) return undefined;
    switch (policy) {
      case 'round-robin': {
        // Over the record of masters, skipping the ones down.
        for (let i = 0; i < this.masters.length; i++) {
          const m = this.masters[(this.next + i) % this.masters.length]!;
          if (!m.up) continue;
          this.next = (m.rank + 1) % this.masters.length;
          return m;
        }
        return undefined;
      }
      case 'priority':
        return up[0];
      case 'resources':
        return best(up, (a, b) => b.free - a.free);
      case 'least-loaded':
        // Streams it follows and requests sent its way since it last said; then requests per second.
        return best(up, (a, b) => a.sessions + a.sentAt.length - (b.sessions + b.sentAt.length) || a.reqRate - b.reqRate);
      case 'nearest':
        return best(up, (a, b) => (a.rtt ?? Infinity) - (b.rtt ?? Infinity));
    }
  }
}

/** The first of `list` by `order`, ties to the earlier (the order given). */
function best(list: readonly PortalMaster[], order: (a: PortalMaster, b: PortalMaster) => number): PortalMaster {
  let out = list[0]!;
  for (const m of list) if (order(m, out) < 0) out = m;
  return out;
}
