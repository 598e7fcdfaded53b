/**
 * The soak's report: what was served, moved, verified and lost, the faults,
 * and each role's memory over time. Printed as a table and written as JSON
 * under .soak/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FaultRecord } from './faults.js';
import type { MemoryTrend, RssSample } from './memory.js';
import type { Crash } from './soakCluster.js';
import type { ClientOutcome } from './waves.js';

export interface SoakReport {
  readonly seed: number;
  readonly seconds: number;
  readonly servers: number;
  readonly waveSize: number;
  readonly lanes: number;
  readonly clients: number;
  /** Requests the master counted (clients' first asks and their asks again after a failure). */
  readonly masterRequests: number | undefined;
  /** Clients that got the whole file. */
  readonly served: number;
  readonly handoffs: number;
  readonly copiesVerified: number;
  readonly cleanErrors: Record<string, number>;
  readonly failures: ClientOutcome[];
  readonly faults: FaultRecord[];
  readonly crashes: Crash[];
  readonly memory: MemoryTrend[];
  readonly rss: RssSample[];
}

export function summarize(o: {
  seed: number;
  seconds: number;
  servers: number;
  waveSize: number;
  lanes: number;
  masterRequests: number | undefined;
  outcomes: readonly ClientOutcome[];
  faults: FaultRecord[];
  crashes: Crash[];
  memory: MemoryTrend[];
  rss: RssSample[];
}): SoakReport {
  const cleanErrors: Record<string, number> = {};
  for (const c of o.outcomes) if (c.verdict === 'clean-error') cleanErrors[c.code ?? 'unknown'] = (cleanErrors[c.code ?? 'unknown'] ?? 0) + 1;
  const identical = o.outcomes.filter((c) => c.verdict === 'identical').length;
  return {
    seed: o.seed,
    seconds: o.seconds,
    servers: o.servers,
    waveSize: o.waveSize,
    lanes: o.lanes,
    clients: o.outcomes.length,
    masterRequests: o.masterRequests,
    served: identical,
    handoffs: o.outcomes.reduce((n, c) => n + c.handoffs, 0),
    copiesVerified: identical + o.outcomes.filter((c) => c.verdict === 'clean-error').length,
    cleanErrors,
    failures: o.outcomes.filter((c) => c.verdict === 'failure'),
    faults: o.faults,
    crashes: o.crashes,
    memory: o.memory,
    rss: o.rss,
  };
}

export function formatReport(r: SoakReport): string {
  const faultCounts = new Map<string, number>();
  for (const f of r.faults) faultCounts.set(f.kind, (faultCounts.get(f.kind) ?? 0) + 1);
  const lines = [
    `soak: ${r.seconds} s, seed ${r.seed}, 1 master, ${r.servers} servers, ${r.lanes} lanes of waves of ${r.waveSize} clients`,
    `  clients ${r.clients}; served whole ${r.served}; clean errors ${Object.entries(r.cleanErrors).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}; failures ${r.failures.length}`,
    `  master requests ${r.masterRequests ?? '?'}; handoffs ${r.handoffs}; copies verified ${r.copiesVerified}`,
    `  faults ${r.faults.length}: ${[...faultCounts].map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}${r.faults.some((f) => !f.ok) ? `; ${r.faults.filter((f) => !f.ok).length} did not go as planned` : ''}`,
    `  crashes ${r.crashes.length}`,
    '  memory (RSS, MiB)        samples  first third  last third   max   slope MiB/min',
    ...r.memory.map((m) => `  ${`${m.role} (pid ${m.pid})`.padEnd(24)} ${String(m.samples).padStart(7)}  ${m.firstThirdMiB.toFixed(1).padStart(11)}  ${m.lastThirdMiB.toFixed(1).padStart(10)}  ${m.maxMiB.toFixed(1).padStart(5)}   ${m.slopeMiBPerMin.toFixed(3).padStart(8)}`),
    ...r.faults.filter((f) => !f.ok).map((f) => `  fault not carried out at ${(f.at / 1000).toFixed(1)} s: ${f.kind} ${f.server}: ${f.detail}`),
    ...r.failures.map((f) => `  FAILURE wave ${f.wave} ${f.file} (${f.mode}): ${f.detail ?? f.code}`),
    ...r.crashes.map((c) => `  CRASH ${c.role} pid ${c.pid}: exit ${c.code} signal ${c.signal}: ${c.stderr}`),
  ];
  return lines.join('\n');
}

/** Write the report as JSON under `dir`; its path. */
export function writeReport(r: SoakReport, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `soak-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(path, JSON.stringify(r, null, 2) + '\n');
  return path;
}
