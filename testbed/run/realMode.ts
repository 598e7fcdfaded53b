/**
 * Real mode is testbed/real/run.ts: `runReal(scenario, options)` runs the
 * scenario as `ofp` processes on loopback behind the impairment relay and
 * resolves to the same ModeOutput as sim mode (or rejects on a harness
 * failure: a role that cannot start, a port in use). It is loaded when asked
 * for, so that sim mode never depends on it.
 */
import type { ModeOptions, ModeOutput, Scenario } from '../scenario/types.js';

export type RealRunner = (scenario: Scenario, options: ModeOptions) => Promise<ModeOutput>;

/** A harness failure: the run could not be made (exit 3). `what` says which part. */
export class HarnessError extends Error {
  constructor(
    readonly what: string,
    message: string,
  ) {
    super(message);
    this.name = 'HarnessError';
  }
}

// Not a literal, so that the build does not need the module to exist.
const REAL_MODULE = '../real/run.js';

export async function loadRealRunner(): Promise<RealRunner> {
  let mod: { runReal?: unknown };
  try {
    mod = (await import(REAL_MODULE)) as { runReal?: unknown };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String((e as Error).message).includes('real')) {
      throw new HarnessError('real mode', 'real mode is not available in this build (testbed/real/run.ts is missing): use --mode sim');
    }
    throw new HarnessError('real mode', `real mode cannot be loaded: ${(e as Error).message}`);
  }
  if (typeof mod.runReal !== 'function') throw new HarnessError('real mode', 'real mode is not available: testbed/real/run.ts exports no runReal()');
  return mod.runReal as RealRunner;
}
