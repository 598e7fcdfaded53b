/**
 * Group membership (S3.2): a sub-machine that keeps which members of a group (masters, later
 * servers) are alive, SWIM style (Das, Gupta, Motivala 2002), with memberlist's timing rules and
 * Lifeguard's local health (Dadgar et al. 2018).
 *
 * Every protocol period it probes one member, in an order shuffled each round: a `ping`; without
 * an `ack` within the probe timeout, a `ping-req` through MEMBER_INDIRECT_PROBES other members and
 * the same `ping` again (in the servers' view, once more a probe timeout later, through others);
 * without any `ack` by the end of the period, the member is suspect. A suspect not refuted within
 * the suspicion timeout is dead. Updates ride on every message, each a bounded number of times.
 * Every MEMBER_RECONNECT_INTERVAL it pings one member it holds dead (or a seed it no longer
 * knows), telling it so: across a partition that healed, each side refutes the other's verdict.
 *
 * A member may say more of itself than its liveness (a server's entry, §13: its status, users,
 * group, available bandwidth): `setData` versions it, and it rides on this member's `alive`
 * updates; a newer (incarnation, version) wins. A change the group must hear at once (`urgent`)
 * goes out as often as a liveness update, and starts rounds of gossip; a mere refresh rides on the
 * messages that go anyway, MembershipOptions.dataRetransmits times from each member. Every
 * `syncInterval`, the digest of this member's view goes to one member at random, which answers
 * with its entries where the two differ; this member pushes back what the other lacks there
 * (anti-entropy, §13.3: memberlist's push-pull, over datagrams): what gossip missed is found.
 *
 * The same module serves a group of masters (§12.1) and the servers' shared view (§13), with the
 * timing and bounds of each (MembershipOptions).
 *
 * It never sends or reports: the parent drains `pollSend()` and `pollEvent()`, and arms
 * `nextTimeout()`.
 */
import type { Rng } from '../../protocol/rng.js';
import { Queue, type TableSize } from '../role.js';
import {
  MAX_MEMBER_RELAYS, MAX_MEMBERS, MEMBER_DEAD_RETAIN, MEMBER_INDIRECT_PROBES, MEMBER_MAX_LOCAL_HEALTH,
  MEMBER_PROBE_INTERVAL, MEMBER_PROBE_TIMEOUT, MEMBER_RETRANSMIT_MULT, MEMBER_SUSPICION_MAX_MULT, MEMBER_SUSPICION_MULT,
  MEMBER_UPDATES_PER_MESSAGE, MEMBER_GOSSIP_INTERVAL, MEMBER_GOSSIP_NODES, MEMBER_RECONNECT_INTERVAL, VIEW_SYNC_SOONER,
} from '../../protocol/constants.js';
import type { MemberData, MemberEvent, MemberMessage, MemberState, MemberUpdate } from './messages.js';
import { bucketOf, bucketsFor, entryHash, fnv1a, packDigest, unpackDigest } from './digest.js';

export type { MemberData, MemberEvent, MemberMessage, MemberState, MemberUpdate } from './messages.js';

/** The timing and bounds of one kind of group. */
export interface MembershipOptions {
  /** One protocol period: one member probed per period, ms. */
  readonly probeInterval: number;
  /** How long a direct `ping` waits for its `ack` before the indirect probe, ms. */
  readonly probeTimeout: number;
  /** Rounds of gossip apart from probes, ms; 0: none (updates ride on probes only). */
  readonly gossipInterval: number;
  /** How many members each round of gossip goes to. */
  readonly gossipNodes: number;
  /** At most this many members known, this one not counted. */
  readonly maxMembers: number;
  /** The digest of the view to one member this often, ms (anti-entropy, §13.3); 0: none. */
  readonly syncInterval: number;
  /** At most this many entries in a page of anti-entropy or of a joiner's table. */
  readonly syncPage: number;
  /** A digest has one bucket per this many entries, a power of two of them, at most maxBuckets. */
  readonly bucketFill: number;
  readonly maxBuckets: number;
  /** At most this many messages push back what a `sync-ack` showed the other member lacks. */
  readonly maxPushPages: number;
  /** How many times each member passes on a refresh of a member's data (not urgent). */
  readonly dataRetransmits: number;
  /** This member's first incarnation: a member that restarts starts above its last one (its entries then win). */
  readonly firstIncarnation: number;
  /**
   * A member heard of for the first time is passed on as a refresh (dataRetransmits times, no
   * round of gossip), and so is this member's own answer to it: in a large group, joins would
   * otherwise flood every queue. The joiner announces itself at full strength all the same.
   */
  readonly quietArrivals: boolean;
  /**
   * A `ping-req` about a member this one has not heard of yet is relayed too: in a group whose
   * every message is authenticated, its target is a member of the asker's view, and a large view
   * that forms has many members each one does not know yet (an indirect probe through them would
   * otherwise fail, and suspect a live member). Without it only members held live are probed for another.
   */
  readonly relayUnknown: boolean;
  /** How many other members relay an indirect probe (SWIM's k). */
  readonly indirectProbes: number;
  /**
   * An indirect probe that brought no `ack` within another probe timeout is tried once more, through
   * other members, before the period ends (with the target pinged again). Under bursty loss a lost
   * probe's paths fail together more often than apart; a second round, a probe timeout later, spares
   * a suspicion (whose refutation every member passes on) for a few datagrams that go only when the
   * first round failed. Needs twice the probe timeout within the period.
   */
  readonly secondIndirect: boolean;
  /**
   * An `alive` at a newer incarnation about a member held alive already (the refutation of a
   * suspicion this member never heard) is passed on as a refresh: nothing changed here. Where the
   * suspicion had spread, it overrides a suspect, and spreads at full strength from there; and a
   * suspicion heard after its refutation (it outran it) sends the refutation on at full strength.
   * In a large group under loss, every refutation would otherwise set every member gossiping.
   */
  readonly quietRefutations: boolean;
}

/** A group of masters (§12.1): no data, no anti-entropy. */
export const MASTER_GROUP: MembershipOptions = {
  probeInterval: MEMBER_PROBE_INTERVAL,
  probeTimeout: MEMBER_PROBE_TIMEOUT,
  gossipInterval: MEMBER_GOSSIP_INTERVAL,
  gossipNodes: MEMBER_GOSSIP_NODES,
  maxMembers: MAX_MEMBERS,
  syncInterval: 0,
  syncPage: MEMBER_UPDATES_PER_MESSAGE,
  bucketFill: 8,
  maxBuckets: 1,
  maxPushPages: 1,
  dataRetransmits: 0,
  firstIncarnation: 0,
  quietArrivals: false,
  relayUnknown: false,
  indirectProbes: MEMBER_INDIRECT_PROBES,
  secondIndirect: false,
  quietRefutations: false,
};

/** A member as this member sees it. */
export interface MemberView {
  readonly addr: string;
  readonly inc: number;
  readonly state: MemberState;
  /** When it entered this state. */
  readonly since: number;
  /** What it last said of itself, when it says anything (§13), and when that last changed here. */
  readonly data?: MemberData;
  readonly dataAt?: number;
}

export interface MemberSend {
  readonly to: string;
  readonly msg: MemberMessage;
}

interface Member {
  addr: string;
  inc: number;
  state: MemberState;
  since: number;
  /** What it says of itself, the incarnation it said it at, and when it last changed here. */
  data: MemberData | undefined;
  dataInc: number;
  dataAt: number;
  /** A suspect's deadline: dead then, unless refuted. */
  deadline: number | undefined;
  /** The incarnation whose refutation this member sent on at full strength (quietRefutations): once each. */
  urged?: number;
  suspicion: Suspicion | undefined;
  /** The hash of its address (its digest bucket), and of its entry as the digest covers it, with what that was computed from. */
  readonly addrHash: number;
  entryHash?: number;
  hashed?: { readonly inc: number; readonly dead: boolean; readonly v: number | undefined };
  /** What it adds to its bucket's digest now (none while left). */
  inDigest?: number;
}

/**
 * A suspicion (Lifeguard §4.2, memberlist's `suspicion`): it lasts `max` while nobody confirms it,
 * down to `min` as `k` other members independently suspect the same member.
 */
interface Suspicion {
  readonly start: number;
  readonly min: number;
  readonly max: number;
  readonly k: number;
  /** Who suspects: the first, then up to k confirmations. */
  readonly by: Set<string>;
}

function suspicionDeadline(s: Suspicion): number {
  const c = s.by.size - 1;
  if (s.k < 1 || c >= s.k) return s.start + s.min;
  return s.start + Math.max(s.min, s.max - ((s.max - s.min) * Math.log(c + 1)) / Math.log(s.k + 1));
}

/** The probe of this period. */
interface Probe {
  readonly target: string;
  readonly seq: number;
  /** When the indirect probe goes out, if no ack came. */
  readonly indirectAt: number;
  indirect: boolean;
  /** When its second round goes out, if no ack came (MembershipOptions.secondIndirect); undefined once it has, or without one. */
  againAt: number | undefined;
  /** The members the first round went through: the second goes through others. */
  via: readonly string[];
  acked: boolean;
}

/** An indirect probe relayed for another member: its ack goes back to `origin` with `seq`. */
interface Relay {
  readonly origin: string;
  readonly seq: number;
  readonly expires: number;
}

interface Queued {
  update: MemberUpdate;
  transmits: number;
  /** Order of queueing: among updates sent as often, the newest goes first. */
  order: number;
  /** A refresh of data only: it goes out `dataRetransmits` times, and starts no round of gossip. */
  readonly refresh: boolean;
}

/** memberlist's `suspicionTimeout`: MEMBER_SUSPICION_MULT periods, times max(1, log10 n). */
export function suspicionTimeout(n: number, interval = MEMBER_PROBE_INTERVAL): number {
  return MEMBER_SUSPICION_MULT * Math.max(1, Math.log10(Math.max(1, n))) * interval;
}

/** How many independent suspicions make a suspicion's timeout its shortest, in a group of n (memberlist: SuspicionMult − 2, or 0 when n is small). */
export function suspicionConfirmations(n: number): number {
  const k = MEMBER_SUSPICION_MULT - 2;
  return n - 2 < k ? 0 : k;
}

/** memberlist's `retransmitLimit`: how many times an update is piggybacked in a group of n. */
export function retransmitLimit(n: number): number {
  return MEMBER_RETRANSMIT_MULT * Math.ceil(Math.log10(n + 1));
}

/**
 * Does `u` override what is known, `m` (SWIM §4.2, memberlist)? alive(i) overrides alive or
 * suspect of a lower incarnation, and dead or left only of a lower one; suspect(i) overrides
 * alive(j) for i ≥ j; dead or left override everything at their incarnation.
 */
export function overrides(u: Pick<MemberUpdate, 'state' | 'inc'>, m: Pick<MemberView, 'state' | 'inc'>): boolean {
  switch (u.state) {
    case 'alive':
      return u.inc > m.inc;
    case 'suspect':
      return m.state === 'suspect' ? u.inc > m.inc : m.state === 'alive' && u.inc >= m.inc;
    case 'dead':
    case 'left':
      return u.inc > m.inc || (u.inc === m.inc && m.state !== 'dead' && m.state !== 'left');
  }
}

/** A group this large or smaller picks members by walking its table (the masters' groups, always). */
const SMALL_GROUP = 64;

const isLive = (s: MemberState) => s === 'alive' || s === 'suspect';

export class Membership {
  private readonly table = new Map<string, Member>();
  /** Indexes of the table, kept as members change state: the suspect, dead and left ones (their deadlines), the alive ones (to pick from), and how many are alive or suspect. */
  private readonly timed = new Map<string, Member>();
  private readonly aliveList: string[] = [];
  private readonly aliveAt = new Map<string, number>();
  private liveCount = 0;
  private readonly updates = new Map<string, Queued>();
  private readonly relays = new Map<number, Relay>();
  private readonly sends = new Queue<MemberSend>();
  private readonly events = new Queue<MemberEvent>();
  private inc = 0;
  private seq = 0;
  private order = 0;
  private probeOrder: string[] = [];
  private probeIndex = 0;
  private probe: Probe | undefined;
  private nextProbeAt: number | undefined;
  /** The next round of gossip: updates to MEMBER_GOSSIP_NODES members, apart from probes. */
  private nextGossipAt: number | undefined;
  private leaving = false;
  /** Lifeguard's local health score: 0 healthy, up to MEMBER_MAX_LOCAL_HEALTH; probe timeouts are scaled by it plus one. */
  private health = 0;
  /** The members it joined through: tried again, now and then, once forgotten. */
  private seeds: readonly string[] = [];
  /** The next ping to a dead member or a forgotten seed. */
  private nextReconnectAt: number | undefined;
  /** The next digest of anti-entropy, and the last one sent: its seq and how many buckets it had. */
  private nextSyncAt: number | undefined;
  private lastSync: { readonly to: string; readonly seq: number; readonly buckets: number } | undefined;
  private readonly selfHash: number;
  /** How many updates changed the table (a member new here, a newer entry, a new state): what a page taught is told by it. */
  private news = 0;
  /** Anti-entropy's index (§13.3): per bucket of the finest digest (maxBuckets of them), the sum of its entries' hashes, and its members. */
  private readonly fine: Uint32Array;
  private readonly fineMembers: Set<Member>[];
  /** What this member says of itself, when it says anything (§13). */
  private data: MemberData | undefined;
  private readonly o: MembershipOptions;
  private readonly gossipInterval: number;

  /** `options`: the group's timing and bounds; a group of masters' by default. */
  constructor(readonly self: string, private readonly rng: Rng, options: Partial<MembershipOptions> = {}) {
    this.o = { ...MASTER_GROUP, ...options };
    this.gossipInterval = this.o.gossipInterval;
    this.inc = this.o.firstIncarnation;
    this.selfHash = fnv1a(self);
    this.fine = new Uint32Array(this.o.maxBuckets);
    this.fineMembers = Array.from({ length: this.o.maxBuckets }, () => new Set<Member>());
  }

  /** What this member says of itself now. */
  get ownData(): MemberData | undefined {
    return this.data;
  }

  /**
   * What this member says of itself changed (§13): the next version of it rides on its `alive`.
   * `urgent` (its status changed): it spreads as fast as a liveness update; otherwise it is a
   * refresh, passed on dataRetransmits times by each member.
   */
  setData(d: Omit<MemberData, 'v'>, urgent: boolean): void {
    this.data = { ...d, v: (this.data?.v ?? 0) + 1 };
    this.enqueue({ state: this.leaving ? 'left' : 'alive', addr: this.self, inc: this.inc, data: this.data }, !urgent);
  }

  /** This member's own incarnation. */
  get incarnation(): number {
    return this.inc;
  }

  /** Lifeguard's local health score (0 is healthy). */
  get localHealth(): number {
    return this.health;
  }

  /** The members known, this member not among them: a read-only snapshot. */
  members(): MemberView[] {
    const out: MemberView[] = [];
    for (const m of this.table.values()) out.push(view(m));
    return out;
  }

  /** How many members are known, this member not counted. */
  get size(): number {
    return this.table.size;
  }

  /** How many members it holds alive with data, and how long since the stalest of those data last changed here, ms (a walk of the table, nothing copied). */
  dataSummary(now: number): { readonly known: number; readonly stalest: number } {
    let known = 0;
    let oldest = now;
    for (const m of this.table.values()) {
      if (m.state !== 'alive' || m.data === undefined) continue;
      known++;
      if (m.dataAt < oldest) oldest = m.dataAt;
    }
    return { known, stalest: Math.max(0, now - oldest) };
  }

  /** One member as this member sees it. */
  member(addr: string): MemberView | undefined {
    const m = this.table.get(addr);
    return m && view(m);
  }

  /** The bounded tables, with their bounds. */
  tables(): Record<string, TableSize> {
    return {
      members: { size: this.table.size, limit: this.o.maxMembers },
      'member updates': { size: this.updates.size, limit: this.o.maxMembers + 1 },
      'probe relays': { size: this.relays.size, limit: MAX_MEMBER_RELAYS },
    };
  }

  /** Join through seed members: ping each, announcing this member; it learns the rest from updates. */
  join(addrs: readonly string[], now: number): void {
    this.leaving = false;
    this.seeds = [...new Set([...this.seeds, ...addrs.filter((a) => a !== this.self)])];
    this.nextReconnectAt ??= now + MEMBER_RECONNECT_INTERVAL;
    this.enqueue(this.own());
    for (const addr of addrs) {
      if (addr === this.self) continue;
      // With anti-entropy, a join is memberlist's push-pull: a page of ours, the seed's whole table back.
      if (this.o.syncInterval > 0) this.sends.push({ to: addr, msg: { type: 'sync', seq: 0, updates: [this.own()] } });
      else this.send(addr, { type: 'ping', seq: this.nextSeq(), updates: [] });
    }
    this.nextProbeAt ??= now + this.rng.below(this.o.probeInterval);
    if (this.gossipInterval > 0) this.nextGossipAt ??= now + this.rng.below(this.gossipInterval);
    if (this.o.syncInterval > 0) this.nextSyncAt ??= now + this.rng.below(this.o.syncInterval);
  }

  /**
   * Leave the group: `left` rides on the next messages; the parent keeps it running a few periods
   * for it to spread. `now`: a member that stops at once tells gossipNodes members now.
   */
  leave(now?: number): void {
    this.leaving = true;
    this.enqueue({ state: 'left', addr: this.self, inc: this.inc });
    if (now !== undefined) for (const to of this.pick(this.o.gossipNodes, this.self)) this.send(to, { type: 'gossip', seq: 0, updates: [] });
  }

  /** A message from `from`: its updates, then the message itself. */
  handle(from: string, msg: MemberMessage, now: number): void {
    const before = this.news;
    // A sync-ack's entries repair this view from the peer's (§13.3): a newer entry learnt there is not passed on.
    for (const u of msg.updates) this.apply(u, now, msg.type === 'sync-ack');
    const news = this.news - before;
    switch (msg.type) {
      case 'ping':
        this.send(from, { type: 'ack', seq: msg.seq, updates: [] });
        return;
      case 'gossip':
        return;
      case 'sync-ack':
        return this.pushBack(from, msg, news, now);
      case 'sync':
        // Answered only to the member that sent it by its own account (its own entry comes first): a
        // sync replayed from another source address draws nothing there (§9.4, §13.3).
        if (msg.updates[0]?.addr !== from) return;
        // A join (`seq` 0: a member that starts, or starts again, knowing nothing): the whole table, a page per message.
        if (msg.seq === 0 && this.table.has(from)) {
          for (const updates of this.allPages()) this.sends.push({ to: from, msg: { type: 'sync-ack', seq: msg.seq, updates } });
          return;
        }
        return this.answerSync(from, msg);
      case 'ping-req': {
        if (msg.target === this.self) {
          this.send(from, { type: 'ack', seq: msg.seq, updates: [] });
          return;
        }
        // Only a member this member holds live (or, in an authenticated view, one it has not heard of yet)
        // is probed for another: a ping-req replayed from elsewhere cannot make it ping an address outside the group (§9.4).
        const target = this.table.get(msg.target);
        if (target ? !isLive(target.state) : !this.o.relayUnknown) return;
        this.pruneRelays(now);
        if (this.relays.size >= MAX_MEMBER_RELAYS) return;
        const seq = this.nextSeq();
        this.relays.set(seq, { origin: from, seq: msg.seq, expires: now + this.scaled(this.o.probeInterval) });
        this.send(msg.target, { type: 'ping', seq, updates: [] });
        return;
      }
      case 'ack': {
        const relay = this.relays.get(msg.seq);
        if (relay) {
          this.relays.delete(msg.seq);
          if (relay.expires > now) this.send(relay.origin, { type: 'ack', seq: relay.seq, updates: [] });
          return;
        }
        if (this.probe && this.probe.seq === msg.seq && !this.probe.acked) {
          this.probe.acked = true;
          this.health = Math.max(0, this.health - 1);
        }
        return;
      }
    }
  }

  /** The time has come: suspicions that ran out, the indirect probe, the end of the period. */
  handleTimeout(now: number): void {
    for (const m of [...this.timed.values()]) {
      if (m.state === 'suspect' && m.deadline !== undefined && m.deadline <= now) {
        this.apply({ state: 'dead', addr: m.addr, inc: m.inc }, now);
      } else if ((m.state === 'dead' || m.state === 'left') && m.since + MEMBER_DEAD_RETAIN <= now) {
        this.forget(m);
      }
    }
    const p = this.probe;
    if (p && !p.acked && !p.indirect && p.indirectAt <= now) {
      p.indirect = true;
      p.via = this.indirectProbe(p, []);
      if (this.o.secondIndirect) p.againAt = now + this.scaled(this.o.probeTimeout);
    } else if (p && !p.acked && p.againAt !== undefined && p.againAt <= now) {
      p.againAt = undefined;
      this.indirectProbe(p, p.via);
    }
    if (this.nextProbeAt !== undefined && this.nextProbeAt <= now) {
      this.endPeriod(now);
      this.startProbe(now);
    }
    if (this.nextGossipAt !== undefined && this.nextGossipAt <= now) this.gossip(now);
    if (this.nextReconnectAt !== undefined && this.nextReconnectAt <= now) this.reconnect(now);
    if (this.nextSyncAt !== undefined && this.nextSyncAt <= now) this.sync(now);
    this.pruneRelays(now);
  }

  /**
   * The target pinged again, beside `ping-req`s through indirectProbes members other than `not`
   * (memberlist's fallback probe, over another path there: one lost datagram alone then suspects
   * nobody). The members it went through.
   */
  private indirectProbe(p: Probe, not: readonly string[]): string[] {
    this.send(p.target, { type: 'ping', seq: p.seq, updates: [] });
    const via = this.pick(this.o.indirectProbes + not.length, p.target).filter((m) => !not.includes(m)).slice(0, this.o.indirectProbes);
    for (const m of via) this.send(m, { type: 'ping-req', seq: p.seq, target: p.target, updates: [] });
    return via;
  }

  /** Anti-entropy (§13.3): the digest of this view to one live member at random, with this member's own entry. */
  private sync(now: number): void {
    this.nextSyncAt = this.table.size === 0 || this.leaving ? undefined : now + this.o.syncInterval;
    const [to] = this.pick(1, this.self);
    if (to === undefined) return;
    const buckets = bucketsFor(this.table.size + 1, this.o.bucketFill, this.o.maxBuckets);
    const seq = this.nextSeq();
    this.lastSync = { to, seq, buckets };
    this.sends.push({ to, msg: { type: 'sync', seq, updates: [this.own()], digest: packDigest(this.sums(buckets)) } });
  }

  /** The digest of this view in `buckets` buckets: per bucket, the sum of its entries' hashes (digest.ts); left members are not in it. */
  private sums(buckets: number): Uint32Array {
    const out = new Uint32Array(buckets);
    // The finest buckets fold onto coarser ones: a bucket of B holds the finest ones equal to it modulo B.
    for (let b = 0; b < this.fine.length; b++) out[b & (buckets - 1)] = out[b & (buckets - 1)]! + this.fine[b]!;
    const self = bucketOf(this.selfHash, buckets);
    out[self] = out[self]! + entryHash(this.self, this.inc, 'alive', this.data);
    return out;
  }

  /** The members in bucket `b` of `buckets`, left ones among them. */
  private *inBucket(b: number, buckets: number): Iterable<Member> {
    for (let f = b; f < this.fine.length; f += buckets) yield* this.fineMembers[f]!;
  }

  /** `m` changed (or is new, or `gone`): the digest's index follows. */
  private redigest(m: Member, gone = false): void {
    if (this.o.syncInterval <= 0) return;
    const f = bucketOf(m.addrHash, this.fine.length);
    if (m.inDigest !== undefined) this.fine[f] = this.fine[f]! - m.inDigest;
    m.inDigest = gone || m.state === 'left' ? undefined : hashOf(m);
    if (m.inDigest !== undefined) this.fine[f] = this.fine[f]! + m.inDigest;
    if (gone) this.fineMembers[f]!.delete(m);
    else this.fineMembers[f]!.add(m);
  }

  /**
   * A `sync` with a digest: this member's entries in buckets where the two views differ, in a random
   * order of buckets, whole buckets while they fit in a page (`buckets` names them); nothing when the
   * views agree. A bucket larger than a page goes in part, at random, and is not named.
   */
  private answerSync(from: string, msg: Extract<MemberMessage, { type: 'sync' }>): void {
    const theirs = msg.digest && unpackDigest(msg.digest, this.o.maxBuckets);
    if (!theirs) return;
    const n = theirs.length;
    const mine = this.sums(n);
    const order: number[] = [];
    for (let b = 0; b < n; b++) if (mine[b] !== theirs[b]) order.push(b);
    if (order.length === 0) return;
    this.shuffle(order);
    const updates: MemberUpdate[] = [];
    const whole: number[] = [];
    const selfBucket = bucketOf(this.selfHash, n);
    for (const b of order) {
      if (updates.length >= this.o.syncPage) break;
      // Its size first (left members counted too: an upper bound), so that a bucket that does not fit is not copied.
      let size = b === selfBucket ? 1 : 0;
      for (let f = b; f < this.fine.length; f += n) size += this.fineMembers[f]!.size;
      if (updates.length + size > this.o.syncPage && updates.length > 0) continue;
      const entries: MemberUpdate[] = b === selfBucket ? [this.own()] : [];
      for (const m of this.inBucket(b, n)) if (m.state !== 'left') entries.push(entryOf(m));
      if (updates.length + entries.length <= this.o.syncPage) {
        updates.push(...entries);
        whole.push(b);
        continue;
      }
      if (updates.length === 0) {
        this.shuffle(entries);
        updates.push(...entries.slice(0, this.o.syncPage));
        break;
      }
    }
    // Far apart (more than a quarter of the buckets differ, and more than a page holds): the asker's next sync comes sooner.
    const more = whole.length < order.length && 4 * order.length > n;
    this.sends.push({ to: from, msg: { type: 'sync-ack', seq: msg.seq, updates, buckets: whole, ...(more ? { more } : {}) } });
  }

  /**
   * The answer to this member's last digest, applied already: in each bucket it holds whole, what
   * this member holds that it does not, or holds older, goes back to it in `gossip` pages (at most
   * maxPushPages of them). A member it holds left goes too, where the other still lists it.
   */
  private pushBack(from: string, msg: Extract<MemberMessage, { type: 'sync-ack' }>, news: number, now: number): void {
    const last = this.lastSync;
    if (!msg.buckets || !last || msg.seq !== last.seq || from !== last.to) return;
    this.lastSync = undefined;
    // More differs than one page held, and at least half the page was news here: the views are far
    // apart (a cold start), not merely a few refreshes under way; the next digest goes sooner.
    if (msg.more && 4 * news >= this.o.syncPage && this.nextSyncAt !== undefined) this.nextSyncAt = Math.min(this.nextSyncAt, now + this.o.syncInterval / VIEW_SYNC_SOONER);
    const n = last.buckets;
    const named = new Set(msg.buckets.filter((b) => b < n));
    const theirs = new Map<string, MemberUpdate>();
    for (const u of msg.updates) theirs.set(u.addr, u);
    const push: MemberUpdate[] = [];
    const consider = (u: MemberUpdate, addrHash: number) => {
      if (!named.has(bucketOf(addrHash, n))) return;
      const t = theirs.get(u.addr);
      if (u.state === 'left' ? t !== undefined && t.state !== 'left' : !t || !sameEntry(t, u)) push.push(u);
    };
    consider(this.own(), this.selfHash);
    for (const b of named) for (const m of this.inBucket(b, n)) consider(entryOf(m), m.addrHash);
    for (let i = 0, pages = 0; i < push.length && pages < this.o.maxPushPages; i += this.o.syncPage, pages++) {
      this.sends.push({ to: from, msg: { type: 'gossip', seq: 0, updates: push.slice(i, i + this.o.syncPage) } });
    }
  }

  /** Fisher–Yates with the injected rng. */
  private shuffle<T>(a: T[]): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.rng.below(i + 1);
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
  }

  /** Every entry, this member's first, syncPage to a page: a joiner's push-pull. */
  private allPages(): MemberUpdate[][] {
    const out: MemberUpdate[][] = [[this.own()]];
    for (const m of this.table.values()) {
      if (m.state === 'left') continue;
      let last = out[out.length - 1]!;
      if (last.length >= this.o.syncPage) out.push((last = []));
      last.push(entryOf(m));
    }
    return out;
  }

  /** This member's own update: alive (or left), with its data. */
  private own(): MemberUpdate {
    return { state: this.leaving ? 'left' : 'alive', addr: this.self, inc: this.inc, ...(this.data ? { data: this.data } : {}) };
  }

  /**
   * Serf's reconnect: ping one member held dead (its death rides on the ping, so it refutes it), or
   * a seed no longer known (it answers, and comes back alive). A partition that healed is thus
   * found again: nothing else ever talks to a dead member.
   */
  private reconnect(now: number): void {
    this.nextReconnectAt = this.leaving ? undefined : now + MEMBER_RECONNECT_INTERVAL;
    const out: string[] = [];
    for (const m of this.timed.values()) if (m.state === 'dead') out.push(m.addr);
    for (const s of this.seeds) if (!this.table.has(s)) out.push(s);
    if (out.length === 0) return;
    const to = out[this.rng.below(out.length)]!;
    // A seed not known yet hears this member's own state: it admits a member by an `alive`.
    if (!this.table.has(to)) this.announce();
    this.send(to, { type: 'ping', seq: this.nextSeq(), updates: [] });
  }

  /** When this member next needs `handleTimeout`, or undefined when it waits for nothing. */
  nextTimeout(): number | undefined {
    let t = this.nextProbeAt;
    if (this.nextGossipAt !== undefined && (t === undefined || this.nextGossipAt < t)) t = this.nextGossipAt;
    if (this.nextReconnectAt !== undefined && (t === undefined || this.nextReconnectAt < t)) t = this.nextReconnectAt;
    if (this.nextSyncAt !== undefined && (t === undefined || this.nextSyncAt < t)) t = this.nextSyncAt;
    const p = this.probe;
    if (p && !p.acked && !p.indirect && (t === undefined || p.indirectAt < t)) t = p.indirectAt;
    if (p && !p.acked && p.againAt !== undefined && (t === undefined || p.againAt < t)) t = p.againAt;
    for (const m of this.timed.values()) {
      const at = m.state === 'suspect' ? m.deadline : m.since + MEMBER_DEAD_RETAIN;
      if (at !== undefined && (t === undefined || at < t)) t = at;
    }
    return t;
  }

  pollSend(): MemberSend | undefined {
    return this.sends.take();
  }

  pollEvent(): MemberEvent | undefined {
    return this.events.take();
  }

  /** The number of members believed in the group, this one included: memberlist's estimate for its scaling. */
  private groupSize(): number {
    return 1 + this.liveCount;
  }

  /** `m` is in the table now, in the state it holds (it was in `was` before, or new): the indexes follow. */
  private indexed(m: Member, was: MemberState | undefined): void {
    if (was !== undefined && isLive(was)) this.liveCount--;
    if (isLive(m.state)) this.liveCount++;
    this.redigest(m);
    if (m.state === 'alive') {
      this.timed.delete(m.addr);
      if (!this.aliveAt.has(m.addr)) {
        this.aliveAt.set(m.addr, this.aliveList.length);
        this.aliveList.push(m.addr);
      }
    } else {
      this.timed.set(m.addr, m);
      this.dropAlive(m.addr);
    }
  }

  private dropAlive(addr: string): void {
    const i = this.aliveAt.get(addr);
    if (i === undefined) return;
    const last = this.aliveList.pop()!;
    if (last !== addr) {
      this.aliveList[i] = last;
      this.aliveAt.set(last, i);
    }
    this.aliveAt.delete(addr);
  }

  /** `m` leaves the table, and its queued update. */
  private forget(m: Member): void {
    this.table.delete(m.addr);
    this.unqueue(m.addr);
    this.redigest(m, true);
    if (isLive(m.state)) this.liveCount--;
    this.timed.delete(m.addr);
    this.dropAlive(m.addr);
  }

  /** A timeout scaled by Lifeguard's local health: a member that misses acks waits longer before blaming others. */
  private scaled(ms: number): number {
    return ms * (this.health + 1);
  }

  private nextSeq(): number {
    this.seq = (this.seq + 1) >>> 0;
    return this.seq;
  }

  /** The period is over: a probe with no ack at all makes its target suspect. */
  private endPeriod(now: number): void {
    const p = this.probe;
    this.probe = undefined;
    if (!p || p.acked) return;
    this.health = Math.min(MEMBER_MAX_LOCAL_HEALTH, this.health + 1);
    const m = this.table.get(p.target);
    if (!m || (m.state !== 'alive' && m.state !== 'suspect')) return;
    const was = m.state;
    this.apply({ state: 'suspect', addr: m.addr, inc: m.inc, from: this.self }, now);
    // Lifeguard's buddy system, at once: tell the suspect itself, which alone can refute it.
    if (was === 'alive') this.send(m.addr, { type: 'ping', seq: this.nextSeq(), updates: [] });
  }

  /** Probe the next member of the round, reshuffling the round when it is over (SWIM §4.3). */
  private startProbe(now: number): void {
    const period = this.scaled(this.o.probeInterval);
    this.nextProbeAt = now + period;
    for (let tries = 0; tries <= this.probeOrder.length; tries++) {
      if (this.probeIndex >= this.probeOrder.length) {
        this.probeOrder = this.shuffled();
        this.probeIndex = 0;
        if (this.probeOrder.length === 0) break;
      }
      const target = this.probeOrder[this.probeIndex++]!;
      const m = this.table.get(target);
      if (!m || (m.state !== 'alive' && m.state !== 'suspect')) continue;
      const seq = this.nextSeq();
      this.probe = { target, seq, indirectAt: now + this.scaled(this.o.probeTimeout), indirect: false, againAt: undefined, via: [], acked: false };
      this.send(target, { type: 'ping', seq, updates: [] });
      return;
    }
    if (this.table.size === 0) this.nextProbeAt = undefined;
  }

  /**
   * A round of gossip (memberlist's): what this member has to tell goes to MEMBER_GOSSIP_NODES live
   * members at random, whatever the probes do. Updates otherwise ride only on probes, and a small
   * group (three masters) probes each member a few times a second at best, fewer as local health
   * slows it: a refutation could miss a suspecter for a whole suspicion timeout.
   */
  private gossip(now: number): void {
    this.nextGossipAt = this.table.size === 0 ? undefined : now + this.gossipInterval;
    // Suspects too: a suspect is the one member that can refute what is said of it.
    for (const to of this.pick(this.o.gossipNodes, this.self, true)) {
      if (!this.hasUpdates()) return;
      this.send(to, { type: 'gossip', seq: 0, updates: [] });
    }
  }

  /** Is any update that is not a mere refresh still to be sent (within its retransmit limit)? Refreshes ride on what goes anyway. */
  private hasUpdates(): boolean {
    if (this.urgentQueued === 0) return false;
    const limit = retransmitLimit(this.groupSize());
    for (const q of this.updates.values()) if (!q.refresh && q.transmits < limit) return true;
    return false;
  }

  /** The queued update about `addr` goes. */
  private unqueue(addr: string): void {
    const q = this.updates.get(addr);
    if (!q) return;
    this.updates.delete(addr);
    if (!q.refresh) this.urgentQueued--;
  }

  /** How many times `q` goes out. */
  private limitOf(q: Queued, liveness: number): number {
    return q.refresh ? this.o.dataRetransmits : liveness;
  }

  /** The live members, in a fresh random order (Fisher–Yates with the injected rng). */
  private shuffled(): string[] {
    const out: string[] = [];
    for (const m of this.table.values()) if (m.state === 'alive' || m.state === 'suspect') out.push(m.addr);
    this.shuffle(out);
    return out;
  }

  /** Up to k alive members (and suspects, when `suspects`) other than `except`, at random. */
  private pick(k: number, except: string, suspects = false): string[] {
    if (this.table.size > SMALL_GROUP) return this.sample(k, except, suspects);
    const all: string[] = [];
    for (const m of this.table.values()) if ((m.state === 'alive' || (suspects && m.state === 'suspect')) && m.addr !== except) all.push(m.addr);
    const out: string[] = [];
    while (out.length < k && all.length > 0) {
      const i = this.rng.below(all.length);
      out.push(all[i]!);
      all[i] = all[all.length - 1]!;
      all.pop();
    }
    return out;
  }

  /** pick() in a large group: k distinct draws from the alive members (and the suspects), without walking the table. */
  private sample(k: number, except: string, suspects: boolean): string[] {
    const extra = suspects ? [...this.timed.values()].filter((m) => m.state === 'suspect').map((m) => m.addr) : [];
    const pool = this.aliveList.length + extra.length;
    const at = (i: number) => (i < this.aliveList.length ? this.aliveList[i]! : extra[i - this.aliveList.length]!);
    const out: string[] = [];
    if (pool <= 2 * k + 1) {
      for (let i = 0; i < pool; i++) if (at(i) !== except) out.push(at(i));
      for (let i = out.length - 1; i > 0; i--) {
        const j = this.rng.below(i + 1);
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out.slice(0, k);
    }
    for (let tries = 0; out.length < k && tries < 8 * k; tries++) {
      const a = at(this.rng.below(pool));
      if (a !== except && !out.includes(a)) out.push(a);
    }
    return out;
  }

  private pruneRelays(now: number): void {
    for (const [seq, r] of this.relays) if (r.expires <= now) this.relays.delete(seq);
  }

  /** Apply one update, by the precedence rules; an update about this member is refuted. */
  private apply(u: MemberUpdate, now: number, repair = false): void {
    if (u.addr === this.self) {
      this.refute(u);
      return;
    }
    let m = this.table.get(u.addr);
    if (!m) {
      // Only an `alive` brings a member this member has not heard of (memberlist ignores the rest).
      if (u.state !== 'alive' || !this.makeRoom()) return;
      m = { addr: u.addr, inc: u.inc, state: 'alive', since: now, deadline: undefined, suspicion: undefined, data: u.data, dataInc: u.inc, dataAt: now, addrHash: fnv1a(u.addr) };
      this.table.set(u.addr, m);
      this.news++;
      this.indexed(m, undefined);
      this.arrived(m, now);
      // A newcomer that is not simply up (draining, overloaded): its status is news here too.
      if (u.data !== undefined && u.data.st !== 'up') this.events.push({ type: 'member-status', level: 'debug', addr: u.addr, st: u.data.st, v: u.data.v });
      return;
    }
    // What the member says of itself: its newest version wins, whatever its liveness says (only it changes it).
    const newer = u.data !== undefined && (m.data === undefined || u.inc > m.dataInc || (u.inc === m.dataInc && u.data.v > m.data.v));
    if (newer) {
      if (m.data !== undefined && m.data.st !== u.data!.st) this.events.push({ type: 'member-status', level: 'debug', addr: m.addr, st: u.data!.st, v: u.data!.v });
      m.data = u.data;
      m.dataInc = u.inc;
      m.dataAt = now;
      this.news++;
      this.redigest(m);
      // A refresh is passed on, fewer times than a change of liveness (below, which carries it too);
      // a repair by anti-entropy is not (the others hold it, or find it in their own exchanges).
      if (!overrides(u, m)) {
        if (!repair) this.enqueue(u, true);
        return;
      }
    }
    // A suspicion of an incarnation the member refuted already: where the refutation went on as a refresh,
    // the suspicion has outrun it, and the refutation follows it at full strength (once per incarnation).
    if (this.o.quietRefutations && u.state === 'suspect' && m.state === 'alive' && u.inc < m.inc) {
      if (m.urged !== m.inc) {
        m.urged = m.inc;
        this.enqueue(entryOf(m));
      }
      return;
    }
    // A suspicion of a newer incarnation is a new one (that member refuted the last): its timer starts again.
    if (u.state === 'suspect' && m.state === 'suspect' && m.suspicion && u.inc === m.inc) {
      this.confirm(m, m.suspicion, u);
      return;
    }
    if (!overrides(u, m)) return;
    this.news++;
    const was = m.state;
    m.inc = u.inc;
    m.state = u.state;
    m.since = now;
    this.indexed(m, was);
    m.suspicion = undefined;
    m.deadline = undefined;
    if (u.state === 'suspect') {
      const n = this.groupSize();
      // In this group's own periods: the servers' view probes once a second, masters five times (§12.1, §13.1).
      const min = suspicionTimeout(n, this.o.probeInterval);
      m.suspicion = { start: now, min, max: MEMBER_SUSPICION_MAX_MULT * min, k: suspicionConfirmations(n), by: new Set([u.from ?? '']) };
      m.deadline = suspicionDeadline(m.suspicion);
    }
    // Alive before and after (a newer incarnation only): news to pass on, not a change to spread at once.
    const quiet = this.o.quietRefutations && was === 'alive' && u.state === 'alive';
    if (u.state === 'alive' && !quiet) m.urged = u.inc;
    this.enqueue(u, quiet);
    if (u.state === 'alive') {
      if (was !== 'alive') this.events.push({ type: 'member-alive', level: 'info', addr: m.addr, inc: m.inc });
      if (was === 'dead' || was === 'left') this.announce();
    } else {
      if (u.state === 'left') this.events.push({ type: 'member-left', level: 'info', addr: m.addr, inc: m.inc });
      else this.events.push({ type: u.state === 'suspect' ? 'member-suspect' : 'member-dead', level: 'warn', addr: m.addr, inc: m.inc });
    }
  }

  /** Another member suspects a suspect too: the suspicion runs out sooner, and others hear of the confirmation. */
  private confirm(m: Member, s: Suspicion, u: MemberUpdate): void {
    if (u.from === undefined || s.by.has(u.from) || s.by.size > s.k) return;
    s.by.add(u.from);
    m.deadline = suspicionDeadline(s);
    this.enqueue(u);
  }

  /** A member heard of for the first time: report it, and probe it from now on. */
  private arrived(m: Member, now: number): void {
    const quiet = this.o.quietArrivals;
    this.enqueue({ state: 'alive', addr: m.addr, inc: m.inc, ...(m.data ? { data: m.data } : {}) }, quiet);
    this.events.push({ type: 'member-alive', level: 'info', addr: m.addr, inc: m.inc });
    // A newcomer knows only its seeds: announce this member again, so that it hears of it.
    this.enqueue(this.own(), quiet);
    // Into this round at a random place, so that it is probed before the next reshuffle (SWIM §4.3):
    // at the end, then swapped with a member still to probe, at random.
    const order = this.probeOrder;
    order.push(m.addr);
    const at = this.probeIndex + this.rng.below(order.length - this.probeIndex);
    [order[at], order[order.length - 1]] = [order[order.length - 1]!, order[at]!];
    this.nextProbeAt ??= now + this.rng.below(this.o.probeInterval);
    if (this.gossipInterval > 0) this.nextGossipAt ??= now + this.rng.below(this.gossipInterval);
    if (this.o.syncInterval > 0) this.nextSyncAt ??= now + this.rng.below(this.o.syncInterval);
  }

  /** Room for one more member: forget the oldest dead or left one if the table is full. */
  private makeRoom(): boolean {
    if (this.table.size < this.o.maxMembers) return true;
    let oldest: Member | undefined;
    for (const m of this.timed.values()) {
      if ((m.state === 'dead' || m.state === 'left') && (!oldest || m.since < oldest.since)) oldest = m;
    }
    if (!oldest) return false;
    this.forget(oldest);
    return true;
  }

  /** Someone says this member is suspect, dead or left, or alive at a newer incarnation: say otherwise, newer (SWIM §4.2). */
  private refute(u: MemberUpdate): void {
    if (u.inc < this.inc) {
      // Someone has not heard the last refutation yet, and it may have gone out its last time: again.
      if (u.state !== 'alive') this.announce();
      return;
    }
    if (u.state === 'alive' && u.inc === this.inc) return;
    if (u.state === 'left' && this.leaving) return;
    this.inc = u.inc + 1;
    this.health = Math.min(MEMBER_MAX_LOCAL_HEALTH, this.health + 1);
    this.announce();
    this.events.push({ type: 'member-refuted', level: 'info', about: u.state, inc: this.inc });
    // The member that suspects it hears first, by a ping of its own: its timer runs out first.
    const by = u.from === undefined ? undefined : this.table.get(u.from);
    if (by && (by.state === 'alive' || by.state === 'suspect')) this.send(by.addr, { type: 'ping', seq: this.nextSeq(), updates: [] });
  }
  /** Queue this member's own state for piggybacking, with its data. */
  private announce(): void {
    this.enqueue(this.own());
  }

  /**
   * Queue an update, replacing any older one about the same member (memberlist's invalidation);
   * `refresh`: data only, passed on fewer times. A refresh does not replace a liveness update still
   * going out (that one carries data too): it takes its data.
   */
  private enqueue(update: MemberUpdate, refresh = false): void {
    const queued = this.updates.get(update.addr);
    if (refresh && queued && !queued.refresh && queued.update.inc === update.inc && queued.update.state === update.state) {
      queued.update = update;
      return;
    }
    this.unqueue(update.addr);
    if (this.updates.size > this.o.maxMembers) return; // cannot happen: one per member and this one
    const q: Queued = { update, transmits: 0, order: this.order++, refresh };
    this.updates.set(update.addr, q);
    if (!refresh) this.urgentQueued++;
    this.file(q);
  }

  /**
   * The index of a large queue (more than SMALL_GROUP updates): per kind (liveness, refresh) and
   * times sent, the updates in the order they got there, so that choosing what a message carries
   * looks at the front of the queue, not all of it. Entries that no longer stand (replaced, sent
   * again, gone) are skipped and swept; a small queue is scanned whole instead.
   */
  private readonly shelves: [Queued[][], Queued[][]] = [[], []];
  private shelved = 0;
  /** Queued updates that are not mere refreshes (what starts a round of gossip). */
  private urgentQueued = 0;

  private file(q: Queued): void {
    const shelf = (this.shelves[q.refresh ? 1 : 0][q.transmits] ??= []);
    shelf.push(q);
    this.shelved++;
    // Swept now and then: the index stays within a few times the queue.
    if (this.shelved > 4 * this.updates.size + 256) this.reshelve();
  }

  private reshelve(): void {
    this.shelves[0] = [];
    this.shelves[1] = [];
    this.shelved = 0;
    const all = [...this.updates.values()].sort((a, b) => a.order - b.order);
    for (const q of all) {
      (this.shelves[q.refresh ? 1 : 0][q.transmits] ??= []).push(q);
      this.shelved++;
    }
  }

  /** Is `q` where the index has it: still queued, sent `t` times? */
  private stands(q: Queued, t: number): boolean {
    return this.updates.get(q.update.addr) === q && q.transmits === t;
  }

  /** The updates a message carries, from the index: liveness first, fewest sendings first, newest first. */
  private chooseShelved(limit: number): Queued[] {
    const chosen: Queued[] = [];
    for (const kind of [0, 1] as const) {
      const top = kind === 0 ? limit : this.o.dataRetransmits;
      const shelves = this.shelves[kind];
      for (let t = 0; t < shelves.length && chosen.length < MEMBER_UPDATES_PER_MESSAGE; t++) {
        const shelf = shelves[t];
        if (!shelf) continue;
        for (let i = shelf.length - 1; i >= 0 && chosen.length < MEMBER_UPDATES_PER_MESSAGE; i--) {
          const q = shelf[i]!;
          if (!this.stands(q, t)) {
            // Gone from here: dropped from the end at once, left in the middle for the next sweep.
            if (i === shelf.length - 1) {
              shelf.pop();
              this.shelved--;
            }
            continue;
          }
          if (t >= top) {
            this.unqueue(q.update.addr);
            continue;
          }
          chosen.push(q);
        }
      }
    }
    return chosen;
  }

  /** Send `msg` with the updates sent least often, newest first; each goes out at most `retransmitLimit` times. */
  private send(to: string, msg: MemberMessage): void {
    const limit = retransmitLimit(this.groupSize());
    const chosen: Queued[] = this.updates.size > SMALL_GROUP ? this.chooseShelved(limit) : [];
    if (this.updates.size > SMALL_GROUP) {
      for (const q of chosen) {
        q.transmits++;
        this.file(q);
      }
      return this.sendWith(to, msg, chosen.map((q) => q.update));
    }
    for (const q of this.updates.values()) {
      if (q.transmits >= this.limitOf(q, limit)) {
        this.unqueue(q.update.addr);
        continue;
      }
      if (chosen.length < MEMBER_UPDATES_PER_MESSAGE) {
        chosen.push(q);
        continue;
      }
      let worst = 0;
      for (let i = 1; i < chosen.length; i++) if (before(chosen[worst]!, chosen[i]!)) worst = i;
      if (before(q, chosen[worst]!)) chosen[worst] = q;
    }
    chosen.sort((a, b) => (before(a, b) ? -1 : 1));
    for (const q of chosen) {
      q.transmits++;
      this.file(q);
    }
    this.sendWith(to, msg, chosen.map((q) => q.update));
  }

  /** `msg` to `to` with `updates`, and what `to` must hear of itself. */
  private sendWith(to: string, msg: MemberMessage, updates: MemberUpdate[]): void {
    // A suspect is told so by everyone who suspects it and talks to it, however often the update
    // went out already: it is the one member that can refute it (SWIM §4.2).
    const m = this.table.get(to);
    if (m?.state === 'suspect' && !updates.some((u) => u.addr === to && u.state === 'suspect' && u.inc === m.inc)) {
      if (updates.length >= MEMBER_UPDATES_PER_MESSAGE) updates.pop();
      updates.unshift({ state: 'suspect', addr: to, inc: m.inc, from: this.self });
    }
    // So is a member held dead that it talks to (a reconnect, or the answer to one): it refutes it.
    if (m?.state === 'dead' && !updates.some((u) => u.addr === to && u.state === 'dead' && u.inc === m.inc)) {
      if (updates.length >= MEMBER_UPDATES_PER_MESSAGE) updates.pop();
      updates.unshift({ state: 'dead', addr: to, inc: m.inc });
    }
    this.sends.push({ to, msg: { ...msg, updates } });
  }
}

/** Does `a` go out before `b`: a change of liveness before a refresh, then sent fewer times, or as often and newer? */
function before(a: Queued, b: Queued): boolean {
  if (a.refresh !== b.refresh) return !a.refresh;
  return a.transmits !== b.transmits ? a.transmits < b.transmits : a.order > b.order;
}

/** A member's entry as an update: alive with its data, or its state. */
function entryOf(m: Member): MemberUpdate {
  return m.state === 'alive' && m.data ? { state: 'alive', addr: m.addr, inc: m.inc, data: m.data } : { state: m.state, addr: m.addr, inc: m.inc };
}

/** Do two updates about one member say the same: state, incarnation and version of its entry? */
function sameEntry(a: MemberUpdate, b: MemberUpdate): boolean {
  return a.state === b.state && a.inc === b.inc && a.data?.v === b.data?.v;
}

/** The hash of `m`'s entry as the digest covers it (digest.ts), computed again only when that changed. */
function hashOf(m: Member): number {
  const h = m.hashed;
  const dead = m.state === 'dead';
  if (m.entryHash === undefined || !h || h.inc !== m.inc || h.dead !== dead || h.v !== m.data?.v) {
    m.entryHash = entryHash(m.addr, m.inc, m.state, m.data);
    m.hashed = { inc: m.inc, dead, v: m.data?.v };
  }
  return m.entryHash;
}

function view(m: Member): MemberView {
  return { addr: m.addr, inc: m.inc, state: m.state, since: m.since, ...(m.data ? { data: m.data, dataAt: m.dataAt } : {}) };
}
