/**
 * What a master core reports, one discriminated union the compiler checks
 * (str0m's `Output::Event`): the master's own events, its registry's and its
 * failover manager's, and those of every role core (`CoreEvent`). Consumers —
 * the notice feed, the command, the testbed — switch on `type` and read typed
 * fields, never `e.x as T`.
 */
import type { WireErrorCode } from '../../protocol/errors.js';
import type { MessageOf } from '../../protocol/messages.js';
import type { RateLimited } from '../rateLimit.js';
import type { CoreEvent } from '../role.js';
import type { MemberEvent } from '../membership/messages.js';
import type { RegistrationBound } from './registrationBounds.js';
import type { Policy } from './selection.js';
import type { ServerState } from './serverRecord.js';

/** Why a stream moves (§10.1). */
export type MoveWhy = 'failure' | 'overload' | 'drain' | 'operator';

type Debug = { readonly level: 'debug' };
type Warn = { readonly level: 'warn' };

/** A server's state as the master sees it changed (SERVER_VIEW_TABLE): `server-up` from joining, `server-recovered` back to up. */
export type ServerMoved = {
  readonly type: 'server-up' | 'server-recovered' | 'server-down' | 'server-draining' | 'server-overloaded';
  readonly level: 'info' | 'warn';
  readonly srv: string;
  readonly from: ServerState;
  readonly files: number;
  /** `server-overloaded`: the bandwidth it has committed and its capacity. */
  readonly committed?: number;
  readonly cap?: number;
};

/** A server's record went: it left, was down too long, or registered anew. */
export type ServerForgotten = { readonly type: 'server-left' | 'server-forgotten' | 'server-restarted'; readonly level: 'info' | 'warn'; readonly srv: string };

/** The failover manager's events (failover.ts). */
export type FailoverEvent =
  | {
    readonly type: 'handoff'; readonly sid: number; readonly client: string; readonly file: string; readonly from: string; readonly to: string;
    readonly why: MoveWhy; readonly npt: number; readonly computed?: number; readonly diff?: number; readonly by: 'master' | 'client'; readonly gap: number;
  }
  | ({ readonly type: 'stream-ended'; readonly sid: number; readonly srv: string; readonly code: string | undefined } & Debug)
  | {
    readonly type: 'handoff-start'; readonly sid: number; readonly client: string; readonly file: string; readonly from: string;
    readonly why: MoveWhy; readonly computed: number; readonly to?: string;
  }
  | ({
    readonly type: 'handoff-failed'; readonly sid: number; readonly client: string; readonly file: string; readonly from: string;
    readonly to?: string; readonly why: MoveWhy; readonly reason: string; readonly tried?: readonly string[];
  } & Warn)
  | ({ readonly type: 'establish-refused'; readonly sid: number; readonly srv: string; readonly code: MessageOf<'error'>['code']; readonly msg: string } & Warn)
  | ({ readonly type: 'establish-timeout'; readonly sid: number; readonly srv: string } & Warn)
  | {
    readonly type: 'migrate'; readonly sid: number; readonly srv: string; readonly why: 'overload'; readonly committed: number; readonly cap: number;
    readonly rate: number; readonly detail: string;
  };

/** The registry's events (registry.ts). */
export type RegistryEvent =
  | ServerMoved
  | ServerForgotten
  | ({ readonly type: 'server-registering'; readonly srv: string; readonly addr: string; readonly epoch: number } & Debug)
  | { readonly type: 'server-registered'; readonly srv: string; readonly group: string; readonly files: number; readonly cap: number; readonly epoch: number }
  | { readonly type: 'file-added'; readonly level: 'info'; readonly srv: string; readonly file: string; readonly size: number }
  | { readonly type: 'file-removed'; readonly level: 'info'; readonly srv: string; readonly file: string }
  | ({
    readonly type: 'registration-refused'; readonly srv: string; readonly addr: string; readonly bound: RegistrationBound; readonly limit: number;
    readonly value: number; readonly refused: number; readonly detail: string;
  } & Warn);

export type MasterEvent =
  | CoreEvent
  | MemberEvent
  | RateLimited
  | FailoverEvent
  | RegistryEvent
  | { readonly type: 'server-answering'; readonly srv: string }
  | ({ readonly type: 'server-unanswered'; readonly srv: string; readonly client: string; readonly file: string; readonly detail: string } & Warn)
  | ({ readonly type: 'reservations-bounded'; readonly source: string; readonly client: string; readonly detail: string } & Warn)
  | ({ readonly type: 'redirect' | 'relay'; readonly client: string; readonly rid: number; readonly file: string; readonly srv: string; readonly sid: number; readonly policy: Policy } & Debug)
  | ({ readonly type: 'list'; readonly client: string; readonly rid: number; readonly file: string; readonly servers: number; readonly total: number } & Debug)
  | ({ readonly type: 'forward'; readonly client: string; readonly rid: number; readonly srv: string; readonly sid: number } & Debug)
  | ({ readonly type: 'forward-timeout'; readonly client: string; readonly rid: number; readonly srv: string } & Warn)
  | ({ readonly type: 'forward-refused'; readonly client: string; readonly rid: number; readonly srv: string; readonly code: MessageOf<'error'>['code'] } & Warn)
  | ({ readonly type: 'request-error'; readonly client: string; readonly rid: number; readonly code: WireErrorCode; readonly msg: string } & Warn)
  | { readonly type: 'order'; readonly op: 'drain' | 'capacity'; readonly srv: string; readonly cap?: number; readonly streams: number }
  /** This master, `to`, now supervises `srv` (§12.2), from `from` (its supervisor before), at `epoch`. */
  | { readonly type: 'supervision-gained'; readonly level: 'info'; readonly srv: string; readonly to: string; readonly from: string | undefined; readonly epoch: number; readonly pinned: boolean }
  /** `srv` is supervised by `to` now, no longer by this master (§12.2). */
  | { readonly type: 'supervision-lost'; readonly level: 'info'; readonly srv: string; readonly to: string; readonly epoch: number; readonly pinned: boolean }
  /** This master asks `srv` to be supervised by `to` (a claim when `to` is this master, else a handover or an operator's order). */
  | ({ readonly type: 'supervise'; readonly srv: string; readonly to: string; readonly ep: number; readonly pin: boolean } & Debug)
  /** A stream this master neither made nor was told of (a server list, a master that restarted, a delta not here yet): followed from its server's `track` `play` (§10.4). */
  | ({ readonly type: 'stream-followed'; readonly sid: number; readonly srv: string } & Debug)
  /** A client echoed an answer (§12.5): the round trip `sample`, and its source's smoothed `rtt`, ms. */
  | ({ readonly type: 'client-rtt'; readonly client: string; readonly sample: number; readonly rtt: number } & Debug)
  /** Another master, `from`, made assignment `sid` on `srv` (§12.4): reserved here too; `hops` > 0, it moved the stream there (a handoff). */
  | ({ readonly type: 'assignment-learned'; readonly sid: number; readonly srv: string; readonly from: string; readonly hops: number } & Debug);

export type MasterEventType = MasterEvent['type'];
