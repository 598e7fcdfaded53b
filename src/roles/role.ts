/**
 * The one API every role core has (sans-I/O): feed it inputs with the current
 * time, then drain what it wants sent, when it wants to wake up, and what
 * happened. A driver (real sockets, or the simulator) does the I/O.
 *
 *   role.handle(input, now)
 *   while ((r = role.pollJournal?.())) keep(r)        (a role that keeps state on disk)
 *   while ((t = role.pollTransmit())) send(t.to, t.bytes)
 *   while ((e = role.pollEvent())) report(e)
 *   wakeAt(role.pollTimeout())
 */
import type { ClusterAuth, Crypto } from '../protocol/auth.js';
import { decode, type Decoded, encode, encodeVersionError } from '../protocol/codec.js';
import { AMPLIFICATION_RATIO, AMPLIFICATION_TABLE_SIZE, MAX_DATAGRAM, VERSION_ERROR_INTERVAL, VERSION_ERROR_TABLE_SIZE } from '../protocol/constants.js';
import type { ErrorCode } from '../protocol/errors.js';
import type { Message } from '../protocol/messages.js';
import type { Rng } from '../protocol/rng.js';
import { FifoMap } from './fifoMap.js';

export interface Transmit {
  readonly to: string;
  readonly bytes: Uint8Array;
}

export type Input<C = never> =
  | { readonly kind: 'datagram'; readonly from: string; readonly bytes: Uint8Array }
  | { readonly kind: 'timer' }
  | { readonly kind: 'command'; readonly command: C };

/**
 * Something that happened, for logs, `--json-stream`, the testbed and tests: the shape every
 * role's typed event union has, for code that treats all events alike (a log line, a trace).
 */
export interface RoleEvent {
  readonly type: string;
  /** `debug` events are shown only when asked for. */
  readonly level?: 'debug' | 'info' | 'warn' | 'error';
  readonly [field: string]: unknown;
}

/** How full one of a role's tables is, and the bound it never passes (§7.3). */
export interface TableSize {
  readonly size: number;
  readonly limit: number;
}

/** The events every role core reports, whatever its role. */
export type CoreEvent =
  | { readonly type: 'dropped'; readonly level: 'debug'; readonly code: ErrorCode; readonly from: string; readonly detail: string; readonly msg: string | undefined }
  | { readonly type: 'internal-error'; readonly level: 'error'; readonly detail: string };

export interface Role<C = never, E extends RoleEvent = RoleEvent> {
  handle(input: Input<C>, now: number): void;
  pollTransmit(): Transmit | undefined;
  /** The time the role next needs a `timer` input, or undefined when it has nothing pending. */
  pollTimeout(): number | undefined;
  pollEvent(): E | undefined;
  /** A role that receives a stream hands its bytes on here, never as an event. */
  pollData?(): StreamBytes | undefined;
  /** A role that keeps state on disk (a base server's jobs, §14.10) hands its records on here, drained before what it sends. */
  pollJournal?(): unknown;
}

/** The next in-order run of bytes of flow `fl` of a stream, at byte `off` of that flow, handed on at `at`. */
export interface StreamBytes {
  readonly fl: number;
  readonly off: number;
  readonly data: Uint8Array;
  readonly at: number;
}

/** What every role core is given: seeded randomness, a hash, optionally the cluster key. */
export interface RoleDeps {
  readonly rng: Rng;
  readonly crypto: Crypto;
  readonly auth?: ClusterAuth;
}

/** A FIFO that does not shift arrays on every take. */
export class Queue<T> {
  private items: T[] = [];
  private head = 0;
  push(item: T): void {
    this.items.push(item);
  }
  take(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head]!;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
  get length(): number {
    return this.items.length - this.head;
  }
}

/**
 * Anti-amplification (§9.4): until an address has proven that it receives
 * (validated by the role's own state), a role sends it at most
 * AMPLIFICATION_RATIO bytes per byte received from it.
 */
export class AmplificationGuard {
  /** Per address: bytes received, bytes sent while unvalidated. The oldest address is forgotten first. */
  private readonly budget: FifoMap<string, { rx: number; tx: number }>;
  blocked = 0;

  constructor(limit = AMPLIFICATION_TABLE_SIZE) {
    this.budget = new FifoMap(limit);
  }

  received(addr: string, n: number): void {
    const e = this.budget.get(addr);
    if (e) e.rx += n;
    else this.budget.set(addr, { rx: n, tx: 0 });
  }

  /** May `n` more bytes go to this unvalidated address? Counts them when they may. */
  allow(addr: string, n: number): boolean {
    const e = this.budget.get(addr);
    if (!e || e.tx + n > e.rx * AMPLIFICATION_RATIO) {
      this.blocked++;
      return false;
    }
    e.tx += n;
    return true;
  }

  get size(): number {
    return this.budget.size;
  }
}

/**
 * The shared plumbing of role cores: queues, decoding with counted drops,
 * authenticated sends, the amplification guard.
 */
export abstract class RoleCore<C = never, E extends RoleEvent = RoleEvent> implements Role<C, E | CoreEvent> {
  protected readonly transmits = new Queue<Transmit>();
  protected readonly events = new Queue<E | CoreEvent>();
  protected readonly guard = new AmplificationGuard();
  /** Datagrams dropped, by error code. */
  readonly dropped = new Map<string, number>();
  readonly counters = { received: 0, sent: 0, bytesIn: 0, bytesOut: 0 };
  private readonly versionAnswers = new FifoMap<string, number>(VERSION_ERROR_TABLE_SIZE);

  constructor(protected readonly deps: RoleDeps) {}

  abstract handle(input: Input<C>, now: number): void;
  abstract pollTimeout(): number | undefined;

  pollTransmit(): Transmit | undefined {
    return this.transmits.take();
  }

  /** The role's bounded tables, with their bounds (§7.3): a read-only view for tests and tools. Roles add their own. */
  tables(): Record<string, TableSize> {
    return {
      amplification: { size: this.guard.size, limit: AMPLIFICATION_TABLE_SIZE },
      'version answers': { size: this.versionAnswers.size, limit: VERSION_ERROR_TABLE_SIZE },
    };
  }

  pollEvent(): E | CoreEvent | undefined {
    return this.events.take();
  }

  protected emit(e: E | CoreEvent): void {
    this.events.push(e);
  }

  /** Count a datagram in, decode it; on failure count and report the drop. */
  protected receive(from: string, bytes: Uint8Array, now: number): Decoded | undefined {
    this.counters.received++;
    this.counters.bytesIn += bytes.length;
    this.guard.received(from, bytes.length);
    // A zero-length datagram is no message: a peer probing whether anything listens here (§2.3, §6.1).
    if (bytes.length === 0) return undefined;
    const d = decode(bytes);
    if (d.ok) return d;
    this.drop(d.code, from, d.detail, d.type);
    if (d.code === 'unknown-version') this.answerVersion(from, now);
    return undefined;
  }

  /**
   * Say which versions we speak (§2.1), at most once per VERSION_ERROR_INTERVAL
   * per address, so two peers with no version in common cannot keep each
   * other busy answering.
   */
  private answerVersion(to: string, now: number): void {
    const last = this.versionAnswers.get(to);
    if (last !== undefined && now - last < VERSION_ERROR_INTERVAL) return;
    if (!this.sendBytes(to, encodeVersionError(), false)) return;
    this.versionAnswers.delete(to);
    this.versionAnswers.set(to, now);
  }

  /** Count and report a datagram that is not acted on. */
  protected drop(code: ErrorCode, from: string, detail: string, type?: string): void {
    this.dropped.set(code, (this.dropped.get(code) ?? 0) + 1);
    this.emit({ type: 'dropped', level: 'debug', code, from, detail, msg: type });
  }

  /**
   * `n` bytes that `addr` sent to a peer that vouches for them (an authenticated portal passing a
   * request on, §12.3) count as received from it (§9.4): the answer may go to it directly.
   */
  protected vouched(addr: string, n: number): void {
    this.guard.received(addr, n);
  }

  /** Check an authenticated message when a cluster key is configured; report and return false when it fails. */
  protected authentic(d: Decoded, from: string, now: number): boolean {
    const auth = this.deps.auth;
    if (!auth) return true;
    const problem = auth.verify(d, now);
    if (!problem) return true;
    this.drop(problem, from, `unauthenticated ${d.msg.type}`, d.msg.type);
    return false;
  }

  /** Send a message. `validated`: the address has proven it receives (§9.4). */
  protected send(to: string, msg: Message, validated: boolean): boolean {
    return this.sendBytes(to, encode(msg), validated);
  }

  /** Send a control message, with a MAC when a cluster key is configured. */
  protected sendControl(to: string, msg: Message, now: number, validated: boolean): boolean {
    const auth = this.deps.auth;
    return this.sendBytes(to, auth ? auth.encode(msg, now) : encode(msg), validated);
  }

  protected sendBytes(to: string, bytes: Uint8Array, validated: boolean): boolean {
    if (bytes.length > MAX_DATAGRAM) {
      // A bug of ours, not the peer's: never put an oversize datagram on the wire.
      this.emit({ type: 'internal-error', level: 'error', detail: `oversize ${bytes.length}-byte datagram to ${to}` });
      return false;
    }
    if (!validated && !this.guard.allow(to, bytes.length)) {
      this.drop('amplification-limit', to, `${bytes.length} bytes held back from an unvalidated address`);
      return false;
    }
    this.counters.sent++;
    this.counters.bytesOut += bytes.length;
    this.transmits.push({ to, bytes });
    return true;
  }
}
