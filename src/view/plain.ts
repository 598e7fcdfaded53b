/** One plain status line per refresh, for when stdout is not a terminal (or CI is set). */
import type { JobsView, JobView, Snapshot } from './model.js';
import { ago, formatRate, requestsPerSecond } from './units.js';

export function plainStatusLine(snapshot: Snapshot, now: number = Date.now()): string {
  const t = snapshot.totals;
  const master = snapshot.reachability === 'unreachable'
    ? `UNREACHABLE (${snapshot.lastHeard === undefined ? 'never heard' : `last heard ${ago(now - snapshot.lastHeard)} ago`})`
    : snapshot.reachability;
  const newest = snapshot.events[0];
  const parts = [
    new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    `master ${snapshot.master} ${master}`,
    `servers ${t.serversUp}/${t.servers} up`,
    `streams ${t.streams}`,
    `bw ${formatRate(t.bw)}/${formatRate(t.cap)}`,
    `${requestsPerSecond(t.requestsPerSec)} req/s`,
  ];
  if (snapshot.jobs) parts.push(plainJobs(snapshot.jobs));
  if (newest) parts.push(`last: ${newest.text}`);
  // One line whatever the event text holds.
  return parts.join('  ').replace(/[\r\n]+/g, ' ');
}

/** `jobs at 127.0.0.1:7900: 1 running, 2 completed`: a base server's jobs (`--base`), by state. */
export function plainJobs(v: JobsView): string {
  if (v.reachability === 'unreachable') return `jobs at ${v.base}: UNREACHABLE`;
  const by = new Map<string, number>();
  for (const j of v.jobs) by.set(j.state, (by.get(j.state) ?? 0) + 1);
  const counts = (['uploading', 'running', 'completed', 'failed'] as const).filter((s) => by.has(s)).map((s) => `${by.get(s)} ${s}`);
  return `jobs at ${v.base}: ${counts.length > 0 ? counts.join(', ') : v.reachability === 'connecting' ? 'asking' : 'none'}`;
}

/** One job as a plain line, printed when it changes: `job 7 title.ts running 2/3 completed 1 failed 67%`. */
export function plainJobLine(j: JobView): string {
  const all = j.size * j.total;
  const share = all > 0 ? Math.min(1, j.got / all) : j.total > 0 && j.done === j.total ? 1 : 0;
  return `job ${j.job} ${j.file} ${j.state} ${j.done}/${j.total} completed${j.failed > 0 ? ` ${j.failed} failed` : ''} ${Math.floor(share * 100)}%`.replace(/[\r\n]+/g, ' ');
}
