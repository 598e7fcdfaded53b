/**
 * The dashboard's snapshot store: what the feed learns from the master, as
 * one immutable Snapshot that the view renders. It changes (version + 1, and
 * its listeners are called) only when the data does: a refresh that brings
 * the same tables leaves it as it was, so an idle cluster costs the view
 * nothing.
 */
import { EVENT_LIMIT, type EventLevel, type EventView, type JobsView, type Reachability, type Snapshot, type SnapshotStore, type Totals, viewsWhole } from '../../view/model.js';
import { now } from '../clock.js';
import type { StatusMember, StatusServer, StatusSession, StatusSummary } from '../statusQuery.js';
import { memberViews, sameList, serverViews, sessionViews } from './views.js';

/** What one refresh brought; a table that could not be read is absent (the old one stays). */
export interface Poll {
  readonly summary: StatusSummary;
  readonly servers?: readonly StatusServer[];
  readonly sessions?: readonly StatusSession[];
  /** The members of its group (§12.1), for a master that has one. */
  readonly members?: readonly StatusMember[];
  readonly requestsPerSec: number;
}

const NO_TOTALS: Totals = { serversUp: 0, servers: 0, streams: 0, bw: 0, cap: 0, requestsPerSec: 0 };

function sameTotals(a: Totals, b: Totals): boolean {
  return a.serversUp === b.serversUp && a.servers === b.servers && a.streams === b.streams && a.bw === b.bw && a.cap === b.cap && a.requestsPerSec === b.requestsPerSec
    && a.views?.whole === b.views?.whole && a.views?.of === b.views?.of;
}

/** Newest first; equal times keep the higher sequence number first. */
function newerFirst(a: EventView, b: EventView): number {
  return b.at - a.at || b.seq - a.seq;
}

export class DashboardStore implements SnapshotStore {
  private snapshot: Snapshot;
  private readonly listeners = new Set<() => void>();
  /** The last answer from the master; published with the next change (it alone is no change). */
  private heard: number | undefined;
  /** Sequence numbers of the dashboard's own events: negative, so they never collide with the master's. */
  private localSeq = 0;

  constructor(
    master: string,
    private readonly clock: () => number = now,
  ) {
    this.snapshot = { master, reachability: 'connecting', servers: [], sessions: [], members: [], events: [], totals: NO_TOTALS, version: 0 };
  }

  get(): Snapshot {
    return this.snapshot;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Any answer from the master, at `at`. */
  heardFrom(at: number): void {
    this.heard = at;
  }

  /** A refresh's tables. Servers' histories grow by one sample each. */
  applyPoll(p: Poll): void {
    const s = this.snapshot;
    const servers = p.servers ? serverViews(p.servers, s.servers) : s.servers;
    const sessions = p.sessions ? sessionViews(p.sessions, s.sessions) : s.sessions;
    const m = p.summary;
    // Counted here, as the data changes, not in each frame (a frame reads only the rows it shows).
    const views = viewsWhole(servers);
    const totals: Totals = { serversUp: m.up, servers: m.servers, streams: m.sessions, bw: m.bw, cap: m.cap, requestsPerSec: p.requestsPerSec, ...(views ? { views } : {}) };
    // A master with no group (its summary says so) shows no masters pane.
    const members = m.group === undefined ? [] : p.members ? memberViews(s.master, p.members, servers, sessions, p.requestsPerSec, s.members) : s.members;
    const changed: Partial<Snapshot> = {};
    if (!sameList(servers, s.servers)) Object.assign(changed, { servers });
    if (!sameList(members, s.members)) Object.assign(changed, { members });
    if (!sameList(sessions, s.sessions)) Object.assign(changed, { sessions });
    if (!sameTotals(totals, s.totals)) Object.assign(changed, { totals });
    this.publish(changed);
  }

  /** What the base server's jobs are now (`--base`): a change only when something in them changed. */
  applyJobs(jobs: JobsView): void {
    const was = this.snapshot.jobs;
    if (was && JSON.stringify(was) === JSON.stringify(jobs)) return;
    this.publish({ jobs });
  }

  /** Whether the master answers. */
  setReachability(r: Reachability): void {
    if (r !== this.snapshot.reachability) this.publish({ reachability: r }, true);
  }

  /** Events from the master's notices (any order); the pane keeps the newest EVENT_LIMIT. */
  addEvents(events: readonly EventView[]): void {
    if (events.length === 0) return;
    const all = [...events, ...this.snapshot.events].sort(newerFirst).slice(0, EVENT_LIMIT);
    this.publish({ events: all });
  }

  /** One of the dashboard's own events (an action's result, the master going away): a line in the events pane. */
  note(kind: string, level: EventLevel, text: string, extra: { srv?: string; sid?: number } = {}): EventView {
    const e: EventView = { seq: --this.localSeq, at: this.clock(), kind, level, text, ...extra };
    this.addEvents([e]);
    return e;
  }

  private publish(changed: Partial<Snapshot>, force = false): void {
    if (!force && Object.keys(changed).length === 0) return;
    const s = this.snapshot;
    this.snapshot = { ...s, ...changed, ...(this.heard !== undefined ? { lastHeard: this.heard } : {}), version: s.version + 1 };
    for (const l of [...this.listeners]) l();
  }
}
