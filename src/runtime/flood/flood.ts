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
import { FLOOD_MAX_DURATION, FLOOD_MAX_RATE, type FloodKind } from './catalog.js';
import { floodGenerator } from './kinds.js';
import type { FloodTarget } from './target.js';

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
  const sockets: dgram.Socket[] = [];
  try {
    for (let i = 0; i < (next.sockets ?? 1); i++) sockets.push(await bound(o.target.family));
  } catch (e) {
    for (const s of sockets) s.close();
    throw e;
  }
  let sent = 0;
  let sentBytes = 0;
  let sendErrors = 0;
  let answers = 0;
  let answerBytes = 0;
  const answerTypes: Record<string, number> = {};
  const onMessage = (msg: Buffer) => {
    answers++;
    answerBytes += msg.length;
    const d = decode(msg);
    const key = !d.ok ? `undecodable (${d.code})` : d.msg.type === 'error' ? `error ${d.msg.code}` : d.msg.type;
    answerTypes[key] = (answerTypes[key] ?? 0) + 1;
    if (d.ok) next.onAnswer?.(d.msg);
  };
  for (const socket of sockets) {
    socket.on('error', () => sendErrors++);
    socket.on('message', onMessage);
  }
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
        sockets[sent % sockets.length]!.send(bytes, o.target.port, o.target.host);
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
  for (const socket of sockets) socket.close();
  return { ...result(), ms: sending.ms };
}

/** A socket on the loopback address of the target's family, on an ephemeral port. */
function bound(family: 4 | 6): Promise<dgram.Socket> {
  const socket = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, family === 6 ? '::1' : '127.0.0.1', () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}
