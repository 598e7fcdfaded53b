/**
 * One stream as a media server keeps it: the client, the cookie that proves
 * the client's address, the rate scale (S2.1), and a sender per flow (S2.4).
 */
import { defineTable, mustMove } from '../stateMachine.js';
import { FlowSender } from './flowSender.js';

export type StreamState = 'set-up' | 'playing' | 'ended';
export type StreamTrigger = 'play' | 'teardown' | 'client-silent' | 'setup-timeout' | 'stop' | 'media-error';

/** A server's stream (§6.3), drawn in the spec. */
export const SERVER_STREAM_TABLE = defineTable<StreamState, StreamTrigger>({
  name: 'server: stream',
  initial: 'set-up',
  states: {
    'set-up': 'Setup sent (to the client, or to the master for a relayed request or an establishment); waiting for `play` with the cookie. Nothing is streamed yet.',
    playing: 'Streaming every flow at its rate times the scale, resending what the client reports missing.',
    ended: 'Forgotten: the stream is removed.',
  },
  transitions: [
    { from: 'set-up', on: 'play', to: 'playing', doc: '`play` with the right cookie from the client\'s address' },
    { from: 'playing', on: 'play', to: 'playing', doc: '`play` again from another offset: restart from there' },
    { from: ['set-up', 'playing'], on: 'teardown', to: 'ended', doc: '`teardown` from the client' },
    { from: 'playing', on: 'client-silent', to: 'ended', doc: 'nothing from the client for CLIENT_SILENCE_TIMEOUT' },
    { from: 'set-up', on: 'setup-timeout', to: 'ended', doc: 'no `play` within SETUP_TIMEOUT' },
    { from: ['set-up', 'playing'], on: 'stop', to: 'ended', doc: 'the server stops (`end` with `shutting-down`)' },
    { from: 'playing', on: 'media-error', to: 'ended', doc: 'a file cannot be read (`end` with `media-error`)' },
  ],
});

export interface FlowFile {
  readonly name: string;
  readonly size: number;
  /** Media rate, bits per second. */
  readonly rate: number;
}

export class ServerStream {
  private current: StreamState = 'set-up';
  readonly flows: FlowSender[];
  /** Rate scale, thousandths of the media rate (S2.1). */
  scale: number;
  /** Number of the last adjustment applied. */
  adjusted = 0;
  seq = 0;
  lastHeard: number;
  /** True once the client has every byte of every flow. */
  complete = false;
  /** Where the master is moving the stream, once it has said so. */
  movingTo: string | undefined;
  /** The offsets the last `play` started each flow at (a repeat of them is a duplicate). */
  startedFrom: number[] = [];

  constructor(
    readonly sid: number,
    readonly client: string,
    /** The media item's name (the file, for a single flow). */
    readonly item: string,
    flows: readonly FlowFile[],
    offs: readonly number[],
    scale: number,
    readonly cookie: Uint8Array,
    readonly created: number,
  ) {
    this.flows = flows.map((f, i) => new FlowSender(i, f.name, f.size, f.rate, Math.min(offs[i] ?? 0, f.size), created));
    this.scale = scale;
    this.lastHeard = created;
  }

  /** The only way the stream's state changes: through SERVER_STREAM_TABLE (a move it does not have is a bug). */
  move(on: StreamTrigger): void {
    this.current = mustMove(SERVER_STREAM_TABLE, this.current, on);
  }

  get state(): StreamState {
    return this.current;
  }

  /** Bandwidth the stream takes: every flow's rate times the scale, bits per second. */
  get rate(): number {
    let r = 0;
    for (const f of this.flows) r += f.rate;
    return Math.round((r * this.scale) / 1000);
  }

  /** (Re)start every flow from its offset. */
  play(offs: readonly number[], now: number): void {
    this.move('play');
    this.flows.forEach((f, i) => f.restart(offs[i] ?? 0, now));
    this.startedFrom = this.flows.map((f) => f.sendPos);
    this.lastHeard = now;
    this.complete = false;
  }

  /** Where flow 0 stands in normal play time, ms: its first byte not yet acknowledged (§10.3). */
  nptOf(off: number): number {
    const f = this.flows[0]!;
    return f.rate > 0 ? Math.floor((off * 8000) / f.rate) : 0;
  }

  get busy(): boolean {
    return this.state === 'playing' && this.flows.some((f) => f.busy);
  }

  bytesSent(): number {
    return this.flows.reduce((n, f) => n + f.bytesSent, 0);
  }

  bytesResent(): number {
    return this.flows.reduce((n, f) => n + f.bytesResent, 0);
  }
}

/** Byte offset of each flow at normal play time `npt` (ms): every flow at its own rate (S2.4). */
export function offsetsAt(flows: readonly FlowFile[], npt: number): number[] {
  return flows.map((f) => Math.min(f.size, Math.floor((npt * f.rate) / 8000)));
}
