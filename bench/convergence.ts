/**
 * How fast a large group agrees (S3.2–S3.4, §12.1, §12.2, §12.4), in the
 * simulator: ten masters in one group, a thousand servers registered with
 * every one of them, and clients arriving through a round-robin portal, so
 * that every master makes assignments. From the run's events:
 *
 * - membership: when the last master had seen every other one alive;
 * - supervision: when the last server took the supervisor it kept;
 * - assignments: for each assignment a master made, how long until every
 *   other master had it (`assignment-learned`), and how many reached all.
 *
 * All masters and servers start together at the run's start, so the first
 * two are times from a cold start.
 */
import { parseScenario } from '../testbed/scenario/parse.js';
import type { RunRecord } from '../testbed/scenario/types.js';
import { checkRun, verdictOf } from '../testbed/run/checks.js';
import { runSim } from '../testbed/sim/runSim.js';
import { percentile } from './stats.js';

export interface ConvergenceSettings {
  readonly masters: number;
  readonly servers: number;
  readonly clients: number;
  readonly seed: number;
}

export interface ConvergenceResults {
  readonly settings: ConvergenceSettings;
  /** From the start until every master saw all the others alive, ms (simulated). */
  readonly membershipMs: number;
  /** From the start until the last server took the supervisor it kept, ms (simulated). */
  readonly supervisionMs: number;
  /** From an assignment to the last other master learning it, ms: p50, p99, max over the assignments. */
  readonly assignMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** Assignments made, and those every other master learned. */
  readonly assignments: number;
  readonly assignmentsEverywhere: number;
  /** Simulated seconds, and the wall seconds they took. */
  readonly simulatedSeconds: number;
  readonly wallSeconds: number;
  readonly passed: boolean;
}

/** The scenario: `masters` masters in one group, `servers` servers, `clients` clients through a round-robin portal. */
export function convergenceScenario(s: ConvergenceSettings): string {
  const every = Math.max(1, Math.floor(4_000 / s.clients));
  return `name: masters-convergence
duration: 8s
converge: 10s
key: a cluster key shared by the whole group of masters
masters:
  - {name: m, count: ${s.masters}, group: true}
portals:
  - {name: door, policy: round-robin}
media:
  - {name: clip.ts, duration: 1s, bitrate: 256k}
servers:
  - {name: edge, count: ${s.servers}, files: ['*']}
clients:
  - {name: c, count: ${s.clients}, file: clip.ts, portal: door, start: 3s${s.clients > 1 ? `, every: ${every}ms` : ''}}
expect:
  copies-identical: true
  no-crash: true
`;
}

/** The three convergence figures of one run's events. */
export function measureConvergence(r: RunRecord, masterNames: readonly string[], serverNames: ReadonlySet<string>): Omit<ConvergenceResults, 'settings' | 'simulatedSeconds' | 'wallSeconds' | 'passed'> {
  const others = masterNames.length - 1;
  const masters = new Set(masterNames);
  const seen = new Map<string, Set<string>>(masterNames.map((m) => [m, new Set()]));
  let membershipMs = Number.NaN;
  const complete = new Set<string>();
  let supervisionMs = 0;
  const made = new Map<number, { t: number; by: string }>();
  const learned = new Map<number, { n: number; last: number }>();
  for (const e of r.events) {
    if (masters.has(e.node)) {
      if (e.type === 'member-alive') {
        const set = seen.get(e.node)!;
        set.add(String(e.data.addr));
        if (set.size >= others && !complete.has(e.node)) {
          complete.add(e.node);
          if (complete.size === masterNames.length) membershipMs = e.t;
        }
      } else if (e.type === 'redirect' || e.type === 'relay') {
        made.set(Number(e.data.sid), { t: e.t, by: e.node });
      } else if (e.type === 'assignment-learned') {
        const sid = Number(e.data.sid);
        const l = learned.get(sid) ?? { n: 0, last: 0 };
        learned.set(sid, { n: l.n + 1, last: Math.max(l.last, e.t) });
      }
    } else if (serverNames.has(e.node) && e.type === 'supervisor') {
      supervisionMs = Math.max(supervisionMs, e.t);
    }
  }
  const lags: number[] = [];
  let everywhere = 0;
  for (const [sid, m] of made) {
    const l = learned.get(sid);
    if (!l || l.n < others) continue;
    everywhere++;
    lags.push(l.last - m.t);
  }
  lags.sort((a, b) => a - b);
  return {
    membershipMs,
    supervisionMs,
    assignMs: { p50: percentile(lags, 50), p99: percentile(lags, 99), max: lags.at(-1) ?? Number.NaN },
    assignments: made.size,
    assignmentsEverywhere: everywhere,
  };
}

export async function benchConvergence(s: ConvergenceSettings, progress: (line: string) => void): Promise<ConvergenceResults> {
  const sc = parseScenario(convergenceScenario(s), 'masters-convergence.yaml');
  progress(`masters: convergence of ${s.masters} masters and ${s.servers} servers in the simulator, ${s.clients} clients through a portal`);
  const wall = performance.now();
  const out = await runSim(sc, { seed: s.seed, traceCap: 0 });
  const wallSeconds = (performance.now() - wall) / 1000;
  const m = measureConvergence(out.record, sc.masters.map((x) => x.name), new Set(sc.servers.map((x) => x.name)));
  const passed = verdictOf(checkRun(sc, out.record)) === 'pass';
  const results: ConvergenceResults = { settings: s, ...m, simulatedSeconds: out.record.elapsed / 1000, wallSeconds, passed };
  progress(`masters: group of ${s.masters} whole at ${Math.round(m.membershipMs)} ms, every server's supervisor settled at ${Math.round(m.supervisionMs)} ms; ${m.assignmentsEverywhere} of ${m.assignments} assignments known to every master, p99 ${m.assignMs.p99.toFixed(1)} ms after they were made`);
  return results;
}
