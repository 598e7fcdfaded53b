/**
 * One transfer a source serves (§14.3): the chunks its receiver last asked for,
 * sent in the order asked, paced at the transfer's rate, each at most once per
 * JOB_RESEND_HOLDOFF, and only once the source holds them verified (a source
 * that is still receiving passes chunks on as it gets them: the cascade is
 * pipelined).
 *
 * Pure: the source feeds it pulls and the time, and sends the chunks it hands out.
 */
import { JOB_BURST, JOB_CHUNK, JOB_PULL_INTERVAL, JOB_RESEND_HOLDOFF } from '../../protocol/constants.js';
import type { Holding } from './holding.js';
import { CHUNK_OVERHEAD, type Upload } from './upload.js';

export { CHUNK_OVERHEAD } from './upload.js';

export class Outlet {
  private want: readonly (readonly [number, number])[] = [];
  /** When each chunk of the window was last sent. */
  private readonly sentAt = new Map<number, number>();
  private credit = 0;
  private creditAt: number | undefined;
  /** Chunks sent, and sent again. */
  sent = 0;
  resent = 0;
  lastPullAt: number | undefined;

  constructor(
    readonly to: string,
    /** Bits per second. */
    readonly rate: number,
    /** The server's cap on its total job upload, shared with its other transfers, if any. */
    private readonly upload?: Upload,
  ) {
    upload?.join(this);
  }

  /** The transfer is over: its place in the shared upload goes to the others. */
  close(): void {
    this.upload?.leave(this);
  }

  /** The smoothed round trip, ms: from a chunk sent once to the first pull that no longer lacks it. */
  srtt: number | undefined;
  /** Chunks sent again, by index: their round trips are not measured (Karn). */
  private readonly again = new Set<number>();

  /**
   * How long a chunk sent is left to arrive before a pull that still lists it draws it again: at
   * least JOB_RESEND_HOLDOFF, and more on a long path (the round trip and a pull interval, with margin).
   */
  holdoff(): number {
    return this.srtt === undefined ? JOB_RESEND_HOLDOFF : Math.max(JOB_RESEND_HOLDOFF, 1.5 * this.srtt + JOB_PULL_INTERVAL);
  }

  /** A round trip measured otherwise (an order and its first pull): the first one seeds the estimate. */
  rttSample(ms: number): void {
    this.srtt = this.srtt === undefined ? ms : 0.875 * this.srtt + 0.125 * ms;
  }

  /** The receiver's pull: what it lacks now, in order of want. */
  pulled(want: readonly (readonly [number, number])[], now: number): void {
    // The first chunk it lacks moved past the chunk before it: a round trip, when that one went once.
    const low = want.length > 0 ? want[0]![0] : undefined;
    if (low !== undefined && low > 0 && !this.again.has(low - 1)) {
      const sent = this.sentAt.get(low - 1);
      if (sent !== undefined) {
        const sample = now - sent;
        this.srtt = this.srtt === undefined ? sample : 0.875 * this.srtt + 0.125 * sample;
      }
    }
    this.want = want;
    this.lastPullAt = now;
    // Forget send times of chunks the receiver no longer asks for: the map stays within the window.
    if (this.sentAt.size > 0) {
      const low = want.length > 0 ? want[0]![0] : Number.POSITIVE_INFINITY;
      for (const i of this.sentAt.keys()) {
        if (i >= low) continue;
        this.sentAt.delete(i);
        this.again.delete(i);
      }
    }
  }

  private refill(now: number): void {
    const perMs = this.rate / 8 / 1000;
    const cap = Math.max(JOB_CHUNK + CHUNK_OVERHEAD, perMs * JOB_BURST);
    this.credit = this.creditAt === undefined ? cap : Math.min(cap, this.credit + (now - this.creditAt) * perMs);
    this.creditAt = now;
  }

  /**
   * The chunks to send now, within the credit the rate gives (and the server's upload, when it
   * caps it): each asked for, held verified by `holding`, and not sent within JOB_RESEND_HOLDOFF.
   */
  pump(holding: Holding, now: number, send: (i: number) => void): void {
    const up = this.upload;
    if (this.want.length === 0) return up?.pass(this);
    this.refill(now);
    const holdoff = this.holdoff();
    for (const [from, to] of this.want) {
      for (let i = from; i < to; i++) {
        if (!holding.holds(i)) return up?.pass(this);
        const last = this.sentAt.get(i);
        if (last !== undefined && now - last < holdoff) continue;
        const cost = holding.layout.span(i).len + CHUNK_OVERHEAD;
        if (this.credit < cost) return up?.pass(this);
        // Short of the shared upload, or another transfer's turn: this one waits its turn.
        if (up && !up.take(this, cost, now)) return;
        this.credit -= cost;
        if (last !== undefined) {
          this.resent++;
          this.again.add(i);
        }
        this.sent++;
        this.sentAt.set(i, now);
        send(i);
      }
    }
    up?.pass(this);
  }

  /**
   * When the next chunk may go: now when one is sendable and the credit allows, when the credit
   * will allow otherwise, or undefined with nothing to send (a pull, or a newly verified block,
   * brings the next pump).
   */
  nextSend(holding: Holding, now: number): number | undefined {
    const holdoff = this.holdoff();
    for (const [from, to] of this.want) {
      for (let i = from; i < to; i++) {
        if (!holding.holds(i)) return undefined;
        const last = this.sentAt.get(i);
        if (last !== undefined && now - last < holdoff) continue;
        const cost = holding.layout.span(i).len + CHUNK_OVERHEAD;
        this.refill(now);
        const own = this.credit >= cost ? now : now + Math.ceil((cost - this.credit) / (this.rate / 8 / 1000));
        return this.upload ? Math.max(own, this.upload.readyAt(this, cost, now)) : own;
      }
    }
    return undefined;
  }
}
