/**
 * The client's receive side of a stream (§5.2): reorders chunks, hands bytes
 * on strictly in order, drops duplicates, and says what is missing.
 */
import { MAX_MISSING_RANGES, RECEIVE_WINDOW } from '../../protocol/constants.js';

/**
 * Bytes a buffered chunk counts for at least, against the window: data that
 * does not keep to the servers' chunk grid (overlapping or tiny chunks, from a
 * faulty server or anyone forging its address) cannot make the buffer outgrow
 * RECEIVE_WINDOW, in bytes or in entries (at most RECEIVE_WINDOW / 64 of them).
 */
const CHUNK_COST_MIN = 64;

function cost(n: number): number {
  return Math.max(n, CHUNK_COST_MIN);
}

export type Accepted = 'in-order' | 'buffered' | 'duplicate' | 'out-of-window' | 'past-end';

export class Receiver {
  /** Every byte below `next` has been handed on. */
  next: number;
  /** End of the highest byte received. */
  hi: number;
  private readonly pending = new Map<number, Uint8Array>();
  /** What `pending` holds, counted by `cost`: at most RECEIVE_WINDOW. */
  private pendingBytes = 0;
  duplicates = 0;

  constructor(
    readonly size: number,
    start: number,
    /** Called with each run of in-order bytes. */
    private readonly deliver: (off: number, data: Uint8Array) => void,
  ) {
    this.next = start;
    this.hi = start;
  }

  get complete(): boolean {
    return this.next >= this.size;
  }

  /** Bytes held beyond the first missing one. */
  get bufferedBytes(): number {
    let n = 0;
    for (const chunk of this.pending.values()) n += chunk.length;
    return n;
  }

  get buffered(): number {
    return this.pending.size;
  }

  /** Start again from `next` (a new stream from another server): what was buffered beyond it is dropped. */
  restart(): void {
    this.pending.clear();
    this.pendingBytes = 0;
    this.hi = this.next;
  }

  accept(off: number, data: Uint8Array): Accepted {
    const end = off + data.length;
    if (end > this.size) return 'past-end';
    if (end <= this.next) {
      this.duplicates++;
      return 'duplicate';
    }
    // A refused chunk must not move `hi`: acks would report bytes never received as missing.
    if (off > this.next && off >= this.next + RECEIVE_WINDOW) return 'out-of-window';
    if (off > this.next) {
      if (this.pending.has(off)) {
        if (end > this.hi) this.hi = end;
        this.duplicates++;
        return 'duplicate';
      }
      if (this.full(data.length)) {
        this.prune(); // what is left below `next` must not hold the room
        if (this.full(data.length)) return 'out-of-window';
      }
      if (end > this.hi) this.hi = end;
      this.pending.set(off, data);
      this.pendingBytes += cost(data.length);
      return 'buffered';
    }
    if (end > this.hi) this.hi = end;
    // off <= next < end: hand on the part not yet handed on, then whatever follows it.
    this.handOn(off < this.next ? data.subarray(this.next - off) : data);
    for (;;) {
      const chunk = this.pending.get(this.next);
      if (!chunk) break;
      this.pending.delete(this.next);
      this.pendingBytes -= cost(chunk.length);
      this.handOn(chunk);
    }
    if (this.pending.size > 0 && this.pending.size > 4096) this.prune();
    return 'in-order';
  }

  /** No room for `n` more bytes in one more chunk. */
  private full(n: number): boolean {
    return this.pendingBytes + cost(n) > RECEIVE_WINDOW;
  }

  private handOn(data: Uint8Array): void {
    const off = this.next;
    this.next += data.length;
    this.deliver(off, data);
  }

  /** Drop buffered chunks that are now below `next` (they arrived on another grid). */
  private prune(): void {
    for (const [off, chunk] of this.pending) {
      if (off + chunk.length > this.next) continue;
      this.pending.delete(off);
      this.pendingBytes -= cost(chunk.length);
    }
  }

  /** Ranges missing between `next` and `hi`, lowest first, at most MAX_MISSING_RANGES. */
  missing(): [number, number][] {
    const out: [number, number][] = [];
    if (this.hi <= this.next) return out;
    const offs = [...this.pending.keys()].sort((a, b) => a - b);
    let expected = this.next;
    for (const off of offs) {
      if (out.length >= MAX_MISSING_RANGES) return out;
      if (off > expected) out.push([expected, off - expected]);
      expected = Math.max(expected, off + this.pending.get(off)!.length);
    }
    if (expected < this.hi && out.length < MAX_MISSING_RANGES) out.push([expected, this.hi - expected]);
    return out;
  }
}
