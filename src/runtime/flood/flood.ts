/**
 * The flood engine of `ofp tool flood`: sends one kind of datagram to a
 * loopback target at a paced rate for a bounded time, counts what comes back,
 * and stops by itself. What it measures: datagrams and bytes sent, answers
 * and their bytes, and so the amplification the target showed (bytes received
 * ÷ bytes sent).
 */
import dgram from 'node:dgram';
import { decode } from '../../protocol/codec.js';
import { Rng } from '../../protocol/rng.js';
import { now } from '../clock.js';
import { type FloodKind, floodGenerator } from './kinds.js';
import type { FloodTarget } from './target.js';

/** Most datagrams per second a flood may send. */
export const FLOOD_MAX_RATE = 50_000;
/** Longest a flood may last, ms. */
export const FLOOD_MAX_DURATION = 60_000;
/** The pacer wakes this often, ms. */
const TICK = 5;
/** After a stall, at most this many ticks' worth are sent at once (no unbounded catch-up burst). */
const CATCH_UP_TICKS = 10;
/** Answers still counted this long after the last send, ms. */
const LINGER = 300;

export interface FloodOptions {
  readonly target: FloodTarget;
  readonly kind: FloodKind;
  /** Datagrams per second. */
  readonly rate: number;
  /** ms */
  readonly duration: number;
  readonly file: string;
  readonly seed: number;
}

export interface FloodResult {
  readonly target: string;
  readonly kind: FloodKind;
  readonly rate: number;
  /** Time spent sending, ms. */
  readonly ms: number;
  readonly sent: number;
  readonly sentBytes: number;
  readonly sendErrors: number;
  readonly answers: number;
  readonly answerBytes: number;
  /** answerBytes ÷ sentBytes (0 when nothing was sent). */
  readonly amplification: number;
  /** Answers by message type, or by error code for `error`s. */
  readonly answerTypes: Readonly<Record<string, number>>;
}

export async function runFlood(o: FloodOptions, onProgress?: (r: FloodResult) => void): Promise<FloodResult> {
  const rate = Math.min(Math.max(1, Math.floor(o.rate)), FLOOD_MAX_RATE);
  const duration = Math.min(Math.max(1, o.duration), FLOOD_MAX_DURATION);
  const next = floodGenerator(o.kind, { rng: new Rng(o.seed), file: o.file, target: o.target.address });
  const socket = dgram.createSocket(o.target.family === 6 ? 'udp6' : 'udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, o.target.family === 6 ? '::1' : '127.0.0.1', () => {
      socket.off('error', reject);
      resolve();
    });
  });
  let sent = 0;
  let sentBytes = 0;
  let sendErrors = 0;
  let answers = 0;
  let answerBytes = 0;
  const answerTypes: Record<string, number> = {};
  socket.on('error', () => sendErrors++);
  socket.on('message', (msg: Buffer) => {
    answers++;
    answerBytes += msg.length;
    const d = decode(msg);
    const key = !d.ok ? `undecodable (${d.code})` : d.msg.type === 'error' ? `error ${d.msg.code}` : d.msg.type;
    answerTypes[key] = (answerTypes[key] ?? 0) + 1;
  });
  const start = now();
  const result = (): FloodResult => ({
    target: o.target.address,
    kind: o.kind,
    rate,
    ms: Math.round(Math.min(now() - start, duration)),
    sent,
    sentBytes,
    sendErrors,
    answers,
    answerBytes,
    amplification: sentBytes > 0 ? answerBytes / sentBytes : 0,
    answerTypes: { ...answerTypes },
  });
  await new Promise<void>((resolve) => {
    let lastProgress = start;
    const tick = () => {
      const t = now();
      const elapsed = Math.min(t - start, duration);
      const due = Math.min(Math.floor((elapsed * rate) / 1000) - sent, Math.ceil((rate * TICK * CATCH_UP_TICKS) / 1000));
      for (let i = 0; i < due; i++) {
        const bytes = next();
        sent++;
        sentBytes += bytes.length;
        socket.send(bytes, o.target.port, o.target.host);
      }
      if (onProgress && t - lastProgress >= 1000) {
        lastProgress = t;
        onProgress(result());
      }
      if (t - start >= duration) return resolve();
      setTimeout(tick, TICK);
    };
    tick();
  });
  const sending = result();
  // Answers to the last datagrams are still on their way: count them, briefly.
  await new Promise((r) => setTimeout(r, LINGER));
  socket.close();
  return { ...result(), ms: sending.ms };
}
