/**
 * The jobs pane's lines (§14): per job, one line (its file, state, a progress bar of the bytes its
 * targets hold, targets completed and failed), then its targets as the cascade's tree, each under
 * the node it gets the file from, with its state and progress. Pure.
 */
import { bar } from './bars.js';
import { fit } from './format.js';
import type { JobTargetView, JobView, JobsView } from '../view/model.js';
import { jobTree } from '../view/jobTree.js';
import { formatBytes } from '../view/units.js';
import type { Segment } from './segments.js';

const JOB_COLOR: Readonly<Record<JobView['state'], string | undefined>> = { uploading: 'cyan', running: 'yellow', completed: 'green', failed: 'red' };
const TARGET_COLOR: Readonly<Record<JobTargetView['st'], string | undefined>> = { new: undefined, received: 'cyan', progress: 'yellow', completed: 'green', failed: 'red' };

const COLS = { file: 18, size: 9, state: 9, bar: 10, pct: 4, addr: 24, st: 9 } as const;

/** The share of a job's bytes its targets hold, 0..1. */
export function jobShare(j: JobView): number {
  const all = j.size * j.total;
  return all > 0 ? Math.min(1, j.got / all) : j.total > 0 && j.done === j.total ? 1 : 0;
}

function pct(f: number): string {
  return fit(`${Math.floor(f * 100)}%`, COLS.pct, 'right');
}

export function jobLine(j: JobView): Segment[] {
  const share = jobShare(j);
  return [
    { text: `  job ${j.job} `, bold: true },
    { text: fit(j.file, COLS.file) + ' ' + fit(formatBytes(j.size), COLS.size, 'right') + ' ' },
    { text: fit(j.state, COLS.state), color: JOB_COLOR[j.state], bold: j.state === 'failed' },
    { text: ' ' + bar(share, COLS.bar) + ' ' + pct(share) + `  ${j.done}/${j.total} completed` },
    ...(j.failed > 0 ? [{ text: `  ${j.failed} failed`, color: 'red', bold: true }] : []),
  ];
}

export function targetLine(t: JobTargetView, prefix: string, size: number): Segment[] {
  const share = t.st === 'completed' ? 1 : size > 0 ? Math.min(1, t.got / size) : 0;
  const lead = `    ${prefix}`;
  return [
    { text: lead, dim: true },
    { text: fit(t.srv, Math.max(8, COLS.addr - prefix.length)) + ' ' },
    { text: fit(t.st, COLS.st), color: TARGET_COLOR[t.st], bold: t.st === 'failed' },
    { text: ' ' + bar(share, COLS.bar) + ' ' + pct(share) },
    ...(t.code !== undefined ? [{ text: `  ${t.code}`, color: 'red' }] : []),
  ];
}

/** Every line of the pane, in order; the pane shows as many as it has room for. */
export function jobsPaneLines(v: JobsView): Segment[][] {
  if (v.reachability === 'unreachable' && v.jobs.length === 0) return [[{ text: `  base server ${v.base} does not answer`, color: 'red' }]];
  if (v.jobs.length === 0) return [[{ text: v.reachability === 'connecting' ? '  asking the base server…' : '  no job', dim: true }]];
  const lines: Segment[][] = [];
  for (const j of v.jobs) {
    lines.push(jobLine(j));
    if (!j.targets) continue;
    for (const r of jobTree(j.targets, v.base)) lines.push(targetLine(r.target, r.prefix, j.size));
    if (j.targets.length < j.total) lines.push([{ text: `    … ${j.total - j.targets.length} more target(s)`, dim: true }]);
  }
  return lines;
}
