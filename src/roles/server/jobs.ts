/**
 * A media server's part in distribution jobs (S5.2–S5.5, §14.2–§14.5): one
 * relay per command it was ordered. It receives the object into a temporary
 * file of its media directory, passes it on to its share of the plan as the
 * blocks are verified, answers the base server's queries, and, once the object
 * is whole, hands the file to the server to put into service.
 *
 * Pure: the server feeds it the job messages and the time, and sends what it queues.
 */
import { JOB_DEFAULT_RATE, JOB_FANOUT, JOB_PROGRESS_INTERVAL, JOB_VERIFY_STEP } from '../../protocol/constants.js';
import type { Crypto } from '../../protocol/auth.js';
import type { WireErrorCode } from '../../protocol/errors.js';
import { flowNameProblem } from '../../protocol/flowNames.js';
import type { MessageOf } from '../../protocol/messages.js';
import type { Rng } from '../../protocol/rng.js';
import { Queue, type TableSize } from '../role.js';
import { soonest } from '../timers.js';
import { Holding, type JobFiles } from '../jobs/holding.js';
import { Relay, type RelayEvent, type RelaySend } from '../jobs/relay.js';
import { Upload } from '../jobs/upload.js';
import { Verification } from '../jobs/verification.js';

/** Commands a server holds at once; idle ones (whole or failed, serving no one) are forgotten first. */
export const MAX_SERVER_JOBS = 64;

export interface JobAgentOptions {
  /** The rate of each transfer this server serves, bits per second. */
  readonly rate?: number;
  readonly fanout?: number;
  /** A source that sent nothing asked for this long has stalled, ms (JOB_STALL by default): the base server hears of it. */
  readonly stall?: number;
  /**
   * The cap on this server's job upload, over every transfer of every command it serves, bits per
   * second (§14.3): the rate times the fanout by default, what one command's transfers send at most.
   */
  readonly upload?: number;
}

/** A job's file, whole and verified at this server: the server puts it into service and says so. */
export interface ReadyFile {
  readonly job: number;
  readonly cmd: number;
  readonly key: string;
  readonly file: string;
  readonly size: number;
  /** The media rate the job gives it, if any. */
  readonly mrate?: number;
}

/** A `delete` or `verify` a job ordered here (§14.8): a delete the server carries out once it may; a verify this agent runs in steps. */
export interface JobTask {
  readonly job: number;
  readonly cmd: number;
  readonly op: 'delete' | 'verify';
  readonly file: string;
  readonly size: number;
  readonly root: Uint8Array;
}

interface Held {
  readonly relay: Relay;
  readonly idx: number;
  readonly key: string;
  committed: boolean;
  /** A `delete` or `verify`: pending until it has been carried out, then its outcome. */
  task?: { readonly spec: JobTask; done: boolean; code?: WireErrorCode; verify?: Verification; notedAt?: number };
}

export type JobAgentEvent =
  | RelayEvent
  | { readonly type: 'job-ordered'; readonly level: 'info'; readonly job: number; readonly cmd: number; readonly file: string; readonly bytes: number; readonly from: string; readonly plan: number }
  | { readonly type: 'job-refused'; readonly level: 'warn'; readonly job: number; readonly file: string; readonly why: string }
  | { readonly type: 'job-file-verified'; readonly level: 'info' | 'warn'; readonly job: number; readonly cmd: number; readonly file: string; readonly bytes: number; readonly code?: WireErrorCode };

export class JobAgent {
  private readonly relays = new Map<string, Held>();
  private readonly tasks = new Queue<JobTask>();
  private readonly sends = new Queue<RelaySend>();
  private readonly events = new Queue<JobAgentEvent>();
  private readonly ready = new Queue<ReadyFile>();
  /** `verify`s under way, in the order they came: the first hashes a step at each wake-up. */
  private verifying: Held[] = [];
  /** The server's job upload, shared by every transfer it serves (§14.3). */
  readonly upload: Upload;

  constructor(
    private readonly self: string,
    private readonly files: JobFiles,
    private readonly rng: Rng,
    private readonly crypto: Crypto,
    private readonly opts: JobAgentOptions = {},
  ) {
    this.upload = new Upload(opts.upload ?? (opts.rate ?? JOB_DEFAULT_RATE) * (opts.fanout ?? JOB_FANOUT));
  }

  tables(): Record<string, TableSize> {
    return { jobs: { size: this.relays.size, limit: MAX_SERVER_JOBS } };
  }

  /** Commands held, read only. */
  commands(): { job: number; cmd: number; op: string; state: string; got: number; corrupt: number; duplicates: number; switches: number; source: string | undefined; serving: number; code?: string }[] {
    return [...this.relays.values()].map((h) => {
      const { relay } = h;
      const st = this.stateOf(h);
      return { job: relay.spec.job, cmd: relay.spec.cmd, op: relay.spec.op ?? 'copy', state: st.st, got: h.task?.verify?.hashed ?? relay.holding.got, corrupt: relay.holding.corrupt, duplicates: relay.holding.duplicates, switches: relay.switches, source: relay.source, serving: relay.serving, ...(st.code ? { code: st.code } : {}) };
    });
  }

  /** How a command stands here, as a note says it. */
  private stateOf(h: Held): { st: MessageOf<'job-note'>['st']; code?: WireErrorCode } {
    if (h.task) return !h.task.done ? { st: (h.task.verify?.hashed ?? 0) > 0 ? 'progress' : 'received' } : h.task.code ? { st: 'failed', code: h.task.code } : { st: 'completed' };
    const st = h.relay.state();
    return st === 'failed' ? { st, ...(h.relay.failed ? { code: h.relay.failed } : {}) } : { st };
  }

  onOrder(from: string, o: MessageOf<'job-order'>, now: number): void {
    const id = `${o.job}/${o.cmd}`;
    let r = this.relays.get(id);
    if (!r) {
      const why = flowNameProblem(o.file);
      if (why) {
        this.events.push({ type: 'job-refused', level: 'warn', job: o.job, file: o.file, why: `the file name ${why}` });
        return;
      }
      if (!this.makeRoom()) {
        this.events.push({ type: 'job-refused', level: 'warn', job: o.job, file: o.file, why: `${MAX_SERVER_JOBS} commands under way here` });
        return;
      }
      const key = `job-${o.job}-${o.cmd}`;
      if (o.op !== 'copy') return this.onTaskOrder(from, o, key, now);
      const holding = new Holding(o.size, o.root, key, this.files, this.crypto);
      const relay = new Relay({ job: o.job, cmd: o.cmd, file: o.file, size: o.size, root: o.root, base: o.base, ...(o.mrate !== undefined ? { mrate: o.mrate } : {}) }, holding, { self: this.self, idx: o.idx, rate: this.opts.rate ?? JOB_DEFAULT_RATE, fanout: this.opts.fanout ?? JOB_FANOUT, upload: this.upload, ...(this.opts.stall !== undefined ? { stall: this.opts.stall } : {}) }, this.rng.fork(), now);
      r = { relay, idx: o.idx, key, committed: false };
      try {
        this.files.create(key, o.size);
      } catch (error) {
        this.relays.set(id, r);
        relay.fail('write-error', `the file could not be made: ${error instanceof Error ? error.message : String(error)}`);
        return this.drain(r);
      }
      this.relays.set(id, r);
      this.events.push({ type: 'job-ordered', level: 'info', job: o.job, cmd: o.cmd, file: o.file, bytes: o.size, from, plan: o.plan.length });
      relay.onOrder(from, o, now);
      relay.note(o.idx, 'received', { upr: Math.round(this.upload.rate) });
      return this.drain(r);
    }
    r.relay.onOrder(from, o, now);
    this.drain(r);
  }

  /**
   * A `delete` or `verify` (§14.8): no object to receive (its relay holds an empty one, whole at
   * once), so its order is passed on to the plan at once, and the command is handed to the server.
   */
  private onTaskOrder(from: string, o: MessageOf<'job-order'>, key: string, now: number): void {
    const op = o.op as JobTask['op'];
    const holding = new Holding(0, this.crypto.sha256(new Uint8Array(0)), key, this.files, this.crypto);
    const relay = new Relay({ job: o.job, cmd: o.cmd, op, file: o.file, size: o.size, root: o.root, base: o.base }, holding, { self: this.self, idx: o.idx, rate: this.opts.rate ?? JOB_DEFAULT_RATE, fanout: this.opts.fanout ?? JOB_FANOUT }, this.rng.fork(), now);
    const spec: JobTask = { job: o.job, cmd: o.cmd, op, file: o.file, size: o.size, root: o.root };
    const h: Held = { relay, idx: o.idx, key, committed: false, task: { spec, done: false } };
    this.relays.set(`${o.job}/${o.cmd}`, h);
    this.events.push({ type: 'job-ordered', level: 'info', job: o.job, cmd: o.cmd, file: o.file, bytes: 0, from, plan: o.plan.length });
    relay.onOrder(from, o, now);
    relay.note(o.idx, 'received');
    if (op === 'verify') this.startVerify(h, now);
    else this.tasks.push(spec);
    this.drain(h);
  }

  /**
   * A `verify` (§14.8): the file in service under the name, hashed block by block against the
   * root of the job's copy of it, JOB_VERIFY_STEP at each wake-up. Its outcome: none (it matches),
   * `not-found`, `corrupt` (another size, or another root), or `media-error` (it cannot be read).
   */
  private startVerify(h: Held, now: number): void {
    const t = h.task!;
    const { file } = t.spec;
    let size: number | undefined;
    let unreadable = false;
    try {
      size = this.files.sizeOf(file);
    } catch {
      unreadable = true;
    }
    t.verify = new Verification(size, t.spec, (off, len) => this.files.readNamed(file, off, len), this.crypto);
    t.notedAt = now;
    if (unreadable) return this.verified(h, 'media-error');
    if (t.verify.outcome) return this.verified(h, t.verify.outcome.code);
    this.verifying.push(h);
  }

  /** A step of the first `verify` under way: its next blocks, up to JOB_VERIFY_STEP bytes; progress noted as a copy's is. */
  private stepVerify(now: number): void {
    const h = this.verifying[0];
    if (!h) return;
    const t = h.task!;
    t.verify!.step(JOB_VERIFY_STEP);
    const outcome = t.verify!.outcome;
    if (outcome) {
      this.verifying.shift();
      return this.verified(h, outcome.code);
    }
    if (now - (t.notedAt ?? now) >= JOB_PROGRESS_INTERVAL) {
      t.notedAt = now;
      h.relay.note(h.idx, 'progress', { got: t.verify!.hashed });
      this.drain(h);
    }
  }

  private verified(h: Held, code: WireErrorCode | undefined): void {
    const { spec } = h.task!;
    this.events.push({ type: 'job-file-verified', level: code ? 'warn' : 'info', job: spec.job, cmd: spec.cmd, file: spec.file, bytes: h.task!.verify?.hashed ?? 0, ...(code ? { code } : {}) });
    this.taskDone(spec, code);
  }

  /** A `delete` or `verify` was carried out (`code`: how it failed): the base server hears it. */
  taskDone(t: JobTask, code?: WireErrorCode): void {
    const h = this.relays.get(`${t.job}/${t.cmd}`);
    if (!h?.task || h.task.done) return;
    h.task.done = true;
    if (code) h.task.code = code;
    h.relay.note(h.idx, code ? 'failed' : 'completed', code ? { code } : {});
    this.drain(h);
  }

  pollTask(): JobTask | undefined {
    return this.tasks.take();
  }

  onPull(from: string, p: MessageOf<'job-pull'>, now: number): boolean {
    const r = this.relays.get(`${p.job}/${p.cmd}`);
    if (!r || !r.relay.onPull(from, p, now)) return false;
    this.drain(r);
    return true;
  }

  onChunk(from: string, c: MessageOf<'chunk'>, now: number): boolean {
    const r = this.relays.get(`${c.job}/${c.cmd}`);
    if (!r || !r.relay.onChunk(from, c, now)) return false;
    this.drain(r);
    return true;
  }

  /** The base server asks how the command stands here (S5.5): `unknown` when this server never had it. */
  onQuery(q: MessageOf<'job-query'>, base: string): void {
    const r = this.relays.get(`${q.job}/${q.cmd}`);
    if (!r) {
      this.sends.push({ to: base, msg: { type: 'job-note', job: q.job, cmd: q.cmd, idx: q.idx, st: 'unknown', got: 0 }, validated: true });
      return;
    }
    const { st, code } = this.stateOf(r);
    // Whole but not yet in service (a stream still reads the old file): in progress, as far as the base server knows.
    const verifying = r.task?.verify && !r.task.done ? { got: r.task.verify.hashed } : {};
    r.relay.note(r.idx, st === 'completed' && !r.committed && !r.task ? 'progress' : st, st === 'failed' ? (code ? { code } : {}) : st === 'completed' && !r.task ? { up: r.relay.receivedRate() ?? 0 } : verifying);
    this.drain(r);
  }

  /** The server put the file of `ready` into service: the base server hears it has completed here. */
  committed(ready: ReadyFile): void {
    const r = this.relays.get(`${ready.job}/${ready.cmd}`);
    if (!r) return;
    r.committed = true;
    r.relay.note(r.idx, 'completed', { up: r.relay.receivedRate() ?? 0 });
    this.drain(r);
  }

  /** The server could not put it into service. */
  commitFailed(ready: ReadyFile, detail: string): void {
    const r = this.relays.get(`${ready.job}/${ready.cmd}`);
    if (!r) return;
    // Its note (failed, write-error) goes out as the failure is drained.
    r.relay.fail('write-error', detail);
    this.drain(r);
  }

  nextTimeout(now: number): number | undefined {
    // A verify under way steps at once: the wake-up lets the server's other work in between.
    let t: number | undefined = this.verifying.length > 0 ? now : undefined;
    for (const r of this.relays.values()) t = soonest({ t, r: r.relay.nextTimeout(now) });
    return t;
  }

  handleTimeout(now: number): void {
    this.stepVerify(now);
    for (const r of this.relays.values()) {
      r.relay.handleTimeout(now);
      this.drain(r);
    }
  }

  private drain(r: { relay: Relay; idx: number; key: string }): void {
    for (let s = r.relay.pollSend(); s; s = r.relay.pollSend()) this.sends.push(s);
    for (let e = r.relay.pollEvent(); e; e = r.relay.pollEvent()) {
      this.events.push(e);
      if (e.type === 'object-complete') this.ready.push({ job: e.job, cmd: e.cmd, key: r.key, file: r.relay.spec.file, size: r.relay.spec.size, ...(r.relay.spec.mrate !== undefined ? { mrate: r.relay.spec.mrate } : {}) });
      if (e.type === 'job-failed-here') {
        r.relay.note(r.idx, 'failed', { code: e.code });
        for (let s = r.relay.pollSend(); s; s = r.relay.pollSend()) this.sends.push(s);
        try {
          this.files.discard(r.key);
        } catch {
          // Nothing more to lose: the command has failed here already.
        }
      }
    }
  }

  /** Room for one more command: forget the oldest idle one when full. */
  private makeRoom(): boolean {
    if (this.relays.size < MAX_SERVER_JOBS) return true;
    for (const [id, r] of this.relays) {
      if (r.relay.idle && (!r.task || r.task.done)) {
        this.relays.delete(id);
        return true;
      }
    }
    return false;
  }

  pollSend(): RelaySend | undefined {
    return this.sends.take();
  }

  pollEvent(): JobAgentEvent | undefined {
    return this.events.take();
  }

  pollReady(): ReadyFile | undefined {
    return this.ready.take();
  }
}
