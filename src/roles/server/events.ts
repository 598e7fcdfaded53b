/**
 * What a media server core reports, one discriminated union the compiler
 * checks (str0m's `Output::Event`): consumers switch on `type` and read typed
 * fields, never `e.x as T`.
 */
import type { WireErrorCode } from '../../protocol/errors.js';
import type { MessageOf } from '../../protocol/messages.js';
import type { RateLimited } from '../rateLimit.js';
import type { CoreEvent } from '../role.js';
import type { RegistrationState, RegistrationTrigger } from './registrationTable.js';
import type { StreamTrigger } from './stream.js';
import type { JobAgentEvent } from './jobs.js';

type Warn = { readonly level: 'warn' };

/** The server's own view of itself, as its load reports give it. */
export type SelfState = 'up' | 'draining' | 'overloaded';

/** The registration moved to a state, named in the type: `registration-registered`, … */
export type RegistrationEvent = {
  readonly type: `registration-${RegistrationState}`;
  readonly level: 'info' | 'debug';
  readonly from: RegistrationState;
  readonly on: RegistrationTrigger;
  readonly master: string;
};

/** What a stream event says of its stream. */
type StreamFields = {
  readonly sid: number;
  readonly client: string;
};

export type ServerEvent =
  | CoreEvent
  | JobAgentEvent
  | { readonly type: 'job-file-in-service'; readonly level: 'info'; readonly job: number; readonly file: string; readonly bytes: number }
  /** A job's `delete` took the file out of service while `streams` still read it: it is removed once they end (§14.8). */
  | { readonly type: 'job-file-withdrawn'; readonly level: 'info'; readonly job: number; readonly cmd: number; readonly file: string; readonly streams: number }
  | { readonly type: 'job-file-removed'; readonly level: 'info' | 'warn'; readonly job: number; readonly cmd: number; readonly file: string; readonly code?: WireErrorCode }
  | RateLimited
  | RegistrationEvent
  | ({ readonly type: 'media-skipped'; readonly file: string; readonly why: string } & Warn)
  | ({ readonly type: 'master-forgot' | 'master-silent'; readonly master: string } & Warn)
  | { readonly type: 'registration-refused'; readonly level: 'error' | 'debug'; readonly master: string; readonly detail: string }
  | { readonly type: 'capacity'; readonly cap: number; readonly committed: number; readonly state: SelfState }
  | ({
    readonly type: 'request-refused'; readonly client: string; readonly code: WireErrorCode;
    /** Refused to the master (a forward or an establishment): the file and `forward` or `establish`. */
    readonly file?: string; readonly via?: string;
    /** Refused to the client itself: the message it was sent, and when. */
    readonly msg?: string; readonly at?: number;
  } & Warn)
  | ({ readonly type: 'establish'; readonly file: string; readonly npt: number; readonly offs: readonly number[]; readonly why: MessageOf<'establish'>['why'] } & StreamFields)
  | ({ readonly type: 'stream-setup'; readonly file: string; readonly off: number; readonly rate: number; readonly scale: number } & StreamFields)
  | ({ readonly type: 'stream-play' | 'stream-replay'; readonly file: string; readonly off: number; readonly offs?: readonly number[] } & StreamFields)
  | ({ readonly type: 'stream-complete'; readonly file: string; readonly bytes: number; readonly resent: number } & StreamFields)
  | ({ readonly type: 'stream-adjust'; readonly scale: number; readonly n: number } & StreamFields)
  | ({ readonly type: 'stream-move'; readonly to: string; readonly why: MessageOf<'move'>['why']; readonly npt: number } & StreamFields)
  | ({
    readonly type: 'stream-end'; readonly level: 'info' | 'warn'; readonly file: string; readonly reason: StreamTrigger;
    readonly sent: number; readonly resent: number; readonly complete: boolean;
  } & StreamFields)
  | { readonly type: 'media-error'; readonly level: 'error'; readonly file: string; readonly off: number; readonly detail: string }
  /** A master took the supervision (§12.2): `master` from `from`, at `epoch`, on the `supervise` of `by`. */
  | { readonly type: 'supervisor'; readonly master: string; readonly epoch: number; readonly from: string; readonly by: string; readonly pinned: boolean }
  | { readonly type: 'supervise-refused'; readonly level: 'debug'; readonly from: string; readonly to: string; readonly ep: number; readonly why: string }
  /** The servers' view (§13): a peer's state changed (`peer-alive`, … as membership's `member-*`); this server refuted what was said of it. */
  | { readonly type: 'peer-alive' | 'peer-left'; readonly level: 'debug'; readonly peer: string; readonly inc: number }
  | { readonly type: 'peer-suspect'; readonly level: 'debug'; readonly peer: string; readonly inc: number }
  | { readonly type: 'peer-dead'; readonly level: 'info'; readonly peer: string; readonly inc: number }
  | { readonly type: 'view-refuted'; readonly level: 'debug'; readonly about: 'suspect' | 'dead' | 'left' | 'alive'; readonly inc: number }
  /** A peer's entry says a new status (§13.2), heard here first. */
  | { readonly type: 'peer-status'; readonly level: 'debug'; readonly peer: string; readonly st: 'up' | 'overloaded' | 'draining' }
  /** A client's list request answered from the view (§13.5): `servers` of `total` in this page. */
  | { readonly type: 'list-answered'; readonly level: 'debug'; readonly client: string; readonly file: string; readonly servers: number; readonly total: number }
  /** No master (§13.6): the server serves in the view alone, joined through `peers` servers. */
  | { readonly type: 'server-alone'; readonly level: 'info'; readonly peers: number }
  /** A server with no master stopped (one with masters says so by `registration-stopped`, per master). */
  | { readonly type: 'server-stopped'; readonly level: 'info'; readonly from: RegistrationState }
  | { readonly type: 'draining'; readonly streams: number }
  | { readonly type: 'drained'; readonly level: 'info' | 'warn'; readonly left: number; readonly ms: number };

export type ServerEventType = ServerEvent['type'];
