/**
 * What a client core reports, one discriminated union the compiler checks
 * (str0m's `Output::Event`): consumers switch on `type` and read typed
 * fields, never `e.x as T`. The stream's bytes are not an event: they leave
 * through `Client.pollData()` (`StreamBytes`), the way str0m's media data is
 * its own output, so no log level or event filter can touch the copy.
 */
import type { CoreEvent } from '../role.js';
import type { ClientState, ClientTrigger } from './table.js';

type Warn = { readonly level: 'warn' };

/** A flow as the client accepted it at setup. */
export interface AcceptedFlow {
  readonly name: string;
  readonly size: number;
  readonly rate: number;
}

export type ClientEvent =
  | CoreEvent
  | ({ readonly type: 'state'; readonly from: ClientState; readonly to: ClientState; readonly on: ClientTrigger; readonly at: number; readonly level: 'debug' })
  | { readonly type: 'ask'; readonly master: string; readonly file: string; readonly mode: string; readonly off: number }
  | ({ readonly type: 'master-silent' | 'master-refused'; readonly master: string } & Warn)
  /** No master answered: a client in list mode asks `servers` servers for the list, `first` first (§13.6). */
  | ({ readonly type: 'asking-servers'; readonly servers: number; readonly first: string } & Warn)
  | ({ readonly type: 'master-error'; readonly master: string; readonly code: string; readonly msg: string } & Warn)
  | { readonly type: 'redirected'; readonly master: string; readonly srv: string; readonly sid: number }
  /** A portal (§12.3) named the master to ask: the same request goes there. */
  | { readonly type: 'referred'; readonly portal: string; readonly master: string }
  | { readonly type: 'listed'; readonly master: string; readonly servers: number; readonly total: number; readonly chose: string | undefined; readonly by: string }
  | ({ readonly type: 'group-empty'; readonly group: string; readonly detail: string } & Warn)
  | {
    readonly type: 'setup'; readonly srv: string; readonly sid: number; readonly size: number; readonly rate: number; readonly off: number;
    readonly flows: readonly AcceptedFlow[]; readonly via: 'master' | 'server';
    /** The master that relayed it (via `master`). */
    readonly master?: string;
  }
  | { readonly type: 'playing'; readonly srv: string; readonly sid: number; readonly off: number }
  | { readonly type: 'change-indicator'; readonly srv: string; readonly sid: number; readonly off: number }
  | ({ readonly type: 'change-unanswered'; readonly srv: string; readonly off: number } & Warn)
  | ({ readonly type: 'switch-refused'; readonly srv: string; readonly to: string; readonly why: string } & Warn)
  | { readonly type: 'switch'; readonly from: string; readonly to: string; readonly sid: number; readonly why: string; readonly computed: number | undefined; readonly npt: number }
  | {
    readonly type: 'handoff'; readonly sid: number; readonly from: string; readonly to: string; readonly why: string; readonly npt: number;
    readonly computed?: number; readonly gap: number; readonly diff?: number;
  }
  | ({ readonly type: 'server-silent'; readonly srv: string; readonly off: number } & Warn)
  | ({ readonly type: 'server-failed'; readonly srv: string; readonly reason: string; readonly off: number } & Warn)
  | { readonly type: 'adjust'; readonly srv: string; readonly n: number; readonly scale: number }
  | { readonly type: 'adjusted'; readonly srv: string; readonly n: number; readonly scale: number }
  | ({ readonly type: 'adjust-refused'; readonly srv: string; readonly scale: number; readonly msg: string } & Warn)
  | ({ readonly type: 'stay'; readonly srv: string; readonly code: string; readonly msg: string } & Warn)
  | {
    readonly type: 'complete'; readonly bytes: number; readonly size: number; readonly servers: readonly string[]; readonly switches: number;
    readonly handoffs: number; readonly maxGap: number; readonly ms: number;
  }
  | { readonly type: 'failed'; readonly level: 'error'; readonly code: string; readonly msg: string; readonly off: number };

export type ClientEventType = ClientEvent['type'];
