/**
 * `ofp testbed run NAME|FILE`: run a scenario (several times with --repeat,
 * one seed after another), print each run's verdict and checks, and exit 0
 * (pass, or unknown), 1 (an expectation failed), 2 (invalid scenario or
 * usage) or 3 (harness failure).
 */
import { formatMs } from '../scenario/units.js';
import type { Mode, RunResult } from '../run/result.js';
import { HarnessError, RunInterrupted } from '../../src/errors.js';
import type { RealExtras } from '../run/realMode.js';
import { runOne } from '../run/runOne.js';
import { MARK } from '../run/summary.js';
import { TestbedDashboard, uiProblem } from './dashboard.js';
import { loadTarget } from './load.js';
import { errorLine, EXIT, interruptible, type OutputMode, Printer, type Sink } from './printer.js';

export interface TestbedRunOptions {
  readonly target: string;
  readonly mode: Mode;
  /** The first seed (default: the scenario's). */
  readonly seed?: number;
  readonly repeat: number;
  readonly output: OutputMode;
  readonly out: string;
  readonly scale?: number;
  readonly traceCap?: number;
  /** Options passed through to real mode. */
  readonly real?: RealExtras;
  /** Watch the run on the dashboard, with keys that inject faults (real mode, one run). */
  readonly ui?: boolean;
  readonly stdout?: Sink;
  readonly stderr?: Sink;
}

/** The exit status for a set of runs: a harness failure outranks a failed expectation. */
export function exitFor(results: readonly RunResult[]): number {
  if (results.some((r) => r.harness)) return EXIT.harness;
  if (results.some((r) => r.verdict === 'fail')) return EXIT.failed;
  return EXIT.pass;
}

export async function testbedRun(o: TestbedRunOptions): Promise<number> {
  const p = new Printer(o.output, o.stdout, o.stderr);
  const uiRefused = o.ui ? uiProblem(o) : undefined;
  if (uiRefused) {
    p.notice(errorLine('usage', uiRefused));
    return EXIT.usage;
  }
  const loaded = loadTarget(o.target, o.scale ?? 1);
  if (!loaded.ok) {
    for (const l of loaded.lines) p.notice(l);
    return EXIT.usage;
  }
  const sc = loaded.scenario;
  const first = o.seed ?? sc.seed;
  const results: RunResult[] = [];
  const ui = o.ui ? new TestbedDashboard() : undefined;
  try {
    await interruptible(async (signal) => {
      for (let i = 0; i < o.repeat; i++) {
        const seed = (first + i) >>> 0;
        const tag = `${sc.name} · ${o.mode} · seed ${seed}`;
        p.event('run-start', { scenario: sc.name, mode: o.mode, seed });
        p.progress(`▸ ${tag}: ${sc.description || 'running'}`, { scenario: sc.name, mode: o.mode, seed });
        const { result } = await runOne(sc, {
          mode: o.mode,
          seed,
          out: o.out,
          target: o.target,
          ...(o.scale !== undefined ? { scale: o.scale } : {}),
          ...(o.traceCap !== undefined ? { traceCap: o.traceCap } : {}),
          progress: (line) => ui?.progress(line) || p.progress(`  ${tag}: ${line}`, { scenario: sc.name, mode: o.mode, seed }),
          signal,
          ...(o.real ? { real: o.real } : {}),
        });
        results.push(result);
        await ui?.finish(result.harness ? 'harness failure' : result.verdict);
        report(p, result);
      }
    });
  } catch (e) {
    if (e instanceof HarnessError) {
      p.notice(errorLine(e.code, e.message));
      return EXIT.harness;
    }
    if (!(e instanceof RunInterrupted)) throw e;
    p.notice(errorLine(e.code, `stopped after ${results.length} of ${o.repeat} run(s)`));
    return EXIT.interrupted;
  } finally {
    await ui?.dispose();
  }
  const code = exitFor(results);
  if (o.repeat > 1) {
    const n = (v: string) => results.filter((r) => r.verdict === v && !r.harness).length;
    p.result(`${results.length} runs: ${n('pass')} ✓, ${n('fail')} ✕, ${results.length - n('pass') - n('fail')} ?`);
  }
  p.document({ scenario: sc.name, description: sc.description, mode: o.mode, runs: results, verdict: worst(results), exit: code });
  return code;
}

function worst(results: readonly RunResult[]): string {
  return results.some((r) => r.harness) ? 'harness-failure' : results.some((r) => r.verdict === 'fail') ? 'fail' : results.some((r) => r.verdict === 'unknown') ? 'unknown' : 'pass';
}

function report(p: Printer, r: RunResult): void {
  for (const c of r.checks) p.event('check', { scenario: r.scenario, mode: r.mode, seed: r.seed, ...c });
  p.event('run', { ...r });
  const head = r.harness ? `? ${r.scenario} · ${r.mode} · seed ${r.seed} · harness failure` : `${MARK[r.verdict]} ${r.scenario} · ${r.mode} · seed ${r.seed} · ${r.verdict}`;
  p.result(head);
  const width = Math.max(0, ...r.checks.map((c) => c.name.length));
  for (const c of r.checks) p.result(`  ${MARK[c.verdict]} ${c.name.padEnd(width)}  ${c.detail}`);
  const f = r.figures;
  if (f) {
    const sim = f.ratio !== undefined ? ` in ${formatMs(f.wall)} (${f.ratio}× real time), ${f.events} events (${f.eventsPerSecond}/s), trace ${f.traceHash?.slice(0, 20)}…` : ` (wall ${formatMs(f.wall)})`;
    p.result(`  ${formatMs(f.elapsed)} ${r.mode === 'sim' ? 'simulated' : 'run'}${sim}`);
  }
  if (r.dir) p.result(`  artifacts: ${r.dir}`);
  if (r.harness) p.notice(errorLine('harness', r.harness));
  if (r.verdict === 'fail') {
    const failed = r.checks.filter((c) => c.verdict === 'fail');
    for (const c of failed) p.notice(`expectation failed: ${c.name}: ${c.detail}`);
    p.notice(`SEED=${r.seed} reproduce with: ${r.reproduce}`);
  }
}
