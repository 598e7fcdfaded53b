/**
 * The benchmark works: a quick run (`--quick`) ends with every headline
 * figure a finite number (positive where a working run cannot give 0) and no
 * process left behind; and its instruments read what they claim to. Speed is
 * not asserted here: speed is what `npm run bench` measures and reports.
 */
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, encode } from '../src/protocol/codec.js';
import { DATA_CHUNK, REQUEST_PAD_TO } from '../src/protocol/constants.js';
import { MESSAGE_TYPES } from '../src/protocol/messages.js';
import { compareCopy } from '../bench/copyCheck.js';
import { readData } from '../bench/dataReader.js';
import { KINDS, planRounds } from '../bench/handoff.js';
import { parseOptions, UsageProblem } from '../bench/options.js';
import { pingEcho } from '../bench/ping.js';
import type { BenchResults } from '../bench/report.js';
import { FIRST_RID, RequestTemplate } from '../bench/requestTemplate.js';
import { median, percentile, summarize } from '../bench/stats.js';
import { syntheticBytes } from '../src/media/synthetic.js';
import { arbFittingMessage, arbMessageOf, arbMutation, mutate } from './helpers/arbitraries.js';

const RUN = fileURLToPath(new URL('../dist/bench/run.js', import.meta.url));
const QUICK_RUN_LIMIT = 150_000;

/** The figures a full run reports that are positive in any run that worked. */
const POSITIVE_FIGURES = [
  'startup.node.ms',
  ...['version', 'master.help', 'client.get.help', 'master.listening', 'server.listening', 'client.get.listening'].flatMap((k) => [`startup.${k}.ms`, `startup.${k}.ratio`]),
  'startup.worstRatio',
  ...['redirect', 'relay'].flatMap((k) => [
    'master.requestsPerSecond',
    'echo.requestsPerSecond',
    'ratio',
    'master.p50Ms',
    'echo.p50Ms',
    'p50Ratio',
    'master.p99Ms',
    'echo.p99Ms',
    'p99Ratio',
  ].map((f) => `${k}.${f}`)),
  ...['encode', 'decode'].flatMap((op) => ['data', 'request', 'load'].flatMap((m) => [`codec.${op}.${m}.perSecond`, `codec.${op}.${m}.ratio`])),
  'codec.worstRatio',
  'sim.servers',
  'sim.clients',
  'sim.timeRatio',
  'sim.eventsPerSecond',
  'sim.bareEventsPerSecond',
  'sim.eventRatio',
  'sim.wallSeconds',
  'sim.heapMiB',
  'sim.passed',
  'masters.takeoverP50Ms',
  'masters.takeoverP99Ms',
  'masters.takeoverMaxMs',
  'masters.takeovers',
  'masters.detectP50Ms',
  'masters.budgetMs',
  'masters.ratio',
  'masters.passed',
  ...['masters', 'servers', 'membershipMs', 'supervisionMs', 'assignP99Ms', 'assignEverywhere'].map((f) => `masters.convergence.${f}`),

  ...['portal.redirectsPerSecond', 'one.redirectsPerSecond', 'ratio', 'portal.p99Ms', 'one.p99Ms', 'p99Ratio'].map((f) => `portal.${f}`),
  ...['frameP50Ms', 'frameP99Ms', 'frameMeanMs', 'cpuPerFrameMs', 'baselineMs', 'ratio', 'keyP50Ms', 'keyP99Ms', 'framesUnderLoad'].map((f) => `dashboard.${f}`),
  'streams.sustained',
  'streams.packetsPerSecond',
  'streams.raw.deliveredPerSecond',
  'streams.raw.sentPerSecond',
  'streams.ratio',
  'handoff.rttMs',
  'handoff.failure.budgetMs',
  'handoff.planned.budgetMs',
  'handoff.runs',
  'handoff.maxGapMs',
  ...KINDS.map((k) => `handoff.${k}.runs`),
];

/** Figures that are finite but may be 0 (bytes lost, a gap under a millisecond, …). */
const FINITE_FIGURES = [
  // The quick run's view: 10 servers, no loss (a share, times, deaths that must be 0, bytes).
  ...['withinTarget', 'p50Ms', 'p99Ms', 'deadP99Ms', 'falseDeaths', 'bytesIdle', 'bytesLoaded'].map((f) => `view.10.loss0.${f}`),
  ...['silencePerHour', 'startPerHour', 'retriesPerHour', 'damaged'].map((f) => `silence.4M.${f}`),
  ...[1, 2, 3].flatMap((i) => ['greatest-available-bandwidth', 'round-robin'].flatMap((p) => [`spread.${i}.${p}.even`, `spread.${i}.${p}.totals`])),
  // The quick run's job: 12 servers.
  ...['ratio', 'cascadeMs', 'starOverCascade', 'depth'].map((f) => `jobs.12.${f}`),
  // A share of clients, and a delay that is 0 when every client is served at its own site.
  ...['default', 'nearest-echo', 'nearest-location'].flatMap((a) => [`masters.proximity.${a}.ownSite`, `masters.proximity.${a}.meanDelayMs`]),
  'handoff.identical',
  'handoff.bytesLost',
  'handoff.bytesTwice',
  'handoff.gapsUnder1s',
  'handoff.diff.runs',
  'handoff.diff.p50AbsMs',
  'handoff.diff.maxAbsMs',
  'handoff.failure.recoveryP50Ms',
  'handoff.failure.recoveryMaxMs',
  ...KINDS.flatMap((k) => ['gapP50Ms', 'gapP95Ms', 'gapMaxMs', 'ratioP50', 'ratioP95', 'ratioMax'].map((f) => `handoff.${k}.${f}`)),
];

const FIGURES = [...POSITIVE_FIGURES, ...FINITE_FIGURES];

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function runBench(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [RUN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    proc.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => proc.kill('SIGINT'), QUICK_RUN_LIMIT);
    proc.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npm run bench, quick', () => {
  it('reports every figure as a finite number and leaves no process behind', async () => {
    expect(existsSync(RUN), 'dist/bench/run.js is missing: build first (npm test builds)').toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'ofp-bench-test-'));
    let run: Awaited<ReturnType<typeof runBench>>;
    let text: string;
    try {
      const out = join(dir, 'results.json');
      run = await runBench(['--quick', '--json', '--out', out]);
      expect(run.code, run.stderr).toBe(0);
      text = readFileSync(out, 'utf8');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const results = JSON.parse(text) as BenchResults;
    expect(JSON.parse(run.stdout)).toEqual(results);
    expect(Object.keys(results.figures).sort()).toEqual([...FIGURES].sort());
    for (const name of POSITIVE_FIGURES) {
      const value = results.figures[name]!;
      expect(Number.isFinite(value) && value > 0, `${name} = ${value}`).toBe(true);
    }
    for (const name of FINITE_FIGURES) {
      const value = results.figures[name]!;
      expect(Number.isFinite(value) && value >= 0, `${name} = ${value}`).toBe(true);
    }
    expect(results.quick).toBe(true);
    expect(results.redirect!.rounds.length).toBeGreaterThan(0);
    expect(results.relay!.mode).toBe('relay');
    expect(results.relay!.rounds.length).toBeGreaterThan(0);
    // The quick run simulates a fiftieth of the scale scenario, which must pass its own expectations.
    expect(results.sim!.verdict, results.sim!.failed.join('; ')).toBe('pass');
    expect(results.sim!.servers).toBe(20);
    // Both simulated runs of the master failover pass their checks, each server taken over within the budget.
    expect(results.masters!.passed).toBe(results.masters!.runs);
    expect(results.masters!.takeoverMs.max).toBeLessThanOrEqual(results.masters!.budgetMs);
    // The large group's run passes its checks, and every assignment reached every other master.
    const conv = results.masters!.convergence;
    expect(conv.passed).toBe(true);
    expect(conv.assignments).toBe(conv.settings.clients);
    expect(conv.assignmentsEverywhere).toBe(conv.assignments);
    // Proximity: echoed round trips bring most clients to their own site, a location all of them; the default policy looks at neither.
    const arm = (a: string) => results.masters!.proximity.arms.find((x) => x.arm === a)!;
    expect(arm('nearest-location').ownSite).toBe(1);
    expect(arm('nearest-echo').ownSite).toBeGreaterThan(0.9);
    expect(arm('default').ownSite).toBeLessThan(arm('nearest-echo').ownSite);
    // The servers' view: it formed; every other server heard of the drain within 2 s and held the killed one dead within
    // the budget; none was declared dead falsely; it cost bytes, more while loads change than idle.
    const v = results.view!.runs[0]!;
    expect(v).toMatchObject({ servers: 10, loss: 0, withinTarget: 1, seenDead: 1, falseDeaths: 0 });
    expect(Number.isFinite(v.formedMs[0])).toBe(true);
    expect(v.deadMs.max).toBeLessThanOrEqual(v.deadBudgetMs);
    expect(v.bytesIdle).toBeGreaterThan(0);
    expect(v.bytesLoaded).toBeGreaterThan(v.bytesIdle);
    // A job reached the quick run's 12 servers through a cascade: near its pipelined bound, well ahead of the star.
    const jr = results.jobs!.runs[0]!;
    expect(jr).toMatchObject({ servers: 12 });
    expect(jr.depth).toBeGreaterThanOrEqual(2);
    expect(jr.ratio).toBeLessThan(1.3);
    expect(jr.starOverCascade).toBeGreaterThan(1.5);
    // Streams from servers that never fail: every copy whole, no server given up for silence.
    expect(results.silence!.runs.map((r) => [r.damaged, r.silencePerHour])).toEqual([[0, 0]]);
    // Bursts at identical servers: the default policy keeps them within one stream of each other as each starts.
    for (const x of results.spread!.runs.filter((r) => r.identical)) expect(x.even, `${x.sequence}, ${x.policy}`).toBeLessThanOrEqual(1);
    // Redirects came back through the portal, from its two masters.
    expect(results.portal!.masters).toBe(2);
    expect(results.portal!.rounds.every((r) => r.portal.completed > 0 && r.one.completed > 0)).toBe(true);
    expect(results.dashboard!.react).toBe('production');
    expect(results.codec!.ops.map((o) => o.name)).toEqual(['encode data', 'decode data', 'encode request', 'decode request', 'encode load', 'decode load']);
    expect(results.streams!.steps.some((s) => s.ok)).toBe(true);
    // Every client of every planned round was run, its copy compared.
    const h = results.handoff!;
    expect(h.runs.length).toBe(planRounds(h.settings).length * h.settings.clients);
    expect(h.total).toBe(h.runs.length);
    for (const r of h.runs) expect(r.copy.expected).toBe(h.size);
    // The master, its server, the echo, the streams' server and master, the blaster; the portal
    // section's master and server, and its two masters, their server and the portal; the handoff
    // section's echo, master, standby, primaries, clients and commands: all started, all gone.
    expect(results.processes.length).toBeGreaterThanOrEqual(6 + 2 + 4 + 4 + 4 * h.settings.clients);
    for (const p of results.processes) expect(alive(p.pid), `${p.name} (pid ${p.pid}) is still running`).toBe(false);
  }, QUICK_RUN_LIMIT + 20_000);

  it('refuses an unknown section or argument with a usage error', async () => {
    const run = await runBench(['--only', 'everything']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--only "everything": use startup, redirect, relay, portal, streams, handoff, silence, spread, masters, view, jobs, codec, sim or dashboard/);
    expect(() => parseOptions(['--fast'])).toThrow(UsageProblem);
    expect(parseOptions(['--only', 'streams', '--quick']).sections).toEqual(['streams']);
    expect(parseOptions(['--only=handoff']).sections).toEqual(['handoff']);
    // Several sections, in the suite's own order whatever order they are given in.
    expect(parseOptions(['--only', 'sim,codec,relay']).sections).toEqual(['relay', 'codec', 'sim']);
    expect(parseOptions(['--only', 'masters,portal']).sections).toEqual(['portal', 'masters']);
    expect(() => parseOptions(['--only', 'codec,nothing'])).toThrow(/--only "nothing"/);
  });
});

describe('benchmark instruments', () => {
  it('readData reads what the decoder reads from every data packet', () => {
    fc.assert(fc.property(arbFittingMessage({ maxItems: 4, maxBytes: DATA_CHUNK }, 'data'), (m) => {
      if (m.type !== 'data') return;
      // A later flow (S2.4) is left to the full decoder; the sink streams single-flow files.
      if ((m.fl ?? 0) > 0) expect(readData(encode(m))).toBeUndefined();
      else expect(readData(encode(m))).toEqual({ sid: m.sid, off: m.off, len: m.data.length });
    }), { numRuns: 300 });
  });

  it('readData reads nothing from other messages', () => {
    const others = MESSAGE_TYPES.filter((t) => t !== 'data');
    fc.assert(fc.property(fc.constantFrom(...others).chain((t) => arbMessageOf(t, { maxItems: 3, maxBytes: 64 })), (m) => {
      expect(readData(encode(m))).toBeUndefined();
    }), { numRuns: 300 });
  });

  it('readData reads nothing from a packet whose stream id is 0, which the decoder rejects', () => {
    const bytes = encode({ type: 'data', sid: 256, seq: 65536, off: 2 ** 32, data: new Uint8Array(8), re: false, fl: 0, ch: false });
    const sidAt = Buffer.from(bytes).indexOf(Buffer.from('sid')) + 3;
    expect(bytes[sidAt]).toBe(0xcd);
    expect(readData(bytes)).toEqual({ sid: 256, off: 2 ** 32, len: 8 });
    const zero = Uint8Array.from(bytes);
    zero[sidAt + 1] = 0; // 0x0100 becomes 0x0000
    expect(decode(zero).ok).toBe(false);
    expect(readData(zero)).toBeUndefined();
  });

  it('whatever readData reads from damaged bytes, the decoder reads the same', () => {
    const packet = arbMessageOf('data', { maxBytes: 64 });
    fc.assert(fc.property(packet, fc.array(arbMutation, { minLength: 1, maxLength: 4 }), (m, mutations) => {
      const bytes = mutate(encode(m), mutations);
      const fields = readData(bytes);
      if (!fields) return;
      const d = decode(bytes);
      expect(d.ok).toBe(true);
      if (!d.ok || d.msg.type !== 'data') throw new Error(`decoded as ${d.ok ? d.msg.type : d.code}`);
      expect(d.msg.fl ?? 0).toBe(0);
      expect(fields).toEqual({ sid: d.msg.sid, off: d.msg.off, len: d.msg.data.length });
    }), { numRuns: 2000 });
  });

  it('a request template gives padded requests that decode with the rid written in', () => {
    const template = new RequestTemplate({ type: 'request', file: 'bench-small.bin', mode: 'redirect' });
    for (const rid of [FIRST_RID, FIRST_RID + 1, 0x8765_4321, 0xffff_ffff]) {
      const bytes = template.with(rid);
      expect(bytes.length).toBe(REQUEST_PAD_TO);
      const d = decode(bytes);
      expect(d.ok && d.msg).toMatchObject({ type: 'request', rid, file: 'bench-small.bin', mode: 'redirect' });
    }
    expect(() => template.with(FIRST_RID - 1)).toThrow(RangeError);
  });

  it('statistics: nearest-rank percentiles and the median', () => {
    const xs = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(summarize(xs)).toMatchObject({ n: 100, p50: 50, p99: 99, mean: 50.5 });
    expect(percentile([], 50)).toBeNaN();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('handoff instruments', () => {
  const original = syntheticBytes(0x1234, 0, 20_000);
  /** A copy made of runs of the original, [start, end) each. */
  const copyOf = (runs: readonly (readonly [number, number])[]) => Buffer.concat(runs.map(([a, b]) => original.subarray(a, b)));

  it('a copy that is the original is identical, with nothing lost or repeated', () => {
    expect(compareCopy(Buffer.from(original), original)).toEqual({ identical: true, size: 20_000, expected: 20_000, lost: 0, twice: 0, foreign: 0 });
  });

  it('counts the bytes lost, written twice and from nowhere', () => {
    expect(compareCopy(copyOf([[0, 5_500], [6_600, 20_000]]), original)).toMatchObject({ identical: false, lost: 1_100, twice: 0, foreign: 0, firstDifference: 5_500 });
    expect(compareCopy(copyOf([[0, 6_600], [5_500, 20_000]]), original)).toMatchObject({ identical: false, lost: 0, twice: 1_100, foreign: 0, firstDifference: 6_600 });
    expect(compareCopy(copyOf([[0, 12_345]]), original)).toMatchObject({ identical: false, lost: 20_000 - 12_345, twice: 0, foreign: 0, firstDifference: 12_345 });
    const garbage = Buffer.concat([copyOf([[0, 1_000]]), Buffer.alloc(37, 7), copyOf([[1_000, 20_000]])]);
    expect(compareCopy(garbage, original)).toMatchObject({ identical: false, lost: 0, twice: 0, foreign: 37, firstDifference: 1_000 });
  });

  it('counts exactly for copies made of word-aligned runs of the original', () => {
    const word = fc.integer({ min: 0, max: 20_000 / 8 }).map((w) => w * 8);
    const run = fc.tuple(word, word).filter(([a, b]) => a !== b).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const);
    fc.assert(fc.property(fc.array(run, { minLength: 1, maxLength: 6 }), (runs) => {
      const copy = copyOf(runs);
      const covered = new Uint8Array(original.length);
      let total = 0;
      for (const [a, b] of runs) {
        covered.fill(1, a, b);
        total += b - a;
      }
      const union = covered.reduce((n, x) => n + x, 0);
      const r = compareCopy(copy, original);
      expect(r.identical).toBe(copy.equals(original));
      if (r.identical) return;
      // Runs that continue one another read as one run: the counts are the same either way.
      expect({ lost: r.lost, twice: r.twice, foreign: r.foreign }).toEqual({ lost: original.length - union, twice: total - union, foreign: 0 });
    }), { numRuns: 300 });
  });

  it('plans the rounds of each kind, interleaved, drains alternating the command and SIGTERM', () => {
    const plan = planRounds({ clients: 3, rounds: { failure: 4, drain: 2, overload: 2, operator: 2 }, fileMs: 3_000, actAtMs: 800, pings: 10 });
    expect(plan).toHaveLength(10);
    for (const [kind, n] of [['failure', 4], ['drain', 2], ['overload', 2], ['operator', 2]] as const) expect(plan.filter((p) => p.kind === kind)).toHaveLength(n);
    expect(plan.filter((p) => p.kind === 'drain').map((p) => p.trigger)).toEqual(['ofp server drain', 'SIGTERM']);
    expect(plan.filter((p) => p.kind === 'failure').every((p) => p.trigger === 'SIGKILL')).toBe(true);
    expect(plan.slice(0, 4).map((p) => p.kind).sort()).toEqual([...KINDS].sort());
    // A failure last: the run does not wait for the master to mark its server down.
    expect(plan.at(-1)!.kind).toBe('failure');
  });

  it('pings an echo and reports its round trip', async () => {
    const echo = dgram.createSocket('udp4');
    echo.on('message', (msg, rinfo) => echo.send(msg, rinfo.port, rinfo.address));
    await new Promise<void>((resolve) => echo.bind(0, '127.0.0.1', () => resolve()));
    try {
      const r = await pingEcho(`127.0.0.1:${echo.address().port}`, 20, 1_000);
      expect(r).toMatchObject({ sent: 20, answered: 20 });
      expect(r.p50).toBeGreaterThan(0);
      expect(r.p95).toBeGreaterThanOrEqual(r.p50);
    } finally {
      echo.close();
    }
  });
});
