/**
 * Master failover (S3.2, S3.4, §12.2): the bundled scenario
 * master-killed-among-three, where the master supervising every server is
 * killed mid-run. Figures: the time from the kill to each server's takeover
 * by another master, p50 and p99 over many seeds in the simulator (and, in a
 * full run, over real processes), and when the other masters declared the
 * killed one dead, against the 2 s budget of the detection. With them, how
 * fast a large group converges (convergence.ts) and how near its clients the
 * `nearest` policy serves them (proximity.ts).
 */
import { join } from 'node:path';
import { scenariosDir } from '../testbed/scenario/bundled.js';
import { loadScenario } from '../testbed/scenario/parse.js';
import type { RunRecord, Scenario } from '../testbed/scenario/types.js';
import { checkRun, verdictOf } from '../testbed/run/checks.js';
import { runOne } from '../testbed/run/runOne.js';
import { runSim } from '../testbed/sim/runSim.js';
import { benchConvergence, type ConvergenceResults, type ConvergenceSettings } from './convergence.js';
import { benchProximity, type ProximityResults, type ProximitySettings } from './proximity.js';
import { percentile } from './stats.js';

/** What a master's death may cost before the group notices (§12.1) and its servers are taken over (§12.2). */
export const FAILOVER_BUDGET_MS = 2_000;

export interface MastersSettings {
  /** Simulator seeds. */
  readonly seeds: number;
  /** Real-mode runs (0 in a quick run). */
  readonly realRuns: number;
  /** The large group whose convergence is measured (convergence.ts). */
  readonly convergence: ConvergenceSettings;
  /** Sites whose clients the master serves near or far (proximity.ts). */
  readonly proximity: ProximitySettings;
}

export interface MastersResults {
  readonly settings: MastersSettings;
  readonly scenario: string;
  /** Kill → takeover of each server, ms, every server of every seed (simulator). */
  readonly takeoverMs: { readonly p50: number; readonly p99: number; readonly max: number; readonly n: number };
  /** Kill → the last other master declaring it dead, ms, per seed (simulator). */
  readonly detectMs: { readonly p50: number; readonly p99: number };
  /** The same takeovers on real processes (a full run), ms; undefined in a quick run. */
  readonly realTakeoverMs?: { readonly p50: number; readonly max: number; readonly n: number };
  readonly budgetMs: number;
  /** takeover p99 ÷ budget (below 1: within it). */
  readonly ratio: number;
  /** Runs whose checks all passed, of all runs. */
  readonly passed: number;
  readonly runs: number;
  readonly convergence: ConvergenceResults;
  readonly proximity: ProximityResults;
}

/** From a run's record: each server's takeover after the master kill, and when the others declared it dead. */
function measure(sc: Scenario, r: RunRecord): { takeovers: number[]; detect: number | undefined } {
  const masters = new Set(sc.masters.map((m) => m.name));
  const kill = r.events.find((e) => e.node === 'testbed' && e.type === 'fault' && (e.data.action ?? e.data.kind) === 'kill' && masters.has(String(e.data.node)));
  if (!kill) return { takeovers: [], detect: undefined };
  const victim = String(kill.data.node);
  const takeovers: number[] = [];
  for (const srv of sc.servers) {
    const before = r.events.filter((e) => e.node === srv.name && e.type === 'supervisor' && e.t <= kill.t).at(-1);
    if ((before ? String(before.data.master) : srv.masters[0]) !== victim) continue;
    const after = r.events.find((e) => e.node === srv.name && e.type === 'supervisor' && e.t > kill.t && e.data.master !== victim);
    if (after) takeovers.push(after.t - kill.t);
  }
  const deaths = r.events.filter((e) => masters.has(e.node) && e.type === 'member-dead' && e.data.addr === victim && e.t > kill.t).map((e) => e.t - kill.t);
  return { takeovers, detect: deaths.length > 0 ? Math.max(...deaths) : undefined };
}

export async function benchMasters(s: MastersSettings, tmp: string, progress: (line: string) => void): Promise<MastersResults> {
  const name = 'master-killed-among-three';
  const sc = loadScenario(join(scenariosDir(), `${name}.yaml`));
  progress(`masters: ${name}, ${s.seeds} seeds in the simulator${s.realRuns ? ` and ${s.realRuns} run(s) on real processes` : ''}`);
  const takeovers: number[] = [];
  const detects: number[] = [];
  let passed = 0;
  for (let seed = 1; seed <= s.seeds; seed++) {
    const out = await runSim(sc, { seed, traceCap: 0 });
    const m = measure(sc, out.record);
    takeovers.push(...m.takeovers);
    if (m.detect !== undefined) detects.push(m.detect);
    if (verdictOf(checkRun(sc, out.record)) === 'pass') passed++;
  }
  const real: number[] = [];
  for (let i = 0; i < s.realRuns; i++) {
    const { result, output } = await runOne(sc, { mode: 'real', seed: 100 + i, out: join(tmp, 'masters-runs'), target: name, progress: () => {} });
    if (result.verdict === 'pass') passed++;
    if (output) real.push(...measure(sc, output.record).takeovers);
  }
  const convergence = await benchConvergence(s.convergence, progress);
  const proximity = await benchProximity(s.proximity, progress);
  const sorted = [...takeovers].sort((a, b) => a - b);
  const p99 = percentile(sorted, 99);
  const results: MastersResults = {
    settings: s,
    scenario: name,
    takeoverMs: { p50: percentile(sorted, 50), p99, max: sorted.at(-1) ?? 0, n: sorted.length },
    detectMs: { p50: percentile([...detects].sort((a, b) => a - b), 50), p99: percentile([...detects].sort((a, b) => a - b), 99) },
    ...(real.length > 0 ? { realTakeoverMs: { p50: percentile([...real].sort((a, b) => a - b), 50), max: Math.max(...real), n: real.length } } : {}),
    budgetMs: FAILOVER_BUDGET_MS,
    ratio: p99 / FAILOVER_BUDGET_MS,
    passed: passed + (convergence.passed ? 1 : 0) + proximity.arms.filter((a) => a.passed).length,
    runs: s.seeds + s.realRuns + 1 + proximity.arms.length,
    convergence,
    proximity,
  };
  progress(`masters: takeover p50 ${Math.round(results.takeoverMs.p50)} ms, p99 ${Math.round(p99)} ms over ${sorted.length} servers`);
  return results;
}
