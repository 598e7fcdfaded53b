/**
 * Read-only views of what a master keeps, for tests and tools: snapshots
 * taken when asked for, never its own records.
 */
import type { Assignment } from './assignments.js';
import type { NptState } from './npt.js';
import type { LoadSample, ServerRecord, ServerState } from './serverRecord.js';

/** One server as the master knows it. */
export interface ServerView {
  readonly name: string;
  readonly addr: string;
  readonly epoch: number;
  readonly group: string;
  readonly state: ServerState;
  /** True once its files are in the catalog. */
  readonly cataloged: boolean;
  /** How many files it has listed so far. */
  readonly files: number;
  /** Capacity, committed bandwidth, its moving average, and bandwidth sent, bits per second (its last load report). */
  readonly cap: number;
  readonly bw: number;
  readonly avg: number;
  readonly sent: number;
  readonly streams: number;
  /** Polls unanswered in a row. */
  readonly missed: number;
  readonly lastHeard: number;
  /** Its last load reports, oldest first. */
  readonly history: readonly LoadSample[];
}

/** One stream the master follows (S3.3): its assignment, read-only, with nothing shared. */
export type AssignmentView = Readonly<Omit<Assignment, 'npt' | 'tracked'>> & {
  readonly npt?: Readonly<NptState>;
  /** Per server, the last `track` event recorded in order. */
  readonly tracked?: ReadonlyMap<string, { readonly n: number; readonly when: number }>;
};

export function serverView(r: ServerRecord): ServerView {
  return Object.freeze({
    name: r.name, addr: r.addr, epoch: r.epoch, group: r.group, state: r.state, cataloged: r.cataloged, files: r.files.size,
    cap: r.cap, bw: r.bw, avg: r.avg, sent: r.sent, streams: r.streams, missed: r.missed, lastHeard: r.lastHeard,
    history: Object.freeze(r.history.map((s) => Object.freeze({ ...s }))),
  });
}

export function assignmentView(a: Assignment): AssignmentView {
  const { sk, npt, tracked, ...rest } = a;
  const view: AssignmentView = {
    ...rest,
    ...(sk ? { sk: sk.slice() } : {}),
    ...(npt ? { npt: Object.freeze({ ...npt }) } : {}),
    ...(tracked ? { tracked: new Map([...tracked].map(([k, v]) => [k, Object.freeze({ ...v })])) } : {}),
  };
  return Object.freeze(view);
}
