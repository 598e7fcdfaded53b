/**
 * The impairment relay of a real run: one UDP socket P_X on loopback per
 * scenario node X, whose address is X's public address (the only address the
 * other roles know X by). A datagram arriving at P_X from the real address
 * of role R is put through the link R → X (`fate()`, the model the simulator
 * uses) and sent on to X's real address from P_R, so X sees it come from R's
 * public address. Every role therefore talks only to public addresses, and
 * every datagram between roles crosses a link of the scenario.
 *
 * A datagram from an address the relay does not know yet is held briefly
 * (a role may send before its `listening` line has been read) and routed
 * once the address is known; after UNKNOWN_HOLD it is dropped and counted.
 */
import { createSocket, type Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { formatAddress, parseAddress } from '../../src/protocol/address.js';
import { decode, type DecodeResult } from '../../src/protocol/codec.js';
import { Rng } from '../../src/protocol/rng.js';
import { peerHost } from '../../src/runtime/driver.js';
import { fate, type LinkState, newLinkState } from '../link/impairment.js';
import type { TraceEntry } from '../scenario/types.js';
import type { LinkTable } from './links.js';
import { peekType } from '../link/peekType.js';

/** How long a datagram from an unknown address waits for its sender to be known, ms. */
export const UNKNOWN_HOLD = 2_000;
/** Datagrams held at most while their sender is unknown. */
const UNKNOWN_HELD_MAX = 2_048;
/** Socket buffers the relay asks for: it carries every stream of the run. */
const RELAY_BUFFER = 4 * 1024 * 1024;
/** Address leaks remembered as examples. */
const LEAK_EXAMPLES = 10;

/** A datagram the relay routed between two nodes (for attack accounting). */
export interface Routed {
  readonly from: string;
  readonly to: string;
  readonly bytes: Uint8Array;
  readonly decoded: DecodeResult;
}

export interface AddressLeak {
  readonly from: string;
  readonly to: string;
  readonly type: string;
  readonly field: string;
  readonly value: string;
}

export interface RelayStats {
  /** Datagrams that arrived at a public socket. */
  received: number;
  /** Copies sent on to a role (duplicates count twice). */
  forwarded: number;
  /** Datagrams from addresses that never turned out to be a role's. */
  unknownSources: number;
  /**
   * Zero-length datagrams: a client's port probe (§6.1), sent from a socket of
   * its own. Not forwarded (a role drops them, §2.6); the relay's public port
   * is open, so a probe through the relay is never refused.
   */
  probes: number;
  /** Datagrams for a node that was not running. */
  noSuchNode: number;
  /** Datagrams the links dropped (lost, burst-lost, blocked, queue-full). */
  dropped: number;
  /** What the links did, by fault name. */
  faults: Record<string, number>;
  /** Addresses in messages that are not public addresses (a role that would bypass the relay). */
  leaks: number;
  leakExamples: AddressLeak[];
  sendErrors: number;
}

export interface RelayOptions {
  readonly seed: number;
  readonly links: LinkTable;
  /** ms since the start of the run, for the trace. */
  readonly clock: () => number;
  readonly onTrace: (e: TraceEntry) => void;
  /** Every datagram routed from one node to another, before its fate. */
  readonly onRouted?: (r: Routed) => void;
}

interface Held {
  readonly at: number;
  readonly to: string;
  readonly bytes: Uint8Array;
}

/** Address fields of messages, checked to be public addresses. */
const ADDRESS_FIELDS = ['srv', 'client'] as const;
/** Messages whose `name` is a server's address. */
const NAMED_BY_ADDRESS = new Set(['register', 'register-ack', 'content', 'load', 'leave']);

export class Relay {
  readonly stats: RelayStats = { received: 0, forwarded: 0, unknownSources: 0, probes: 0, noSuchNode: 0, dropped: 0, faults: {}, leaks: 0, leakExamples: [], sendErrors: 0 };
  private readonly sockets = new Map<string, Socket>();
  private readonly publicOf = new Map<string, string>();
  private readonly nameOfPublic = new Map<string, string>();
  /** Node → its current real address; real address → node. */
  private readonly real = new Map<string, { host: string; port: number; address: string }>();
  private readonly nodeAt = new Map<string, string>();
  private readonly linkState = new Map<string, { state: LinkState; rng: Rng }>();
  private readonly held = new Map<string, Held[]>();
  private heldCount = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sweeper: NodeJS.Timeout;
  private closed = false;

  private constructor(private readonly o: RelayOptions) {
    this.sweeper = setInterval(() => this.sweep(), 250);
    this.sweeper.unref();
  }

  /** Bind a public socket for each node. */
  static async open(nodes: readonly string[], o: RelayOptions): Promise<Relay> {
    const relay = new Relay(o);
    try {
      for (const node of nodes) await relay.bind(node);
    } catch (e) {
      await relay.close();
      throw e;
    }
    return relay;
  }

  private async bind(node: string): Promise<void> {
    const socket = createSocket({ type: 'udp4' });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    for (const set of [(n: number) => socket.setRecvBufferSize(n), (n: number) => socket.setSendBufferSize(n)]) {
      try {
        set(RELAY_BUFFER);
      } catch {
        // The OS caps socket buffers: the default size will do for short runs.
      }
    }
    socket.on('error', () => {
      this.stats.sendErrors++;
    });
    const address = formatAddress('127.0.0.1', socket.address().port);
    this.sockets.set(node, socket);
    this.publicOf.set(node, address);
    this.nameOfPublic.set(address, node);
    socket.on('message', (msg: Buffer, rinfo) => this.arrive(node, formatAddress(peerHost(rinfo.address), rinfo.port), msg));
  }

  /** The public address of a node (P_node). */
  publicAddress(node: string): string {
    const a = this.publicOf.get(node);
    if (!a) throw new Error(`no public address for ${node}`);
    return a;
  }

  /** The node whose public address this is, if any. */
  nodeOfPublic(address: string): string | undefined {
    return this.nameOfPublic.get(address);
  }

  /** The node's process listens at `address` now (undefined: it is not running). */
  setReal(node: string, address: string | undefined): void {
    const old = this.real.get(node);
    if (old && this.nodeAt.get(old.address) === node) this.nodeAt.delete(old.address);
    if (address === undefined) {
      this.real.delete(node);
      return;
    }
    const ep = parseAddress(address);
    if (!ep) throw new Error(`${node}: bad address ${address}`);
    this.real.set(node, { host: ep.host, port: ep.port, address });
    this.nodeAt.set(address, node);
    const waiting = this.held.get(address);
    if (waiting) {
      this.held.delete(address);
      this.heldCount -= waiting.length;
      for (const h of waiting) this.route(node, h.to, h.bytes);
    }
  }

  /**
   * Send a forged datagram at `target` from the public socket of `spoof`, as
   * attacker `attacker` (whose link to the target applies). False when the
   * target is not running.
   */
  sendForged(attacker: string, spoof: string, target: string, bytes: Uint8Array): boolean {
    return this.forward(attacker, target, bytes, this.sockets.get(spoof));
  }

  private arrive(to: string, source: string, bytes: Buffer): void {
    if (this.closed) return;
    this.stats.received++;
    if (bytes.length === 0) {
      this.stats.probes++;
      return;
    }
    const from = this.nodeAt.get(source);
    if (from !== undefined) {
      this.route(from, to, bytes);
      return;
    }
    if (this.heldCount >= UNKNOWN_HELD_MAX) {
      this.unknown(source, to, bytes);
      return;
    }
    const list = this.held.get(source) ?? [];
    list.push({ at: this.o.clock(), to, bytes });
    this.held.set(source, list);
    this.heldCount++;
  }

  private sweep(): void {
    const t = this.o.clock();
    for (const [source, list] of this.held) {
      const expired = list.filter((h) => t - h.at >= UNKNOWN_HOLD);
      if (expired.length === 0) continue;
      const left = list.filter((h) => t - h.at < UNKNOWN_HOLD);
      if (left.length > 0) this.held.set(source, left);
      else this.held.delete(source);
      this.heldCount -= expired.length;
      for (const h of expired) this.unknown(source, h.to, h.bytes);
    }
  }

  private unknown(source: string, to: string, bytes: Uint8Array): void {
    this.stats.unknownSources++;
    this.trace(`?${source}`, to, bytes, decode(bytes), 'unknown-source');
  }

  private route(from: string, to: string, bytes: Uint8Array): void {
    this.forward(from, to, bytes, this.sockets.get(from));
  }

  /** Put a datagram from node `from` to node `to` through their link; send what survives from `socket`. */
  private forward(from: string, to: string, bytes: Uint8Array, socket: Socket | undefined): boolean {
    if (this.closed || !socket) return false;
    const decoded = decode(bytes);
    this.checkAddresses(from, to, decoded);
    this.o.onRouted?.({ from, to, bytes, decoded });
    if (!this.real.has(to)) {
      this.stats.noSuchNode++;
      this.trace(from, to, bytes, decoded, 'no-such-node');
      return false;
    }
    const link = this.link(from, to);
    // The link's own clock must only grow (a rate cap's queue is kept in it): the monotonic one, not the run's.
    const type = this.o.links.typed ? peekType(bytes) : undefined;
    const f = fate(this.o.links.link(from, to, type), link.state, link.rng, performance.now(), bytes);
    this.trace(from, to, bytes, decoded, f.fault);
    this.stats.faults[f.fault] = (this.stats.faults[f.fault] ?? 0) + 1;
    if (f.deliveries.length === 0) this.stats.dropped++;
    for (const d of f.deliveries) {
      if (d.delay < 1) {
        this.send(socket, to, d.bytes);
        continue;
      }
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.send(socket, to, d.bytes);
      }, d.delay);
      this.timers.add(timer);
    }
    return true;
  }

  private send(socket: Socket, to: string, bytes: Uint8Array): void {
    const real = this.real.get(to);
    if (this.closed || !real) return;
    this.stats.forwarded++;
    // No completion callback: node tries the send at once and only queues when the kernel buffer is full.
    socket.send(bytes, real.port, real.host);
  }

  private link(from: string, to: string): { state: LinkState; rng: Rng } {
    const key = `${from}\u0000${to}`;
    let l = this.linkState.get(key);
    if (!l) {
      // Each link draws from its own generator, so one link's traffic does not shift another's fate.
      l = { state: newLinkState(), rng: new Rng((this.o.seed ^ hash(key)) >>> 0) };
      this.linkState.set(key, l);
    }
    return l;
  }

  private trace(from: string, to: string, bytes: Uint8Array, decoded: DecodeResult, fault: string): void {
    const type = decoded.ok ? decoded.msg.type : `!${decoded.code}`;
    this.o.onTrace({ t: Math.round(this.o.clock() * 1000) / 1000, from, to, type, size: bytes.length, fault });
  }

  /** Every address a message carries must be a public one: otherwise a role would be told to go around the relay. */
  private checkAddresses(from: string, to: string, d: DecodeResult): void {
    if (!d.ok) return;
    const msg = d.msg as unknown as Record<string, unknown>;
    const check = (field: string, value: unknown) => {
      if (typeof value !== 'string' || !parseAddress(value) || this.nameOfPublic.has(value)) return;
      this.stats.leaks++;
      if (this.stats.leakExamples.length < LEAK_EXAMPLES) this.stats.leakExamples.push({ from, to, type: d.msg.type, field, value });
    };
    for (const f of ADDRESS_FIELDS) check(f, msg[f]);
    if (NAMED_BY_ADDRESS.has(d.msg.type)) check('name', msg.name);
    if (Array.isArray(msg.servers)) for (const s of msg.servers as { srv?: unknown }[]) check('servers[].srv', s?.srv);
  }

  /** Stop relaying: cancel delayed deliveries, close every socket. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweeper);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const [source, list] of this.held) for (const h of list) this.unknown(source, h.to, h.bytes);
    this.held.clear();
    await Promise.all([...this.sockets.values()].map((s) => new Promise<void>((resolve) => {
      try {
        s.close(() => resolve());
      } catch {
        resolve();
      }
    })));
  }
}

/** FNV-1a, 32 bits. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
