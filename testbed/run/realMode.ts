/**
 * Real mode for `ofp testbed run`: testbed/real/run.ts (`runReal`) runs the
 * scenario as `ofp` processes on loopback behind the impairment relay; this
 * module turns its result into the ModeOutput both modes give the checkers
 * and the artifact writer. It fails with a HarnessError (exit 3, naming the
 * part that failed) or RunInterrupted (Ctrl-C). The real run is loaded when
 * asked for, so that sim mode never depends on it.
 */
import { HarnessError } from '../../src/errors.js';
import type { RealRun, RealRunOptions } from '../real/run.js';
import type { ModeOptions, ModeOutput, Scenario } from '../scenario/types.js';

/** Options of testbed/real/run.ts that a caller may pass through (everything but what ModeOptions sets). */
export type RealExtras = Omit<Partial<RealRunOptions>, 'workDir' | 'onProgress' | 'signal'>;

export type RealRunner = (scenario: Scenario, options: ModeOptions, extras?: RealExtras) => Promise<ModeOutput>;

export async function loadRealRunner(): Promise<RealRunner> {
  let real: typeof import('../real/run.js');
  try {
    real = await import('../real/run.js');
  } catch (e) {
    throw new HarnessError('real mode', `real mode cannot be loaded: ${(e as Error).message}`);
  }
  return async (sc, o, extras = {}) => {
    // The run's seed drives the relay's links and the attackers, as it drives everything in sim mode.
    return realOutput(await real.runReal({ ...sc, seed: o.seed }, { ...extras, workDir: o.workDir, onProgress: o.progress, ...(o.signal ? { signal: o.signal } : {}) }));
  };
}

/** A real run as ModeOutput: logs as lines, what the kept trace holds. */
export function realOutput(run: RealRun): ModeOutput {
  const info = run.traceInfo;
  const complete = info.bulkEvery === 1 && info.controlEvery === 1;
  const logs: Record<string, string[]> = {};
  for (const [node, text] of Object.entries(run.logs)) logs[node] = text.replace(/\n$/, '').split('\n');
  return {
    record: run.record,
    trace: run.trace,
    ...(complete ? {} : { traceNote: `sampled: ${info.kept} of ${info.datagrams} datagrams (1 in ${info.bulkEvery} data/ack, 1 in ${info.controlEvery} others), evenly over the run` }),
    logs,
  };
}
