/**
 * The simulator at scale: the bundled scenario of 1,000 servers and 10,000
 * clients (or a reduced copy of it, for a quick run) in simulated time, with
 * the real role cores. Figures: simulated time ÷ wall time, and events per
 * second against the bare event loop of the same simulator (its heap, with
 * events that do nothing) measured in the same run.
 */
import { join } from 'node:path';
import { scenariosDir } from '../testbed/scenario/bundled.js';
import { loadScenario } from '../testbed/scenario/parse.js';
import { checkRun, verdictOf } from '../testbed/run/checks.js';
import { EventHeap } from '../testbed/sim/heap.js';
import { runSim } from '../testbed/sim/runSim.js';

export interface SimSettings {
  /** The scale scenario's counts and times multiplied by this (1: 1,000 servers × 10,000 clients over 10 min). */
  readonly scale: number;
  readonly seed: number;
  /** Length of the bare event loop's measurement, ms. */
  readonly baselineMs: number;
}

export interface SimResults {
  readonly settings: SimSettings;
  readonly scenario: string;
  readonly servers: number;
  readonly clients: number;
  /** Simulated ms covered, and the wall ms it took. */
  readonly simulatedMs: number;
  readonly wallMs: number;
  /** simulated ÷ wall: how many times faster than real time. */
  readonly timeRatio: number;
  readonly events: number;
  readonly datagrams: number;
  readonly eventsPerSecond: number;
  /** Events per second of the bare heap (push and pop of events that do nothing). */
  readonly bareEventsPerSecond: number;
  /** eventsPerSecond ÷ bareEventsPerSecond. */
  readonly eventRatio: number;
  /** The run's verdict against the scenario's expectations (every copy identical, …). */
  readonly verdict: string;
  readonly failed: readonly string[];
  /** Peak heap used during the run, MiB (sampled). */
  readonly heapMiB: number;
}

/** Events per second of the simulator's heap alone: each event schedules the next, a few ms later, as timers do. */
function bareEventLoop(ms: number): number {
  const heap = new EventHeap<{ at: number; seq: number }>();
  let seq = 0;
  // Keep as many pending events as a large run does (about one per node).
  for (let i = 0; i < 10_000; i++) heap.push({ at: i % 1000, seq: seq++ });
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    for (let i = 0; i < 1024; i++) {
      const e = heap.pop()!;
      heap.push({ at: e.at + 1 + (e.seq % 7), seq: seq++ });
    }
    n += 1024;
    t = performance.now();
  }
  return (n * 1000) / (t - t0);
}

export async function benchSim(s: SimSettings, progress: (line: string) => void): Promise<SimResults> {
  const file = join(scenariosDir(), 'scale-1000x10000.yaml');
  const sc = loadScenario(file, { scale: s.scale });
  const servers = sc.servers.length;
  const clients = sc.clients.length;
  progress(`sim: ${sc.name} at scale ${s.scale}: ${servers} servers, ${clients} clients, ${sc.duration / 1000} s of protocol time`);
  const bare = bareEventLoop(s.baselineMs);
  let peak = process.memoryUsage().heapUsed;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 200);
  const t0 = performance.now();
  let out;
  try {
    out = await runSim(sc, { seed: s.seed, traceCap: 0, progress: (line) => progress(`sim: ${line}`) });
  } finally {
    clearInterval(sampler);
  }
  const wallMs = performance.now() - t0;
  const checks = checkRun(sc, out.record);
  const events = out.record.sim?.events ?? 0;
  const eventsPerSecond = (events * 1000) / wallMs;
  return {
    settings: s,
    scenario: sc.name,
    servers,
    clients,
    simulatedMs: out.record.elapsed,
    wallMs,
    timeRatio: out.record.elapsed / wallMs,
    events,
    datagrams: out.record.sim?.datagrams ?? 0,
    eventsPerSecond,
    bareEventsPerSecond: bare,
    eventRatio: eventsPerSecond / bare,
    verdict: verdictOf(checks),
    failed: checks.filter((c) => c.verdict !== 'pass').map((c) => `${c.name}: ${c.detail}`),
    heapMiB: peak / 2 ** 20,
  };
}
