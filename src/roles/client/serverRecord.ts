/**
 * What the client learned of the servers it was sent to (§6.1, S4.5): a
 * sub-machine of the client core. Servers it left are avoided when it asks
 * again; a server that could not read the file, never answered, or refused
 * its request too often is not worth asking again, and when a master sends
 * the client back to one, `giveUp` says why the client stops. It also
 * chooses from a server list (S4.2). It sends and reports nothing itself.
 */
import { ATTEMPTS_PER_PEER, MAX_AVOID, SILENT_SERVER_TRIES } from '../../protocol/constants.js';
import type { WireCode } from '../../protocol/errors.js';
import type { MessageOf } from '../../protocol/messages.js';

export type Choice = { readonly by: 'random' } | { readonly by: 'fewest-users' } | { readonly by: 'group'; readonly group: string };
export type ListedServer = MessageOf<'server-list'>['servers'][number];

/** Why the client stops rather than ask a server again. */
export interface GiveUp {
  readonly code: WireCode | 'server-unreachable';
  readonly message: string;
}

/** A choice from a list; `groupEmpty` when no server of the group asked for was up. */
export interface Chosen {
  readonly pick: ListedServer | undefined;
  readonly groupEmpty?: string;
}

export class ServerRecord {
  /** Servers left or failed, in order: a master is asked to avoid the last MAX_AVOID. */
  private readonly avoided: string[] = [];
  /** Servers that ended the stream because they could not read the file (`media-error`). */
  private readonly unreadable = new Set<string>();
  /** Servers that refused the client's request with an `error`: how often, and the last one. */
  private readonly refusals = new Map<string, { n: number; code: WireCode; msg: string }>();
  /** Peers that sent this client any valid message: a server that never did is not worth asking for ever. */
  private readonly heard = new Set<string>();
  /** Servers that never answered, with the times the client gave up on them; a closed port counts SILENT_SERVER_TRIES at once. */
  private readonly silent = new Map<string, number>();

  /** A valid message came from `peer`. */
  heardFrom(peer: string): void {
    this.heard.add(peer);
  }

  hasHeard(peer: string): boolean {
    return this.heard.has(peer);
  }

  /** The client leaves `srv`: masters are asked to avoid it. */
  avoid(srv: string): void {
    if (!this.avoided.includes(srv)) this.avoided.push(srv);
  }

  /** The servers a request asks the master to avoid (the last MAX_AVOID), or undefined for none. */
  avoidList(): string[] | undefined {
    return this.avoided.length > 0 ? this.avoided.slice(-MAX_AVOID) : undefined;
  }

  /** `srv` could not read the file. */
  couldNotRead(srv: string): void {
    this.unreadable.add(srv);
  }

  /** `srv` refused the client's request. */
  refused(srv: string, code: WireCode, msg: string): void {
    this.refusals.set(srv, { n: (this.refusals.get(srv)?.n ?? 0) + 1, code, msg });
  }

  /** `srv` never answered (`closed`: nothing listens on its port, which counts as every try at once). */
  neverAnswered(srv: string, closed = false): void {
    this.silent.set(srv, closed ? Infinity : (this.silent.get(srv) ?? 0) + 1);
  }

  /**
   * A master sends the client to `srv`, which could not read the file: it would fail again at the
   * same byte, so the client stops with its error rather than go round until its own timeout.
   */
  cannotRead(srv: string, file: string, at: number): GiveUp | undefined {
    if (!this.unreadable.has(srv)) return undefined;
    return { code: 'media-error', message: `server ${srv} could not read ${file} at byte ${at}, and no other server holding it is up with room` };
  }

  /**
   * A master sends the client to `srv`: why not to go, when the client has good reason to think it
   * would fail there again (§6.1), or undefined. A server that could not read the file; one that
   * never answered SILENT_SERVER_TRIES times (its address leads nowhere, or it ignores clients);
   * one that refused as often (its room is gone, or it no longer serves the file, and the master
   * does not know yet).
   */
  giveUp(srv: string, file: string, at: number): GiveUp | undefined {
    const unreadable = this.cannotRead(srv, file, at);
    if (unreadable) return unreadable;
    const others = `and the master has no other server holding ${file} with room`;
    const n = this.silent.get(srv) ?? 0;
    if (n >= SILENT_SERVER_TRIES) {
      const why = n === Infinity ? ': nothing listens on its port (port unreachable)' : ` (asked ${n} times, ${ATTEMPTS_PER_PEER} sendings each)`;
      return { code: 'server-unreachable', message: `server ${srv} never answered${why}, ${others}` };
    }
    const r = this.refusals.get(srv);
    if (r && r.n >= SILENT_SERVER_TRIES) return { code: r.code, message: `server ${srv} refused the request ${r.n} times (${r.code}: ${r.msg}), ${others}` };
    return undefined;
  }

  /** Client-side choice from a server list (S4.2): among the servers up, those not avoided first. */
  choose(list: readonly ListedServer[], c: Choice, random: (n: number) => number): Chosen {
    let up = list.filter((s) => s.status === 'up');
    const fresh = up.filter((s) => !this.avoided.includes(s.srv));
    if (fresh.length > 0) up = fresh;
    if (up.length === 0) return { pick: undefined };
    const fewest = (xs: typeof up) => xs.reduce((a, b) => (b.users < a.users || (b.users === a.users && b.srv < a.srv) ? b : a));
    switch (c.by) {
      case 'random':
        return { pick: up[random(up.length)] };
      case 'fewest-users':
        return { pick: fewest(up) };
      case 'group': {
        const inGroup = up.filter((s) => s.group === c.group);
        if (inGroup.length === 0) return { pick: fewest(up), groupEmpty: c.group };
        return { pick: fewest(inGroup) };
      }
    }
  }
}
