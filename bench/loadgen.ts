/**
 * A closed-loop UDP load generator: keeps a fixed number of padded requests
 * in flight against one target over one socket, and measures completions per
 * second and each request's latency. The same generator measures the master
 * and the raw echo baseline, so their ratio compares the servers, not the
 * generator.
 */
import dgram from 'node:dgram';
import { decode, encode } from '../src/protocol/codec.js';
import type { MessageOf, MessageType } from '../src/protocol/messages.js';
import { parseAddress } from '../src/protocol/address.js';
import { SOCKET_BUFFER } from '../src/runtime/driver.js';
import { FIRST_RID, RequestTemplate } from './requestTemplate.js';
import { summarize } from './stats.js';

export interface LoadOptions {
  /** `ip:port` of the server under load. */
  readonly target: string;
  readonly file: string;
  /** Requests kept in flight. */
  readonly inflight: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** A request unanswered this long is counted lost and replaced by a new one. */
  readonly timeoutMs: number;
  /** Answer types that complete a request (`redirect` from a master; `request` from an echo server). */
  readonly accept: readonly MessageType[];
  /** Width of the buckets of the throughput series, ms. */
  readonly bucketMs?: number;
  /** What the requests ask the master for (default `redirect`). */
  readonly mode?: 'redirect' | 'relay';
  /**
   * Answer each `setup` with a `teardown` to its server, as a client that gives
   * the stream up does: otherwise every relayed setup leaves a stream set up at
   * the server until SETUP_TIMEOUT, and the server under measurement holds ever
   * more of them, which no real client leaves behind.
   */
  readonly teardown?: boolean;
}

export interface LoadResult {
  /** Requests answered with an accepted type during the measurement. */
  readonly completed: number;
  readonly perSecond: number;
  /** Latency percentiles of the completed requests, ms. */
  readonly p50: number;
  readonly p99: number;
  readonly mean: number;
  /** Requests that timed out during the measurement. */
  readonly lost: number;
  /** Answers of other types during the measurement (errors), by type or error code. */
  readonly others: Readonly<Record<string, number>>;
  readonly seconds: number;
  /** Completions per second in consecutive buckets of the measurement: a falling series shows a slowdown under load. */
  readonly series: readonly number[];
  readonly requestBytes: number;
  /** Streams torn down (one per `setup` received, with `teardown`). */
  readonly teardowns: number;
}

/** Run the load; each request has a fresh `rid` and is matched by the `rid` of its answer. */
export function runLoad(o: LoadOptions): Promise<LoadResult> {
  const target = parseAddress(o.target);
  if (!target) return Promise.reject(new Error(`bad target address ${o.target}`));
  const template = new RequestTemplate({ type: 'request', file: o.file, mode: o.mode ?? 'redirect' });
  const bucketMs = o.bucketMs ?? 500;
  const socket = dgram.createSocket('udp4');
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  const others: Record<string, number> = {};
  const buckets: number[] = [];
  let nextRid = FIRST_RID;
  let completed = 0;
  let lost = 0;
  let teardowns = 0;
  /** The last server a setup named, parsed once (every setup names the same few). */
  let server: { name: string; host: string; port: number } | undefined;
  let measuring = false;
  let measureStart = 0;
  let closed = false;

  return new Promise((resolve, reject) => {
    const timers: NodeJS.Timeout[] = [];
    const finish = (error?: Error) => {
      if (closed) return;
      closed = true;
      for (const t of timers) clearInterval(t);
      socket.close();
      if (error) return reject(error);
      const seconds = (performance.now() - measureStart) / 1000;
      const s = summarize(latencies);
      const full = Math.floor((seconds * 1000) / bucketMs);
      resolve({
        completed,
        perSecond: completed / seconds,
        p50: s.p50,
        p99: s.p99,
        mean: s.mean,
        lost,
        others,
        seconds,
        series: buckets.slice(0, full).map((n) => (n * 1000) / bucketMs),
        requestBytes: template.bytes.length,
        teardowns,
      });
    };
    socket.on('error', (e) => finish(e));

    const sendOne = () => {
      if (closed) return;
      const rid = nextRid;
      nextRid = nextRid >= 0xffff_ffff ? FIRST_RID : nextRid + 1;
      sentAt.set(rid, performance.now());
      socket.send(template.with(rid), target.port, target.host);
    };

    // Whatever the setup answers (this run's request or a late one), the stream it set up is not wanted.
    const tearDown = (setup: MessageOf<'setup'>) => {
      if (server?.name !== setup.srv) {
        const at = parseAddress(setup.srv);
        if (!at) return;
        server = { name: setup.srv, ...at };
      }
      teardowns++;
      socket.send(encode({ type: 'teardown', sid: setup.sid }), server.port, server.host);
    };

    socket.on('message', (msg) => {
      const d = decode(msg);
      if (!d.ok) return;
      if (o.teardown && d.msg.type === 'setup') tearDown(d.msg);
      const m = d.msg as { type: MessageType; rid?: number };
      if (m.rid === undefined) return;
      const t0 = sentAt.get(m.rid);
      if (t0 === undefined) return;
      sentAt.delete(m.rid);
      const now = performance.now();
      if (measuring) {
        if (o.accept.includes(m.type)) {
          completed++;
          latencies.push(now - t0);
          const b = Math.floor((now - measureStart) / bucketMs);
          buckets[b] = (buckets[b] ?? 0) + 1;
        } else {
          const key = m.type === 'error' ? `error ${(d.msg as MessageOf<'error'>).code}` : m.type;
          others[key] = (others[key] ?? 0) + 1;
        }
      }
      sendOne();
    });

    socket.bind(0, '127.0.0.1', () => {
      socket.setRecvBufferSize(SOCKET_BUFFER);
      socket.setSendBufferSize(SOCKET_BUFFER);
      for (let i = 0; i < o.inflight; i++) sendOne();
      // Lost requests are replaced, so the number in flight stays fixed.
      timers.push(setInterval(() => {
        const now = performance.now();
        for (const [rid, t0] of sentAt) {
          if (now - t0 < o.timeoutMs) continue;
          sentAt.delete(rid);
          if (measuring) lost++;
          sendOne();
        }
      }, Math.max(10, o.timeoutMs / 4)));
      timers.push(setTimeout(() => {
        measuring = true;
        measureStart = performance.now();
        timers.push(setTimeout(() => finish(), o.durationMs));
      }, o.warmupMs));
    });
  });
}
