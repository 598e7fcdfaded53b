/** One plain status line per refresh, for when stdout is not a terminal (or CI is set). */
import type { Snapshot } from './model.js';
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
  if (newest) parts.push(`last: ${newest.text}`);
  // One line whatever the event text holds.
  return parts.join('  ').replace(/[\r\n]+/g, ' ');
}
