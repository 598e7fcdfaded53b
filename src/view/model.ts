/**
 * What the dashboard shows: a snapshot of the master's view, kept by a store
 * (src/runtime/dashboard/) that changes only when the data does. The ink view
 * (src/ui/) renders a snapshot and calls actions; it never talks to the
 * network itself, so it can be tested on a fake store. The model lives below
 * both, so that neither imports the other.
 */

import type { SERVER_VIEW_TABLE } from '../roles/master/serverRecord.js';

/** A server's state as the master sees it (the `status` servers table): a state of the master's table (§6.4). */
export type ServerStateView = keyof (typeof SERVER_VIEW_TABLE)['states'];

export interface ServerView {
  /** `host:port`, as the master names it. */
  readonly name: string;
  readonly group: string;
  readonly state: ServerStateView;
  /** Files held. */
  readonly files: number;
  readonly streams: number;
  /** Committed bandwidth, bit/s. */
  readonly bw: number;
  /** Capacity, bit/s. */
  readonly cap: number;
  /** Bandwidth in use at each refresh, oldest first, at most HISTORY_LENGTH samples (the sparkline). */
  readonly history: readonly number[];
  /** Its supervisor, for a master in a group (§12.2); `*` after it when an operator pinned it. */
  readonly supervisor?: string;
  /** Where it is, as it registered (§12.5). */
  readonly loc?: string;
  /** The master's smoothed round trip to it, ms (§12.5), once measured. */
  readonly rtt?: number;
  /** Its view of the other servers (§13), as its last load report said: peers it holds alive, and its stalest entry's age, s. */
  readonly viewKnown?: number;
  readonly viewStalest?: number;
}

/** A master of the group the watched master belongs to (§12.1), the watched one first. */
export interface MemberView {
  readonly addr: string;
  /** `self` for the watched master; otherwise its state as the watched master sees it. */
  readonly state: 'self' | 'alive' | 'suspect' | 'dead' | 'left';
  readonly inc: number;
  /** How long it has been in that state, ms (0 for the watched master). */
  readonly age: number;
  /** Servers it supervises, by the servers table (§12.2). */
  readonly supervises: number;
  /** Requests answered per second: known for the watched master only. */
  readonly requestsPerSec?: number;
  /** Streams the watched master follows that this member assigned, or moved last (§12.4); for the watched master, its own (and those it follows from the servers' word). */
  readonly assigned: number;
}

export interface SessionView {
  readonly sid: number;
  readonly client: string;
  readonly file: string;
  /** The server streaming it now. */
  readonly srv: string;
  /** Position, ms of normal play time; undefined until the stream reports playing. */
  readonly npt?: number;
  /** Length of the item at its media rate, ms; undefined when the master does not know it. */
  readonly duration?: number;
  /** Media rate, bit/s. */
  readonly rate?: number;
  /** Transmission rate in thousandths of the media rate (1000 = 1x). */
  readonly scale?: number;
  readonly handoffs: number;
  /** True while a handoff of the stream is under way. */
  readonly moving: boolean;
  /** The member of the group that assigned it, or moved it last, and told the watched master (§12.4); undefined: the watched master did. */
  readonly by?: string;
}

export type EventLevel = 'info' | 'warn' | 'error';

export interface EventView {
  /** The master's sequence number of the event (or a local one for the dashboard's own events). */
  readonly seq: number;
  /** Wall-clock time, ms since the epoch. */
  readonly at: number;
  /** The notice kind (`handoff`, `server-down`, …) or `action` / `error` for the dashboard's own. */
  readonly kind: string;
  readonly level: EventLevel;
  /** One line, for people: `handoff 7 a → b (failure) gap 512 ms`. */
  readonly text: string;
  readonly srv?: string;
  readonly sid?: number;
}

export interface Totals {
  readonly serversUp: number;
  readonly servers: number;
  readonly streams: number;
  /** Aggregate committed bandwidth, bit/s. */
  readonly bw: number;
  readonly cap: number;
  /** Requests answered per second, over the master's last counting window. */
  readonly requestsPerSec: number;
  /** How far the servers' views have converged (§13, viewsWhole), when any server keeps one. */
  readonly views?: { readonly whole: number; readonly of: number };
}

export type Reachability = 'connecting' | 'up' | 'unreachable';

/** A target of a job (§14.6): its state, what it holds, and where it gets the file from. */
export interface JobTargetView {
  readonly idx: number;
  readonly srv: string;
  readonly st: 'new' | 'received' | 'progress' | 'completed' | 'failed';
  /** Bytes it holds verified, as it last said. */
  readonly got: number;
  /** Its source: the base server, or another target (the cascade's tree). */
  readonly src?: string;
  readonly code?: string;
}

/** A job a base server holds (§14.6), with its targets when the dashboard read them. */
export interface JobView {
  readonly job: number;
  readonly file: string;
  readonly size: number;
  readonly state: 'uploading' | 'running' | 'completed' | 'failed';
  readonly done: number;
  readonly failed: number;
  readonly total: number;
  /** Bytes its targets hold verified, summed (of size × total). */
  readonly got: number;
  /** Its targets, for the jobs the dashboard reads in full (the first JOBS_DETAILED); undefined for the others. */
  readonly targets?: readonly JobTargetView[];
}

/** The base server the dashboard watches (`--base`), and its jobs. */
export interface JobsView {
  readonly base: string;
  readonly reachability: Reachability;
  /** Running first, then the newest. */
  readonly jobs: readonly JobView[];
}

export interface Snapshot {
  /** The master's address. */
  readonly master: string;
  readonly reachability: Reachability;
  /** Wall-clock time of the last answer from the master, ms since the epoch. */
  readonly lastHeard?: number;
  readonly servers: readonly ServerView[];
  readonly sessions: readonly SessionView[];
  /** The watched master's group (§12.1): empty for a master on its own. */
  readonly members: readonly MemberView[];
  /** Newest first, at most EVENT_LIMIT. */
  readonly events: readonly EventView[];
  readonly totals: Totals;
  /** A base server's jobs (§14), when the dashboard watches one. */
  readonly jobs?: JobsView;
  /** Incremented whenever anything in the snapshot changes. */
  readonly version: number;
}

export interface SnapshotStore {
  get(): Snapshot;
  /** Called after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
}

export interface ActionResult {
  readonly ok: boolean;
  /** One line for the events pane: what was done, or the error code and message. */
  readonly text: string;
}

/** An extra key the host adds (the testbed: kill, restart, pause a server; start clients). */
export interface ExtraAction {
  /** One character. */
  readonly key: string;
  readonly label: string;
  /** What the action needs selected. */
  readonly target: 'server' | 'none';
  run(server: string | undefined): Promise<ActionResult>;
}

export interface Actions {
  drain(server: string): Promise<ActionResult>;
  handoff(sid: number, to?: string): Promise<ActionResult>;
  readonly extra?: readonly ExtraAction[];
}

export const HISTORY_LENGTH = 30;
export const EVENT_LIMIT = 500;

/**
 * The interactive dashboard as its host sees it (src/ui/run.tsx): loaded only
 * when a dashboard opens on a terminal, and handed to the runtime by the
 * command line, so that the runtime never imports src/ui/.
 */
export interface DashboardUi {
  runDashboard(o: { readonly store: SnapshotStore; readonly actions: Actions; readonly readOnly: boolean }): Promise<void>;
}

/**
 * How far the servers' views have converged (§13): of the servers that keep a view and are not down,
 * those whose view holds every other such server alive. Undefined when no server keeps a view.
 */
export function viewsWhole(items: readonly ServerView[]): { readonly whole: number; readonly of: number } | undefined {
  let of = 0;
  for (const s of items) if (s.state !== 'down' && s.viewKnown !== undefined) of++;
  if (of === 0) return undefined;
  let live = 0;
  for (const s of items) if (s.state !== 'down') live++;
  let whole = 0;
  for (const s of items) if (s.state !== 'down' && s.viewKnown !== undefined && s.viewKnown >= live - 1) whole++;
  return { whole, of };
}
