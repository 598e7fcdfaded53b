/**
 * The portal (S3.1, §12.3): the clients' first point of contact in front of a
 * group of masters. It polls each master's summary (its liveness, its round
 * trip, its load), and hands each client's request to the master its policy
 * picks: it refers the client there (`refer`; the client asks that master), or
 * passes the request on (`pass`; the master answers the client directly). It
 * keeps nothing per request or per stream: a client that asks again is handled
 * afresh, by a master that answers.
 */
import { MAX_PORTAL_MASTERS, PORTAL_POLL_INTERVAL } from '../../protocol/constants.js';
import { encode } from '../../protocol/codec.js';
import type { MessageOf } from '../../protocol/messages.js';
import { padded } from '../../protocol/padding.js';
import { type Input, RoleCore, type RoleDeps, type TableSize } from '../role.js';
import type { PortalEvent } from './events.js';
import { MasterTable, type PortalMaster, type PortalPolicy } from './masterTable.js';

export type { PortalEvent } from './events.js';
export { isPortalPolicy, PORTAL_POLICIES, type PortalPolicy } from './masterTable.js';

export interface PortalConfig {
  /** The masters, in priority order. */
  readonly masters: readonly string[];
  readonly policy: PortalPolicy;
  /** `refer`: the client asks the master itself; `forward`: the portal passes the request on (a cluster key is needed). */
  readonly mode: 'refer' | 'forward';
  readonly pollInterval?: number;
}

/** `start`: begin polling (any first input does); `stop`: take nothing more. */
export type PortalCommand = { readonly type: 'start' } | { readonly type: 'stop' };

export class Portal extends RoleCore<PortalCommand, PortalEvent> {
  readonly config: PortalConfig;
  private readonly table: MasterTable;
  private readonly interval: number;
  private nextPoll: number | undefined;
  private stopped = false;
  readonly stats = { requests: 0, referred: 0, passed: 0, unanswered: 0 };

  constructor(deps: RoleDeps, config: PortalConfig) {
    super(deps);
    if (config.masters.length === 0) throw new Error('a portal needs at least one master');
    if (config.masters.length > MAX_PORTAL_MASTERS) throw new Error(`a portal takes at most ${MAX_PORTAL_MASTERS} masters`);
    if (config.mode === 'forward' && !deps.auth) throw new Error('a portal forwards requests only with a cluster key (§12.3)');
    this.config = config;
    this.interval = config.pollInterval ?? PORTAL_POLL_INTERVAL;
    this.table = new MasterTable([...new Set(config.masters)]);
  }

  override tables(): Record<string, TableSize> {
    return { ...super.tables(), masters: { size: this.table.masters.length, limit: MAX_PORTAL_MASTERS } };
  }

  /** The masters as the portal knows them, read only. */
  masters(): readonly Readonly<PortalMaster>[] {
    return this.table.masters;
  }

  handle(input: Input<PortalCommand>, now: number): void {
    if (this.nextPoll === undefined && !this.stopped) this.nextPoll = now;
    if (this.stopped) return;
    switch (input.kind) {
      case 'datagram':
        return this.onDatagram(input.from, input.bytes, now);
      case 'timer':
        if (this.nextPoll !== undefined && now >= this.nextPoll) this.poll(now);
        return;
      case 'command':
        if (input.command.type === 'stop') {
          this.stopped = true;
          this.nextPoll = undefined;
        } else if (this.nextPoll !== undefined && now >= this.nextPoll) {
          this.poll(now);
        }
        return;
    }
  }

  pollTimeout(): number | undefined {
    return this.stopped ? undefined : this.nextPoll;
  }

  /** A round of polls: each master's summary, padded (its answer is never larger) and, with a key, authenticated. */
  private poll(now: number): void {
    this.nextPoll = now + this.interval;
    const { polls, changes } = this.table.round(now, () => this.deps.rng.id());
    for (const c of changes) this.emit({ type: 'master-down', level: 'warn', master: c.master.addr, missed: c.master.missed });
    const auth = this.deps.auth;
    for (const p of polls) {
      const msg = padded<MessageOf<'status-request'>>({ type: 'status-request', rid: p.rid, what: 'summary', from: 0 }, undefined, auth ? (m) => auth.encode(m, now) : encode);
      this.sendControl(p.master.addr, msg, now, true);
    }
  }

  private onDatagram(from: string, bytes: Uint8Array, now: number): void {
    const d = this.receive(from, bytes, now);
    if (!d) return;
    const msg = d.msg;
    switch (msg.type) {
      case 'request':
        return this.onRequest(msg, bytes.length, from, now);
      case 'status': {
        if (!this.table.byAddr(from)) return this.drop('unexpected-message', from, 'status from an address that is not one of its masters', msg.type);
        if (!this.authentic(d, from, now)) return;
        if (!msg.summary) return this.drop('missing-field', from, 'status without its summary', msg.type);
        const change = this.table.answered(from, msg.rid, msg.summary, now);
        if (change) this.emit({ type: 'master-up', level: 'info', master: change.master.addr, rtt: Math.round(change.master.rtt ?? 0) });
        return;
      }
      default:
        return this.drop('unexpected-message', from, `a portal does not take ${msg.type}`, msg.type);
    }
  }

  /** A client's request: to the master the policy picks, referred or passed on; an error when none answers. */
  private onRequest(msg: MessageOf<'request'>, size: number, from: string, now: number): void {
    this.stats.requests++;
    const m = this.table.choose(this.config.policy, now);
    if (!m) {
      this.stats.unanswered++;
      this.emit({ type: 'no-master', level: 'warn', client: from, rid: msg.rid });
      // Within what the client sent (§9.4): a padded request leaves room for this.
      this.send(from, { type: 'error', rid: msg.rid, code: 'unavailable', msg: 'no master answers this portal; try again' }, false);
      return;
    }
    const policy = this.config.policy;
    if (this.config.mode === 'refer') {
      this.stats.referred++;
      this.emit({ type: 'refer', level: 'debug', client: from, rid: msg.rid, file: msg.file, master: m.addr, policy });
      this.send(from, { type: 'refer', rid: msg.rid, master: m.addr }, false);
      return;
    }
    this.stats.passed++;
    this.emit({ type: 'pass', level: 'debug', client: from, rid: msg.rid, file: msg.file, master: m.addr, policy });
    const { type: _t, pad: _p, sid: _s, tok: _k, exp: _e, ...fields } = msg;
    this.sendControl(m.addr, { type: 'pass', client: from, size, ...fields }, now, true);
  }
}
