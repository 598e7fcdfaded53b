/**
 * A server's stream control events for its master's failover manager (§10.4):
 * each stream's `play`, `adjust` and `end`, numbered, sent until the master
 * acknowledges them in order.
 */
import { MAX_TRACK_HISTORY, MAX_TRACKED_STREAMS, TRACK_ATTEMPTS, TRACK_RETRY } from '../../protocol/constants.js';
import type { MessageOf } from '../../protocol/messages.js';

export type TrackEvent = Omit<MessageOf<'track'>, 'type' | 'at'>;

interface Tracked {
  n: number;
  unacked: TrackEvent[];
  tries: number;
  nextAt: number;
  ended: boolean;
  /** The stream's last `play` and every event since, in order; undefined when it ended or grew past MAX_TRACK_HISTORY. */
  history: TrackEvent[] | undefined;
}

export class Tracker {
  private readonly streams = new Map<number, Tracked>();

  /** Streams whose `track` events are kept (at most MAX_TRACKED_STREAMS). */
  get size(): number {
    return this.streams.size;
  }
  /** Events given up on after TRACK_ATTEMPTS tries. */
  lost = 0;
  /** When events may next be due (possibly early: a wake-up that finds nothing is harmless). */
  private next: number | undefined;

  /** Record an event of stream `sid`: it is numbered and returned, to be sent now. */
  add(sid: number, e: Omit<TrackEvent, 'sid' | 'n'>, now: number): TrackEvent {
    let t = this.streams.get(sid);
    if (!t) {
      if (this.streams.size >= MAX_TRACKED_STREAMS) {
        const oldest = this.streams.keys().next().value;
        if (oldest !== undefined) this.streams.delete(oldest);
      }
      t = { n: 0, unacked: [], tries: 0, nextAt: 0, ended: false, history: undefined };
      this.streams.set(sid, t);
    }
    t.n++;
    if (e.ev === 'end') t.ended = true;
    // Served here again (a handoff back to this server) before the end was acknowledged: the entry
    // must outlive that acknowledgement, or the stream's next events would be numbered from 1 again.
    if (e.ev === 'play') t.ended = false;
    const ev = { ...e, sid, n: t.n } as TrackEvent;
    if (e.ev === 'play') t.history = [ev];
    else if (e.ev === 'end' || (t.history && t.history.length >= MAX_TRACK_HISTORY)) t.history = undefined;
    else t.history?.push(ev);
    if (t.unacked.length === 0) {
      t.tries = 0;
      t.nextAt = now + TRACK_RETRY;
      if (this.next === undefined || t.nextAt < this.next) this.next = t.nextAt;
    }
    t.unacked.push(ev);
    return ev;
  }

  /**
   * The master may not know stream `sid` (it restarted, or forgot this
   * server): its `play` and the events since are sent again, with their own
   * numbers and times. A master that has them takes them as repeats; one that
   * does not follows the stream from its `play` (§10.4). Returns the events to
   * send now (none when the stream ended or its history was not kept).
   */
  retell(sid: number, now: number): TrackEvent[] {
    const t = this.streams.get(sid);
    if (!t || t.ended || !t.history) return [];
    const first = t.history[0]!.n;
    t.unacked = [...t.unacked.filter((e) => e.n < first), ...t.history];
    t.tries = 0;
    t.nextAt = now + TRACK_RETRY;
    if (this.next === undefined || t.nextAt < this.next) this.next = t.nextAt;
    return [...t.history];
  }

  /** The master recorded every event of `sid` up to `n`. */
  ack(sid: number, n: number): void {
    const t = this.streams.get(sid);
    if (!t) return;
    const before = t.unacked.length;
    t.unacked = t.unacked.filter((e) => e.n > n);
    if (t.unacked.length < before) t.tries = 0;
    if (t.unacked.length === 0 && t.ended) this.streams.delete(sid);
  }

  /** Events due to be sent again now. */
  due(now: number): TrackEvent[] {
    const out: TrackEvent[] = [];
    if (this.next === undefined || this.next > now) return out;
    this.next = undefined;
    for (const [sid, t] of this.streams) {
      if (t.unacked.length === 0 || t.nextAt > now) continue;
      t.tries++;
      if (t.tries > TRACK_ATTEMPTS) {
        this.lost += t.unacked.length;
        t.unacked = [];
        if (t.ended) this.streams.delete(sid);
        continue;
      }
      t.nextAt = now + TRACK_RETRY;
      out.push(...t.unacked);
    }
    for (const t of this.streams.values()) if (t.unacked.length > 0 && (this.next === undefined || t.nextAt < this.next)) this.next = t.nextAt;
    return out;
  }

  /** When events may next be due, or undefined when nothing waits. */
  nextDue(): number | undefined {
    return this.next;
  }

  get pending(): number {
    let n = 0;
    for (const t of this.streams.values()) n += t.unacked.length;
    return n;
  }
}
