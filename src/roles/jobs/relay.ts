/**
 * One command of a job at one node (S5.2, §14.2–§14.4): the object as the node
 * holds it, the source it pulls from, and the targets it passes the command on
 * to. A base server runs one per job with the provider as its source; a target
 * server runs one per command it was ordered, and becomes a source as soon as
 * it holds verified blocks (pipelined).
 *
 * The plan: the targets still to approach, fastest first. A node serves at
 * most `fanout` targets at once: each round, the first free targets of its
 * plan are approached, and the rest of the plan is shared among them (target
 * k of the round takes entries k, k + n, k + 2n, … of the rest), so each
 * carries its share on and the cascade's depth grows as the logarithm of the
 * targets. A target that never answers its order is given up and its share
 * goes back into the plan.
 *
 * Pure: the node feeds it datagrams and the time, and sends what it queues.
 */
import { COOKIE_LENGTH, JOB_CHUNK, JOB_MAX_SWITCHES, JOB_PROGRESS_INTERVAL, JOB_ORDER_ATTEMPTS, JOB_ORDER_RETRY, JOB_PLAN_PART, JOB_PULL_INTERVAL, JOB_STALL, JOB_TARGET_SILENCE, MAX_JOB_TARGETS } from '../../protocol/constants.js';
import { encodedLength } from '../../protocol/codec.js';
import { equalBytes } from '../../protocol/auth.js';
import type { WireErrorCode } from '../../protocol/errors.js';
import { type Body, MESSAGES, type MessageOf } from '../../protocol/messages.js';
import type { Rng } from '../../protocol/rng.js';
import { Queue } from '../role.js';
import { soonest } from '../timers.js';
import { Holding } from './holding.js';
import { Outlet } from './outlet.js';
import { partsOf } from './parts.js';
import type { Upload } from './upload.js';

/** A target: its index in the job's target list, and its address. */
export type PlanEntry = readonly [number, string];

/** What a job's command is, as its orders say. */
export interface CommandSpec {
  readonly job: number;
  readonly cmd: number;
  /** What the command does (§14.8): only a `copy` moves an object; the others' orders cascade alone. `copy` when absent. */
  readonly op?: 'copy' | 'delete' | 'verify';
  readonly file: string;
  readonly size: number;
  readonly root: Uint8Array;
  /** The base server's address. */
  readonly base: string;
  /** The media rate the targets stream the file at, when the job gives one. */
  readonly mrate?: number;
}

/** What a relay sends: a message, to an address, and whether the address has proven it receives (§9.4). */
export interface RelaySend {
  readonly to: string;
  readonly msg: MessageOf<'job-order' | 'job-pull' | 'chunk' | 'job-note'>;
  readonly validated: boolean;
}

export type RelayEvent =
  /** `rejected`: blocks (or hash lists) that failed their hash on the way and were fetched again. */
  | { readonly type: 'object-complete'; readonly level: 'info'; readonly job: number; readonly cmd: number; readonly bytes: number; readonly ms: number; readonly from: string | undefined; readonly rejected: number }
  | { readonly type: 'job-failed-here'; readonly level: 'warn'; readonly job: number; readonly cmd: number; readonly code: WireErrorCode; readonly detail: string }
  | { readonly type: 'target-approached'; readonly level: 'debug'; readonly job: number; readonly cmd: number; readonly target: string; readonly share: number }
  | { readonly type: 'target-given-up'; readonly level: 'warn'; readonly job: number; readonly cmd: number; readonly target: string }
  | { readonly type: 'target-served'; readonly level: 'debug'; readonly job: number; readonly cmd: number; readonly target: string; readonly chunks: number; readonly resent: number }
  | { readonly type: 'source-switched'; readonly level: 'info'; readonly job: number; readonly cmd: number; readonly from: string; readonly to: string; readonly why: 'faster' | 'stalled' }
  | { readonly type: 'source-stalled'; readonly level: 'warn'; readonly job: number; readonly cmd: number; readonly from: string };

/** A target this node approaches or serves. */
interface Child {
  readonly entry: PlanEntry;
  /** Its share of the plan: what it passes on. */
  readonly share: readonly PlanEntry[];
  readonly tag: Uint8Array;
  readonly orders: MessageOf<'job-order'>[];
  readonly outlet: Outlet;
  orderedAt: number;
  readonly firstOrderedAt: number;
  attempts: number;
  pulled: boolean;
}

/** Where this node pulls from. */
interface Upstream {
  readonly from: string;
  readonly tag: Uint8Array;
  /** The rate it offered, bits per second. */
  readonly rate: number;
  /** Order parts still missing (of a source that sends a plan). */
  missing: Set<number>;
  /** It sent a chunk that fit: it is a real source. */
  proven: boolean;
  since: number;
  /** Chunks it sent that were new here. */
  chunks: number;
  pulledAt: number | undefined;
  /** Chunks received since the last pull. */
  sincePull: number;
  /** The last new chunk, or the time it became the source. */
  progressAt: number;
  stallNotedAt: number | undefined;
}

export interface RelayOptions {
  /** This node's address. */
  readonly self: string;
  /** This node's index in the job's target list; undefined at the base server. */
  readonly idx: number | undefined;
  /** The rate of each transfer this node serves, bits per second. */
  readonly rate: number;
  /** Targets served at once. */
  readonly fanout: number;
  /** Keep the whole plan here, giving each target an empty share: a star (the benchmark's baseline). */
  readonly star?: boolean;
  /** A source that sent nothing asked for this long has stalled, ms (JOB_STALL by default). */
  readonly stall?: number;
  /** The node's cap on its total job upload, shared by every transfer it serves (§14.3); none when absent. */
  readonly upload?: Upload;
}

export class Relay {
  private readonly sends = new Queue<RelaySend>();
  private readonly events = new Queue<RelayEvent>();
  private upstream: Upstream | undefined;
  private readonly children = new Map<string, Child>();
  /** Targets not yet approached, in order. */
  private plan: PlanEntry[] = [];
  /** Order parts received from the upstream, keyed by part: its plan arrives whole before the node shares it out. */
  private parts = new Map<number, readonly PlanEntry[]>();
  private partsTotal = 0;
  private failedCode: WireErrorCode | undefined;
  private startedAt: number;
  private doneAt: number | undefined;
  /** Sources this node switched from (S5.4). */
  switches = 0;
  /** When it last told the base server its progress. */
  private progressNotedAt: number | undefined;
  /** Targets this node has approached: not approached again, but for a repair the node orders itself. */
  private readonly approached = new Set<string>();

  constructor(
    readonly spec: CommandSpec,
    readonly holding: Holding,
    private readonly opts: RelayOptions,
    private readonly rng: Rng,
    now: number,
  ) {
    this.startedAt = now;
    if (holding.complete) this.doneAt = now;
  }

  /** A source that sent nothing asked for this long has stalled, ms. */
  get stall(): number {
    return this.opts.stall ?? JOB_STALL;
  }

  get complete(): boolean {
    return this.holding.complete;
  }

  get failed(): WireErrorCode | undefined {
    return this.failedCode;
  }

  /** The source this node pulls from, if any. */
  get source(): string | undefined {
    return this.upstream?.from;
  }

  /** Nothing left to do: the object is whole (or failed), no target is being served, the plan is empty. */
  get idle(): boolean {
    return (this.complete || this.failedCode !== undefined) && this.children.size === 0 && this.plan.length === 0 && this.parts.size === 0;
  }

  /** Is `addr` waiting in this node's plan, or being served by it? */
  owns(addr: string): boolean {
    return this.children.has(addr) || this.plan.some(([, a]) => a === addr);
  }

  /** Targets being served now. */
  get serving(): number {
    return this.children.size;
  }

  // ---- Receiving ------------------------------------------------------------

  /**
   * An order from a source (§14.2). The first source becomes the upstream, and each part of its
   * order adds to the plan. An offer from another source while receiving is a switch (S5.4) when
   * the current source has stalled or the new one offers a rate at least a quarter higher than the
   * current one delivers. Any other offer (to a node that holds the object whole, or one not worth
   * a switch) is taken for its plan only: the node gathers the order's parts, passes the plan on
   * from here, and answers `stop`, for it needs no chunk of that source.
   */
  onOrder(from: string, o: MessageOf<'job-order'>, now: number): void {
    const up = this.upstream;
    if (up && up.from === from && equalBytes(up.tag, o.tag)) {
      this.addPart(o, now);
      this.pull(now);
      return;
    }
    const receiving = !this.complete && this.failedCode === undefined;
    const stalled = up !== undefined && now - up.progressAt >= this.stall;
    // Bounded (S5.4): past JOB_MAX_SWITCHES, only the base server's offer moves a target.
    const mayMove = this.switches < JOB_MAX_SWITCHES || from === this.spec.base;
    if (!receiving || (up && (!mayMove || (!stalled && o.rate < this.deliveredRate(now) * 1.25)))) return this.takeOffer(from, o, now);
    if (up) {
      this.send(up.from, { type: 'job-pull', job: this.spec.job, cmd: this.spec.cmd, tag: up.tag, want: [], stop: true }, up.proven);
      // The same source's new offer (a repair by the base server) resumes from it: no switch.
      if (up.from !== from) {
        this.switches++;
        this.events.push({ type: 'source-switched', level: 'info', job: this.spec.job, cmd: this.spec.cmd, from: up.from, to: from, why: stalled ? 'stalled' : 'faster' });
      }
    }
    this.upstream = {
      from, tag: o.tag, rate: o.rate, missing: new Set(), proven: false, since: now, chunks: 0, pulledAt: undefined, sincePull: 0, progressAt: now, stallNotedAt: undefined,
    };
    this.parts = new Map();
    this.partsTotal = o.parts;
    for (let p = 0; p < o.parts; p++) this.upstream.missing.add(p);
    this.addPart(o, now);
    this.pull(now);
  }

  /** Pull from `from`, which sent no order (the base server's provider, §14.1): `tag` is the provider's. */
  pullFrom(from: string, tag: Uint8Array, rate: number, now: number): void {
    if (this.complete) return;
    this.upstream = {
      from, tag, rate, missing: new Set(), proven: false, since: now, chunks: 0, pulledAt: undefined, sincePull: 0, progressAt: now, stallNotedAt: undefined,
    };
    this.pull(now);
  }

  /** The rate the upstream has delivered since it became the source, bits per second. */
  private deliveredRate(now: number): number {
    const up = this.upstream;
    if (!up) return 0;
    return (up.chunks * JOB_CHUNK * 8 * 1000) / Math.max(1, now - up.since);
  }

  private addPart(o: MessageOf<'job-order'>, now: number): void {
    const up = this.upstream!;
    if (!up.missing.has(o.part)) return;
    up.missing.delete(o.part);
    this.parts.set(o.part, o.plan);
    if (up.missing.size === 0) {
      for (let p = 0; p < this.partsTotal; p++) this.plan.push(...(this.parts.get(p) ?? []));
      this.parts.clear();
      this.approach(now);
    }
  }

  /** Offers taken for their plan only, by source and cookie: their parts as they arrive, then done. */
  private readonly offers = new Map<string, { parts: Map<number, readonly PlanEntry[]>; total: number; done: boolean }>();

  private takeOffer(from: string, o: MessageOf<'job-order'>, now: number): void {
    const key = `${from}|${o.tag.join('.')}`;
    let offer = this.offers.get(key);
    if (!offer) this.offers.set(key, (offer = { parts: new Map(), total: o.parts, done: false }));
    if (!offer.done) offer.parts.set(o.part, o.plan);
    const missing: number[] = [];
    for (let p = 0; p < offer.total && missing.length < 16; p++) if (!offer.parts.has(p)) missing.push(p);
    if (!offer.done && missing.length > 0) {
      this.send(from, { type: 'job-pull', job: o.job, cmd: o.cmd, tag: o.tag, want: [], parts: missing }, true);
      return;
    }
    this.send(from, { type: 'job-pull', job: o.job, cmd: o.cmd, tag: o.tag, want: [], stop: true }, true);
    if (offer.done) return;
    offer.done = true;
    for (let p = 0; p < offer.total; p++) this.plan.push(...(offer.parts.get(p) ?? []));
    offer.parts.clear();
    this.approach(now);
  }

  /**
   * Plan entries from the node itself: the base server's targets, or a repair (`again`: approach
   * targets this node approached before, unless it serves them now).
   */
  addPlan(entries: readonly PlanEntry[], now: number, again = false): void {
    for (const e of entries) {
      if (again && !this.children.has(e[1])) this.approached.delete(e[1]);
      this.plan.push(e);
    }
    this.approach(now);
  }

  /** A chunk from `from`: kept only from the upstream. Returns false when it was not taken. */
  onChunk(from: string, c: MessageOf<'chunk'>, now: number): boolean {
    const up = this.upstream;
    if (!up || up.from !== from) return false;
    // A late copy, once the object is whole (or has failed here): taken, and nothing to do.
    if (this.failedCode !== undefined || this.complete) return true;
    let outcome;
    try {
      outcome = this.holding.receive(c.i, c.d);
    } catch (error) {
      this.fail('write-error', `the file could not be written: ${error instanceof Error ? error.message : String(error)}`);
      return true;
    }
    if (outcome !== 'new') return outcome === 'duplicate';
    up.proven = true;
    up.chunks++;
    up.sincePull++;
    up.progressAt = now;
    up.stallNotedAt = undefined;
    if (this.holding.complete) {
      this.doneAt = now;
      this.send(up.from, { type: 'job-pull', job: this.spec.job, cmd: this.spec.cmd, tag: up.tag, want: [], stop: true }, true);
      this.events.push({ type: 'object-complete', level: 'info', job: this.spec.job, cmd: this.spec.cmd, bytes: this.spec.size, ms: now - this.startedAt, from: up.from, rejected: this.holding.corrupt });
    } else if (up.sincePull >= Holding.window(up.rate) / 4) this.pull(now);
    this.pumpAll(now);
    return true;
  }

  /** Ask the upstream for what is missing within the window, and for order parts not yet here. */
  private pull(now: number): void {
    const up = this.upstream;
    if (!up || this.complete || this.failedCode !== undefined) return;
    const missing = [...up.missing].slice(0, 16);
    this.send(up.from, {
      type: 'job-pull', job: this.spec.job, cmd: this.spec.cmd, tag: up.tag, want: this.holding.wants(Holding.window(up.rate)),
      ...(missing.length > 0 ? { parts: missing } : {}),
    }, up.proven);
    up.pulledAt = now;
    up.sincePull = 0;
  }

  /** The rate this node received at, bits per second, once complete. */
  receivedRate(): number | undefined {
    if (this.doneAt === undefined || !this.upstream) return undefined;
    return Math.round((this.spec.size * 8 * 1000) / Math.max(1, this.doneAt - this.upstream.since));
  }

  /** The command failed here: stop pulling; the node reports it. */
  fail(code: WireErrorCode, detail: string): void {
    if (this.failedCode !== undefined) return;
    this.failedCode = code;
    const up = this.upstream;
    if (up) this.send(up.from, { type: 'job-pull', job: this.spec.job, cmd: this.spec.cmd, tag: up.tag, want: [], stop: true }, up.proven);
    this.events.push({ type: 'job-failed-here', level: 'warn', job: this.spec.job, cmd: this.spec.cmd, code, detail });
  }

  // ---- Serving -------------------------------------------------------------

  /** Approach the first free targets of the plan, sharing the rest of it among them. */
  private approach(now: number): void {
    if (this.failedCode !== undefined) return;
    const free = this.opts.fanout - this.children.size;
    const candidates = this.plan.filter(([, a]) => !this.approached.has(a) && a !== this.opts.self);
    this.plan = [];
    if (free <= 0 || candidates.length === 0) {
      this.plan = candidates;
      return;
    }
    const n = Math.min(free, candidates.length);
    const heads = candidates.slice(0, n);
    const rest = candidates.slice(n);
    if (this.opts.star) {
      for (const entry of heads) this.open(entry, [], now);
      this.plan = rest;
      return;
    }
    heads.forEach((entry, k) => {
      const share = rest.filter((_, j) => j % n === k);
      this.open(entry, share, now);
    });
  }

  /**
   * Ask `entry`, which holds the object, to serve `share` (the base server pairs a faster source
   * with a slow target, S5.4): an order whose plan it takes, and answers `stop`.
   */
  delegate(entry: PlanEntry, share: readonly PlanEntry[], now: number): void {
    if (this.children.has(entry[1])) return;
    this.open(entry, share, now);
  }

  private open(entry: PlanEntry, share: readonly PlanEntry[], now: number): void {
    const [idx, to] = entry;
    const tag = this.rng.bytes(COOKIE_LENGTH);
    // A node that caps its upload offers what it can give one more transfer (§14.3): a busy source does not claim its full rate.
    const rate = this.opts.upload ? Math.max(1, Math.min(this.opts.rate, this.opts.upload.offer())) : this.opts.rate;
    const empty: MessageOf<'job-order'> = {
      type: 'job-order', job: this.spec.job, cmd: this.spec.cmd, op: this.spec.op ?? 'copy', file: this.spec.file, size: this.spec.size, root: this.spec.root, base: this.spec.base,
      idx, tag, rate, plan: [], part: MAX_JOB_TARGETS, parts: MAX_JOB_TARGETS,
      ...(this.spec.mrate !== undefined ? { mrate: this.spec.mrate } : {}),
    };
    // The widest a part can be: its counters at their largest, and the MAC and its clock (§9.2).
    const emptySize = encodedLength({ ...empty, at: Number.MAX_SAFE_INTEGER }, true);
    const slices = partsOf(share as [number, string][], MESSAGES['job-order'].fields.plan.of!, emptySize, JOB_PLAN_PART);
    const orders = slices.map((plan, part) => ({ ...empty, plan, part, parts: slices.length }));
    const child: Child = { entry, share, tag, orders, outlet: new Outlet(to, this.opts.rate, this.opts.upload), orderedAt: now, firstOrderedAt: now, attempts: 1, pulled: false };
    this.children.set(to, child);
    this.approached.add(to);
    for (const o of orders) this.send(to, o, true);
    this.events.push({ type: 'target-approached', level: 'debug', job: this.spec.job, cmd: this.spec.cmd, target: to, share: share.length });
  }

  /** A pull from a target this node approached: its tag must match. Returns false when it was not taken. */
  onPull(from: string, p: MessageOf<'job-pull'>, now: number): boolean {
    const c = this.children.get(from);
    if (!c || !equalBytes(c.tag, p.tag)) return false;
    if (p.stop) {
      // It holds the object, turned to another source, or needs nothing of this one: either way it took its order's plan.
      this.drop(c);
      this.events.push({ type: 'target-served', level: 'debug', job: this.spec.job, cmd: this.spec.cmd, target: from, chunks: c.outlet.sent, resent: c.outlet.resent });
      this.approach(now);
      return true;
    }
    // Its first answer: a round trip from the first order (longer, if that order was lost: the safe side), before any chunk is sent.
    if (!c.pulled) c.outlet.rttSample(now - c.firstOrderedAt);
    c.pulled = true;
    for (const part of p.parts ?? []) {
      const o = c.orders[part];
      if (o) this.send(from, o, true);
    }
    c.outlet.pulled(p.want, now);
    this.pumpOne(c, now);
    return true;
  }

  /** A target served no more: its place, and its share of the node's upload, are free. */
  private drop(c: Child): void {
    this.children.delete(c.outlet.to);
    c.outlet.close();
  }

  private pumpOne(c: Child, now: number): void {
    c.outlet.pump(this.holding, now, (i) => {
      let d: Uint8Array;
      try {
        d = this.holding.chunk(i);
      } catch (error) {
        this.fail('media-error', `the file could not be read: ${error instanceof Error ? error.message : String(error)}`);
        return;
      }
      this.send(c.outlet.to, { type: 'chunk', job: this.spec.job, cmd: this.spec.cmd, i, d }, true);
    });
  }

  private pumpAll(now: number): void {
    for (const c of this.children.values()) if (c.pulled) this.pumpOne(c, now);
  }

  // ---- Time ------------------------------------------------------------------

  nextTimeout(now: number): number | undefined {
    let send: number | undefined;
    let order: number | undefined;
    let silence: number | undefined;
    for (const c of this.children.values()) {
      if (!c.pulled) order = Math.min(order ?? Number.POSITIVE_INFINITY, c.orderedAt + JOB_ORDER_RETRY);
      else {
        const s = c.outlet.nextSend(this.holding, now);
        if (s !== undefined) send = Math.min(send ?? Number.POSITIVE_INFINITY, s);
        silence = Math.min(silence ?? Number.POSITIVE_INFINITY, (c.outlet.lastPullAt ?? now) + JOB_TARGET_SILENCE);
      }
    }
    const up = this.upstream;
    const receiving = up && !this.complete && this.failedCode === undefined;
    return soonest({
      send,
      order,
      silence,
      progress: receiving && this.opts.idx !== undefined ? (this.progressNotedAt ?? up.since) + JOB_PROGRESS_INTERVAL : undefined,
      pull: receiving ? (up.pulledAt ?? now) + JOB_PULL_INTERVAL : undefined,
      stall: receiving ? Math.max(up.progressAt, up.stallNotedAt ?? 0) + this.stall : undefined,
    });
  }

  handleTimeout(now: number): void {
    for (const c of [...this.children.values()]) {
      if (!c.pulled && now >= c.orderedAt + JOB_ORDER_RETRY) {
        if (c.attempts >= JOB_ORDER_ATTEMPTS) {
          this.drop(c);
          this.events.push({ type: 'target-given-up', level: 'warn', job: this.spec.job, cmd: this.spec.cmd, target: c.outlet.to });
          this.note(c.entry[0], 'failed', { code: 'target-unreachable' });
          this.plan.push(...c.share);
          continue;
        }
        c.attempts++;
        c.orderedAt = now;
        for (const o of c.orders) this.send(c.outlet.to, o, true);
      } else if (c.pulled && now >= (c.outlet.lastPullAt ?? now) + JOB_TARGET_SILENCE) {
        // It pulled, then went quiet: it carries its share; the base server's queries find it.
        this.drop(c);
      }
    }
    this.approach(now);
    this.pumpAll(now);
    const up = this.upstream;
    if (up && !this.complete && this.failedCode === undefined) {
      if (now >= (up.pulledAt ?? now) + JOB_PULL_INTERVAL) this.pull(now);
      if (this.opts.idx !== undefined && now >= (this.progressNotedAt ?? up.since) + JOB_PROGRESS_INTERVAL) {
        this.progressNotedAt = now;
        // What its source delivers: the base server pairs a slow one with a faster source (S5.4).
        this.note(this.opts.idx, 'progress', { up: Math.round(this.deliveredRate(now)) });
      }
      if (now >= Math.max(up.progressAt, up.stallNotedAt ?? 0) + this.stall) {
        up.stallNotedAt = now;
        this.events.push({ type: 'source-stalled', level: 'warn', job: this.spec.job, cmd: this.spec.cmd, from: up.from });
        if (this.opts.idx !== undefined) this.note(this.opts.idx, 'stalled');
      }
    }
  }

  // ---- Notes to the base server ------------------------------------------------

  /** Tell the base server the state of the command at target `idx` (§14.4). */
  note(idx: number, st: MessageOf<'job-note'>['st'], extra: Partial<Body<'job-note'>> = {}): void {
    this.send(this.spec.base, {
      type: 'job-note', job: this.spec.job, cmd: this.spec.cmd, idx, st, got: this.holding.got,
      ...(this.upstream ? { src: this.upstream.from } : {}), ...extra,
    }, true);
  }

  /** This node's own state, as a note says it. */
  state(): MessageOf<'job-note'>['st'] {
    if (this.failedCode !== undefined) return 'failed';
    if (this.complete) return 'completed';
    return this.holding.got > 0 ? 'progress' : 'received';
  }

  private send(to: string, msg: RelaySend['msg'], validated: boolean): void {
    this.sends.push({ to, msg, validated });
  }

  pollSend(): RelaySend | undefined {
    return this.sends.take();
  }

  pollEvent(): RelayEvent | undefined {
    return this.events.take();
  }
}
