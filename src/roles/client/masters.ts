/**
 * Asking masters (S4.3, §6.1): a sub-machine of the client core. It keeps
 * which master is asked, how often, how many gave no server in a row, what
 * the last of them answered and whose port was closed; on a timeout it says
 * what follows (send again, the next master, or give up and why). It never
 * sends or reports anything itself: the client core acts on its outcomes.
 */
import { ATTEMPTS_PER_PEER, MASTER_ROUNDS } from '../../protocol/constants.js';
import type { ErrorCode, WireCode } from '../../protocol/errors.js';

/** What a timeout of the request to a master calls for. */
export type MasterTimeout =
  | { readonly kind: 'resend' }
  /** `master` is given up (`refused`: nothing listens on its port); ask `next`. */
  | { readonly kind: 'next'; readonly master: string; readonly refused: boolean }
  /** `master` is given up, and so is asking: fail with `code`. */
  | { readonly kind: 'give-up'; readonly master: string; readonly refused: boolean; readonly code: ErrorCode | WireCode; readonly message: string };

export class MasterRotation {
  private index: number;
  private tries = 0;
  /** Masters given up in a row without an answer that names a server. */
  private givenUp = 0;
  /** The last retryable `error` a master answered, since a master last answered with a server. */
  private lastError: { code: WireCode; msg: string } | undefined;
  /** Masters whose port was closed at the last try (§6.1), for the final message. */
  private readonly refusedBy = new Set<string>();

  /** `first`: the index to start at (DNS-style round robin starts at a random one). */
  constructor(private readonly masters: readonly string[], first: number) {
    this.index = first;
  }

  /** The master asked now. */
  get current(): string {
    return this.masters[this.index]!;
  }

  isMaster(addr: string): boolean {
    return this.masters.includes(addr);
  }

  /** A new request goes to the current master: its first sending. */
  asked(): void {
    this.tries = 1;
  }

  /** Another sending of the same request, if any is left. */
  private again(): boolean {
    if (this.tries >= ATTEMPTS_PER_PEER) return false;
    this.tries++;
    return true;
  }

  /** Anything at all came from `peer`: its port is open. */
  heard(peer: string): void {
    this.refusedBy.delete(peer);
  }

  /** Nothing listens at the current master's port (§6.1): it counts as its last sending, at once. */
  refused(peer: string): void {
    this.refusedBy.add(peer);
    this.tries = ATTEMPTS_PER_PEER;
  }

  /** The current master answered with an `error` that asking again may fix: it counts as its last sending. */
  errored(code: WireCode, msg: string): void {
    this.lastError = { code, msg };
    this.tries = ATTEMPTS_PER_PEER;
  }

  /** A master answered with a server (or servers): the rounds of asking start again. */
  answered(): void {
    this.givenUp = 0;
    this.lastError = undefined;
  }

  /** The request's deadline passed: again, then the next master, for MASTER_ROUNDS rounds (S4.3). */
  timeout(): MasterTimeout {
    if (this.again()) return { kind: 'resend' };
    const master = this.current;
    const refused = this.refusedBy.has(master);
    this.givenUp++;
    if (this.givenUp >= MASTER_ROUNDS * this.masters.length) {
      // Masters that answered with errors were reachable: report what they said.
      const last = this.lastError;
      if (last) return { kind: 'give-up', master, refused, code: last.code, message: `masters kept answering: ${last.msg}` };
      const message = this.refusedBy.size === this.masters.length
        ? `no master answered: nothing listens on ${this.masters.join(', ')} (port unreachable)`
        : `no master answered (${this.masters.map((m) => (this.refusedBy.has(m) ? `${m}: port unreachable` : m)).join(', ')})`;
      return { kind: 'give-up', master, refused, code: 'master-unreachable', message };
    }
    this.index = (this.index + 1) % this.masters.length;
    return { kind: 'next', master, refused };
  }
}
