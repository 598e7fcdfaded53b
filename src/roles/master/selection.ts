/**
 * Server selection (S1.2, spec §4.4). Among the servers that hold the file, are
 * up and have room for its rate, a named policy picks one. The default policy
 * picks the greatest available bandwidth, where
 *
 *   available = capacity − max(committed bandwidth, its moving average) − reserved
 *
 * (`reserved`: the rates of streams the master has just assigned and the server
 * has not reported yet), so both the history and the current load count.
 */
import { NEAREST_RTT_BAND } from '../../protocol/constants.js';
import type { Rng } from '../../protocol/rng.js';

export const POLICIES = ['greatest-available-bandwidth', 'round-robin', 'least-streams', 'random', 'weighted', 'nearest'] as const;
export type Policy = (typeof POLICIES)[number];

export function isPolicy(s: string): s is Policy {
  return (POLICIES as readonly string[]).includes(s);
}

export const POLICY_DOCS: Readonly<Record<Policy, string>> = {
  'greatest-available-bandwidth': 'The server with the most available bandwidth (ties: fewer streams, then the one this master chose least recently). The default (S1.2).',
  'round-robin': 'Each eligible server in turn, in name order.',
  'least-streams': 'The server with the fewest streams, counting those just assigned (ties: more available bandwidth, then the one this master chose least recently).',
  'random': 'A uniformly random eligible server, from the master\'s seeded generator.',
  'weighted': 'A random eligible server, with probability proportional to its available bandwidth.',
  'nearest': 'Proximity (S3.5, §12.5): a server in the client\'s location first (the request\'s `loc`), then the nearest to the client in bands of NEAREST_RTT_BAND ms, then the most available bandwidth, then the one this master chose least recently. Nearest: the smallest |rtt(master, server) − rtt(master, client)|, a lower bound of the round trip between them (the triangle inequality), once the client\'s source has echoed an answer; until then the client counts as at the master (the server\'s round trip alone). A server\'s round trip is measured on polls (the latency it registered until then).',
};

export interface Candidate {
  readonly name: string;
  /** Bits per second the server can still take. */
  readonly available: number;
  /** Streams reported plus streams assigned and not yet reported. */
  readonly streams: number;
  /** Where the server is (§12.5), when it said. */
  readonly loc?: string;
  /** The round trip from the master to it, ms (measured, or as it registered), when known. */
  readonly rtt?: number;
}

export class Selector {
  private turn = 0;
  /** How many choices this selector has made, and when (that count) it last chose each server: ties go round, not always to one name. */
  private choices = 0;
  private readonly lastChosen = new Map<string, number>();

  constructor(
    readonly policy: Policy,
    private readonly rng: Rng,
  ) {}

  /**
   * Pick one of `candidates` (all eligible: up, holding the file, with room), or undefined when
   * there are none; `loc`, where the client is; `rtt`, the master's round trip to it, ms (§12.5).
   */
  pick(candidates: readonly Candidate[], loc?: string, rtt = 0): Candidate | undefined {
    const c = this.choice(candidates, loc, rtt);
    if (c) {
      this.lastChosen.delete(c.name);
      this.lastChosen.set(c.name, ++this.choices);
      // Bounded: the servers chosen longest ago are forgotten first (they then count as never chosen).
      if (this.lastChosen.size > MAX_REMEMBERED) this.lastChosen.delete(this.lastChosen.keys().next().value!);
    }
    return c;
  }

  private choice(candidates: readonly Candidate[], loc: string | undefined, rtt: number): Candidate | undefined {
    if (candidates.length <= 1) return candidates[0];
    // Among equals, the server chosen least recently (never chosen: first), then name: a burst of
    // requests at identical servers goes round them, as round robin would.
    const older = (a: Candidate, b: Candidate) => (this.lastChosen.get(a.name) ?? 0) - (this.lastChosen.get(b.name) ?? 0) || byName(a, b);
    switch (this.policy) {
      case 'nearest': {
        const here = (c: Candidate) => (loc !== undefined && c.loc === loc ? 0 : 1);
        const band = (c: Candidate) => (c.rtt === undefined ? Number.MAX_SAFE_INTEGER : Math.floor(Math.abs(c.rtt - rtt) / NEAREST_RTT_BAND));
        return best(candidates, (a, b) => here(a) - here(b) || band(a) - band(b) || b.available - a.available || a.streams - b.streams || older(a, b));
      }
      // The greedy policies need no order.
      case 'greatest-available-bandwidth':
        return best(candidates, (a, b) => b.available - a.available || a.streams - b.streams || older(a, b));
      case 'least-streams':
        return best(candidates, (a, b) => a.streams - b.streams || b.available - a.available || older(a, b));
    }
    // The others walk the servers in name order, so a seed gives the same choices whatever the catalog's order.
    const sorted = [...candidates].sort(byName);
    switch (this.policy) {
      case 'round-robin':
        return sorted[this.turn++ % sorted.length];
      case 'random':
        return sorted[this.rng.below(sorted.length)];
      case 'weighted': {
        const total = sorted.reduce((n, c) => n + c.available, 0);
        if (total <= 0) return sorted[this.rng.below(sorted.length)];
        let x = this.rng.float() * total;
        for (const c of sorted) {
          x -= c.available;
          if (x < 0) return c;
        }
        return sorted[sorted.length - 1];
      }
    }
  }
}

/** Servers whose last choice a selector remembers, at most (more than any catalog holds of one file's holders in practice). */
const MAX_REMEMBERED = 4_096;

function byName(a: Candidate, b: Candidate): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function best(candidates: readonly Candidate[], cmp: (a: Candidate, b: Candidate) => number): Candidate {
  let winner = candidates[0]!;
  for (const c of candidates) if (cmp(c, winner) < 0) winner = c;
  return winner;
}
