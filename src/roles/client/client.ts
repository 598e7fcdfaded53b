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
  CHANGE_GRACE,
  DATA_CHUNK,
  MASTER_ROUNDS,
  MAX_AVOID,
  REQUEST_TIMEOUT,
  SERVER_SILENCE_TIMEOUT,
} from '../../protocol/constants.js';
import { equalBytes, handoffToken } from '../../protocol/auth.js';
import type { ErrorCode } from '../../protocol/errors.js';
import type { MessageOf } from '../../protocol/messages.js';
import { padded } from '../../protocol/padding.js';
import { type Input, RoleCore, type RoleDeps, type RoleEvent } from '../role.js';
import { defineTable, nextState } from '../stateMachine.js';
import { Receiver } from './receiver.js';

export type RequestMode = 'redirect' | 'relay' | 'list';
export type Choice = { readonly by: 'random' } | { readonly by: 'fewest-users' } | { readonly by: 'group'; readonly group: string };

export function parseChoice(s: string): Choice | undefined {
  if (s === 'random') return { by: 'random' };
  if (s === 'fewest-users') return { by: 'fewest-users' };
  if (s.startsWith('group:') && s.length > 6) return { by: 'group', group: s.slice(6) };
  return undefined;
}

/** A stream adjustment to ask for (S2.1): from `at` ms after the stream starts playing, `scale` thousandths of the media rate. */
export interface ScheduledRate {
  readonly at: number;
  readonly scale: number;
}

export interface ClientConfig {
  /** Master addresses, rotated (S4.3). */
  readonly masters: readonly string[];
  readonly file: string;
  /** How to ask; absent: the master's default. */
  readonly mode?: RequestMode;
  /** How to choose from a server list (S4.2). */
  readonly choose: Choice;
  /** Byte to start at (0: the whole file). */
  readonly start?: number;
  /** Stream adjustments to ask for, in time order. */
  readonly schedule?: readonly ScheduledRate[];
}

export type ClientCommand = { readonly type: 'start' } | { readonly type: 'stop' };

export type ClientState = 'idle' | 'asking' | 'requesting' | 'starting' | 'playing' | 'done' | 'failed' | 'stopped';
export type ClientTrigger =
  | 'start' | 'redirect' | 'server-list' | 'setup' | 'data' | 'complete' | 'switch' | 'change'
  | 'server-failed' | 'refused' | 'gave-up' | 'stay' | 'stop';

/** The client's state machine (§6.2, §10.6), drawn in the spec. */
export const CLIENT_TABLE = defineTable<ClientState, ClientTrigger>({
  name: 'client',
  initial: 'idle',
  states: {
    idle: 'Not started.',
    asking: 'Waiting for a master\'s answer to `request`; retried, then the next master (S4.3).',
    requesting: 'Redirected or chose from the list: waiting for the server\'s `setup`.',
    starting: 'Sent `play`; waiting for the first `data` (an old server being left may still deliver).',
    playing: 'Receiving; `ack` every ACK_INTERVAL for each flow.',
    done: 'Every byte of every flow handed on; `teardown` sent.',
    failed: 'Gave up, with an error code; the bytes handed on so far are kept.',
    stopped: 'Stopped by its user; `teardown` sent.',
  },
  transitions: [
    { from: 'idle', on: 'start', to: 'asking', doc: 'send `request` to a master' },
    { from: 'asking', on: 'redirect', to: 'requesting', doc: '`redirect`: send `request` to the server named' },
    { from: 'asking', on: 'server-list', to: 'requesting', doc: '`server-list`: choose a server, send it `request`' },
    { from: ['asking', 'requesting'], on: 'setup', to: 'starting', doc: '`setup` (relayed by the master, or from the server): send `play`' },
    { from: ['starting', 'playing'], on: 'data', to: 'playing', doc: '`data` from the stream\'s server' },
    { from: ['starting', 'playing'], on: 'switch', to: 'starting', doc: '`switch` with a valid handoff token from the current server: `play` at the new server, keep taking the old one\'s data until the new one delivers' },
    { from: 'playing', on: 'change', to: 'asking', doc: 'change indicator and no `switch` within CHANGE_GRACE: ask a master again from the current byte, keep taking the old server\'s data (S2.5c)' },
    { from: ['asking', 'requesting', 'starting', 'playing'], on: 'complete', to: 'done', doc: 'every byte handed on (the last ones may come from a server being left): a last `ack`, then `teardown`' },
    { from: ['requesting', 'starting', 'playing'], on: 'server-failed', to: 'asking', doc: 'no answer after ATTEMPTS_PER_PEER tries, silence, `end` or a refusal: ask a master again from the current byte, avoiding that server (S4.5)' },
    { from: 'asking', on: 'refused', to: 'failed', doc: '`error` from the master that retrying cannot fix (`not-found`, `bad-request`, or `no-capacity` before any server has set a stream up)' },
    { from: 'asking', on: 'gave-up', to: 'failed', doc: 'no master answered in MASTER_ROUNDS rounds' },
    { from: 'asking', on: 'stay', to: 'playing', doc: 'no master has another server, but the server being left (draining) still delivers: stay with it until it ends the stream' },
    { from: ['idle', 'asking', 'requesting', 'starting', 'playing'], on: 'stop', to: 'stopped', doc: 'stopped by its user' },
  ],
});

interface FlowInfo {
  readonly name: string;
  readonly size: number;
  readonly rate: number;
}

interface StreamInfo {
  readonly sid: number;
  readonly srv: string;
  readonly cookie: Uint8Array;
}

/** What the client was told to use at a server: by a redirect or from the list. */
interface Ticket {
  readonly srv: string;
  readonly sid: number;
  readonly tok?: Uint8Array;
  readonly exp?: number;
}

/** A handoff under way: the old server, why, and what the master computed (§10.6). */
interface PendingHandoff {
  readonly from: string;
  readonly why: string;
  /** Normal play time the master computed, ms (absent when the client moved on its own). */
  readonly computed?: number;
  /** The client's own position (flow 0) when the handoff began, ms of normal play time. */
  readonly position: number;
}

export interface HandoffRecord {
  readonly from: string;
  readonly to: string;
  readonly why: string;
  readonly npt: number;
  readonly computed?: number;
  readonly gap: number;
}

export interface ClientResult {
  readonly ok: boolean;
  readonly code?: ErrorCode | string;
  readonly message?: string;
  readonly bytes: number;
  readonly size: number;
  readonly flows: readonly { name: string; size: number; bytes: number }[];
  readonly servers: readonly string[];
  readonly switches: number;
  readonly handoffs: readonly HandoffRecord[];
  readonly maxGap: number;
  readonly duplicates: number;
  readonly started: number;
  readonly firstByte?: number;
  readonly finished: number;
}

export class Client extends RoleCore<ClientCommand, RoleEvent> {
  readonly config: ClientConfig;
  state: ClientState = 'idle';
  private masterIndex: number;
  private masterTries = 0;
  private mastersAsked = 0;
  /** The last retryable `error` a master answered, since a master last answered with a server. */
  private lastMasterError: { code: string; msg: string } | undefined;
  private rid = 0;
  private request: MessageOf<'request'> | undefined;
  private requestTo = '';
  private deadline: number | undefined;
  private nextAck: number | undefined;
  private ticket: Ticket | undefined;
  private serverTries = 0;
  private stream: StreamInfo | undefined;
  /** The stream being left in a handoff: its data still counts until the new server delivers. */
  private outgoing: StreamInfo | undefined;
  private streamKey: Uint8Array | undefined;
  /** The id of the stream this client last played: a master resumes it by that id (`prev`). */
  private lastSid: number | undefined;
  private flows: FlowInfo[] | undefined;
  private receivers: Receiver[] = [];
  private lastData = 0;
  /** When the server last sent data, for the handoff gap. */
  private lastDataFrom = new Map<string, number>();
  private silenceRetried = false;
  private changeSeenAt: number | undefined;
  private handoff: PendingHandoff | undefined;
  private readonly handoffs: HandoffRecord[] = [];
  private scale = 1000;
  private adjustN = 0;
  private adjustPending: { n: number; scale: number; nextSend: number } | undefined;
  private scheduleIndex = 0;
  private playStartedAt: number | undefined;
  private readonly avoid: string[] = [];
  /** Servers that ended the stream because they could not read the file (`media-error`). */
  private readonly unreadable = new Set<string>();
  /** Streams this client tore down, and when it last said so. */
  private readonly ended: { sid: number; srv: string; told: number }[] = [];
  private listed: MessageOf<'server-list'>['servers'] = [];
  private listPages = 0;
  private listExp: number | undefined;
  private readonly serversUsed: string[] = [];
  private switches = 0;
  private startedAt = 0;
  private firstByteAt: number | undefined;
  private bytes = 0;
  private readonly startAt: number;
  private clock = 0;
  result: ClientResult | undefined;

  constructor(deps: RoleDeps, config: ClientConfig) {
    super(deps);
    if (config.masters.length === 0) throw new Error('a client needs at least one master address');
    this.config = config;
    this.startAt = config.start ?? 0;
    // DNS-style round robin (S4.3): start at a random master, then rotate.
    this.masterIndex = deps.rng.below(config.masters.length);
  }

  handle(input: Input<ClientCommand>, now: number): void {
    this.clock = now;
    switch (input.kind) {
      case 'command':
        if (input.command.type === 'start' && this.state === 'idle') this.start(now);
        if (input.command.type === 'stop') this.stop(now);
        return;
      case 'datagram':
        return this.onDatagram(input.from, input.bytes, now);
      case 'timer':
        return this.onTimer(now);
    }
  }

  pollTimeout(): number | undefined {
    if (this.state === 'idle' || this.state === 'done' || this.state === 'failed' || this.state === 'stopped') return undefined;
    let t = this.deadline;
    const take = (x: number | undefined) => {
      if (x !== undefined && (t === undefined || x < t)) t = x;
    };
    if (this.acking()) take(this.nextAck);
    if (this.state === 'playing') take(this.silenceDeadline());
    if (this.changeSeenAt !== undefined && this.state === 'playing') take(this.changeSeenAt + CHANGE_GRACE);
    // Adjustments go to the stream's server (adjustTimer): while the client asks again there is none,
    // and a deadline it cannot act on would wake it again and again at once.
    if (this.stream && (this.state === 'playing' || this.state === 'starting')) {
      if (this.adjustPending) take(this.adjustPending.nextSend);
      else if (this.playStartedAt !== undefined) {
        const next = this.config.schedule?.[this.scheduleIndex];
        if (next) take(this.playStartedAt + next.at);
      }
    }
    return t;
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

  /** Reception reports are due: a stream plays or starts, or a server being left still delivers. (pollTimeout and onTimer must agree.) */
  private acking(): boolean {
    return this.state === 'starting' || this.state === 'playing' || this.outgoing !== undefined;
  }

  /** When silence next calls for something: the `play` retry at half the timeout, then the failure. */
  private silenceDeadline(): number {
    return this.lastData + (this.silenceRetried ? this.silenceTimeout() : this.silenceTimeout() / 2);
  }

  /**
   * Silence that means the server has failed: SERVER_SILENCE_TIMEOUT, or eight
   * packet intervals of the stream when it is slower than that.
   */
  private silenceTimeout(): number {
    const rate = ((this.flows?.reduce((n, f) => n + f.rate, 0) ?? 0) * this.scale) / 1000;
    const interval = rate > 0 ? (DATA_CHUNK * 8 * 1000) / rate : 0;
    return Math.max(SERVER_SILENCE_TIMEOUT, 8 * interval);
  }

  private move(on: ClientTrigger, now: number, detail: Record<string, unknown> = {}): boolean {
    const to = nextState(CLIENT_TABLE, this.state, on);
    if (!to) return false;
    const from = this.state;
    this.state = to;
    if (to !== from || on !== 'data') this.emit({ type: 'state', level: 'debug', from, to, on, at: now, ...detail });
    return true;
  }

  // ---- Asking a master -------------------------------------------------------

  private start(now: number): void {
    this.startedAt = now;
    this.move('start', now);
    this.askMaster(now);
  }

  private askMaster(now: number, from = 0): void {
    this.rid = this.deps.rng.id();
    this.requestTo = this.config.masters[this.masterIndex]!;
    const offs = this.offsets();
    const resumed = this.stream?.sid ?? this.outgoing?.sid ?? this.lastSid;
    this.request = padded({
      type: 'request',
      rid: this.rid,
      file: this.config.file,
      ...(this.config.mode ? { mode: this.config.mode } : {}),
      ...(this.next > 0 ? { off: this.next } : {}),
      ...(offs.length > 1 ? { offs } : {}),
      ...(this.scale !== 1000 ? { scale: this.scale } : {}),
      ...(resumed !== undefined ? { prev: resumed } : {}),
      ...(from > 0 ? { from } : {}),
      ...(this.avoid.length > 0 ? { avoid: this.avoid.slice(-MAX_AVOID) } : {}),
    });
    this.masterTries = 1;
    this.emit({ type: 'ask', master: this.requestTo, file: this.config.file, mode: this.config.mode ?? 'default', off: this.next });
    this.sendRequest(now);
  }

  private sendRequest(now: number): void {
    this.send(this.requestTo, this.request!, true);
    this.deadline = now + REQUEST_TIMEOUT;
  }

  /** The master did not answer: again, then the next master, for MASTER_ROUNDS rounds (S4.3). */
  private masterTimeout(now: number): void {
    if (this.masterTries < ATTEMPTS_PER_PEER) {
      this.masterTries++;
      this.sendRequest(now);
      return;
    }
    this.emit({ type: 'master-silent', level: 'warn', master: this.requestTo });
    this.mastersAsked++;
    if (this.mastersAsked >= MASTER_ROUNDS * this.config.masters.length) {
      // Masters that answered with errors were reachable: report what they said.
      const last = this.lastMasterError;
      if (last) this.fail('gave-up', last.code, `masters kept answering: ${last.msg}`, now);
      else this.fail('gave-up', 'master-unreachable', `no master answered (${this.config.masters.join(', ')})`, now);
      return;
    }
    this.masterIndex = (this.masterIndex + 1) % this.config.masters.length;
    this.askMaster(now);
  }

  /** A master answered with a server (or servers): the rounds of asking start again. */
  private masterAnswered(): void {
    this.mastersAsked = 0;
    this.lastMasterError = undefined;
  }

  private isMaster(addr: string): boolean {
    return this.config.masters.includes(addr);
  }

  // ---- Input -----------------------------------------------------------------

  private onDatagram(from: string, bytes: Uint8Array, now: number): void {
    const d = this.receive(from, bytes, now);
    if (!d) return;
    const msg = d.msg;
    switch (msg.type) {
      case 'data':
        return this.onData(msg, from, now);
      case 'redirect':
        if (this.state !== 'asking' || msg.rid !== this.rid || !this.isMaster(from) || msg.file !== this.config.file) break;
        this.masterAnswered();
        if (this.sentBackToUnreadable(msg.srv, now)) return;
        if (msg.sk) this.streamKey = msg.sk;
        this.emit({ type: 'redirected', master: from, srv: msg.srv, sid: msg.sid });
        this.move('redirect', now);
        return this.requestServer({ srv: msg.srv, sid: msg.sid, ...(msg.tok ? { tok: msg.tok } : {}), ...(msg.exp !== undefined ? { exp: msg.exp } : {}) }, now);
      case 'server-list':
        if (this.state !== 'asking' || msg.rid !== this.rid || !this.isMaster(from) || msg.file !== this.config.file) break;
        return this.onServerList(msg, from, now);
      case 'setup':
        return this.onSetup(msg, from, now);
      case 'switch':
        return this.onSwitch(msg, from, now);
      case 'adjust-ack':
        if (!this.stream || msg.sid !== this.stream.sid || from !== this.stream.srv) break;
        if (this.adjustPending && msg.n >= this.adjustPending.n) {
          this.scale = msg.scale;
          this.emit({ type: 'adjusted', srv: from, n: msg.n, scale: msg.scale });
          this.adjustPending = undefined;
        }
        return;
      case 'error':
        return this.onError(msg, from, now);
      case 'end':
        if (this.outgoing && msg.sid === this.outgoing.sid && from === this.outgoing.srv) {
          this.outgoing = undefined; // the server being left is done: the new one carries on
          return;
        }
        if (!this.stream || msg.sid !== this.stream.sid || from !== this.stream.srv) break;
        if (msg.code === 'media-error') this.unreadable.add(from);
        return this.serverFailed(`server ended the stream: ${msg.code}`, now);
    }
    this.drop('unexpected-message', from, `${msg.type} in state ${this.state}`, msg.type);
  }

  private onServerList(msg: MessageOf<'server-list'>, from: string, now: number): void {
    this.masterAnswered();
    this.listed = msg.from === 0 ? [...msg.servers] : [...this.listed, ...msg.servers];
    this.listExp = msg.exp;
    this.listPages++;
    const got = msg.from + msg.servers.length;
    if (got < msg.total && msg.servers.length > 0 && this.listPages < 16) {
      this.askMaster(now, got); // the next page
      return;
    }
    this.listPages = 0;
    const pick = this.choose(this.listed);
    this.emit({ type: 'listed', master: from, servers: this.listed.length, total: msg.total, chose: pick?.srv, by: this.config.choose.by });
    if (!pick) {
      this.fail('refused', 'no-capacity', `none of the ${msg.total} servers holding ${this.config.file} is up`, now);
      return;
    }
    if (this.sentBackToUnreadable(pick.srv, now)) return;
    if (pick.sk) this.streamKey = pick.sk;
    this.move('server-list', now);
    this.requestServer({ srv: pick.srv, sid: pick.sid, ...(pick.tok ? { tok: pick.tok } : {}), ...(this.listExp !== undefined ? { exp: this.listExp } : {}) }, now);
  }

  /** Client-side choice from a server list (S4.2). */
  private choose(list: MessageOf<'server-list'>['servers']): MessageOf<'server-list'>['servers'][number] | undefined {
    let up = list.filter((s) => s.status === 'up');
    const fresh = up.filter((s) => !this.avoid.includes(s.srv));
    if (fresh.length > 0) up = fresh;
    if (up.length === 0) return undefined;
    const fewest = (xs: typeof up) => xs.reduce((a, b) => (b.users < a.users || (b.users === a.users && b.srv < a.srv) ? b : a));
    const c = this.config.choose;
    switch (c.by) {
      case 'random':
        return up[this.deps.rng.below(up.length)];
      case 'fewest-users':
        return fewest(up);
      case 'group': {
        const inGroup = up.filter((s) => s.group === c.group);
        if (inGroup.length === 0) {
          this.emit({ type: 'group-empty', level: 'warn', group: c.group, detail: 'no server of that group is up; choosing by fewest users' });
          return fewest(up);
        }
        return fewest(inGroup);
      }
    }
  }

  // ---- A server ----------------------------------------------------------------

  /**
   * The master has no other server for the file than one that could not read
   * it: that one would fail again at the same byte, so give up now with its
   * error rather than go round until the client's own timeout.
   */
  private sentBackToUnreadable(srv: string, now: number): boolean {
    if (!this.unreadable.has(srv)) return false;
    this.fail('refused', 'media-error', `server ${srv} could not read ${this.config.file} at byte ${this.next}, and no other server holding it is up with room`, now);
    return true;
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
      ...(this.scale !== 1000 ? { scale: this.scale } : {}),
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
    if (direct && msg.sid !== this.ticket!.sid) return this.drop('unexpected-message', from, 'setup for another stream', 'setup');
    if (this.flows) {
      // The same name with other content would corrupt the copy: refuse this server.
      const same = flows.length === this.flows.length && flows.every((f, i) => f.size === this.flows![i]!.size);
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
      this.masterAnswered();
      if (this.sentBackToUnreadable(msg.srv, now)) return;
      if (msg.sk) this.streamKey = msg.sk;
    }
    this.stream = { sid: msg.sid, srv: msg.srv, cookie: msg.cookie };
    this.lastSid = msg.sid;
    if (msg.scale !== undefined) this.scale = msg.scale;
    this.noteServer(msg.srv);
    if (!this.flows) {
      this.flows = flows;
      this.receivers = flows.map((f, i) => new Receiver(f.size, offs[i] ?? 0, (off, data) => this.handOn(i, off, data)));
    }
    this.emit({ type: 'setup', srv: msg.srv, sid: msg.sid, size: msg.size, rate: msg.rate, off: msg.off, flows: this.flows.map((f) => ({ ...f })), via: relayed ? 'master' : 'server' });
    this.move('setup', now);
    this.serverTries = 1;
    this.silenceRetried = false;
    this.sendPlay(now);
    if (this.receivers.every((r) => r.complete)) this.complete(now);
  }

  private noteServer(srv: string): void {
    if (this.serversUsed[this.serversUsed.length - 1] !== srv) {
      if (this.serversUsed.length > 0) this.switches++;
      this.serversUsed.push(srv);
    }
  }

  private sendPlay(now: number): void {
    const s = this.stream!;
    const offs = this.offsets();
    this.send(s.srv, { type: 'play', sid: s.sid, cookie: s.cookie, off: offs[0] ?? 0, ...(offs.length > 1 ? { offs } : {}) }, true);
    this.deadline = now + REQUEST_TIMEOUT;
    this.nextAck = now + ACK_INTERVAL;
    this.lastData = now;
  }

  /**
   * Handoff (S2.6, §10.6): the current server relays where the stream goes
   * next. Taken only from that server, for this stream, with a handoff token
   * made with this stream's key and not expired; otherwise the stream stays.
   */
  private onSwitch(msg: MessageOf<'switch'>, from: string, now: number): void {
    const s = this.stream;
    if (!s || msg.sid !== s.sid || from !== s.srv || (this.state !== 'playing' && this.state !== 'starting')) {
      return this.drop('unexpected-message', from, `switch for stream ${msg.sid} in state ${this.state}`, 'switch');
    }
    const key = this.streamKey;
    const valid = key !== undefined && msg.exp > now && equalBytes(handoffToken(this.deps.crypto, key, msg.sid, msg.srv, msg.exp), msg.tok);
    if (!valid) {
      this.emit({ type: 'switch-refused', level: 'warn', srv: from, to: msg.srv, why: !key ? 'no stream key' : msg.exp <= now ? 'token expired' : 'bad token' });
      return this.drop('bad-token', from, `switch to ${msg.srv} with ${!key ? 'no stream key' : 'an invalid or expired token'}`, 'switch');
    }
    if (msg.srv === s.srv) return; // a repeat: already moving there, or nowhere
    this.handoff = { from: s.srv, why: msg.why, computed: msg.npt, position: this.npt() };
    this.outgoing = s;
    this.stream = { sid: msg.sid, srv: msg.srv, cookie: msg.cookie };
    this.scale = msg.scale;
    this.changeSeenAt = undefined;
    this.emit({ type: 'switch', from: s.srv, to: msg.srv, sid: msg.sid, why: msg.why, computed: msg.npt, npt: this.handoff.position });
    this.move('switch', now);
    this.serverTries = 1;
    this.silenceRetried = false;
    this.sendPlay(now);
    if (this.adjustPending) this.adjustPending.nextSend = now; // the new server is the one to tell
  }

  private onData(msg: MessageOf<'data'>, from: string, now: number): void {
    const s = this.stream;
    const current = s !== undefined && msg.sid === s.sid && from === s.srv && (this.state === 'starting' || this.state === 'playing');
    const leaving = this.outgoing !== undefined && msg.sid === this.outgoing.sid && from === this.outgoing.srv && this.state !== 'done' && this.state !== 'failed' && this.state !== 'stopped';
    if (!current && !leaving) {
      this.strayData(msg.sid, from, now);
      return this.drop('unexpected-message', from, `data for stream ${msg.sid}`, 'data');
    }
    const r = this.receivers[msg.fl ?? 0];
    if (!r) return this.drop('bad-field', from, `data for flow ${msg.fl}`, 'data');
    this.lastDataFrom.set(from, now);
    if (current) {
      this.lastData = now;
      this.silenceRetried = false;
      this.deadline = undefined;
      if (this.state === 'starting') {
        this.emit({ type: 'playing', srv: s!.srv, sid: s!.sid, off: this.next });
        this.move('data', now);
        this.playStartedAt ??= now;
      }
      if (msg.ch && this.changeSeenAt === undefined && !this.handoff) {
        this.changeSeenAt = now;
        this.emit({ type: 'change-indicator', srv: from, sid: msg.sid, off: this.next });
      }
    }
    this.firstByteAt ??= now;
    const outcome = r.accept(msg.off, msg.data);
    if (outcome === 'past-end' || outcome === 'out-of-window') {
      this.drop('bad-field', from, `data at ${msg.off} is ${outcome}`, 'data');
    }
    // The new server delivers: the handoff is over, whether its first packet is the next byte, one
    // ahead (buffered) or one the old server already sent (duplicate). Acks ask for any hole.
    if (current && this.handoff && outcome !== 'past-end' && outcome !== 'out-of-window') this.handoffDone(now);
    if (this.receivers.every((x) => x.complete)) this.complete(now);
  }

  /** The new server delivered the byte the client needed: the handoff is over, the old server can go. */
  private handoffDone(now: number): void {
    const h = this.handoff!;
    this.handoff = undefined;
    const lastOld = this.lastDataFrom.get(h.from) ?? now;
    const gap = Math.max(0, Math.round(now - lastOld));
    const to = this.stream!.srv;
    const rec: HandoffRecord = { from: h.from, to, why: h.why, npt: h.position, ...(h.computed !== undefined ? { computed: h.computed } : {}), gap };
    this.handoffs.push(rec);
    this.noteServer(to);
    this.emit({ type: 'handoff', sid: this.stream!.sid, ...rec, ...(h.computed !== undefined ? { diff: h.computed - h.position } : {}) });
    if (this.outgoing) {
      this.tornDown(this.outgoing.sid, this.outgoing.srv, now);
      this.outgoing = undefined;
    }
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
    if (this.ended.length > 4) this.ended.shift();
  }

  private handOn(fl: number, off: number, data: Uint8Array): void {
    this.bytes += data.length;
    this.emit({ type: 'bytes', level: 'debug', fl, off, data, at: this.clock });
  }

  private onError(msg: MessageOf<'error'>, from: string, now: number): void {
    if (this.state === 'asking' && msg.rid === this.rid && this.isMaster(from)) {
      this.emit({ type: 'master-error', level: 'warn', master: from, code: msg.code, msg: msg.msg });
      // Only what CLIENT_TABLE's `refused` names is final. Anything else (`unavailable`: the relayed
      // setup was lost; no capacity mid-stream) is retried, or a lossy link fails relayed requests.
      const definitive = msg.code === 'not-found' || msg.code === 'bad-request' || (msg.code === 'no-capacity' && this.serversUsed.length === 0);
      if (definitive) return this.fail('refused', msg.code, msg.msg, now);
      this.lastMasterError = { code: msg.code, msg: msg.msg };
      // Nothing free right now: keep trying, it counts as an attempt.
      this.deadline = now + REQUEST_TIMEOUT;
      this.masterTries = ATTEMPTS_PER_PEER;
      return;
    }
    if (this.stream && msg.sid === this.stream.sid && from === this.stream.srv && msg.code === 'no-capacity' && this.adjustPending) {
      // The server has no room for the faster rate asked: the stream goes on as it was.
      this.emit({ type: 'adjust-refused', level: 'warn', srv: from, scale: this.adjustPending.scale, msg: msg.msg });
      this.adjustPending = undefined;
      return;
    }
    const atServer = (this.state === 'requesting' && from === this.ticket?.srv && msg.rid === this.rid) ||
      ((this.state === 'starting' || this.state === 'playing') && this.stream && from === this.stream.srv && msg.sid === this.stream.sid);
    if (atServer) return this.serverFailed(`server refused: ${msg.code}: ${msg.msg}`, now, from);
    this.drop('unexpected-message', from, `error ${msg.code} matches nothing`, 'error');
  }

  // ---- Timers -----------------------------------------------------------------

  private onTimer(now: number): void {
    if (this.nextAck !== undefined && now >= this.nextAck && this.acking()) {
      this.sendAcks();
      this.nextAck = now + ACK_INTERVAL;
    }
    this.adjustTimer(now);
    if (this.state === 'playing' && this.deadline === undefined) {
      // The same expressions as the deadlines pollTimeout gives, so a wake-up at one always acts.
      if (now >= this.lastData + this.silenceTimeout()) return this.serverFailed('the server went silent', now, undefined, 'failure');
      if (now >= this.lastData + this.silenceTimeout() / 2 && !this.silenceRetried) {
        // Half the timeout without data: try the server once more, from where we are (S4.5).
        this.emit({ type: 'server-silent', level: 'warn', srv: this.stream!.srv, off: this.next });
        this.silenceRetried = true;
        const offs = this.offsets();
        const s = this.stream!;
        this.send(s.srv, { type: 'play', sid: s.sid, cookie: s.cookie, off: offs[0] ?? 0, ...(offs.length > 1 ? { offs } : {}) }, true);
      }
    }
    if (this.state === 'playing' && this.changeSeenAt !== undefined && now - this.changeSeenAt >= CHANGE_GRACE) {
      // The server is leaving and no switch came: ask a master ourselves, still taking its data (S2.5c).
      const s = this.stream!;
      this.changeSeenAt = undefined;
      this.emit({ type: 'change-unanswered', level: 'warn', srv: s.srv, off: this.next });
      if (!this.avoid.includes(s.srv)) this.avoid.push(s.srv);
      this.handoff = { from: s.srv, why: 'drain', position: this.npt() };
      this.outgoing = s;
      this.stream = undefined;
      this.nextAck = now + ACK_INTERVAL; // the server being left keeps being told what is missing
      this.move('change', now);
      this.askMaster(now);
      return;
    }
    if (this.deadline === undefined || now < this.deadline) return;
    switch (this.state) {
      case 'asking':
        return this.masterTimeout(now);
      case 'requesting':
        if (this.serverTries < ATTEMPTS_PER_PEER) {
          this.serverTries++;
          return this.sendRequest(now);
        }
        return this.serverFailed('no setup from the server', now);
      case 'starting':
      case 'playing':
        if (this.serverTries < ATTEMPTS_PER_PEER) {
          this.serverTries++;
          return this.sendPlay(now);
        }
        return this.serverFailed('no data after play', now);
      default:
        return;
    }
  }

  /** Stream adjustments (S2.1): the next one due by the schedule, sent until acknowledged. */
  private adjustTimer(now: number): void {
    const s = this.stream;
    if (!s || (this.state !== 'playing' && this.state !== 'starting')) return;
    if (!this.adjustPending && this.playStartedAt !== undefined) {
      const next = this.config.schedule?.[this.scheduleIndex];
      if (next && now >= this.playStartedAt + next.at) {
        this.scheduleIndex++;
        if (next.scale !== this.scale) {
          this.adjustN++;
          this.adjustPending = { n: this.adjustN, scale: next.scale, nextSend: now };
          this.emit({ type: 'adjust', srv: s.srv, n: this.adjustN, scale: next.scale });
        }
      }
    }
    const p = this.adjustPending;
    if (p && now >= p.nextSend) {
      this.send(s.srv, { type: 'adjust', sid: s.sid, n: p.n, scale: p.scale }, true);
      p.nextSend = now + 2 * ACK_INTERVAL;
    }
  }

  /** Reception reports for the stream, and for the one being left while it still delivers (it can mend holes too). */
  private sendAcks(): void {
    for (const s of [this.stream, this.outgoing]) {
      if (!s) continue;
      this.receivers.forEach((r, fl) => {
        if (r.complete && fl > 0) return;
        this.send(s.srv, { type: 'ack', sid: s.sid, next: r.next, hi: r.hi, miss: r.missing(), ...(fl > 0 ? { fl } : {}) }, true);
      });
    }
  }

  /** The server failed us: ask a master again, from the current byte, avoiding that server (S4.5). */
  private serverFailed(reason: string, now: number, server?: string, why = 'failure'): void {
    const srv = server ?? this.stream?.srv ?? this.ticket?.srv ?? '';
    this.emit({ type: 'server-failed', level: 'warn', srv, reason, off: this.next });
    if (this.stream) {
      if (!this.handoff) this.handoff = { from: this.stream.srv, why, position: this.npt() };
      this.tornDown(this.stream.sid, this.stream.srv, now);
    }
    if (srv && !this.avoid.includes(srv)) this.avoid.push(srv);
    this.stream = undefined;
    this.nextAck = this.outgoing ? now + ACK_INTERVAL : undefined;
    // A relayed setup we cannot use arrives while asking: ask again, avoiding that server.
    if (this.state === 'asking') return this.askMaster(now);
    if (!this.move('server-failed', now)) return;
    this.askMaster(now);
  }

  // ---- Endings ---------------------------------------------------------------

  private complete(now: number): void {
    const s = this.stream;
    if (s) {
      // A last ack tells the server the copy is complete before the teardown ends the stream.
      this.sendAcks();
      this.tornDown(s.sid, s.srv, now);
    }
    if (this.handoff && s && s.srv !== this.handoff.from) this.handoffDone(now);
    this.handoff = undefined;
    if (this.outgoing) this.tornDown(this.outgoing.sid, this.outgoing.srv, now);
    this.outgoing = undefined;
    this.deadline = undefined;
    this.nextAck = undefined;
    this.move('complete', now);
    this.finish(true, now);
    this.emit({ type: 'complete', bytes: this.bytes, size: this.totalSize(), servers: [...this.serversUsed], switches: this.switches, handoffs: this.handoffs.length, maxGap: this.maxGap(), ms: now - this.startedAt });
  }

  private fail(on: 'refused' | 'gave-up', code: ErrorCode | string, message: string, now: number): void {
    const old = this.outgoing;
    if (old && now - (this.lastDataFrom.get(old.srv) ?? 0) < this.silenceTimeout()) {
      // No master has another server for us, but the one being left (draining) still delivers: stay
      // with it. It ends the stream when it goes, and the client asks again then.
      this.emit({ type: 'stay', level: 'warn', srv: old.srv, code, msg: message });
      this.outgoing = undefined;
      this.handoff = undefined;
      this.stream = old;
      this.deadline = undefined;
      this.lastData = this.lastDataFrom.get(old.srv) ?? now;
      this.silenceRetried = false;
      this.nextAck = now;
      this.move('stay', now);
      return;
    }
    this.deadline = undefined;
    this.nextAck = undefined;
    if (this.outgoing) this.tornDown(this.outgoing.sid, this.outgoing.srv, now);
    this.outgoing = undefined;
    this.move(on, now);
    this.finish(false, now, code, message);
    this.emit({ type: 'failed', level: 'error', code, msg: message, off: this.next });
  }

  private stop(now: number): void {
    if (this.stream) this.tornDown(this.stream.sid, this.stream.srv, now);
    if (this.outgoing) this.tornDown(this.outgoing.sid, this.outgoing.srv, now);
    if (!this.move('stop', now)) return;
    this.deadline = undefined;
    this.nextAck = undefined;
    this.finish(false, now, 'stopped', 'stopped by its user');
  }

  private totalSize(): number {
    return this.flows?.reduce((n, f) => n + f.size, 0) ?? 0;
  }

  private maxGap(): number {
    return this.handoffs.reduce((m, h) => Math.max(m, h.gap), 0);
  }

  private finish(ok: boolean, now: number, code?: string, message?: string): void {
    this.result = {
      ok,
      ...(code ? { code } : {}),
      ...(message ? { message } : {}),
      bytes: this.bytes,
      size: this.totalSize(),
      flows: (this.flows ?? []).map((f, i) => ({ name: f.name, size: f.size, bytes: (this.receivers[i]?.next ?? 0) - (i === 0 ? this.startAt : 0) })),
      servers: [...this.serversUsed],
      switches: this.switches,
      handoffs: [...this.handoffs],
      maxGap: this.maxGap(),
      duplicates: this.receivers.reduce((n, r) => n + r.duplicates, 0),
      started: this.startedAt,
      ...(this.firstByteAt !== undefined ? { firstByte: this.firstByteAt } : {}),
      finished: now,
    };
  }
}
