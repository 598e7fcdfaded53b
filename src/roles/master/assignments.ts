/**
 * The master's assignment records (S3.3): which server it gave which stream
 * to, for which client and file. Until the server reports a stream, its rate
 * is *reserved* against the server's room, so that many requests in flight
 * before the next load report do not all land on the same server (§4.4).
 */
import { ASSIGNMENT_TTL, MAX_ASSIGNMENTS } from '../../protocol/constants.js';
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
}

interface PerServer {
  readonly streams: Set<Assignment>;
  /** Sum of the rates of the unconfirmed ones, and how many. */
  reservedBw: number;
  reserved: number;
}

export class AssignmentTable {
  private readonly all = new FifoMap<number, Assignment>();
  private readonly byServer = new Map<string, PerServer>();

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

  /** Bits per second reserved on `server` by streams it has not reported yet, and streams moving to it. */
  reservedBw(server: string): number {
    return (this.byServer.get(server)?.reservedBw ?? 0) + (this.holds.get(server)?.bw ?? 0);
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

  private readonly holds = new Map<string, { bw: number; sids: Map<number, number> }>();

  /** Room on `server` held for a stream being moved there, until `release`. */
  hold(server: string, sid: number, rate: number): void {
    let h = this.holds.get(server);
    if (!h) {
      h = { bw: 0, sids: new Map() };
      this.holds.set(server, h);
    }
    if (h.sids.has(sid)) return;
    h.sids.set(sid, rate);
    h.bw += rate;
  }

  release(server: string, sid: number): void {
    const h = this.holds.get(server);
    const rate = h?.sids.get(sid);
    if (!h || rate === undefined) return;
    h.sids.delete(sid);
    h.bw -= rate;
    if (h.sids.size === 0) this.holds.delete(server);
  }

  /** Streams assigned to `server` that it has not reported yet. */
  reservedCount(server: string): number {
    return this.byServer.get(server)?.reserved ?? 0;
  }

  /** Record an assignment; when the table is full, the oldest goes. */
  add(a: Assignment): void {
    this.remove(a.sid);
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
      s.reservedBw += a.rate;
      s.reserved++;
    }
  }

  remove(sid: number): Assignment | undefined {
    const a = this.all.get(sid);
    if (!a) return undefined;
    this.all.delete(sid);
    const s = this.byServer.get(a.server);
    if (s) {
      s.streams.delete(a);
      if (!a.live) this.unreserve(s, a);
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
    for (const sid of sids) {
      const a = this.all.get(sid);
      if (!a || a.server !== server) continue;
      if (!a.live) {
        a.live = true;
        this.unreserve(s, a);
      }
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

  private unreserve(s: PerServer, a: Assignment): void {
    s.reservedBw -= a.rate;
    s.reserved--;
  }
}
