/**
 * One stream as a media server keeps it: pacing at the media's rate (§5.1),
 * the client's reception state, and the ranges it asked to have resent (§5.2).
 */
import {
  ACK_INTERVAL,
  DATA_CHUNK,
  PACING_BURST,
  RECEIVE_WINDOW,
  RESEND_HOLDOFF,
} from '../../protocol/constants.js';
import { defineTable } from '../stateMachine.js';

export type StreamState = 'set-up' | 'playing' | 'ended';
export type StreamTrigger = 'play' | 'teardown' | 'client-silent' | 'setup-timeout' | 'stop' | 'media-error';

/** A server's stream (§6.3), drawn in the spec. */
export const SERVER_STREAM_TABLE = defineTable<StreamState, StreamTrigger>({
  name: 'server: stream',
  initial: 'set-up',
  states: {
    'set-up': 'Setup sent; waiting for `play` with the cookie. Nothing is streamed yet.',
    playing: 'Streaming at the media rate, resending what the client reports missing.',
    ended: 'Forgotten: the stream is removed.',
  },
  transitions: [
    { from: 'set-up', on: 'play', to: 'playing', doc: '`play` with the right cookie from the client\'s address' },
    { from: 'playing', on: 'play', to: 'playing', doc: '`play` again: restart from its offset' },
    { from: ['set-up', 'playing'], on: 'teardown', to: 'ended', doc: '`teardown` from the client' },
    { from: 'playing', on: 'client-silent', to: 'ended', doc: 'nothing from the client for CLIENT_SILENCE_TIMEOUT' },
    { from: 'set-up', on: 'setup-timeout', to: 'ended', doc: 'no `play` within SETUP_TIMEOUT' },
    { from: ['set-up', 'playing'], on: 'stop', to: 'ended', doc: 'the server stops (`end` with `shutting-down`)' },
    { from: 'playing', on: 'media-error', to: 'ended', doc: 'the file cannot be read (`end` with `media-error`)' },
  ],
});

export class ServerStream {
  state: StreamState = 'set-up';
  /** Next byte to send for the first time. */
  sendPos: number;
  /** The offset the chunk grid starts at. */
  base: number;
  /** Client's report: every byte below `ackNext` received; highest end received. */
  ackNext: number;
  ackHi: number;
  seq = 0;
  lastHeard: number;
  lastNewSend = 0;
  private credit = PACING_BURST / 2;
  private resendCredit = PACING_BURST / 2;
  private creditAt: number;
  /** Chunk offsets queued for resending, in order, and when each was last resent. */
  private readonly resendQueue: number[] = [];
  private readonly queued = new Set<number>();
  private readonly resentAt = new Map<number, number>();
  bytesSent = 0;
  bytesResent = 0;
  complete = false;

  constructor(
    readonly sid: number,
    readonly client: string,
    readonly file: string,
    readonly size: number,
    /** Bits per second. */
    readonly rate: number,
    readonly cookie: Uint8Array,
    readonly created: number,
    off: number,
  ) {
    this.sendPos = off;
    this.base = off;
    this.ackNext = off;
    this.ackHi = off;
    this.lastHeard = created;
    this.creditAt = created;
  }

  /** (Re)start playing from `off`. */
  play(off: number, now: number): void {
    this.state = 'playing';
    this.sendPos = off;
    this.base = off;
    this.ackNext = off;
    this.ackHi = off;
    this.creditAt = now;
    this.credit = PACING_BURST / 2;
    this.resendQueue.length = 0;
    this.queued.clear();
    this.resentAt.clear();
    this.lastHeard = now;
    this.complete = false;
  }

  chunkLength(off: number): number {
    return Math.min(DATA_CHUNK, this.size - off);
  }

  /** Record an `ack` and queue the chunks it reports missing. */
  onAck(next: number, hi: number, miss: readonly (readonly [number, number])[], now: number): void {
    this.lastHeard = now;
    if (next > this.ackNext) this.ackNext = Math.min(next, this.size);
    if (hi > this.ackHi) this.ackHi = Math.min(hi, this.size);
    for (const [off, len] of miss) this.queueRange(off, off + len, now);
    // Tail loss: everything is sent, the client's highest byte is short of it, and nothing has gone out lately.
    if (this.sendPos >= this.size && this.ackHi < this.sendPos && now - this.lastNewSend >= 2 * ACK_INTERVAL) {
      this.queueRange(this.ackHi, this.sendPos, now);
    }
    // Forget resend bookkeeping the client no longer needs.
    if (this.resentAt.size > 0) for (const off of this.resentAt.keys()) if (off + DATA_CHUNK <= this.ackNext) this.resentAt.delete(off);
    if (this.ackNext >= this.size) this.complete = true;
  }

  private queueRange(from: number, to: number, now: number): void {
    from = Math.max(from, this.ackNext, this.base);
    to = Math.min(to, this.sendPos);
    if (from >= to) return;
    let off = this.base + Math.floor((from - this.base) / DATA_CHUNK) * DATA_CHUNK;
    // Bound the work one report can cause: at most a receive window of chunks.
    const last = Math.min(to, off + RECEIVE_WINDOW);
    for (; off < last; off += DATA_CHUNK) {
      if (this.queued.has(off)) continue;
      const at = this.resentAt.get(off);
      if (at !== undefined && now - at < RESEND_HOLDOFF) continue;
      this.queued.add(off);
      this.resendQueue.push(off);
    }
  }

  /**
   * The chunks to send now: resends first (from their own budget, half the
   * media rate), then new data at the media rate within the client's window.
   */
  due(now: number, out: { off: number; len: number; re: boolean }[]): void {
    const elapsed = Math.max(0, now - this.creditAt);
    this.creditAt = now;
    const perMs = this.rate / 8 / 1000;
    this.credit = Math.min(PACING_BURST, this.credit + elapsed * perMs);
    this.resendCredit = Math.min(PACING_BURST, this.resendCredit + (elapsed * perMs) / 2);
    while (this.resendQueue.length > 0) {
      const off = this.resendQueue[0]!;
      const len = this.chunkLength(off);
      if (off + len <= this.ackNext || len <= 0) {
        this.resendQueue.shift();
        this.queued.delete(off);
        continue;
      }
      if (this.resendCredit < len) break;
      this.resendQueue.shift();
      this.queued.delete(off);
      this.resendCredit -= len;
      this.resentAt.set(off, now);
      this.bytesResent += len;
      out.push({ off, len, re: true });
    }
    while (this.sendPos < this.size && this.sendPos < this.ackNext + RECEIVE_WINDOW) {
      const len = this.chunkLength(this.sendPos);
      if (this.credit < len) break;
      this.credit -= len;
      out.push({ off: this.sendPos, len, re: false });
      this.sendPos += len;
      this.bytesSent += len;
      this.lastNewSend = now;
    }
  }

  /** True while the pacer has something it may send. */
  get busy(): boolean {
    return this.state === 'playing' && (this.resendQueue.length > 0 || (this.sendPos < this.size && this.sendPos < this.ackNext + RECEIVE_WINDOW));
  }
}
