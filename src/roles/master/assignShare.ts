/**
 * Assignment records shared in a group of masters (S3.3, §12.4): the deltas'
 * keys and the anti-entropy that repairs the ones a member missed.
 *
 * Each assignment a master makes is a delta keyed by its server, the server's
 * incarnation (its registration epoch) and a sequence number this master
 * counts per server: `assign` carries `inc` and `seq`. A member records, per
 * origin and server, the highest `seq` up to which it holds every delta (a
 * delta in order moves the mark on; one after a gap does not). Every
 * ASSIGN_DIGEST_INTERVAL each master sends its live members a `digest`: per
 * server it assigned on, its latest `seq` and the ids of its newest
 * assignments there that are still in its table. A member whose mark is
 * behind pulls the ids it does not hold (`pull`), and the origin sends their
 * `assign` again; once it holds every id a digest lists, its mark is the
 * digest's `seq` (an assignment that ended at its origin needs no repair).
 *
 * Pure: no I/O, no clock; the master feeds it and sends what it returns.
 */
import { ASSIGN_DIGEST_INTERVAL, MAX_DIGEST_ENTRIES, MAX_DIGEST_SIDS, MAX_PULL_SIDS } from '../../protocol/constants.js';
import type { MessageOf } from '../../protocol/messages.js';

type DigestEntry = MessageOf<'digest'>['ents'][number];

/** Where a member stands with one origin's deltas for one server. */
interface Mark {
  inc: number;
  seq: number;
}

export class AssignShare {
  /** This master's own counters: server → its incarnation and the last `seq` given there. */
  private readonly own = new Map<string, Mark>();
  /** What this master holds of the others' deltas: origin → server → mark. */
  private readonly heard = new Map<string, Map<string, Mark>>();
  /** Where the next digest starts among the servers (so that every one is told in turn when they are many). */
  private cursor = 0;
  private next: number | undefined;
  readonly stats = { digestsSent: 0, digestsTaken: 0, pulled: 0, repaired: 0 };

  /** The key of a new assignment on `server`, whose incarnation is `inc`. */
  stamp(server: string, inc: number): { inc: number; seq: number } {
    const m = this.own.get(server);
    const seq = m && m.inc === inc ? (m.seq % 0xffff_fffe) + 1 : 1;
    this.own.set(server, { inc, seq });
    return { inc, seq };
  }

  /** A delta of `origin` arrived: in order (or the first of a new incarnation), the mark moves on. */
  delta(origin: string, server: string, inc: number, seq: number): void {
    let byServer = this.heard.get(origin);
    if (!byServer) this.heard.set(origin, (byServer = new Map()));
    const m = byServer.get(server);
    if (!m || m.inc !== inc) byServer.set(server, { inc, seq: seq === 1 ? 1 : 0 });
    else if (seq === m.seq + 1) m.seq = seq;
  }

  /** When the next digest is due; undefined until `start`. */
  nextTimeout(): number | undefined {
    return this.next;
  }

  start(now: number): void {
    this.next ??= now + ASSIGN_DIGEST_INTERVAL;
  }

  /**
   * The digest due `now`: for the servers this master assigned on (at most MAX_DIGEST_ENTRIES, in
   * turn), the latest `seq` and the ids it still holds there (`held`: newest last). Undefined when
   * there is nothing to tell.
   */
  digest(now: number, held: (server: string) => readonly number[]): DigestEntry[] | undefined {
    this.next = now + ASSIGN_DIGEST_INTERVAL;
    const servers = [...this.own.keys()];
    if (servers.length === 0) return undefined;
    const out: DigestEntry[] = [];
    for (let i = 0; i < servers.length && out.length < MAX_DIGEST_ENTRIES; i++) {
      const srv = servers[(this.cursor + i) % servers.length]!;
      const m = this.own.get(srv)!;
      out.push({ srv, inc: m.inc, seq: m.seq, sids: held(srv).slice(-MAX_DIGEST_SIDS) });
    }
    this.cursor = (this.cursor + out.length) % servers.length;
    this.stats.digestsSent++;
    return out;
  }

  /**
   * A digest from `origin`: the ids to pull from it (those of entries whose mark is behind that this
   * master does not hold, on servers it knows). An entry all of whose ids it holds brings its mark up.
   */
  onDigest(origin: string, ents: readonly DigestEntry[], holds: (sid: number) => boolean, knows: (server: string) => boolean): number[] {
    this.stats.digestsTaken++;
    let byServer = this.heard.get(origin);
    if (!byServer) this.heard.set(origin, (byServer = new Map()));
    const pull: number[] = [];
    for (const e of ents) {
      const m = byServer.get(e.srv);
      if (m && m.inc === e.inc && m.seq >= e.seq) continue;
      if (!knows(e.srv)) continue;
      const missing = e.sids.filter((sid) => !holds(sid));
      if (missing.length === 0) byServer.set(e.srv, { inc: e.inc, seq: e.seq });
      else for (const sid of missing) if (pull.length < MAX_PULL_SIDS && !pull.includes(sid)) pull.push(sid);
    }
    this.stats.pulled += pull.length;
    return pull;
  }

  /** A server this master no longer knows (it left, or was forgotten): its counters and marks go. */
  forgetServer(server: string): void {
    this.own.delete(server);
    for (const byServer of this.heard.values()) byServer.delete(server);
  }

  /** A member that left or died: what was heard from it goes (a member that comes back starts afresh). */
  forgetMember(origin: string): void {
    this.heard.delete(origin);
  }

  /** Sizes, for the master's bounded tables. */
  sizes(): { own: number; heard: number } {
    let heard = 0;
    for (const m of this.heard.values()) heard += m.size;
    return { own: this.own.size, heard };
  }
}
