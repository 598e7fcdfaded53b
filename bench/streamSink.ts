/**
 * Receives N concurrent streams from one media server over one socket, the
 * way clients do (request, setup, play, an `ack` with the missing ranges every
 * ACK_INTERVAL), and measures the packets per second delivered and the
 * residual loss: chunks the server had sent well before the end of the
 * measurement that never arrived, not even after being asked for again.
 */
import dgram from 'node:dgram';
import { ACK_INTERVAL, DATA_CHUNK, MAX_MISSING_RANGES, REQUEST_TIMEOUT } from '../src/protocol/constants.js';
import { decode, encode } from '../src/protocol/codec.js';
import type { MessageOf } from '../src/protocol/messages.js';
import { padded } from '../src/protocol/padding.js';
import { parseAddress } from '../src/protocol/address.js';
import { SOCKET_BUFFER } from '../src/runtime/driver.js';
import { readData } from './dataReader.js';

/** A request or play unanswered this long is sent again, as a client does, ms. */
const RETRY_AFTER = REQUEST_TIMEOUT;
/** Chunks sent more than this long before the end must have arrived by the end, ms (several ack rounds). */
const SETTLE_MS = 500;
/**
 * After the measurement the streams are torn down, and the socket stays open
 * until no data has come for QUIET_MS (a stream still sending gets its
 * teardown again), at most DRAIN_LIMIT: the next step must not share the
 * server with streams of this one whose teardown was lost.
 */
const QUIET_MS = 300;
const DRAIN_LIMIT = 5_000;
const TEARDOWN_REPEAT = 50;

interface SinkStream {
  readonly rid: number;
  sid: number;
  cookie: Uint8Array;
  size: number;
  /** One flag per chunk: received. */
  have: Uint8Array;
  /** Every chunk below this offset has been received. */
  next: number;
  /** End of the highest chunk received. */
  hi: number;
  /** Chunks first received during the measurement. */
  inWindow: number;
  requestedAt: number;
  playedAt: number;
  playing: boolean;
  /** The server ended the stream (`end`) or refused it (`error`). */
  failed?: string;
}

export interface SinkOptions {
  /** `ip:port` of the media server. */
  readonly server: string;
  readonly file: string;
  readonly streams: number;
  /** Bits per second of each stream (the file's rate). */
  readonly rate: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** First request id (steps use distinct ranges so a late answer of an earlier step is ignored). */
  readonly firstRid: number;
}

export interface SinkResult {
  readonly streams: number;
  /** Streams that were set up and delivered data. */
  readonly playing: number;
  /** Streams the server refused or ended, by reason. */
  readonly failed: Readonly<Record<string, number>>;
  /** New chunks delivered per second during the measurement, over all streams. */
  readonly packetsPerSecond: number;
  /** What N streams at `rate` carry: N × rate / 8 / DATA_CHUNK. */
  readonly expectedPerSecond: number;
  /** packetsPerSecond / expectedPerSecond. */
  readonly delivered: number;
  /** Chunks missing at the end, of those the server had sent SETTLE_MS before it. */
  readonly residualLoss: number;
  /** Chunks the residual loss is counted over. */
  readonly checked: number;
  readonly seconds: number;
  /** Time from the end of the measurement until the server had stopped sending, ms. */
  readonly drainMs: number;
  /** Streams still sending when the drain gave up (the server ends them when their client is silent). */
  readonly lingering: number;
}

/** Missing chunks of a stream between `next` and `hi`, as ranges, lowest first. */
function missingRanges(s: SinkStream): [number, number][] {
  const out: [number, number][] = [];
  let start = -1;
  for (let off = s.next; off < s.hi; off += DATA_CHUNK) {
    const missing = !s.have[off / DATA_CHUNK];
    if (missing && start < 0) start = off;
    if (!missing && start >= 0) {
      out.push([start, off - start]);
      start = -1;
      if (out.length >= MAX_MISSING_RANGES) return out;
    }
  }
  if (start >= 0) out.push([start, s.hi - start]);
  return out;
}

export function runStreams(o: SinkOptions): Promise<SinkResult> {
  const server = parseAddress(o.server);
  if (!server) return Promise.reject(new Error(`bad server address ${o.server}`));
  const socket = dgram.createSocket('udp4');
  const byRid = new Map<number, SinkStream>();
  const bySid = new Map<number, SinkStream>();
  let measuring = false;
  let draining = false;
  let closed = false;
  let measureStart = 0;
  let measureEnd = 0;
  const send = (bytes: Uint8Array) => {
    if (!closed) socket.send(bytes, server.port, server.host);
  };
  const request = (s: SinkStream) => {
    s.requestedAt = performance.now();
    send(encode(padded({ type: 'request', rid: s.rid, file: o.file })));
  };
  const play = (s: SinkStream) => {
    s.playedAt = performance.now();
    send(encode({ type: 'play', sid: s.sid, cookie: s.cookie, off: 0 }));
  };

  const onSetup = (m: MessageOf<'setup'>) => {
    const s = byRid.get(m.rid);
    if (!s || s.playing || s.failed) return;
    s.sid = m.sid;
    s.cookie = m.cookie;
    s.size = m.size;
    s.have = new Uint8Array(Math.ceil(m.size / DATA_CHUNK));
    s.playing = true;
    bySid.set(m.sid, s);
    play(s);
  };

  /** Per stream: when its teardown was last sent, and when data last came (while draining). */
  const tornDown = new Map<number, number>();
  let lastDataAt = 0;
  const teardown = (sid: number, now: number) => {
    tornDown.set(sid, now);
    send(encode({ type: 'teardown', sid }));
  };

  const onData = (sid: number, off: number, len: number) => {
    if (draining) {
      const now = performance.now();
      lastDataAt = now;
      if (now - (tornDown.get(sid) ?? -Infinity) >= TEARDOWN_REPEAT) teardown(sid, now);
      return;
    }
    const s = bySid.get(sid);
    if (!s) return;
    const i = off / DATA_CHUNK;
    if (!Number.isInteger(i) || i >= s.have.length || s.have[i]) return;
    s.have[i] = 1;
    if (measuring) s.inWindow++;
    const end = off + len;
    if (end > s.hi) s.hi = end;
    while (s.next < s.size && s.have[s.next / DATA_CHUNK]) s.next = Math.min(s.size, s.next + DATA_CHUNK);
  };

  return new Promise((resolve, reject) => {
    const timers: NodeJS.Timeout[] = [];
    let settled = new Map<SinkStream, number>();
    socket.on('error', (e) => {
      if (closed) return;
      closed = true;
      for (const t of timers) clearInterval(t);
      socket.close();
      reject(e);
    });
    socket.on('message', (msg) => {
      const f = readData(msg);
      if (f) return onData(f.sid, f.off, f.len);
      const d = decode(msg);
      if (!d.ok) return;
      const m = d.msg;
      if (m.type === 'data') return onData(m.sid, m.off, m.data.length);
      if (draining) return;
      if (m.type === 'setup') return onSetup(m);
      if (m.type === 'end' || m.type === 'error') {
        const s = m.type === 'error' && m.rid !== undefined ? byRid.get(m.rid) : m.sid !== undefined ? bySid.get(m.sid) : undefined;
        if (s && !s.failed) s.failed = `${m.type} ${m.code}`;
      }
    });

    const finish = () => {
      measureEnd = performance.now();
      let checked = 0;
      let missing = 0;
      let delivered = 0;
      for (const [s, hi] of settled) {
        const n = Math.ceil(hi / DATA_CHUNK);
        checked += n;
        for (let i = 0; i < n; i++) if (!s.have[i]) missing++;
      }
      for (const s of bySid.values()) delivered += s.inWindow;
      const failed: Record<string, number> = {};
      for (const s of byRid.values()) if (s.failed) failed[s.failed] = (failed[s.failed] ?? 0) + 1;
      const seconds = (measureEnd - measureStart) / 1000;
      const packetsPerSecond = delivered / seconds;
      const expectedPerSecond = (o.streams * o.rate) / 8 / DATA_CHUNK;
      const measured = {
        streams: o.streams,
        playing: [...bySid.values()].filter((s) => s.hi > 0 && !s.failed).length,
        failed,
        packetsPerSecond,
        expectedPerSecond,
        delivered: packetsPerSecond / expectedPerSecond,
        // No chunk to check means nothing arrived: everything is lost.
        residualLoss: checked === 0 ? 1 : missing / checked,
        checked,
        seconds,
      };
      for (const t of timers) clearInterval(t);
      timers.length = 0;
      draining = true;
      lastDataAt = measureEnd;
      for (const s of bySid.values()) teardown(s.sid, measureEnd);
      timers.push(setInterval(() => {
        const now = performance.now();
        const quiet = now - lastDataAt >= QUIET_MS;
        if (!quiet && now - measureEnd < DRAIN_LIMIT) return;
        for (const t of timers) clearInterval(t);
        closed = true;
        socket.close();
        let lingering = 0;
        for (const at of tornDown.values()) if (now - at < QUIET_MS) lingering++;
        resolve({ ...measured, drainMs: Math.round(lastDataAt - measureEnd), lingering: quiet ? 0 : lingering });
      }, TEARDOWN_REPEAT));
    };

    socket.bind(0, '127.0.0.1', () => {
      socket.setRecvBufferSize(SOCKET_BUFFER);
      socket.setSendBufferSize(SOCKET_BUFFER);
      for (let i = 0; i < o.streams; i++) {
        const s: SinkStream = {
          rid: o.firstRid + i, sid: 0, cookie: new Uint8Array(0), size: 0, have: new Uint8Array(0),
          next: 0, hi: 0, inWindow: 0, requestedAt: 0, playedAt: 0, playing: false,
        };
        byRid.set(s.rid, s);
        request(s);
      }
      timers.push(setInterval(() => {
        const now = performance.now();
        for (const s of byRid.values()) {
          if (s.failed) continue;
          // Lost on the way (a full socket buffer): ask again, as a client would.
          if (!s.playing && now - s.requestedAt >= RETRY_AFTER) request(s);
          else if (s.playing && s.hi === 0 && now - s.playedAt >= RETRY_AFTER) play(s);
          else if (s.playing) send(encode({ type: 'ack', sid: s.sid, next: s.next, hi: s.hi, miss: missingRanges(s) }));
        }
      }, ACK_INTERVAL));
      timers.push(setTimeout(() => {
        measuring = true;
        measureStart = performance.now();
        timers.push(setTimeout(() => {
          settled = new Map([...bySid.values()].map((s) => [s, s.hi]));
        }, Math.max(0, o.durationMs - SETTLE_MS)));
        timers.push(setTimeout(finish, o.durationMs));
      }, o.warmupMs));
    });
  });
}
