/**
 * What members say to one another (SWIM): a `ping` and its `ack`, a `ping-req` asking another
 * member to probe a target for the asker, each carrying piggybacked updates. Typed values only:
 * the wire schema comes when a role carries membership.
 */

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
  | { readonly type: 'ping-req'; readonly seq: number; readonly target: string; readonly updates: readonly MemberUpdate[] };

/** What membership reports: a member's new state, or this member refuting a suspicion about itself. */
export type MemberEvent =
  | { readonly type: 'member-alive'; readonly level: 'info'; readonly addr: string; readonly inc: number }
  | { readonly type: 'member-suspect'; readonly level: 'warn'; readonly addr: string; readonly inc: number }
  | { readonly type: 'member-dead'; readonly level: 'warn'; readonly addr: string; readonly inc: number }
  | { readonly type: 'member-left'; readonly level: 'info'; readonly addr: string; readonly inc: number }
  | { readonly type: 'refuted'; readonly level: 'info'; readonly about: 'suspect' | 'dead' | 'left' | 'alive'; readonly inc: number };
