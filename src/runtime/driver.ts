/**
 * The driver: runs any role core on a real UDP socket with the real clock.
 *
 * After every input (a datagram, a timer, a command) it drains the core:
 * transmits go to the socket, events to the caller, and the core's next
 * deadline becomes one timer, re-armed only when the deadline changes.
 */
import { DgramAsPromised, type SocketAsPromised } from 'dgram-as-promised';
import { isIPv4 } from 'node:net';
import { formatAddress, parseAddress } from '../protocol/address.js';
import type { Input, Role, RoleEvent, StreamBytes } from '../roles/role.js';
import { now } from './clock.js';
import type { Family } from './resolve.js';
import { UsageError } from '../errors.js';
import { markStarted } from './started.js';

/** Streaming needs room for bursts: at least this much socket buffer each way. */
export const SOCKET_BUFFER = 4 * 1024 * 1024;
/** Internal errors reported as events (more are only counted). */
const REPORTED_INTERNAL_ERRORS = 10;
/** Parsed destination addresses kept (a master talks to many clients). */
const ENDPOINT_CACHE = 4096;
/**
 * A timer that fires this late, ms, found the event loop held up (a busy machine, a pause of the
 * process): it runs only after the loop has read what the socket received meanwhile. Otherwise a
 * client held up for longer than the server-silence timeout would find the server silent, with the
 * server's packets waiting unread in its own socket buffer, and move the stream for nothing.
 */
export const LATE_TIMER = 20;

type AnyRole = Role<unknown, RoleEvent>;
/** The events a role core reports: its own typed union. */
export type EventOf<R extends AnyRole> = NonNullable<ReturnType<R['pollEvent']>>;
/** The records a role core keeps on disk, if it keeps any. */
export type JournalOf<R extends AnyRole> = R extends { pollJournal(): infer J } ? NonNullable<J> : never;
/** What the driver itself reports, beside the core's events. */
export type DriverEvent =
  | {
    readonly type: 'listening'; readonly level: 'info' | 'warn'; readonly address: string; readonly family: Family;
    readonly recvBuffer: number; readonly sendBuffer: number; readonly detail?: string;
  }
  | { readonly type: 'internal-error'; readonly level: 'error'; readonly detail: string };
/** The command type a role core takes. */
export type CommandOf<R extends AnyRole> = Extract<Parameters<R['handle']>[0], { kind: 'command' }>['command'];

export interface StartRoleOptions<R extends AnyRole> {
  /** The core, or a function that makes it once the bound address is known (a server is named by its address). */
  readonly role: R | ((address: string) => R);
  /** A numeric IP to bind (`127.0.0.1`, `::1`, `0.0.0.0`). */
  readonly host: string;
  /** 0: any free port. */
  readonly port: number;
  /** Every event of the core, after a first `listening` event from the driver. */
  readonly onEvent: (e: EventOf<R> | DriverEvent) => void;
  /** A stream's bytes, in order, from a core that receives one (before the events of the same input). */
  readonly onData?: (d: StreamBytes) => void;
  /** A record to keep, from a core that keeps state on disk: called before the input's datagrams go, so what a peer hears of is kept first. */
  readonly onJournal?: (r: JournalOf<R>) => void;
  /** Socket buffer size to ask for, each way. */
  readonly bufferSize?: number;
}

export interface DriverStats {
  datagramsIn: number;
  bytesIn: number;
  datagramsOut: number;
  bytesOut: number;
  /** Datagrams the socket refused to send (and that are therefore lost). */
  sendErrors: number;
  lastSendError?: string;
  /** Exceptions thrown by the core or by the event callback: bugs, counted so they cannot take a role down. */
  internalErrors: number;
  recvBuffer: number;
  sendBuffer: number;
}

export interface RunningRole<R extends AnyRole> {
  /** `ip:port` as the cores write it. */
  readonly address: string;
  readonly host: string;
  readonly port: number;
  readonly family: Family;
  readonly role: R;
  readonly stats: DriverStats;
  /** Give the core a command (start, stop). */
  command(cmd: CommandOf<R>): void;
  /** Resolves true once every datagram handed to the socket has been sent, false after `timeoutMs`. */
  flushed(timeoutMs?: number): Promise<boolean>;
  /** Stop the timer and close the socket. */
  close(): Promise<void>;
}

/** The host part of a peer address as the cores see it: IPv4-mapped IPv6 is written as IPv4. */
export function peerHost(address: string): string {
  return address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;
}

async function bindSocket(host: string, port: number): Promise<{ socket: SocketAsPromised; family: Family }> {
  const family: Family = host.includes(':') ? 6 : 4;
  const socket = DgramAsPromised.createSocket({ type: family === 6 ? 'udp6' : 'udp4' });
  try {
    await socket.bind(port, host);
  } catch (e) {
    socket.destroy();
    const err = e as NodeJS.ErrnoException;
    const where = formatAddress(host, port);
    const hint = err.code === 'EADDRINUSE' ? 'the port is in use: choose another --port, or 0 for any free port'
      : err.code === 'EADDRNOTAVAIL' ? 'that address is not on this host: choose a local --host'
        : err.code === 'EACCES' ? 'ports below 1024 need privileges: choose a --port above 1023'
          : 'check --host and --port';
    throw new UsageError('cannot-bind', `cannot listen on ${where} (${err.code ?? err.message}): ${hint}`);
  }
  return { socket, family };
}

/** Ask for `size`; when the OS refuses, halve down to 256 KiB. Returns what the socket has. */
function setBuffer(set: (n: number) => void, get: () => number, size: number): number {
  for (let n = size; n >= 256 * 1024; n = Math.floor(n / 2)) {
    try {
      set(n);
      break;
    } catch {
      // The OS caps socket buffers (net.core.rmem_max and the like): try smaller.
    }
  }
  try {
    return get();
  } catch {
    return 0;
  }
}

export async function startRole<R extends AnyRole>(o: StartRoleOptions<R>): Promise<RunningRole<R>> {
  const { socket, family } = await bindSocket(o.host, o.port);
  const bound = socket.address();
  const host = peerHost(bound.address);
  const address = formatAddress(host, bound.port);
  const wanted = o.bufferSize ?? SOCKET_BUFFER;
  const stats: DriverStats = {
    datagramsIn: 0,
    bytesIn: 0,
    datagramsOut: 0,
    bytesOut: 0,
    sendErrors: 0,
    internalErrors: 0,
    recvBuffer: setBuffer((n) => socket.setRecvBufferSize(n), () => socket.socket.getRecvBufferSize(), wanted),
    // The node socket's own getter: dgram-as-promised 6.0.0's getSendBufferSize() calls itself forever.
    sendBuffer: setBuffer((n) => socket.setSendBufferSize(n), () => socket.socket.getSendBufferSize(), wanted),
  };
  const capped = stats.recvBuffer < wanted || stats.sendBuffer < wanted;
  o.onEvent({
    type: 'listening',
    level: capped ? 'warn' : 'info',
    address,
    family,
    recvBuffer: stats.recvBuffer,
    sendBuffer: stats.sendBuffer,
    ...(capped ? { detail: `socket buffers are smaller than the ${wanted} bytes asked for: raise net.core.rmem_max / wmem_max for streaming` } : {}),
  });
  markStarted();

  const role: R = typeof o.role === 'function' ? o.role(address) : o.role;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let armedAt: number | undefined;
  let waiters: (() => void)[] = [];
  const endpoints = new Map<string, { host: string; port: number } | null>();

  const internalError = (where: string, e: unknown) => {
    stats.internalErrors++;
    if (stats.internalErrors > REPORTED_INTERNAL_ERRORS) return;
    const detail = `${where}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
    try {
      o.onEvent({ type: 'internal-error', level: 'error', detail });
    } catch {
      // The callback itself is failing: the count above is all we can do.
    }
  };

  const endpoint = (to: string) => {
    let ep = endpoints.get(to);
    if (ep === undefined) {
      const p = parseAddress(to);
      // A udp6 socket reaches IPv4 peers through IPv4-mapped addresses.
      ep = p ? { host: family === 6 && isIPv4(p.host) ? `::ffff:${p.host}` : p.host, port: p.port } : null;
      if (endpoints.size >= ENDPOINT_CACHE) endpoints.clear();
      endpoints.set(to, ep);
    }
    return ep;
  };

  // Sends go without a completion callback (below); their errors come as the socket's 'error' events.
  socket.socket.on('error', (e: NodeJS.ErrnoException) => {
    stats.sendErrors++;
    stats.lastSendError = e?.code ?? String(e);
  });
  const queued = () => socket.socket.getSendQueueCount();

  const transmit = (to: string, bytes: Uint8Array) => {
    const ep = endpoint(to);
    if (!ep || closed) {
      stats.sendErrors++;
      stats.lastSendError = ep ? 'closed' : `bad address ${to}`;
      return;
    }
    stats.datagramsOut++;
    stats.bytesOut += bytes.length;
    // Straight to the node socket, with no completion callback: node then tries the send at once
    // (uv_udp_try_send) and queues it only when the kernel buffer is full. A callback (which the
    // promise of dgram-as-promised needs) makes every send a queued request that the event loop
    // must watch for writability, which halved the master's request rate.
    socket.socket.send(bytes, ep.port, ep.host);
  };

  const onTimer = () => {
    const due = armedAt;
    timer = undefined;
    armedAt = undefined;
    // Timers run before the loop polls the socket; setImmediate runs after it.
    if (due !== undefined && now() - due > LATE_TIMER) setImmediate(() => feed({ kind: 'timer' }));
    else feed({ kind: 'timer' });
  };

  const arm = (deadline: number | undefined, t: number) => {
    if (closed) return;
    if (deadline === undefined) {
      if (timer) clearTimeout(timer);
      timer = undefined;
      armedAt = undefined;
      return;
    }
    if (timer && armedAt === deadline) return;
    if (timer) clearTimeout(timer);
    armedAt = deadline;
    timer = setTimeout(onTimer, Math.max(0, deadline - t));
  };

  const drain = (t: number) => {
    for (let r = role.pollJournal?.(); r; r = role.pollJournal?.()) o.onJournal?.(r as JournalOf<R>);
    for (let x = role.pollTransmit(); x; x = role.pollTransmit()) transmit(x.to, x.bytes);
    // The copy's bytes first: an event such as `complete` finds them all handed on.
    for (let d = role.pollData?.(); d; d = role.pollData?.()) o.onData?.(d);
    for (let e = role.pollEvent(); e; e = role.pollEvent()) {
      try {
        o.onEvent(e);
      } catch (err) {
        internalError(`handling event ${e.type}`, err);
      }
    }
    arm(role.pollTimeout(), t);
  };

  function feed(input: Input<CommandOf<R>>): void {
    if (closed) return;
    const t = now();
    try {
      role.handle(input, t);
    } catch (e) {
      internalError(`core on ${input.kind}`, e);
    }
    try {
      drain(t);
    } catch (e) {
      internalError('draining the core', e);
    }
  }

  // The underlying socket's event, not recv(): recv() re-subscribes per datagram and can miss some.
  socket.socket.on('message', (msg: Buffer, rinfo) => {
    if (closed) return;
    stats.datagramsIn++;
    stats.bytesIn += msg.length;
    feed({ kind: 'datagram', from: formatAddress(peerHost(rinfo.address), rinfo.port), bytes: msg });
  });

  return {
    address,
    host,
    port: bound.port,
    family,
    role,
    stats,
    command: (command) => feed({ kind: 'command', command }),
    flushed: async (timeoutMs = 2_000) => {
      // A send first resolves its address (on the next tick), then is tried or queued:
      // let that happen before looking at the queue.
      await new Promise((r) => setImmediate(r));
      if (closed || queued() === 0) return true;
      // Node does not say when an uncallbacked send leaves its queue: look, briefly and boundedly.
      return new Promise<boolean>((resolve) => {
        const deadline = now() + timeoutMs;
        const done = (ok: boolean) => {
          clearInterval(check);
          waiters = waiters.filter((w) => w !== wake);
          resolve(ok);
        };
        const wake = () => done(true);
        const check = setInterval(() => {
          if (closed || queued() === 0) done(true);
          else if (now() >= deadline) done(false);
        }, 2);
        waiters.push(wake);
      });
    },
    close: async () => {
      if (closed) return;
      closed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      try {
        await socket.close();
      } catch {
        // Already closed.
      }
      const w = waiters;
      waiters = [];
      for (const f of w) f();
    },
  };
}
