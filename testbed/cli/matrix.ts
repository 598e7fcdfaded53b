/**
 * `ofp testbed matrix`: scenarios × modes, each over N seeds, as a ✓ ✕ ?
 * table (text, Markdown or JSON). A cell is ✓ when every seed passed, ✕ when
 * one failed, ? when the runs could not tell (an unknown check, or the mode
 * could not run: harness failure).
 */
import { bundledScenarios } from '../scenario/bundled.js';
import type { Mode, RunResult } from '../run/result.js';
import type { Scenario } from '../scenario/types.js';
import { HarnessError, RunInterrupted } from '../../src/errors.js';
import { runOne } from '../run/runOne.js';
import { MARK } from '../run/summary.js';
import { loadTarget } from './load.js';
import { errorLine, EXIT, interruptible, Printer, type Sink } from './printer.js';
import { exitFor } from './run.js';

export interface TestbedMatrixOptions {
  /** Names or files; default: every bundled scenario but those tagged `scale`. */
  readonly scenarios?: readonly string[];
  readonly modes: readonly Mode[];
  readonly seeds: number;
  /** The first seed of each scenario (default: its own). */
  readonly seed?: number;
  readonly format: 'text' | 'markdown' | 'json';
  readonly out: string;
  readonly stdout?: Sink;
  readonly stderr?: Sink;
}

export interface MatrixCell {
  readonly scenario: string;
  readonly mode: Mode;
  readonly verdict: 'pass' | 'fail' | 'unknown';
  readonly runs: readonly { seed: number; verdict: string; failed: string[]; harness?: string; dir?: string }[];
}

export async function testbedMatrix(o: TestbedMatrixOptions): Promise<number> {
  const p = new Printer(o.format === 'json' ? 'json' : 'human', o.stdout, o.stderr);
  let targets = o.scenarios ? [...o.scenarios] : undefined;
  // By default, real mode runs only the scenarios tagged `short`: the others start too many processes.
  const chosen = targets !== undefined;
  const loaded: { target: string; sc: Scenario }[] = [];
  if (!targets) {
    targets = [];
    for (const b of bundledScenarios()) {
      const l = loadTarget(b.file);
      if (l.ok && l.scenario.tags.includes('scale')) continue;
      targets.push(b.name);
    }
  }
  for (const t of targets) {
    const l = loadTarget(t);
    if (!l.ok) {
      for (const line of l.lines) p.notice(line);
      return EXIT.usage;
    }
    loaded.push({ target: t, sc: l.scenario });
  }
  const cells: MatrixCell[] = [];
  const all: RunResult[] = [];
  try {
    await interruptible(async (signal) => {
      for (const { target, sc } of loaded) {
        for (const mode of o.modes) {
          if (mode === 'real' && !chosen && !sc.tags.includes('short')) {
            p.notice(`▸ ${sc.name} · real: not run (not tagged short: too many processes for real mode; name it with --scenarios to run it)`);
            continue;
          }
          const runs: MatrixCell['runs'][number][] = [];
          for (let i = 0; i < o.seeds; i++) {
            const seed = ((o.seed ?? sc.seed) + i) >>> 0;
            p.notice(`▸ ${sc.name} · ${mode} · seed ${seed}`);
            const { result } = await runOne(sc, { mode, seed, out: o.out, target, progress: (line) => p.notice(`  ${line}`), signal });
            all.push(result);
            const failed = result.checks.filter((c) => c.verdict === 'fail').map((c) => c.name);
            runs.push({ seed, verdict: result.harness ? 'harness-failure' : result.verdict, failed, ...(result.harness ? { harness: result.harness } : {}), ...(result.dir ? { dir: result.dir } : {}) });
            p.notice(`  ${result.harness ? `? harness failure: ${result.harness}` : `${MARK[result.verdict]} ${result.verdict}${failed.length ? ` (${failed.join(', ')}; reproduce: ${result.reproduce})` : ''}`}`);
            // A mode that cannot run will not run with the next seed either.
            if (result.harness) break;
          }
          const verdict = runs.some((r) => r.verdict === 'fail') ? 'fail' : runs.every((r) => r.verdict === 'pass') ? 'pass' : 'unknown';
          cells.push({ scenario: sc.name, mode, verdict, runs });
        }
      }
    });
  } catch (e) {
    if (e instanceof HarnessError) {
      p.notice(errorLine(e.code, e.message));
      return EXIT.harness;
    }
    if (!(e instanceof RunInterrupted)) throw e;
    p.notice(errorLine(e.code, `stopped after ${all.length} run(s)`));
    return EXIT.interrupted;
  }
  const out = o.stdout ?? process.stdout;
  const code = exitFor(all);
  if (o.format === 'json') out.write(JSON.stringify({ modes: o.modes, seeds: o.seeds, cells, exit: code }, null, 2) + '\n');
  else out.write(renderMatrix(cells, o.modes, o.format === 'markdown'));
  return code;
}

export function renderMatrix(cells: readonly MatrixCell[], modes: readonly Mode[], markdown: boolean): string {
  const names = [...new Set(cells.map((c) => c.scenario))];
  const mark = (s: string, m: Mode) => {
    const c = cells.find((x) => x.scenario === s && x.mode === m);
    return c ? MARK[c.verdict] : '–';
  };
  if (markdown) {
    const lines = [`| scenario | ${modes.join(' | ')} |`, `| --- | ${modes.map(() => ':---:').join(' | ')} |`];
    for (const s of names) lines.push(`| ${s} | ${modes.map((m) => mark(s, m)).join(' | ')} |`);
    return lines.join('\n') + '\n';
  }
  const width = Math.max(8, ...names.map((n) => n.length));
  const lines = [`${'scenario'.padEnd(width)}  ${modes.map((m) => m.padEnd(4)).join('  ')}`];
  for (const s of names) lines.push(`${s.padEnd(width)}  ${modes.map((m) => mark(s, m).padEnd(4)).join('  ')}`);
  return lines.join('\n') + '\n';
}
