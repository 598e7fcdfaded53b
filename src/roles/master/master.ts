/**
 * The master (S1): answers clients' requests with a redirect (S1.3), a
 * relayed setup (S1.4) or the server list (S4.1), choosing the server by a
 * named policy (S1.2). Many requests are in flight at once: nothing here
 * waits, every request is a table entry. Its registry (registry.ts) registers
 * servers, builds the catalog from their content lists (S1.1) and polls their
 * load (S1.5); its failover manager (failover.ts) follows every stream and
 * moves it when its server fails, is overloaded or drains (S2, S3.6). The
 * registry, the failover manager and the notice feed never call back: they
 * queue what they send, report and ask of the master, and the master drains
 * them right after each call into them.
 */
import {
  ANSWER_CACHE_SIZE,
  ANSWER_CACHE_TTL,
  FORWARD_ATTEMPTS,
  FORWARD_TIMEOUT,
  MAX_DATAGRAM,
  MAX_ASSIGNMENTS,
  MAX_LIST_SERVERS,
  MAX_SUBSCRIBERS,
  MAX_FORWARDS_IN_FLIGHT,
  LEARNING_POLLS,
  POLL_INTERVAL,
  STREAM_KEY_LENGTH,
  TOKEN_TTL,
  ASSIGNMENT_TTL,
  RESERVE_SOURCE_SHARE,
  MEMBER_PAD_TO,
  SUPERVISION_BACKUPS,
} from '../../protocol/constants.js';
import { type Decoded, encode, encodedLength } from '../../protocol/codec.js';
import type { WireErrorCode } from '../../protocol/errors.js';
import { U32 } from '../../protocol/fields.js';
import { type Message, type MessageOf, MESSAGES } from '../../protocol/messages.js';
import { ListFill } from '../../protocol/sizes.js';
import { type Input, RoleCore, type RoleDeps, type TableSize } from '../role.js';
import { admitDatagram, type RateLimit, SourceLimiter } from '../rateLimit.js';
import { FifoMap } from '../fifoMap.js';
import { type Deadlines, soonest } from '../timers.js';
import { type Assignment, AssignmentTable, sourceOf } from './assignments.js';
import { FailoverManager, type StreamChange } from './failover.js';
import type { MasterEvent } from './events.js';
import type { Catalog } from './catalog.js';
import type { RegistrationBounds } from './registrationBounds.js';
import { NoticeFeed } from './noticeFeed.js';
import { type Candidate, type Policy, Selector } from './selection.js';
import { Registry, type RegistryOutput } from './registry.js';
import type { ServerRecord } from './serverRecord.js';
import { StatusPages } from './statusPages.js';
import { type SupervisionChange, type SupervisionView, Supervision } from './supervision.js';
import { AssignShare } from './assignShare.js';
import { ClientRtts } from './clientRtts.js';
import { Membership, type MemberView } from '../membership/membership.js';
import { fromWire, toWire } from '../membership/messages.js';
import { padded } from '../../protocol/padding.js';
import { parseAddress } from '../../protocol/address.js';
import { type AssignmentView, assignmentView, type ServerView, serverView } from './views.js';

export type AnswerMode = 'redirect' | 'relay';

export interface MasterConfig {
  readonly policy: Policy;
  /** How to answer a request that does not say (`request.mode` absent). */
  readonly mode: AnswerMode;
  readonly pollInterval: number;
  /** Per-source rate limit on datagrams (§9.5); none when absent. Servers that proved their address are exempt. */
  readonly rateLimit?: RateLimit;
  /** A group of masters (§12.1): this master's own address, as the others reach it, and the members it joins through. */
  readonly group?: { readonly self: string; readonly peers: readonly string[] };
}

export const DEFAULT_MASTER_CONFIG: MasterConfig = {
  policy: 'greatest-available-bandwidth',
  mode: 'redirect',
  pollInterval: POLL_INTERVAL,
};

/**
 * `start`: begin polling (any first input does); `stop`: take nothing more; `supervise`: an
 * operator's order placing server `srv`'s supervision on master `to` (§12.2), as `control` gives it.
 */
export type MasterCommand = { readonly type: 'start' } | { readonly type: 'stop' } | { readonly type: 'supervise'; readonly srv: string; readonly to: string };

export type { MasterEvent } from './events.js';

/** A table of the master's status (§11.2). */
export type StatusTable = 'servers' | 'files' | 'sessions' | 'members';

/** A relayed request waiting for its server's setup. */
interface Forward {
  readonly mrid: number;
  readonly client: string;
  readonly rid: number;
  readonly file: string;
  readonly off: number;
  readonly offs?: number[];
  readonly scale?: number;
  readonly tried: string[];
  readonly avoid: readonly string[];
  /** Where the client said it is (§12.5). */
  readonly loc?: string;
  server: string;
  sid: number;
  deadline: number;
  /** It resumes a stream this master follows (`prev`). */
  readonly resumed: boolean;
}

/**
 * The master's deadlines, each a named slot (one timer table): `forward` the oldest relayed
 * request's answer, `handoff` the failover manager's next, `notice` the notice feed's next, `poll`
 * the next poll round (and the sweep of what has expired), `member` the group membership's next,
 * `digest` the next digest of this master's assignments to its group (§12.4),
 * `supervise` the next round of supervision claims and handovers (§12.2).
 */
type MasterTimer = 'forward' | 'handoff' | 'notice' | 'poll' | 'member' | 'supervise' | 'digest';
/** The order in which a wake-up handles what is due. */
const TIMER_ORDER: readonly MasterTimer[] = ['forward', 'handoff', 'notice', 'poll', 'member', 'supervise', 'digest'];

export class Master extends RoleCore<MasterCommand, MasterEvent> {
  readonly config: MasterConfig;
  /** Servers, their content lists and load, and the poll rounds (S1.1, S1.5). */
  private readonly registry: Registry;
  /** The servers by name (the registry's, read only here), the catalog and the registration bounds. */
  private readonly servers: ReadonlyMap<string, ServerRecord>;
  readonly catalog: Catalog;
  readonly bounds: RegistrationBounds;
  private readonly assignments = new AssignmentTable();
  /** Relayed requests in flight, in deadline order (they all wait FORWARD_TIMEOUT). */
  private readonly forwards = new FifoMap<number, Forward>();
  /** Client request key → the answer sent, so a repeated request gets the same answer. */
  private readonly answers = new FifoMap<string, { at: number; bytes: Uint8Array }>(ANSWER_CACHE_SIZE);
  /** Round trips to the clients that allow them (§12.5). */
  private readonly clientRtts = new ClientRtts();
  private readonly pending = new Set<string>();
  /** Stream ids and keys handed out in server lists, until a server reports the stream (list mode has no assignment). */
  private readonly offers = new FifoMap<number, { client: string; file: string; sk: Uint8Array }>(ANSWER_CACHE_SIZE);
  readonly failover: FailoverManager;
  /** Subscribers and the notices they are sent (§11.3, §11.4). */
  readonly notices: NoticeFeed;
  /** The answers to operators' status requests (§11.2). */
  private readonly status: StatusPages;
  /** The time of the input being handled, for the events it causes. */
  private clock = 0;
  private readonly selector: Selector;
  private readonly deadlines: Deadlines<MasterTimer> = {};
  private startedAt: number | undefined;
  private stopped = false;
  readonly stats = { requests: 0, redirects: 0, relays: 0, lists: 0, errors: 0 };
  /**
   * Servers that clients this master sent to them report as never answering (§6.4): the client's
   * `avoid` names a server holding its reservation, unconfirmed. Chosen last until the server
   * confirms a stream again. Name → the clients that reported it since.
   */
  private readonly unanswered = new Map<string, number>();
  /** Sources warned of their reservations' bound, and when (§4.4). */
  private readonly reserveWarned = new FifoMap<string, number>(1_024);
  /** The per-source rate limit (§9.5), when configured. */
  readonly limiter: SourceLimiter | undefined;
  /** The group of masters this one belongs to (§12.1), when it has one. */
  private readonly membership: Membership | undefined;
  /** The members named at start (`--peers`): without a cluster key, the only members it admits (§12.1). */
  private readonly peers: ReadonlySet<string>;
  /** Which master of the group supervises each server (§12.2), when it has a group. */
  private readonly supervision: Supervision | undefined;
  /** The assignment deltas' keys and their anti-entropy (§12.4), when it has a group. */
  private readonly sharing: AssignShare | undefined;

  constructor(deps: RoleDeps, config: Partial<MasterConfig> = {}) {
    super(deps);
    this.config = { ...DEFAULT_MASTER_CONFIG, ...config };
    this.limiter = this.config.rateLimit ? new SourceLimiter(this.config.rateLimit) : undefined;
    const group = this.config.group;
    this.membership = group ? new Membership(group.self, deps.rng.fork()) : undefined;
    this.peers = new Set(group ? [group.self, ...group.peers] : []);
    this.supervision = group ? new Supervision(group.self) : undefined;
    this.sharing = group ? new AssignShare() : undefined;
    this.selector = new Selector(this.config.policy, deps.rng.fork());
    this.registry = new Registry(deps, this.config.pollInterval);
    this.servers = this.registry.servers;
    this.catalog = this.registry.catalog;
    this.bounds = this.registry.bounds;
    this.status = new StatusPages(deps, {
      servers: this.servers,
      catalog: this.catalog,
      assignments: this.assignments,
      moving: (sid) => this.failover.moving(sid) !== undefined,
      members: () => this.members(),
      supervision: (server) => this.supervisionOf(server),
      clientRtt: (client) => this.clientRtts.rtt(client),
      summary: (now) => this.summary(now),
    });
    this.notices = new NoticeFeed(deps);
    this.failover = new FailoverManager(deps, this.assignments, {
      server: (name) => this.servers.get(name),
      choose: (file, avoid, tried, scale) => this.choose(file, avoid, tried, scale),
      relaying: (rid) => this.forwards.has(rid),
    });
  }

  handle(input: Input<MasterCommand>, now: number): void {
    this.clock = now;
    if (this.startedAt === undefined) {
      this.startedAt = now;
      this.registry.start(now);
      if (this.membership) {
        this.membership.join(this.config.group!.peers, now);
        this.drainMembership(now);
        this.sharing!.start(now);
      }
    }
    if (this.stopped) return;
    switch (input.kind) {
      case 'datagram':
        this.onDatagram(input.from, input.bytes, now);
        break;
      case 'timer':
        this.onTimer(now);
        break;
      case 'command':
        if (input.command.type === 'stop') this.stopped = true;
        else if (input.command.type === 'supervise') this.placeSupervision(input.command.srv, input.command.to, now);
        break;
    }
  }

  pollTimeout(): number | undefined {
    return soonest(this.timers());
  }

  /**
   * Every deadline, by name: the one place they are computed. The next wake-up is their minimum,
   * and a wake-up handles those due (`due`). One table, filled in place: it is read after every input.
   */
  private timers(): Deadlines<MasterTimer> {
    const t = this.deadlines;
    const on = !this.stopped;
    t.forward = on ? this.forwards.oldest()?.[1].deadline : undefined;
    t.handoff = on ? this.failover.nextTimeout() : undefined;
    t.notice = on ? this.notices.nextTimeout() : undefined;
    t.poll = on ? this.registry.nextTimeout() : undefined;
    t.member = on ? this.membership?.nextTimeout() : undefined;
    t.supervise = on ? this.supervision?.nextTimeout() : undefined;
    t.digest = on ? this.sharing?.nextTimeout() : undefined;
    return t;
  }

  private due(name: MasterTimer, now: number): boolean {
    const at = this.timers()[name];
    return at !== undefined && now >= at;
  }

  /** The master's bounded tables, with their bounds (§7.3): a read-only view for tests and tools. */
  override tables(): Record<string, TableSize> {
    return {
      ...super.tables(),
      ...this.registry.tables(),
      assignments: { size: this.assignments.size, limit: MAX_ASSIGNMENTS },
      forwards: { size: this.forwards.size, limit: MAX_FORWARDS_IN_FLIGHT },
      pending: { size: this.pending.size, limit: MAX_FORWARDS_IN_FLIGHT },
      answers: { size: this.answers.size, limit: ANSWER_CACHE_SIZE },
      offers: { size: this.offers.size, limit: ANSWER_CACHE_SIZE },
      subscribers: { size: this.notices.subscriptions.size, limit: MAX_SUBSCRIBERS },
      ...this.status.tables(),
      ...this.failover.tables(),
      ...this.membership?.tables(),
      ...this.clientRtts.tables(),
    };
  }

  /** Every event also goes to the notice feed, which keeps those its subscribers are told of. */
  protected override emit(e: MasterEvent): void {
    super.emit(e);
    this.notices.record(e, this.clock);
  }

  /** Send, report and apply to the assignment table what the failover manager queued, in its order: called right after each call into it. */
  private drainFailover(now: number): void {
    for (let o = this.failover.pollOutput(); o; o = this.failover.pollOutput()) {
      if (o.kind === 'send') this.sendControl(o.to, o.msg, now, true);
      else if (o.kind === 'event') this.emit(o.event);
      else this.applyStream(o, now);
    }
  }

  /** A change the failover manager asks of the assignment table: the table is the master's, and changes only here. */
  private applyStream(c: StreamChange, now: number): void {
    if (c.kind === 'follow') {
      this.assignments.add(c.assignment);
      return this.emit({ type: 'stream-followed', level: 'debug', sid: c.assignment.sid, srv: c.assignment.server });
    }
    const a = this.assignments.get(c.sid);
    if (!a) return;
    switch (c.kind) {
      case 'tracked':
        (a.tracked ??= new Map()).set(c.server, { n: c.n, when: c.when });
        return;
      case 'playing':
        if (c.server === a.server) {
          a.npt = c.npt;
          this.assignments.confirm(a, now);
          return;
        }
        // A handoff done: the stream is its new server's now.
        this.assignments.reassign(a, c.server, now);
        a.npt = c.npt;
        a.handoffs++;
        if (c.mine === true) this.movedHere(a, now);
        return;
      case 'position':
        a.npt = c.npt;
        return;
      case 'ended':
        this.assignments.remove(c.sid);
        return;
    }
  }

  /**
   * Send and report what the registry queued, in its order, and do what it asks of the master's
   * own tables: called right after each call into it.
   */
  private drainRegistry(now: number): void {
    for (let o = this.registry.pollOutput(); o; o = this.registry.pollOutput()) this.onRegistry(o, now);
  }

  private onRegistry(o: RegistryOutput, now: number): void {
    switch (o.kind) {
      case 'send':
        this.sendControl(o.to, o.msg, now, o.validated);
        return;
      case 'event':
        return this.emit(o.event);
      case 'drop':
        return this.drop(o.code, o.from, o.detail, o.msg);
      case 'forgotten':
        // What was assigned to it goes, but the streams handed off from it, which live on elsewhere.
        this.assignments.removeServer(o.name, this.handedOff);
        this.unanswered.delete(o.name);
        this.supervision?.forget(o.name);
        this.sharing?.forgetServer(o.name);
        return;
      case 'load': {
        // Sessions: confirm the ones the server reports, end the ones it no longer has.
        this.assignments.report(o.server, o.sids, o.complete, now, this.handedOff);
        if (o.sids.length > 0 && this.unanswered.delete(o.server)) this.emit({ type: 'server-answering', srv: o.server });
        const change = this.supervision?.report(o.server, o.supervision);
        if (change) this.supervisionChanged(change);
        return;
      }
      case 'streams':
        // Moving a server's streams is its supervisor's duty alone (§12.2): one master orders each handoff.
        if (this.supervision && !this.supervision.supervises(o.server.name)) return;
        if (o.change === 'down') this.failover.serverDown(o.server, now);
        else if (o.change === 'draining') this.failover.serverDraining(o.server, now);
        else this.failover.serverOverloaded(o.server, now);
        return this.drainFailover(now);
    }
  }

  /** The members of this master's group as it sees them (§12.1), itself not among them; empty without a group. */
  members(): MemberView[] {
    return this.membership?.members() ?? [];
  }

  /** The members this master counts as live for supervision (§12.2): alive, or only suspected so far. */
  private liveMembers(): string[] {
    return this.members().filter((m) => m.state === 'alive' || m.state === 'suspect').map((m) => m.addr);
  }

  /** `server`'s supervision as this master knows it (§12.2); undefined without a group. */
  supervisionOf(server: string): SupervisionView | undefined {
    return this.supervision?.view(server, this.liveMembers(), SUPERVISION_BACKUPS);
  }

  /** Does this master supervise `server` (§12.2)? Every server, for a master on its own. */
  supervises(server: string): boolean {
    return this.supervision?.supervises(server) ?? true;
  }

  /**
   * This master gained or lost a server (§12.2). Gained: the server tells it of every stream playing
   * there (it retells them to a new supervisor), and its handoffs are this master's from now on.
   */
  private supervisionChanged(c: SupervisionChange): void {
    if (c.kind === 'gained') this.emit({ type: 'supervision-gained', level: 'info', srv: c.server, to: this.config.group!.self, from: c.from, epoch: c.epoch, pinned: c.pinned });
    else this.emit({ type: 'supervision-lost', level: 'info', srv: c.server, to: c.to, epoch: c.epoch, pinned: c.pinned });
  }

  /** An operator places `server`'s supervision on master `to` (§12.2): a pinned `supervise`, which the server takes from any of its masters. */
  private placeSupervision(server: string, to: string, now: number): { ok: boolean; text: string; code?: WireErrorCode } {
    if (!this.supervision) return { ok: false, text: 'this master belongs to no group: it supervises every server it knows', code: 'bad-request' };
    const rec = this.servers.get(server);
    if (!rec) return { ok: false, text: `this master does not know a server ${JSON.stringify(server)}`, code: 'unknown-server' };
    if (to !== this.config.group!.self && !this.liveMembers().includes(to)) return { ok: false, text: `${to} is not a live member of this master's group`, code: 'bad-request' };
    const sup = this.supervision.view(rec.name, this.liveMembers(), 0);
    this.sendSupervise(rec.name, sup.epoch + 1, to, true, now);
    return { ok: true, text: `${rec.name} is to be supervised by ${to} (epoch ${sup.epoch + 1}, placed by an operator; it was ${sup.supervisor})` };
  }

  /** Send `supervise` to server `name` (§12.2). */
  private sendSupervise(name: string, ep: number, to: string, pin: boolean, now: number): boolean {
    const rec = this.servers.get(name);
    if (!rec) return false;
    this.emit({ type: 'supervise', level: 'debug', srv: name, to, ep, pin });
    this.sendControl(rec.addr, { type: 'supervise', name, ep, to, ...(pin ? { pin: true } : {}) }, now, true);
    return true;
  }

  /**
   * Without a cluster key, a master admits as members only those named at start (a forged update
   * could otherwise make it probe any address); with one, any member the group vouches for (§12.1).
   */
  private admitsMember(addr: string): boolean {
    return this.deps.auth !== undefined || this.peers.has(addr);
  }

  private onMember(msg: MessageOf<'member'>, from: string, now: number): void {
    const m = this.membership;
    if (!m) return this.drop('unexpected-message', from, 'member: this master belongs to no group', msg.type);
    if (!this.admitsMember(from)) return this.drop('unexpected-message', from, 'member from an address that is not a member', msg.type);
    const said = fromWire(msg);
    if (!said) return this.drop('missing-field', from, 'member ping-req without a target address', msg.type);
    m.handle(from, { ...said, updates: said.updates.filter((u) => this.admitsMember(u.addr)) }, now);
    this.drainMembership(now);
  }

  /**
   * Send and report what membership queued. A `ping` and a `ping-req` go padded to MEMBER_PAD_TO
   * bytes, and `gossip` as it is, to members only; an `ack` goes to whoever asked, within what that
   * address sent (§9.4): a padded `ping` leaves room for any `ack`, a forged small one draws none larger.
   */
  private drainMembership(now: number): void {
    const m = this.membership!;
    for (let o = m.pollSend(); o; o = m.pollSend()) {
      const wire = toWire(o.msg);
      const auth = this.deps.auth;
      const msg = wire.k === 'ping' || wire.k === 'ping-req' ? padded(wire, MEMBER_PAD_TO, (x) => (auth ? auth.encode(x, now) : encode(x))) : wire;
      this.sendControl(o.to, msg, now, wire.k !== 'ack');
    }
    for (let e = m.pollEvent(); e; e = m.pollEvent()) {
      // A member back: handovers it could not take before may go now.
      if (e.type === 'member-alive') this.supervision?.membersChanged();
      // A member gone: what was heard from it goes; one that comes back starts its deltas afresh.
      if (e.type === 'member-dead' || e.type === 'member-left') this.sharing?.forgetMember(e.addr);
      this.emit(e);
    }
  }

  /** Push the notices the feed queued for its subscribers (proven addresses, §9.4). */
  private drainNotices(): void {
    for (let t = this.notices.pollTransmit(); t; t = this.notices.pollTransmit()) this.sendBytes(t.to, t.bytes, true);
  }

  // ---- Input ------------------------------------------------------------

  private onDatagram(from: string, bytes: Uint8Array, now: number): void {
    // Before any decoding; registered servers are exempt, so no flood can starve the master of them (§9.5).
    if (this.limiter && !this.registry.byAddr(from) && !admitDatagram(this.limiter, from, now, (e) => this.emit(e))) return;
    const d = this.receive(from, bytes, now);
    if (!d) return;
    const msg = d.msg;
    switch (msg.type) {
      case 'request':
        return this.onRequest(msg, bytes.length, from, now);
      case 'register':
        if (!this.authentic(d, from, now)) return;
        this.registry.handleRegister(msg, from, now);
        return this.drainRegistry(now);
      case 'content':
        if (!this.authentic(d, from, now)) return;
        this.registry.handleContent(msg, from, now);
        return this.drainRegistry(now);
      case 'load':
        if (!this.authentic(d, from, now)) return;
        this.registry.handleLoad(msg, from, now);
        return this.drainRegistry(now);
      case 'leave':
        if (!this.authentic(d, from, now)) return;
        this.registry.handleLeave(msg, from, now);
        return this.drainRegistry(now);
      case 'setup':
      case 'error':
        return this.onServerAnswer(d, from, now);
      case 'status-request':
        if (this.authentic(d, from, now)) this.sendBytes(from, this.status.handleRequest(msg, from, now), false);
        return;
      case 'track': {
        const rec = this.registry.byAddr(from);
        if (!rec) return this.drop('unexpected-message', from, 'track from an address that is not a server', msg.type);
        if (!this.authentic(d, from, now)) return;
        const offer = this.offers.get(msg.sid);
        this.failover.handleTrack(msg, rec, now, offer);
        return this.drainFailover(now);
      }
      case 'control':
        if (this.authentic(d, from, now)) this.onControl(msg, from, now);
        return;
      case 'subscribe':
        if (this.authentic(d, from, now)) this.onSubscribe(msg, from, now);
        return;
      case 'member':
        if (this.authentic(d, from, now)) this.onMember(msg, from, now);
        return;
      case 'pass':
        return this.onPass(d, msg, from, now);
      case 'assign':
        if (this.authentic(d, from, now)) this.onAssign(msg, from, now);
        return;
      case 'digest':
        if (this.authentic(d, from, now)) this.onDigest(msg, from, now);
        return;
      case 'pull':
        if (this.authentic(d, from, now)) this.onPull(msg, from, now);
        return;
      case 'echo': {
        // Timed only for the address the answer went to (§12.5): nothing is sent back.
        const sample = this.clientRtts.echo(`${from}|${msg.rid}`, from, now);
        if (sample === undefined) return this.drop('unexpected-message', from, `echo of no answer awaiting one (rid ${msg.rid})`, msg.type);
        this.emit({ type: 'client-rtt', level: 'debug', client: from, sample: Math.round(sample), rtt: Math.round(this.clientRtts.rtt(from)!) });
        return;
      }
      default:
        this.drop('unexpected-message', from, `a master does not take ${msg.type}`, msg.type);
    }
  }

  /**
   * A portal passes a client's request on (§12.3): answered to the client directly, as if it had
   * asked, within the bytes the portal says it sent (§9.4). Only in a cluster with a key: without
   * one, anyone could pass a request "from" a victim's address.
   */
  private onPass(d: Decoded, msg: MessageOf<'pass'>, from: string, now: number): void {
    if (!this.deps.auth) return this.drop('unexpected-message', from, 'pass without a cluster key: a portal forwards only in a cluster with one', msg.type);
    if (!this.authentic(d, from, now)) return;
    if (!parseAddress(msg.client)) return this.drop('bad-field', from, `pass for a client that is no address: ${JSON.stringify(msg.client)}`, msg.type);
    const { type: _t, client, size, at: _at, ...fields } = msg;
    this.vouched(client, size);
    this.onRequest({ type: 'request', ...fields }, size, client, now);
  }

  /** A wake-up: each deadline due, in TIMER_ORDER, each looked up again after the ones before acted. */
  private onTimer(now: number): void {
    for (const name of TIMER_ORDER) if (this.due(name, now)) this.onTimeout(name, now);
  }

  private onTimeout(name: MasterTimer, now: number): void {
    switch (name) {
      case 'forward':
        for (let o = this.forwards.oldest(); o && o[1].deadline <= now; o = this.forwards.oldest()) {
          const f = o[1];
          this.forwards.delete(f.mrid);
          this.emit({ type: 'forward-timeout', level: 'warn', rid: f.rid, client: f.client, srv: f.server });
          this.retryForward(f, now, 'unavailable', `server ${f.server} did not answer`);
        }
        return;
      case 'handoff':
        this.failover.handleTimeout(now);
        return this.drainFailover(now);
      case 'notice':
        this.notices.handleTimeout(now);
        return this.drainNotices();
      case 'poll':
        // One server at a time: what one's poll sets off (its streams move) is done before the next is polled.
        while (this.registry.handleTimeout(now)) this.drainRegistry(now);
        return this.sweep(now);
      case 'member':
        this.membership!.handleTimeout(now);
        return this.drainMembership(now);
      case 'supervise':
        for (const o of this.supervision!.handleTimeout(now, this.liveMembers())) this.sendSupervise(o.server, o.ep, o.to, o.pin === true, now);
        return;
      case 'digest': {
        const ents = this.sharing!.digest(now, (srv) => this.assignments.ofServer(srv).filter((a) => a.origin === undefined).map((a) => a.sid));
        if (ents) for (const m of this.liveMembers()) this.sendControl(m, { type: 'digest', ents }, now, true);
        return;
      }
    }
  }

  /**
   * A stream whose client has been sent to its new server (a move past
   * `establish`): the old server lets it go — stops listing it, tears it down,
   * leaves — before the new one reports it playing, and its record (the
   * client's stream key, its position) must live on until then.
   */
  private readonly handedOff = (a: Assignment): boolean => this.failover.moving(a.sid)?.state === 'moving';

  /** After a poll round: assignments and cached answers that have expired go. */
  private sweep(now: number): void {
    this.assignments.expire(now);
    for (let o = this.answers.oldest(); o && now - o[1].at > ANSWER_CACHE_TTL; o = this.answers.oldest()) this.answers.shift();
  }

  // ---- Requests (S1.2–S1.4, S4.1) ----------------------------------------

  /**
   * A client's request (S1.2–S1.4, S4.1), in steps: a repeat gets the answer it had; a file no
   * server holds, an error; a list, the list; otherwise a server for the stream (the one it moves
   * to, when it is moving), and a redirect there or a setup relayed from there.
   */
  private onRequest(msg: MessageOf<'request'>, size: number, from: string, now: number): void {
    const key = `${from}|${msg.rid}`;
    if (this.repeated(key, from, now)) return;
    this.stats.requests++;
    if (msg.echo === true) this.clientRtts.want(key);
    const mode = msg.mode ?? this.config.mode;
    if (this.unheld(msg, from, now, key)) return;
    // A client resuming a stream (its server failed, or left it): the stream keeps its id and state (§10.6).
    const resumed = this.resumedStream(msg, from);
    if (mode === 'list') return this.answerList(msg, size, from, now, key, resumed);
    const avoid = msg.avoid ?? [];
    if (avoid.length > 0 && !resumed) this.clientAvoided(from, msg.file, avoid);
    const moving = resumed ? this.failover.clientAsked(resumed.sid, avoid) : undefined;
    this.drainFailover(now);
    if (resumed && moving?.setup && mode === 'relay') return this.relaySetup(moving.setup, msg.rid, resumed, from, now, key);
    const srv = this.serverFor(msg, from, avoid, resumed, moving?.srv, now);
    if (srv === undefined) {
      return this.answerError(from, msg.rid, 'no-capacity', `no server holding ${JSON.stringify(msg.file)} is up with room for it`, now, key);
    }
    const sid = resumed?.sid ?? this.newSid();
    if (mode === 'redirect') return this.answerRedirect(msg, from, srv, sid, resumed, now, key);
    this.relay(msg, from, srv, sid, avoid, resumed !== undefined, now, key);
  }

  /** A request answered already, or whose relayed answer is on its way: the same answer again, or nothing. */
  private repeated(key: string, from: string, now: number): boolean {
    const cached = this.answers.get(key);
    if (cached && now - cached.at <= ANSWER_CACHE_TTL) {
      this.clientRtts.resent(key);
      this.sendBytes(from, cached.bytes, false);
      return true;
    }
    return this.pending.has(key);
  }

  /** A file no server holds: answered with an error, true. */
  private unheld(msg: MessageOf<'request'>, from: string, now: number, key: string): boolean {
    const holders = this.catalog.holders(msg.file);
    if (holders && holders.size > 0) return false;
    // Just started (or restarted) and no server has registered yet: they have not found it yet (§4.2).
    const age = now - (this.startedAt ?? now);
    if (this.servers.size === 0 && age < LEARNING_POLLS * this.config.pollInterval) {
      this.answerError(from, msg.rid, 'unavailable', `no server has told this master of ${JSON.stringify(msg.file)} yet: it started ${Math.round(age)} ms ago and is still learning its servers' content; try again`, now, key);
    } else {
      this.answerError(from, msg.rid, 'not-found', `no server holds ${JSON.stringify(msg.file)}`, now, key);
    }
    return true;
  }

  /** The stream is already set up at the server it moves to: relay that setup, with the stream's key. */
  private relaySetup(moved: MessageOf<'setup'>, rid: number, resumed: Assignment, from: string, now: number, key: string): void {
    const { at: _at, ...setup } = moved;
    this.stats.relays++;
    this.answer(from, key, encode({ ...setup, rid, ...(resumed.sk ? { sk: resumed.sk } : {}) }), now);
  }

  /**
   * The server a request goes to: `moving`, the one its stream moves to, or one chosen by the
   * policy (a new stream first bounds its source's reservations). A stream the client resumes
   * elsewhere on its own is followed as a handoff from here.
   */
  private serverFor(msg: MessageOf<'request'>, from: string, avoid: readonly string[], resumed: Assignment | undefined, moving: string | undefined, now: number): string | undefined {
    if (moving === undefined && !resumed) this.keepReserve(from, msg.file, msg.scale, now);
    const srv = moving ?? this.choose(msg.file, avoid, [], 1000, msg.loc, from)?.name;
    if (srv === undefined) return undefined;
    if (resumed && moving === undefined) {
      this.failover.clientMoved(resumed, srv, now, msg.quiet);
      this.drainFailover(now);
    }
    return srv;
  }

  /** Redirect (S1.3): the client is told the server, with a token and the stream's key; a new stream is assigned now. */
  private answerRedirect(msg: MessageOf<'request'>, from: string, srv: string, sid: number, resumed: Assignment | undefined, now: number, key: string): void {
    const exp = Math.floor(now) + TOKEN_TTL;
    const sk = resumed ? resumed.sk : this.assign(sid, from, msg.file, srv, now).sk;
    const answer: Message = {
      type: 'redirect',
      rid: msg.rid,
      file: msg.file,
      srv,
      sid,
      ...this.tokenFields(from, msg.file, srv, sid, exp),
      ...(sk ? { sk } : {}),
    };
    this.stats.redirects++;
    this.emit({ type: 'redirect', level: 'debug', client: from, rid: msg.rid, file: msg.file, srv, sid, policy: this.config.policy });
    this.answer(from, key, encode(answer), now);
  }

  /** Relay (S1.4): forward to the server, and answer when its setup comes back. */
  private relay(msg: MessageOf<'request'>, from: string, srv: string, sid: number, avoid: readonly string[], resumed: boolean, now: number, key: string): void {
    if (this.forwards.size >= MAX_FORWARDS_IN_FLIGHT) {
      return this.answerError(from, msg.rid, 'unavailable', 'too many relayed requests in flight; try again', now, key);
    }
    const f: Forward = {
      mrid: this.newRid(),
      client: from,
      rid: msg.rid,
      file: msg.file,
      off: msg.off ?? 0,
      ...(msg.offs ? { offs: msg.offs } : {}),
      ...(msg.scale !== undefined ? { scale: msg.scale } : {}),
      ...(msg.loc !== undefined ? { loc: msg.loc } : {}),
      tried: [],
      avoid,
      server: srv,
      sid,
      deadline: now + FORWARD_TIMEOUT,
      resumed,
    };
    this.pending.add(key);
    this.sendForward(f, now);
  }

  /**
   * A client asks again avoiding servers this master sent it to, where its stream was never
   * confirmed: they did not answer it (§6.1). Its reservation there ends now, and the server is
   * marked as not answering clients, chosen last until it confirms a stream (§6.4). Only a
   * client this master sent there can report a server, once per reservation.
   */
  private clientAvoided(client: string, file: string, avoid: readonly string[]): void {
    for (const name of avoid) {
      const rec = this.servers.get(name);
      if (!rec) continue;
      const mine = this.assignments.ofServer(name).filter((a) => a.client === client && a.file === file && !a.live);
      if (mine.length === 0) continue;
      for (const a of mine) this.assignments.remove(a.sid);
      const n = (this.unanswered.get(name) ?? 0) + 1;
      this.unanswered.set(name, n);
      if (n === 1) this.emit({ type: 'server-unanswered', level: 'warn', srv: name, client, file, detail: `a client sent to ${name} got no answer from it: chosen last until it confirms a stream` });
    }
  }

  /**
   * One source may hold reservations for at most RESERVE_SOURCE_SHARE of the up servers' capacity:
   * a request beyond that ends its source's oldest reservations first, so one source cannot book the
   * cluster and other sources always find room (§4.4). With a warning, once per source per ASSIGNMENT_TTL.
   */
  private keepReserve(client: string, file: string, scale = 1000, now: number): void {
    let rate = 0;
    for (const info of this.catalog.holders(file)?.values() ?? []) rate = Math.max(rate, (info.rate * scale) / 1000);
    let capacity = 0;
    for (const rec of this.servers.values()) if (rec.state === 'up') capacity += rec.cap;
    const ended = this.assignments.trimSource(client, rate, RESERVE_SOURCE_SHARE * capacity);
    if (ended === 0) return;
    const source = sourceOf(client);
    const last = this.reserveWarned.get(source);
    if (last !== undefined && now - last < ASSIGNMENT_TTL) return;
    this.reserveWarned.delete(source);
    this.reserveWarned.set(source, now);
    this.emit({ type: 'reservations-bounded', level: 'warn', source, client, detail: `the clients of ${source} hold reservations for ${RESERVE_SOURCE_SHARE * 100}% of the up servers' capacity: their oldest end as they ask for more` });
  }

  /** The stream a request resumes (`prev`), when this master follows it for this client. */
  private resumedStream(msg: MessageOf<'request'>, from: string): Assignment | undefined {
    if (msg.prev === undefined) return undefined;
    const a = this.assignments.get(msg.prev);
    return a && a.client === from && a.file === msg.file ? a : undefined;
  }

  private sendForward(f: Forward, now: number): void {
    const rec = this.servers.get(f.server);
    if (!rec) return this.retryForward(f, now, 'unavailable', `server ${f.server} is gone`);
    f.tried.push(f.server);
    f.deadline = now + FORWARD_TIMEOUT;
    this.forwards.set(f.mrid, f);
    // Assigned (and reserved) now; if the server does not set it up, the assignment goes.
    // A resumed stream keeps its assignment: the server it moves to takes it over when it plays.
    if (!f.resumed) this.assign(f.sid, f.client, f.file, f.server, now);
    this.sendControl(rec.addr, { type: 'forward', rid: f.mrid, file: f.file, client: f.client, sid: f.sid, off: f.off, ...(f.offs ? { offs: f.offs } : {}), ...(f.scale !== undefined ? { scale: f.scale } : {}) }, now, true);
    this.emit({ type: 'forward', level: 'debug', client: f.client, rid: f.rid, srv: f.server, sid: f.sid });
  }

  private retryForward(f: Forward, now: number, code: WireErrorCode, why: string): void {
    if (!f.resumed) this.assignments.remove(f.sid);
    const next = f.tried.length < FORWARD_ATTEMPTS ? this.choose(f.file, f.avoid, f.tried, 1000, f.loc, f.client) : undefined;
    if (next) {
      this.forwards.delete(f.mrid);
      const again: Forward = { ...f, mrid: this.newRid(), server: next.name };
      this.sendForward(again, now);
      return;
    }
    const key = `${f.client}|${f.rid}`;
    this.pending.delete(key);
    this.answerError(f.client, f.rid, code, why, now, key);
  }

  /**
   * The stream key a client gets with stream `sid` (§10.5): with a cluster key, derived from it, so a
   * master that restarts knows the keys of the streams it relearns; without one, random.
   */
  private streamKey(sid: number, client: string): Uint8Array {
    return this.deps.auth ? this.deps.auth.streamKey(sid, client) : this.deps.rng.bytes(STREAM_KEY_LENGTH);
  }

  /** A server's `setup` or `error` answering a `forward`. */
  private onServerAnswer(d: Decoded, from: string, now: number): void {
    const msg = d.msg as MessageOf<'setup'> | MessageOf<'error'>;
    const rec = this.registry.byAddr(from);
    if (!rec) return this.drop('unexpected-message', from, `${msg.type} from an address that is not a server`, msg.type);
    if (!this.authentic(d, from, now)) return;
    if (msg.type === 'error' && msg.code === 'not-registered') return; // servers do not say this to masters
    const answered = this.failover.handleAnswer(msg, rec, now);
    this.drainFailover(now);
    if (answered) return;
    const f = msg.rid === undefined ? undefined : this.forwards.get(msg.rid);
    if (!f || f.server !== rec.name) return this.drop('unexpected-message', from, `${msg.type} answers no relayed request`, msg.type);
    if (msg.type === 'setup' && (msg.sid !== f.sid || msg.file !== f.file)) {
      // Not the answer: keep waiting for it.
      return this.drop('unexpected-message', from, `setup for stream ${msg.sid} (${msg.file}) answers a forward of ${f.sid} (${f.file})`, 'setup');
    }
    this.forwards.delete(f.mrid);
    if (msg.type === 'error') {
      this.emit({ type: 'forward-refused', level: 'warn', client: f.client, rid: f.rid, srv: f.server, code: msg.code });
      this.retryForward(f, now, 'unavailable', `server ${f.server} refused: ${msg.code}`);
      return;
    }
    const key = `${f.client}|${f.rid}`;
    this.pending.delete(key);
    const a = this.assignments.get(f.sid) ?? this.assign(f.sid, f.client, f.file, f.server, now);
    this.stats.relays++;
    this.emit({ type: 'relay', level: 'debug', client: f.client, rid: f.rid, file: f.file, srv: f.server, sid: f.sid, policy: this.config.policy });
    const { at: _at, ...setup } = msg;
    this.answer(f.client, key, encode({ ...setup, rid: f.rid, ...(a.sk ? { sk: a.sk } : {}) }), now);
  }

  private answerList(msg: MessageOf<'request'>, size: number, from: string, now: number, key: string, resumed?: Assignment): void {
    const holders = [...this.catalog.holders(msg.file)!.keys()].sort();
    const start = Math.min(msg.from ?? 0, holders.length);
    const exp = Math.floor(now) + TOKEN_TTL;
    const empty: MessageOf<'server-list'> = { type: 'server-list', rid: msg.rid, file: msg.file, total: holders.length, from: start, servers: [], exp: this.deps.auth ? exp : undefined };
    // Entries are added while the computed size of the page stays within what the request's size allows back (§9.4).
    const page = new ListFill<MessageOf<'server-list'>['servers'][number]>(MESSAGES['server-list'].fields.servers.of!, encodedLength(empty), Math.min(size, MAX_DATAGRAM), MAX_LIST_SERVERS);
    let needed: number | undefined;
    for (let i = start; i < holders.length && !page.full; i++) {
      const rec = this.servers.get(holders[i]!)!;
      // Each server its own stream id and key, unless the list resumes a stream: it keeps its own.
      const sid = resumed?.sid ?? this.newSid();
      const sk = resumed?.sk ?? this.streamKey(sid, from);
      const entry = {
        srv: rec.name,
        status: rec.state,
        users: rec.streams + this.assignments.reservedCount(rec.name),
        group: rec.group,
        sid,
        ...(this.deps.auth ? { tok: this.deps.auth.token({ client: from, file: msg.file, server: rec.name, sid, exp }) } : {}),
        sk,
      };
      if (!page.add(entry)) {
        // What one entry needs at most: its stream id written at its widest.
        if (page.items.length === 0) needed = page.sizeWith({ ...entry, sid: U32 });
        break;
      }
      if (!resumed) this.offers.set(sid, { client: from, file: msg.file, sk });
    }
    if (needed !== undefined) {
      // Not even one entry fits in what the request's size allows back (§9.4): say so, not an empty page.
      return this.answerError(from, msg.rid, 'bad-request', `pad the request to ${needed} bytes for one server of the list`, now, key);
    }
    this.stats.lists++;
    this.emit({ type: 'list', level: 'debug', client: from, rid: msg.rid, file: msg.file, servers: page.items.length, total: holders.length });
    this.answer(from, key, encode({ ...empty, servers: page.items }), now);
  }

  /** Eligible servers for `file`: up, not avoided (unless nothing else is left), with room for its rate; `loc`, where the client is (§12.5). */
  private choose(file: string, avoid: readonly string[], tried: readonly string[], scale = 1000, loc?: string, client?: string): Candidate | undefined {
    const holders = this.catalog.holders(file);
    if (!holders) return undefined;
    const eligible = (skipAvoided: boolean): Candidate[] => {
      const out: Candidate[] = [];
      for (const [name, info] of holders) {
        if (tried.includes(name) || (skipAvoided && (avoid.includes(name) || this.unanswered.has(name)))) continue;
        const rec = this.servers.get(name);
        if (!rec || rec.state !== 'up') continue;
        const available = rec.available(this.assignments.reservedBw(name) + this.failover.heldBw(name));
        if (available < (info.rate * scale) / 1000) continue;
        out.push({
          name, available, streams: rec.streams + this.assignments.reservedCount(name),
          ...(rec.facts.loc !== undefined ? { loc: rec.facts.loc } : {}),
          ...(rec.rtt !== undefined ? { rtt: rec.rtt } : rec.facts.lat !== undefined ? { rtt: rec.facts.lat } : {}),
        });
      }
      return out;
    };
    let candidates = eligible(true);
    if (candidates.length === 0 && (avoid.length > 0 || this.unanswered.size > 0)) candidates = eligible(false);
    return this.selector.pick(candidates, loc, client === undefined ? undefined : this.clientRtts.rtt(client));
  }

  /** Record the assignment, with the stream's key (§10.5); until the server reports the stream, its rate counts against the server's room. */
  private assign(sid: number, client: string, file: string, server: string, now: number): Assignment {
    const rate = this.catalog.holders(file)?.get(server)?.rate ?? 0;
    const a: Assignment = { sid, client, file, server, rate, at: now, live: false, seen: now, sk: this.streamKey(sid, client), handoffs: 0 };
    this.stampDelta(a);
    this.assignments.add(a);
    this.shareAssignment(a, now);
    return a;
  }

  /** In a group, `a`'s delta key (§12.4): its server's incarnation and this master's next count there. */
  private stampDelta(a: Assignment): void {
    const rec = this.servers.get(a.server);
    if (this.sharing && rec) Object.assign(a, this.sharing.stamp(a.server, rec.epoch));
  }

  /**
   * A handoff this master ran is complete (S3.3): the move is an assignment it made on the new
   * server, told to the group as a delta with the stream's count of handoffs, so that a member the
   * server's own `track` has not reached yet moves the stream too.
   */
  private movedHere(a: Assignment, now: number): void {
    if (!this.sharing) return;
    a.origin = undefined;
    this.stampDelta(a);
    this.shareAssignment(a, now);
  }

  /**
   * Tell the live members of the group of an assignment (S3.3, §12.4): they reserve its rate on its
   * server until the server reports the stream, as this master does. Without a cluster key the
   * stream's key goes with it (with one, every master derives it), so any master can move it.
   */
  private shareAssignment(a: Assignment, now: number, to: readonly string[] = this.liveMembers()): void {
    if (!this.membership || a.inc === undefined || a.seq === undefined) return;
    const age = Math.max(0, Math.round(now - a.at));
    const msg: MessageOf<'assign'> = {
      type: 'assign', srv: a.server, sid: a.sid, client: a.client, file: a.file, rate: a.rate, ...(!this.deps.auth && a.sk ? { sk: a.sk } : {}), inc: a.inc, seq: a.seq,
      ...(age > 0 ? { age } : {}),
      ...(a.handoffs > 0 ? { hops: a.handoffs } : {}),
    };
    for (const m of to) this.sendControl(m, msg, now, true);
  }

  /** A member's digest (§12.4): pull what it lists that this master is missing. */
  private onDigest(msg: MessageOf<'digest'>, from: string, now: number): void {
    if (!this.sharing) return this.drop('unexpected-message', from, 'digest: this master belongs to no group', msg.type);
    if (!this.admitsMember(from)) return this.drop('unexpected-message', from, 'digest from an address that is not a member', msg.type);
    const sids = this.sharing.onDigest(from, msg.ents, (sid) => this.assignments.has(sid), (srv) => this.servers.has(srv));
    if (sids.length > 0) this.sendControl(from, { type: 'pull', sids }, now, true);
  }

  /** A member pulls assignments it missed (§12.4): those this master made and still holds go again, to it alone. */
  private onPull(msg: MessageOf<'pull'>, from: string, now: number): void {
    if (!this.sharing) return this.drop('unexpected-message', from, 'pull: this master belongs to no group', msg.type);
    if (!this.admitsMember(from)) return this.drop('unexpected-message', from, 'pull from an address that is not a member', msg.type);
    for (const sid of msg.sids) {
      const a = this.assignments.get(sid);
      if (a && a.origin === undefined) this.shareAssignment(a, now, [from]);
    }
  }

  /** Another master's assignment (§12.4): reserved here too, unless the stream is known already. */
  private onAssign(msg: MessageOf<'assign'>, from: string, now: number): void {
    if (!this.membership) return this.drop('unexpected-message', from, 'assign: this master belongs to no group', msg.type);
    if (!this.admitsMember(from)) return this.drop('unexpected-message', from, 'assign from an address that is not a member', msg.type);
    if (!this.servers.has(msg.srv)) return this.drop('unexpected-message', from, `assign for a server this master does not know: ${msg.srv}`, msg.type);
    this.sharing!.delta(from, msg.srv, msg.inc, msg.seq);
    const hops = msg.hops ?? 0;
    const known = this.assignments.get(msg.sid);
    if (known) {
      // A handoff this master has not counted yet (the new server's `track` is still on its way): the stream plays there now.
      if (hops <= known.handoffs || known.client !== msg.client || known.file !== msg.file) return;
      this.assignments.reassign(known, msg.srv, now);
      known.handoffs = hops;
      known.origin = from;
    } else {
      const sk = msg.sk ?? (this.deps.auth ? this.deps.auth.streamKey(msg.sid, msg.client) : undefined);
      // Dated back to when its origin made it: its reservation runs out when the origin's does (§4.4). A moved stream plays already.
      const at = now - Math.min(msg.age ?? 0, ASSIGNMENT_TTL);
      this.assignments.add({ sid: msg.sid, client: msg.client, file: msg.file, server: msg.srv, rate: msg.rate, at, live: hops > 0, seen: now, ...(sk ? { sk } : {}), handoffs: hops, origin: from });
    }
    this.emit({ type: 'assignment-learned', level: 'debug', sid: msg.sid, srv: msg.srv, from, hops });
  }

  private tokenFields(client: string, file: string, server: string, sid: number, exp: number): { tok?: Uint8Array; exp?: number } {
    const auth = this.deps.auth;
    if (!auth) return {};
    return { tok: auth.token({ client, file, server, sid, exp }), exp };
  }

  private answer(to: string, key: string, bytes: Uint8Array, now: number): void {
    this.answers.set(key, { at: now, bytes });
    this.clientRtts.answered(key, now);
    this.sendBytes(to, bytes, false);
  }

  private answerError(to: string, rid: number, code: WireErrorCode, text: string, now: number, key: string): void {
    this.stats.errors++;
    this.emit({ type: 'request-error', level: 'warn', client: to, rid, code, msg: text });
    this.answer(to, key, encode({ type: 'error', rid, code, msg: text }), now);
  }

  private newSid(): number {
    let sid = this.deps.rng.id();
    while (this.assignments.has(sid)) sid = this.deps.rng.id();
    return sid;
  }

  private newRid(): number {
    let rid = this.deps.rng.id();
    while (this.forwards.has(rid)) rid = this.deps.rng.id();
    return rid;
  }

  // ---- Operators' orders (ofp server drain, ofp server overload, ofp master handoff) ----

  private onControl(msg: MessageOf<'control'>, from: string, now: number): void {
    const reply = (ok: boolean, text: string, code?: WireErrorCode) => {
      const m: MessageOf<'control-result'> = { type: 'control-result', rid: msg.rid, ok, msg: text.slice(0, 200), ...(code ? { code } : {}) };
      this.sendBytes(from, this.deps.auth ? this.deps.auth.encode(m, now) : encode(m), false);
    };
    const rec = msg.srv !== undefined ? this.servers.get(msg.srv) : undefined;
    switch (msg.op) {
      case 'drain':
      case 'capacity': {
        if (!rec) return reply(false, `this master does not know a server ${JSON.stringify(msg.srv ?? '')}`, 'unknown-server');
        if (msg.op === 'capacity' && msg.cap === undefined) return reply(false, 'capacity: say how much (cap)', 'bad-request');
        this.registry.handleOrder(rec.name, { op: msg.op, ...(msg.cap !== undefined ? { cap: msg.cap } : {}) });
        this.drainRegistry(now);
        // Streams it plays or is about to: an assignment whose reservation ended unconfirmed is not one (§4.4).
        const streams = this.assignments.ofServer(rec.name).filter((a) => a.live || a.holding === true).length;
        this.emit({ type: 'order', op: msg.op, srv: rec.name, ...(msg.cap !== undefined ? { cap: msg.cap } : {}), streams });
        return reply(true, msg.op === 'drain'
          ? `${rec.name} drains: its ${streams} stream(s) move to other servers, then it leaves`
          : `${rec.name} capacity set to ${msg.cap} bit/s (${rec.bw} committed)`);
      }
      case 'handoff': {
        const a = msg.sid !== undefined ? this.assignments.get(msg.sid) : undefined;
        if (!a) return reply(false, `this master follows no stream ${msg.sid ?? '(none given)'}`, 'unknown-stream');
        if (msg.srv !== undefined && !rec) return reply(false, `this master does not know a server ${JSON.stringify(msg.srv)}`, 'unknown-server');
        if (msg.srv === a.server) return reply(false, `stream ${a.sid} already plays at ${a.server}`, 'bad-request');
        const why = this.failover.start(a, 'operator', now, now, msg.srv);
        this.drainFailover(now);
        if (why) return reply(false, `stream ${a.sid} cannot move: ${why}`, 'no-capacity');
        return reply(true, `stream ${a.sid} moves from ${a.server}${msg.srv ? ` to ${msg.srv}` : ''}`);
      }
      case 'supervise': {
        const r = this.placeSupervision(msg.srv ?? '', msg.to ?? this.config.group?.self ?? '', now);
        return reply(r.ok, r.text, r.code);
      }
    }
  }

  // ---- Subscriptions (ofp dashboard) --------------------------------------

  private onSubscribe(msg: MessageOf<'subscribe'>, from: string, now: number): void {
    const ack: MessageOf<'subscribe-ack'> = { type: 'subscribe-ack', ...this.notices.onSubscribe(msg, from, now) };
    // Any state but `pending` means the `subscribe` echoed this address's cookie: the address is proven (§9.4).
    // Until then the answer must fit within what the address sent, which is why a first `subscribe` is padded.
    this.sendBytes(from, this.deps.auth ? this.deps.auth.encode(ack, now) : encode(ack), ack.state !== 'pending');
  }

  summary(now: number): NonNullable<MessageOf<'status'>['summary']> {
    let up = 0;
    let bw = 0;
    let cap = 0;
    for (const rec of this.servers.values()) {
      bw += rec.bw;
      if (rec.state === 'up') {
        up++;
        cap += rec.cap;
      }
    }
    return {
      servers: this.servers.size,
      up,
      files: this.catalog.fileCount,
      sessions: this.assignments.size,
      bw,
      cap,
      requests: this.stats.requests,
      policy: this.config.policy,
      mode: this.config.mode,
      uptime: Math.max(0, Math.floor(now - (this.startedAt ?? now))),
      ...(this.membership ? { group: this.membership.members().length, ...this.supervisedTotals() } : {}),
    };
  }

  /** The servers this master supervises (§12.2), and their committed bandwidth and capacity while up: what a portal compares (§12.3). */
  private supervisedTotals(): { sv: number; svbw: number; svcap: number; svs: number } {
    let sv = 0;
    let svbw = 0;
    let svcap = 0;
    let svs = 0;
    for (const rec of this.servers.values()) {
      if (!this.supervises(rec.name)) continue;
      sv++;
      svs += rec.streams;
      if (rec.state !== 'up') continue;
      svbw += rec.bw;
      svcap += rec.cap;
    }
    return { sv, svbw, svcap, svs };
  }

  /** The rows of a status table now (§11.2): what `status` pages carry. */
  statusRows(what: StatusTable, now: number): unknown[] {
    return this.status.rows(what, now);
  }

  // ---- Read-only views, for tests and tools ------------------------------

  /** Server `name` as this master knows it, a snapshot; undefined when it is not one of its servers. */
  serverView(name: string): ServerView | undefined {
    const rec = this.servers.get(name);
    return rec && serverView(rec);
  }

  /** Every server, in the order they joined, as snapshots. */
  serversView(): ServerView[] {
    return [...this.servers.values()].map(serverView);
  }

  /** The assignment of stream `sid`, a snapshot; undefined when this master follows no such stream. */
  assignmentView(sid: number): AssignmentView | undefined {
    const a = this.assignments.get(sid);
    return a && assignmentView(a);
  }

  /** Every assignment, oldest first, or only those of server `server`, as snapshots. */
  assignmentsView(server?: string): AssignmentView[] {
    return (server === undefined ? [...this.assignments.values()] : this.assignments.ofServer(server)).map(assignmentView);
  }

  /** How many streams this master follows. */
  assignmentCount(): number {
    return this.assignments.size;
  }

  /** What is reserved on server `server` (§4.4): the streams it has not reported yet, and the bandwidth they and streams moving there hold. */
  reservedOn(server: string): { readonly count: number; readonly bw: number } {
    return { count: this.assignments.reservedCount(server), bw: this.assignments.reservedBw(server) + this.failover.heldBw(server) };
  }

  /** The bandwidth reserved by the source of `client` (§4.4), bits per second. */
  reservedBySource(client: string): number {
    return this.assignments.sourceReservedBw(client);
  }

  /** How many reservations ended before a load report listed them (§4.4). */
  reclaimed(): number {
    return this.assignments.reclaimed;
  }
}
