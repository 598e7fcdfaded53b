/**
 * What a link does to one datagram: the impairment model shared by the
 * simulated network and the real-UDP impairment relay, so a scenario means the
 * same thing in both modes. Pure: the randomness is a seeded Rng, the time an
 * argument.
 */
import { Rng } from '../../src/protocol/rng.js';
import type { LinkSpec } from '../scenario/types.js';

/** A queue on a rate-capped link holds at most this much waiting time, ms; beyond, datagrams drop. */
export const MAX_QUEUE_DELAY = 200;

/**
 * A loss burst is a short outage: a link that has carried nothing for this
 * long (ms) forgets its burst state. Without it, a link that carries one datagram
 * a second (a client's retried request) would stay in a burst of 4 datagrams
 * for 4 seconds.
 */
export const BURST_IDLE = 100;

/** The state a link keeps between datagrams: its loss-burst state and its queue. */
export interface LinkState {
  /** In a loss burst (Gilbert–Elliott "bad" state). */
  bad: boolean;
  /** When the link last carried a datagram, ms (for BURST_IDLE). */
  lastAt: number;
  /** When the link's transmitter is free again (rate cap), ms. */
  busyUntil: number;
}

export function newLinkState(): LinkState {
  return { bad: false, lastAt: -Infinity, busyUntil: 0 };
}

export interface Delivery {
  /** ms after now. */
  readonly delay: number;
  /** The bytes to deliver (a corrupted copy when the link corrupted them). */
  readonly bytes: Uint8Array;
}

export interface Fate {
  /** Zero, one or two deliveries. */
  readonly deliveries: readonly Delivery[];
  /** What happened, for the trace: `delivered`, `lost`, `burst-lost`, `blocked`, `queue-full`, `duplicated`, `corrupted`, `reordered`. */
  readonly fault: string;
}

/**
 * Decide one datagram's fate on a link. Loss with bursts follows a
 * Gilbert–Elliott chain whose stationary loss is `loss` and whose mean burst
 * is `burst` datagrams (on a busy link; an idle one leaves its burst).
 */
export function fate(link: LinkSpec, state: LinkState, rng: Rng, now: number, bytes: Uint8Array): Fate {
  if (link.blocked) return { deliveries: [], fault: 'blocked' };
  if (link.loss > 0) {
    if (link.burst <= 1) {
      if (rng.float() < link.loss) return { deliveries: [], fault: 'lost' };
    } else {
      // Leave a burst with probability 1/burst; enter one so that the long-run loss is `loss`.
      // After an idle spell the chain starts afresh from its stationary state (lost with probability `loss`).
      const leave = 1 / link.burst;
      const enter = link.loss >= 1 ? 1 : (link.loss * leave) / (1 - link.loss);
      state.bad = now - state.lastAt > BURST_IDLE ? rng.float() < link.loss : state.bad ? rng.float() >= leave : rng.float() < enter;
      state.lastAt = now;
      if (state.bad) return { deliveries: [], fault: 'burst-lost' };
    }
  }
  let start = now;
  if (link.rate > 0) {
    const tx = (bytes.length * 8 * 1000) / link.rate;
    const begin = Math.max(now, state.busyUntil);
    if (begin - now > MAX_QUEUE_DELAY) return { deliveries: [], fault: 'queue-full' };
    state.busyUntil = begin + tx;
    start = begin + tx;
  }
  const faults: string[] = [];
  let out = bytes;
  if (link.corrupt > 0 && rng.float() < link.corrupt && bytes.length > 0) {
    out = Uint8Array.from(bytes);
    const bit = rng.below(bytes.length * 8);
    out[bit >> 3] = out[bit >> 3]! ^ (1 << (bit & 7));
    faults.push('corrupted');
  }
  const one = (): number => {
    let d = start - now + link.delay + (link.jitter > 0 ? rng.float() * link.jitter : 0);
    if (link.reorder > 0 && rng.float() < link.reorder) {
      d += Math.max(1, link.delay) * (1 + rng.float() * 2);
      faults.push('reordered');
    }
    return d;
  };
  const deliveries: Delivery[] = [{ delay: one(), bytes: out }];
  if (link.duplicate > 0 && rng.float() < link.duplicate) {
    deliveries.push({ delay: one(), bytes: out });
    faults.push('duplicated');
  }
  return { deliveries, fault: faults.length > 0 ? faults.join(',') : 'delivered' };
}

/** A link spec with some fields overridden. */
export function withLink(base: LinkSpec, change: Partial<LinkSpec>): LinkSpec {
  return { ...base, ...change };
}
