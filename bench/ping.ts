/**
 * The loopback round trip: small datagrams sent one at a time from this
 * process to a raw node:dgram echo process, each waiting for its echo. The
 * median is the round trip a handoff's budget adds to its waiting time.
 */
import dgram from 'node:dgram';
import { parseAddress } from '../src/protocol/address.js';
import { median, percentile } from './stats.js';

export interface PingResult {
  readonly sent: number;
  readonly answered: number;
  /** Median and 95th percentile round trip, ms. */
  readonly p50: number;
  readonly p95: number;
}

/** Bytes of each ping: a sequence number and some padding. */
const PING_BYTES = 64;

export async function pingEcho(target: string, count: number, timeoutMs: number): Promise<PingResult> {
  const to = parseAddress(target);
  if (!to) throw new Error(`ping: ${target} is not HOST:PORT`);
  const socket = dgram.createSocket(to.host.includes(':') ? 'udp6' : 'udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, to.host.includes(':') ? '::1' : '127.0.0.1', () => resolve());
  });
  let waiting: { seq: number; resolve: (ok: boolean) => void } | undefined;
  socket.on('message', (msg) => {
    if (waiting && msg.length === PING_BYTES && msg.readUInt32BE(0) === waiting.seq) waiting.resolve(true);
  });
  const rtts: number[] = [];
  try {
    const packet = Buffer.alloc(PING_BYTES);
    for (let seq = 1; seq <= count; seq++) {
      packet.writeUInt32BE(seq, 0);
      const t0 = performance.now();
      const answered = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        waiting = {
          seq,
          resolve: (ok) => {
            clearTimeout(timer);
            resolve(ok);
          },
        };
        socket.send(packet, to.port, to.host);
      });
      waiting = undefined;
      if (answered) rtts.push(performance.now() - t0);
    }
  } finally {
    socket.close();
  }
  if (rtts.length === 0) throw new Error(`ping: no answer from the echo at ${target} to ${count} pings`);
  const sorted = [...rtts].sort((a, b) => a - b);
  return { sent: count, answered: rtts.length, p50: median(rtts), p95: percentile(sorted, 95) };
}
