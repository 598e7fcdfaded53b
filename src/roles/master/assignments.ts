/**
 * The master's assignment records (S3.3): which server it gave which stream
 * to, for which client and file. Until the server reports a stream, its rate
 * is *reserved* against the server's room, so that many requests in flight
 * before the next load report do not all land on the same server (§4.4).
 */
import { ASSIGNMENT_TTL, MAX_ASSIGNMENTS } from '../../protocol/constants.js';
import { FifoMap } from '../fifoMap.js';

export interface Assignment {
  readonly sid: number;
  readonly client: string;
  readonly file: string;
  readonly server: string;
  /** Bits per second. */
  readonly rate: number;
  readonly at: number;
  /** True once the server has listed it in a load report. */
  live: boolean;
  /** When the server last listed it. */
  seen: number;
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

  /** Bits per second reserved on `server` by streams it has not reported yet. */
  reservedBw(server: string): number {
    return this.byServer.get(server)?.reservedBw ?? 0;
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
   * lists have ended.
   */
  report(server: string, sids: readonly number[], complete: boolean, now: number): void {
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
    if (listed) for (const a of [...s.streams]) if (a.live && !listed.has(a.sid)) this.remove(a.sid);
  }

  /** Everything assigned to `server` goes (it left or is forgotten). */
  removeServer(server: string): void {
    const s = this.byServer.get(server);
    if (!s) return;
    for (const a of [...s.streams]) this.remove(a.sid);
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
