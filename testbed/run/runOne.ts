/**
 * One run of a scenario in one mode with one seed: run it, check every
 * expectation, write the artifact folder. A run that cannot be made (real
 * mode missing, a role that cannot start) is a harness failure, reported as
 * such, never as a verdict on the scenario.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ModeOutput, Scenario } from '../scenario/types.js';
import { runSim } from '../sim/runSim.js';
import { linkLatest, runDir, writeArtifacts } from './artifacts.js';
import { checkRun, verdictOf } from './checks.js';
import { HarnessError, RunInterrupted } from '../../src/errors.js';
import { loadRealRunner, type RealExtras } from './realMode.js';
import { figuresOf, type Mode, type RunResult } from './result.js';

export interface RunOneOptions {
  readonly mode: Mode;
  readonly seed: number;
  /** Where artifact folders go (`runs`). */
  readonly out: string;
  /** How the user named the scenario (for the command that reproduces the run). */
  readonly target: string;
  /** The scale the scenario was read with (1: as written). */
  readonly scale?: number;
  readonly traceCap?: number;
  readonly progress: (line: string) => void;
  readonly signal?: AbortSignal;
  /** Options passed through to real mode (testbed/real/run.ts), e.g. a live view of the run. */
  readonly real?: RealExtras;
}

export function reproduceCommand(o: Pick<RunOneOptions, 'target' | 'mode' | 'seed' | 'scale'>): string {
  const target = /^[\w./-]+$/.test(o.target) ? o.target : JSON.stringify(o.target);
  return `ofp testbed run ${target} --mode ${o.mode} --seed ${o.seed}${o.scale !== undefined && o.scale !== 1 ? ` --scale ${o.scale}` : ''}`;
}

export async function runOne(sc: Scenario, o: RunOneOptions): Promise<{ result: RunResult; output?: ModeOutput }> {
  let dir: string;
  try {
    dir = runDir(o.out, sc.name, o.mode, o.seed);
  } catch (e) {
    throw new HarnessError('artifacts', `cannot make the run's folder under ${o.out} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): give a writable directory with --out or OFP_TESTBED_OUT`);
  }
  const reproduce = reproduceCommand(o);
  let output: ModeOutput | undefined;
  let harness: string | undefined;
  try {
    if (o.mode === 'sim') {
      output = await runSim(sc, { seed: o.seed, progress: o.progress, ...(o.traceCap !== undefined ? { traceCap: o.traceCap } : {}), ...(o.signal ? { signal: o.signal } : {}) });
    } else {
      const runReal = await loadRealRunner();
      const workDir = join(dir, 'work');
      mkdirSync(workDir, { recursive: true });
      output = await runReal(sc, { seed: o.seed, progress: o.progress, workDir, ...(o.signal ? { signal: o.signal } : {}) }, o.real);
    }
  } catch (e) {
    if (e instanceof RunInterrupted) throw e;
    if (o.signal?.aborted) throw new RunInterrupted('aborted');
    harness = e instanceof HarnessError ? e.message : `${o.mode} mode: ${e instanceof Error ? e.message : String(e)}`;
  }
  const checks = output ? checkRun(sc, output.record) : [];
  const result: RunResult = {
    scenario: sc.name,
    mode: o.mode,
    seed: o.seed,
    verdict: output ? verdictOf(checks) : 'unknown',
    checks,
    ...(output ? { figures: figuresOf(output.record) } : {}),
    ...(harness ? { harness } : {}),
    dir,
    reproduce,
  };
  try {
    writeArtifacts(dir, sc, result, output);
    linkLatest(o.out, sc.name, dir);
  } catch (e) {
    throw new HarnessError('artifacts', `cannot write the run's artifacts in ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return { result, ...(output ? { output } : {}) };
}
