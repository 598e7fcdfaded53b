/**
 * The failover manager (S2, S3.6; spec §10): it follows every stream's control
 * events from its server (`track`), keeps each stream's normal play time, and
 * when a stream change event happens — its server fails, is overloaded, is
 * draining, or an operator asks — it establishes the stream on a second server
 * at the same position and tells the client through the first one.
 */
import { HANDOFF_ATTEMPTS, HANDOFF_TIMEOUT, FORWARD_TIMEOUT, TOKEN_TTL } from '../../protocol/constants.js';
import { handoffToken } from '../../protocol/auth.js';
import type { Message, MessageOf } from '../../protocol/messages.js';
import type { RoleDeps, RoleEvent } from '../role.js';
import { defineTable, nextState } from '../stateMachine.js';
import type { Assignment, AssignmentTable } from './assignments.js';
import { adjusted, nptAt, played } from './npt.js';
import type { Candidate } from './selection.js';
import type { ServerRecord } from './serverRecord.js';

export type MoveWhy = 'failure' | 'overload' | 'drain' | 'operator';

export type HandoffState = 'establishing' | 'moving' | 'done' | 'failed';
export type HandoffTrigger = 'setup' | 'refused' | 'timeout' | 'client-asked' | 'played' | 'no-server';

/** One handoff, as the master runs it (§10.6), drawn in the spec. */
export const HANDOFF_TABLE = defineTable<HandoffState, HandoffTrigger>({
  name: 'master: handoff of a stream',
  initial: 'establishing',
  states: {
    establishing: '`establish` sent to a second server (room held there); waiting for its `setup`.',
    moving: 'The second server has the stream set up. The first one (alive) was sent `move` and relays `switch` to the client; a failed one cannot, and the client asks itself. Waiting for the second server to report `play`.',
    done: 'The second server reported `play`: the stream is its now.',
    failed: 'No server could take the stream, or the client never came: the stream stays where it was (or ends there).',
  },
  transitions: [
    { from: 'establishing', on: 'setup', to: 'moving', doc: '`setup` from the second server: send `move` to the first (unless it failed)' },
    { from: 'establishing', on: 'refused', to: 'establishing', doc: '`error` or no answer within FORWARD_TIMEOUT: try another server (HANDOFF_ATTEMPTS in all)' },
    { from: 'establishing', on: 'no-server', to: 'failed', doc: 'no other server holds the file with room for it' },
    { from: 'moving', on: 'client-asked', to: 'moving', doc: 'the client asked with `prev`: answer with the second server' },
    { from: ['establishing', 'moving'], on: 'played', to: 'done', doc: '`track` `play` from the stream\'s new server: report the handoff (computed and true position)' },
    { from: 'moving', on: 'timeout', to: 'failed', doc: 'no `play` at the new server within HANDOFF_TIMEOUT' },
  ],
});

interface Move {
  readonly sid: number;
  readonly why: MoveWhy;
  /** The position computed at the change event, ms of normal play time (§10.3). */
  readonly computed: number;
  readonly from: string;
  state: HandoffState;
  to: string;
  mrid: number;
  deadline: number;
  readonly tried: string[];
  /** A server the operator named, tried first. */
  readonly forced?: string;
  setup?: MessageOf<'setup'>;
  readonly started: number;
  /** Who started it: the master (a change event it saw or was told of) or the client (it asked again). */
  readonly by: 'master' | 'client';
}

/** What the failover manager needs of the master. */
export interface FailoverHost {
  readonly deps: RoleDeps;
  readonly assignments: AssignmentTable;
  server(name: string): ServerRecord | undefined;
  choose(file: string, avoid: readonly string[], tried: readonly string[]): Candidate | undefined;
  sendControl(to: string, msg: Message, now: number): void;
  emit(e: RoleEvent): void;
  newRid(): number;
}

export class FailoverManager {
  private readonly moves = new Map<number, Move>();
  private readonly byRid = new Map<number, number>();
  private next: number | undefined;
  readonly stats = { started: 0, done: 0, failed: 0 };

  constructor(private readonly host: FailoverHost) {}

  /** The handoff under way for a stream, if any. */
  moving(sid: number): Move | undefined {
    return this.moves.get(sid);
  }

  nextDeadline(): number | undefined {
    return this.next;
  }

  // ---- Control events from servers (§10.4) ----------------------------------

  /** A `track` event from `rec`; answers with `track-ack`. `offer`: what the master told a client of an unknown stream (list mode). */
  onTrack(msg: MessageOf<'track'>, rec: ServerRecord, now: number, offer?: { client: string; file: string; sk?: Uint8Array }): void {
    const h = this.host;
    let a = h.assignments.get(msg.sid);
    if (!a && msg.ev === 'play' && msg.client && msg.file) {
      // A stream the master did not assign (a server list, or a master that restarted): follow it from now on.
      const client = offer?.client ?? msg.client;
      const item = h.server(rec.name)?.files.get(msg.file);
      h.assignments.add({ sid: msg.sid, client, file: msg.file, server: rec.name, rate: item?.rate ?? 0, at: now, live: true, seen: now, ...(offer?.sk ? { sk: offer.sk } : {}), tracked: new Map(), handoffs: 0 });
      a = h.assignments.get(msg.sid);
    }
    if (!a) {
      h.sendControl(rec.addr, { type: 'track-ack', sid: msg.sid, n: msg.n }, now);
      return;
    }
    const last = a.tracked.get(rec.name) ?? 0;
    if (msg.n !== last + 1 && !(last === 0 && msg.ev === 'play')) {
      // A repeat (or one ahead of a missing event, which the server sends again): acknowledge what we have.
      h.sendControl(rec.addr, { type: 'track-ack', sid: msg.sid, n: last }, now);
      return;
    }
    a.tracked.set(rec.name, msg.n);
    h.sendControl(rec.addr, { type: 'track-ack', sid: msg.sid, n: msg.n }, now);
    this.apply(a, msg, rec, now);
  }

  private apply(a: Assignment, msg: MessageOf<'track'>, rec: ServerRecord, now: number): void {
    const h = this.host;
    const move = this.moves.get(a.sid);
    switch (msg.ev) {
      case 'play': {
        const position = played(msg.npt ?? 0, msg.when, msg.scale);
        if (rec.name === a.server) {
          a.npt = position;
          a.live = true;
          a.seen = now;
          return;
        }
        // The stream plays at another server: a handoff is complete (planned, or the client's own).
        const from = a.server;
        const computed = move ? move.computed : a.npt ? Math.round(nptAt(a.npt, msg.when)) : undefined;
        const why = move?.why ?? 'failure';
        h.assignments.reassign(a, rec.name, now);
        a.npt = position;
        a.handoffs++;
        this.stats.done++;
        if (move) this.finish(move, 'played');
        h.emit({
          type: 'handoff',
          sid: a.sid,
          client: a.client,
          file: a.file,
          from,
          to: rec.name,
          why,
          npt: msg.npt ?? 0,
          ...(computed !== undefined ? { computed, diff: computed - (msg.npt ?? 0) } : {}),
          by: move?.by ?? 'client',
        });
        return;
      }
      case 'adjust':
        if (rec.name === a.server && a.npt) a.npt = adjusted(a.npt, msg.when, msg.scale);
        return;
      case 'end':
        if (rec.name !== a.server) return; // the server left behind by a handoff lets the stream go
        if (move && move.state === 'moving') return; // the client left for the new server already
        if (move) this.finish(move, 'no-server');
        h.assignments.remove(a.sid);
        h.emit({ type: 'stream-ended', level: 'debug', sid: a.sid, srv: rec.name, code: msg.code });
        return;
    }
  }

  // ---- Starting a handoff (S2.5, S2.6) ----------------------------------------

  /**
   * A change event for stream `a` at time `te`: compute its position, and
   * establish it on another server (`to`, when the operator names one).
   * Returns why not, or undefined when a handoff is under way.
   */
  start(a: Assignment, why: MoveWhy, te: number, now: number, to?: string): string | undefined {
    if (this.moves.has(a.sid)) return undefined; // already moving
    if (!a.npt) return 'the stream has not reported playing yet';
    if (!a.sk) return 'the client holds no stream key for this stream';
    const computed = Math.max(0, Math.round(nptAt(a.npt, te)));
    const move: Move = { sid: a.sid, why, computed, from: a.server, state: 'establishing', to: '', mrid: 0, deadline: now, tried: [a.server], ...(to ? { forced: to } : {}), started: now, by: 'master' };
    this.moves.set(a.sid, move);
    this.stats.started++;
    this.host.emit({ type: 'handoff-start', sid: a.sid, client: a.client, file: a.file, from: a.server, why, computed, ...(to ? { to } : {}) });
    this.establish(a, move, now);
    return this.moves.has(a.sid) ? undefined : 'no other server holds the file with room for it';
  }

  private establish(a: Assignment, move: Move, now: number): void {
    const h = this.host;
    if (move.to) h.assignments.release(move.to, a.sid);
    let target: string | undefined;
    if (move.forced && !move.tried.includes(move.forced)) {
      const rec = h.server(move.forced);
      if (rec && rec.state === 'up') target = move.forced;
    }
    if (!target && move.tried.length <= HANDOFF_ATTEMPTS) target = h.choose(a.file, [], move.tried)?.name;
    if (!target) {
      this.finish(move, 'no-server');
      h.emit({ type: 'handoff-failed', level: 'warn', sid: a.sid, client: a.client, file: a.file, from: move.from, why: move.why, reason: 'no other server holds the file with room for it', tried: move.tried.slice(1) });
      return;
    }
    const rec = h.server(target)!;
    move.tried.push(target);
    move.to = target;
    if (move.mrid) this.byRid.delete(move.mrid);
    move.mrid = h.newRid();
    this.byRid.set(move.mrid, a.sid);
    move.deadline = now + FORWARD_TIMEOUT;
    h.assignments.hold(target, a.sid, Math.round((a.rate * (a.npt?.scale ?? 1000)) / 1000));
    h.sendControl(rec.addr, { type: 'establish', rid: move.mrid, sid: a.sid, file: a.file, client: a.client, npt: move.computed, scale: a.npt?.scale ?? 1000, why: move.why }, now);
    this.reschedule();
  }

  /** A `setup` or `error` from a server that answers an `establish`; false when it answers none. */
  onAnswer(msg: MessageOf<'setup'> | MessageOf<'error'>, rec: ServerRecord, now: number): boolean {
    const sid = msg.rid === undefined ? undefined : this.byRid.get(msg.rid);
    const move = sid === undefined ? undefined : this.moves.get(sid);
    if (!move || move.to !== rec.name || move.state !== 'establishing') return false;
    const a = this.host.assignments.get(move.sid);
    if (!a) {
      this.finish(move, 'no-server');
      return true;
    }
    if (msg.type === 'error') {
      this.host.emit({ type: 'establish-refused', level: 'warn', sid: a.sid, srv: rec.name, code: msg.code, msg: msg.msg });
      this.establish(a, move, now);
      return true;
    }
    if (msg.sid !== a.sid || msg.file !== a.file) return false;
    move.state = nextState(HANDOFF_TABLE, move.state, 'setup') ?? move.state;
    move.setup = msg;
    move.deadline = now + HANDOFF_TIMEOUT;
    this.reschedule();
    const from = this.host.server(move.from);
    if (move.why !== 'failure' && from && from.state !== 'down') this.sendMove(a, move, from, now);
    return true;
  }

  private sendMove(a: Assignment, move: Move, from: ServerRecord, now: number): void {
    const s = move.setup!;
    const exp = Math.floor(now) + TOKEN_TTL;
    const tok = handoffToken(this.host.deps.crypto, a.sk!, a.sid, move.to, exp);
    this.host.sendControl(from.addr, {
      type: 'move',
      sid: a.sid,
      srv: move.to,
      cookie: s.cookie,
      off: s.off,
      ...(s.offs ? { offs: s.offs } : {}),
      npt: move.computed,
      scale: s.scale ?? 1000,
      tok,
      exp,
      why: move.why,
    }, now);
  }

  /**
   * The client asks again for a stream that is moving (its server failed and
   * it noticed first, or no `switch` reached it): the server it should go to,
   * with the setup there.
   */
  clientAsked(sid: number): { srv: string; setup?: MessageOf<'setup'> } | undefined {
    const move = this.moves.get(sid);
    if (!move || move.state !== 'moving') return undefined;
    return { srv: move.to, ...(move.setup ? { setup: move.setup } : {}) };
  }

  /**
   * The client was sent to `srv` for stream `a` on its own request (its server
   * failed): follow it as a handoff. The change event is the failure, which the
   * master places at the last time it heard from the server.
   */
  clientMoved(a: Assignment, srv: string, now: number): void {
    if (this.moves.has(a.sid)) return;
    const te = Math.min(now, this.host.server(a.server)?.lastHeard ?? now);
    const computed = a.npt ? Math.max(0, Math.round(nptAt(a.npt, te))) : 0;
    const move: Move = { sid: a.sid, why: 'failure', computed, from: a.server, state: 'moving', to: srv, mrid: 0, deadline: now + HANDOFF_TIMEOUT, tried: [a.server, srv], started: now, by: 'client' };
    this.moves.set(a.sid, move);
    this.reschedule();
  }

  // ---- Change events seen by the master (S2.5) ---------------------------------

  /** A server went down (missed polls): move its streams; the position is taken at the last time it was heard. */
  serverDown(rec: ServerRecord, now: number): void {
    for (const a of this.host.assignments.ofServer(rec.name)) {
      if (a.live) this.start(a, 'failure', rec.lastHeard, now);
    }
  }

  /** A server reports draining: move every stream of it before it goes (S2.5c). */
  serverDraining(rec: ServerRecord, now: number): void {
    for (const a of this.host.assignments.ofServer(rec.name)) {
      if (a.live && !this.moves.has(a.sid)) this.start(a, 'drain', now, now);
    }
  }

  /**
   * A server is overloaded (it says so, or its committed bandwidth exceeds its
   * capacity): move streams away, the most recently started first, until what
   * stays fits (S2.5b).
   */
  serverOverloaded(rec: ServerRecord, now: number): void {
    let excess = rec.bw - rec.cap;
    for (const m of this.moves.values()) if (m.from === rec.name) excess -= this.rateOf(this.host.assignments.get(m.sid));
    if (excess <= 0) return;
    const streams = this.host.assignments.ofServer(rec.name).filter((a) => a.live && !this.moves.has(a.sid)).sort((x, y) => y.at - x.at);
    for (const a of streams) {
      if (excess <= 0) break;
      const rate = this.rateOf(a);
      this.host.emit({ type: 'migrate', sid: a.sid, srv: rec.name, why: 'overload', committed: rec.bw, cap: rec.cap, rate, detail: `the most recent stream goes first until the server fits its capacity` });
      if (this.start(a, 'overload', now, now) === undefined) excess -= rate;
    }
  }

  private rateOf(a: Assignment | undefined): number {
    return a ? Math.round((a.rate * (a.npt?.scale ?? 1000)) / 1000) : 0;
  }

  // ---- Timers -------------------------------------------------------------------

  onTimer(now: number): void {
    if (this.next === undefined || now < this.next) return;
    for (const move of [...this.moves.values()]) {
      if (move.deadline > now) continue;
      const a = this.host.assignments.get(move.sid);
      if (!a) {
        this.finish(move, 'no-server');
        continue;
      }
      if (move.state === 'establishing') {
        this.host.emit({ type: 'establish-timeout', level: 'warn', sid: a.sid, srv: move.to });
        this.establish(a, move, now);
      } else if (move.state === 'moving') {
        this.finish(move, 'timeout');
        this.host.emit({ type: 'handoff-failed', level: 'warn', sid: a.sid, client: a.client, file: a.file, from: move.from, to: move.to, why: move.why, reason: 'the stream did not play at the new server in time' });
      }
    }
    this.reschedule();
  }

  private finish(move: Move, on: HandoffTrigger): void {
    move.state = nextState(HANDOFF_TABLE, move.state, on) ?? (on === 'played' ? 'done' : 'failed');
    if (move.state === 'failed') this.stats.failed++;
    if (move.to) this.host.assignments.release(move.to, move.sid);
    if (move.mrid) this.byRid.delete(move.mrid);
    this.moves.delete(move.sid);
    this.reschedule();
  }

  private reschedule(): void {
    let t: number | undefined;
    for (const m of this.moves.values()) if (t === undefined || m.deadline < t) t = m.deadline;
    this.next = t;
  }

  get size(): number {
    return this.moves.size;
  }
}
