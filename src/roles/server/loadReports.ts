/**
 * Load reporting (S1.5): a sub-machine of the media server core. It keeps how
 * many bytes went out since the last report, which stream ids the next report
 * lists (at most MAX_LOAD_SIDS, in turn), and when a report is due: pushed on a
 * change of load (at most once per LOAD_PUSH_MIN_INTERVAL), or as a heartbeat
 * once the master's polls stopped coming. It builds each `load` report; it
 * never sends anything itself: the server core does. A server keeps one per
 * master it registers with (§12.2).
 */
import { LOAD_PUSH_MIN_INTERVAL, MAX_LOAD_SIDS } from '../../protocol/constants.js';
import type { MessageOf } from '../../protocol/messages.js';
import type { SelfState } from './events.js';
import type { SupervisionFields } from './supervisorRecord.js';

/** The server's load now, as a report gives it. */
export interface LoadNow {
  /** The master's cookie (§6.5). */
  readonly cookie: Uint8Array;
  /** The streams, by id (only their ids are read). */
  readonly streams: ReadonlyMap<number, unknown>;
  /** Committed bandwidth, bits per second. */
  readonly bw: number;
  readonly cap: number;
  readonly state: SelfState;
  /** Media bytes the server has sent since it started, over every stream: a report gives the rate since the one before it. */
  readonly sentBytes: number;
  /** Who supervises the server (§12.2), as every report says. */
  readonly supervision: SupervisionFields;
  /** Its view of the other servers (§13): peers known, and its stalest entry's age, ms. */
  readonly view?: { readonly known: number; readonly stalest: number };
}

/** How often the master polls and when it was last heard from: the heartbeat's clock (the registration keeps it). */
export interface MasterClock {
  readonly pollInterval: number;
  readonly lastFromMaster: number;
}

export type LoadReport = MessageOf<'load'>;

export class LoadReports {
  /** When a push asked for by a change of load is due, if one is. */
  private pushAt: number | undefined;
  private lastReport = -Infinity;
  /** When the last report was built, and the server's bytes sent then: the next one's rate counts from there. */
  private since = 0;
  private sentThen = 0;
  /** Where the next report's ids start, when there are more streams than a report lists. */
  private cursor = 0;
  private listedNow = 0;

  constructor(private readonly who: { readonly name: string; readonly epoch: number }) {}

  /** Ids the last report listed (at most MAX_LOAD_SIDS). */
  get listed(): number {
    return this.listedNow;
  }

  /** The server started: the first report's rate counts from `now`. */
  start(now: number): void {
    this.since = now;
  }

  /** The load changed: a push, at most once per LOAD_PUSH_MIN_INTERVAL, while `registered`. */
  handleChange(now: number, registered: boolean): void {
    if (!registered || this.pushAt !== undefined) return;
    this.pushAt = Math.max(now, this.lastReport + LOAD_PUSH_MIN_INTERVAL);
  }

  /**
   * When a report is next due: the push asked for, or (`master` given while registered) a
   * heartbeat, so a master that restarted answers `not-registered` at once rather than after
   * MASTER_SILENCE_POLLS intervals.
   */
  nextTimeout(master: MasterClock | undefined): number | undefined {
    if (!master) return this.pushAt;
    const interval = master.pollInterval;
    const heartbeat = Math.max(master.lastFromMaster + 1.5 * interval, this.lastReport + interval);
    return this.pushAt === undefined ? heartbeat : Math.min(this.pushAt, heartbeat);
  }

  /**
   * `nextTimeout` is due: the report (a push, or a heartbeat; the heartbeat then waits from it).
   * `load`: undefined when the server is not registered; a push asked for then lapses.
   */
  handleTimeout(now: number, load: LoadNow | undefined): LoadReport | undefined {
    return this.push(now, load);
  }

  /** A report at once (registered, or the server's own state changed), in place of any push asked for. */
  push(now: number, load: LoadNow | undefined): LoadReport | undefined {
    this.pushAt = undefined;
    return load ? this.report(0, now, load) : undefined;
  }

  /** The answer to the master's poll `seq`. */
  handlePoll(seq: number, now: number, load: LoadNow): LoadReport {
    return this.report(seq, now, load);
  }

  /** The server stopped: nothing more is pushed. */
  stop(): void {
    this.pushAt = undefined;
  }

  private report(seq: number, now: number, load: LoadNow): LoadReport {
    const sids = this.nextIds(load.streams);
    const elapsed = Math.max(1, now - this.since);
    const sent = Math.round(((load.sentBytes - this.sentThen) * 8 * 1000) / elapsed);
    this.sentThen = load.sentBytes;
    this.since = now;
    this.lastReport = now;
    return {
      type: 'load',
      name: this.who.name,
      epoch: this.who.epoch,
      cookie: load.cookie,
      seq,
      streams: load.streams.size,
      bw: load.bw,
      sent,
      cap: load.cap,
      sids,
      ...(load.streams.size > sids.length ? { more: true } : {}),
      ...(load.state !== 'up' ? { state: load.state } : {}),
      ...load.supervision,
      ...(load.view ? { vk: load.view.known, vs: Math.round(load.view.stalest / 1000) } : {}),
    };
  }

  /**
   * At most MAX_LOAD_SIDS ids fit in a report: with more streams, each report lists the next
   * ones in turn, so over a few reports the master hears of every stream. Only the ids listed
   * are copied, however many streams there are.
   */
  private nextIds(streams: ReadonlyMap<number, unknown>): number[] {
    const n = streams.size;
    const start = n > MAX_LOAD_SIDS ? this.cursor % n : 0;
    const take = Math.min(n, MAX_LOAD_SIDS);
    const sids: number[] = [];
    if (start > 0) {
      let i = 0;
      for (const sid of streams.keys()) {
        if (i++ < start) continue;
        sids.push(sid);
        if (sids.length === take) break;
      }
    }
    if (sids.length < take) {
      for (const sid of streams.keys()) {
        sids.push(sid);
        if (sids.length === take) break;
      }
    }
    this.cursor = start + sids.length;
    this.listedNow = sids.length;
    return sids;
  }
}
