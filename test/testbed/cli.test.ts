/**
 * `ofp testbed list | run | matrix` through the command line (the build, as a
 * user runs it): verdicts on stdout, progress on stderr, exit statuses 0 pass,
 * 1 an expectation failed (naming it, with SEED= and the command that
 * reproduces it), 2 invalid scenario or usage (file:line:col and what is
 * wrong), 3 harness failure; the artifact folder and its `latest` link.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanupProcesses, runOfp, tempDir } from '../helpers/processes.js';

cleanupProcesses();
const dir = tempDir('ofp-testbed-');
const runs = join(dir, 'runs');
const TIMEOUT = { timeoutMs: 60_000 };

const BASE = `duration: 3s
converge: 20s
media:
  - {name: movie.ts, duration: 1s, bitrate: 1M}
servers:
  - {name: edge, count: 2, files: [movie.ts]}
clients:
  - {name: viewer, count: 2, file: movie.ts, start: 200ms, every: 100ms}
`;

/** A scenario file in the temp folder; its path. */
function scenarioFile(name: string, text: string): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, text);
  return path;
}

/** No fault, yet at least one handoff expected: it cannot hold. */
const impossible = scenarioFile('impossible', `name: impossible\ndescription: Expects a handoff where nothing moves a stream.\nseed: 7\n${BASE}expect:\n  copies-identical: true\n  handoffs: {min: 1}\n`);
/** No handoff, so the largest gap cannot be measured: unknown. */
const unmeasurable = scenarioFile('unmeasurable', `name: unmeasurable\ndescription: Asks for a gap where nothing is handed off.\n${BASE}expect:\n  max-gap: 1s\n`);

const lines = (text: string) => text.split('\n').filter(Boolean);
const ndjson = (path: string) => lines(readFileSync(path, 'utf8')).map((l) => JSON.parse(l) as Record<string, unknown>);

/** What these tests read of a run's run.json. */
interface RunJson {
  readonly checks: readonly { readonly name: string }[];
  readonly figures: Readonly<Record<string, number>>;
  readonly spec: { readonly faults: readonly unknown[] };
}

describe('ofp testbed list', () => {
  it('prints every bundled scenario with its description (and --json the same as data)', async () => {
    const text = await runOfp(['testbed', 'list'], TIMEOUT);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^failover-mid-stream +A server is killed mid-stream; .*\[short\]$/m);
    expect(text.stdout).toMatch(/^scale-1000x10000 +1,000 servers and 10,000 clients .*\[scale\]$/m);
    const json = await runOfp(['testbed', 'list', '--json'], TIMEOUT);
    const list = JSON.parse(json.stdout) as { name: string; description: string; tags: string[] }[];
    expect(list.length).toBeGreaterThanOrEqual(16);
    expect(lines(text.stdout)).toHaveLength(list.length);
    for (const s of list) {
      expect(s.description, s.name).not.toBe('');
      expect(s).not.toHaveProperty('invalid');
    }
  });
});

describe('ofp testbed run (sim)', () => {
  it('a passing run: exit 0, verdicts on stdout, progress on stderr, an artifact folder with a latest link', async () => {
    const r = await runOfp(['testbed', 'run', 'failover-mid-stream', '--seed', '3', '--out', runs], TIMEOUT);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^✓ failover-mid-stream · sim · seed 3 · pass$/m);
    expect(r.stdout).toMatch(/^ {2}✓ copies-identical +4 of 4 client\(s\) complete and byte-identical$/m);
    expect(r.stdout).toMatch(/simulated in .*× real time\), \d+ events \(\d+\/s\), trace \d+:[0-9a-f]+…$/m);
    expect(r.stderr).toMatch(/^▸ failover-mid-stream · sim · seed 3: /m);
    expect(r.stderr).not.toMatch(/SEED=/);

    const scenarioDir = join(runs, 'failover-mid-stream');
    const latest = join(scenarioDir, 'latest');
    expect(lstatSync(latest).isSymbolicLink()).toBe(true);
    const folder = readlinkSync(latest);
    expect(folder).toMatch(/^\d{4}-\d\d-\d\dT[\d-]+Z-sim-seed3$/);
    expect(r.stdout).toContain(`artifacts: ${join(scenarioDir, folder)}`);
    expect(readdirSync(latest).sort()).toEqual(['events.ndjson', 'logs', 'run.json', 'summary.md', 'trace.ndjson']);

    const run = JSON.parse(readFileSync(join(latest, 'run.json'), 'utf8')) as RunJson;
    expect(run).toMatchObject({ scenario: { name: 'failover-mid-stream' }, mode: 'sim', seed: 3, verdict: 'pass', reproduce: 'ofp testbed run failover-mid-stream --mode sim --seed 3' });
    expect(run.checks.map((c: { name: string }) => c.name)).toEqual(['copies-identical', 'handoffs', 'no-crash']);
    expect(run.figures).toMatchObject({ clients: 4, completed: 4, failed: 0 });
    expect(run.figures.handoffs).toBeGreaterThanOrEqual(1);
    expect(run.spec.faults).toEqual([expect.objectContaining({ at: 2000, action: { kind: 'kill', node: 'edge-1' } })]);

    const trace = ndjson(join(latest, 'trace.ndjson'));
    expect(trace.length).toBe(run.figures.datagrams);
    expect(trace[0]).toEqual({ t: expect.any(Number), from: expect.any(String), to: expect.any(String), type: expect.any(String), size: expect.any(Number), fault: expect.any(String) });
    for (const type of ['register', 'request', 'redirect', 'setup', 'data', 'ack']) expect(trace.some((e) => e.type === type), type).toBe(true);
    // The server killed at 2 s: what is sent to it afterwards reaches nobody.
    expect(trace.some((e) => e.to === 'edge-1' && e.fault === 'no-such-node' && (e.t as number) > 2000)).toBe(true);

    const events = ndjson(join(latest, 'events.ndjson'));
    expect(events.find((e) => e.node === 'testbed' && e.type === 'fault')).toMatchObject({ t: 2000, data: { action: 'kill', node: 'edge-1' } });
    expect(events.some((e) => e.node === 'master' && e.type === 'handoff')).toBe(true);

    expect(readdirSync(join(latest, 'logs')).sort()).toEqual(['edge-1.log', 'edge-2.log', 'edge-3.log', 'master.log', 'testbed.log', 'viewer-1.log', 'viewer-2.log', 'viewer-3.log', 'viewer-4.log']);
    expect(readFileSync(join(latest, 'logs', 'viewer-1.log'), 'utf8')).toMatch(/^ +\d+\.\d{3} \S+/);
    const summary = readFileSync(join(latest, 'summary.md'), 'utf8');
    expect(summary).toMatch(/^# failover-mid-stream: ✓ pass$/m);
    expect(summary).toContain('| ✓ | copies-identical |');
    expect(summary).toContain('reproduce: `ofp testbed run failover-mid-stream --mode sim --seed 3`');

    // A second run moves `latest` to its own folder, and the first folder stays.
    const again = await runOfp(['testbed', 'run', 'failover-mid-stream', '--seed', '4', '--out', runs], TIMEOUT);
    expect(again.code).toBe(0);
    expect(readlinkSync(latest)).toMatch(/-sim-seed4$/);
    expect(existsSync(join(scenarioDir, folder, 'run.json'))).toBe(true);
  });

  it('--repeat N runs the seeds that follow; --json is one document with every run; the same seed gives the same trace hash', async () => {
    const r = await runOfp(['testbed', 'run', 'lossy-bursts', '--seed', '11', '--repeat', '2', '--json', '--out', runs], TIMEOUT);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { verdict: string; exit: number; runs: { seed: number; verdict: string; figures: { traceHash: string } }[] };
    expect(doc).toMatchObject({ verdict: 'pass', exit: 0 });
    expect(doc.runs.map((x) => [x.seed, x.verdict])).toEqual([[11, 'pass'], [12, 'pass']]);
    expect(doc.runs[0]!.figures.traceHash).not.toBe(doc.runs[1]!.figures.traceHash);
    expect(r.stderr).toMatch(/▸ lossy-bursts · sim · seed 12/);

    const once = await runOfp(['testbed', 'run', 'lossy-bursts', '--seed', '12', '--json', '--out', runs], TIMEOUT);
    expect((JSON.parse(once.stdout) as typeof doc).runs[0]!.figures.traceHash).toBe(doc.runs[1]!.figures.traceHash);
  });

  it('--json-stream prints one JSON object per line: run-start, progress, check, run, summary', async () => {
    const r = await runOfp(['testbed', 'run', 'redirect-flow', '--json-stream', '--out', runs], TIMEOUT);
    expect(r.code, r.stderr).toBe(0);
    const events = lines(r.stdout).map((l) => JSON.parse(l) as { event: string; t: number; data: Record<string, unknown> });
    expect([...new Set(events.map((e) => e.event))]).toEqual(['run-start', 'progress', 'check', 'run', 'summary']);
    expect(events.filter((e) => e.event === 'check').map((e) => [e.data.name, e.data.verdict])).toEqual([
      ['copies-identical', 'pass'],
      ['handoffs', 'pass'],
      ['load-spread', 'pass'],
      ['load-even', 'pass'],
      ['redirect-p99', 'pass'],
      ['no-crash', 'pass'],
    ]);
    expect(events.at(-1)).toMatchObject({ event: 'summary', data: { scenario: 'redirect-flow', verdict: 'pass', exit: 0 } });
  });

  it('an expectation that cannot hold: exit 1, names it, prints SEED= and a command that reproduces the run exactly', async () => {
    const r = await runOfp(['testbed', 'run', impossible, '--json', '--out', runs], TIMEOUT);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^expectation failed: handoffs: 0 handoff\(s\) over 2 client\(s\) \(expected 1…∞\)$/m);
    expect(r.stderr).not.toMatch(/expectation failed: copies-identical/);
    const repro = /^SEED=7 reproduce with: (ofp testbed run (\S+) --mode sim --seed 7)$/m.exec(r.stderr);
    expect(repro, r.stderr).not.toBeNull();
    expect(repro![2]).toBe(impossible);
    const doc = JSON.parse(r.stdout) as { verdict: string; runs: { verdict: string; reproduce: string; checks: { name: string; verdict: string }[]; figures: { traceHash: string } }[] };
    expect(doc.verdict).toBe('fail');
    expect(doc.runs[0]!.checks.map((c) => [c.name, c.verdict])).toEqual([['copies-identical', 'pass'], ['handoffs', 'fail']]);
    expect(doc.runs[0]!.reproduce).toBe(repro![1]);

    // The command it printed, run as printed: the same failure, the same trace.
    const again = await runOfp([...repro![1]!.split(' ').slice(1), '--json', '--out', runs], TIMEOUT);
    expect(again.code).toBe(1);
    expect((JSON.parse(again.stdout) as typeof doc).runs[0]!.figures.traceHash).toBe(doc.runs[0]!.figures.traceHash);
    expect(readFileSync(join(runs, 'impossible', 'latest', 'summary.md'), 'utf8')).toMatch(/^# impossible: ✕ fail$/m);
  });

  it('an expectation the run cannot judge is unknown (?), which does not fail the run', async () => {
    const r = await runOfp(['testbed', 'run', unmeasurable, '--out', runs], TIMEOUT);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\? unmeasurable · sim · seed 1 · unknown$/m);
    expect(r.stdout).toMatch(/^ {2}\? max-gap +no client was handed off: no gap to measure$/m);
  });

  const invalid: [string, string, RegExp][] = [
    ['unknown key', `name: typo\n${BASE.replace('files: [movie.ts]}', 'files: [movie.ts], capacty: 10M}')}expect:\n  copies-identical: true\n`, /:7:47: unknown key `capacty` in a server \(did you mean `capacity`\?\)/],
    ['bad unit', `name: unit\n${BASE.replace('start: 200ms', 'start: 200')}expect:\n  copies-identical: true\n`, /:9:53: client viewer start: 200 is not a duration \(a unit is needed: 200s or 200ms\)/],
    ['unknown role', `name: role\n${BASE}faults:\n  - {at: 1s, kill: edge-3}\nexpect:\n  copies-identical: true\n`, /:11:20: kill: no node is named "edge-3" \(did you mean "edge-1"\?\)/],
    ['bad YAML', `name: syntax\n${BASE.replace('bitrate: 1M}', 'bitrate: 1M')}expect:\n  copies-identical: true\n`, /:5:5: this `\{` is not closed: end the map with `\}`/],
    ['missing expect', `name: no-expect\n${BASE}`, /:1:1: a scenario needs `expect`/],
  ];
  for (const [what, text, problem] of invalid) {
    it(`an invalid file (${what}): exit 2 before anything runs, with file:line:col and what is wrong`, async () => {
      const file = scenarioFile(`invalid-${what.replace(/ /g, '-')}`, text);
      const r = await runOfp(['testbed', 'run', file, '--out', runs], TIMEOUT);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      const first = lines(r.stderr)[0]!;
      expect(first.startsWith(`error bad-scenario: ${file}:`), first).toBe(true);
      expect(first).toMatch(problem);
      expect(r.stderr).toMatch(/nothing was run \(the scenario reference: testbed\/README\.md\)/);
      expect(existsSync(join(runs, text.split('\n')[0]!.slice('name: '.length)))).toBe(false);
    });
  }

  it('usage errors exit 2: an unknown scenario name (with a suggestion), a bad flag value', async () => {
    const name = await runOfp(['testbed', 'run', 'failover-mid-strem', '--out', runs], TIMEOUT);
    expect(name.code).toBe(2);
    expect(name.stderr).toMatch(/^error usage: no bundled scenario is named "failover-mid-strem" \(did you mean failover-mid-stream\?\)/m);
    const mode = await runOfp(['testbed', 'run', 'failover-mid-stream', '--mode', 'fast', '--out', runs], TIMEOUT);
    expect(mode.code).toBe(2);
    expect(mode.stderr).toMatch(/^error usage: .*--mode=fast/m);
  });

  it('a harness failure exits 3 and says which part: here the runs folder cannot be made', async () => {
    const notADir = join(dir, 'a-file');
    writeFileSync(notADir, 'not a directory');
    const r = await runOfp(['testbed', 'run', 'redirect-flow', '--out', notADir], TIMEOUT);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^error harness: artifacts: cannot make the run's folder under .*a-file \((ENOTDIR|EEXIST)\)/m);
  });

  it('--scale runs a cut-down copy and says so in the command that reproduces it', async () => {
    const r = await runOfp(['testbed', 'run', 'scale-1000x10000', '--scale', '0.01', '--json', '--trace-cap', '0', '--out', runs], TIMEOUT);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { runs: { reproduce: string; figures: { clients: number; completed: number; elapsed: number } }[] };
    expect(doc.runs[0]!.figures).toMatchObject({ clients: 100, completed: 100 });
    expect(doc.runs[0]!.reproduce).toBe('ofp testbed run scale-1000x10000 --mode sim --seed 1 --scale 0.01');
    expect(readFileSync(join(runs, 'scale-1000x10000', 'latest', 'trace.ndjson'), 'utf8')).toBe('');
  });
});

describe('ofp testbed matrix', () => {
  const scenarios = ['redirect-flow', impossible, unmeasurable].join(',');

  it('prints a ✓ ✕ ? table of scenarios × modes over the seeds, and exits 1 when a cell failed', async () => {
    const r = await runOfp(['testbed', 'matrix', '--scenarios', scenarios, '--seeds', '2', '--out', runs], TIMEOUT);
    expect(r.code, r.stderr).toBe(1);
    expect(lines(r.stdout).map((l) => l.trimEnd().split(/ +/))).toEqual([['scenario', 'sim'], ['redirect-flow', '✓'], ['impossible', '✕'], ['unmeasurable', '?']]);
    expect(r.stderr).toMatch(/▸ redirect-flow · sim · seed 2/);
    expect(r.stderr).toMatch(/✕ fail \(handoffs; reproduce: ofp testbed run \S+impossible\.yaml --mode sim --seed 7\)/);
  });

  it('--markdown prints a Markdown table; --json every cell with its runs', async () => {
    const md = await runOfp(['testbed', 'matrix', '--scenarios', scenarios, '--markdown', '--out', runs], TIMEOUT);
    expect(md.code).toBe(1);
    expect(lines(md.stdout)).toEqual(['| scenario | sim |', '| --- | :---: |', '| redirect-flow | ✓ |', '| impossible | ✕ |', '| unmeasurable | ? |']);
    const json = await runOfp(['testbed', 'matrix', '--scenarios', scenarios, '--json', '--seeds', '2', '--out', runs], TIMEOUT);
    expect(json.code).toBe(1);
    const doc = JSON.parse(json.stdout) as { modes: string[]; seeds: number; exit: number; cells: { scenario: string; mode: string; verdict: string; runs: { seed: number; verdict: string; failed: string[] }[] }[] };
    expect(doc).toMatchObject({ modes: ['sim'], seeds: 2, exit: 1 });
    expect(doc.cells.map((c) => [c.scenario, c.mode, c.verdict])).toEqual([['redirect-flow', 'sim', 'pass'], ['impossible', 'sim', 'fail'], ['unmeasurable', 'sim', 'unknown']]);
    expect(doc.cells[1]!.runs).toEqual([expect.objectContaining({ seed: 7, verdict: 'fail', failed: ['handoffs'] }), expect.objectContaining({ seed: 8, verdict: 'fail', failed: ['handoffs'] })]);
  });

  it('an invalid scenario among them: exit 2 before any run', async () => {
    const bad = scenarioFile('matrix-bad', `name: matrix-bad\n${BASE}expect:\n  copies-identicl: true\n`);
    const r = await runOfp(['testbed', 'matrix', '--scenarios', `redirect-flow,${bad}`, '--out', join(dir, 'matrix-bad-runs')], TIMEOUT);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error bad-scenario: .*matrix-bad\.yaml:11:3: unknown key `copies-identicl` in expect \(did you mean `copies-identical`\?\)/);
    expect(existsSync(join(dir, 'matrix-bad-runs'))).toBe(false);
  });
});
