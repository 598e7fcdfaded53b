/**
 * The datagram trace of a real run, kept in bounded memory. Every datagram
 * is offered; while fewer than `cap` entries are held, all are kept. When the
 * store fills, every other bulk entry (`data`, `ack`: the stream itself) is
 * dropped and from then on only one bulk datagram in `bulkEvery` is kept, so
 * the store covers the whole run evenly while the control messages that tell
 * what happened stay complete. Only when control messages alone fill the
 * store are they thinned the same way.
 */
import type { TraceEntry } from '../scenario/types.js';

/** Entries held at most (about 150 bytes each). */
export const TRACE_CAP = 100_000;

const BULK = new Set(['data', 'ack']);

export interface TraceInfo {
  /** Datagrams seen. */
  readonly datagrams: number;
  /** Entries kept. */
  readonly kept: number;
  /** 1 in this many bulk datagrams (data, ack) is kept (1: all). */
  readonly bulkEvery: number;
  /** 1 in this many other datagrams is kept (1: all). */
  readonly controlEvery: number;
}

export class TraceLog {
  private entries: TraceEntry[] = [];
  private datagrams = 0;
  private bulkSeen = 0;
  private controlSeen = 0;
  private bulkEvery = 1;
  private controlEvery = 1;

  constructor(private readonly cap = TRACE_CAP) {}

  /** The run's clock starts later than it did (`ms` later): what was recorded before happened that much earlier. */
  rebase(ms: number): void {
    this.entries = this.entries.map((e) => ({ ...e, t: Math.round((e.t - ms) * 1000) / 1000 }));
  }

  add(e: TraceEntry): void {
    this.datagrams++;
    const bulk = BULK.has(e.type);
    const n = bulk ? this.bulkSeen++ : this.controlSeen++;
    if (n % (bulk ? this.bulkEvery : this.controlEvery) !== 0) return;
    this.entries.push(e);
    if (this.entries.length >= this.cap) this.thin();
  }

  private thin(): void {
    const before = this.entries.length;
    this.entries = thinned(this.entries, (e) => BULK.has(e.type));
    this.bulkEvery *= 2;
    // Bulk entries were too few to make room: thin the rest too.
    if (this.entries.length > before * 0.75) {
      this.entries = thinned(this.entries, (e) => !BULK.has(e.type));
      this.controlEvery *= 2;
    }
  }

  get kept(): readonly TraceEntry[] {
    return this.entries;
  }

  get info(): TraceInfo {
    return { datagrams: this.datagrams, kept: this.entries.length, bulkEvery: this.bulkEvery, controlEvery: this.controlEvery };
  }
}

/** Drop every other entry of those `which` selects. */
function thinned(entries: readonly TraceEntry[], which: (e: TraceEntry) => boolean): TraceEntry[] {
  let i = 0;
  return entries.filter((e) => !which(e) || i++ % 2 === 0);
}
