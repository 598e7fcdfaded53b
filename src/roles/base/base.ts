/**
 * The base server (S5, §14): content providers submit distribution jobs to it.
 * For each job it pulls the file from its provider into its store, and
 * cascades it to the job's targets as it arrives: it approaches the first
 * targets itself, each with its share of the rest to pass on (relay.ts). It
 * hears each target's notes (received, completed, failed, stalled), queries
 * the late ones, repairs those that stalled, lost their source or do not know
 * the job by serving them itself, and tells any operator who asks what each
 * target's state is, long after the provider has gone.
 *
 * A role of its own rather than a duty of the master: a job moves gigabytes
 * at a rate its operator chooses and holds a store on disk, while a master
 * answers requests in microseconds and keeps nothing on disk. Kept apart,
 * neither can slow the other, and a master's failover never loses a job.
 *
 * Jobs move only within a keyed cluster (§14.7): every order, pull and note
 * is authenticated.
 */
import { MAX_DATAGRAM, MAX_ERROR_TEXT, JOB_HELP_INTERVAL, JOB_JOURNAL_INTERVAL, JOB_MAX_SWITCHES, JOB_SLOW_SHARE, JOB_DEFAULT_RATE, JOB_FANOUT, JOB_QUERY_AFTER, JOB_QUERY_ATTEMPTS, JOB_REPAIR_ATTEMPTS, JOB_RETRY_DELAY, JOB_RETRY_ROUNDS, JOB_STALL, JOB_STATUS_ROWS, JOB_LIST_ROWS, MAX_JOB_COMMANDS, MAX_JOB_TARGETS, MAX_JOBS } from '../../protocol/constants.js';
import { type Decoded, encodedLength } from '../../protocol/codec.js';
import { ListFill } from '../../protocol/sizes.js';
import type { WireErrorCode } from '../../protocol/errors.js';
import { flowNameProblem } from '../../protocol/flowNames.js';
import { clipUtf8 } from '../../protocol/fields.js';
import { MESSAGES, type MessageOf } from '../../protocol/messages.js';
import { parseAddress } from '../../protocol/address.js';
import { type CoreEvent, type Input, Queue, RoleCore, type RoleDeps, type TableSize } from '../role.js';
import { soonest } from '../timers.js';
import { Holding, type JobFiles } from '../jobs/holding.js';
import { hashList } from '../jobs/object.js';
import { Relay, type RelaySend } from '../jobs/relay.js';
import type { BaseEvent } from './events.js';
import { type CommandRecord, fromHex, JOB_RECORD_VERSION, type JobRecord, parseJobRecord, toHex } from './record.js';

export type { BaseEvent } from './events.js';

export interface BaseConfig {
  /** The address targets reach this base server at: where their notes go. */
  readonly name: string;
  /** The rate of each transfer, when the job sets none, bits per second. */
  readonly rate?: number;
  /** Targets each node serves at once. */
  readonly fanout?: number;
  /** Serve every target from here, none passing the file on: a star, the benchmark's baseline for the cascade. */
  readonly star?: boolean;
  /** How long it waits, how often it asks, how often it repairs (§14.5); the constants by default. */
  readonly timeouts?: Partial<JobTimeouts>;
}

/** The base server's waits and attempts (§14.5): each one's constant is its default. */
export interface JobTimeouts {
  /** A target not completed and not heard of this long is queried, and again each such wait after, ms (JOB_QUERY_AFTER). */
  readonly queryAfter: number;
  /** Queries unanswered before a repair (JOB_QUERY_ATTEMPTS). */
  readonly queryAttempts: number;
  /** Repairs of one target before it has failed (JOB_REPAIR_ATTEMPTS). */
  readonly repairAttempts: number;
  /** A failed target may be tried again this long later, ms: what its status row says (JOB_RETRY_DELAY). */
  readonly retryDelay: number;
  /** The provider has stalled when it sent nothing asked for this long, ms (JOB_STALL). */
  readonly stall: number;
}

export const JOB_TIMEOUT_DEFAULTS: JobTimeouts = {
  queryAfter: JOB_QUERY_AFTER,
  queryAttempts: JOB_QUERY_ATTEMPTS,
  repairAttempts: JOB_REPAIR_ATTEMPTS,
  retryDelay: JOB_RETRY_DELAY,
  stall: JOB_STALL,
};

/** Why `t` cannot be used, if it cannot: a wait that is not a positive whole number of ms, an attempt count below its least. */
export function jobTimeoutsProblem(t: JobTimeouts): string | undefined {
  for (const k of ['queryAfter', 'stall'] as const) if (!Number.isInteger(t[k]) || t[k] < 1) return `${k} ${t[k]} is not a wait of at least 1 ms`;
  if (!Number.isInteger(t.retryDelay) || t.retryDelay < 0) return `retryDelay ${t.retryDelay} is not a wait`;
  if (!Number.isInteger(t.queryAttempts) || t.queryAttempts < 1) return `queryAttempts ${t.queryAttempts} is below 1`;
  if (!Number.isInteger(t.repairAttempts) || t.repairAttempts < 0) return `repairAttempts ${t.repairAttempts} is below 0`;
  return undefined;
}

/**
 * `stop`: take nothing more. `restore`: take back a job from its record in the store (§14.10), `text`
 * as read from `from` (a file's name, for the warning when it cannot be read); given before `start`.
 */
export type BaseCommand = { readonly type: 'start' } | { readonly type: 'stop' } | { readonly type: 'restore'; readonly from: string; readonly text: string };

/**
 * What the base server asks its shell to keep (§14.10), on its own channel (`pollJournal`): a job's
 * record, to write whole in place of the one before, or a job forgotten, whose record goes.
 */
export type JournalEntry = { readonly kind: 'job'; readonly job: number; readonly record: JobRecord } | { readonly kind: 'forget'; readonly job: number };

export type TargetState = 'new' | 'received' | 'progress' | 'completed' | 'failed';

/** What a command of a job does (§14.8). */
export type CommandOp = 'copy' | 'delete' | 'verify';
/** A command's own state: `waiting` until a target has ended the command before it. */
export type CommandState = 'waiting' | 'uploading' | 'running' | 'completed' | 'failed';

interface Target {
  readonly idx: number;
  readonly addr: string;
  st: TargetState;
  got: number;
  src: string | undefined;
  code: WireErrorCode | undefined;
  /** When the base server last heard of it (or created the job). */
  heardAt: number;
  queriedAt: number | undefined;
  queries: number;
  repairs: number;
  failedAt: number | undefined;
  /** Rounds of repair it was given again after it failed unreachable (S5.5): at most JOB_RETRY_ROUNDS. */
  retries: number;
  /** The rate it received at, bits per second, once completed. */
  up: number | undefined;
  /** What its source delivers, as its last progress note said, bits per second. */
  delivered: number | undefined;
  /** When the base server last offered it a faster source (S5.4), and how many times. */
  helpedAt: number | undefined;
  helps: number;
  /** Slow targets this one was asked to serve. */
  helping: number;
  /** Ordered: the command before ended there (§14.8); a job's first command is released at once. */
  released: boolean;
}

/** One command of a job's queue (§14.8): the job's copy is the first; a provider adds others. */
export interface Command {
  readonly job: number;
  readonly cmd: number;
  readonly op: CommandOp;
  readonly file: string;
  readonly size: number;
  readonly root: Uint8Array;
  readonly rate: number;
  readonly mrate: number | undefined;
  readonly created: number;
  /** Who submitted or added it, with what request id, and (a copy) the cookie its pulls carry: what its record keeps. */
  readonly from: string;
  readonly rid: number;
  readonly tag: Uint8Array | undefined;
  /** The store's key of its object (a copy's), if it has one. */
  readonly key: string | undefined;
  state: CommandState;
  code: WireErrorCode | undefined;
  endedAt: number | undefined;
  /** Its state at each target, in the job's target order. */
  readonly targets: Target[];
  readonly relay: Relay;
  /** Stalls of the upload in a row. */
  uploadStalls: number;
}

export interface Job {
  readonly id: number;
  /** The job's copy (its first command): its file, size, root and rate. */
  readonly file: string;
  readonly size: number;
  readonly root: Uint8Array;
  readonly rate: number;
  readonly provider: string;
  readonly created: number;
  /** The job as a whole: `uploading` while its first file comes, `running` while any command is under way. */
  state: 'uploading' | 'running' | 'completed' | 'failed';
  code: WireErrorCode | undefined;
  endedAt: number | undefined;
  /** The first command's targets: the job's copy at each. */
  readonly targets: Target[];
  readonly byAddr: Map<string, number>;
  /** The command queue, in order: command `k` is `commands[k - 1]`. */
  readonly commands: Command[];
}

/** A job as its parts arrive (from one provider, under one request id). */
interface Submission {
  readonly parts: (MessageOf<'job-submit'> | undefined)[];
  held: number;
  /** The job made of it, to answer a repeated part again. */
  job: number | undefined;
  answer: MessageOf<'job-result'> | undefined;
}

/** Submissions a base server holds at once, the oldest forgotten first. */
const MAX_SUBMISSIONS = 64;

const ended = (x: Target) => x.st === 'completed' || x.st === 'failed';
const over = (c: Command) => c.state === 'completed' || c.state === 'failed';

export class BaseServer extends RoleCore<BaseCommand, BaseEvent> {
  private readonly jobs = new Map<number, Job>();
  /**
   * The job upload rate each server said it supports (its `upr`, S5.2), bits per second: the base
   * server approaches a job's targets in descending order of it, so the top of the cascade, which
   * feeds the most, is the fastest; servers it has not heard from come after, in the order given.
   */
  private readonly uploadRates = new Map<string, number>();
  private readonly submissions = new Map<string, Submission>();
  private stopped = false;
  private readonly rate: number;
  private readonly fanout: number;
  /** Its waits and attempts, the constants where the configuration gives none. */
  readonly timeouts: JobTimeouts;
  /** The root of an empty object: what a `delete` or `verify`'s relay holds (§14.8). */
  private readonly emptyRoot: Uint8Array;
  /** Records for the shell to keep (§14.10). */
  private readonly journal = new Queue<JournalEntry>();
  /** Jobs changed since their record was last given, and since when: given JOB_JOURNAL_INTERVAL later. */
  private readonly dirty = new Map<number, number>();
  /** Jobs whose record goes out at the end of this input: made, a command added, ended. */
  private readonly urgent = new Set<number>();

  constructor(
    deps: RoleDeps,
    readonly config: BaseConfig,
    private readonly files: JobFiles,
  ) {
    super(deps);
    if (!deps.auth) throw new Error('a base server moves content only within a keyed cluster: give it the cluster key (§14.7)');
    this.rate = config.rate ?? JOB_DEFAULT_RATE;
    this.fanout = config.fanout ?? JOB_FANOUT;
    this.timeouts = { ...JOB_TIMEOUT_DEFAULTS, ...config.timeouts };
    const problem = jobTimeoutsProblem(this.timeouts);
    if (problem) throw new Error(`a base server's timeouts: ${problem}`);
    this.emptyRoot = deps.crypto.sha256(new Uint8Array(0));
  }

  override tables(): Record<string, TableSize> {
    return { ...super.tables(), jobs: { size: this.jobs.size, limit: MAX_JOBS }, submissions: { size: this.submissions.size, limit: MAX_SUBMISSIONS } };
  }

  /** A job as the base server holds it, read only (tests, the dashboard). */
  job(id: number): Readonly<Job> | undefined {
    return this.jobs.get(id);
  }

  jobIds(): number[] {
    return [...this.jobs.keys()];
  }

  handle(input: Input<BaseCommand>, now: number): void {
    if (this.stopped) return;
    this.lastNow = now;
    switch (input.kind) {
      case 'datagram':
        this.onDatagram(input.from, input.bytes, now);
        break;
      case 'timer':
        this.onTimer(now);
        break;
      case 'command':
        if (input.command.type === 'stop') this.stopped = true;
        else if (input.command.type === 'restore') this.restore(input.command.from, input.command.text, now);
        break;
    }
    this.record(now);
  }

  /** The next record to keep (§14.10): drained before what is sent, so a job is kept before its provider hears of it. */
  pollJournal(): JournalEntry | undefined {
    return this.journal.take();
  }

  /** Every record now, changed or not (a shell that stops writes them last). */
  journalAll(): void {
    for (const j of this.jobs.values()) this.journal.push({ kind: 'job', job: j.id, record: this.recordOf(j) });
    this.dirty.clear();
    this.urgent.clear();
  }

  /** The store's keys of the objects its jobs hold: what a sweep of the store at start keeps (§14.10). */
  storeKeys(): string[] {
    return [...this.jobs.values()].flatMap((j) => j.commands.flatMap((c) => (c.key ? [c.key] : [])));
  }

  // An event about a job marks it changed: every change the record keeps is reported as one.
  protected override emit(e: BaseEvent | CoreEvent): void {
    super.emit(e);
    if (!('job' in e) || typeof e.job !== 'number' || e.type === 'job-restored') return;
    this.touch(e.job, e.type === 'job-created' || e.type === 'job-command-added' || e.type === 'job-uploaded' || e.type === 'job-completed' || e.type === 'job-failed');
  }

  private touch(job: number, urgent = false): void {
    if (!this.jobs.has(job)) return;
    if (urgent) this.urgent.add(job);
    else if (!this.dirty.has(job)) this.dirty.set(job, this.lastNow);
  }

  /** Give the records due: those of jobs made, added to or ended now, and those changed JOB_JOURNAL_INTERVAL ago. */
  private record(now: number): void {
    for (const id of this.urgent) {
      const j = this.jobs.get(id);
      if (j) this.journal.push({ kind: 'job', job: id, record: this.recordOf(j) });
      this.dirty.delete(id);
    }
    this.urgent.clear();
    for (const [id, since] of this.dirty) {
      if (now < since + JOB_JOURNAL_INTERVAL) continue;
      this.dirty.delete(id);
      const j = this.jobs.get(id);
      if (j) this.journal.push({ kind: 'job', job: id, record: this.recordOf(j) });
    }
  }

  private recordOf(j: Job): JobRecord {
    return {
      v: JOB_RECORD_VERSION, id: j.id, provider: j.provider, created: j.created, state: j.state,
      ...(j.code ? { code: j.code } : {}), ...(j.endedAt !== undefined ? { endedAt: j.endedAt } : {}),
      targets: j.targets.map((x) => x.addr),
      commands: j.commands.map((c): CommandRecord => ({
        op: c.op, file: c.file, size: c.size, root: toHex(c.root), rate: c.rate, ...(c.mrate !== undefined ? { mrate: c.mrate } : {}),
        created: c.created, state: c.state, ...(c.code ? { code: c.code } : {}), ...(c.endedAt !== undefined ? { endedAt: c.endedAt } : {}),
        from: c.from, rid: c.rid, ...(c.tag ? { tag: toHex(c.tag) } : {}),
        t: c.targets.map((x) => [x.st, x.got, x.code ?? null, x.failedAt ?? null, x.retries, x.repairs, x.src ?? null] as const),
      })),
    };
  }

  pollTimeout(): number | undefined {
    if (this.stopped) return undefined;
    let t: number | undefined;
    for (const since of this.dirty.values()) t = soonest({ t, journal: since + JOB_JOURNAL_INTERVAL });
    for (const j of this.jobs.values()) {
      if (j.state === 'completed') continue;
      for (const c of j.commands) {
        t = soonest({ t, retry: this.nextRetry(c) });
        if (over(c)) continue;
        t = soonest({ t, relay: c.relay.nextTimeout(this.lastNow), query: this.nextQuery(c) });
      }
    }
    return t;
  }

  /** The time of the last input: relays compute their next send from it. */
  private lastNow = 0;

  private nextQuery(c: Command): number | undefined {
    if (c.state !== 'running') return undefined;
    let t: number | undefined;
    for (const x of c.targets) {
      if (ended(x) || !x.released) continue;
      const at = Math.max(x.heardAt, x.queriedAt ?? 0) + this.timeouts.queryAfter;
      if (t === undefined || at < t) t = at;
    }
    return t;
  }

  private command(job: number, cmd: number): Command | undefined {
    return this.jobs.get(job)?.commands[cmd - 1];
  }

  private onDatagram(from: string, bytes: Uint8Array, now: number): void {
    this.lastNow = now;
    const d = this.receive(from, bytes, now);
    if (!d) return;
    const msg = d.msg;
    switch (msg.type) {
      case 'job-submit':
        if (!this.authentic(d, from, now)) return;
        return this.onSubmit(msg, from, now);
      case 'job-add':
        if (!this.authentic(d, from, now)) return;
        return this.onAdd(msg, from, now);
      case 'job-status-request':
        if (!this.authentic(d, from, now)) return;
        return this.onStatusRequest(msg, from, now);
      case 'job-list-request':
        if (!this.authentic(d, from, now)) return;
        return void this.answer(from, this.listPage(msg.rid, msg.from, now), now);
      case 'job-note':
        if (!this.authentic(d, from, now)) return;
        return this.onNote(msg, from, now);
      case 'job-pull':
        return this.onPull(d, msg, from, now);
      case 'chunk': {
        const j = this.jobs.get(msg.job);
        const c = j?.commands[msg.cmd - 1];
        if (!j || !c || !c.relay.onChunk(from, msg, now)) return this.drop('unexpected-message', from, `chunk of no upload here (job ${msg.job}, command ${msg.cmd})`, msg.type);
        // The provider sends again: its stalls are counted in a row.
        if (c.state === 'uploading') c.uploadStalls = 0;
        if (c.state === 'uploading' && c.relay.complete) {
          c.state = 'running';
          c.uploadStalls = 0;
          if (j.state === 'uploading') j.state = 'running';
          this.emit({ type: 'job-uploaded', level: 'info', job: j.id, cmd: c.cmd, file: c.file, bytes: c.size, ms: now - c.created });
        }
        this.drainRelay(j, c, now);
        return this.settle(j, c, now);
      }
      default:
        return this.drop('unexpected-message', from, `a base server does not take ${msg.type}`, msg.type);
    }
  }

  private onPull(d: Decoded, msg: MessageOf<'job-pull'>, from: string, now: number): void {
    if (!this.authentic(d, from, now)) return;
    const j = this.jobs.get(msg.job);
    const c = j?.commands[msg.cmd - 1];
    if (!j || !c || !c.relay.onPull(from, msg, now)) return this.drop('unexpected-message', from, `job-pull for nothing this base server serves (job ${msg.job}, command ${msg.cmd})`, msg.type);
    this.drainRelay(j, c, now);
  }

  // ---- Submissions (§14.1) --------------------------------------------------------

  private onSubmit(msg: MessageOf<'job-submit'>, from: string, now: number): void {
    const key = `${from}|${msg.rid}`;
    let s = this.submissions.get(key);
    if (s?.answer) return void this.answer(from, s.answer, now);
    const problem = this.submitProblem(msg);
    if (problem) return void this.answer(from, { type: 'job-result', rid: msg.rid, ok: false, code: 'bad-request', msg: problem }, now);
    if (!s) {
      if (this.submissions.size >= MAX_SUBMISSIONS) this.submissions.delete(this.submissions.keys().next().value!);
      this.submissions.set(key, (s = { parts: new Array(msg.parts).fill(undefined), held: 0, job: undefined, answer: undefined }));
    }
    if (s.parts.length !== msg.parts) return void this.answer(from, { type: 'job-result', rid: msg.rid, ok: false, code: 'bad-request', msg: 'the parts of one job disagree on how many there are' }, now);
    if (!s.parts[msg.part]) {
      s.parts[msg.part] = msg;
      s.held++;
    }
    if (s.held < s.parts.length) return;
    s.answer = this.create(s.parts as MessageOf<'job-submit'>[], from, now);
    this.answer(from, s.answer, now);
  }

  private submitProblem(msg: MessageOf<'job-submit'>): string | undefined {
    const name = flowNameProblem(msg.file);
    if (name) return `the file name ${JSON.stringify(msg.file)} ${name}: a job copies one plain file name into each target's media directory`;
    if (msg.part >= msg.parts) return `part ${msg.part} of ${msg.parts}`;
    for (const a of msg.to) if (!parseAddress(a)) return `the target ${JSON.stringify(a)} is not host:port`;
    return undefined;
  }

  private create(parts: readonly MessageOf<'job-submit'>[], from: string, now: number): MessageOf<'job-result'> {
    const first = parts[0]!;
    const rid = first.rid;
    if (parts.some((p) => p.file !== first.file || p.size !== first.size || p.rate !== first.rate)) return { type: 'job-result', rid, ok: false, code: 'bad-request', msg: 'the parts of one job name different files' };
    const addrs = [...new Set(parts.flatMap((p) => p.to))];
    if (addrs.length === 0) return { type: 'job-result', rid, ok: false, code: 'bad-request', msg: 'a job needs at least one target' };
    if (addrs.length > MAX_JOB_TARGETS) return { type: 'job-result', rid, ok: false, code: 'bad-request', msg: `a job has at most ${MAX_JOB_TARGETS} targets (MAX_JOB_TARGETS)` };
    if (!this.makeRoom()) return { type: 'job-result', rid, ok: false, code: 'over-limit', msg: `the base server runs ${MAX_JOBS} jobs already (MAX_JOBS): try again once one ends` };
    let id = this.deps.rng.id();
    while (this.jobs.has(id)) id = this.deps.rng.id();
    const rate = first.rate ?? this.rate;
    let c: Command;
    try {
      c = this.newCommand(id, 1, 'copy', first.file, first.size, first.root, rate, first.mrate, addrs, { from, rid, tag: first.tag }, now);
    } catch (error) {
      return { type: 'job-result', rid, ok: false, code: 'write-error', msg: `the base server cannot store the file: ${error instanceof Error ? error.message : String(error)}` };
    }
    const job: Job = {
      id, file: first.file, size: first.size, root: first.root, rate, provider: from, created: now, state: c.state === 'uploading' ? 'uploading' : 'running', code: undefined, endedAt: undefined,
      targets: c.targets, byAddr: new Map(c.targets.map((t) => [t.addr, t.idx])), commands: [c],
    };
    this.jobs.set(id, job);
    this.emit({ type: 'job-created', level: 'info', job: id, file: job.file, bytes: job.size, targets: c.targets.length, provider: from });
    c.relay.pullFrom(from, first.tag, rate, now);
    for (const x of c.targets) x.released = true;
    c.relay.addPlan(this.fastestFirst(c.targets).map((t) => [t.idx, t.addr] as const), now);
    this.drainRelay(job, c, now);
    return { type: 'job-result', rid, ok: true, job: id, msg: `job ${id}: ${job.file} to ${c.targets.length} target(s)` };
  }

  /**
   * A command, its targets all `new` and none released yet. A `copy` gets a file in the store, which
   * may throw; a `delete` or `verify` moves no object: its relay holds an empty one, and only its
   * orders cascade.
   */
  private newCommand(job: number, cmd: number, op: CommandOp, file: string, size: number, root: Uint8Array, rate: number, mrate: number | undefined, addrs: readonly string[], by: { from: string; rid: number; tag: Uint8Array | undefined }, now: number, held?: Holding): Command {
    const key = op === 'copy' ? (cmd === 1 ? `job-${job}` : `job-${job}-${cmd}`) : undefined;
    if (key && !held) this.files.create(key, size);
    const holding = held ?? (key ? new Holding(size, root, key, this.files, this.deps.crypto) : new Holding(0, this.emptyRoot, `job-${job}-${cmd}`, this.files, this.deps.crypto));
    const relay = new Relay(
      { job, cmd, op, file, size, root, base: this.config.name, ...(mrate !== undefined ? { mrate } : {}) },
      holding,
      { self: this.config.name, idx: undefined, rate, fanout: this.fanout, stall: this.timeouts.stall, ...(this.config.star ? { star: true } : {}) },
      this.deps.rng.fork(),
      now,
    );
    const targets: Target[] = addrs.map((addr, idx) => ({ idx, addr, st: 'new', got: 0, src: undefined, code: undefined, heardAt: now, queriedAt: undefined, queries: 0, repairs: 0, failedAt: undefined, retries: 0, up: undefined, delivered: undefined, helpedAt: undefined, helps: 0, helping: 0, released: false }));
    return {
      job, cmd, op, file, size, root, rate, mrate, created: now, from: by.from, rid: by.rid, tag: op === 'copy' ? by.tag : undefined, key,
      state: op === 'copy' && !holding.complete ? 'uploading' : cmd === 1 ? 'running' : 'waiting', code: undefined, endedAt: undefined, targets, relay, uploadStalls: 0,
    };
  }

  // ---- A restart (§14.10) ------------------------------------------------------------

  /**
   * Take back a job from its record. A copy whose object the store holds whole (read and hashed
   * again: the record says what it should be, the store's bytes say what it is) serves its targets
   * as before; one the store lacks, or holds only in part, is pulled again from its provider with
   * its cookie, from the start: a provider still sending answers, one gone leaves the upload to
   * stall and fail `provider-gone`, as any upload does. Targets that have not ended a running
   * command are asked what they hold at the first wake-up, as after a wait period (§14.5), and
   * those not yet heard of are ordered again (a cascade, as at the start); failed ones keep their
   * rounds and when each is due. A record that cannot be read is skipped, named.
   */
  private restore(from: string, text: string, now: number): void {
    const skip = (why: string) => this.emit({ type: 'job-record-skipped', level: 'warn', from, why });
    const parsed = parseJobRecord(text);
    if (!parsed.ok) return skip(parsed.problem);
    const r = parsed.record;
    if (this.jobs.has(r.id)) return skip(`job ${r.id} is restored already`);
    if (this.jobs.size >= MAX_JOBS) return skip(`the base server holds ${MAX_JOBS} jobs already (MAX_JOBS)`);
    const commands: Command[] = [];
    const pulls: Command[] = [];
    for (const [k, cr] of r.commands.entries()) {
      const cmd = k + 1;
      const root = fromHex(cr.root)!;
      const tag = cr.tag !== undefined ? fromHex(cr.tag) : undefined;
      const key = cr.op === 'copy' ? (cmd === 1 ? `job-${r.id}` : `job-${r.id}-${cmd}`) : undefined;
      // The object, if the store holds it whole (its record may not say so yet): hashed again against the command's root.
      let held = key ? this.reread(key, cr.size, root) : undefined;
      // An ended command the store lost the object of: nothing to pull, and no file to make.
      if (key && !held && (cr.state === 'completed' || cr.state === 'failed')) held = new Holding(cr.size, root, key, this.files, this.deps.crypto);
      let c: Command;
      try {
        c = this.newCommand(r.id, cmd, cr.op, cr.file, cr.size, root, cr.rate, cr.mrate, r.targets, { from: cr.from, rid: cr.rid, tag }, cr.created, held);
      } catch (error) {
        return skip(`the store cannot hold job ${r.id}'s file again: ${error instanceof Error ? error.message : String(error)}`);
      }
      Object.assign(c, { state: cr.state, code: cr.code, endedAt: cr.endedAt });
      for (const [i, [st, got, code, failedAt, retries, repairs, src]] of cr.t.entries()) {
        Object.assign(c.targets[i]!, { st, got, code: code ?? undefined, failedAt: failedAt ?? undefined, retries, repairs, src: src ?? undefined, heardAt: now - this.timeouts.queryAfter });
      }
      // Whole in the store though its record had not said so yet: uploaded.
      if (c.state === 'uploading' && c.relay.complete) c.state = 'running';
      // Lacking the object it had: taken again from its provider, unless the command has ended.
      if (key && !c.relay.complete) {
        if (c.state === 'running' || c.state === 'waiting') c.state = 'uploading';
        if (c.state === 'uploading') pulls.push(c);
        // An ended command with no object to serve gives its failed targets no further round.
        else for (const x of c.targets) if (x.st === 'failed') x.retries = Math.max(x.retries, JOB_RETRY_ROUNDS);
      }
      commands.push(c);
    }
    const first = commands[0]!;
    const state = r.state === 'completed' || r.state === 'failed' ? r.state : commands.some((c) => c.state === 'uploading' && c.cmd === 1) ? 'uploading' : 'running';
    const job: Job = {
      id: r.id, file: first.file, size: first.size, root: first.root, rate: first.rate, provider: r.provider, created: r.created, state, code: r.code, endedAt: r.endedAt,
      targets: first.targets, byAddr: new Map(first.targets.map((t) => [t.addr, t.idx])), commands,
    };
    this.jobs.set(r.id, job);
    // Oldest first, as they were made: the list's order, and the first forgotten when full.
    if (this.jobs.size > 1) {
      const all = [...this.jobs.values()].sort((a, b) => a.created - b.created);
      this.jobs.clear();
      for (const x of all) this.jobs.set(x.id, x);
    }
    // A repeated submit or add is answered as before, never made a second time.
    for (const c of commands) {
      if (this.submissions.size >= MAX_SUBMISSIONS) this.submissions.delete(this.submissions.keys().next().value!);
      this.submissions.set(`${c.from}|${c.rid}`, { parts: [], held: 0, job: r.id, answer: { type: 'job-result', rid: c.rid, ok: true, job: r.id, ...(c.cmd > 1 ? { cmd: c.cmd } : {}), msg: `job ${r.id}: command ${c.cmd}, ${c.op} ${c.file}` } });
    }
    // Ordered at a target once the command before ended there (§14.8): the first at once.
    for (const c of commands) for (const x of c.targets) x.released = c.cmd === 1 || ended(commands[c.cmd - 2]!.targets[x.idx]!);
    for (const c of pulls) c.relay.pullFrom(c.from, c.tag!, c.rate, now);
    for (const c of commands) {
      if (c.state !== 'running' && c.state !== 'uploading') continue;
      // Not yet heard of: ordered again, the plan shared out as at the start.
      const fresh = c.targets.filter((x) => x.released && x.st === 'new');
      if (fresh.length > 0) c.relay.addPlan(fresh.map((x) => [x.idx, x.addr] as const), now);
      this.drainRelay(job, c, now);
    }
    this.emit({ type: 'job-restored', level: 'info', job: r.id, file: job.file, state: job.state, commands: commands.length, targets: job.targets.length, pulled: pulls.map((c) => c.cmd) });
    // Every command whose targets all ended while the store lacked its object, say, ends now.
    for (const c of commands) this.settle(job, c, now);
  }

  /** The object under `key` as the store holds it, if whole and matching `root`: hashed again, block by block. */
  private reread(key: string, size: number, root: Uint8Array): Holding | undefined {
    try {
      if (!this.files.reopen(key, size)) return undefined;
      const { list } = hashList((off, len) => this.files.read(key, off, len), size, this.deps.crypto);
      return Holding.whole(size, root, list, key, this.files, this.deps.crypto);
    } catch {
      return undefined;
    }
  }

  // ---- The command queue (§14.8) ------------------------------------------------------

  private onAdd(msg: MessageOf<'job-add'>, from: string, now: number): void {
    const key = `${from}|${msg.rid}`;
    const s = this.submissions.get(key);
    if (s?.answer) return void this.answer(from, s.answer, now);
    const answer = this.add(msg, from, now);
    if (this.submissions.size >= MAX_SUBMISSIONS) this.submissions.delete(this.submissions.keys().next().value!);
    this.submissions.set(key, { parts: [], held: 0, job: msg.job, answer });
    this.answer(from, answer, now);
  }

  private add(msg: MessageOf<'job-add'>, from: string, now: number): MessageOf<'job-result'> {
    const rid = msg.rid;
    const refuse = (code: WireErrorCode, text: string): MessageOf<'job-result'> => ({ type: 'job-result', rid, ok: false, code, msg: text });
    const j = this.jobs.get(msg.job);
    if (!j) return refuse('unknown-job', `the base server holds no job ${msg.job}`);
    const name = flowNameProblem(msg.file);
    if (name) return refuse('bad-request', `the file name ${JSON.stringify(msg.file)} ${name}: a command names one plain file of each target's media directory`);
    if (j.commands.length >= MAX_JOB_COMMANDS) return refuse('over-limit', `job ${j.id} holds ${MAX_JOB_COMMANDS} commands already (MAX_JOB_COMMANDS)`);
    let size = 0;
    let root = this.emptyRoot;
    if (msg.op === 'copy') {
      if (msg.size === undefined || msg.root === undefined) return refuse('bad-request', 'a copy gives the file\'s size and root');
      size = msg.size;
      root = msg.root;
    } else if (msg.op === 'verify') {
      // Against the root of the job's last copy of that name.
      const copy = [...j.commands].reverse().find((c) => c.op === 'copy' && c.file === msg.file);
      if (!copy) return refuse('bad-request', `job ${j.id} copies no file ${JSON.stringify(msg.file)}: there is no root to verify it against`);
      size = copy.size;
      root = copy.root;
    }
    const cmd = j.commands.length + 1;
    let c: Command;
    try {
      c = this.newCommand(j.id, cmd, msg.op, msg.file, size, root, msg.rate ?? j.rate, msg.mrate, j.targets.map((t) => t.addr), { from, rid, tag: msg.tag }, now);
    } catch (error) {
      return refuse('write-error', `the base server cannot store the file: ${error instanceof Error ? error.message : String(error)}`);
    }
    j.commands.push(c);
    // An ended job runs again, for its new command.
    if (j.state === 'completed' || j.state === 'failed') {
      j.state = 'running';
      j.code = undefined;
      j.endedAt = undefined;
    }
    this.emit({ type: 'job-command-added', level: 'info', job: j.id, cmd, op: msg.op, file: msg.file, provider: from });
    if (msg.op === 'copy') c.relay.pullFrom(from, msg.tag, c.rate, now);
    // Each target takes it once the command before has ended there.
    const prev = j.commands[cmd - 2]!;
    for (const x of this.fastestFirst(c.targets)) if (ended(prev.targets[x.idx]!)) this.release(j, c, x, now);
    this.drainRelay(j, c, now);
    this.settle(j, c, now);
    return { type: 'job-result', rid, ok: true, job: j.id, cmd, msg: `job ${j.id}: command ${cmd}, ${msg.op} ${msg.file}` };
  }

  /**
   * Order command `c` at target `x`: the command before has ended there. A target the base server
   * could not reach for that one is not tried again: it has failed this one too.
   */
  /** A server's supported upload rate, as it said it (the latest; MAX_JOB_TARGETS servers at most, the oldest forgotten). */
  private noteUploadRate(addr: string, rate: number): void {
    this.uploadRates.delete(addr);
    this.uploadRates.set(addr, rate);
    if (this.uploadRates.size > MAX_JOB_TARGETS) this.uploadRates.delete(this.uploadRates.keys().next().value!);
  }

  /** Targets in the order to approach them (S5.2): by the upload rate they support, fastest first; those not heard from after, in the order given. */
  private fastestFirst<T extends { readonly addr: string }>(xs: readonly T[]): T[] {
    const rate = (x: T) => this.uploadRates.get(x.addr) ?? -1;
    return xs.map((x, i) => ({ x, i })).sort((a, b) => rate(b.x) - rate(a.x) || a.i - b.i).map((e) => e.x);
  }

  private release(j: Job, c: Command, x: Target, now: number): void {
    if (x.released) return;
    x.released = true;
    x.heardAt = now;
    if (c.state === 'waiting') c.state = 'running';
    const before = j.commands[c.cmd - 2]?.targets[x.idx];
    if (before?.st === 'failed' && before.code === 'target-unreachable') {
      this.targetFailed(j, c, x, 'target-unreachable', now);
      return;
    }
    c.relay.addPlan([[x.idx, x.addr]], now);
  }

  private targetFailed(j: Job, c: Command, x: Target, code: WireErrorCode, now: number): void {
    x.st = 'failed';
    x.code = code;
    x.failedAt = now;
    this.emit({ type: 'job-target', level: 'warn', job: j.id, cmd: c.cmd, target: x.addr, st: 'failed', code });
    this.targetEnded(j, c, x, now);
  }

  /** `x` has ended command `c`: the next command goes to it. */
  private targetEnded(j: Job, c: Command, x: Target, now: number): void {
    const next = j.commands[c.cmd];
    if (next) {
      this.release(j, next, next.targets[x.idx]!, now);
      this.drainRelay(j, next, now);
      this.settle(j, next, now);
    }
  }

  /** Room for one more job: forget the oldest finished one when full. */
  private makeRoom(): boolean {
    if (this.jobs.size < MAX_JOBS) return true;
    for (const j of this.jobs.values()) {
      if (j.state === 'completed' || j.state === 'failed') {
        this.forget(j);
        return true;
      }
    }
    return false;
  }

  private forget(j: Job): void {
    this.jobs.delete(j.id);
    this.dirty.delete(j.id);
    this.urgent.delete(j.id);
    this.journal.push({ kind: 'forget', job: j.id });
    for (const c of j.commands) {
      if (!c.key) continue;
      try {
        this.files.discard(c.key);
      } catch {
        // The store's own problem: the job is forgotten either way.
      }
    }
  }

  private answer(to: string, msg: MessageOf<'job-result' | 'job-status' | 'job-list'>, now: number): boolean {
    // A message that names a long file name stays within its field (MAX_ERROR_TEXT), or the provider could not read it.
    if (msg.type === 'job-result') msg = { ...msg, msg: clipUtf8(msg.msg, MAX_ERROR_TEXT) };
    // The request was padded to REQUEST_PAD_TO: the answer fits the address's budget (§9.4).
    return this.sendControl(to, msg, now, false);
  }

  // ---- The cascade (§14.2) -----------------------------------------------------------

  /** Send what the command's relay queued; its notes about targets it gave up come straight here. */
  private drainRelay(j: Job, c: Command, now: number): void {
    for (let s: RelaySend | undefined = c.relay.pollSend(); s; s = c.relay.pollSend()) {
      if (s.to === this.config.name && s.msg.type === 'job-note') {
        this.onNote(s.msg, this.config.name, now);
        continue;
      }
      if (s.msg.type === 'chunk') this.send(s.to, s.msg, s.validated);
      else this.sendControl(s.to, s.msg, now, s.validated);
    }
    for (let e = c.relay.pollEvent(); e; e = c.relay.pollEvent()) {
      if (e.type === 'source-stalled' && c.state === 'uploading') {
        c.uploadStalls++;
        if (c.uploadStalls >= 3) this.uploadFailed(j, c, now);
      }
      if (e.type === 'target-given-up' || e.type === 'source-switched' || e.type === 'source-stalled') this.emit(e);
    }
  }

  /** The provider stopped sending a command's file: the command has failed at every target that has not ended it. */
  private uploadFailed(j: Job, c: Command, now: number): void {
    c.state = 'failed';
    c.code = 'provider-gone';
    c.endedAt = now;
    c.relay.fail('provider-gone', 'the provider stopped sending the file');
    for (let s = c.relay.pollSend(); s; s = c.relay.pollSend()) if (s.to !== this.config.name) this.sendControl(s.to, s.msg, now, s.validated);
    for (const x of c.targets) {
      if (ended(x)) continue;
      x.st = 'failed';
      x.code = 'provider-gone';
      x.failedAt = now;
    }
    for (const x of c.targets) this.targetEnded(j, c, x, now);
    // Its first file will not come: the job is no longer uploading, and ends with its commands.
    if (j.state === 'uploading') j.state = 'running';
    this.settleJob(j, now);
  }

  // ---- Notes, queries, repairs (§14.4, §14.5) ------------------------------------------

  private onNote(n: MessageOf<'job-note'>, from: string, now: number): void {
    const j = this.jobs.get(n.job);
    const c = j?.commands[n.cmd - 1];
    const x = c?.targets[n.idx];
    if (!j || !c || !x) return this.drop('unexpected-message', from, `job-note for no job here (job ${n.job}, command ${n.cmd}, target ${n.idx})`, n.type);
    // A target speaks of itself; a source (or this base server) only of a target it gave up.
    const aboutItself = from === x.addr;
    if (!aboutItself && !(n.st === 'failed' && n.code === 'target-unreachable')) return this.drop('unexpected-message', from, `job-note about target ${n.idx} from another address`, n.type);
    if (x.st === 'completed' || (x.st === 'failed' && !aboutItself) || !x.released) return;
    // A target that failed unreachable and speaks again is back (S5.5): another round, at once.
    if (aboutItself && x.st === 'failed' && x.code === 'target-unreachable' && n.st !== 'failed') this.reopen(j, c, x, 'it is back', now);
    if (aboutItself) {
      if (n.upr !== undefined) this.noteUploadRate(x.addr, n.upr);
      x.heardAt = now;
      x.queries = 0;
      x.got = n.got;
      if (n.src !== undefined) x.src = n.src;
    }
    const was = x.st;
    switch (n.st) {
      case 'received':
        if (x.st === 'new' || x.st === 'failed') x.st = 'received';
        break;
      case 'progress':
        x.st = 'progress';
        if (aboutItself && n.up !== undefined) {
          x.delivered = n.up;
          this.help(j, c, x, now);
        }
        break;
      case 'completed':
        x.st = 'completed';
        x.up = n.up;
        x.code = undefined;
        break;
      case 'stalled':
        x.st = n.got > 0 ? 'progress' : 'received';
        // While the provider is still sending, every source waits for it: no source to blame.
        if (c.state === 'running') this.repair(j, c, x, 'its source stalled', now);
        break;
      case 'unknown':
        this.repair(j, c, x, 'it does not hold the job', now);
        break;
      case 'failed':
        if (aboutItself) {
          x.st = 'failed';
          x.code = n.code as WireErrorCode | undefined ?? 'write-error';
          x.failedAt = now;
        } else this.repair(j, c, x, `${from === this.config.name ? 'this base server' : from} could not reach it`, now);
        break;
    }
    if (x.st !== was) {
      this.emit({ type: 'job-target', level: x.st === 'failed' ? 'warn' : 'debug', job: j.id, cmd: c.cmd, target: x.addr, st: x.st, ...(x.code ? { code: x.code } : {}) });
      if (ended(x)) this.targetEnded(j, c, x, now);
    }
    this.settle(j, c, now);
  }

  /**
   * A target whose source delivers less than JOB_SLOW_SHARE of the job's rate, with most of the file
   * still to come, is offered a faster source (S5.4): a target that holds the file whole and is not
   * its source, the least busy with such help first, then the fastest. Past JOB_MAX_SWITCHES such
   * offers, the base server serves it itself.
   */
  private help(j: Job, c: Command, x: Target, now: number): void {
    if (c.state !== 'running' || c.op !== 'copy' || x.delivered === undefined || x.delivered >= c.rate * JOB_SLOW_SHARE) return;
    if (x.got > c.size * 0.75 || (x.helpedAt !== undefined && now - x.helpedAt < JOB_HELP_INTERVAL)) return;
    if (x.helps >= JOB_MAX_SWITCHES) {
      if (x.src === this.config.name) return;
      x.helpedAt = now;
      this.emit({ type: 'job-help', level: 'info', job: j.id, target: x.addr, helper: this.config.name, delivered: x.delivered });
      c.relay.addPlan([[x.idx, x.addr]], now, true);
      return this.drainRelay(j, c, now);
    }
    let helper: Target | undefined;
    for (const h of c.targets) {
      if (h.st !== 'completed' || h.addr === x.src || h === x) continue;
      if (!helper || h.helping < helper.helping || (h.helping === helper.helping && (h.up ?? 0) > (helper.up ?? 0))) helper = h;
    }
    if (!helper) return;
    x.helpedAt = now;
    x.helps++;
    helper.helping++;
    this.emit({ type: 'job-help', level: 'info', job: j.id, target: x.addr, helper: helper.addr, delivered: x.delivered });
    c.relay.delegate([helper.idx, helper.addr], [[x.idx, x.addr]], now);
    this.drainRelay(j, c, now);
  }

  /** Serve a target from here (S5.5): bounded by the repair attempts, then it has failed. */
  private repair(j: Job, c: Command, x: Target, why: string, now: number): void {
    // Waiting for a place among those this base server serves, or served by it now: nothing to repair yet.
    if (c.relay.owns(x.addr)) {
      x.heardAt = now;
      x.queries = 0;
      return;
    }
    if (x.repairs >= this.timeouts.repairAttempts) {
      x.st = 'failed';
      x.code = 'target-unreachable';
      x.failedAt = now;
      this.touch(j.id);
      return;
    }
    x.repairs++;
    x.queries = 0;
    x.heardAt = now;
    this.emit({ type: 'job-repair', level: 'warn', job: j.id, target: x.addr, attempt: x.repairs, why });
    c.relay.addPlan([[x.idx, x.addr]], now, true);
    this.drainRelay(j, c, now);
  }

  /**
   * A target that failed unreachable gets another round of repairs (S5.5), its command and its job
   * under way again: it is back (it spoke), or the delay its failure was reported with has passed.
   * The base server serves it at once (whoever served it before gave it up); the later commands it
   * failed for the same reason wait for this one to end there again, as commands do.
   */
  private reopen(j: Job, c: Command, x: Target, why: string, now: number): void {
    this.emit({ type: 'job-retry', level: 'warn', job: j.id, cmd: c.cmd, target: x.addr, round: x.retries, why });
    for (const later of j.commands.slice(c.cmd)) {
      const y = later.targets[x.idx]!;
      if (y.st !== 'failed' || y.code !== 'target-unreachable') break;
      Object.assign(y, { st: 'new', code: undefined, failedAt: undefined, repairs: 0, queries: 0, released: false });
      this.resume(j, later);
    }
    Object.assign(x, { st: 'new', code: undefined, failedAt: undefined, repairs: 0, queries: 0, heardAt: now });
    this.resume(j, c);
    this.repair(j, c, x, why, now);
  }

  /** A command (and its job) that had ended is under way again. */
  private resume(j: Job, c: Command): void {
    if (over(c)) Object.assign(c, { state: 'running', code: undefined, endedAt: undefined });
    if (j.state === 'completed' || j.state === 'failed') Object.assign(j, { state: 'running', code: undefined, endedAt: undefined });
  }

  /** Failed targets whose delay has passed get another round, JOB_RETRY_ROUNDS at most. */
  private retryFailed(j: Job, c: Command, now: number): void {
    if (c.state === 'uploading' || c.state === 'waiting') return;
    for (const x of c.targets) {
      if (!this.retryable(x) || now < x.failedAt! + this.timeouts.retryDelay) continue;
      x.retries++;
      this.reopen(j, c, x, `another round, ${this.timeouts.retryDelay} ms after it failed`, now);
    }
  }

  /** A target that failed unreachable, with rounds left. */
  private retryable(x: Target): boolean {
    return x.st === 'failed' && x.code === 'target-unreachable' && x.failedAt !== undefined && x.retries < JOB_RETRY_ROUNDS;
  }

  /** When a failed target of the command gets another round, if one does. */
  private nextRetry(c: Command): number | undefined {
    if (c.state === 'uploading' || c.state === 'waiting') return undefined;
    let at: number | undefined;
    for (const x of c.targets) if (this.retryable(x)) at = Math.min(at ?? Infinity, x.failedAt! + this.timeouts.retryDelay);
    return at;
  }

  /** Every target has ended the command: it ends; once every command has, the job does. */
  private settle(j: Job, c: Command, now: number): void {
    if (c.state !== 'running') return;
    if (c.targets.some((x) => !ended(x))) return;
    const failed = c.targets.find((x) => x.st === 'failed');
    c.state = failed ? 'failed' : 'completed';
    c.code = failed ? failed.code ?? 'target-unreachable' : undefined;
    c.endedAt = now;
    if (c.cmd > 1) this.emit({ type: 'job-command-ended', level: failed ? 'warn' : 'info', job: j.id, cmd: c.cmd, op: c.op, file: c.file, state: c.state, ...(c.code ? { code: c.code } : {}) });
    this.settleJob(j, now);
  }

  private settleJob(j: Job, now: number): void {
    if (j.state !== 'running' || j.commands.some((c) => !over(c))) return;
    const failed = j.commands.find((c) => c.state === 'failed');
    this.end(j, failed ? 'failed' : 'completed', failed?.code, now);
  }

  private end(j: Job, state: 'completed' | 'failed', code: WireErrorCode | undefined, now: number): void {
    j.state = state;
    j.code = code;
    j.endedAt = now;
    const completed = j.targets.filter((x) => j.commands.every((c) => c.targets[x.idx]!.st === 'completed')).length;
    if (state === 'completed') this.emit({ type: 'job-completed', level: 'info', job: j.id, file: j.file, targets: completed, ms: now - j.created });
    else this.emit({ type: 'job-failed', level: 'warn', job: j.id, file: j.file, code: code ?? 'target-unreachable', completed, failed: j.targets.length - completed, ms: now - j.created });
  }

  private onTimer(now: number): void {
    this.lastNow = now;
    for (const j of [...this.jobs.values()]) {
      if (j.state === 'completed') continue;
      for (const c of j.commands) {
        this.retryFailed(j, c, now);
        if (over(c)) continue;
        c.relay.handleTimeout(now);
        this.drainRelay(j, c, now);
        if (c.state !== 'running') continue;
        for (const x of c.targets) {
          if (ended(x) || !x.released) continue;
          if (now < Math.max(x.heardAt, x.queriedAt ?? 0) + this.timeouts.queryAfter) continue;
          // Still in this base server's own plan (it serves `fanout` at once): not late, only waiting.
          if (x.st === 'new' && c.relay.owns(x.addr)) {
            x.heardAt = now;
            continue;
          }
          if (x.queries >= this.timeouts.queryAttempts) {
            this.repair(j, c, x, `it answered none of ${x.queries} queries`, now);
            if (ended(x)) this.targetEnded(j, c, x, now);
            continue;
          }
          x.queries++;
          x.queriedAt = now;
          this.sendControl(x.addr, { type: 'job-query', job: j.id, cmd: c.cmd, idx: x.idx }, now, true);
        }
        this.settle(j, c, now);
      }
    }
  }

  // ---- Status (§14.6) ------------------------------------------------------------------

  private onStatusRequest(r: MessageOf<'job-status-request'>, from: string, now: number): void {
    this.answer(from, this.statusPage(r.rid, r.job, r.from, now, r.cmd ?? 1), now);
  }

  statusPage(rid: number, id: number, from: number, now: number, cmd = 1): MessageOf<'job-status'> {
    const j = this.jobs.get(id);
    const c = j?.commands[cmd - 1];
    if (!j || !c) return { type: 'job-status', rid, job: id, found: false, file: '', size: 0, state: 'failed', age: 0, got: 0, total: 0, counts: [0, 0, 0, 0, 0], from, rows: [] };
    const counts: [number, number, number, number, number] = [0, 0, 0, 0, 0];
    const order: TargetState[] = ['new', 'received', 'progress', 'completed', 'failed'];
    for (const x of c.targets) counts[order.indexOf(x.st)]!++;
    const empty: MessageOf<'job-status'> = {
      type: 'job-status', rid, job: id, found: true, file: c.file, size: c.size, state: j.state, age: Math.floor(now - j.created),
      ...(j.endedAt !== undefined ? { took: Math.floor(j.endedAt - j.created) } : {}),
      got: c.relay.holding.got, total: c.targets.length,
      ...(j.commands.length > 1 || cmd > 1 ? { cmd, cmds: j.commands.length, op: c.op, cst: c.state } : {}),
      counts, from, rows: [],
    };
    // Rows while the page fits (§7.1): the MAC and its clock counted.
    const page = new ListFill<MessageOf<'job-status'>['rows'][number]>(MESSAGES['job-status'].fields.rows.of!, encodedLength({ ...empty, at: now }, true), MAX_DATAGRAM, JOB_STATUS_ROWS);
    for (const x of c.targets.slice(from, from + JOB_STATUS_ROWS)) {
      const row = {
        idx: x.idx, srv: x.addr, st: x.st, got: x.got,
        ...(x.src !== undefined ? { src: x.src } : {}),
        ...(x.code !== undefined ? { code: x.code } : {}),
        ...(this.retryable(x) ? { retry: Math.max(0, Math.floor(x.failedAt! + this.timeouts.retryDelay - now)) } : {}),
      };
      if (!page.add(row)) break;
    }
    return { ...empty, rows: page.items };
  }

  /**
   * One page of the jobs held, oldest first, from index `from` (§14.6): as many rows as fit (the MAC
   * and its clock counted), at most JOB_LIST_ROWS. A job forgotten between two pages shifts the
   * rest by one: the list is a look, not a ledger. A target counts as completed once it has
   * completed every command, as failed once it has ended every command and failed one; the bytes
   * are those of the job's copy.
   */
  listPage(rid: number, from: number, now: number): MessageOf<'job-list'> {
    const empty: MessageOf<'job-list'> = { type: 'job-list', rid, total: this.jobs.size, from, rows: [] };
    const page = new ListFill<MessageOf<'job-list'>['rows'][number]>(MESSAGES['job-list'].fields.rows.of!, encodedLength({ ...empty, at: now }, true), MAX_DATAGRAM, JOB_LIST_ROWS);
    let i = 0;
    for (const j of this.jobs.values()) {
      if (i++ < from) continue;
      let done = 0;
      let failed = 0;
      let got = 0;
      for (const x of j.targets) {
        const states = j.commands.map((c) => c.targets[x.idx]!.st);
        if (states.every((s) => s === 'completed')) done++;
        else if (states.every((s) => s === 'completed' || s === 'failed')) failed++;
        got += x.st === 'completed' ? j.size : x.got;
      }
      if (!page.add({ job: j.id, file: j.file, size: j.size, state: j.state, age: Math.floor(now - j.created), done, failed, total: j.targets.length, got })) break;
    }
    return { ...empty, rows: page.items };
  }
}
