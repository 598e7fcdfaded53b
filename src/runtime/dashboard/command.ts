/**
 * `ofp dashboard`: watch a master live, and act on it (drain a server, hand
 * a stream off). On a terminal, the interactive dashboard until `q`; when
 * stdout is not a terminal or `CI` is set, plain lines at the refresh
 * interval until Ctrl-C, SIGTERM or `--duration`.
 */
import { resolveEndpoint } from '../resolve.js';
import { onStopSignal, signalStatus } from '../signals.js';
import { parseDuration } from '../units.js';
import { errorLine } from '../errorLine.js';
import { UsageError } from '../../errors.js';
import { type AttachOptions, attachDashboard } from './attach.js';
import { interactiveTerminal } from './view.js';
import { clusterKey } from '../clusterKey.js';

export interface DashboardFlags {
  readonly master: string;
  readonly key?: string;
  /** A base server whose jobs to show (§14). */
  readonly base?: string;
  readonly refresh: string;
  readonly readOnly: boolean;
  readonly duration?: string;
  readonly jsonStream: boolean;
}

/** Bounds on --refresh, ms: faster floods the master with pages; slower is no longer live. */
export const REFRESH_MIN = 100;
export const REFRESH_MAX = 60_000;

export function parseRefresh(text: string): number {
  const ms = parseDuration(text, '--refresh', 'ms');
  if (ms < REFRESH_MIN || ms > REFRESH_MAX) throw new UsageError('usage', `--refresh ${JSON.stringify(text)} must be from ${REFRESH_MIN} ms to ${REFRESH_MAX / 1000} s`);
  return ms;
}

export async function runDashboardCommand(f: DashboardFlags): Promise<number> {
  const refreshMs = parseRefresh(f.refresh);
  const durationMs = f.duration !== undefined ? parseDuration(f.duration, '--duration', 's') : undefined;
  const master = await resolveEndpoint(f.master, '--master');
  const key = clusterKey(f.key);
  if (f.base !== undefined && !key) throw new UsageError('usage', '--base needs the cluster key (--key or OFP_KEY): a base server answers only authenticated requests (§14.7)');
  const base = f.base !== undefined ? await resolveEndpoint(f.base, '--base') : undefined;
  const interactive = !f.jsonStream && interactiveTerminal();
  const options: AttachOptions = {
    master,
    ...(key ? { key } : {}),
    ...(base ? { base } : {}),
    refreshMs,
    readOnly: f.readOnly,
    interactive,
    ...(durationMs !== undefined ? { durationMs } : {}),
    format: f.jsonStream ? 'json-stream' : 'human',
  };
  const dashboard = await attachDashboard(options);
  // On a terminal, q and ctrl-c quit; a SIGTERM (or a SIGINT from elsewhere) ends it too, leaving the terminal as it was.
  const unsubscribe = interactive ? onStopSignal((signal) => {
    void dashboard.close().finally(() => process.exit(signalStatus(signal)));
  }) : () => {};
  try {
    await dashboard.done;
  } finally {
    unsubscribe();
    await dashboard.close();
  }
  // Watched by a program (no terminal): a master that did not answer at the end is a failure, as for `master status`.
  if (!interactive && dashboard.store.get().reachability !== 'up') {
    const heard = dashboard.store.get().lastHeard !== undefined;
    process.stderr.write(`${errorLine('master-unreachable', `master ${f.master} ${heard ? 'stopped answering' : 'never answered'}: is it running? if it has a cluster key, pass --key`)}\n`);
    return 1;
  }
  return 0;
}
