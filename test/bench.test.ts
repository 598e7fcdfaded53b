/**
 * The benchmark works: a quick run (`--quick`) ends with every headline
 * figure a finite positive number and no process left behind; and its
 * instruments read what they claim to. Speed is not asserted here: speed is
 * what `npm run bench` measures and reports.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, encode } from '../src/protocol/codec.js';
import { DATA_CHUNK, REQUEST_PAD_TO } from '../src/protocol/constants.js';
import { MESSAGE_TYPES } from '../src/protocol/messages.js';
import { readData } from '../bench/dataReader.js';
import { parseOptions, UsageProblem } from '../bench/options.js';
import type { BenchResults } from '../bench/report.js';
import { FIRST_RID, RequestTemplate } from '../bench/requestTemplate.js';
import { median, percentile, summarize } from '../bench/stats.js';
import { arbFittingMessage, arbMessageOf, arbMutation, mutate } from './helpers/arbitraries.js';

const RUN = fileURLToPath(new URL('../dist/bench/run.js', import.meta.url));
const QUICK_RUN_LIMIT = 60_000;

/** The figures a full run reports; the quick run must give each one. */
const FIGURES = [
  'redirect.master.requestsPerSecond',
  'redirect.echo.requestsPerSecond',
  'redirect.ratio',
  'redirect.master.p50Ms',
  'redirect.echo.p50Ms',
  'redirect.p50Ratio',
  'redirect.master.p99Ms',
  'redirect.echo.p99Ms',
  'redirect.p99Ratio',
  'streams.sustained',
  'streams.packetsPerSecond',
  'streams.raw.deliveredPerSecond',
  'streams.raw.sentPerSecond',
  'streams.ratio',
];

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
  it('reports every figure as a finite positive number and leaves no process behind', async () => {
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
    for (const name of FIGURES) {
      const value = results.figures[name]!;
      expect(Number.isFinite(value) && value > 0, `${name} = ${value}`).toBe(true);
    }
    expect(results.quick).toBe(true);
    expect(results.redirect!.rounds.length).toBeGreaterThan(0);
    expect(results.streams!.steps.some((s) => s.ok)).toBe(true);
    // The master, its server, the echo, the streams' server and master, the blaster: all started, all gone.
    expect(results.processes.length).toBeGreaterThanOrEqual(6);
    for (const p of results.processes) expect(alive(p.pid), `${p.name} (pid ${p.pid}) is still running`).toBe(false);
  });

  it('refuses an unknown section or argument with a usage error', async () => {
    const run = await runBench(['--only', 'everything']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--only "everything": use redirect or streams/);
    expect(() => parseOptions(['--fast'])).toThrow(UsageProblem);
    expect(parseOptions(['--only', 'streams', '--quick']).sections).toEqual(['streams']);
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
