/**
 * The constants of group membership (SWIM, with memberlist's timing rules). They live beside the
 * sub-machine until its messages go on the wire; then they move to `src/protocol/constants.ts`.
 * Durations in milliseconds.
 */

/** One protocol period: each member probes one other member per period (SWIM §3.1). */
export const MEMBER_PROBE_INTERVAL = 200;
/** How long a direct `ping` waits for its `ack` before the indirect probe (memberlist's ProbeTimeout). */
export const MEMBER_PROBE_TIMEOUT = 80;
/** How many other members relay an indirect probe (`ping-req`): SWIM's k, memberlist's IndirectChecks. */
export const MEMBER_INDIRECT_PROBES = 3;
/** The suspicion timeout, in protocol periods, scaled by max(1, log10 n) (memberlist's SuspicionMult, 4 there); Lifeguard waits for MULT − 2 confirmations. */
export const MEMBER_SUSPICION_MULT = 3;
/** A suspicion nobody confirms lasts this many times the suspicion timeout (Lifeguard; memberlist's SuspicionMaxTimeoutMult). */
export const MEMBER_SUSPICION_MAX_MULT = 6;
/** Each update is piggybacked this many times, scaled by ceil(log10(n + 1)) (memberlist's RetransmitMult, 4 there: it also gossips apart from probes). */
export const MEMBER_RETRANSMIT_MULT = 6;
/** At most this many piggybacked updates in one message. */
export const MEMBER_UPDATES_PER_MESSAGE = 8;
/** At most this many members known, this member not counted; dead and left ones are forgotten first. */
export const MAX_MEMBERS = 64;
/** At most this many updates queued for piggybacking: one per member, and this member's own. */
export const MAX_MEMBER_UPDATES = MAX_MEMBERS + 1;
/** At most this many indirect probes relayed at once for other members. */
export const MAX_MEMBER_RELAYS = MAX_MEMBERS;
/** How long a dead or left member is remembered (so that stale `alive` updates about it lose) before it is forgotten. */
export const MEMBER_DEAD_RETAIN = 30_000;
/** Lifeguard's local health: the most the probe timeouts are multiplied by, plus one, when this member misses acks. */
export const MEMBER_MAX_LOCAL_HEALTH = 8;
