/**
 * What a portal core reports (§12.3), one discriminated union the compiler
 * checks: consumers switch on `type` and read typed fields.
 */
import type { CoreEvent } from '../role.js';
import type { PortalPolicy } from './policies.js';

export type PortalEvent =
  | CoreEvent
  /** A master answered the portal's polls (again): it is handed requests. */
  | { readonly type: 'master-up'; readonly level: 'info'; readonly master: string; readonly rtt: number }
  /** A master missed PORTAL_MISSED_POLLS polls in a row: it is handed nothing until it answers. */
  | { readonly type: 'master-down'; readonly level: 'warn'; readonly master: string; readonly missed: number }
  /** A client's request went to `master`: referred to it, or passed on. */
  | { readonly type: 'refer' | 'pass'; readonly level: 'debug'; readonly client: string; readonly rid: number; readonly file: string; readonly master: string; readonly policy: PortalPolicy }
  /** No master answers: the client is told so. */
  | { readonly type: 'no-master'; readonly level: 'warn'; readonly client: string; readonly rid: number };

export type PortalEventType = PortalEvent['type'];
