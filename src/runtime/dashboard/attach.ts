/**
 * A dashboard on a master: the store, the feed that fills it, the actions,
 * and the view. `ofp dashboard` runs one; the demo and the testbed attach one
 * to the master they started (with extra actions of their own).
 */
import type { ExtraAction } from '../../view/model.js';
import type { Sink } from '../output.js';
import type { ResolvedEndpoint } from '../resolve.js';
import { masterActions } from './actions.js';
import { MasterFeed } from './feed.js';
import { JobsFeed } from './jobsFeed.js';
import type { MasterLocator } from './masterLink.js';
import { DashboardStore } from './store.js';
import { type DashboardEnd, type PlainFormat, showDashboard } from './view.js';

export interface AttachOptions {
  /** The master, or where it is now. */
  readonly master: ResolvedEndpoint | MasterLocator;
  /** How the header names the master (default: its address). */
  readonly label?: string;
  readonly key?: string;
  /** A base server whose jobs the jobs pane shows (§14); needs `key`. */
  readonly base?: ResolvedEndpoint;
  readonly refreshMs: number;
  readonly readOnly: boolean;
  /** The interactive dashboard (a terminal), or plain lines. */
  readonly interactive: boolean;
  /** Plain lines: stop after this long, ms. */
  readonly durationMs?: number;
  /** Plain lines: stop when this settles. */
  readonly until?: Promise<unknown>;
  readonly format?: PlainFormat;
  readonly extra?: readonly ExtraAction[];
  readonly stdout?: Sink;
}

export interface AttachedDashboard {
  readonly store: DashboardStore;
  /** Settles when the view ends: the user quit, a stop signal, `durationMs` or `until`. */
  readonly done: Promise<DashboardEnd>;
  /** Stop reading the master (the view, if still up, shows what it had). */
  close(): Promise<void>;
}

export async function attachDashboard(o: AttachOptions): Promise<AttachedDashboard> {
  const locate: MasterLocator = typeof o.master === 'function' ? o.master : ((ep) => () => ep)(o.master);
  const store = new DashboardStore(o.label ?? locate()?.address ?? 'master');
  if (o.base && !o.key) throw new Error('a base server answers only with the cluster key (§14.7)');
  const feed = await MasterFeed.start({ master: locate, ...(o.key ? { key: o.key } : {}), refreshMs: o.refreshMs, store });
  const jobs = o.base && o.key ? await JobsFeed.start({ base: o.base, key: o.key, refreshMs: o.refreshMs, store }) : undefined;
  const close = async () => {
    await Promise.all([feed.close(), jobs?.close()]);
  };
  const actions = masterActions({ master: locate, ...(o.key ? { key: o.key } : {}), store, ...(o.extra ? { extra: o.extra } : {}) });
  const done = showDashboard({
    store,
    actions,
    readOnly: o.readOnly,
    interactive: o.interactive,
    refreshMs: o.refreshMs,
    ...(o.durationMs !== undefined ? { durationMs: o.durationMs } : {}),
    ...(o.until ? { until: o.until } : {}),
    ...(o.format ? { format: o.format } : {}),
    ...(o.stdout ? { stdout: o.stdout } : {}),
  });
  // A view that fails (a terminal that cannot be drawn on) must not leave the feed running.
  done.catch(() => close());
  return { store, done, close };
}
