/**
 * The master's assignment records (S3.3): which server it gave which stream
 * to, for which client and file. Until the server reports a stream, its rate
 * is *reserved* against the server's room, so that many requests in flight
 * before the next load report do not all land on the same server (§4.4).
 */
import { ASSIGNMENT_TTL, MAX_ASSIGNMENTS, MAX_RESERVED_PER_CLIENT, RESERVE_GRACE } from '../../protocol/constants.js';
import { parseAddress } from '../../protocol/address.js';
import { FifoMap } from '../fifoMap.js';
import type { NptState } from './npt.js';

export interface Assignment {
  readonly sid: number;
  readonly client: string;
  readonly file: string;
  /** The server streaming it (it changes with a handoff: use AssignmentTable.reassign). */
  readonly server: string;
  /** Media rate, bits per second. */
  readonly rate: number;
  readonly at: number;
  /** True once the server has listed it in a load report (or reported it playing). */
  live: boolean;
  /**
   * Its rate is reserved on its server (§4.4): from the assignment until a load report of the
   * server lists it (the report's `bw` then holds it), or the reservation ends early (a client or
   * source over its bound, or not taken up in time). A stream reported playing before its server's
   * next report keeps it: until then no report counts it.
   */
  holding?: boolean;
  /** When the server last listed it. */
  seen: number;
  /** The stream key the client holds (§10.5), when the master issued it. */
  readonly sk?: Uint8Array;
  /** Normal play time accounting from the stream's control events (§10.3). */
  npt?: NptState;
  /** Per server, the last `track` event recorded in order (§10.4): its number, and its time at that server. */
  /** Made when the first event is recorded: most assignments of a busy master never get one before they expire. */
  tracked?: Map<string, { n: number; when: number }>;
  /** Handoffs completed. */
  handoffs: number;
  /** The member that made it, or moved it last, and told this master (§12.4); undefined: this master did. */
  origin?: string;
  /** Its delta's key (§12.4), for one this master made in a group: the server's incarnation and this master's count there. */
  inc?: number;
  seq?: number;
}

interface PerServer {
  readonly streams: Set<Assignment>;
  /** Sum of the rates of the unconfirmed ones, and how many. */
  reservedBw: number;
  reserved: number;
}

/**
 * The source a client address belongs to, for the share of reservations it may hold (§4.4): its
 * IPv4 /24 or IPv6 /64 (a host's neighbours, or one host's many addresses, are one source).
 */
export function sourceOf(client: string): string {
  const host = parseAddress(client)?.host ?? client;
  if (!host.includes(':')) return host.split('.').slice(0, 3).join('.');
  const [head = '', tail = ''] = host.split('::');
  const hs = head ? head.split(':') : [];
  const ts = tail ? tail.split(':') : [];
  const groups = host.includes('::') ? [...hs, ...Array<string>(Math.max(0, 8 - hs.length - ts.length)).fill('0'), ...ts] : hs;
  return groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':');
}

interface Reserved {
  bw: number;
  /** Unconfirmed assignments, oldest first. */
  readonly list: Set<Assignment>;
}

export class AssignmentTable {
  private readonly all = new FifoMap<number, Assignment>();
  private readonly byServer = new Map<string, PerServer>();
  /** Unconfirmed assignments per client address and per source (§4.4). */
  private readonly byClient = new Map<string, Reserved>();
  private readonly bySource = new Map<string, Reserved>();
  /** Reservations ended before a load report of their server listed them: a client or source over its bound, or not taken up in time (§4.4). */
  reclaimed = 0;

  constructor(private readonly limit = MAX_ASSIGNMENTS) {}

  get size(): number {
    return this.all.size;
  }

  get(sid: number): Assignment | undefined {
    return this.all.get(sid);
  }

  has(sid: number): boolean {
    return this.all.has(sid);
  }

  values(): IterableIterator<Assignment> {
    return this.all.values();
  }

  /** Bits per second reserved on `server` by streams it has not reported yet (the failover manager holds room for streams moving there). */
  reservedBw(server: string): number {
    return this.byServer.get(server)?.reservedBw ?? 0;
  }

  /** The streams assigned to `server`. */
  ofServer(server: string): readonly Assignment[] {
    const s = this.byServer.get(server);
    return s ? [...s.streams] : [];
  }

  /** The stream now plays at `server` (a handoff): it moves in the index, confirmed there. */
  reassign(a: Assignment, server: string, now: number): void {
    this.remove(a.sid);
    const moved = a as { server: string };
    moved.server = server;
    a.live = true;
    a.seen = now;
    this.add(a);
  }

  /** Streams assigned to `server` that it has not reported yet. */
  reservedCount(server: string): number {
    return this.byServer.get(server)?.reserved ?? 0;
  }

  /** Bits per second reserved by the unconfirmed assignments of `client`'s source (§4.4). */
  sourceReservedBw(client: string): number {
    return this.bySource.get(sourceOf(client))?.bw ?? 0;
  }

  /**
   * Make room for `client`'s source to reserve `rate` more within `limit` bits per second: its
   * oldest reservations end until it fits (§4.4). How many ended.
   */
  trimSource(client: string, rate: number, limit: number): number {
    const r = this.bySource.get(sourceOf(client));
    let n = 0;
    // Called on every request: nothing is copied unless something must end (a Set may lose the
    // entry being visited: iteration goes on from the next, oldest first).
    if (!r || r.bw + rate <= limit) return 0;
    for (const oldest of r.list) {
      if (r.bw + rate <= limit) break;
      this.endReservation(oldest);
      n++;
    }
    return n;
  }

  /**
   * Record an assignment; when the table is full, the oldest goes. A client over
   * MAX_RESERVED_PER_CLIENT loses its oldest reservation: one never confirmed goes with it (the
   * client asked again, so it gave that answer up), one playing keeps its assignment.
   */
  add(a: Assignment): void {
    this.remove(a.sid);
    const mine = a.live ? undefined : this.byClient.get(a.client);
    for (const oldest of mine ? [...mine.list] : []) {
      if (mine!.list.size < MAX_RESERVED_PER_CLIENT) break;
      if (oldest.live) this.endReservation(oldest);
      else {
        this.remove(oldest.sid);
        this.reclaimed++;
      }
    }
    if (this.all.size >= this.limit) {
      const oldest = this.all.oldest();
      if (oldest) this.remove(oldest[0]);
    }
    this.all.set(a.sid, a);
    let s = this.byServer.get(a.server);
    if (!s) {
      s = { streams: new Set(), reservedBw: 0, reserved: 0 };
      this.byServer.set(a.server, s);
    }
    s.streams.add(a);
    if (!a.live) {
      a.holding = true;
      s.reservedBw += a.rate;
      s.reserved++;
      this.track(this.byClient, a.client, a);
      this.track(this.bySource, sourceOf(a.client), a);
    }
  }

  private track(m: Map<string, Reserved>, key: string, a: Assignment): void {
    let r = m.get(key);
    if (!r) {
      r = { bw: 0, list: new Set() };
      m.set(key, r);
    }
    r.list.add(a);
    r.bw += a.rate;
  }

  private untrack(m: Map<string, Reserved>, key: string, a: Assignment): void {
    const r = m.get(key);
    if (!r || !r.list.delete(a)) return;
    r.bw -= a.rate;
    if (r.list.size === 0) m.delete(key);
  }

  remove(sid: number): Assignment | undefined {
    const a = this.all.get(sid);
    if (!a) return undefined;
    this.all.delete(sid);
    const s = this.byServer.get(a.server);
    if (s) {
      s.streams.delete(a);
      if (a.holding === true) this.unreserve(s, a);
      if (s.streams.size === 0) this.byServer.delete(a.server);
    }
    return a;
  }

  /**
   * A load report from `server`: the streams it lists are live (their
   * reservation ends); when the list is complete, live streams it no longer
   * lists have ended — unless `keep` says they live on elsewhere (a handoff).
   */
  report(server: string, sids: readonly number[], complete: boolean, now: number, keep: (a: Assignment) => boolean = () => false): void {
    const s = this.byServer.get(server);
    if (!s) return;
    const listed = complete ? new Set(sids) : undefined;
    // A reservation the server still does not list, RESERVE_GRACE after the client was sent there, was not taken up.
    if (listed) {
      for (const a of [...s.streams]) {
        if (a.holding === true && now - a.at >= RESERVE_GRACE && !listed.has(a.sid)) this.endReservation(a);
      }
    }
    for (const sid of sids) {
      const a = this.all.get(sid);
      if (!a || a.server !== server) continue;
      if (a.holding === true) this.unreserve(s, a);
      a.live = true;
      a.seen = now;
    }
    if (listed) for (const a of [...s.streams]) if (a.live && !listed.has(a.sid) && !keep(a)) this.remove(a.sid);
  }

  /** Everything assigned to `server` goes (it left or is forgotten), but what `keep` says lives on elsewhere. */
  removeServer(server: string, keep: (a: Assignment) => boolean = () => false): void {
    const s = this.byServer.get(server);
    if (!s) return;
    for (const a of [...s.streams]) if (!keep(a)) this.remove(a.sid);
  }

  /** Forget what was never confirmed, or is no longer listed, for ASSIGNMENT_TTL. */
  expire(now: number): void {
    for (const a of [...this.all.values()]) {
      if (now - (a.live ? a.seen : a.at) > ASSIGNMENT_TTL) this.remove(a.sid);
    }
  }

  /**
   * `a`'s server reports it playing (§10.4): it is live. Its reservation stays until a load report
   * lists it, so that the room it takes is counted in between.
   */
  confirm(a: Assignment, now: number): void {
    a.live = true;
    a.seen = now;
  }

  /** End `a`'s reservation, keeping the assignment (§4.4). */
  private endReservation(a: Assignment): void {
    const s = this.byServer.get(a.server);
    if (!s || a.holding !== true) return;
    this.unreserve(s, a);
    this.reclaimed++;
  }

  private unreserve(s: PerServer, a: Assignment): void {
    a.holding = false;
    s.reservedBw -= a.rate;
    s.reserved--;
    this.untrack(this.byClient, a.client, a);
    this.untrack(this.bySource, sourceOf(a.client), a);
  }
}
