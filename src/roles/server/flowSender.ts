/**
 * One flow of a stream as a media server sends it (§5.1, S2.4): pacing at the
 * flow's rate times the stream's scale, the client's reception state, and the
 * chunks it asked to have resent (§5.2).
 *
 * Chunks lie on one grid for every server: chunk k covers bytes
 * [k × DATA_CHUNK, (k + 1) × DATA_CHUNK) of the file, and a flow that starts
 * mid-chunk first sends the rest of that chunk. So chunks from two servers of
 * the same stream (a handoff) line up in the client's buffer.
 */
import { ACK_INTERVAL, DATA_CHUNK, PACING_BURST, PACING_CATCHUP, PACING_DEPTH, RECEIVE_WINDOW, RESEND_HOLDOFF } from '../../protocol/constants.js';

/**
 * The size of a pacer's bucket for a pace of `pace` bits per second, in bytes (§5.1):
 * PACING_DEPTH ms of the pace, and at least PACING_BURST. Timers fire late (a busy
 * host, a busy event loop): a bucket this deep catches a late wake-up up in full,
 * whatever the pace, while no burst lasts longer than PACING_DEPTH of it.
 */
export function pacingDepth(pace: number): number {
  return Math.max(PACING_BURST, (pace / 8) * (PACING_DEPTH / 1000));
}

export interface Chunk {
  readonly fl: number;
  readonly off: number;
  readonly len: number;
  readonly re: boolean;
}

export class FlowSender {
  /** Next byte to send for the first time. */
  sendPos: number;
  /** The client's report: every byte below `ackNext` received; highest end received. */
  ackNext: number;
  ackHi: number;
  lastNewSend = 0;
  private credit = PACING_BURST / 2;
  private resendCredit = PACING_BURST / 2;
  private creditAt: number;
  /** The client's window (or the end of the file) held new data back at the last call. */
  private heldBack = false;
  /** Chunk offsets queued for resending, in order, and when each was last resent. */
  private resendQueue: number[] = [];
  private readonly queued = new Set<number>();
  private readonly resentAt = new Map<number, number>();
  bytesSent = 0;
  bytesResent = 0;

  constructor(
    readonly index: number,
    readonly file: string,
    readonly size: number,
    /** Media rate, bits per second. */
    readonly rate: number,
    off: number,
    now: number,
  ) {
    this.sendPos = off;
    this.ackNext = off;
    this.ackHi = off;
    this.creditAt = now;
  }

  get complete(): boolean {
    return this.ackNext >= this.size;
  }

  /** (Re)start from `off`. */
  restart(off: number, now: number): void {
    this.sendPos = Math.min(off, this.size);
    this.ackNext = this.sendPos;
    this.ackHi = this.sendPos;
    this.creditAt = now;
    this.credit = PACING_BURST / 2;
    this.heldBack = false;
    this.resendQueue = [];
    this.queued.clear();
    this.resentAt.clear();
  }

  /** Length of the chunk that starts at `off`: to the next grid line, or the end of the file. */
  chunkLength(off: number): number {
    return Math.min(DATA_CHUNK - (off % DATA_CHUNK), this.size - off);
  }

  /** Record an `ack` and queue the chunks it reports missing. */
  onAck(next: number, hi: number, miss: readonly (readonly [number, number])[], now: number): void {
    if (next > this.ackNext) this.ackNext = Math.min(next, this.size);
    if (hi > this.ackHi) this.ackHi = Math.min(hi, this.size);
    for (const [off, len] of miss) this.queueRange(off, off + len, now);
    // Tail loss: everything is sent, the client's highest byte is short of it, and nothing has gone out lately.
    if (this.sendPos >= this.size && this.ackHi < this.sendPos && now - this.lastNewSend >= 2 * ACK_INTERVAL) {
      this.queueRange(this.ackHi, this.sendPos, now);
    }
    if (this.resentAt.size > 0) for (const off of this.resentAt.keys()) if (off + DATA_CHUNK <= this.ackNext) this.resentAt.delete(off);
  }

  private queueRange(from: number, to: number, now: number): void {
    from = Math.max(from, this.ackNext);
    to = Math.min(to, this.sendPos);
    if (from >= to) return;
    // Bound the work one report can cause: at most a receive window of chunks.
    const last = Math.min(to, from + RECEIVE_WINDOW);
    // Whole chunks of the grid: the one holding `from` first.
    for (let off = from - (from % DATA_CHUNK); off < last; off += this.chunkLength(off)) {
      if (this.queued.has(off)) continue;
      const at = this.resentAt.get(off);
      if (at !== undefined && now - at < RESEND_HOLDOFF) continue;
      this.queued.add(off);
      this.resendQueue.push(off);
    }
  }

  /**
   * The chunks to send now: resends first (from their own budget, half the
   * pace), then new data at the pace within the client's window.
   * `rate`: the pace, bits per second.
   *
   * New data keeps to its schedule through late wake-ups (§5.1): the credit of
   * a wake-up later than PACING_DEPTH is kept, up to PACING_CATCHUP of the
   * pace, and caught up PACING_DEPTH of it per wake-up, so that no burst is
   * longer. Credit is kept only while time alone held the flow back: a flow
   * the client's window holds back (or that has sent everything) keeps no
   * more than a bucket.
   */
  due(now: number, rate: number, out: Chunk[]): void {
    const elapsed = Math.max(0, now - this.creditAt);
    this.creditAt = now;
    const perMs = rate / 8 / 1000;
    const depth = pacingDepth(rate);
    // The time since the last call counts in full only if time alone held the flow back.
    this.credit = Math.min(this.heldBack ? depth : Math.max(depth, (rate / 8) * (PACING_CATCHUP / 1000)), this.credit + elapsed * perMs);
    this.resendCredit = Math.min(pacingDepth(rate / 2), this.resendCredit + (elapsed * perMs) / 2);
    let taken = 0;
    while (taken < this.resendQueue.length) {
      const off = this.resendQueue[taken]!;
      const len = this.chunkLength(off);
      if (off + len <= this.ackNext || len <= 0) {
        taken++;
        this.queued.delete(off);
        continue;
      }
      if (this.resendCredit < len) break;
      taken++;
      this.queued.delete(off);
      this.resendCredit -= len;
      this.resentAt.set(off, now);
      this.bytesResent += len;
      out.push({ fl: this.index, off, len, re: true });
    }
    if (taken > 0) this.resendQueue = this.resendQueue.slice(taken);
    let burst = 0;
    while (this.sendPos < this.size && this.sendPos < this.ackNext + RECEIVE_WINDOW) {
      const len = this.chunkLength(this.sendPos);
      if (this.credit < len || burst + len > depth) break;
      this.credit -= len;
      burst += len;
      out.push({ fl: this.index, off: this.sendPos, len, re: false });
      this.sendPos += len;
      this.bytesSent += len;
      this.lastNewSend = now;
    }
    // Held back by the window or done: what is left is a bucket's worth at most, and so until the next call.
    this.heldBack = !(this.sendPos < this.size && this.sendPos < this.ackNext + RECEIVE_WINDOW);
    if (this.heldBack) this.credit = Math.min(this.credit, depth);
  }

  /** True while the pacer has something it may send. */
  get busy(): boolean {
    return this.resendQueue.length > 0 || (this.sendPos < this.size && this.sendPos < this.ackNext + RECEIVE_WINDOW);
  }
}
