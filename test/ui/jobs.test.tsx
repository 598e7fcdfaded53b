/** The jobs pane (`ofp dashboard --base`, §14): each job, its targets' states and progress, the cascade's tree; its plain lines. */
import { describe, expect, it } from 'vitest';
import { jobTree } from '../../src/view/jobTree.js';
import { plainJobLine, plainStatusLine } from '../../src/view/plain.js';
import type { JobTargetView, JobsView } from '../../src/view/model.js';
import { jobsPaneLines } from '../../src/ui/jobRow.js';
import { segmentsText } from '../../src/ui/segments.js';
import { frameLayout } from '../../src/ui/layout.js';
import { FakeStore, snapshot, T0 } from './fixtures.js';
import { lineWith, show } from './show.js';

const BASE = '127.0.0.1:7900';
const t = (i: number, over: Partial<JobTargetView> = {}): JobTargetView => ({ idx: i, srv: `127.0.0.1:500${i}`, st: 'completed', got: 1_000, ...over });

/** base → 0 → {1, 2}, base → 3, 1 → 4; 5 has no source yet. */
const targets: JobTargetView[] = [
  t(0, { src: BASE }),
  t(1, { src: '127.0.0.1:5000' }),
  t(2, { src: '127.0.0.1:5000', st: 'progress', got: 500 }),
  t(3, { src: BASE, st: 'failed', got: 0, code: 'write-error' }),
  t(4, { src: '127.0.0.1:5001', st: 'received', got: 0 }),
  t(5, { st: 'new', got: 0 }),
];

const jobs: JobsView = {
  base: BASE,
  reachability: 'up',
  jobs: [
    { job: 7, file: 'title.ts', size: 1_000, state: 'running', done: 2, failed: 1, total: 6, got: 2_500, targets },
    { job: 3, file: 'old.ts', size: 2_000_000, state: 'completed', done: 2, failed: 0, total: 2, got: 4_000_000 },
  ],
};

describe('the cascade as a tree', () => {
  it('puts each target under its source, depth first, the base server at the root, and those with no source after', () => {
    const rows = jobTree(targets, BASE);
    expect(rows.map((r) => `${r.prefix}${r.target.idx}`)).toEqual(['├─ 0', '│  ├─ 1', '│  │  └─ 4', '│  └─ 2', '└─ 3', '·  5']);
    expect(rows.map((r) => r.depth)).toEqual([1, 2, 3, 2, 1, 0]);
  });

  it('places every target once, even when sources name each other in a loop', () => {
    const loop = [t(0, { src: '127.0.0.1:5001' }), t(1, { src: '127.0.0.1:5000' }), t(2, { src: BASE })];
    expect(jobTree(loop, BASE).map((r) => [r.target.idx, r.depth])).toEqual([[2, 1], [0, 0], [1, 0]]);
  });
});

describe('jobs pane', () => {
  it('shows each job with its progress and counts, then its targets as the tree with their states and progress', () => {
    const { frame } = show({ store: new FakeStore(snapshot({ jobs })), rows: 50, columns: 120 });
    expect(frame()).toMatch(/Jobs +127\.0\.0\.1:7900 +2 jobs[\s\S]*Servers[\s\S]*Sessions[\s\S]*Events/);
    const job = lineWith(frame(), 'job 7');
    expect(job).toMatch(/job 7 title\.ts +1\.00 kB running +[█░]{10} +41% +2\/6 completed +1 failed/);
    expect(lineWith(frame(), '127.0.0.1:5000')).toMatch(/├─ 127\.0\.0\.1:5000 +completed +█{10} 100%/);
    expect(lineWith(frame(), '127.0.0.1:5004')).toMatch(/│  │  └─ 127\.0\.0\.1:5004 +received +░{10} +0%/);
    expect(lineWith(frame(), '127.0.0.1:5002')).toMatch(/│  └─ 127\.0\.0\.1:5002 +progress +█{5}░{5} +50%/);
    expect(lineWith(frame(), '127.0.0.1:5003')).toMatch(/└─ 127\.0\.0\.1:5003 +failed .* write-error/);
    expect(lineWith(frame(), '127.0.0.1:5005')).toMatch(/·  127\.0\.0\.1:5005 +new/);
    expect(lineWith(frame(), 'job 3')).toMatch(/old\.ts +2\.00 MB completed +█{10} 100% +2\/2 completed/);
  });

  it('shows what fits and says so; no pane without --base; a base server that does not answer says so', () => {
    const small = show({ store: new FakeStore(snapshot({ jobs })), rows: 24, columns: 120 });
    expect(small.frame()).toMatch(/Jobs +127\.0\.0\.1:7900 +2 jobs +\d+ of 8 lines/);
    expect(small.frame().trimEnd().split('\n').length).toBeLessThanOrEqual(23);
    expect(show({ store: new FakeStore(snapshot()), rows: 50, columns: 120 }).frame()).not.toContain('Jobs');
    const gone = jobsPaneLines({ base: BASE, reachability: 'unreachable', jobs: [] }).map(segmentsText);
    expect(gone).toEqual(['  base server 127.0.0.1:7900 does not answer']);
  });

  it('takes at most a third of the body, and none on a short terminal', () => {
    const items = { servers: 3, sessions: 2, events: 10 };
    expect(frameLayout(40, items, 'servers', 0, 100).jobs).toBe(Math.floor(frameLayout(40, items, 'servers').body / 3));
    expect(frameLayout(40, items, 'servers', 0, 3).jobs).toBe(4);
    expect(frameLayout(14, items, 'servers', 0, 3).jobs).toBe(0);
  });
});

describe('plain output with --base', () => {
  it('adds the jobs by state to the status line, and a line per job as it changes', () => {
    const line = plainStatusLine(snapshot({ jobs, events: [] }), T0);
    expect(line).toContain('  jobs at 127.0.0.1:7900: 1 running, 1 completed');
    expect(plainStatusLine(snapshot({ jobs: { ...jobs, reachability: 'unreachable' }, events: [] }), T0)).toContain('jobs at 127.0.0.1:7900: UNREACHABLE');
    expect(plainJobLine(jobs.jobs[0]!)).toBe('job 7 title.ts running 2/6 completed 1 failed 41%');
  });
});
