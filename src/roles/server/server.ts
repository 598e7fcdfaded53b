/**
 * The media server (S1): registers its content list with its masters (S1.1),
 * answers load polls and pushes load reports (S1.5), answers requests,
 * forwarded requests and stream establishments with a setup (S1.3, S1.4,
 * S2.6), and streams media items — one or several flows (S2.4) — at their
 * rate times the stream's scale (S2.1), resending what clients report missing
 * (§5). It tells each of its masters each stream's control events (§10.4),
 * relays a handoff its supervisor orders — the one master of several that
 * moves its streams (§12.2) — to the client (§10.6), and when draining marks
 * its data with the change indicator (S2.5c).
 */
import {
  CLIENT_SILENCE_TIMEOUT,
  COOKIE_LENGTH,
  DATA_CHUNK,
  MAX_LOAD_SIDS,
  MAX_STREAM_RATE,
  PACING_TICK,
  REGISTER_PAD_TO,
  SERVER_HOUSEKEEPING,
  SETUP_TIMEOUT,
  MAX_TRACKED_STREAMS,
  MAX_DATAGRAM,
  MAX_LIST_SERVERS,
  STREAM_KEY_LENGTH,
  TOKEN_TTL,
} from '../../protocol/constants.js';
import { equalBytes } from '../../protocol/auth.js';
import { type Decoded, encode, encodedLength } from '../../protocol/codec.js';
import type { WireErrorCode } from '../../protocol/errors.js';
import type { MessageOf, ServerFacts } from '../../protocol/messages.js';
import { type Input, RoleCore, type RoleDeps, type TableSize } from '../role.js';
import { canMove } from '../stateMachine.js';
import { type Deadlines, soonest } from '../timers.js';
import { admitDatagram, type RateLimit, SourceLimiter } from '../rateLimit.js';
import { Drain, type DrainReport } from './drain.js';
import type { SelfState, ServerEvent } from './events.js';
import type { Chunk } from './flowSender.js';
import { type LoadNow, type LoadReport, LoadReports } from './loadReports.js';
import { Registration, REGISTRATION_TABLE, type RegistrationState, type RegistrationStep } from './registration.js';
import { SupervisorRecord } from './supervisorRecord.js';
import { type FlowFile, offsetsAt, ServerStream, SERVER_STREAM_TABLE, type StreamTrigger } from './stream.js';
import { Tracker } from './tracker.js';
import { type StreamView, streamView } from './views.js';
import { SharedView, type ViewGossip, type ViewPeer } from './view.js';
import { JobAgent, type JobAgentOptions, type JobTask, type ReadyFile } from './jobs.js';
import type { JobFiles } from '../jobs/holding.js';
import { fitted, fromWire, toWire } from '../membership/messages.js';
import type { MemberData } from '../membership/membership.js';
import { ListFill } from '../../protocol/sizes.js';
import { MESSAGES } from '../../protocol/messages.js';

/** A media item: one file, or several flows streamed together (S2.4). */
export interface MediaFile {
  readonly name: string;
  /** Total size in bytes (of every flow). */
  readonly size: number;
  /** Total media rate, bits per second. */
  readonly rate: number;
  /** The flows, when more than one; a single-flow item is the file `name` itself. */
  readonly flows?: readonly FlowFile[];
}

/** Reads media bytes. It may throw (a disk error): the stream then ends with `media-error`. */
export interface MediaReader {
  read(file: string, offset: number, length: number): Uint8Array;
}

export interface ServerConfig {
  /** The address clients reach this server at (`host:port`): its name. */
  readonly name: string;
  /** Its masters' addresses (one, or the group's, §12.2): it registers with each; the first supervises it until a master claims the supervision. */
  readonly masters: readonly string[];
  readonly group: string;
  /** Capacity, bits per second. */
  readonly cap: number;
  readonly files: readonly MediaFile[];
  /** Static facts for its masters (S3.5, §12.5). */
  readonly facts?: ServerFacts;
  /** Per-source rate limit on datagrams (§9.5); none when absent. The masters' addresses are exempt. */
  readonly rateLimit?: RateLimit;
  /** Peers to join the servers' view through (§13.1, `--peers`); its masters name others once it is registered. */
  readonly peers?: readonly string[];
  /** The view's rounds of gossip (§13.1): how often and to how many peers; VIEW_GOSSIP_INTERVAL and VIEW_GOSSIP_NODES when absent. */
  readonly gossip?: ViewGossip;
  /** Distribution jobs (§14): the rate and fanout of the transfers this server serves, and the media rate of a file a job brings (it has no sidecar). */
  readonly jobs?: JobAgentOptions & { readonly mediaRate: number };
}

/** The server's tie to one of its masters: its registration there (§6.5), the load reports (S1.5) and the stream control events (§10.4) it is sent. */
interface MasterLink {
  readonly master: string;
  readonly registration: Registration;
  readonly loads: LoadReports;
  readonly tracker: Tracker;
}

/** Which registration state stands for the server's, over its masters: the furthest along. */
const REGISTRATION_RANK: Readonly<Record<RegistrationState, number>> = { registered: 3, listing: 2, registering: 1, stopped: 0 };

/**
 * `start`: register with the masters (any first input does); `stop`: end
 * streams, send `leave`; `drain`: hand every stream off, then stop;
 * `capacity`: a new capacity (a server beyond it is overloaded).
 */
export type ServerCommand =
  | { readonly type: 'start' }
  | { readonly type: 'stop' }
  | { readonly type: 'drain' }
  | { readonly type: 'capacity'; readonly cap: number };
export type { ServerEvent } from './events.js';
export { REGISTRATION_TABLE, type RegistrationState, type RegistrationTrigger } from './registration.js';

/** The earlier of two deadlines, either of which may be unset. */
function earlier(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || (b !== undefined && b < a) ? b : a;
}

/** A deadline that has come. */
function isDue(at: number | undefined, now: number): boolean {
  return at !== undefined && now >= at;
}

/** `12.5 Mbit/s`: a rate for people. */
function mbit(bps: number): string {
  return `${Number((bps / 1e6).toPrecision(4))} Mbit/s`;
}

/** Why a stream of media rate `rate` (bit/s) may not go at `scale`: it would be paced beyond MAX_STREAM_RATE (§5.1). */
function tooFast(rate: number, scale: number): string {
  return `${scale / 1000}x of ${mbit(rate)} is ${mbit((rate * scale) / 1000)}: one stream may go at most ${mbit(MAX_STREAM_RATE)} (MAX_STREAM_RATE)`;
}

type SetupFields = Omit<MessageOf<'setup'>, 'type' | 'rid'>;
type Refusal = { code: WireErrorCode; text: string };

/**
 * The server's deadlines, each a named slot (one timer table), the soonest over its masters where
 * it has one per master: `retry` a registration's next `register` or `content` sending, `silence`
 * a master's silence, `report` a load report (pushed on a change of load, or a heartbeat when
 * polls stopped coming), `track` the stream control
 * events to send again, `tick` pacing and housekeeping, `drain` the bound of a drain, `view` the
 * servers' view (§13).
 */
export type ServerTimer = 'retry' | 'silence' | 'report' | 'track' | 'tick' | 'drain' | 'view' | 'jobs';
/** The order in which a wake-up handles what is due. */
const TIMER_ORDER: readonly ServerTimer[] = ['retry', 'silence', 'report', 'track', 'tick', 'drain', 'view', 'jobs'];

export class MediaServer extends RoleCore<ServerCommand, ServerEvent> {
  readonly config: ServerConfig;
  readonly epoch: number;
  readonly files = new Map<string, MediaFile>();
  private readonly streams = new Map<number, ServerStream>();
  /** Capacity now, bits per second (an operator may change it). */
  cap: number;
  /** Draining (S2.5c): a sub-machine whose outcomes the server reports and acts on. */
  private readonly draining = new Drain();

  /** The server's bounded tables, with their bounds (§7.3): a read-only view for tests and tools. */
  override tables(): Record<string, TableSize> {
    return {
      ...super.tables(),
      ...this.view?.tables(),
      'tracked streams': { size: Math.max(0, ...[...this.links.values()].map((l) => l.tracker.size)), limit: MAX_TRACKED_STREAMS },
      'load report ids': { size: Math.max(0, ...[...this.links.values()].map((l) => l.loads.listed)), limit: MAX_LOAD_SIDS },
    };
  }
  /** Per master, in the order given: the registration there and its load reports (sub-machines whose steps the server sends and reports). */
  private readonly links = new Map<string, MasterLink>();
  /** Who supervises this server (§12.2): the master it sends `track` to and takes `move` from. */
  private readonly supervisor: SupervisorRecord;
  /** Media bytes sent since the server started (the load reports' rate). On the streaming path: one addition. */
  private sentBytes = 0;
  private nextTick: number | undefined;
  private started = false;
  /** The sum of `rate` over `streams`, kept as streams come, go and change scale. */
  private committedBw = 0;
  readonly stats = { setups: 0, refused: 0, completed: 0, moved: 0 };
  /** The per-source rate limit (§9.5), when configured. */
  readonly limiter: SourceLimiter | undefined;
  private readonly chunks: Chunk[] = [];
  /** Items faster than one stream may go (§5.1): neither listed nor served. */
  private readonly tooFast: MediaFile[] = [];
  /** The servers' shared view (§13), with a cluster key only (§13.4): made as the server starts (its first incarnation is the time then). */
  private view: SharedView | undefined;
  /** Distribution jobs (§14), with a cluster key and a place to write their files. */
  private readonly jobs: JobAgent | undefined;
  private readonly jobFiles: JobFiles | undefined;
  /** Files of jobs, whole, waiting for no stream to read their name (§14.4). */
  private waitingFiles: ReadyFile[] = [];
  /** Jobs' `delete`s waiting for no stream to read their name (§14.8). */
  private waitingTasks: JobTask[] = [];
  /** Names those deletes took out of service while streams still read them: no new stream of them (§14.8). */
  private readonly withdrawn = new Set<string>();
  /** The time of the last input: the jobs' next send is computed from it. */
  private clock = 0;

  constructor(
    deps: RoleDeps,
    config: ServerConfig,
    private readonly media: MediaReader,
    /** Where the files of distribution jobs are written (§14.4); a server without them, or without a cluster key, takes no job. */
    jobFiles?: JobFiles,
  ) {
    super(deps);
    if (jobFiles && deps.auth) this.jobs = new JobAgent(config.name, jobFiles, deps.rng.fork(), deps.crypto, config.jobs ?? {});
    this.jobFiles = jobFiles;
    this.config = config;
    this.cap = config.cap;
    this.limiter = config.rateLimit ? new SourceLimiter(config.rateLimit) : undefined;
    this.epoch = deps.rng.id();
    for (const f of config.files) {
      if (f.rate > MAX_STREAM_RATE) this.tooFast.push(f);
      else this.files.set(f.name, f);
    }
    const listed = [...this.files.values()].map((f) => [f.name, f.size, f.rate] as const);
    for (const master of config.masters) {
      if (this.links.has(master)) continue;
      this.links.set(master, {
        master,
        registration: new Registration({ name: config.name, master, group: config.group, epoch: this.epoch, files: listed, ...(config.facts ? { facts: config.facts } : {}) }),
        loads: new LoadReports({ name: config.name, epoch: this.epoch }),
        tracker: new Tracker(),
      });
    }
    this.supervisor = new SupervisorRecord([...this.links.keys()]);
    if (this.links.size === 0) this.alone = 'registered';
  }

  /**
   * A server with no master at all (§13.6, `ofp server --peers` without `--master`): in the view only,
   * serving the clients its peers' lists send it. Its lifecycle without a registration: serving
   * ('registered') until it stops.
   */
  private alone: 'registered' | 'stopped' | undefined;

  /** The master that supervises this server now (§12.2). */
  get supervisedBy(): string {
    return this.supervisor.master;
  }

  /** The stream control events (§10.4) over every master: waiting for an acknowledgement, and given up on. */
  get tracker(): { readonly pending: number; readonly lost: number } {
    let pending = 0;
    let lost = 0;
    for (const l of this.links.values()) {
      pending += l.tracker.pending;
      lost += l.tracker.lost;
    }
    return { pending, lost };
  }

  /** Since when the server has been draining (S2.5c), if it is. */
  get drainingSince(): number | undefined {
    return this.draining.since;
  }

  /** The registration's state (REGISTRATION_TABLE): with several masters, the furthest along of them. */
  get state(): RegistrationState {
    if (this.alone !== undefined) return this.alone;
    let best: RegistrationState = 'stopped';
    for (const l of this.links.values()) if (REGISTRATION_RANK[l.registration.state] > REGISTRATION_RANK[best]) best = l.registration.state;
    return best;
  }

  /** The registration with one master: its state, or undefined for an address that is not one of its masters. */
  registrationWith(master: string): RegistrationState | undefined {
    return this.links.get(master)?.registration.state;
  }

  handle(input: Input<ServerCommand>, now: number): void {
    if (!this.started) {
      this.started = true;
      for (const f of this.tooFast) this.emit({ type: 'media-skipped', level: 'warn', file: f.name, why: `${mbit(f.rate)} is faster than one stream may go, ${mbit(MAX_STREAM_RATE)} (MAX_STREAM_RATE): not served` });
      if (this.deps.auth) {
        this.view = new SharedView(this.config.name, this.deps.rng.fork(), Math.floor(now / 1000), this.config.gossip);
        this.noteView(now);
        this.joinView(this.config.peers ?? [], now);
      }
      if (this.alone) this.emit({ type: 'server-alone', level: 'info', peers: this.config.peers?.length ?? 0 });
      for (const l of this.links.values()) {
        l.loads.start(now);
        this.apply(l, l.registration.start(now, this.cap), now);
      }
    }
    if (this.state === 'stopped') return;
    switch (input.kind) {
      case 'datagram':
        this.onDatagram(input.from, input.bytes, now);
        break;
      case 'timer':
        this.onTimer(now);
        break;
      case 'command':
        this.onCommand(input.command, now);
        break;
    }
  }

  pollTimeout(): number | undefined {
    return soonest(this.timers());
  }

  /**
   * Every deadline, by name, from the server's state: the one place they are computed. The next
   * wake-up is their minimum, and a wake-up handles those due (`due`), so the two never disagree.
   */
  private timers(): Deadlines<ServerTimer> {
    if (this.state === 'stopped') return {};
    let retry: number | undefined;
    let silence: number | undefined;
    let report: number | undefined;
    let track: number | undefined;
    for (const l of this.links.values()) {
      retry = earlier(retry, l.registration.retryDeadline());
      silence = earlier(silence, l.registration.silenceDeadline());
      report = earlier(report, this.reportDeadline(l));
      track = earlier(track, l.tracker.nextDue());
    }
    return {
      retry,
      silence,
      report,
      track,
      tick: this.streams.size > 0 ? this.nextTick : undefined,
      drain: this.draining.deadline(),
      view: this.view?.nextTimeout(),
      jobs: this.jobs?.nextTimeout(this.clock),
    };
  }

  /** When `l`'s next load report is due: a push asked for, or (registered there) a heartbeat. */
  private reportDeadline(l: MasterLink): number | undefined {
    return l.loads.nextTimeout(l.registration.state === 'registered' ? l.registration : undefined);
  }

  private due(name: ServerTimer, now: number): boolean {
    const at = this.timers()[name];
    return at !== undefined && now >= at;
  }

  /**
   * Committed bandwidth: the rates (times their scale) of the streams set up or playing.
   * A running total: every setup checks it, and a server may hold many thousands of streams.
   */
  committed(): number {
    return this.committedBw;
  }

  /** The server's own view of itself, as its load reports give it. */
  selfState(): SelfState {
    if (this.drainingSince !== undefined) return 'draining';
    return this.committed() > this.cap ? 'overloaded' : 'up';
  }

  private onCommand(c: ServerCommand, now: number): void {
    switch (c.type) {
      case 'start':
        return;
      case 'stop':
        // Through REGISTRATION_TABLE: a stopped server takes no second stop.
        if (canMove(REGISTRATION_TABLE, this.state, 'stop')) this.stop(now);
        return;
      case 'drain':
        return this.drain(now);
      case 'capacity':
        return this.setCapacity(c.cap, now);
    }
  }

  // ---- Registration (S1.1) ------------------------------------------------

  /**
   * Act on a step of the registration with `l`'s master: send what it sends, in order, then report
   * what it reports; once registered, report the load there and tell of the streams playing here again.
   */
  private apply(l: MasterLink, step: RegistrationStep, now: number): void {
    if (step.dropped !== undefined) return this.drop('unexpected-message', l.master, step.dropped, 'register-ack');
    for (const msg of step.send) {
      if (msg.type === 'register') this.sendRegister(l.master, msg, now);
      else this.sendControl(l.master, msg, now, true);
    }
    for (const e of step.events) this.emit(e);
    if (!step.registered) return;
    this.pushLoadTo(l, now);
    // A master that restarted (or forgot us) knows nothing of the streams playing here: tell it again.
    for (const st of this.streams.values()) if (st.state === 'playing') for (const e of l.tracker.retell(st.sid, now)) this.sendTrack(l, e, now);
  }

  /** Padding keeps the master's answer within what it received (§9.4). */
  private sendRegister(master: string, msg: MessageOf<'register'>, now: number): void {
    const size = (this.deps.auth ? this.deps.auth.encode(msg, now) : encode(msg)).length;
    const pad = size < REGISTER_PAD_TO ? new Uint8Array(Math.max(0, REGISTER_PAD_TO - size - 3)) : undefined;
    this.sendControl(master, { ...msg, ...(pad ? { pad } : {}) }, now, true);
  }

  // ---- Input ---------------------------------------------------------------

  private onDatagram(from: string, bytes: Uint8Array, now: number): void {
    this.clock = now;
    // Before any decoding; the masters' addresses are exempt, so no flood can starve the server of them (§9.5).
    if (this.limiter && !this.links.has(from) && !admitDatagram(this.limiter, from, now, (e) => this.emit(e))) return;
    const d = this.receive(from, bytes, now);
    if (!d) return;
    const msg = d.msg;
    switch (msg.type) {
      case 'request':
        return this.onRequest(msg, bytes.length, from, now);
      case 'play':
        return this.onPlay(msg, from, now);
      case 'ack':
        return this.onAck(msg, from, now);
      case 'adjust':
        return this.onAdjust(msg, from, now);
      case 'teardown': {
        const s = this.streams.get(msg.sid);
        if (!s || s.client !== from) return this.drop('unexpected-message', from, `teardown for unknown stream ${msg.sid}`, 'teardown');
        return this.endStream(s, 'teardown', now);
      }
      case 'member':
        return this.onMember(d, msg, from, now);
      case 'job-order':
      case 'job-pull':
      case 'job-query':
      case 'chunk':
        return this.onJobMessage(d, from, now);
      case 'register-ack':
      case 'content-ack':
      case 'poll':
      case 'forward':
      case 'establish':
      case 'move':
      case 'order':
      case 'track-ack':
      case 'supervise':
      case 'error':
        return this.onMasterMessage(d, from, now);
      default:
        this.drop('unexpected-message', from, `a server does not take ${msg.type}`, msg.type);
    }
  }

  private onMasterMessage(d: Decoded, from: string, now: number): void {
    const msg = d.msg;
    const l = this.links.get(from);
    if (!l) return this.drop('unexpected-message', from, `${msg.type} from an address that is not one of its masters`, msg.type);
    if (!this.authentic(d, from, now)) return;
    l.registration.heard(now);
    switch (msg.type) {
      case 'register-ack':
        return this.apply(l, l.registration.onRegisterAck(msg, now), now);
      case 'content-ack':
        // Peers the master names (§13.1): the server's first peers in the view.
        if (msg.peers) this.joinView(msg.peers, now);
        return this.apply(l, l.registration.onContentAck(msg, now), now);
      case 'poll': {
        const load = this.loadNow(l, false, now);
        if (!load) return; // not registered yet: the master will be told by `register`
        return this.sendLoad(l, l.loads.handlePoll(msg.seq, now, load), now);
      }
      case 'forward':
        return this.onForward(msg, from, now);
      case 'establish':
        return this.onEstablish(msg, from, now);
      case 'move':
        return this.onMove(msg, from, now);
      case 'supervise':
        return this.onSupervise(msg, from, now);
      case 'order':
        if (msg.op === 'drain') return this.drain(now);
        if (msg.cap !== undefined) return this.setCapacity(msg.cap, now);
        return;
      case 'track-ack':
        l.tracker.ack(msg.sid, msg.n);
        return;
      case 'error':
        return this.apply(l, l.registration.onError(msg, now, this.cap), now);
      default:
        return;
    }
  }

  // ---- Timers -----------------------------------------------------------------

  /** A wake-up: each deadline due, in TIMER_ORDER, each looked up again after the ones before acted. */
  private onTimer(now: number): void {
    this.clock = now;
    for (const name of TIMER_ORDER) if (this.due(name, now)) this.onTimeout(name, now);
  }

  /** One deadline is due. */
  private onTimeout(name: ServerTimer, now: number): void {
    switch (name) {
      case 'retry':
        for (const l of this.links.values()) if (isDue(l.registration.retryDeadline(), now)) this.apply(l, l.registration.onRetry(now, this.cap), now);
        return;
      case 'silence':
        for (const l of this.links.values()) if (isDue(l.registration.silenceDeadline(), now)) this.apply(l, l.registration.onSilence(now, this.cap), now);
        return;
      case 'report':
        for (const l of this.links.values()) if (isDue(this.reportDeadline(l), now)) this.sendLoad(l, l.loads.handleTimeout(now, this.loadNow(l, true, now)), now);
        return;
      case 'track':
        for (const l of this.links.values()) for (const e of l.tracker.due(now)) this.sendTrack(l, e, now);
        return;
      case 'tick':
        this.tick(now);
        return;
      case 'drain':
        // A draining server whose last stream ended stopped then (drainedIfEmpty): here, DRAIN_TIMEOUT is up.
        return this.drained(this.draining.over(now, this.streams.size, true), now);
      case 'view':
        this.view!.handleTimeout(now);
        return this.drainView(now);
      case 'jobs':
        this.jobs!.handleTimeout(now);
        return this.drainJobs(now);
    }
  }

  // ---- Distribution jobs (§14) -----------------------------------------------------

  /** A job's message (§14): only with a cluster key, every one but a chunk authenticated (§14.7). */
  private onJobMessage(d: Decoded, from: string, now: number): void {
    const msg = d.msg;
    if (!this.jobs) return this.drop('unexpected-message', from, `${msg.type}: a server ${this.deps.auth ? 'without a media directory to write to' : 'without a cluster key'} takes no job (§14.7)`, msg.type);
    if (msg.type === 'chunk') {
      if (!this.jobs.onChunk(from, msg, now)) return this.drop('unexpected-message', from, `chunk of no transfer from this source (job ${msg.job})`, msg.type);
      return this.drainJobs(now);
    }
    if (!this.authentic(d, from, now)) return;
    switch (msg.type) {
      case 'job-order':
        if (this.drainingSince !== undefined) return this.drop('shutting-down', from, 'a draining server takes no job', msg.type);
        this.jobs.onOrder(from, msg, now);
        break;
      case 'job-pull':
        if (!this.jobs.onPull(from, msg, now)) return this.drop('unexpected-message', from, `job-pull for nothing this server serves (job ${msg.job})`, msg.type);
        break;
      case 'job-query':
        this.jobs.onQuery(msg, from);
        break;
      default:
        return;
    }
    this.drainJobs(now);
  }

  /** Send what the jobs queued (authenticated, but the chunks), report what happened, and put whole files into service. */
  private drainJobs(now: number): void {
    const jobs = this.jobs!;
    for (let s = jobs.pollSend(); s; s = jobs.pollSend()) {
      if (s.msg.type === 'chunk') this.send(s.to, s.msg, s.validated);
      else this.sendControl(s.to, s.msg, now, s.validated);
    }
    for (let e = jobs.pollEvent(); e; e = jobs.pollEvent()) this.emit(e);
    for (let r = jobs.pollReady(); r; r = jobs.pollReady()) this.waitingFiles.push(r);
    for (let t = jobs.pollTask(); t; t = jobs.pollTask()) this.waitingTasks.push(t);
    this.putIntoService(now);
    this.runTasks(now);
  }

  /**
   * A job's `delete` (§14.8; a `verify` the jobs run in steps themselves). The file leaves service
   * at once: its masters hear it (`content` `rm`), so they send no one here for it, and a new
   * stream of it is refused (`not-found`). The streams reading it go on to their end; once none
   * does (as a new file waits, §14.4), the file is removed. A name this server does not serve is
   * `not-found`; a file it cannot remove (`write-error`) goes back into service.
   */
  private runTasks(now: number): void {
    if (this.waitingTasks.length === 0) return;
    const busy = new Map<string, number>();
    for (const s of this.streams.values()) busy.set(s.item, (busy.get(s.item) ?? 0) + 1);
    const still: JobTask[] = [];
    for (const t of this.waitingTasks) {
      const withdrawn = this.withdrawn.has(t.file);
      if (!withdrawn && !this.files.has(t.file) && this.jobFiles!.sizeOf(t.file) === undefined) {
        this.emit({ type: 'job-file-removed', level: 'warn', job: t.job, cmd: t.cmd, file: t.file, code: 'not-found' });
        this.jobs!.taskDone(t, 'not-found');
        continue;
      }
      const readers = busy.get(t.file) ?? 0;
      if (readers > 0) {
        if (!withdrawn) {
          this.withdrawn.add(t.file);
          this.emit({ type: 'job-file-withdrawn', level: 'info', job: t.job, cmd: t.cmd, file: t.file, streams: readers });
          for (const l of this.links.values()) this.apply(l, l.registration.removeFile(t.file, now), now);
        }
        still.push(t);
        continue;
      }
      this.withdrawn.delete(t.file);
      try {
        if (this.jobFiles!.sizeOf(t.file) !== undefined) this.jobFiles!.remove(t.file);
      } catch {
        this.emit({ type: 'job-file-removed', level: 'warn', job: t.job, cmd: t.cmd, file: t.file, code: 'write-error' });
        // Still there, still served: its masters list it again.
        const item = this.files.get(t.file);
        if (withdrawn && item) for (const l of this.links.values()) this.apply(l, l.registration.addFile([item.name, item.size, item.rate], now), now);
        this.jobs!.taskDone(t, 'write-error');
        continue;
      }
      this.files.delete(t.file);
      this.emit({ type: 'job-file-removed', level: 'info', job: t.job, cmd: t.cmd, file: t.file });
      // Its masters hear of it at once (unless they did as it was withdrawn), and no later registration lists it.
      for (const l of this.links.values()) this.apply(l, l.registration.removeFile(t.file, now), now);
      this.jobs!.taskDone(t);
    }
    this.waitingTasks = still;
    for (let s = this.jobs!.pollSend(); s; s = this.jobs!.pollSend()) this.sendControl(s.to, s.msg, now, s.validated);
  }

  /**
   * Whole, verified files of jobs go into service (§14.4): renamed into the media directory and
   * listed; a file of the same name that a stream is reading is never replaced under it: the new
   * one waits until no stream reads the name.
   */
  private putIntoService(now: number): void {
    if (this.waitingFiles.length === 0) return;
    const busy = new Set<string>();
    for (const s of this.streams.values()) busy.add(s.item);
    const still: ReadyFile[] = [];
    for (const r of this.waitingFiles) {
      if (busy.has(r.file)) {
        still.push(r);
        continue;
      }
      try {
        this.jobFiles!.commit(r.key, r.file);
      } catch (error) {
        this.jobs!.commitFailed(r, `the file could not be put into service: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
      const rate = r.mrate ?? this.config.jobs?.mediaRate ?? 4_000_000;
      const item: MediaFile = { name: r.file, size: r.size, rate };
      this.files.set(r.file, item);
      this.emit({ type: 'job-file-in-service', level: 'info', job: r.job, file: r.file, bytes: r.size });
      // Its masters hear of it at once (§14.4), and list it whenever it registers again.
      for (const l of this.links.values()) this.apply(l, l.registration.addFile([r.file, r.size, rate], now), now);
      this.jobs!.committed(r);
    }
    this.waitingFiles = still;
    for (let s = this.jobs!.pollSend(); s; s = this.jobs!.pollSend()) this.sendControl(s.to, s.msg, now, s.validated);
  }

  /** The jobs this server takes part in, read only (tests, the dashboard). */
  jobCommands(): ReturnType<JobAgent['commands']> {
    return this.jobs?.commands() ?? [];
  }

  // ---- The servers' view (§13) ---------------------------------------------------

  /** What this server says of itself in the view changed, perhaps: its status, users, group and available bandwidth. */
  private noteView(now: number): void {
    this.view?.note({ st: this.selfState(), n: this.streams.size, g: this.config.group, bw: Math.max(0, this.cap - this.committed()) }, now);
    if (this.view) this.drainView(now);
  }

  private joinView(seeds: readonly string[], now: number): void {
    if (seeds.length === 0 || !this.view) return;
    this.view!.join(seeds, now);
    this.drainView(now);
  }

  /** A `member` from a peer (§13): only an authentic one (a server without a cluster key keeps no view). */
  private onMember(d: Decoded, msg: MessageOf<'member'>, from: string, now: number): void {
    if (!this.view) return this.drop('unexpected-message', from, 'member: a server without a cluster key keeps no view of the others (§13.4)', msg.type);
    if (!this.authentic(d, from, now)) return;
    const said = fromWire(msg);
    if (!said) return this.drop('missing-field', from, 'member ping-req without a target address', msg.type);
    this.view.handle(from, said, now);
    this.drainView(now);
  }

  /**
   * Send and report what the view queued, authenticated (§13.4): a peer is a server with the
   * cluster key, and a forged datagram draws nothing. Every message holds as many updates as fit.
   */
  private drainView(now: number): void {
    const v = this.view!;
    const auth = this.deps.auth!;
    for (let o = v.pollSend(); o; o = v.pollSend()) {
      const { bytes } = fitted(toWire(o.msg), (m) => auth.encode(m, now));
      this.sendBytes(o.to, bytes, true);
    }
    for (let e = v.pollEvent(); e; e = v.pollEvent()) {
      if (e.type === 'member-refuted') this.emit({ type: 'view-refuted', level: 'debug', about: e.about, inc: e.inc });
      else if (e.type === 'member-status') this.emit({ type: 'peer-status', level: 'debug', peer: e.addr, st: e.st });
      else if (e.type === 'member-dead') this.emit({ type: 'peer-dead', level: 'info', peer: e.addr, inc: e.inc });
      else this.emit({ type: e.type === 'member-alive' ? 'peer-alive' : e.type === 'member-left' ? 'peer-left' : 'peer-suspect', level: 'debug', peer: e.addr, inc: e.inc });
    }
  }

  /** The servers' view as this server holds it (§13), a snapshot: its peers, and its own entry. */
  viewOf(): { readonly peers: ViewPeer[]; readonly own: MemberData | undefined; readonly incarnation: number } | undefined {
    return this.view && { peers: this.view.servers(), own: this.view.own, incarnation: this.view.incarnation };
  }

  // ---- Load (S1.5) ----------------------------------------------------------

  /** The load as a report to `l`'s master gives it; undefined without its cookie (or, for a push, unless registered there). */
  private loadNow(l: MasterLink, registeredOnly: boolean, now: number): LoadNow | undefined {
    const cookie = l.registration.cookie;
    if (!cookie || (registeredOnly && l.registration.state !== 'registered')) return undefined;
    return {
      cookie, streams: this.streams, bw: this.committed(), cap: this.cap, state: this.selfState(), sentBytes: this.sentBytes, supervision: this.supervisor.fields(),
      ...(this.view ? { view: this.view.summary(now) } : {}),
    };
  }

  private sendLoad(l: MasterLink, report: LoadReport | undefined, now: number): void {
    if (report) this.sendControl(l.master, report, now, true);
  }

  /** A load report now to every master it is registered with (a push asked for lapses otherwise); the view hears of it. */
  private pushLoad(now: number): void {
    for (const l of this.links.values()) this.pushLoadTo(l, now);
    this.noteView(now);
  }

  private pushLoadTo(l: MasterLink, now: number): void {
    this.sendLoad(l, l.loads.push(now, this.loadNow(l, true, now)), now);
  }

  /** The load changed: push a report, at most once per LOAD_PUSH_MIN_INTERVAL; the view hears of it (§13.2). */
  private loadChanged(now: number): void {
    for (const l of this.links.values()) l.loads.handleChange(now, l.registration.state === 'registered');
    this.noteView(now);
  }

  // ---- Supervision (§12.2) -------------------------------------------------------

  /**
   * A master's `supervise`: taken or not by the supervisor record. Taken, every master hears it in a
   * load report at once (each knows the streams already: every master is told of them); refused,
   * the sender hears what holds.
   */
  private onSupervise(msg: MessageOf<'supervise'>, from: string, now: number): void {
    if (msg.name !== this.config.name) return this.drop('unexpected-message', from, `supervise for another server, ${msg.name}`, 'supervise');
    const holder = this.links.get(this.supervisor.master)!;
    const silentFor = now - holder.registration.lastFromMaster;
    const outcome = this.supervisor.claim(msg, from, { silentFor, pollInterval: holder.registration.pollInterval });
    if (!outcome.taken) {
      this.emit({ type: 'supervise-refused', level: 'debug', from, to: msg.to, ep: msg.ep, why: outcome.why });
      return this.pushLoadTo(this.links.get(from)!, now);
    }
    this.emit({ type: 'supervisor', master: msg.to, epoch: msg.ep, from: outcome.from, by: from, pinned: msg.pin === true });
    this.pushLoad(now);
  }

  private setCapacity(cap: number, now: number): void {
    const before = this.selfState();
    this.cap = cap;
    this.emit({ type: 'capacity', cap, committed: this.committed(), state: this.selfState() });
    if (this.selfState() !== before) this.pushLoad(now);
    else this.loadChanged(now);
  }

  // ---- Stream control events for the master (§10.4) -----------------------------

  /** A stream control event, numbered and sent to each master (each acknowledges it on its own). */
  private track(s: ServerStream, e: Omit<MessageOf<'track'>, 'type' | 'at' | 'sid' | 'n' | 'scale'>, now: number): void {
    for (const l of this.links.values()) this.sendTrack(l, l.tracker.add(s.sid, { ...e, scale: s.scale }, now), now);
  }

  /** To `l`'s master, once registered there: until then the event waits, and is resent. */
  private sendTrack(l: MasterLink, e: Omit<MessageOf<'track'>, 'type' | 'at'>, now: number): void {
    if (!l.registration.cookie) return; // resent once registered, or given up on
    this.sendControl(l.master, { type: 'track', ...e }, now, true);
  }

  // ---- Requests and setup (S1.3, S1.4, S2.6) --------------------------------------

  private onRequest(msg: MessageOf<'request'>, size: number, from: string, now: number): void {
    if (msg.mode === 'list') return this.answerList(msg, size, from, now);
    const auth = this.deps.auth;
    let sid = msg.sid;
    if (auth) {
      if (sid === undefined || msg.exp === undefined) {
        return this.refuse(from, msg.rid, 'bad-request', 'a stream token is required: ask the master', size, now);
      }
      const problem = auth.checkToken(msg.tok, { client: from, file: msg.file, server: this.config.name, sid, exp: msg.exp }, now);
      if (problem) return this.refuse(from, msg.rid, problem, problem === 'token-expired' ? 'the token has expired: ask the master again' : 'the token does not match this client, file, server and stream', size, now);
    }
    sid ??= this.deps.rng.id();
    const offs = msg.offs ?? [msg.off ?? 0];
    const setup = this.setUp(sid, msg.file, from, offs, msg.scale ?? 1000, now);
    if ('code' in setup) return this.refuse(from, msg.rid, setup.code, setup.text, size, now);
    this.send(from, { type: 'setup', rid: msg.rid, ...setup }, false);
  }

  /**
   * A list request (S4.4, §13.5): the servers of this server's view, itself among them, as the
   * master lists them (S4.1), in address order and paged from `from`: each with its status, users and
   * group as it last said, a stream id, and (with a cluster key) the token for it. The view holds no
   * content lists: a server that lacks the file refuses it, and the client asks the next (S4.5).
   * Without a cluster key there is no view: the server lists itself. Never more bytes than the
   * request (§9.4).
   */
  private answerList(msg: MessageOf<'request'>, size: number, from: string, now: number): void {
    const own = { st: this.selfState(), n: this.streams.size, g: this.config.group };
    const all = [
      { addr: this.config.name, data: own },
      ...(this.view?.servers() ?? []).filter((s): s is ViewPeer & { data: MemberData } => (s.state === 'alive' || s.state === 'suspect') && s.data !== undefined),
    ].sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
    const start = Math.min(msg.from ?? 0, all.length);
    const auth = this.deps.auth;
    const exp = Math.floor(now) + TOKEN_TTL;
    const empty: MessageOf<'server-list'> = { type: 'server-list', rid: msg.rid, file: msg.file, total: all.length, from: start, servers: [], exp: auth ? exp : undefined };
    const page = new ListFill<MessageOf<'server-list'>['servers'][number]>(MESSAGES['server-list'].fields.servers.of!, encodedLength(empty), Math.min(size, MAX_DATAGRAM), MAX_LIST_SERVERS);
    for (let i = start; i < all.length && !page.full; i++) {
      const s = all[i]!;
      const sid = this.deps.rng.id();
      const entry = {
        srv: s.addr,
        status: s.data.st,
        users: s.data.n,
        group: s.data.g,
        sid,
        ...(auth ? { tok: auth.token({ client: from, file: msg.file, server: s.addr, sid, exp }) } : {}),
        sk: auth ? auth.streamKey(sid, from) : this.deps.rng.bytes(STREAM_KEY_LENGTH),
      };
      if (!page.add(entry)) {
        if (page.items.length === 0) return this.refuse(from, msg.rid, 'bad-request', `pad the request to ${page.sizeWith({ ...entry, sid: 0xffff_ffff })} bytes for one server of the list`, size, now);
        break;
      }
    }
    this.emit({ type: 'list-answered', level: 'debug', client: from, file: msg.file, servers: page.items.length, total: all.length });
    this.send(from, { ...empty, servers: page.items }, false);
  }

  private onForward(msg: MessageOf<'forward'>, from: string, now: number): void {
    const setup = this.setUp(msg.sid, msg.file, msg.client, msg.offs ?? [msg.off], msg.scale ?? 1000, now);
    this.answerMaster(from, msg.rid, setup, msg.client, msg.file, 'forward', now);
  }

  /** Stream establishment (S2.6): set the stream up at the position the master computed. */
  private onEstablish(msg: MessageOf<'establish'>, from: string, now: number): void {
    const item = this.files.get(msg.file);
    const offs = item ? offsetsAt(this.flowsOf(item), msg.npt) : [0];
    const setup = this.setUp(msg.sid, msg.file, msg.client, offs, msg.scale, now);
    this.answerMaster(from, msg.rid, setup, msg.client, msg.file, 'establish', now);
    if (!('code' in setup)) this.emit({ type: 'establish', sid: msg.sid, client: msg.client, file: msg.file, npt: msg.npt, offs, why: msg.why });
  }

  private answerMaster(master: string, rid: number, setup: SetupFields | Refusal, client: string, file: string, via: string, now: number): void {
    if ('code' in setup) {
      this.stats.refused++;
      this.emit({ type: 'request-refused', level: 'warn', client, file, code: setup.code, via });
      this.sendControl(master, { type: 'error', rid, code: setup.code, msg: setup.text }, now, true);
      return;
    }
    this.sendControl(master, { type: 'setup', rid, ...setup }, now, true);
  }

  private flowsOf(item: MediaFile): readonly FlowFile[] {
    return item.flows && item.flows.length > 0 ? item.flows : [{ name: item.name, size: item.size, rate: item.rate }];
  }

  /** Create (or find again) a set-up stream; the setup fields, or why not. */
  private setUp(sid: number, name: string, client: string, offs: readonly number[], scale: number, now: number): SetupFields | Refusal {
    const item = this.files.get(name);
    if (!item) return { code: 'not-found', text: `this server does not hold ${JSON.stringify(name)}` };
    const flows = this.flowsOf(item);
    if (offs.length > flows.length) return { code: 'bad-request', text: `${name} has ${flows.length} flow(s), not ${offs.length}` };
    for (let i = 0; i < flows.length; i++) {
      if ((offs[i] ?? 0) > flows[i]!.size) return { code: 'bad-request', text: `offset ${offs[i]} is past the end of ${flows[i]!.name} (${flows[i]!.size} bytes)` };
    }
    let s = this.streams.get(sid);
    // A file a job deletes takes no new viewer while its last streams end (§14.8).
    if (!s && this.withdrawn.has(item.name)) return { code: 'not-found', text: `${JSON.stringify(name)} is being deleted here` };
    if (s && s.client !== client) return { code: 'bad-request', text: `stream ${sid} belongs to another client` };
    if (s && s.item !== item.name) return { code: 'bad-request', text: `stream ${sid} is a stream of ${s.item}` };
    if (!s) {
      if (this.drainingSince !== undefined) return { code: 'shutting-down', text: 'this server is draining: it takes no new stream' };
      const rate = Math.round((item.rate * scale) / 1000);
      if (rate > MAX_STREAM_RATE) return { code: 'no-capacity', text: tooFast(item.rate, scale) };
      if (this.committed() + rate > this.cap) {
        return { code: 'no-capacity', text: `${this.committed()} of ${this.cap} bit/s committed; ${name} needs ${rate}` };
      }
      s = new ServerStream(sid, client, item.name, flows, offs, scale, this.deps.rng.bytes(COOKIE_LENGTH), now);
      this.streams.set(sid, s);
      this.committedBw += s.rate;
      this.stats.setups++;
      this.emit({ type: 'stream-setup', sid, client, file: item.name, off: offs[0] ?? 0, rate: item.rate, scale });
      this.loadChanged(now);
      this.nextTick ??= now + SERVER_HOUSEKEEPING;
    }
    const f0 = flows[0]!;
    const starts = s.flows.map((f) => f.sendPos);
    return {
      sid,
      file: item.name,
      srv: this.config.name,
      size: f0.size,
      rate: f0.rate,
      chunk: DATA_CHUNK,
      off: starts[0] ?? 0,
      cookie: s.cookie,
      ...(flows.length > 1 ? { flows: flows.map((f) => [f.name, f.size, f.rate] as [string, number, number]), offs: starts } : {}),
      ...(s.scale !== 1000 ? { scale: s.scale } : {}),
    };
  }

  private refuse(to: string, rid: number, code: WireErrorCode, text: string, _size: number, now: number): void {
    this.stats.refused++;
    this.emit({ type: 'request-refused', level: 'warn', client: to, code, msg: text, at: now });
    this.send(to, { type: 'error', rid, code, msg: text }, false);
  }

  private onPlay(msg: MessageOf<'play'>, from: string, now: number): void {
    const s = this.streams.get(msg.sid);
    if (!s || s.client !== from) {
      this.send(from, { type: 'error', sid: msg.sid, code: 'unknown-stream', msg: `no stream ${msg.sid} for this address` }, false);
      return this.drop('unexpected-message', from, `play for unknown stream ${msg.sid}`, 'play');
    }
    if (!equalBytes(s.cookie, msg.cookie)) {
      this.send(from, { type: 'error', sid: msg.sid, code: 'bad-cookie', msg: 'the cookie does not match the setup' }, false);
      return this.drop('bad-cookie', from, `play for stream ${msg.sid} with a wrong cookie`, 'play');
    }
    const offs = msg.offs ?? [msg.off];
    if (offs.length > s.flows.length || offs.some((o, i) => o > s.flows[i]!.size)) {
      this.send(from, { type: 'error', sid: msg.sid, code: 'bad-request', msg: 'an offset is past the end of its flow' }, false);
      return;
    }
    s.lastHeard = now;
    // A repeated `play` for where the stream already stands is a duplicate: keep going.
    if (s.state === 'playing' && offs.length === s.startedFrom.length && offs.every((o, i) => o === s.startedFrom[i])) return;
    const first = s.state === 'set-up';
    if (!canMove(SERVER_STREAM_TABLE, s.state, 'play')) return;
    s.play(offs, now);
    this.emit({ type: first ? 'stream-play' : 'stream-replay', sid: s.sid, client: from, file: s.item, off: offs[0] ?? 0, ...(offs.length > 1 ? { offs } : {}) });
    this.track(s, { ev: 'play', when: Math.floor(now), npt: s.nptOf(offs[0] ?? 0), client: s.client, file: s.item }, now);
    this.nextTick = now;
  }

  private onAck(msg: MessageOf<'ack'>, from: string, now: number): void {
    const s = this.streams.get(msg.sid);
    if (!s || s.client !== from || s.state !== 'playing') return this.drop('unexpected-message', from, `ack for unknown stream ${msg.sid}`, 'ack');
    const f = s.flows[msg.fl ?? 0];
    if (!f) return this.drop('bad-field', from, `ack for flow ${msg.fl} of a stream with ${s.flows.length}`, 'ack');
    s.lastHeard = now;
    f.onAck(msg.next, msg.hi, msg.miss, now);
    // Resends queued or the window opened: pace again now, not at the next housekeeping round.
    if (f.busy && (this.nextTick === undefined || this.nextTick > now + PACING_TICK)) this.nextTick = now;
    if (!s.complete && s.flows.every((x) => x.complete)) {
      s.complete = true;
      this.stats.completed++;
      this.emit({ type: 'stream-complete', sid: s.sid, client: s.client, file: s.item, bytes: s.bytesSent(), resent: s.bytesResent() });
    }
  }

  /** Stream adjustment (S2.1): a new rate scale, from now on. */
  private onAdjust(msg: MessageOf<'adjust'>, from: string, now: number): void {
    const s = this.streams.get(msg.sid);
    if (!s || s.client !== from || s.state !== 'playing') return this.drop('unexpected-message', from, `adjust for unknown stream ${msg.sid}`, 'adjust');
    s.lastHeard = now;
    if (msg.n > s.adjusted) {
      const media = s.flows.reduce((n, f) => n + f.rate, 0);
      if (msg.scale > s.scale && Math.round((media * msg.scale) / 1000) > MAX_STREAM_RATE) {
        this.send(from, { type: 'error', sid: s.sid, code: 'no-capacity', msg: tooFast(media, msg.scale) }, true);
        return;
      }
      const extra = Math.round((s.rate * msg.scale) / s.scale) - s.rate;
      if (msg.scale > s.scale && this.committed() + extra > this.cap) {
        this.send(from, { type: 'error', sid: s.sid, code: 'no-capacity', msg: `no room for ${extra} more bit/s` }, true);
        return;
      }
      s.adjusted = msg.n;
      this.committedBw -= s.rate;
      s.scale = msg.scale;
      this.committedBw += s.rate;
      this.emit({ type: 'stream-adjust', sid: s.sid, client: from, scale: msg.scale, n: msg.n });
      this.track(s, { ev: 'adjust', when: Math.floor(now) }, now);
      this.loadChanged(now);
    }
    this.send(from, { type: 'adjust-ack', sid: s.sid, n: s.adjusted, scale: s.scale }, true);
  }

  /**
   * The supervisor moves a stream: tell the client, and keep streaming until it tears down (§10.6).
   * A move from any other master is fenced off (§12.2): the stream stays, and the sender is told.
   */
  private onMove(msg: MessageOf<'move'>, from: string, now: number): void {
    if (from !== this.supervisor.master) {
      this.sendControl(from, { type: 'error', sid: msg.sid, code: 'not-supervisor', msg: `${this.supervisor.master} supervises this server (epoch ${this.supervisor.epoch})` }, now, true);
      return this.drop('unexpected-message', from, `move for stream ${msg.sid} from a master that does not supervise this server`, 'move');
    }
    const s = this.streams.get(msg.sid);
    if (!s || s.state !== 'playing') return this.drop('unexpected-message', from, `move for stream ${msg.sid}, which does not play here`, 'move');
    s.movingTo = msg.srv;
    this.stats.moved++;
    const { type: _t, at: _at, ...fields } = msg;
    this.send(s.client, { ...fields, type: 'switch' }, true);
    this.emit({ type: 'stream-move', sid: s.sid, client: s.client, to: msg.srv, why: msg.why, npt: msg.npt });
  }

  // ---- Streaming (§5) --------------------------------------------------------

  private tick(now: number): void {
    let playing = false;
    const changing = this.drainingSince !== undefined;
    // The next stream timer due, so an idle server still ends streams on time.
    let next = now + SERVER_HOUSEKEEPING;
    for (const s of this.streams.values()) {
      if (s.state === 'set-up') {
        // Set-up streams expire at the next housekeeping pass (at most SERVER_HOUSEKEEPING late), not each
        // at its own time: a flood of abandoned setups would otherwise wake the server, and scan every
        // stream, once per setup.
        if (now - s.created >= SETUP_TIMEOUT) this.endStream(s, 'setup-timeout', now);
        continue;
      }
      if (now - s.lastHeard >= CLIENT_SILENCE_TIMEOUT) {
        this.endStream(s, 'client-silent', now);
        continue;
      }
      next = Math.min(next, s.lastHeard + CLIENT_SILENCE_TIMEOUT);
      if (!s.busy) continue;
      playing = true;
      this.chunks.length = 0;
      for (const f of s.flows) f.due(now, (f.rate * s.scale) / 1000, this.chunks);
      for (const c of this.chunks) {
        const f = s.flows[c.fl]!;
        let data: Uint8Array;
        try {
          data = this.media.read(f.file, c.off, c.len);
        } catch (e) {
          this.emit({ type: 'media-error', level: 'error', file: f.file, off: c.off, detail: e instanceof Error ? e.message : String(e) });
          this.send(s.client, { type: 'end', sid: s.sid, code: 'media-error' }, true);
          this.endStream(s, 'media-error', now);
          break;
        }
        s.seq = (s.seq + 1) >>> 0;
        this.sentBytes += data.length;
        this.send(s.client, {
          type: 'data',
          sid: s.sid,
          seq: s.seq,
          off: c.off,
          data,
          ...(c.re ? { re: true } : {}),
          ...(c.fl > 0 ? { fl: c.fl } : {}),
          ...(changing ? { ch: true } : {}),
        }, true);
      }
    }
    this.nextTick = playing ? now + PACING_TICK : next;
  }

  private endStream(s: ServerStream, why: StreamTrigger, now: number): void {
    if (!this.streams.has(s.sid)) return;
    this.streams.delete(s.sid);
    this.committedBw -= s.rate;
    s.move(why);
    this.emit({ type: 'stream-end', level: why === 'teardown' ? 'info' : 'warn', sid: s.sid, client: s.client, file: s.item, reason: why, sent: s.bytesSent(), resent: s.bytesResent(), complete: s.complete });
    this.track(s, { ev: 'end', when: Math.floor(now), code: why }, now);
    this.loadChanged(now);
    // A job's file waiting for this stream to stop reading the name goes into service now (§14.4).
    if (this.waitingFiles.length > 0) this.putIntoService(now);
    if (this.waitingTasks.length > 0) this.runTasks(now);
    if (why !== 'stop') this.drainedIfEmpty(now);
  }

  // ---- Draining and stopping ---------------------------------------------------

  /**
   * Drain (S2.5c): take no new streams, mark every data packet with the change
   * indicator, tell the master (it moves the streams), and stop once no stream
   * is left or after DRAIN_TIMEOUT.
   */
  private drain(now: number): void {
    const began = this.draining.begin(now, this.streams.size);
    if (!began) return;
    this.emit(began);
    if (this.state === 'registered') this.pushLoad(now);
    // Without a master, nobody moves its streams: each client, told `end`, asks its list again and resumes elsewhere (S4.5).
    if (this.alone) return this.drained(this.draining.over(now, this.streams.size, true), now);
    this.drainedIfEmpty(now);
  }

  /** A draining server with no stream left has nothing more to hand off: it stops now. */
  private drainedIfEmpty(now: number): void {
    if (!canMove(REGISTRATION_TABLE, this.state, 'stop')) return;
    this.drained(this.draining.over(now, this.streams.size, false), now);
  }

  /** The drain is over, when `report` says so: report it and stop. */
  private drained(report: DrainReport | undefined, now: number): void {
    if (!report) return;
    this.emit(report);
    this.stop(now);
  }

  /** Stop (the `stop` command, or a drain that is over): `end` to the streams playing, then `leave` (REGISTRATION_TABLE's `stop`). */
  private stop(now: number): void {
    for (const s of [...this.streams.values()]) {
      if (s.state === 'playing') this.send(s.client, { type: 'end', sid: s.sid, code: 'shutting-down' }, true);
      this.endStream(s, 'stop', now);
    }
    // Their `end` events go now, once: a stopped server resends nothing.
    for (const l of this.links.values()) {
      this.apply(l, l.registration.stop(now), now);
      l.loads.stop();
    }
    // Its peers hear it left (§13.1).
    if (this.view) {
      this.view.leave(now);
      this.drainView(now);
    }
    this.draining.end();
    if (this.alone === 'registered') {
      this.alone = 'stopped';
      this.emit({ type: 'server-stopped', level: 'info', from: 'registered' });
    }
  }

  // ---- Read-only views, for tests and tools ------------------------------

  /** Stream `sid` as this server keeps it, a snapshot; undefined when it has no such stream. */
  streamView(sid: number): StreamView | undefined {
    const s = this.streams.get(sid);
    return s && streamView(s);
  }

  /** How many streams this server holds (set up or playing). */
  streamCount(): number {
    return this.streams.size;
  }

  /** Every stream, in the order they were set up, as snapshots. */
  streamsView(): StreamView[] {
    return [...this.streams.values()].map(streamView);
  }
}
