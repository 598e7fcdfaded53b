/**
 * The content provider (S5.1, §14.1): it submits a job to a base server,
 * serves the file to the base server's pulls (the provider is the first
 * source of the cascade), and follows the job's state by `job-status` until it
 * ends, when asked to (`ofp job submit --wait`). The job lives on at the base
 * server once the upload is done: the provider may leave then.
 *
 * Pure: the file is read through the job files it is given.
 */
import { JOB_PLAN_PART, MAX_JOB_COMMANDS, REQUEST_PAD_TO } from '../../protocol/constants.js';
import { encodedLength } from '../../protocol/codec.js';
import type { WireCode } from '../../protocol/errors.js';
import { MESSAGES, type MessageOf } from '../../protocol/messages.js';
import { equalBytes } from '../../protocol/auth.js';
import { padded } from '../../protocol/padding.js';
import { type Input, RoleCore, type RoleDeps } from '../role.js';
import { soonest } from '../timers.js';
import { Holding, type JobFiles } from '../jobs/holding.js';
import { Outlet } from '../jobs/outlet.js';
import { partsOf } from '../jobs/parts.js';

/** A request to the base server unanswered this long is sent again, ms. */
export const PROVIDER_RETRY = 500;
/** Requests sent before the base server counts as unreachable. */
export const PROVIDER_ATTEMPTS = 6;
/** While following a job, its state is asked this often, ms. */
export const PROVIDER_FOLLOW_INTERVAL = 250;

export interface ProviderConfig {
  readonly base: string;
  /** Submit this file: its name at the targets, its hash list, and how to read it. */
  readonly submit?: {
    readonly file: string;
    readonly size: number;
    readonly list: Uint8Array;
    readonly root: Uint8Array;
    readonly targets: readonly string[];
    readonly rate?: number;
    /** The media rate the targets stream it at. */
    readonly mrate?: number;
  };
  /** Add a command to this job (§14.8): `ofp job add`; a `copy` gives its file as `submit` does. */
  readonly add?: {
    readonly job: number;
    readonly op: 'copy' | 'delete' | 'verify';
    readonly file: string;
    readonly size?: number;
    readonly list?: Uint8Array;
    readonly root?: Uint8Array;
    readonly rate?: number;
    readonly mrate?: number;
  };
  /** Follow this job (without `submit`): `ofp job status`, `ofp job wait`. */
  readonly job?: number;
  /** Follow the job until it ends; otherwise stop once the upload is done (or after one status, without `submit`). */
  readonly follow: boolean;
}

export type JobStatusPage = MessageOf<'job-status'>;
export type JobRow = JobStatusPage['rows'][number];
/** A command of a job and its state at each target (§14.8), as `ofp job status` shows it. */
export interface CommandRows {
  readonly cmd: number;
  readonly op: 'copy' | 'delete' | 'verify';
  readonly file: string;
  readonly state: NonNullable<JobStatusPage['cst']>;
  readonly counts: JobStatusPage['counts'];
  readonly rows: readonly JobRow[];
}

export type ProviderEvent =
  | { readonly type: 'job-accepted'; readonly level: 'info'; readonly job: number; readonly msg: string }
  | { readonly type: 'job-refused'; readonly level: 'error'; readonly code: WireCode; readonly msg: string }
  | { readonly type: 'uploaded'; readonly level: 'info'; readonly job: number; readonly bytes: number; readonly ms: number; readonly chunks: number; readonly resent: number }
  | { readonly type: 'job-progress'; readonly level: 'info'; readonly job: number; readonly state: JobStatusPage['state']; readonly counts: JobStatusPage['counts']; readonly got: number; readonly size: number }
  | { readonly type: 'job-command-accepted'; readonly level: 'info'; readonly job: number; readonly cmd: number; readonly msg: string }
  | { readonly type: 'job-state'; readonly level: 'info'; readonly status: Omit<JobStatusPage, 'rows' | 'rid' | 'from' | 'type' | 'at'>; readonly rows: readonly JobRow[]; readonly commands?: readonly CommandRows[] }
  | { readonly type: 'job-unknown'; readonly level: 'error'; readonly job: number }
  | { readonly type: 'base-unreachable'; readonly level: 'error'; readonly base: string; readonly attempts: number };

/** `start`: submit, or ask (any first input does); `stop`: give up. */
export type ProviderCommand = { readonly type: 'start' } | { readonly type: 'stop' };

type Phase = 'submitting' | 'uploading' | 'following' | 'paging' | 'done';

export class Provider extends RoleCore<ProviderCommand, ProviderEvent> {
  private phase: Phase;
  private readonly holding: Holding | undefined;
  private readonly outlet: Outlet | undefined;
  private readonly tag: Uint8Array;
  private rid: number;
  private jobId: number | undefined;
  private submits: MessageOf<'job-submit'>[] = [];
  private sentAt: number | undefined;
  private attempts = 0;
  private started: number | undefined;
  private lastCounts = '';
  private rows: JobRow[] = [];
  private nextAsk: number | undefined;
  /** The outcome, once done: the job's final state page, or why there is none. */
  outcome: 'completed' | 'failed' | 'uploaded' | 'added' | 'status' | 'refused' | 'unreachable' | 'unknown' | undefined;
  /** The command this provider submitted or added: 1, the job's copy, unless it added one. */
  private cmd = 1;
  /** While paging: the command whose rows are read, and the commands read before it. */
  private pageCmd = 1;
  private commandRows: CommandRows[] = [];
  private adds: MessageOf<'job-add'> | undefined;
  private firstStatus: Extract<ProviderEvent, { type: 'job-state' }>['status'] | undefined;

  constructor(deps: RoleDeps, readonly config: ProviderConfig, files: JobFiles) {
    super(deps);
    this.tag = deps.rng.bytes(8);
    this.rid = deps.rng.id();
    const s = config.submit ?? (config.add?.op === 'copy' ? config.add : undefined);
    if (s) {
      if (s.size === undefined || s.root === undefined || s.list === undefined) throw new Error('a copy gives its file\'s size, hash list and root');
      const h = Holding.whole(s.size, s.root, s.list, 'upload', files, deps.crypto);
      if (!h) throw new Error('the hash list does not match its root');
      this.holding = h;
      this.outlet = new Outlet(config.base, s.rate ?? Number.MAX_SAFE_INTEGER);
      this.phase = 'submitting';
    } else if (config.add) {
      this.phase = 'submitting';
    } else {
      if (config.job === undefined) throw new Error('a provider submits a file or follows a job');
      this.jobId = config.job;
      this.phase = 'following';
    }
  }

  get done(): boolean {
    return this.phase === 'done';
  }

  get job(): number | undefined {
    return this.jobId;
  }

  handle(input: Input<ProviderCommand>, now: number): void {
    if (this.started === undefined) {
      this.started = now;
      this.kick(now);
    }
    if (this.phase === 'done') return;
    switch (input.kind) {
      case 'datagram':
        return this.onDatagram(input.from, input.bytes, now);
      case 'timer':
        return this.onTimer(now);
      case 'command':
        if (input.command.type === 'stop') this.phase = 'done';
    }
  }

  private kick(now: number): void {
    const a = this.config.add;
    if (a) {
      this.jobId = a.job;
      this.adds = {
        type: 'job-add', rid: this.rid, job: a.job, op: a.op, file: a.file, tag: this.tag,
        ...(a.op === 'copy' ? { size: a.size!, root: a.root! } : {}), ...(a.rate ? { rate: a.rate } : {}), ...(a.mrate ? { mrate: a.mrate } : {}),
      };
      this.sendSubmits(now);
    } else if (this.phase === 'submitting') {
      const s = this.config.submit!;
      const empty: MessageOf<'job-submit'> = { type: 'job-submit', rid: this.rid, file: s.file, size: s.size, root: s.root, ...(s.rate ? { rate: s.rate } : {}), ...(s.mrate ? { mrate: s.mrate } : {}), tag: this.tag, to: [], part: 0, parts: 1 };
      // Room for the pad's key and header besides (§9.4): each part is then padded to REQUEST_PAD_TO.
      const emptySize = encodedLength({ ...empty, part: 65_535, parts: 65_535, at: Number.MAX_SAFE_INTEGER }, true) + 8;
      const parts = partsOf(s.targets, MESSAGES['job-submit'].fields.to.of!, emptySize, JOB_PLAN_PART);
      this.submits = parts.map((to, part) => ({ ...empty, to, part, parts: parts.length }));
      this.sendSubmits(now);
    } else this.ask(0, now);
  }

  /** When the first `job-submit` went. */
  private submittedAt: number | undefined;

  private sendSubmits(now: number): void {
    this.submittedAt ??= now;
    this.attempts++;
    this.sentAt = now;
    for (const m of this.submits) this.sendPadded(m, now);
    if (this.adds) this.sendPadded(this.adds, now);
  }

  /** Requests are padded to REQUEST_PAD_TO (§9.4): the answers never outweigh them. */
  private sendPadded(m: MessageOf<'job-submit' | 'job-add' | 'job-status-request'>, now: number): void {
    const auth = this.deps.auth;
    const msg = padded(m, REQUEST_PAD_TO, auth ? (x) => auth.encode(x, now) : undefined);
    this.sendControl(this.config.base, msg, now, true);
  }

  private ask(from: number, now: number): void {
    this.attempts++;
    this.sentAt = now;
    const cmd = this.phase === 'paging' ? this.pageCmd : this.cmd;
    this.sendPadded({ type: 'job-status-request', rid: this.rid, job: this.jobId!, ...(cmd > 1 ? { cmd } : {}), from }, now);
  }

  pollTimeout(): number | undefined {
    if (this.phase === 'done') return undefined;
    const waiting = this.sentAt !== undefined ? this.sentAt + PROVIDER_RETRY : undefined;
    return soonest({ waiting, next: this.nextAsk, send: this.holding && this.outlet ? this.outlet.nextSend(this.holding, this.lastNow) : undefined });
  }

  private lastNow = 0;

  private onTimer(now: number): void {
    this.lastNow = now;
    if (this.holding && this.outlet) this.pump(now);
    if (this.nextAsk !== undefined && now >= this.nextAsk) {
      this.nextAsk = undefined;
      this.attempts = 0;
      this.ask(this.phase === 'paging' ? this.rows.length : 0, now);
      return;
    }
    if (this.sentAt === undefined || now < this.sentAt + PROVIDER_RETRY) return;
    if (this.attempts >= PROVIDER_ATTEMPTS) {
      this.emit({ type: 'base-unreachable', level: 'error', base: this.config.base, attempts: this.attempts });
      return this.finish('unreachable');
    }
    if (this.phase === 'submitting') this.sendSubmits(now);
    else this.ask(this.phase === 'paging' ? this.rows.length : 0, now);
  }

  private onDatagram(from: string, bytes: Uint8Array, now: number): void {
    this.lastNow = now;
    const d = this.receive(from, bytes, now);
    if (!d) return;
    if (from !== this.config.base) return this.drop('unexpected-message', from, 'a provider speaks only with its base server', d.msg.type);
    if (!this.authentic(d, from, now)) return;
    const msg = d.msg;
    switch (msg.type) {
      case 'job-result':
        return this.onResult(msg, now);
      case 'job-pull':
        return this.onPull(msg, now);
      case 'job-status':
        return this.onStatus(msg, now);
      default:
        return this.drop('unexpected-message', from, `a provider does not take ${msg.type}`, msg.type);
    }
  }

  private onResult(r: MessageOf<'job-result'>, now: number): void {
    if (r.rid !== this.rid || this.phase !== 'submitting') return;
    if (r.ok && this.jobId !== undefined && r.job !== this.jobId) return this.drop('unexpected-message', this.config.base, `job-result names job ${r.job}, its pulls ${this.jobId}`, r.type);
    this.sentAt = undefined;
    this.attempts = 0;
    if (!r.ok || r.job === undefined) {
      this.emit({ type: 'job-refused', level: 'error', code: r.code ?? ('bad-request' as WireCode), msg: r.msg });
      return this.finish('refused');
    }
    if (this.config.add) {
      if (r.cmd === undefined) return this.drop('unexpected-message', this.config.base, 'job-result to a job-add names no command', r.type);
      this.cmd = r.cmd;
      this.emit({ type: 'job-command-accepted', level: 'info', job: r.job, cmd: r.cmd, msg: r.msg });
      if (this.config.add.op !== 'copy') {
        this.phase = 'following';
        if (!this.config.follow) return this.finish('added');
        this.nextAsk = now + PROVIDER_FOLLOW_INTERVAL;
        return;
      }
      this.phase = 'uploading';
      this.nextAsk = now + PROVIDER_FOLLOW_INTERVAL;
      return;
    }
    this.jobId = r.job;
    this.phase = 'uploading';
    this.emit({ type: 'job-accepted', level: 'info', job: r.job, msg: r.msg });
    this.nextAsk = now + PROVIDER_FOLLOW_INTERVAL;
  }

  private onPull(p: MessageOf<'job-pull'>, now: number): void {
    if (!this.outlet || !equalBytes(p.tag, this.tag) || (this.jobId !== undefined && p.job !== this.jobId) || (this.config.add && p.cmd === 1)) return this.drop('unexpected-message', this.config.base, 'job-pull for no upload of this provider', p.type);
    // The base server pulls as soon as it has made the job: its pull, with this provider's cookie, says the job's id (and command) before any lost `job-result` comes again.
    this.jobId ??= p.job;
    this.cmd = p.cmd;
    if (p.stop) {
      // The base server holds the file whole: its status says so next.
      this.outlet.pulled([], now);
      this.nextAsk = now;
      return;
    }
    // The first pull answers the submit: a round trip, before any chunk is sent (§14.3).
    if (this.outlet.srtt === undefined && this.submittedAt !== undefined) this.outlet.rttSample(now - this.submittedAt);
    this.outlet.pulled(p.want, now);
    this.pump(now);
  }

  private pump(now: number): void {
    this.outlet!.pump(this.holding!, now, (i) => {
      this.send(this.config.base, { type: 'chunk', job: this.jobId!, cmd: this.cmd, i, d: this.holding!.chunk(i) }, true);
    });
  }

  private onStatus(s: MessageOf<'job-status'>, now: number): void {
    if (s.rid !== this.rid) return;
    this.sentAt = undefined;
    this.attempts = 0;
    if (!s.found) {
      this.emit({ type: 'job-unknown', level: 'error', job: s.job });
      return this.finish('unknown');
    }
    const counts = `${s.state}|${s.counts.join(',')}|${s.got}`;
    if (counts !== this.lastCounts) {
      this.lastCounts = counts;
      this.emit({ type: 'job-progress', level: 'info', job: s.job, state: s.state, counts: s.counts, got: s.got, size: s.size });
    }
    // The command's own state (a page of another command than the first says it), else the job's.
    if (this.phase === 'uploading' && (s.cst ?? s.state) !== 'uploading' && (s.cmd ?? 1) === this.cmd) {
      this.emit({ type: 'uploaded', level: 'info', job: s.job, bytes: s.size, ms: now - this.started!, chunks: this.outlet?.sent ?? 0, resent: this.outlet?.resent ?? 0 });
      this.phase = 'following';
      if (!this.config.follow) return this.finish(this.config.add ? 'added' : 'uploaded');
    }
    const ended = s.state === 'completed' || s.state === 'failed';
    // The end, or the one look of `ofp job status`: every row of every command, page by page.
    if (this.phase === 'following' && (ended || (!this.config.follow && !this.config.submit && !this.config.add))) {
      this.phase = 'paging';
      this.pageCmd = 1;
      this.commandRows = [];
      this.rows = [];
      if ((s.cmd ?? 1) !== 1) return this.ask(0, now);
    }
    if (this.phase === 'paging') {
      if ((s.cmd ?? 1) !== this.pageCmd) return;
      if (s.from === this.rows.length) this.rows.push(...s.rows);
      if (this.rows.length < s.total && s.rows.length > 0) return this.ask(this.rows.length, now);
      const cmds = Math.min(s.cmds ?? 1, MAX_JOB_COMMANDS);
      if (this.pageCmd === 1) {
        const { rows: _rows, rid: _rid, from: _from, type: _type, at: _at, cmd: _cmd, op: _op, cst: _cst, ...head } = s;
        this.firstStatus = head;
      }
      this.commandRows.push({ cmd: this.pageCmd, op: s.op ?? 'copy', file: s.file, state: s.cst ?? (s.state === 'uploading' ? 'uploading' : s.state), counts: s.counts, rows: this.rows });
      if (this.pageCmd < cmds) {
        this.pageCmd++;
        this.rows = [];
        return this.ask(0, now);
      }
      // The job as the last page says it (its state may have moved on), with its copy's file, counts and bytes.
      const f = this.firstStatus!;
      const status = { ...f, state: s.state, age: s.age, ...(s.took !== undefined ? { took: s.took } : {}) };
      this.emit({ type: 'job-state', level: 'info', status, rows: this.commandRows[0]!.rows, ...(this.commandRows.length > 1 ? { commands: this.commandRows } : {}) });
      return this.finish(ended ? s.state as 'completed' | 'failed' : 'status');
    }
    this.nextAsk = now + PROVIDER_FOLLOW_INTERVAL;
  }

  private finish(outcome: NonNullable<Provider['outcome']>): void {
    this.outcome = outcome;
    this.phase = 'done';
    this.sentAt = undefined;
    this.nextAsk = undefined;
  }
}

