/**
 * The client (S1, S4): asks a master for a file by name, follows a redirect
 * (S1.3), takes a relayed setup (S1.4) or picks from a server list itself
 * (S4.1, S4.2), plays the stream, asks for what is missing, and hands bytes on
 * in order. When its server fails it tries once more, then asks a master again
 * from the exact byte it has (S4.5); several master addresses are rotated
 * (S4.3).
 */
import {
  ACK_INTERVAL,
  ATTEMPTS_PER_PEER,
  MASTER_ROUNDS,
  MAX_AVOID,
  REQUEST_TIMEOUT,
  SERVER_SILENCE_TIMEOUT,
} from '../../protocol/constants.js';
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
}

export type ClientCommand = { readonly type: 'start' } | { readonly type: 'stop' };

export type ClientState = 'idle' | 'asking' | 'requesting' | 'starting' | 'playing' | 'done' | 'failed' | 'stopped';
export type ClientTrigger =
  | 'start' | 'redirect' | 'server-list' | 'setup' | 'data' | 'complete'
  | 'server-failed' | 'refused' | 'gave-up' | 'stop';

/** The client's state machine (§6.2), drawn in the spec. */
export const CLIENT_TABLE = defineTable<ClientState, ClientTrigger>({
  name: 'client',
  initial: 'idle',
  states: {
    idle: 'Not started.',
    asking: 'Waiting for a master\'s answer to `request`; retried, then the next master (S4.3).',
    requesting: 'Redirected or chose from the list: waiting for the server\'s `setup`.',
    starting: 'Sent `play`; waiting for the first `data`.',
    playing: 'Receiving; `ack` every ACK_INTERVAL.',
    done: 'Every byte received and handed on; `teardown` sent.',
    failed: 'Gave up, with an error code.',
    stopped: 'Stopped by its user; `teardown` sent.',
  },
  transitions: [
    { from: 'idle', on: 'start', to: 'asking', doc: 'send `request` to a master' },
    { from: 'asking', on: 'redirect', to: 'requesting', doc: '`redirect`: send `request` to the server named' },
    { from: 'asking', on: 'server-list', to: 'requesting', doc: '`server-list`: choose a server, send it `request`' },
    { from: ['asking', 'requesting'], on: 'setup', to: 'starting', doc: '`setup` (relayed by the master, or from the server): send `play`' },
    { from: ['starting', 'playing'], on: 'data', to: 'playing', doc: '`data` from the stream\'s server' },
    { from: ['starting', 'playing'], on: 'complete', to: 'done', doc: 'every byte handed on: send `teardown`' },
    { from: ['requesting', 'starting', 'playing'], on: 'server-failed', to: 'asking', doc: 'no answer after ATTEMPTS_PER_PEER tries, silence, `end` or a refusal: ask a master again from the current byte, avoiding that server (S4.5)' },
    { from: 'asking', on: 'refused', to: 'failed', doc: '`error` from the master that retrying cannot fix (`not-found`, `bad-request`, or `no-capacity` before any server has set a stream up)' },
    { from: 'asking', on: 'gave-up', to: 'failed', doc: 'no master answered in MASTER_ROUNDS rounds' },
    { from: ['idle', 'asking', 'requesting', 'starting', 'playing'], on: 'stop', to: 'stopped', doc: 'stopped by its user' },
  ],
});

interface StreamInfo {
  readonly sid: number;
  readonly srv: string;
  readonly size: number;
  readonly rate: number;
  readonly cookie: Uint8Array;
}

/** What the client was told to use at a server: by a redirect or from the list. */
interface Ticket {
  readonly srv: string;
  readonly sid: number;
  readonly tok?: Uint8Array;
  readonly exp?: number;
}

export interface ClientResult {
  readonly ok: boolean;
  readonly code?: ErrorCode | string;
  readonly message?: string;
  readonly bytes: number;
  readonly size: number;
  readonly servers: readonly string[];
  readonly switches: number;
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
  private receiver: Receiver | undefined;
  private lastData = 0;
  private silenceRetried = false;
  private readonly avoid: string[] = [];
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
  private position: number;
  private clock = 0;
  result: ClientResult | undefined;

  constructor(deps: RoleDeps, config: ClientConfig) {
    super(deps);
    if (config.masters.length === 0) throw new Error('a client needs at least one master address');
    this.config = config;
    this.position = config.start ?? 0;
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
    const a = this.deadline;
    const b = this.nextAck;
    if (a === undefined) return b;
    if (b === undefined) return a;
    return Math.min(a, b);
  }

  /** Where the stream stands: every byte below this has been handed on. */
  get next(): number {
    return this.receiver?.next ?? this.position;
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
    this.request = padded({
      type: 'request',
      rid: this.rid,
      file: this.config.file,
      ...(this.config.mode ? { mode: this.config.mode } : {}),
      ...(this.next > 0 ? { off: this.next } : {}),
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
        this.emit({ type: 'redirected', master: from, srv: msg.srv, sid: msg.sid });
        this.move('redirect', now);
        return this.requestServer({ srv: msg.srv, sid: msg.sid, ...(msg.tok ? { tok: msg.tok } : {}), ...(msg.exp !== undefined ? { exp: msg.exp } : {}) }, now);
      case 'server-list':
        if (this.state !== 'asking' || msg.rid !== this.rid || !this.isMaster(from) || msg.file !== this.config.file) break;
        return this.onServerList(msg, from, now);
      case 'setup':
        return this.onSetup(msg, from, now);
      case 'error':
        return this.onError(msg, from, now);
      case 'end':
        if (!this.stream || msg.sid !== this.stream.sid || from !== this.stream.srv) break;
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

  private requestServer(ticket: Ticket, now: number): void {
    this.ticket = ticket;
    this.serverTries = 1;
    this.rid = this.deps.rng.id();
    this.requestTo = ticket.srv;
    this.request = padded({
      type: 'request',
      rid: this.rid,
      file: this.config.file,
      sid: ticket.sid,
      ...(ticket.tok ? { tok: ticket.tok } : {}),
      ...(ticket.exp !== undefined ? { exp: ticket.exp } : {}),
      ...(this.next > 0 ? { off: this.next } : {}),
    });
    this.sendRequest(now);
  }

  private onSetup(msg: MessageOf<'setup'>, from: string, now: number): void {
    const relayed = this.state === 'asking' && this.isMaster(from);
    const direct = this.state === 'requesting' && from === this.ticket?.srv;
    if ((!relayed && !direct) || msg.rid !== this.rid || msg.file !== this.config.file || msg.off !== this.next) {
      return this.drop('unexpected-message', from, `setup in state ${this.state}`, 'setup');
    }
    if (direct && msg.sid !== this.ticket!.sid) return this.drop('unexpected-message', from, 'setup for another stream', 'setup');
    if (this.receiver && this.receiver.size !== msg.size) {
      // The same name with other content would corrupt the copy: refuse this server.
      return this.serverFailed(`server ${msg.srv} has ${msg.size} bytes of ${msg.file}, not ${this.receiver.size}`, now, msg.srv);
    }
    if (relayed) this.masterAnswered();
    this.stream = { sid: msg.sid, srv: msg.srv, size: msg.size, rate: msg.rate, cookie: msg.cookie };
    if (this.serversUsed[this.serversUsed.length - 1] !== msg.srv) {
      if (this.serversUsed.length > 0) this.switches++;
      this.serversUsed.push(msg.srv);
    }
    if (!this.receiver) {
      this.receiver = new Receiver(msg.size, this.next, (off, data) => this.handOn(off, data));
    } else {
      this.receiver.restart();
    }
    this.emit({ type: 'setup', srv: msg.srv, sid: msg.sid, size: msg.size, rate: msg.rate, off: msg.off, via: relayed ? 'master' : 'server' });
    this.move('setup', now);
    this.serverTries = 1;
    this.silenceRetried = false;
    this.sendPlay(now);
    if (this.receiver.complete) this.complete(now);
  }

  private sendPlay(now: number): void {
    const s = this.stream!;
    this.send(s.srv, { type: 'play', sid: s.sid, cookie: s.cookie, off: this.next }, true);
    this.deadline = now + REQUEST_TIMEOUT;
    this.nextAck = now + ACK_INTERVAL;
    this.lastData = now;
  }

  private onData(msg: MessageOf<'data'>, from: string, now: number): void {
    const s = this.stream;
    if (!s || msg.sid !== s.sid || from !== s.srv || (this.state !== 'starting' && this.state !== 'playing')) {
      this.strayData(msg.sid, from, now);
      return this.drop('unexpected-message', from, `data for stream ${msg.sid}`, 'data');
    }
    this.lastData = now;
    this.silenceRetried = false;
    this.deadline = undefined;
    if (this.state === 'starting') {
      this.emit({ type: 'playing', srv: s.srv, sid: s.sid, off: this.next });
      this.move('data', now);
    }
    this.firstByteAt ??= now;
    const r = this.receiver!;
    const outcome = r.accept(msg.off, msg.data);
    if (outcome === 'past-end' || outcome === 'out-of-window') {
      this.drop('bad-field', from, `data at ${msg.off} is ${outcome}`, 'data');
    }
    if (r.complete) this.complete(now);
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

  /** Remember a stream this client tore down (the last few). */
  private tornDown(sid: number, srv: string, now: number): void {
    this.send(srv, { type: 'teardown', sid }, true);
    this.ended.push({ sid, srv, told: now });
    if (this.ended.length > 4) this.ended.shift();
  }

  private handOn(off: number, data: Uint8Array): void {
    this.bytes += data.length;
    this.emit({ type: 'bytes', level: 'debug', off, data, at: this.clock });
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
    const atServer = (this.state === 'requesting' && from === this.ticket?.srv && msg.rid === this.rid) ||
      ((this.state === 'starting' || this.state === 'playing') && this.stream && from === this.stream.srv && msg.sid === this.stream.sid);
    if (atServer) return this.serverFailed(`server refused: ${msg.code}: ${msg.msg}`, now, from);
    this.drop('unexpected-message', from, `error ${msg.code} matches nothing`, 'error');
  }

  // ---- Timers -----------------------------------------------------------------

  private onTimer(now: number): void {
    if (this.nextAck !== undefined && now >= this.nextAck && (this.state === 'starting' || this.state === 'playing')) {
      this.sendAck();
      this.nextAck = now + ACK_INTERVAL;
    }
    if (this.state === 'playing' && now - this.lastData >= SERVER_SILENCE_TIMEOUT && this.deadline === undefined) {
      // Silence: try the server once more from where we are (S4.5).
      this.emit({ type: 'server-silent', level: 'warn', srv: this.stream!.srv, off: this.next });
      this.silenceRetried = true;
      this.serverTries = ATTEMPTS_PER_PEER;
      this.sendPlay(now);
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
        return this.serverFailed(this.silenceRetried ? 'the server went silent' : 'no data after play', now);
      default:
        return;
    }
  }

  private sendAck(): void {
    const s = this.stream!;
    const r = this.receiver!;
    this.send(s.srv, { type: 'ack', sid: s.sid, next: r.next, hi: r.hi, miss: r.missing() }, true);
  }

  /** The server failed us: ask a master again, from the current byte, avoiding that server (S4.5). */
  private serverFailed(reason: string, now: number, server?: string): void {
    const srv = server ?? this.stream?.srv ?? this.ticket?.srv ?? '';
    this.emit({ type: 'server-failed', level: 'warn', srv, reason, off: this.next });
    if (this.stream) this.tornDown(this.stream.sid, this.stream.srv, now);
    if (srv && !this.avoid.includes(srv)) this.avoid.push(srv);
    this.stream = undefined;
    this.nextAck = undefined;
    // A relayed setup we cannot use arrives while asking: ask again, avoiding that server.
    if (this.state === 'asking') return this.askMaster(now);
    if (!this.move('server-failed', now)) return;
    this.askMaster(now);
  }

  // ---- Endings ---------------------------------------------------------------

  private complete(now: number): void {
    const s = this.stream!;
    // A last ack tells the server the copy is complete before the teardown ends the stream.
    this.sendAck();
    this.tornDown(s.sid, s.srv, now);
    this.deadline = undefined;
    this.nextAck = undefined;
    this.move('complete', now);
    this.finish(true, now);
    this.emit({ type: 'complete', bytes: this.bytes, size: s.size, servers: [...this.serversUsed], switches: this.switches, ms: now - this.startedAt });
  }

  private fail(on: 'refused' | 'gave-up', code: ErrorCode | string, message: string, now: number): void {
    this.deadline = undefined;
    this.nextAck = undefined;
    this.move(on, now);
    this.finish(false, now, code, message);
    this.emit({ type: 'failed', level: 'error', code, msg: message, off: this.next });
  }

  private stop(now: number): void {
    if (this.stream) this.tornDown(this.stream.sid, this.stream.srv, now);
    if (!this.move('stop', now)) return;
    this.deadline = undefined;
    this.nextAck = undefined;
    this.finish(false, now, 'stopped', 'stopped by its user');
  }

  private finish(ok: boolean, now: number, code?: string, message?: string): void {
    this.result = {
      ok,
      ...(code ? { code } : {}),
      ...(message ? { message } : {}),
      bytes: this.bytes,
      size: this.receiver?.size ?? 0,
      servers: [...this.serversUsed],
      switches: this.switches,
      duplicates: this.receiver?.duplicates ?? 0,
      started: this.startedAt,
      ...(this.firstByteAt !== undefined ? { firstByte: this.firstByteAt } : {}),
      finished: now,
    };
  }
}

