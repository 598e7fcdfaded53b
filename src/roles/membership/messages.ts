/**
 * What members say to one another (SWIM): a `ping` and its `ack`, a `ping-req` asking another
 * member to probe a target for the asker, each carrying piggybacked updates. Typed values only:
 * the `member` datagram (§12.1) carries them, toWire() and fromWire() convert.
 */
import { parseAddress } from '../../protocol/address.js';
import { MAX_DATAGRAM } from '../../protocol/constants.js';
import type { MessageOf } from '../../protocol/messages.js';

/** A member's state as a group member sees it: `left` is a member that said goodbye. */
export type MemberState = 'alive' | 'suspect' | 'dead' | 'left';

/**
 * What a member says of itself beside its liveness (a server's entry, §13): its status, users,
 * group and available bandwidth, at version `v`. Only the member itself changes it; (incarnation,
 * `v`) orders its versions, the newer winning.
 */
export interface MemberData {
  readonly v: number;
  readonly st: 'up' | 'overloaded' | 'draining';
  /** Streams it serves. */
  readonly n: number;
  readonly g: string;
  /** Available bandwidth, bits per second. */
  readonly bw: number;
}

/** One piggybacked update: what `addr`'s state is at incarnation `inc` (SWIM §4.2), with its data when it has some. */
export interface MemberUpdate {
  readonly state: MemberState;
  readonly addr: string;
  readonly inc: number;
  /** A suspicion's: the member that suspects, so that others' suspicions confirm it (Lifeguard). */
  readonly from?: string;
  /** An `alive`'s: what the member says of itself, at the version it had then. */
  readonly data?: MemberData;
}

export type MemberMessage =
  | { readonly type: 'ping'; readonly seq: number; readonly updates: readonly MemberUpdate[] }
  | { readonly type: 'ack'; readonly seq: number; readonly updates: readonly MemberUpdate[] }
  /** Probe `target` for the sender, and relay its `ack` with this `seq` (SWIM's indirect probe). */
  | { readonly type: 'ping-req'; readonly seq: number; readonly target: string; readonly updates: readonly MemberUpdate[] }
  /** Updates only, unasked and unanswered: a round of gossip apart from probes (memberlist). */
  | { readonly type: 'gossip'; readonly seq: number; readonly updates: readonly MemberUpdate[] }
  /**
   * Anti-entropy (§13.3): the digest of the sender's view (digest.ts), answered by `sync-ack` with the
   * receiver's entries in buckets where the views differ. `seq` 0, without a digest: a member that
   * joins, answered with the receiver's whole table.
   */
  | { readonly type: 'sync'; readonly seq: number; readonly updates: readonly MemberUpdate[]; readonly digest?: Uint8Array }
  /**
   * `buckets`: those whose every entry the message holds (the sender of the `sync` pushes back what the
   * receiver lacks there); `more`: more than a quarter of the buckets differ, beyond what the message
   * holds (the views are far apart: the next `sync` may come sooner).
   */
  | { readonly type: 'sync-ack'; readonly seq: number; readonly updates: readonly MemberUpdate[]; readonly buckets?: readonly number[]; readonly more?: boolean };

/** What membership reports: a member's new state, or this member refuting a suspicion about itself. */
export type MemberEvent =
  | { readonly type: 'member-alive'; readonly level: 'info'; readonly addr: string; readonly inc: number }
  | { readonly type: 'member-suspect'; readonly level: 'warn'; readonly addr: string; readonly inc: number }
  | { readonly type: 'member-dead'; readonly level: 'warn'; readonly addr: string; readonly inc: number }
  | { readonly type: 'member-left'; readonly level: 'info'; readonly addr: string; readonly inc: number }
  | { readonly type: 'member-refuted'; readonly level: 'info'; readonly about: 'suspect' | 'dead' | 'left' | 'alive'; readonly inc: number }
  /** A member's data says a new status (§13.2), or a newcomer's says it is not up: heard here first at this version. */
  | { readonly type: 'member-status'; readonly level: 'debug'; readonly addr: string; readonly st: MemberData['st']; readonly v: number };

/** A member message as the `member` datagram carries it (§12.1), padding aside. */
export function toWire(msg: MemberMessage): MessageOf<'member'> {
  const up = msg.updates.map((u) => ({ s: u.state, a: u.addr, i: u.inc, ...(u.from !== undefined ? { by: u.from } : {}), ...(u.data !== undefined ? { d: u.data } : {}) }));
  if (msg.type === 'ping-req') return { type: 'member', k: 'ping-req', seq: msg.seq, target: msg.target, up };
  if (msg.type === 'sync' && msg.digest) return { type: 'member', k: 'sync', seq: msg.seq, up, dig: msg.digest };
  if (msg.type === 'sync-ack' && msg.buckets) return { type: 'member', k: 'sync-ack', seq: msg.seq, up, bk: [...msg.buckets], ...(msg.more ? { more: true } : {}) };
  return { type: 'member', k: msg.type, seq: msg.seq, up };
}

/**
 * `m` with as many of its updates as fit in MAX_DATAGRAM once encoded by `encode` (the first kept
 * whatever: a sync page's own entry), and its bytes. Updates that carry servers' entries may not all
 * fit (§13.1).
 */
export function fitted(m: MessageOf<'member'>, encode: (m: MessageOf<'member'>) => Uint8Array): { msg: MessageOf<'member'>; bytes: Uint8Array } {
  let msg = m;
  let bytes = encode(msg);
  while (msg.up.length > 1 && bytes.length > MAX_DATAGRAM) {
    msg = { ...msg, up: msg.up.slice(0, -1) };
    bytes = encode(msg);
  }
  return { msg, bytes };
}

/**
 * The member message a `member` datagram carries; undefined for a `ping-req` without a target that is
 * an address. An update naming no `host:port` is left out: no member is ever made of it, and nothing
 * is sent there (§12.1).
 */
export function fromWire(m: MessageOf<'member'>): MemberMessage | undefined {
  const updates = m.up.filter((u) => parseAddress(u.a) !== undefined).map((u): MemberUpdate => ({ state: u.s, addr: u.a, inc: u.i, ...(u.by !== undefined ? { from: u.by } : {}), ...(u.d !== undefined && u.s === 'alive' ? { data: u.d } : {}) }));
  if (m.k === 'sync') return { type: 'sync', seq: m.seq, updates, ...(m.dig ? { digest: m.dig } : {}) };
  if (m.k === 'sync-ack') return { type: 'sync-ack', seq: m.seq, updates, ...(m.bk ? { buckets: m.bk } : {}), ...(m.more ? { more: true } : {}) };
  if (m.k !== 'ping-req') return { type: m.k, seq: m.seq, updates };
  return m.target === undefined || parseAddress(m.target) === undefined ? undefined : { type: 'ping-req', seq: m.seq, target: m.target, updates };
}
