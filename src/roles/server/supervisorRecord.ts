/**
 * Who supervises this server (§12.2): a sub-machine of the media server core.
 * The server is the one place a supervision is decided: it takes a master's
 * `supervise` only when the epoch is higher than its own and the claim is
 * legitimate (a handover by the supervisor, an operator's order, or a claim
 * by another master once the supervisor has gone silent). Until a claim is
 * taken its first master supervises it, and is held to the same rule: alive,
 * it hands the server over; silent, it may be claimed from.
 * The epoch it holds fences the supervisor it replaced: from then on only the
 * new one's `move` is taken. It never sends or reports anything itself: the
 * server core does.
 */
import { SUPERVISOR_SILENCE_POLLS } from '../../protocol/constants.js';
import type { MessageOf } from '../../protocol/messages.js';

/** What the server says of its supervision in every `load` (§12.2). */
export interface SupervisionFields {
  readonly sup?: string;
  readonly sep?: number;
  readonly pin?: boolean;
}

/** The outcome of a `supervise`: taken (the supervisor before it, `from`), or refused and why. */
export type ClaimOutcome =
  | { readonly taken: true; readonly from: string }
  | { readonly taken: false; readonly why: string };

/** How long a master has been silent toward this server, and its poll interval. */
export interface MasterSilence {
  readonly silentFor: number;
  readonly pollInterval: number;
}

export class SupervisorRecord {
  private primary: string | undefined;
  private epochNow = 0;
  private pinned = false;

  /** `masters`: the server's masters, in the order it was given them (the first supervises until a claim). */
  constructor(private readonly masters: readonly string[]) {}

  /** The master the server sends `track` to and takes `move` from. */
  get master(): string {
    return this.primary ?? this.masters[0]!;
  }

  get epoch(): number {
    return this.epochNow;
  }

  /**
   * The fields of a `load`: none for a server with one master that took no claim (a cluster of one
   * master sees the same reports as ever); otherwise the supervisor, its epoch, and the pin.
   */
  fields(): SupervisionFields {
    if (this.primary === undefined && this.masters.length === 1) return {};
    return { sup: this.master, ...(this.epochNow > 0 ? { sep: this.epochNow } : {}), ...(this.pinned ? { pin: true } : {}) };
  }

  /** A `supervise` from master `from`; `silence`: how long the supervisor now has been silent toward this server. */
  claim(msg: Pick<MessageOf<'supervise'>, 'ep' | 'to' | 'pin'>, from: string, silence: MasterSilence): ClaimOutcome {
    const holder = this.master;
    if (!this.masters.includes(msg.to)) return { taken: false, why: `${msg.to} is not one of this server's masters` };
    if (msg.ep <= this.epochNow) return { taken: false, why: `epoch ${msg.ep} is not above ${this.epochNow}, held by ${holder}` };
    const handover = from === holder;
    if (!msg.pin && !handover) {
      if (msg.to !== from) return { taken: false, why: `only the supervisor, ${holder}, hands the supervision to another master` };
      const limit = SUPERVISOR_SILENCE_POLLS * silence.pollInterval;
      // The first master too, supervising by default: a partition between masters must not move it.
      if (silence.silentFor < limit) {
        return { taken: false, why: `the supervisor, ${holder}, was heard ${Math.round(silence.silentFor)} ms ago (a claim waits ${limit} ms of silence)` };
      }
    }
    this.primary = msg.to;
    this.epochNow = msg.ep;
    this.pinned = msg.pin === true;
    return { taken: true, from: holder };
  }
}
