/**
 * Shared supervision as one master of a group runs it (§12.2): a sub-machine
 * of the master core. Per server registered here, it keeps who supervises the
 * server — what the server's own load reports say, for the server decides —
 * and who should: the first of the live members (this one among them) in
 * rendezvous order for that server, the rest its backups. It claims the
 * supervision of a server whose supervisor is gone, when this master comes
 * first among the live members (a backup further down waits its turn, in case
 * the one above it cannot reach the server); it hands a server it supervises
 * over to a live member that comes before it (unless an operator pinned it
 * here); and it says when this master gains or loses a server. It never sends
 * or reports anything itself: the master does.
 */
import { SUPERVISE_BACKUP_ROUNDS, SUPERVISE_HANDOVER_TRIES, SUPERVISE_RETRY } from '../../protocol/constants.js';
import type { MessageOf } from '../../protocol/messages.js';

/** What a server's `load` says of its supervision. */
export type SupervisionReport = Pick<MessageOf<'load'>, 'sup' | 'sep' | 'pin'>;

/** A `supervise` to send to `server`. */
export interface SuperviseOrder {
  readonly server: string;
  readonly ep: number;
  readonly to: string;
  readonly pin?: boolean;
}

/** A change of who supervises a server, as this master sees it. */
export type SupervisionChange =
  | { readonly kind: 'gained'; readonly server: string; readonly from: string | undefined; readonly epoch: number; readonly pinned: boolean }
  | { readonly kind: 'lost'; readonly server: string; readonly to: string; readonly epoch: number; readonly pinned: boolean };

/** One server, as this master knows its supervision. */
interface Supervised {
  /** Its supervisor as it last said; undefined: a server with only this master, supervised here by default. */
  holder: string | undefined;
  epoch: number;
  pinned: boolean;
  /** When this master last sent it a `supervise` (claims and handovers wait SUPERVISE_RETRY). */
  sentAt: number;
  /** Handovers tried toward `handoverTo` without the server taking it (it may not know that master). */
  handovers: number;
  handoverTo: string | undefined;
}

/** A server's supervision as shown: its supervisor, then its backups in order. */
export interface SupervisionView {
  readonly supervisor: string;
  readonly epoch: number;
  readonly pinned: boolean;
  readonly backups: readonly string[];
}

export class Supervision {
  private readonly servers = new Map<string, Supervised>();
  /** Since when the supervisor of each server has been gone (not live) in this master's view. */
  private readonly goneSince = new Map<string, number>();
  private lastRound = -Infinity;

  constructor(private readonly self: string) {}

  get size(): number {
    return this.servers.size;
  }

  /** Does this master supervise `server` (§12.2)? A server with only this master is supervised here. */
  supervises(server: string): boolean {
    const s = this.servers.get(server);
    return s === undefined || s.holder === undefined || s.holder === this.self;
  }

  /** Who supervises `server`, as this master knows it. */
  holderOf(server: string): string {
    return this.servers.get(server)?.holder ?? this.self;
  }

  /** A `load` from `server`: its word on its supervision. A change for this master, if there is one. */
  report(server: string, r: SupervisionReport): SupervisionChange | undefined {
    let s = this.servers.get(server);
    if (!s) {
      s = { holder: undefined, epoch: 0, pinned: false, sentAt: -Infinity, handovers: 0, handoverTo: undefined };
      this.servers.set(server, s);
    }
    const before = s.holder ?? this.self;
    s.holder = r.sup;
    s.epoch = r.sep ?? 0;
    s.pinned = r.pin === true;
    const after = s.holder ?? this.self;
    if (before === after) return undefined;
    if (after === this.self) return { kind: 'gained', server, from: before, epoch: s.epoch, pinned: s.pinned };
    if (before === this.self) return { kind: 'lost', server, to: after, epoch: s.epoch, pinned: s.pinned };
    return undefined;
  }

  /** The server left, or was forgotten. */
  forget(server: string): void {
    this.servers.delete(server);
  }

  /** When to look again: a round every SUPERVISE_RETRY while this master knows any server. */
  nextTimeout(): number | undefined {
    return this.servers.size > 0 ? this.lastRound + SUPERVISE_RETRY : undefined;
  }

  /**
   * A round: for every server, against the live members (this master not among them), the
   * `supervise` orders to send now. A claim comes from the first live member in the server's
   * rendezvous order; one further down claims only once the supervisor has been gone for
   * SUPERVISE_BACKUP_ROUNDS rounds per member above it, in case those cannot reach the server.
   */
  handleTimeout(now: number, live: readonly string[]): SuperviseOrder[] {
    this.lastRound = now;
    const orders: SuperviseOrder[] = [];
    const alive = new Set(live);
    for (const [server, s] of this.servers) {
      // One master for this server: nobody else to supervise it.
      if (s.holder === undefined) continue;
      if (now - s.sentAt < SUPERVISE_RETRY) continue;
      const order = this.decide(server, s, alive, live, now);
      if (!order) continue;
      s.sentAt = now;
      orders.push(order);
    }
    for (const holder of this.goneSince.keys()) if (alive.has(holder) || holder === this.self) this.goneSince.delete(holder);
    return orders;
  }

  private decide(server: string, s: Supervised, alive: ReadonlySet<string>, live: readonly string[], now: number): SuperviseOrder | undefined {
    const holder = s.holder!;
    const ranked = rank(server, [this.self, ...live]);
    if (holder === this.self) {
      // Pinned by an operator, or this master comes first: it keeps the server.
      const first = ranked[0]!;
      if (s.pinned || first === this.self) return undefined;
      if (s.handoverTo !== first) {
        s.handoverTo = first;
        s.handovers = 0;
      }
      if (s.handovers >= SUPERVISE_HANDOVER_TRIES) return undefined;
      s.handovers++;
      return { server, ep: s.epoch + 1, to: first };
    }
    if (alive.has(holder)) return undefined;
    // The supervisor is gone: the first live member claims; the one after it a little later, and so on.
    let since = this.goneSince.get(holder);
    if (since === undefined) this.goneSince.set(holder, (since = now));
    const place = ranked.indexOf(this.self);
    if (now - since < place * SUPERVISE_BACKUP_ROUNDS * SUPERVISE_RETRY) return undefined;
    return { server, ep: s.epoch + 1, to: this.self };
  }

  /** The members changed: handovers refused before may be taken now. */
  membersChanged(): void {
    for (const s of this.servers.values()) s.handovers = 0;
  }

  /** `server`'s supervision as shown: its supervisor and, from the live members, `backups` more in rendezvous order. */
  view(server: string, live: readonly string[], backups: number): SupervisionView {
    const s = this.servers.get(server);
    const supervisor = s?.holder ?? this.self;
    const others = rank(server, [this.self, ...live]).filter((m) => m !== supervisor).slice(0, backups);
    return { supervisor, epoch: s?.epoch ?? 0, pinned: s?.pinned ?? false, backups: s?.holder === undefined ? [] : others };
  }
}

/**
 * Rendezvous (highest random weight) order of `members` for `server`: each member's weight is a
 * hash of the pair, highest first. Every master computes the same order from the same members, and
 * a member joining or leaving moves only the servers it comes first for.
 */
export function rank(server: string, members: readonly string[]): string[] {
  return [...new Set(members)].map((m) => ({ m, w: weight(m, server) })).sort((a, b) => b.w - a.w || (a.m < b.m ? -1 : 1)).map((x) => x.m);
}

/** FNV-1a over `member|server`, then murmur3's finalizer: a 32-bit weight spread over its whole range. */
export function weight(member: string, server: string): number {
  let h = 0x811c9dc5;
  const text = `${member}|${server}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
