/**
 * What became of a scenario's distribution jobs (§14), from a run's events,
 * either mode: each provider's `job-accepted` names its job's id; its base
 * server's `job-completed` or `job-failed` says how it ended (a `job-retry`,
 * that it is under way again); each target's
 * `job-file-in-service` that it put the file into service. Whether a target's
 * copy is the provider's file, byte for byte, the runner says: it holds the
 * copies (memory in sim, the servers' media directories in real mode).
 */
import type { JobOutcome, JobSpec, RunRecord, Scenario, TimedEvent } from './types.js';

/** Servers killed during the run (up to `elapsed`) and not started again. */
export function killedForGood(sc: Scenario, elapsed: number): Set<string> {
  const killed = new Set<string>();
  for (const f of [...sc.faults].sort((a, b) => a.at - b.at)) {
    if (f.at > elapsed || !('node' in f.action)) continue;
    if (f.action.kind === 'kill') killed.add(f.action.node);
    if (f.action.kind === 'restart') killed.delete(f.action.node);
  }
  return killed;
}

/** Each job's id at its base server, once its provider heard it accepted. */
function jobIds(sc: Scenario, events: readonly TimedEvent[]): Map<string, number> {
  const providers = new Set(sc.jobs.map((j) => j.name));
  const ids = new Map<string, number>();
  for (const e of events) if (e.type === 'job-accepted' && providers.has(e.node) && typeof e.data.job === 'number' && !ids.has(e.node)) ids.set(e.node, e.data.job);
  return ids;
}

/** The jobs that have ended: at their base server (completed or failed), or with every live target holding the file. */
export function jobsSettled(sc: Scenario, events: readonly TimedEvent[], killed: ReadonlySet<string>): boolean {
  return outcomesOf(sc, events, killed, () => ({ identical: true })).every((j) => j.state !== 'running' || j.targets.every((t) => t.killed || t.inService));
}

/** Each job's outcome; `copy(server, job)` compares a target's copy with the provider's file. */
export function jobOutcomes(sc: Scenario, r: Pick<RunRecord, 'events' | 'elapsed'>, copy: (server: string, job: JobSpec) => { identical: boolean; detail?: string }): JobOutcome[] {
  return outcomesOf(sc, r.events.filter((e) => e.t <= r.elapsed), killedForGood(sc, r.elapsed), copy);
}

function outcomesOf(sc: Scenario, events: readonly TimedEvent[], killed: ReadonlySet<string>, copy: (server: string, job: JobSpec) => { identical: boolean; detail?: string }): JobOutcome[] {
  const ids = jobIds(sc, events);
  return sc.jobs.map((j) => {
    const id = ids.get(j.name);
    let state: JobOutcome['state'] = 'running';
    const inService = new Set<string>();
    if (id !== undefined) {
      for (const e of events) {
        if (e.data.job !== id) continue;
        if (e.node !== j.base) continue;
        if (e.type === 'job-completed' || e.type === 'job-failed') state = e.type === 'job-completed' ? 'completed' : 'failed';
        // A failed target given another round (S5.5): the job is under way again.
        if (e.type === 'job-retry') state = 'running';
      }
      for (const e of events) if (e.data.job === id && e.type === 'job-file-in-service' && e.data.file === j.file) inService.add(e.node);
    }
    const targets = j.targets.map((server) => {
      const held = inService.has(server);
      const c = held ? copy(server, j) : { identical: false, detail: id === undefined ? 'the job was never accepted' : 'did not put the file into service' };
      return { server, killed: killed.has(server), inService: held, identical: c.identical, ...(c.detail !== undefined ? { detail: c.detail } : {}) };
    });
    return { name: j.name, file: j.file, state, targets };
  });
}
