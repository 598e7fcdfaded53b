/**
 * The master's registry (S1.1, S1.5; §4.6, §9.4): its servers, from their
 * `register` (a candidate until it echoes the cookie of the `register-ack`)
 * through their content lists, which build the catalog, and their load
 * reports, to their leaving; and the poll rounds, which mark silent servers
 * down and forget those down too long.
 *
 * It owns the server table and moves each server through SERVER_VIEW_TABLE:
 * every input that moves a server (its last content part, a load report, a
 * missed poll) arrives here, so the state and the inputs that move it stay
 * together; the master only reacts to a move (the streams of a server down,
 * draining or overloaded move), and drains it as an outcome.
 *
 * It never calls the master: it queues what it sends, reports and asks of the
 * master (`pollOutput`), and the master drains the queue after each call.
 */
import { COOKIE_LENGTH, DOWN_FORGET_POLLS, MAX_CANDIDATES, MISSED_POLLS_DOWN, VIEW_SEEDS } from '../../protocol/constants.js';
import { equalBytes } from '../../protocol/auth.js';
import type { ErrorCode } from '../../protocol/errors.js';
import type { Message, MessageOf } from '../../protocol/messages.js';
import { Queue, type RoleDeps, type TableSize } from '../role.js';
import { canMove, IllegalTransition, mustMove } from '../stateMachine.js';
import { FifoMap } from '../fifoMap.js';
import { Catalog } from './catalog.js';
import type { RegistryEvent, ServerMoved } from './events.js';
import { type Refusal, RegistrationBounds, refusalText, sourceHost, utf8Length } from './registrationBounds.js';
import { SERVER_VIEW_TABLE, ServerRecord, type ServerState, type ServerTrigger } from './serverRecord.js';
import type { SupervisionReport } from './supervision.js';

/** Why a server's streams move (S2.5): it went down, it drains, it is overloaded. */
export type ServerChange = 'down' | 'draining' | 'overloaded';

/**
 * What the registry hands the master, in order: a control message to send (`validated`: to an
 * address that proved it receives, §9.4), an event, a datagram dropped; and what the master does
 * with its own tables: `forgotten`, a server's record went (what was assigned to it goes);
 * `load`, a known server listed its sessions; `streams`, a server's streams move.
 */
export type RegistryOutput =
  | { readonly kind: 'send'; readonly to: string; readonly msg: Message; readonly validated: boolean }
  | { readonly kind: 'event'; readonly event: RegistryEvent }
  | { readonly kind: 'drop'; readonly code: ErrorCode; readonly from: string; readonly detail: string; readonly msg: string | undefined }
  | { readonly kind: 'forgotten'; readonly name: string }
  | { readonly kind: 'load'; readonly server: string; readonly sids: readonly number[]; readonly complete: boolean; readonly supervision: SupervisionReport }
  | { readonly kind: 'streams'; readonly server: ServerRecord; readonly change: ServerChange };

/** An operator's order to a server: drain, or a capacity (bits per second). */
export type ServerOrder = NonNullable<ServerRecord['order']>;

/** The event a server's move reports: `server-up` when it first comes up, `server-recovered` when it comes back. */
function movedEvent(from: ServerState, to: ServerState, on: ServerTrigger): ServerMoved['type'] {
  switch (to) {
    case 'up':
      return from === 'joining' ? 'server-up' : 'server-recovered';
    case 'joining':
      // No move of the table leads back to joining.
      throw new IllegalTransition(SERVER_VIEW_TABLE.name, from, on);
    default:
      return `server-${to}`;
  }
}

export class Registry {
  private readonly records = new Map<string, ServerRecord>();
  /** The servers, by name: read only (the registry alone changes them). */
  readonly servers: ReadonlyMap<string, ServerRecord> = this.records;
  private readonly byAddress = new Map<string, ServerRecord>();
  /** Registrations that have not yet proven their address (§9.4), oldest first. */
  private readonly candidates = new FifoMap<string, ServerRecord>(MAX_CANDIDATES);
  /** Every server's files: filled from their content lists, read by the master. */
  readonly catalog = new Catalog();
  /** What one server, and one source host, may make the master keep (§4.6). */
  readonly bounds = new RegistrationBounds();
  private nextPoll: number | undefined;
  /** The servers of the poll round under way, and how many of them it has polled. */
  private round: ServerRecord[] | undefined;
  private polled = 0;
  private readonly outputs = new Queue<RegistryOutput>();

  constructor(
    private readonly deps: RoleDeps,
    private readonly pollInterval: number,
  ) {}

  /** The registry's bounded tables, with their bounds (§7.3). */
  tables(): Record<string, TableSize> {
    return { candidates: { size: this.candidates.size, limit: MAX_CANDIDATES } };
  }

  /** The server whose control messages come from `addr`, if any. */
  byAddr(addr: string): ServerRecord | undefined {
    return this.byAddress.get(addr);
  }

  /** The next output, in the order they arose; the master drains them after each call. */
  pollOutput(): RegistryOutput | undefined {
    return this.outputs.take();
  }

  /** When the next poll round is due. */
  nextTimeout(): number | undefined {
    return this.nextPoll;
  }

  /** The master's first input: polling begins a poll interval later. */
  start(now: number): void {
    this.nextPoll ??= now + this.pollInterval;
  }

  private send(to: string, msg: Message, validated: boolean): void {
    this.outputs.push({ kind: 'send', to, msg, validated });
  }

  private emit(event: RegistryEvent): void {
    this.outputs.push({ kind: 'event', event });
  }

  private drop(code: ErrorCode, from: string, detail: string, msg?: string): void {
    this.outputs.push({ kind: 'drop', code, from, detail, msg });
  }

  // ---- Registration and content lists (S1.1) -----------------------------------

  /**
   * A `register` creates a candidate record. It joins the servers (and may
   * replace a record of the same name) only once it echoes the cookie of our
   * `register-ack` (§9.4): a replayed or spoofed `register` can neither make
   * the master poll an address nor knock a working server out.
   */
  handleRegister(msg: MessageOf<'register'>, from: string, now: number): void {
    const rec = this.records.get(msg.name);
    if (rec && rec.epoch === msg.epoch && rec.addr === from) {
      this.send(from, { type: 'register-ack', name: rec.name, epoch: rec.epoch, cookie: rec.cookie, interval: this.pollInterval }, true);
      return;
    }
    let cand = this.candidates.get(msg.name);
    if (!cand || cand.epoch !== msg.epoch || cand.addr !== from) {
      // Beyond a bound (§4.6): refused, and nothing of it kept (an earlier candidate of the name stays).
      const over = this.bounds.checkRegister(msg) ?? this.bounds.checkSource(from, this.replaced(msg.name, from));
      if (over) return this.refuse(msg.name, from, over, now);
      this.candidates.delete(msg.name);
      cand = new ServerRecord(msg.name, from, msg.epoch, this.deps.rng.bytes(COOKIE_LENGTH), msg, now);
      this.candidates.set(cand.name, cand);
      this.emit({ type: 'server-registering', level: 'debug', srv: cand.name, addr: from, epoch: cand.epoch });
    }
    this.send(from, { type: 'register-ack', name: cand.name, epoch: cand.epoch, cookie: cand.cookie, interval: this.pollInterval }, false);
  }

  /** Up to VIEW_SEEDS other servers that are up, at random (a reservoir sample): a server's first peers in the servers' view (§13.1). */
  private peersFor(name: string): string[] {
    // Without a cluster key the servers keep no view (§13.4).
    if (!this.deps.auth) return [];
    const out: string[] = [];
    let seen = 0;
    for (const r of this.records.values()) {
      if (r.name === name || r.state !== 'up') continue;
      seen++;
      if (out.length < VIEW_SEEDS) out.push(r.addr);
      else {
        const j = this.deps.rng.below(seen);
        if (j < VIEW_SEEDS) out[j] = r.addr;
      }
    }
    return out;
  }

  private static matches(r: ServerRecord | undefined, epoch: number, cookie: Uint8Array, from: string): r is ServerRecord {
    return r !== undefined && r.epoch === epoch && r.addr === from && equalBytes(r.cookie, cookie);
  }

  /**
   * The record of the server that sent a message, when epoch, cookie and
   * address all match; a candidate that matches has proven its address and
   * becomes the server of that name.
   */
  private known(name: string, epoch: number, cookie: Uint8Array, from: string, now: number): ServerRecord | null | undefined {
    const rec = this.records.get(name);
    if (Registry.matches(rec, epoch, cookie, from)) return rec;
    const cand = this.candidates.get(name);
    if (!Registry.matches(cand, epoch, cookie, from)) return undefined;
    this.candidates.delete(name);
    // Other candidates of its host may have proven their address first (§4.6): refused (null), answered.
    const over = this.bounds.checkSource(from, this.replaced(name, from));
    if (over) {
      this.refuse(name, from, over, now, true);
      return null;
    }
    if (rec) this.forget(rec, 'restarted');
    const stale = this.byAddress.get(from);
    if (stale && stale !== rec) this.forget(stale, 'restarted');
    this.records.set(name, cand);
    this.byAddress.set(from, cand);
    this.bounds.serverAdded(from);
    this.emit({ type: 'server-registered', srv: name, group: cand.group, files: cand.fileCount, cap: cand.cap, epoch });
    return cand;
  }

  /** The servers of `from`'s host that a registration of `name` from `from` would replace: the one of that name, the one at that address. */
  private replaced(name: string, from: string): number {
    const byName = this.records.get(name);
    const byAddr = this.byAddress.get(from);
    const host = sourceHost(from);
    let n = byName && sourceHost(byName.addr) === host ? 1 : 0;
    if (byAddr && byAddr !== byName) n++;
    return n;
  }

  /**
   * Refuse a registration beyond a bound (§4.6): `error` `over-limit` to the server, and a
   * `registration-refused` warning when one is due for its host. `validated`: it proved its address.
   */
  private refuse(name: string, from: string, r: Refusal, now: number, validated = false): void {
    this.send(from, { type: 'error', code: 'over-limit', msg: refusalText(r) }, validated);
    const refused = this.bounds.refusal(r, from, now);
    if (refused === undefined) return;
    this.emit({
      type: 'registration-refused', level: 'warn', srv: name, addr: from, bound: r.bound, limit: r.limit, value: r.value, refused,
      detail: `server ${name} at ${from} ${refusalText(r)}; ${refused} registration(s) from ${sourceHost(from)} refused since the last report`,
    });
  }

  private notRegistered(to: string, name: string): void {
    this.drop('not-registered', to, `message from unknown server ${name}`);
    this.send(to, { type: 'error', code: 'not-registered', msg: `register again: this master does not know ${name}` }, false);
  }

  handleContent(msg: MessageOf<'content'>, from: string, now: number): void {
    const rec = this.known(msg.name, msg.epoch, msg.cookie, from, now);
    if (rec === null) return;
    if (!rec) return this.notRegistered(from, msg.name);
    rec.lastHeard = now;
    if (msg.add || msg.rm) return this.handleAddition(rec, msg, from, now);
    if (msg.parts !== rec.partsTotal || msg.part >= rec.partsTotal) {
      this.drop('bad-field', from, `content part ${msg.part}/${msg.parts} does not match register (${rec.partsTotal} parts)`, 'content');
      return;
    }
    if (!rec.parts.has(msg.part)) {
      // A content list beyond a bound (§4.6): the server is forgotten with every part it sent.
      const over = this.bounds.checkPart(rec, msg.files);
      if (over) {
        this.forget(rec, 'refused');
        return this.refuse(rec.name, from, over, now, true);
      }
      rec.parts.add(msg.part);
      for (const [file, size, rate] of msg.files) {
        if (!rec.files.has(file)) rec.catalogBytes += utf8Length(file);
        rec.files.set(file, { size, rate });
      }
    }
    const peers = rec.contentComplete ? this.peersFor(rec.name) : [];
    this.send(from, { type: 'content-ack', epoch: rec.epoch, part: msg.part, ...(peers.length > 0 ? { peers } : {}) }, true);
    if (rec.contentComplete && !rec.cataloged) {
      // Into the catalog whatever the state: a server marked down while it listed comes back up with its files.
      for (const [file, info] of rec.files) this.catalog.add(rec.name, file, info);
      rec.cataloged = true;
      // A server marked down while it listed stays down until a load report: it was never up.
      if (canMove(SERVER_VIEW_TABLE, rec.state, 'content-complete')) this.move(rec, 'content-complete', now);
    }
  }

  /**
   * Files a registered server adds to its list (§14.4: a distribution job's): into the catalog at
   * once, within the same bounds as the list (§4.6). Acknowledged, so the server stops sending it.
   */
  private handleAddition(rec: ServerRecord, msg: MessageOf<'content'>, from: string, now: number): void {
    if (!rec.contentComplete) return this.drop('unexpected-message', from, 'content addition before the content list is complete', 'content');
    if (msg.rm) {
      // Files a job deleted there: out of the catalog at once; a name it does not list is nothing to do.
      for (const [file] of msg.files) {
        if (!rec.files.delete(file)) continue;
        rec.catalogBytes -= utf8Length(file);
        this.catalog.removeFile(rec.name, file);
        this.emit({ type: 'file-removed', level: 'info', srv: rec.name, file });
      }
      return this.send(from, { type: 'content-ack', epoch: rec.epoch, part: msg.part, add: true }, true);
    }
    const over = this.bounds.checkPart(rec, msg.files);
    if (over) {
      this.forget(rec, 'refused');
      return this.refuse(rec.name, from, over, now, true);
    }
    for (const [file, size, rate] of msg.files) {
      if (!rec.files.has(file)) rec.catalogBytes += utf8Length(file);
      rec.files.set(file, { size, rate });
      // A name it held already takes the new size and rate.
      this.catalog.add(rec.name, file, { size, rate });
      this.emit({ type: 'file-added', level: 'info', srv: rec.name, file, size });
    }
    this.send(from, { type: 'content-ack', epoch: rec.epoch, part: msg.part, add: true }, true);
  }

  // ---- Load reports (S1.5) and leaving --------------------------------------------

  handleLoad(msg: MessageOf<'load'>, from: string, now: number): void {
    const rec = this.known(msg.name, msg.epoch, msg.cookie, from, now);
    if (!rec) return this.notRegistered(from, msg.name);
    if (msg.seq !== 0 && msg.seq === rec.pollSeq && !rec.pollAnswered) {
      rec.pollAnswered = true;
      rec.pollAnsweredAt(now);
    }
    rec.record(msg, now);
    if (rec.order && (rec.order.op === 'drain' ? msg.state === 'draining' : msg.cap === rec.order.cap)) rec.order = undefined;
    // Sessions: the master confirms the ones the server reports, and ends the ones it no longer has.
    this.outputs.push({ kind: 'load', server: rec.name, sids: msg.sids, complete: !msg.more, supervision: { ...(msg.sup !== undefined ? { sup: msg.sup } : {}), ...(msg.sep !== undefined ? { sep: msg.sep } : {}), ...(msg.pin !== undefined ? { pin: msg.pin } : {}) } });
    if (rec.state === 'down' && rec.cataloged) this.move(rec, 'load', now);
    // Change events the server reports, or that its load shows (S2.5b, S2.5c).
    // A report that changes nothing in the server's state (draining again, overloaded while draining) moves nothing.
    if (msg.state === 'draining') {
      if (canMove(SERVER_VIEW_TABLE, rec.state, 'draining')) this.move(rec, 'draining', now);
      if (rec.state === 'draining') this.outputs.push({ kind: 'streams', server: rec, change: 'draining' });
    } else if (msg.state === 'overloaded' || msg.bw > msg.cap) {
      if (canMove(SERVER_VIEW_TABLE, rec.state, 'overloaded')) this.move(rec, 'overloaded', now);
      if (rec.state === 'overloaded') this.outputs.push({ kind: 'streams', server: rec, change: 'overloaded' });
    } else if (rec.state === 'overloaded') {
      this.move(rec, 'relieved', now);
    }
  }

  handleLeave(msg: MessageOf<'leave'>, from: string, now: number): void {
    const rec = this.known(msg.name, msg.epoch, msg.cookie, from, now);
    if (!rec) return this.notRegistered(from, msg.name);
    this.forget(rec, 'left');
  }

  /** An operator's order to server `name` (S2.5b, S2.5c): passed on now, and again with each poll until its load reports show it. */
  handleOrder(name: string, order: ServerOrder): void {
    const rec = this.records.get(name);
    if (!rec) return;
    rec.order = order;
    this.send(rec.addr, { type: 'order', ...order }, true);
  }

  /** The only way a server's state changes: through SERVER_VIEW_TABLE (a move it does not have is a bug). */
  private move(rec: ServerRecord, on: ServerTrigger, now: number): void {
    const to = mustMove(SERVER_VIEW_TABLE, rec.state, on);
    const from = rec.state;
    const type = movedEvent(from, to, on);
    rec.state = to;
    if (to === 'down') rec.downSince = now;
    this.emit({ type, level: to === 'down' || to === 'overloaded' ? 'warn' : 'info', srv: rec.name, from, files: rec.files.size, ...(to === 'overloaded' ? { committed: rec.bw, cap: rec.cap } : {}) });
    if (to === 'down') this.outputs.push({ kind: 'streams', server: rec, change: 'down' });
  }

  /** Forget a server; one `refused` (§4.6) is reported as such, by `refuse`. */
  private forget(rec: ServerRecord, why: 'left' | 'restarted' | 'gone' | 'refused'): void {
    if (this.records.get(rec.name) === rec) this.bounds.serverRemoved(rec.addr);
    this.records.delete(rec.name);
    if (this.byAddress.get(rec.addr) === rec) this.byAddress.delete(rec.addr);
    this.catalog.removeServer(rec.name);
    this.outputs.push({ kind: 'forgotten', name: rec.name });
    if (why === 'refused') return;
    this.emit({ type: why === 'left' ? 'server-left' : why === 'gone' ? 'server-forgotten' : 'server-restarted', level: why === 'left' ? 'info' : 'warn', srv: rec.name });
  }

  // ---- Poll rounds (S1.5) ---------------------------------------------------------

  /**
   * A poll round, when due: one server per call, true while the round goes on. The master drains
   * each server's outputs before the next is polled, so the streams of a server marked down move
   * while the servers after it in the round are as they were. The last call ends the round: the
   * candidates that never proved their address go, and the next round is set.
   */
  handleTimeout(now: number): boolean {
    if (this.nextPoll === undefined || now < this.nextPoll) return false;
    this.round ??= [...this.records.values()];
    const rec = this.round[this.polled];
    if (rec) {
      this.polled++;
      this.poll(rec, now);
      return true;
    }
    this.round = undefined;
    this.polled = 0;
    // A candidate that has not echoed its cookie by now never will: it was spoofed or replayed.
    for (let o = this.candidates.oldest(); o && now - o[1].lastHeard > MISSED_POLLS_DOWN * this.pollInterval; o = this.candidates.oldest()) {
      this.candidates.shift();
    }
    this.nextPoll = Math.max(this.nextPoll + this.pollInterval, now + 1);
    return false;
  }

  private poll(rec: ServerRecord, now: number): void {
    if (!rec.pollAnswered) {
      rec.missed++;
      if (rec.missed >= MISSED_POLLS_DOWN && rec.state !== 'down') this.move(rec, 'missed-polls', now);
    }
    if (rec.state === 'down' && now - rec.downSince >= DOWN_FORGET_POLLS * this.pollInterval) {
      this.forget(rec, 'gone');
      return;
    }
    rec.pollSeq = (rec.pollSeq % 0xffff_fffe) + 1;
    rec.pollAnswered = false;
    rec.pollSentAt = now;
    this.send(rec.addr, { type: 'poll', seq: rec.pollSeq }, true);
    // Nothing acknowledges an order but its effect in the load reports: until then, say it again.
    if (rec.order) this.send(rec.addr, { type: 'order', ...rec.order }, true);
  }
}
