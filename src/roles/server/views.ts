/**
 * Read-only views of what a media server keeps, for tests and tools:
 * snapshots taken when asked for, never its own records.
 */
import type { ServerStream, StreamState } from './stream.js';

/** One flow of a stream, as its sender stands. */
export interface FlowView {
  readonly file: string;
  readonly size: number;
  /** Media rate, bits per second. */
  readonly rate: number;
  /** Next byte to send for the first time, and every byte below `ackNext` received. */
  readonly sendPos: number;
  readonly ackNext: number;
  readonly bytesSent: number;
  readonly bytesResent: number;
}

/** One stream as the server keeps it. */
export interface StreamView {
  readonly sid: number;
  readonly client: string;
  readonly item: string;
  readonly state: StreamState;
  /** Rate scale, thousandths of the media rate, and the bandwidth it takes, bits per second. */
  readonly scale: number;
  readonly rate: number;
  readonly complete: boolean;
  readonly movingTo: string | undefined;
  readonly flows: readonly FlowView[];
}

export function streamView(s: ServerStream): StreamView {
  return Object.freeze({
    sid: s.sid, client: s.client, item: s.item, state: s.state, scale: s.scale, rate: s.rate, complete: s.complete, movingTo: s.movingTo,
    flows: Object.freeze(s.flows.map((f) => Object.freeze({
      file: f.file, size: f.size, rate: f.rate, sendPos: f.sendPos, ackNext: f.ackNext, bytesSent: f.bytesSent, bytesResent: f.bytesResent,
    }))),
  });
}
