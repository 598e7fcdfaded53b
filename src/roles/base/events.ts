/** What a base server reports (§14): one typed union, for logs, `--json-stream`, the testbed and tests. */
import type { WireErrorCode } from '../../protocol/errors.js';
import type { RelayEvent } from '../jobs/relay.js';

export type BaseEvent =
  | { readonly type: 'job-created'; readonly level: 'info'; readonly job: number; readonly file: string; readonly bytes: number; readonly targets: number; readonly provider: string }
  | { readonly type: 'job-uploaded'; readonly level: 'info'; readonly job: number; readonly cmd: number; readonly file: string; readonly bytes: number; readonly ms: number }
  | { readonly type: 'job-command-added'; readonly level: 'info'; readonly job: number; readonly cmd: number; readonly op: 'copy' | 'delete' | 'verify'; readonly file: string; readonly provider: string }
  | { readonly type: 'job-command-ended'; readonly level: 'info' | 'warn'; readonly job: number; readonly cmd: number; readonly op: 'copy' | 'delete' | 'verify'; readonly file: string; readonly state: 'completed' | 'failed'; readonly code?: WireErrorCode }
  | { readonly type: 'job-target'; readonly level: 'debug' | 'warn'; readonly job: number; readonly cmd: number; readonly target: string; readonly st: 'new' | 'received' | 'progress' | 'completed' | 'failed'; readonly code?: WireErrorCode }
  | { readonly type: 'job-help'; readonly level: 'info'; readonly job: number; readonly target: string; readonly helper: string; readonly delivered: number }
  | { readonly type: 'job-repair'; readonly level: 'warn'; readonly job: number; readonly target: string; readonly attempt: number; readonly why: string }
  /** A target that had failed is given another chance (S5.5): it spoke again, or its delay passed (`round` of JOB_RETRY_ROUNDS). */
  | { readonly type: 'job-retry'; readonly level: 'warn'; readonly job: number; readonly cmd: number; readonly target: string; readonly round: number; readonly why: string }
  | { readonly type: 'job-completed'; readonly level: 'info'; readonly job: number; readonly file: string; readonly targets: number; readonly ms: number }
  /** A job taken back from its record in the store (§14.10); `pulled`: its commands whose object is pulled from its provider again. */
  | { readonly type: 'job-restored'; readonly level: 'info'; readonly job: number; readonly file: string; readonly state: 'uploading' | 'running' | 'completed' | 'failed'; readonly commands: number; readonly targets: number; readonly pulled: readonly number[] }
  /** A record in the store that could not be read (cut short, or not a job's): skipped, the others kept. */
  | { readonly type: 'job-record-skipped'; readonly level: 'warn'; readonly from: string; readonly why: string }
  | { readonly type: 'job-failed'; readonly level: 'warn'; readonly job: number; readonly file: string; readonly code: WireErrorCode; readonly completed: number; readonly failed: number; readonly ms: number }
  | Extract<RelayEvent, { type: 'target-given-up' | 'source-switched' | 'source-stalled' }>;
