/**
 * What members say to one another (SWIM): a `ping` and its `ack`, a `ping-req` asking another
 * member to probe a target for the asker, each carrying piggybacked updates. Typed values only:
 * the `member` datagram (§12.1) carries them, toWire() and fromWire() convert.
 */
import type { MessageOf } from '../../protocol/messages.js';

/** A member's state as a group member sees it: `left` is a member that said goodbye. */
export type MemberState = 'alive' | 'suspect' | 'dead' | 'left';

/** One piggybacked update: what `addr`'s state is at incarnation `inc` (SWIM §4.2). */
export interface MemberUpdate {
  readonly state: MemberState;
  readonly addr: string;
  readonly inc: number;
  /** A suspicion's: the member that suspects, so that others' suspicions confirm it (Lifeguard). */
  readonly from?: string;
}

export type MemberMessage =
  | { readonly type: 'ping'; readonly seq: number; readonly updates: readonly MemberUpdate[] }
  | { readonly type: 'ack'; readonly seq: number; readonly updates: readonly MemberUpdate[] }
  /** Probe `target` for the sender, and relay its `ack` with this `seq` (SWIM's indirect probe). */
  | { readonly type: 'ping-req'; readonly seq: number; readonly target: string; readonly updates: readonly MemberUpdate[] }
  /** Updates only, unasked and unanswered: a round of gossip apart from probes (memberlist). */
  | { readonly type: 'gossip'; readonly seq: number; readonly updates: readonly MemberUpdate[] };

/** What membership reports: a member's new state, or this member refuting a suspicion about itself. */
export type MemberEvent =
  | { readonly type: 'member-alive'; readonly level: 'info'; readonly addr: string; readonly inc: number }
  | { readonly type: 'member-suspect'; readonly level: 'warn'; readonly addr: string; readonly inc: number }
  | { readonly type: 'member-dead'; readonly level: 'warn'; readonly addr: string; readonly inc: number }
  | { readonly type: 'member-left'; readonly level: 'info'; readonly addr: string; readonly inc: number }
  | { readonly type: 'member-refuted'; readonly level: 'info'; readonly about: 'suspect' | 'dead' | 'left' | 'alive'; readonly inc: number };

/** A member message as the `member` datagram carries it (§12.1), padding aside. */
export function toWire(msg: MemberMessage): MessageOf<'member'> {
  const up = msg.updates.map((u) => ({ s: u.state, a: u.addr, i: u.inc, ...(u.from !== undefined ? { by: u.from } : {}) }));
  return msg.type === 'ping-req'
    ? { type: 'member', k: 'ping-req', seq: msg.seq, target: msg.target, up }
    : { type: 'member', k: msg.type, seq: msg.seq, up };
}

/** The member message a `member` datagram carries; undefined for a `ping-req` without its `target`. */
export function fromWire(m: MessageOf<'member'>): MemberMessage | undefined {
  const updates = m.up.map((u): MemberUpdate => ({ state: u.s, addr: u.a, inc: u.i, ...(u.by !== undefined ? { from: u.by } : {}) }));
  if (m.k !== 'ping-req') return { type: m.k, seq: m.seq, updates };
  return m.target === undefined ? undefined : { type: 'ping-req', seq: m.seq, target: m.target, updates };
}
