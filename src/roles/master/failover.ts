/**
 * The failover manager (S2, S3.6; spec §10): it follows every stream's control
 * events from its server (`track`), keeps each stream's normal play time, and
 * when a stream change event happens — its server fails, is overloaded, is
 * draining, or an operator asks — it establishes the stream on a second server
 * at the same position and tells the client through the first one.
 *
 * It never calls the master and never writes its tables: it queues what it
 * sends, reports and asks of the master's assignment table (`pollOutput`), and
 * the master drains the queue after each call into it, applies the changes to
 * its table, sends and reports itself. What it reads of the master is a view
 * (`FailoverView`, `StreamsView`). The room it holds on the servers streams
 * move to is its own table (`heldBw`), which the master adds to their reservations.
 */
import { HANDOFF_ATTEMPTS, HANDOFF_TIMEOUT, FORWARD_TIMEOUT, MAX_ASSIGNMENTS, MAX_FAILED_HANDOFFS, SERVER_SILENCE_TIMEOUT, TOKEN_TTL } from '../../protocol/constants.js';
import { handoffToken } from '../../protocol/auth.js';
import type { Message, MessageOf } from '../../protocol/messages.js';
import { Queue, type RoleDeps, type TableSize } from '../role.js';
import { defineTable, mustMove } from '../stateMachine.js';
import type { Assignment } from './assignments.js';
import { FifoMap } from '../fifoMap.js';
import type { FailoverEvent, MoveWhy } from './events.js';
import { adjusted, nptAt, type NptState, played } from './npt.js';
import type { Candidate } from './selection.js';
import type { ServerRecord } from './serverRecord.js';

export type { MoveWhy } from './events.js';

export type HandoffState = 'establishing' | 'moving' | 'done' | 'failed';
export type HandoffTrigger = 'setup' | 'refused' | 'timeout' | 'client-asked' | 'client-moved' | 'played' | 'no-server' | 'no-play' | 'ended';

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
    { from: 'establishing', on: 'client-moved', to: 'moving', doc: 'a handoff the client starts (it asked with `prev` first, its server having failed) begins here: the server the master sends it to sets the stream up at its request' },
    { from: ['establishing', 'moving'], on: 'ended', to: 'failed', doc: 'the stream ended at its server, or its record went, before it played at the new one' },
    { from: 'moving', on: 'client-asked', to: 'moving', doc: 'the client asked with `prev`: answer with the second server' },
    { from: 'moving', on: 'refused', to: 'failed', doc: 'the client asked with `prev`, avoiding the second server (it could not get the stream there): the client is sent elsewhere' },
    { from: 'moving', on: 'no-play', to: 'moving', doc: 'no `play` at the second server within FORWARD_TIMEOUT of a `move`: send `move` again (it, or the `switch` it caused, was lost)' },
    { from: ['establishing', 'moving'], on: 'played', to: 'done', doc: '`track` `play` from the stream\'s new server: report the handoff (computed and true position)' },
    { from: 'moving', on: 'timeout', to: 'failed', doc: 'no `play` at the new server within HANDOFF_TIMEOUT' },
  ],
});

/** A handoff under way, as others read it (`FailoverManager.moving`). */
export interface Handoff {
  readonly sid: number;
  readonly why: MoveWhy;
  /** The position computed at the change event, ms of normal play time (§10.3). */
  readonly computed: number;
  readonly from: string;
  readonly state: HandoffState;
  /** The server the stream moves to ('' before one is chosen). */
  readonly to: string;
  readonly deadline: number;
  readonly tried: readonly string[];
  readonly attempts: number;
  readonly started: number;
  readonly by: 'master' | 'client';
}

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
  /** The first server, and the servers that refused; a server that did not answer may be tried again. */
  tried: string[];
  /** `establish` messages sent, at most HANDOFF_ATTEMPTS. */
  attempts: number;
  /** Servers that did not answer an `establish`: others first, these again if there is no other. */
  silent?: string[];
  /** A server the operator named, tried first. */
  readonly forced?: string;
  setup?: MessageOf<'setup'>;
  /** When to send `move` again while the stream has not played at the new server (moving, first server alive). */
  moveAgain?: number;
  readonly started: number;
  /** When the master last heard from the first server, as the handoff started. */
  readonly heard?: number;
  /** Who started it: the master (a change event it saw or was told of) or the client (it asked again). */
  readonly by: 'master' | 'client';
  /** A client's: how long it had had no data when it asked (the request's `quiet`, §6.2). */
  readonly quiet?: number;
}

/** What the failover manager reads of a server; it changes nothing of it. */
export type ServerFacts = Readonly<Pick<ServerRecord, 'name' | 'addr' | 'state' | 'lastHeard' | 'bw' | 'cap'>> & {
  readonly files: ReadonlyMap<string, { readonly size: number; readonly rate: number }>;
};

/**
 * What the failover manager reads of the master (a view: nothing here sends or
 * changes the master's state; choosing only asks the master's selector).
 */
export interface FailoverView {
  server(name: string): ServerFacts | undefined;
  /** A server for `file` with room for its rate times `scale` (thousandths). */
  choose(file: string, avoid: readonly string[], tried: readonly string[], scale?: number): Candidate | undefined;
  /** Is `rid` the request id of a request the master relays? An `establish` draws another. */
  relaying(rid: number): boolean;
}

/** What the failover manager reads of a stream the master follows; it changes nothing of it. */
export type StreamFacts = Readonly<Omit<Assignment, 'tracked'>> & {
  readonly tracked?: ReadonlyMap<string, { readonly n: number; readonly when: number }>;
};

/** What the failover manager reads of the master's assignment table. */
export interface StreamsView {
  get(sid: number): StreamFacts | undefined;
  ofServer(server: string): readonly StreamFacts[];
}

/**
 * A change the failover manager asks of the master's assignment table, applied by the master as it
 * drains the queue, in order: `follow` a stream the master did not assign (a server list, or a
 * master that restarted); `tracked`, the last `track` event recorded in order from `server`
 * (§10.4); `playing`, the stream plays at `server` from `npt` (confirmed where it is, or moved
 * there: a handoff done, `mine` when this master ran it); `position`, its accounting after an `adjust`; `ended` at its server.
 */
export type StreamChange =
  | { readonly kind: 'follow'; readonly assignment: Assignment }
  | { readonly kind: 'tracked'; readonly sid: number; readonly server: string; readonly n: number; readonly when: number }
  | { readonly kind: 'playing'; readonly sid: number; readonly server: string; readonly npt: NptState; readonly mine?: boolean }
  | { readonly kind: 'position'; readonly sid: number; readonly npt: NptState }
  | { readonly kind: 'ended'; readonly sid: number };

/** What the failover manager hands the master, in order: a control message to send, an event, or a change to its assignment table. */
export type FailoverOutput =
  | { readonly kind: 'send'; readonly to: string; readonly msg: Message }
  | { readonly kind: 'event'; readonly event: FailoverEvent }
  | StreamChange;

export class FailoverManager {
  private readonly moves = new Map<number, Move>();
  /** When a stream's last handoff failed, for the back-off (the oldest forgotten first). */
  private readonly failedAt = new FifoMap<number, number>(MAX_FAILED_HANDOFFS);
  private readonly byRid = new Map<number, number>();
  /** Room held on a server for the streams moving there, until each move ends (§4.4): its bits per second, and each stream's. */
  private readonly holds = new Map<string, { bw: number; readonly sids: Map<number, number> }>();
  private held = 0;
  private next: number | undefined;

  /** The handoff tables, with their bounds (§7.3): a handoff per assignment at most, a request id and a hold per handoff. */
  tables(): Record<string, TableSize> {
    return {
      handoffs: { size: this.moves.size, limit: MAX_ASSIGNMENTS },
      'handoff request ids': { size: this.byRid.size, limit: this.moves.size },
      'handoff holds': { size: this.held, limit: this.moves.size },
      'failed handoffs': { size: this.failedAt.size, limit: MAX_FAILED_HANDOFFS },
    };
  }
  /** The time of the latest input, for records that outlive a call. */
  private clock = 0;
  readonly stats = { started: 0, done: 0, failed: 0 };

  private readonly outputs = new Queue<FailoverOutput>();

  /**
   * `streams`: the master's assignment table, read only: the failover manager follows the streams
   * in it, and asks the master to change them (`StreamChange`). `view`: what it reads of the rest
   * of the master.
   */
  constructor(
    private readonly deps: RoleDeps,
    private readonly streams: StreamsView,
    private readonly view: FailoverView,
  ) {}

  /** The next control message to send, event to report or table change, in the order they arose; the master drains them after each call. */
  pollOutput(): FailoverOutput | undefined {
    return this.outputs.take();
  }

  private send(to: string, msg: Message): void {
    this.outputs.push({ kind: 'send', to, msg });
  }

  private emit(event: FailoverEvent): void {
    this.outputs.push({ kind: 'event', event });
  }

  private change(c: StreamChange): void {
    this.outputs.push(c);
  }

  /** Bits per second held on `server` for streams moving there: the master counts them as reserved. */
  heldBw(server: string): number {
    return this.holds.get(server)?.bw ?? 0;
  }

  private hold(server: string, sid: number, rate: number): void {
    let h = this.holds.get(server);
    if (!h) {
      h = { bw: 0, sids: new Map() };
      this.holds.set(server, h);
    }
    if (h.sids.has(sid)) return;
    h.sids.set(sid, rate);
    h.bw += rate;
    this.held++;
  }

  private release(server: string, sid: number): void {
    const h = this.holds.get(server);
    const rate = h?.sids.get(sid);
    if (!h || rate === undefined) return;
    h.sids.delete(sid);
    h.bw -= rate;
    this.held--;
    if (h.sids.size === 0) this.holds.delete(server);
  }

  /** A request id for an `establish`, never one of a request the master relays. */
  private newRid(): number {
    let rid = this.deps.rng.id();
    while (this.view.relaying(rid)) rid = this.deps.rng.id();
    return rid;
  }

  /** The handoff under way for a stream, if any: a view, read only. */
  moving(sid: number): Handoff | undefined {
    return this.moves.get(sid);
  }

  nextTimeout(): number | undefined {
    return this.next;
  }

  // ---- Control events from servers (§10.4) ----------------------------------

  /** A `track` event from `rec`; answers with `track-ack`. `offer`: what the master told a client of an unknown stream (list mode). */
  handleTrack(msg: MessageOf<'track'>, rec: ServerFacts, now: number, offer?: { client: string; file: string; sk?: Uint8Array }): void {
    this.clock = now;
    let a = this.streams.get(msg.sid);
    if (!a && msg.ev === 'play' && msg.client && msg.file) {
      // A stream the master did not assign (a server list, or a master that restarted): follow it from now on.
      const client = offer?.client ?? msg.client;
      const item = this.view.server(rec.name)?.files.get(msg.file);
      const followed: Assignment = { sid: msg.sid, client, file: msg.file, server: rec.name, rate: item?.rate ?? 0, at: now, live: true, seen: now, ...(offer?.sk ? { sk: offer.sk } : this.deps.auth ? { sk: this.deps.auth.streamKey(msg.sid, client) } : {}), handoffs: 0 };
      this.change({ kind: 'follow', assignment: followed });
      a = followed;
    }
    if (!a) {
      this.send(rec.addr, { type: 'track-ack', sid: msg.sid, n: msg.n });
      return;
    }
    const recorded = a.tracked?.get(rec.name);
    const last = recorded?.n ?? 0;
    // A server the stream comes back to (it left it, and a handoff brings it there again) may number
    // its events from 1 afresh: a `play` later than anything recorded from it starts a new count. A
    // repeat, or an old duplicate, is no later.
    const again = msg.ev === 'play' && recorded !== undefined && msg.n <= last && msg.when > recorded.when;
    if (msg.n !== last + 1 && !(last === 0 && msg.ev === 'play') && !again) {
      // A repeat (or one ahead of a missing event, which the server sends again): acknowledge what we have.
      this.send(rec.addr, { type: 'track-ack', sid: msg.sid, n: last });
      return;
    }
    this.change({ kind: 'tracked', sid: a.sid, server: rec.name, n: msg.n, when: msg.when });
    this.send(rec.addr, { type: 'track-ack', sid: msg.sid, n: msg.n });
    this.apply(a, msg, rec, now);
  }

  private apply(a: StreamFacts, msg: MessageOf<'track'>, rec: ServerFacts, now: number): void {
    const move = this.moves.get(a.sid);
    switch (msg.ev) {
      case 'play': {
        const position = played(msg.npt ?? 0, msg.when, msg.scale);
        if (rec.name === a.server) {
          this.change({ kind: 'playing', sid: a.sid, server: rec.name, npt: position });
          return;
        }
        // The stream plays at another server: a handoff is complete (planned, or the client's own).
        const from = a.server;
        // Without a handoff under way (the client moved on its own, or the move timed out), the change
        // event is placed as for a client that asks (clientMoved): when the old server was last heard.
        const te = Math.min(msg.when, this.view.server(from)?.lastHeard ?? msg.when);
        const computed = move ? move.computed : a.npt ? Math.max(0, Math.round(nptAt(a.npt, te))) : undefined;
        const why = move?.why ?? 'failure';
        const gap = this.gapEstimate(why, from, now, move);
        this.change({ kind: 'playing', sid: a.sid, server: rec.name, npt: position, ...(move ? { mine: true } : {}) });
        this.stats.done++;
        if (move) this.finish(move, 'played');
        this.emit({
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
          gap,
        });
        return;
      }
      case 'adjust':
        if (rec.name === a.server && a.npt) this.change({ kind: 'position', sid: a.sid, npt: adjusted(a.npt, msg.when, msg.scale) });
        return;
      case 'end':
        if (rec.name !== a.server) return; // the server left behind by a handoff lets the stream go
        if (move && move.state === 'moving') return; // the client left for the new server already
        if (move) this.finish(move, 'ended');
        this.change({ kind: 'ended', sid: a.sid });
        this.emit({ type: 'stream-ended', level: 'debug', sid: a.sid, srv: rec.name, code: msg.code });
        return;
    }
  }

  /**
   * The master's estimate of how long the stream went unserved (§11.5), up to
   * the new server's `play` (now). When the client asked for the move after a
   * failure, it had had no data for `quiet` (as its request said; otherwise
   * SERVER_SILENCE_TIMEOUT) before it asked (§6.2): that is when its silence
   * began, closer than anything the master
   * heard. Otherwise, after a failure, or when the first server is down or
   * gone by now, the last time the master heard from it (an upper bound, by up
   * to a poll interval). Otherwise 0: the first server kept streaming until the
   * client had the second (make-before-break).
   */
  private gapEstimate(why: MoveWhy, from: string, now: number, move: Move | undefined): number {
    const old = this.view.server(from);
    let since: number | undefined;
    if (move?.by === 'client' && why === 'failure') since = move.started - (move.quiet ?? SERVER_SILENCE_TIMEOUT);
    // After a failure, its last word as the handoff started (a server that has come back since is heard again);
    // a server that went down or left during a planned move served the stream until its very last word.
    else if (why === 'failure') since = move?.heard ?? old?.lastHeard ?? move?.started ?? now;
    else if (!old || old.state === 'down') since = old?.lastHeard ?? move?.heard ?? move?.started ?? now;
    return since === undefined ? 0 : Math.max(0, Math.round(now - since));
  }

  // ---- Starting a handoff (S2.5, S2.6) ----------------------------------------

  /**
   * A change event for stream `a` at time `te`: compute its position, and
   * establish it on another server (`to`, when the operator names one).
   * Returns why not, or undefined when a handoff is under way.
   */
  start(a: StreamFacts, why: MoveWhy, te: number, now: number, to?: string): string | undefined {
    this.clock = now;
    if (this.moves.has(a.sid)) return why === 'operator' ? 'the stream is already moving' : undefined;
    const failed = this.failedAt.get(a.sid);
    // A handoff that found no server is not tried again at every load report: once per HANDOFF_TIMEOUT.
    if (why !== 'operator' && failed !== undefined && now - failed < HANDOFF_TIMEOUT) return 'no server could take it a moment ago';
    if (!a.npt) return 'the stream has not reported playing yet';
    if (!a.sk) return 'the client holds no stream key for this stream';
    const computed = Math.max(0, Math.round(nptAt(a.npt, te)));
    const heard = this.view.server(a.server)?.lastHeard;
    const move: Move = { sid: a.sid, why, computed, from: a.server, state: 'establishing', to: '', mrid: 0, deadline: now, tried: [a.server], attempts: 0, ...(to ? { forced: to } : {}), started: now, ...(heard !== undefined ? { heard } : {}), by: 'master' };
    this.moves.set(a.sid, move);
    this.stats.started++;
    this.emit({ type: 'handoff-start', sid: a.sid, client: a.client, file: a.file, from: a.server, why, computed, ...(to ? { to } : {}) });
    this.establish(a, move, now);
    return this.moves.has(a.sid) ? undefined : 'no other server holds the file with room for it';
  }

  private establish(a: StreamFacts, move: Move, now: number): void {
    if (move.to) this.release(move.to, a.sid);
    let target: string | undefined;
    if (move.forced && !move.tried.includes(move.forced)) {
      const rec = this.view.server(move.forced);
      if (rec && rec.state === 'up') target = move.forced;
    }
    const scale = a.npt?.scale ?? 1000;
    if (!target) target = this.view.choose(a.file, [], [...move.tried, ...(move.silent ?? [])], scale)?.name ?? this.view.choose(a.file, [], move.tried, scale)?.name;
    if (move.attempts >= HANDOFF_ATTEMPTS) target = undefined;
    if (!target) {
      this.finish(move, 'no-server');
      this.emit({ type: 'handoff-failed', level: 'warn', sid: a.sid, client: a.client, file: a.file, from: move.from, why: move.why, reason: 'no other server holds the file with room for it', tried: move.tried.slice(1) });
      return;
    }
    const rec = this.view.server(target)!;
    move.tried.push(target);
    move.attempts++;
    move.to = target;
    if (move.mrid) this.byRid.delete(move.mrid);
    move.mrid = this.newRid();
    this.byRid.set(move.mrid, a.sid);
    move.deadline = now + FORWARD_TIMEOUT;
    this.hold(target, a.sid, Math.round((a.rate * (a.npt?.scale ?? 1000)) / 1000));
    this.send(rec.addr, { type: 'establish', rid: move.mrid, sid: a.sid, file: a.file, client: a.client, npt: move.computed, scale: a.npt?.scale ?? 1000, why: move.why });
    this.reschedule();
  }

  /** A `setup` or `error` from a server that answers an `establish`; false when it answers none. */
  handleAnswer(msg: MessageOf<'setup'> | MessageOf<'error'>, rec: ServerFacts, now: number): boolean {
    this.clock = now;
    const sid = msg.rid === undefined ? undefined : this.byRid.get(msg.rid);
    const move = sid === undefined ? undefined : this.moves.get(sid);
    if (!move || move.to !== rec.name || move.state !== 'establishing') return false;
    const a = this.streams.get(move.sid);
    if (!a) {
      this.finish(move, 'ended');
      return true;
    }
    if (msg.type === 'error') {
      this.emit({ type: 'establish-refused', level: 'warn', sid: a.sid, srv: rec.name, code: msg.code, msg: msg.msg });
      this.establish(a, move, now);
      return true;
    }
    if (msg.sid !== a.sid || msg.file !== a.file) return false;
    move.state = mustMove(HANDOFF_TABLE, move.state, 'setup');
    move.setup = msg;
    move.deadline = now + HANDOFF_TIMEOUT;
    this.reschedule();
    const from = this.view.server(move.from);
    if (move.why !== 'failure' && from && from.state !== 'down') {
      this.sendMove(a, move, from, now);
      // Nothing acknowledges a `move` but the stream playing at the new server: a lost `move` (or
      // `switch`) would leave the stream where it is until HANDOFF_TIMEOUT, so it is sent again.
      move.moveAgain = now + FORWARD_TIMEOUT;
      this.reschedule();
    }
    return true;
  }

  private sendMove(a: StreamFacts, move: Move, from: ServerFacts, now: number): void {
    const s = move.setup!;
    const exp = Math.floor(now) + TOKEN_TTL;
    const tok = handoffToken(this.deps.crypto, a.sk!, a.sid, move.to, exp);
    this.send(from.addr, {
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
    });
  }

  /**
   * The client asks again for a stream that is moving (its server failed and
   * it noticed first, or no `switch` reached it): the server it should go to,
   * with the setup there.
   */
  clientAsked(sid: number, avoid: readonly string[] = []): { srv: string; setup?: MessageOf<'setup'> } | undefined {
    const move = this.moves.get(sid);
    if (!move || move.state !== 'moving') return undefined;
    if (avoid.includes(move.to)) {
      // The client could not get the stream from the server it was sent to (it refused, or never
      // answered): this handoff has failed, and the client is sent elsewhere like any client asking.
      const a = this.streams.get(sid);
      this.finish(move, 'refused');
      if (a) this.emit({ type: 'handoff-failed', level: 'warn', sid, client: a.client, file: a.file, from: move.from, to: move.to, why: move.why, reason: 'the client could not get the stream from the new server' });
      return undefined;
    }
    return { srv: move.to, ...(move.setup ? { setup: move.setup } : {}) };
  }

  /**
   * The client was sent to `srv` for stream `a` on its own request (its server
   * failed): follow it as a handoff. The change event is the failure, which the
   * master places where the client's data stopped (`quiet` before now, the
   * request's), or, when the client does not say, at the last time it heard
   * from the server.
   */
  clientMoved(a: StreamFacts, srv: string, now: number, said?: number): void {
    this.clock = now;
    if (this.moves.has(a.sid)) return;
    // The client's silence began after the stream's last control event: a `quiet` that says more is cut there.
    const quiet = said === undefined || !a.npt ? said : Math.min(said, Math.max(0, now - a.npt.when));
    const old = this.view.server(a.server);
    // A client leaving a draining server (its change indicator went unanswered) moves for the drain.
    const why: MoveWhy = old?.state === 'draining' ? 'drain' : 'failure';
    const te = why === 'drain' ? now : quiet !== undefined ? now - quiet : Math.min(now, old?.lastHeard ?? now);
    const computed = a.npt ? Math.max(0, Math.round(nptAt(a.npt, te))) : 0;
    const move: Move = { sid: a.sid, why, computed, from: a.server, state: 'establishing', to: srv, mrid: 0, deadline: now + HANDOFF_TIMEOUT, tried: [a.server, srv], attempts: 1, started: now, ...(old ? { heard: old.lastHeard } : {}), by: 'client', ...(quiet !== undefined ? { quiet } : {}) };
    move.state = mustMove(HANDOFF_TABLE, move.state, 'client-moved');
    this.moves.set(a.sid, move);
    this.reschedule();
  }

  // ---- Change events seen by the master (S2.5) ---------------------------------

  /** A server went down (missed polls): move its streams; the position is taken at the last time it was heard. */
  serverDown(rec: ServerFacts, now: number): void {
    for (const a of this.streams.ofServer(rec.name)) {
      if (a.live) this.start(a, 'failure', rec.lastHeard, now);
    }
  }

  /** A server reports draining: move every stream of it before it goes (S2.5c). */
  serverDraining(rec: ServerFacts, now: number): void {
    for (const a of this.streams.ofServer(rec.name)) {
      if (a.live && !this.moves.has(a.sid)) this.start(a, 'drain', now, now);
    }
  }

  /**
   * A server is overloaded (it says so, or its committed bandwidth exceeds its
   * capacity): move streams away, the most recently started first, until what
   * stays fits (S2.5b).
   */
  serverOverloaded(rec: ServerFacts, now: number): void {
    let excess = rec.bw - rec.cap;
    for (const m of this.moves.values()) if (m.from === rec.name) excess -= this.rateOf(this.streams.get(m.sid));
    if (excess <= 0) return;
    const streams = this.streams.ofServer(rec.name).filter((a) => a.live && !this.moves.has(a.sid)).sort((x, y) => y.at - x.at);
    for (const a of streams) {
      if (excess <= 0) break;
      const rate = this.rateOf(a);
      if (this.start(a, 'overload', now, now) !== undefined) continue;
      excess -= rate;
      this.emit({ type: 'migrate', sid: a.sid, srv: rec.name, why: 'overload', committed: rec.bw, cap: rec.cap, rate, detail: 'the most recent stream goes first until the server fits its capacity' });
    }
  }

  private rateOf(a: StreamFacts | undefined): number {
    return a ? Math.round((a.rate * (a.npt?.scale ?? 1000)) / 1000) : 0;
  }

  // ---- Timers -------------------------------------------------------------------

  handleTimeout(now: number): void {
    this.clock = now;
    if (this.next === undefined || now < this.next) return;
    for (const move of [...this.moves.values()]) {
      if (move.state === 'moving' && move.moveAgain !== undefined && move.moveAgain <= now && move.deadline > now) {
        const a = this.streams.get(move.sid);
        const from = this.view.server(move.from);
        if (a && from && from.state !== 'down') {
          move.state = mustMove(HANDOFF_TABLE, move.state, 'no-play');
          this.sendMove(a, move, from, now);
          move.moveAgain = now + FORWARD_TIMEOUT;
        } else {
          move.moveAgain = undefined;
        }
      }
      if (move.deadline > now) continue;
      const a = this.streams.get(move.sid);
      if (!a) {
        this.finish(move, 'ended');
        continue;
      }
      if (move.state === 'establishing') {
        this.emit({ type: 'establish-timeout', level: 'warn', sid: a.sid, srv: move.to });
        // No answer is not a refusal (the `establish` or its answer may have been lost): it may be tried again.
        move.tried = move.tried.filter((t) => t !== move.to);
        (move.silent ??= []).push(move.to);
        this.establish(a, move, now);
      } else if (move.state === 'moving') {
        this.finish(move, 'timeout');
        this.emit({ type: 'handoff-failed', level: 'warn', sid: a.sid, client: a.client, file: a.file, from: move.from, to: move.to, why: move.why, reason: 'the stream did not play at the new server in time' });
      }
    }
    this.reschedule();
  }

  private finish(move: Move, on: HandoffTrigger): void {
    move.state = mustMove(HANDOFF_TABLE, move.state, on);
    if (move.state === 'failed') {
      this.stats.failed++;
      this.failedAt.delete(move.sid);
      this.failedAt.set(move.sid, this.clock);
    }
    if (move.to) this.release(move.to, move.sid);
    if (move.mrid) this.byRid.delete(move.mrid);
    this.moves.delete(move.sid);
    this.reschedule();
  }

  private reschedule(): void {
    let t: number | undefined;
    for (const m of this.moves.values()) {
      const due = m.state === 'moving' && m.moveAgain !== undefined ? Math.min(m.deadline, m.moveAgain) : m.deadline;
      if (t === undefined || due < t) t = due;
    }
    this.next = t;
  }

  get size(): number {
    return this.moves.size;
  }
}
