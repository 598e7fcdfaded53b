/** The header: who we watch and whether we hear it, then the totals (pure). */
import type { Snapshot } from '../view/model.js';
import { ago, formatRate, requestsPerSecond } from '../view/units.js';
import { timeOfDay } from './format.js';
import type { Segment } from './segments.js';

export function reachabilitySegments(s: Snapshot, now: number): Segment[] {
  switch (s.reachability) {
    case 'up': return [{ text: '● up', color: 'green' }];
    case 'connecting': return [{ text: 'connecting…', color: 'yellow' }];
    default: {
      const heard = s.lastHeard === undefined ? 'never heard' : `last heard ${ago(now - s.lastHeard)} ago`;
      return [{ text: 'UNREACHABLE', color: 'red', bold: true }, { text: ` (${heard})`, color: 'red' }];
    }
  }
}

export function headerTitle(s: Snapshot, now: number, paused: boolean, readOnly: boolean): Segment[] {
  const out: Segment[] = [
    { text: 'ofp dashboard', bold: true },
    { text: ` ${timeOfDay(now)}  master ${s.master} `, dim: false },
    ...reachabilitySegments(s, now),
  ];
  if (paused) out.push({ text: '  ' }, { text: ' PAUSED ', inverse: true, color: 'yellow', bold: true });
  if (readOnly) out.push({ text: '  ' }, { text: 'read-only', color: 'cyan' });
  return out;
}

export function headerTotals(s: Snapshot): Segment[] {
  const t = s.totals;
  const use = t.cap > 0 ? ` (${Math.round((t.bw / t.cap) * 100)}%)` : '';
  const allUp = t.serversUp === t.servers;
  return [
    { text: 'servers ' },
    { text: `${t.serversUp}/${t.servers} up`, color: allUp ? 'green' : 'yellow', bold: true },
    { text: '  streams ' },
    { text: String(t.streams), bold: true },
    { text: '  bw ' },
    { text: `${formatRate(t.bw)} of ${formatRate(t.cap)}${use}`, bold: true },
    { text: '  ' },
    { text: `${requestsPerSecond(t.requestsPerSec)} req/s`, bold: true },
  ];
}
