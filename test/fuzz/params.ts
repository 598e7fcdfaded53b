/**
 * Run settings shared by every fuzz property, from the environment:
 *
 *   FUZZ_RUNS=N          runs per property (default: each property's small number)
 *   FUZZ_SEED=S          the seed (default: a fresh one each time, printed on failure)
 *   FUZZ_PATH=P          replay one counterexample (with its seed), as printed on failure
 *
 * A failure names its seed and path and the command that replays it.
 */
import fc from 'fast-check';

function envNumber(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new Error(`${name}=${raw}: expected an integer`);
  return n;
}

/** Runs per property: FUZZ_RUNS, or the property's default (kept small so the folder stays fast). */
export function fuzzRuns(defaultRuns: number): number {
  return envNumber('FUZZ_RUNS') ?? defaultRuns;
}

/** How to replay a failing property: the environment to set and the test to run. */
export const REPLAY_HINT = 'replay: FUZZ_SEED=… FUZZ_PATH=… npx vitest run test/fuzz -t';

/**
 * Check `property` with the runs, seed and path from the environment. On failure,
 * throw fast-check's report (counterexample, seed, path) preceded by the exact
 * command that replays it.
 */
export function fuzz<T>(name: string, property: fc.IProperty<T>, defaultRuns: number, extra: fc.Parameters<T> = {}): void {
  const seed = envNumber('FUZZ_SEED');
  const path = process.env.FUZZ_PATH;
  const params: fc.Parameters<T> = {
    numRuns: fuzzRuns(defaultRuns),
    ...(seed !== undefined ? { seed } : {}),
    ...(path ? { path } : {}),
    ...extra,
  };
  const details = fc.check(property, params);
  if (!details.failed) return;
  const replay = `FUZZ_SEED=${details.seed} FUZZ_PATH=${details.counterexamplePath ?? ''} npx vitest run test/fuzz -t ${JSON.stringify(name)}`;
  const report = fc.defaultReportMessage(details) ?? 'property failed';
  const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  throw new Error(`fuzz property "${name}" failed: ${cause}\nReplay it with:\n  ${replay}\n\n${report}`);
}

/** A test title that says how to run more and how to replay a failure. */
export function fuzzTitle(name: string): string {
  return `${name} [FUZZ_RUNS=N for more; ${REPLAY_HINT} "${name}"]`;
}

/** A property's time limit: the usual one, or none worth the name for a campaign (FUZZ_RUNS set). */
export const FUZZ_TIMEOUT = process.env.FUZZ_RUNS ? 24 * 3_600_000 : 60_000;
