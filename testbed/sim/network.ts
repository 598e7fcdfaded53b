/**
 * A deterministic simulated network with a virtual clock. Role cores run on it
 * unchanged: each datagram is delivered at a virtual time decided by the link's
 * profile (delay, jitter, loss, duplication, reordering) and a seeded
 * generator, so a run is reproducible from its seed.
 *
 * Links come either from simple profiles (setLink, defaultLink), or, when a
 * `model` is set (the testbed's scenarios), from the shared impairment model
 * (testbed/link/impairment.ts: burst loss, rate caps, corruption, blocking)
 * with per-link state. Nodes can be killed (gone, state lost), paused (timers
 * stop, datagrams wait in a bounded receive buffer until resumed) and
 * restarted (a fresh core added at the same address).
 */
import { decode } from '../../src/protocol/codec.js';
import { Rng } from '../../src/protocol/rng.js';
import type { Input, Role, RoleEvent, StreamBytes } from '../../src/roles/role.js';
import { fate, type LinkState } from '../link/impairment.js';
import { peekType } from '../link/peekType.js';
import type { LinkSpec } from '../scenario/types.js';
import { EventHeap } from './heap.js';

/** The sim's clock starts at a plausible wall-clock time, so timestamps look as they do on real runs. */
export const SIM_EPOCH = 1_700_000_000_000;

export interface LinkProfile {
  /** Probability a datagram is lost. */
  readonly loss: number;
  /** One-way delay, ms. */
  readonly delay: number;
  /** Extra delay, uniformly 0..jitter ms. */
  readonly jitter: number;
  /** Probability a datagram is delivered twice. */
  readonly duplicate: number;
  /** Probability a datagram is held back (by 1–3 × delay) and so overtaken. */
  readonly reorder: number;
}

export const PERFECT_LINK: LinkProfile = { loss: 0, delay: 1, jitter: 0, duplicate: 0, reorder: 0 };

export interface TraceRecord {
  readonly t: number;
  readonly from: string;
  readonly to: string;
  readonly size: number;
  readonly type: string;
  /** What the link did: `delivered`, `lost`, `duplicated`, `no-such-node`; with a model also `burst-lost`, `blocked`, `queue-full`, `corrupted`, `reordered`. */
  readonly fate: string;
}

/** The links of a network that uses the shared impairment model: the link from one address to another, and its state. */
export interface LinkModel {
  /** `bytes`: the datagram, for a model whose links differ by message type. */
  link(from: string, to: string, bytes: Uint8Array): { readonly spec: LinkSpec; readonly state: LinkState };
}

/** What a paused node's receive buffer holds before it drops (Linux's default socket buffer). */
export const PAUSED_BUFFER_BYTES = 212_992;

interface Delivery {
  readonly at: number;
  readonly seq: number;
  readonly kind: 'deliver';
  readonly from: string;
  readonly to: string;
  readonly bytes: Uint8Array;
}

interface Wake {
  readonly at: number;
  readonly seq: number;
  readonly kind: 'timer';
  readonly node: AnySimNode;
}

interface Call {
  readonly at: number;
  readonly seq: number;
  readonly kind: 'call';
  readonly fn: () => void;
}

type SimItem = Delivery | Wake | Call;

/** A node of any role, as the network keeps them side by side. */
export type AnySimNode = SimNode<unknown, RoleEvent>;

export class SimNode<C = unknown, E extends RoleEvent = RoleEvent> {
  timerAt: number | undefined;
  alive = true;
  /** Paused: its timers stop, and datagrams wait in `held` (bounded) until it resumes. */
  paused = false;
  held: { from: string; bytes: Uint8Array }[] = [];
  heldBytes = 0;
  constructor(
    readonly addr: string,
    readonly role: Role<C, E>,
    readonly onEvent: (e: E, node: SimNode<C, E>) => void,
    readonly onData?: (d: StreamBytes, node: SimNode<C, E>) => void,
    /** A record a core keeps on disk (a base server's journal, §14.10), before what it sends. */
    readonly onJournal?: (r: unknown, node: SimNode<C, E>) => void,
  ) {}
}

export class SimNetwork {
  now = SIM_EPOCH;
  readonly rng: Rng;
  private readonly queue = new EventHeap<SimItem>();
  private seq = 0;
  readonly nodes = new Map<string, AnySimNode>();
  private readonly links = new Map<string, LinkProfile>();
  defaultLink: LinkProfile;
  /** Every datagram, when set. */
  onTrace: ((r: TraceRecord) => void) | undefined;
  /** The links, by the shared impairment model; undefined: the profiles of setLink and defaultLink. */
  model: LinkModel | undefined;
  /** When set, the datagrams for which it says true are lost on their way (a test that cuts one kind of message only). */
  lose: ((from: string, to: string, bytes: Uint8Array) => boolean) | undefined;
  /**
   * When set, an exception thrown by a core is a crash of that node (it is
   * taken off the network and reported here) rather than of the simulation.
   */
  onCrash: ((node: AnySimNode, error: unknown) => void) | undefined;
  events = 0;
  readonly stats = { datagrams: 0, undeliverable: 0, held: 0, heldDropped: 0 };

  constructor(seed: number, defaultLink: LinkProfile = PERFECT_LINK) {
    this.rng = new Rng(seed);
    this.defaultLink = defaultLink;
  }

  /** Put a role on the network at `addr`; `onEvent` gets the role's own events. */
  add<C, E extends RoleEvent = RoleEvent>(
    addr: string,
    role: Role<C, E>,
    onEvent: (e: E, node: SimNode<C, E>) => void = () => {},
    onData?: (d: StreamBytes, node: SimNode<C, E>) => void,
    onJournal?: (r: unknown, node: SimNode<C, E>) => void,
  ): SimNode<C, E> {
    const node = new SimNode<C, E>(addr, role, onEvent, onData, onJournal);
    // Kept beside nodes of other roles: only this node's own drain hands it events, of its own type.
    const kept = node as unknown as AnySimNode;
    this.nodes.set(addr, kept);
    this.guarded(kept, () => this.drain(node));
    return node;
  }

  /** Take a node off the network (a crash: it sends nothing more, datagrams to it are lost). */
  remove(addr: string): void {
    const node = this.nodes.get(addr);
    if (node) node.alive = false;
    this.nodes.delete(addr);
  }

  /** Pause a node (SIGSTOP): its timers stop and datagrams to it wait, up to PAUSED_BUFFER_BYTES. */
  pause(addr: string): void {
    const node = this.nodes.get(addr);
    if (node) node.paused = true;
  }

  /** Resume a paused node: what waited is delivered now, in order, and its timer runs again. */
  resume(addr: string): void {
    const node = this.nodes.get(addr);
    if (!node || !node.paused) return;
    node.paused = false;
    // A deadline that passed while paused was skipped: forget it, so the next drain arms it again.
    if (node.timerAt !== undefined && node.timerAt <= this.now) node.timerAt = undefined;
    const held = node.held;
    node.held = [];
    node.heldBytes = 0;
    for (const h of held) {
      if (!node.alive) return;
      this.input(node, { kind: 'datagram', from: h.from, bytes: h.bytes });
    }
    if (node.alive) this.guarded(node, () => this.drain(node));
  }

  /**
   * Send a datagram as if `from` had sent it, over the link that starts at
   * `linkFrom` (an attacker's forged datagrams: its own link, another's address).
   */
  sendAs(linkFrom: string, from: string, to: string, bytes: Uint8Array): void {
    if (this.model) this.transmitModel(linkFrom, from, to, bytes);
    else this.transmit(from, to, bytes);
  }

  /** Set the profile of the link from `a` to `b` (one direction). */
  setLink(from: string, to: string, profile: LinkProfile): void {
    this.links.set(`${from}>${to}`, profile);
  }

  /** Give a node a command now. */
  command<C>(addr: string, command: C): void {
    const node = this.nodes.get(addr) as SimNode<C, RoleEvent> | undefined;
    if (!node) return;
    this.input(node, { kind: 'command', command });
  }

  /**
   * Deliver a datagram to a node now, from any source address, a forged one
   * included (an attacker on the path). False when there is no such node.
   */
  inject(to: string, from: string, bytes: Uint8Array): boolean {
    const node = this.nodes.get(to);
    if (!node) return false;
    this.input(node, { kind: 'datagram', from, bytes });
    return true;
  }

  /** Run `fn` at virtual time `at`. */
  at(at: number, fn: () => void): void {
    this.queue.push({ at, seq: this.seq++, kind: 'call', fn });
  }

  /** Advance the clock, processing everything due, until `until` or `done()` or `maxEvents`. */
  run(opts: { until: number; done?: () => boolean; maxEvents?: number }): void {
    const max = opts.maxEvents ?? 50_000_000;
    let n = 0;
    while (n < max) {
      if (opts.done?.()) return;
      const item = this.queue.peek();
      if (!item || item.at > opts.until) break;
      this.queue.pop();
      this.now = Math.max(this.now, item.at);
      n++;
      this.events++;
      switch (item.kind) {
        case 'deliver': {
          const node = this.nodes.get(item.to);
          if (!node) {
            this.stats.undeliverable++;
            break;
          }
          if (node.paused) {
            this.hold(node, item.from, item.bytes);
            break;
          }
          this.input(node, { kind: 'datagram', from: item.from, bytes: item.bytes });
          break;
        }
        case 'timer':
          if (!item.node.alive || item.node.timerAt !== item.at) break; // superseded
          if (item.node.paused) break; // resume arms it again
          item.node.timerAt = undefined;
          this.input(item.node, { kind: 'timer' });
          break;
        case 'call':
          item.fn();
          break;
      }
    }
    if (!opts.done?.()) this.now = Math.max(this.now, Math.min(opts.until, this.queue.peek()?.at ?? opts.until));
  }

  private input<C>(node: SimNode<C, RoleEvent>, input: Input<C>): void {
    if (this.onCrash) {
      this.guarded(node, () => {
        node.role.handle(input, this.now);
        this.drain(node);
      });
      return;
    }
    node.role.handle(input, this.now);
    this.drain(node);
  }

  /** Run `fn` for a node; with onCrash set, an exception takes the node off the network. */
  private guarded(node: AnySimNode, fn: () => void): void {
    if (!this.onCrash) return fn();
    try {
      fn();
    } catch (e) {
      node.alive = false;
      if (this.nodes.get(node.addr) === node) this.nodes.delete(node.addr);
      this.onCrash(node, e);
    }
  }

  private hold(node: AnySimNode, from: string, bytes: Uint8Array): void {
    if (node.heldBytes + bytes.length > PAUSED_BUFFER_BYTES) {
      this.stats.heldDropped++;
      return;
    }
    this.stats.held++;
    node.held.push({ from, bytes });
    node.heldBytes += bytes.length;
  }

  private drain<C, E extends RoleEvent>(node: SimNode<C, E>): void {
    const role = node.role;
    for (let r = role.pollJournal?.(); r; r = role.pollJournal?.()) node.onJournal?.(r, node);
    for (let t = role.pollTransmit(); t; t = role.pollTransmit()) this.transmit(node.addr, t.to, t.bytes);
    // The copy's bytes first: an event such as `complete` finds them all handed on.
    for (let d = role.pollData?.(); d; d = role.pollData?.()) node.onData?.(d, node);
    for (let e = role.pollEvent(); e; e = role.pollEvent()) node.onEvent(e, node);
    const at = role.pollTimeout();
    if (at !== undefined && node.timerAt !== at) {
      node.timerAt = Math.max(at, this.now);
      this.queue.push({ at: node.timerAt, seq: this.seq++, kind: 'timer', node: node as unknown as AnySimNode });
    } else if (at === undefined) {
      node.timerAt = undefined;
    }
  }

  /** A datagram over the shared impairment model: its link's fate decides what arrives, when. */
  private transmitModel(linkFrom: string, from: string, to: string, bytes: Uint8Array): void {
    this.stats.datagrams++;
    let fault: string;
    if (!this.nodes.has(to)) {
      fault = 'no-such-node';
    } else {
      const link = this.model!.link(linkFrom, to, bytes);
      const f = fate(link.spec, link.state, this.rng, this.now, bytes);
      fault = f.fault;
      for (const d of f.deliveries) this.queue.push({ at: this.now + d.delay, seq: this.seq++, kind: 'deliver', from, to, bytes: d.bytes });
    }
    if (this.onTrace) this.onTrace({ t: this.now, from, to, size: bytes.length, type: peekType(bytes), fate: fault });
  }

  private transmit(from: string, to: string, bytes: Uint8Array): void {
    if (this.model) return this.transmitModel(from, from, to, bytes);
    const link = this.links.get(`${from}>${to}`) ?? this.defaultLink;
    const rng = this.rng;
    const trace = (fate: TraceRecord['fate']) => {
      if (!this.onTrace) return;
      const d = decode(bytes);
      this.onTrace({ t: this.now, from, to, size: bytes.length, type: d.ok ? d.msg.type : `!${d.code}`, fate });
    };
    if (!this.nodes.has(to)) return trace('no-such-node');
    if (this.lose?.(from, to, bytes)) return trace('lost');
    if (link.loss > 0 && rng.float() < link.loss) return trace('lost');
    const copies = link.duplicate > 0 && rng.float() < link.duplicate ? 2 : 1;
    trace(copies === 2 ? 'duplicated' : 'delivered');
    for (let i = 0; i < copies; i++) {
      let delay = link.delay + (link.jitter > 0 ? rng.float() * link.jitter : 0);
      if (link.reorder > 0 && rng.float() < link.reorder) delay += link.delay * (1 + rng.float() * 2);
      this.queue.push({ at: this.now + delay, seq: this.seq++, kind: 'deliver', from, to, bytes });
    }
  }
}
