/**
 * The client (S1, S2, S4): asks a master for a media item by name, follows a
 * redirect (S1.3), takes a relayed setup (S1.4) or picks from a server list
 * itself (S4.1, S4.2), plays the stream — every flow of it (S2.4) — asks for
 * what is missing, and hands bytes on in order, never twice.
 *
 * Its stream moves (§10): when its server relays a `switch` with a valid
 * handoff token it plays at the new server and lets the old one go once the
 * new one delivers (S2.6); when its server falls silent it tries once more,
 * then asks a master again from the exact byte it has (S4.5); when the data
 * carries the change indicator and no `switch` follows, it asks itself
 * (S2.5c). Several master addresses are rotated (S4.3). A rate schedule sends
 * stream adjustments (S2.1).
 */
import {
  ACK_INTERVAL,
  ATTEMPTS_PER_PEER,
  DATA_CHUNK,
  MAX_FLOWS,
  MAX_LIST_PAGES,
  RECEIVE_WINDOW,
  REQUEST_TIMEOUT,
  SERVER_SILENCE_TIMEOUT,
  TEARDOWNS_KEPT,
} from '../../protocol/constants.js';
import { equalBytes, handoffToken } from '../../protocol/auth.js';
import type { ErrorCode, WireCode } from '../../protocol/errors.js';
import { U32 } from '../../protocol/fields.js';
import type { MessageOf } from '../../protocol/messages.js';
import { padded } from '../../protocol/padding.js';
import { type Input, Queue, RoleCore, type RoleDeps, type StreamBytes, type TableSize } from '../role.js';
import { canMove, mustMove } from '../stateMachine.js';
import { type Deadlines, soonest } from '../timers.js';
import type { ClientEvent } from './events.js';
import { Handoff } from './handoff.js';
import { MasterRotation } from './masters.js';
import { RateSchedule, type ScheduledRate } from './rateSchedule.js';
import { Receiver } from './receiver.js';
import { type ClientResult, ResultBook } from './result.js';
import { type Choice, type GiveUp, ServerRecord } from './serverRecord.js';
import { ServerSession } from './session.js';
import { CLIENT_TABLE, type ClientState, type ClientTrigger } from './table.js';

export type RequestMode = 'redirect' | 'relay' | 'list';
export type { Choice } from './serverRecord.js';

export function parseChoice(s: string): Choice | undefined {
  if (s === 'random') return { by: 'random' };
  if (s === 'fewest-users') return { by: 'fewest-users' };
  if (s.startsWith('group:') && s.length > 6) return { by: 'group', group: s.slice(6) };
  return undefined;
}

export type { ScheduledRate } from './rateSchedule.js';
export type { ClientEvent } from './events.js';
export type { ClientResult, HandoffRecord } from './result.js';

export interface ClientConfig {
  /** Master addresses, rotated (S4.3); with `portal`, the portals' addresses. */
  readonly masters: readonly string[];
  /**
   * The addresses are portals (§12.3): a portal refers the client to a master (`refer`), or passes
   * the request on and the master answers from its own address. While asking, an answer to the
   * request's id is then taken from whichever master sends it.
   */
  readonly portal?: boolean;
  readonly file: string;
  /** How to ask; absent: the master's default. */
  readonly mode?: RequestMode;
  /** How to choose from a server list (S4.2). */
  readonly choose: Choice;
  /** Byte to start at (0: the whole file). */
  readonly start?: number;
  /** Stream adjustments to ask for, in time order. */
  readonly schedule?: readonly ScheduledRate[];
  /** Where the client is (§12.5): told to its masters, whose `nearest` policy prefers servers there. */
  readonly loc?: string;
  /** Let its masters time their round trip to it (§12.5): its requests say `echo`, and it echoes each answer. */
  readonly echo?: boolean;
  /**
   * Servers to ask for the list when no master answers (S4.4, §13.6): in list mode, these and the
   * servers of its last list are asked in turn, as masters are.
   */
  readonly servers?: readonly string[];
}

/**
 * `unreachable`: the platform learned that nothing listens at `peer` (an ICMP port unreachable
 * for a probe, §6.1); it is as if the peer had been asked ATTEMPTS_PER_PEER times without answer.
 */
export type ClientCommand = { readonly type: 'start' } | { readonly type: 'stop' } | { readonly type: 'unreachable'; readonly peer: string };

export { CLIENT_TABLE, type ClientState, type ClientTrigger } from './table.js';

interface FlowInfo {
  readonly name: string;
  readonly size: number;
  readonly rate: number;
}

/** What the client was told to use at a server: by a redirect or from the list. */
interface Ticket {
  readonly srv: string;
  readonly sid: number;
  readonly tok?: Uint8Array;
  readonly exp?: number;
}

/**
 * The client's deadlines, each a named slot (one timer table, §6.2): `request` the answer awaited
 * from a master or server, `ack` the next reception reports, `silence` the server's silence
 * (`play` again at half the timeout, then the failure), `change` a change indicator with no
 * `switch`, `adjust` the rate schedule.
 */
type ClientTimer = 'request' | 'ack' | 'silence' | 'change' | 'adjust';
/** The order in which a wake-up handles what is due. */
const TIMER_ORDER: readonly ClientTimer[] = ['ack', 'adjust', 'silence', 'change', 'request'];

export class Client extends RoleCore<ClientCommand, ClientEvent> {
  readonly config: ClientConfig;
  private current: ClientState = 'idle';
  /** Which master is asked, and when to give up on asking (S4.3). */
  private masters: MasterRotation;
  /** No master answered, and the client asks servers for the list now (§13.6). */
  private askingServers = false;
  private rid = 0;
  private request: MessageOf<'request'> | undefined;
  private requestTo = '';
  private deadline: number | undefined;
  private nextAck: number | undefined;
  private ticket: Ticket | undefined;
  private serverTries = 0;
  /** The stream at its server (§5): one session at a time, and in a handoff the one being left. */
  private stream: ServerSession | undefined;
  /** A handoff under way: the session being left, why, and what the master computed (§10.6). */
  private readonly handoff = new Handoff();
  private streamKey: Uint8Array | undefined;
  /** The id of the stream this client last played: a master resumes it by that id (`prev`). */
  private lastSid: number | undefined;
  /** When data of the stream last came, from any of its servers: a request after a failure says how long ago (`quiet`, §6.2). */
  private lastDataAt: number | undefined;
  private flows: FlowInfo[] | undefined;
  private receivers: Receiver[] = [];
  /** The rate schedule and the scale the stream plays at (S2.1). */
  private readonly rates: RateSchedule;
  /** The copy's bytes, in order, for pollData. */
  private readonly data = new Queue<StreamBytes>();
  /** The servers it left, and those not worth asking again (§6.1, S4.5). */
  private readonly servers = new ServerRecord();
  /** Streams this client tore down, and when it last said so. */
  private readonly ended: { sid: number; srv: string; told: number }[] = [];
  private listed: MessageOf<'server-list'>['servers'] = [];
  private listPages = 0;
  private listExp: number | undefined;
  /** The servers used, the handoffs, the bytes: what the result reports. */
  private readonly book = new ResultBook();
  private readonly startAt: number;
  private clock = 0;
  result: ClientResult | undefined;

  constructor(deps: RoleDeps, config: ClientConfig) {
    super(deps);
    // No master at all (§13.6): a client in list mode with servers asks them from the start.
    const alone = config.masters.length === 0;
    if (alone && (config.mode !== 'list' || config.portal === true || !config.servers?.length)) throw new Error('a client needs a master address, or servers to ask in list mode');
    this.config = config;
    this.startAt = config.start ?? 0;
    this.rates = new RateSchedule(config.schedule);
    // DNS-style round robin (S4.3): start at a random master, then rotate.
    const first = alone ? config.servers! : config.masters;
    this.masters = new MasterRotation(first, deps.rng.below(first.length));
    this.askingServers = alone;
  }

  handle(input: Input<ClientCommand>, now: number): void {
    this.clock = now;
    switch (input.kind) {
      case 'command':
        if (input.command.type === 'start' && this.state === 'idle') this.start(now);
        if (input.command.type === 'stop') this.stop(now);
        if (input.command.type === 'unreachable') this.unreachable(input.command.peer, now);
        return;
      case 'datagram':
        return this.onDatagram(input.from, input.bytes, now);
      case 'timer':
        return this.onTimer(now);
    }
  }

  get state(): ClientState {
    return this.current;
  }

  /** Done, failed or stopped: the client's last state. */
  private get finished(): boolean {
    return this.state === 'done' || this.state === 'failed' || this.state === 'stopped';
  }

  pollTimeout(): number | undefined {
    return soonest(this.timers());
  }

  /** The next in-order run of the copy's bytes, if any: the stream's data leaves here, never as an event. */
  pollData(): StreamBytes | undefined {
    return this.data.take();
  }

  /**
   * Every deadline, by name, from the client's state: the one place they are computed. The next
   * wake-up is their minimum, and a wake-up handles those due (`due`), so the two never disagree.
   */
  private timers(): Deadlines<ClientTimer> {
    if (this.state === 'idle' || this.finished) return {};
    const playing = this.state === 'playing';
    // Adjustments go to the stream's server: while the client asks again there is none, and a
    // deadline it cannot act on would wake it again and again at once.
    const adjusting = this.stream !== undefined && (playing || this.state === 'starting');
    const s = playing ? this.stream : undefined;
    return {
      request: this.deadline,
      ack: this.acking() ? this.nextAck : undefined,
      silence: s && this.deadline === undefined ? s.silenceDeadline(this.silenceTimeout(), this.silenceCeiling()) : undefined,
      change: s?.changeDeadline(),
      adjust: adjusting ? this.rates.nextTimeout() : undefined,
    };
  }

  private due(name: ClientTimer, now: number): boolean {
    const at = this.timers()[name];
    return at !== undefined && now >= at;
  }

  /** The client's bounded tables, with their bounds (§7.3): a read-only view for tests and tools. */
  override tables(): Record<string, TableSize> {
    const out: Record<string, TableSize> = {
      ...super.tables(),
      flows: { size: this.receivers.length, limit: MAX_FLOWS },
      'ended streams': { size: this.ended.length, limit: TEARDOWNS_KEPT },
    };
    this.receivers.forEach((r, fl) => (out[`bytes buffered in flow ${fl}`] = { size: r.bufferedBytes, limit: RECEIVE_WINDOW }));
    return out;
  }

  /** Where flow 0 stands: every byte below this has been handed on. */
  get next(): number {
    return this.receivers[0]?.next ?? this.startAt;
  }

  private offsets(): number[] {
    return this.receivers.length > 0 ? this.receivers.map((r) => r.next) : [this.startAt];
  }

  /** Flow 0's position in normal play time, ms (§10.3). */
  private npt(): number {
    const f = this.flows?.[0];
    return f && f.rate > 0 ? Math.floor((this.next * 8000) / f.rate) : 0;
  }

  /** Reception reports are due: a stream plays or starts, or a server being left still delivers. */
  private acking(): boolean {
    return this.state === 'starting' || this.state === 'playing' || this.handoff.outgoing !== undefined;
  }

  /**
   * Silence that means the server has failed (§6.2): what the current stream's inter-arrivals say
   * (ServerSession.silenceTimeout), within the ceiling: SERVER_SILENCE_TIMEOUT, or eight packet
   * intervals of the stream when it is slower than that. Within the ceiling's worth of its pace
   * from a flow's end, the server may have sent everything once, its last datagrams lost, and only
   * repairs are to come, at the pace of acks: the ceiling.
   */
  private silenceTimeout(): number {
    const ceiling = this.silenceCeiling();
    const scale = this.rates.scale / 1000;
    const nearEnd = this.receivers.some((r, i) => !r.complete && r.size - r.hi <= ((this.flows?.[i]?.rate ?? 0) * scale * ceiling) / 8000);
    return nearEnd ? ceiling : (this.stream?.silenceTimeout(ceiling) ?? ceiling);
  }

  private silenceCeiling(): number {
    const rate = ((this.flows?.reduce((n, f) => n + f.rate, 0) ?? 0) * this.rates.scale) / 1000;
    const interval = rate > 0 ? (DATA_CHUNK * 8 * 1000) / rate : 0;
    return Math.max(SERVER_SILENCE_TIMEOUT, 8 * interval);
  }

  /** The only way the client's state changes: through CLIENT_TABLE (a move it does not have is a bug). */
  private move(on: ClientTrigger, now: number): void {
    const from: ClientState = this.state;
    const to = mustMove(CLIENT_TABLE, from, on);
    this.current = to;
    if (to !== from || on !== 'data') this.emit({ type: 'state', level: 'debug', from, to, on, at: now });
  }

  // ---- Asking a master -------------------------------------------------------

  private start(now: number): void {
    this.book.started(now);
    this.move('start', now);
    this.askMaster(now);
  }

  private askMaster(now: number, from = 0): void {
    this.rid = this.deps.rng.id();
    this.requestTo = this.masters.current;
    const offs = this.offsets();
    const resumed = this.stream?.sid ?? this.handoff.outgoing?.sid ?? this.lastSid;
    // How long the stream has gone without data (§6.2): the master places the failure there.
    const last = this.lastDataAt;
    const quiet = resumed !== undefined && last !== undefined ? Math.min(U32, Math.max(0, Math.round(now - last))) : undefined;
    const avoid = this.servers.avoidList();
    this.request = padded({
      type: 'request',
      rid: this.rid,
      file: this.config.file,
      ...(this.config.mode ? { mode: this.config.mode } : {}),
      ...(this.next > 0 ? { off: this.next } : {}),
      ...(offs.length > 1 ? { offs } : {}),
      ...(this.rates.scale !== 1000 ? { scale: this.rates.scale } : {}),
      ...(resumed !== undefined ? { prev: resumed } : {}),
      ...(quiet !== undefined ? { quiet } : {}),
      ...(from > 0 ? { from } : {}),
      ...(avoid ? { avoid } : {}),
      ...(this.config.loc !== undefined ? { loc: this.config.loc } : {}),
      ...(this.config.echo === true ? { echo: true } : {}),
    });
    this.masters.asked();
    this.emit({ type: 'ask', master: this.requestTo, file: this.config.file, mode: this.config.mode ?? 'default', off: this.next });
    this.sendRequest(now);
  }

  private sendRequest(now: number): void {
    // A request sent again says how long the stream has gone without data now, not when it was first sent.
    const r = this.request!;
    if (r.quiet !== undefined && this.lastDataAt !== undefined) {
      const quiet = Math.min(U32, Math.max(0, Math.round(now - this.lastDataAt)));
      if (quiet !== r.quiet) this.request = padded({ ...r, quiet });
    }
    this.send(this.requestTo, this.request!, true);
    this.deadline = now + REQUEST_TIMEOUT;
  }

  /** A master's answer to the request in flight arrived: echoed at once when the client allows its round trip timed (§12.5). */
  private echoAnswer(master: string): void {
    if (this.config.echo === true) this.send(master, { type: 'echo', rid: this.rid }, true);
  }

  /** The master did not answer: again, then the next master, for MASTER_ROUNDS rounds (S4.3). */
  private masterTimeout(now: number): void {
    const t = this.masters.timeout();
    if (t.kind === 'resend') return this.sendRequest(now);
    this.emit({ type: t.refused ? 'master-refused' : 'master-silent', level: 'warn', master: t.master });
    if (t.kind === 'give-up') {
      if (t.code === 'master-unreachable' && this.fallBackToServers()) return this.askMaster(now);
      return this.fail('gave-up', t.code, t.message, now);
    }
    this.askMaster(now);
  }

  /**
   * No master answered (S4.4, §13.6): a client in list mode asks servers for the list instead, the
   * ones it was given and those of its last list, in turn and with the same rounds as masters. Once.
   */
  private fallBackToServers(): boolean {
    if (this.askingServers || this.config.mode !== 'list' || this.config.portal === true) return false;
    const known = [...new Set([...(this.config.servers ?? []), ...this.listed.map((s) => s.srv)])];
    if (known.length === 0) return false;
    this.askingServers = true;
    this.masters = new MasterRotation(known, this.deps.rng.below(known.length));
    this.emit({ type: 'asking-servers', level: 'warn', servers: known.length, first: this.masters.current });
    return true;
  }

  /** A master the client is asking: one of its masters or, through a portal (§12.3), whichever answers while it asks. */
  private isMaster(addr: string): boolean {
    return this.masters.isMaster(addr) || (this.config.portal === true && this.state === 'asking');
  }

  // ---- Input -----------------------------------------------------------------

  private onDatagram(from: string, bytes: Uint8Array, now: number): void {
    const d = this.receive(from, bytes, now);
    if (!d) return;
    this.servers.heardFrom(from);
    this.masters.heard(from);
    const msg = d.msg;
    if (this.finished) {
      // Done, failed or stopped: nothing moves it any more. A server still sending is told again.
      if (msg.type === 'data') this.strayData(msg.sid, from, now);
      return this.drop('unexpected-message', from, `${msg.type} in state ${this.state}`, msg.type);
    }
    switch (msg.type) {
      case 'data':
        return this.onData(msg, from, now);
      case 'redirect':
        if (this.state !== 'asking' || msg.rid !== this.rid || !this.isMaster(from) || msg.file !== this.config.file) break;
        this.masters.answered();
        this.echoAnswer(from);
        if (this.sentBackInVain(this.servers.giveUp(msg.srv, this.config.file, this.next), now)) return;
        if (msg.sk) this.streamKey = msg.sk;
        this.emit({ type: 'redirected', master: from, srv: msg.srv, sid: msg.sid });
        this.move('redirect', now);
        return this.requestServer({ srv: msg.srv, sid: msg.sid, ...(msg.tok ? { tok: msg.tok } : {}), ...(msg.exp !== undefined ? { exp: msg.exp } : {}) }, now);
      case 'server-list':
        if (this.state !== 'asking' || msg.rid !== this.rid || !this.isMaster(from) || msg.file !== this.config.file) break;
        return this.onServerList(msg, from, now);
      case 'refer':
        // The portal asked names the master to ask: the same request (the same id) goes there.
        if (this.config.portal !== true || this.state !== 'asking' || msg.rid !== this.rid || from !== this.requestTo || !this.masters.isMaster(from)) break;
        this.emit({ type: 'referred', portal: from, master: msg.master });
        this.requestTo = msg.master;
        return this.sendRequest(now);
      case 'setup':
        return this.onSetup(msg, from, now);
      case 'switch':
        return this.onSwitch(msg, from, now);
      case 'adjust-ack':
        if (!this.stream?.carries(msg.sid, from)) break;
        if (this.rates.handleAck(msg.n, msg.scale)) this.emit({ type: 'adjusted', srv: from, n: msg.n, scale: msg.scale });
        return;
      case 'error':
        return this.onError(msg, from, now);
      case 'end':
        if (this.handoff.outgoing?.carries(msg.sid, from)) {
          this.handoff.outgoingEnded(); // the server being left is done: the new one carries on
          return;
        }
        if (!this.stream?.carries(msg.sid, from)) break;
        if (msg.code === 'media-error') this.servers.couldNotRead(from);
        return this.serverFailed(`server ended the stream: ${msg.code}`, now);
    }
    this.drop('unexpected-message', from, `${msg.type} in state ${this.state}`, msg.type);
  }

  private onServerList(msg: MessageOf<'server-list'>, from: string, now: number): void {
    this.masters.answered();
    this.echoAnswer(from);
    this.listed = msg.from === 0 ? [...msg.servers] : [...this.listed, ...msg.servers];
    this.listExp = msg.exp;
    this.listPages++;
    const got = msg.from + msg.servers.length;
    if (got < msg.total && msg.servers.length > 0 && this.listPages < MAX_LIST_PAGES) {
      this.askMaster(now, got); // the next page
      return;
    }
    this.listPages = 0;
    const { pick, groupEmpty } = this.servers.choose(this.listed, this.config.choose, (n) => this.deps.rng.below(n));
    if (groupEmpty !== undefined) this.emit({ type: 'group-empty', level: 'warn', group: groupEmpty, detail: 'no server of that group is up; choosing by fewest users' });
    this.emit({ type: 'listed', master: from, servers: this.listed.length, total: msg.total, chose: pick?.srv, by: this.config.choose.by });
    if (!pick) {
      this.fail('refused', 'no-capacity', `none of the ${msg.total} servers holding ${this.config.file} is up`, now);
      return;
    }
    if (this.sentBackInVain(this.servers.giveUp(pick.srv, this.config.file, this.next), now)) return;
    if (pick.sk) this.streamKey = pick.sk;
    this.move('server-list', now);
    this.requestServer({ srv: pick.srv, sid: pick.sid, ...(pick.tok ? { tok: pick.tok } : {}), ...(this.listExp !== undefined ? { exp: this.listExp } : {}) }, now);
  }

  // ---- A server ----------------------------------------------------------------

  /**
   * The master sends the client to a server it has good reason to think would fail again (§6.1):
   * stop with why, rather than go round until the client's own timeout.
   */
  private sentBackInVain(give: GiveUp | undefined, now: number): boolean {
    if (!give) return false;
    this.fail('refused', give.code, give.message, now);
    return true;
  }

  /** Nothing listens at `peer` (§6.1): move on at once, as if it had been asked ATTEMPTS_PER_PEER times. */
  private unreachable(peer: string, now: number): void {
    if (this.state === 'asking' && peer === this.requestTo && this.isMaster(peer)) {
      this.masters.refused(peer);
      this.deadline = now;
      return this.masterTimeout(now);
    }
    if (this.state === 'requesting' && peer === this.ticket?.srv) {
      if (!this.servers.hasHeard(peer)) this.servers.neverAnswered(peer, true);
      return this.serverFailed('nothing listens on its port (port unreachable)', now, peer);
    }
  }

  private requestServer(ticket: Ticket, now: number): void {
    this.ticket = ticket;
    this.serverTries = 1;
    this.rid = this.deps.rng.id();
    this.requestTo = ticket.srv;
    const offs = this.offsets();
    this.request = padded({
      type: 'request',
      rid: this.rid,
      file: this.config.file,
      sid: ticket.sid,
      ...(ticket.tok ? { tok: ticket.tok } : {}),
      ...(ticket.exp !== undefined ? { exp: ticket.exp } : {}),
      ...(this.next > 0 ? { off: this.next } : {}),
      ...(offs.length > 1 ? { offs } : {}),
      ...(this.rates.scale !== 1000 ? { scale: this.rates.scale } : {}),
    });
    this.sendRequest(now);
  }

  private onSetup(msg: MessageOf<'setup'>, from: string, now: number): void {
    const relayed = this.state === 'asking' && this.isMaster(from);
    const direct = this.state === 'requesting' && from === this.ticket?.srv;
    const flows: FlowInfo[] = msg.flows ? msg.flows.map(([name, size, rate]) => ({ name, size, rate })) : [{ name: msg.file, size: msg.size, rate: msg.rate }];
    const offs = msg.offs ?? [msg.off];
    if ((!relayed && !direct) || msg.rid !== this.rid || msg.file !== this.config.file) {
      return this.drop('unexpected-message', from, `setup in state ${this.state}`, 'setup');
    }
    if (direct && msg.sid !== this.ticket?.sid) return this.drop('unexpected-message', from, 'setup for another stream', 'setup');
    if (this.flows) {
      // The same name with other content would corrupt the copy: refuse this server.
      const mine = this.flows;
      const same = flows.length === mine.length && flows.every((f, i) => f.size === mine[i]?.size);
      if (!same) return this.serverFailed(`server ${msg.srv} has another ${msg.file} (its flows or sizes differ)`, now, msg.srv);
    }
    const mine = this.receivers.length > 0 ? this.offsets() : [this.startAt];
    if (offs.length !== mine.length && !(this.receivers.length === 0 && offs.length === flows.length)) {
      return this.drop('unexpected-message', from, 'setup for other offsets', 'setup');
    }
    // A resumed stream may be set up at other offsets: one the master established at the position
    // it computed (§10.6) names that position. `play` names the client's own offsets, and the server
    // streams from those, so only a new stream must start where the client asked.
    if (this.receivers.length === 0 && offs[0] !== mine[0]) {
      return this.drop('unexpected-message', from, 'setup for other offsets', 'setup');
    }
    if (relayed) {
      this.masters.answered();
      if (this.sentBackInVain(this.servers.cannotRead(msg.srv, this.config.file, this.next), now)) return;
      if (msg.sk) this.streamKey = msg.sk;
    }
    this.stream = new ServerSession(msg.sid, msg.srv, msg.cookie, now);
    this.lastSid = msg.sid;
    if (msg.scale !== undefined) this.rates.scale = msg.scale;
    this.noteServer(msg.srv);
    if (!this.flows) {
      this.flows = flows;
      this.receivers = flows.map((f, i) => new Receiver(f.size, offs[i] ?? 0, (off, data) => this.handOn(i, off, data)));
    }
    if (relayed) this.echoAnswer(from);
    this.emit({ type: 'setup', srv: msg.srv, sid: msg.sid, size: msg.size, rate: msg.rate, off: msg.off, flows: this.flows.map((f) => ({ ...f })), via: relayed ? 'master' : 'server', ...(relayed ? { master: from } : {}) });
    this.move('setup', now);
    this.serverTries = 1;
    this.sendPlay(this.stream, now);
    if (this.receivers.every((r) => r.complete)) this.complete(now);
  }

  private noteServer(srv: string): void {
    this.book.server(srv);
  }

  private sendPlay(s: ServerSession, now: number): void {
    this.send(s.srv, s.playMessage(this.offsets()), true);
    s.played(now);
    this.deadline = now + REQUEST_TIMEOUT;
    this.nextAck = now + ACK_INTERVAL;
  }

  /**
   * Handoff (S2.6, §10.6): the current server relays where the stream goes
   * next. Taken only from that server, for this stream, with a handoff token
   * made with this stream's key and not expired; otherwise the stream stays.
   */
  private onSwitch(msg: MessageOf<'switch'>, from: string, now: number): void {
    const s = this.stream;
    if (!s?.carries(msg.sid, from) || (this.state !== 'playing' && this.state !== 'starting')) {
      return this.drop('unexpected-message', from, `switch for stream ${msg.sid} in state ${this.state}`, 'switch');
    }
    const key = this.streamKey;
    const valid = key !== undefined && msg.exp > now && equalBytes(handoffToken(this.deps.crypto, key, msg.sid, msg.srv, msg.exp), msg.tok);
    if (!valid) {
      this.emit({ type: 'switch-refused', level: 'warn', srv: from, to: msg.srv, why: !key ? 'no stream key' : msg.exp <= now ? 'token expired' : 'bad token' });
      return this.drop('bad-token', from, `switch to ${msg.srv} with ${!key ? 'no stream key' : 'an invalid or expired token'}`, 'switch');
    }
    if (msg.srv === s.srv) return; // a repeat: already moving there, or nowhere
    const position = this.npt();
    s.changeDone(); // the change indicator is answered
    this.handoff.begin(s, msg.why, position, true, msg.npt);
    this.stream = new ServerSession(msg.sid, msg.srv, msg.cookie, now);
    this.rates.scale = msg.scale;
    this.emit({ type: 'switch', from: s.srv, to: msg.srv, sid: msg.sid, why: msg.why, computed: msg.npt, npt: position });
    this.move('switch', now);
    this.serverTries = 1;
    this.sendPlay(this.stream, now);
    this.rates.retarget(now); // the new server is the one to tell
  }

  private onData(msg: MessageOf<'data'>, from: string, now: number): void {
    const s = this.stream;
    const current = s?.carries(msg.sid, from) === true && (this.state === 'starting' || this.state === 'playing');
    const outgoing = this.handoff.outgoing;
    const leaving = outgoing?.carries(msg.sid, from) === true;
    if (!current && !leaving) {
      this.strayData(msg.sid, from, now);
      return this.drop('unexpected-message', from, `data for stream ${msg.sid}`, 'data');
    }
    const r = this.receivers[msg.fl ?? 0];
    if (!r) return this.drop('bad-field', from, `data for flow ${msg.fl}`, 'data');
    if (current && s) {
      s.heard(now);
      this.deadline = undefined;
      if (this.state === 'starting') {
        this.emit({ type: 'playing', srv: s.srv, sid: s.sid, off: this.next });
        this.move('data', now);
        this.rates.started(now);
      }
      if (msg.ch && !this.handoff.active && s.changeIndicated(now)) {
        this.emit({ type: 'change-indicator', srv: from, sid: msg.sid, off: this.next });
      }
    } else {
      outgoing?.delivered(now);
    }
    this.book.dataArrived(now);
    this.lastDataAt = now;
    const outcome = r.accept(msg.off, msg.data);
    if (outcome === 'past-end' || outcome === 'out-of-window') {
      this.drop('bad-field', from, `data at ${msg.off} is ${outcome}`, 'data');
    }
    // The new server delivers: the handoff is over, whether its first packet is the next byte, one
    // ahead (buffered) or one the old server already sent (duplicate). Acks ask for any hole.
    if (current && s && this.handoff.active && outcome !== 'past-end' && outcome !== 'out-of-window') this.handoffDone(s, now);
    if (this.receivers.every((x) => x.complete)) this.complete(now);
  }

  /** The new server delivered the byte the client needed: the handoff is over, the old server can go. */
  private handoffDone(s: ServerSession, now: number): void {
    const done = this.handoff.done(s, now);
    if (!done) return;
    const rec = done.record;
    this.book.handoff(rec);
    this.noteServer(s.srv);
    this.emit({ type: 'handoff', sid: s.sid, ...rec, ...(rec.computed !== undefined ? { diff: rec.computed - rec.npt } : {}) });
    if (done.left) this.tornDown(done.left.sid, done.left.srv, now);
  }

  /**
   * Data of a stream this client has ended: its `teardown` was lost (or the
   * server was too busy to read it). Say it again, at most once per ACK_INTERVAL.
   */
  private strayData(sid: number, from: string, now: number): void {
    const ended = this.ended.find((e) => e.sid === sid && e.srv === from);
    if (!ended || now - ended.told < ACK_INTERVAL) return;
    ended.told = now;
    this.send(from, { type: 'teardown', sid }, true);
  }

  /** Tear a stream down at a server, and remember it (the last few). */
  private tornDown(sid: number, srv: string, now: number): void {
    this.send(srv, { type: 'teardown', sid }, true);
    this.ended.push({ sid, srv, told: now });
    if (this.ended.length > TEARDOWNS_KEPT) this.ended.shift();
  }

  private handOn(fl: number, off: number, data: Uint8Array): void {
    this.book.bytes += data.length;
    this.data.push({ fl, off, data, at: this.clock });
  }

  private onError(msg: MessageOf<'error'>, from: string, now: number): void {
    if (this.state === 'asking' && msg.rid === this.rid && this.isMaster(from)) {
      this.echoAnswer(from);
      this.emit({ type: 'master-error', level: 'warn', master: from, code: msg.code, msg: msg.msg });
      // Only what CLIENT_TABLE's `refused` names is final. Anything else (`unavailable`: the relayed
      // setup was lost; no capacity mid-stream) is retried, or a lossy link fails relayed requests.
      const definitive = msg.code === 'not-found' || msg.code === 'bad-request' || (msg.code === 'no-capacity' && !this.book.anyServer);
      if (definitive) return this.fail('refused', msg.code, msg.msg, now);
      // Nothing free right now: keep trying, it counts as an attempt.
      this.masters.errored(msg.code, msg.msg);
      this.deadline = now + REQUEST_TIMEOUT;
      return;
    }
    const refusedScale = this.stream?.carries(msg.sid, from) && msg.code === 'no-capacity' ? this.rates.handleRefused() : undefined;
    if (refusedScale !== undefined) {
      // The server has no room for the faster rate asked: the stream goes on as it was.
      this.emit({ type: 'adjust-refused', level: 'warn', srv: from, scale: refusedScale, msg: msg.msg });
      return;
    }
    const atServer = (this.state === 'requesting' && from === this.ticket?.srv && msg.rid === this.rid) ||
      ((this.state === 'starting' || this.state === 'playing') && this.stream?.carries(msg.sid, from) === true);
    if (atServer) {
      if (this.state === 'requesting') this.servers.refused(from, msg.code, msg.msg);
      return this.serverFailed(`server refused: ${msg.code}: ${msg.msg}`, now, from);
    }
    this.drop('unexpected-message', from, `error ${msg.code} matches nothing`, 'error');
  }

  // ---- Timers -----------------------------------------------------------------

  /** A wake-up: each deadline due, in TIMER_ORDER, each looked up again after the ones before acted. */
  private onTimer(now: number): void {
    for (const name of TIMER_ORDER) {
      if (!this.due(name, now)) continue;
      if (this.onTimeout(name, now) === 'moved') return;
    }
  }

  /** One deadline is due; `moved` when its handling asked a master again (the rest waits for the next wake-up). */
  private onTimeout(name: ClientTimer, now: number): 'moved' | undefined {
    switch (name) {
      case 'ack':
        this.sendAcks();
        this.nextAck = now + ACK_INTERVAL;
        return;
      case 'adjust': {
        const s = this.stream;
        if (!s) return;
        const due = this.rates.handleTimeout(now);
        if (!due) return;
        if (due.began) {
          this.emit({ type: 'adjust', srv: s.srv, n: due.n, scale: due.scale });
          s.relearn(); // another pace: its inter-arrivals are learnt again
        }
        this.send(s.srv, { type: 'adjust', sid: s.sid, n: due.n, scale: due.scale }, true);
        return;
      }
      case 'silence': {
        const s = this.stream;
        if (!s) return;
        if (s.silence(now, this.silenceTimeout()) === 'failed') {
          this.serverFailed('the server went silent', now, undefined, 'failure');
          return 'moved';
        }
        // Half the timeout without data: try the server once more, from where we are (S4.5).
        this.emit({ type: 'server-silent', level: 'warn', srv: s.srv, off: this.next });
        this.send(s.srv, s.playMessage(this.offsets()), true);
        return;
      }
      case 'change': {
        // The server is leaving and no switch came: ask a master ourselves, still taking its data (S2.5c).
        const s = this.stream;
        if (!s) return;
        s.changeDone();
        this.emit({ type: 'change-unanswered', level: 'warn', srv: s.srv, off: this.next });
        this.servers.avoid(s.srv);
        this.handoff.begin(s, 'drain', this.npt(), true);
        this.stream = undefined;
        this.nextAck = now + ACK_INTERVAL; // the server being left keeps being told what is missing
        this.move('change', now);
        this.askMaster(now);
        return 'moved';
      }
      case 'request':
        this.requestTimeout(now);
        return;
    }
  }

  /** No answer by the deadline: send again, or give that peer up. */
  private requestTimeout(now: number): void {
    switch (this.state) {
      case 'asking':
        return this.masterTimeout(now);
      case 'requesting':
        if (this.serverTries < ATTEMPTS_PER_PEER) {
          this.serverTries++;
          return this.sendRequest(now);
        }
        if (!this.servers.hasHeard(this.requestTo)) {
          this.servers.neverAnswered(this.requestTo);
          return this.serverFailed('it never answered', now);
        }
        return this.serverFailed('no setup from the server', now);
      case 'starting':
      case 'playing':
        if (this.serverTries < ATTEMPTS_PER_PEER) {
          this.serverTries++;
          return this.stream ? this.sendPlay(this.stream, now) : this.serverFailed('no stream to play', now);
        }
        return this.serverFailed('no data after play', now);
      default:
        return;
    }
  }

  /**
   * Reception reports for the stream, and for the one being left while it still delivers (it can
   * mend holes too). A complete flow other than flow 0 is no longer reported, but in the last
   * reports (`last`), which cover every flow: the server then knows the whole item arrived (§5.2).
   */
  private sendAcks(last = false): void {
    for (const s of [this.stream, this.handoff.outgoing]) {
      if (!s) continue;
      this.receivers.forEach((r, fl) => {
        if (r.complete && fl > 0 && !last) return;
        this.send(s.srv, { type: 'ack', sid: s.sid, next: r.next, hi: r.hi, miss: r.missing(), ...(fl > 0 ? { fl } : {}) }, true);
      });
    }
  }

  /** The server failed us: ask a master again, from the current byte, avoiding that server (S4.5). */
  private serverFailed(reason: string, now: number, server?: string, why = 'failure'): void {
    const srv = server ?? this.stream?.srv ?? this.ticket?.srv ?? '';
    this.emit({ type: 'server-failed', level: 'warn', srv, reason, off: this.next });
    if (this.stream) {
      this.handoff.begin(this.stream, why, this.npt(), false);
      this.tornDown(this.stream.sid, this.stream.srv, now);
    }
    if (srv) this.servers.avoid(srv);
    this.stream = undefined;
    this.nextAck = this.handoff.outgoing ? now + ACK_INTERVAL : undefined;
    // A relayed setup we cannot use arrives while asking: ask again, avoiding that server.
    if (this.state === 'asking') return this.askMaster(now);
    this.move('server-failed', now);
    this.askMaster(now);
  }

  // ---- Endings ---------------------------------------------------------------

  private complete(now: number): void {
    const s = this.stream;
    if (s) {
      // A last ack of every flow tells the server the copy is complete before the teardown ends the stream.
      this.sendAcks(true);
      this.tornDown(s.sid, s.srv, now);
    }
    if (s && this.handoff.active && s.srv !== this.handoff.from) this.handoffDone(s, now);
    const left = this.handoff.end();
    if (left) this.tornDown(left.sid, left.srv, now);
    this.deadline = undefined;
    this.nextAck = undefined;
    this.move('complete', now);
    this.finish(true, now);
    this.emit({ type: 'complete', ...this.book.summary(now, this.totalSize()) });
  }

  private fail(on: 'refused' | 'gave-up', code: ErrorCode | WireCode, message: string, now: number): void {
    const old = this.handoff.stay(now, this.silenceTimeout());
    if (old) {
      // No master has another server for us, but the one being left (draining) still delivers: stay
      // with it. It ends the stream when it goes, and the client asks again then.
      this.emit({ type: 'stay', level: 'warn', srv: old.srv, code, msg: message });
      old.resumed(now);
      this.stream = old;
      this.deadline = undefined;
      this.nextAck = now;
      this.move('stay', now);
      return;
    }
    this.deadline = undefined;
    this.nextAck = undefined;
    const left = this.handoff.end();
    if (left) this.tornDown(left.sid, left.srv, now);
    this.move(on, now);
    this.finish(false, now, code, message);
    this.emit({ type: 'failed', level: 'error', code, msg: message, off: this.next });
  }

  private stop(now: number): void {
    if (this.stream) this.tornDown(this.stream.sid, this.stream.srv, now);
    const left = this.handoff.outgoing;
    if (left) this.tornDown(left.sid, left.srv, now);
    // Stopping a client that has already ended changes nothing.
    if (!canMove(CLIENT_TABLE, this.state, 'stop')) return;
    this.move('stop', now);
    this.deadline = undefined;
    this.nextAck = undefined;
    this.finish(false, now, 'stopped', 'stopped by its user');
  }

  private totalSize(): number {
    return this.flows?.reduce((n, f) => n + f.size, 0) ?? 0;
  }

  private finish(ok: boolean, now: number, code?: ClientResult['code'], message?: string): void {
    const flows = (this.flows ?? []).map((f, i) => ({ name: f.name, size: f.size, bytes: (this.receivers[i]?.next ?? 0) - (i === 0 ? this.startAt : 0) }));
    this.result = this.book.result(ok, now, flows, this.receivers.reduce((n, r) => n + r.duplicates, 0), code, message);
  }
}
