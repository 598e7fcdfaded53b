/**
 * The servers' shared view (S4.4, §13), in the simulator: `n` servers of a
 * keyed cluster with one master, all started at once and left to find one
 * another; then the view stands idle, then its servers' load changes (clients
 * arrive 8 a second), then one server drains and another is killed. Figures,
 * per size and per link loss, over seeds:
 *
 * - formation: from the start to every server holding every other alive;
 * - convergence: from the drain to each server that stays hearing of it
 *   (`peer-status` draining, its own news or a newcomer's, or `peer-left`),
 *   p50 and p99, and the share of those servers that heard within 2 s (3 s
 *   under loss);
 * - failure detection: from the kill to each server that stays holding the
 *   killed one dead, against the budget (two protocol periods to suspect it, a
 *   suspicion's timeout, §12.1, and the time a change takes to spread);
 * - false deaths: peers declared dead that were never killed;
 * - bytes per second per server: what the view sends (`member` datagrams,
 *   every one counted, headers and MAC included), idle and under load changes.
 */
import { VIEW_PROBE_INTERVAL } from '../src/protocol/constants.js';
import { suspicionTimeout } from '../src/roles/membership/membership.js';
import { parseScenario } from '../testbed/scenario/parse.js';
import { runSim } from '../testbed/sim/runSim.js';
import type { TimedEvent } from '../testbed/scenario/types.js';
import { percentile } from './stats.js';

export interface ViewSettings {
  readonly sizes: readonly number[];
  readonly losses: readonly number[];
  readonly seeds: number;
  /** From this many servers on, `largeSeeds` seeds instead (a run of 1,000 servers takes minutes). */
  readonly largeFrom: number;
  readonly largeSeeds: number;
}

interface Spread {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface ViewRun {
  readonly servers: number;
  /** Link loss, in bursts of 2 on average (Gilbert–Elliott), every link. */
  readonly loss: number;
  readonly seeds: number;
  /** From the start to every server holding every other alive, ms, per seed (NaN: not within the time given). */
  readonly formedMs: readonly number[];
  /** Drain → each other server hearing of it, ms, over every server of every seed. */
  readonly heardMs: Spread;
  /** The convergence target: 2 s without loss, 3 s with. */
  readonly targetMs: number;
  /** Of the servers that stay (every seed; neither the drained nor the killed one), those that heard within targetMs. */
  readonly withinTarget: number;
  /** Of the servers that stay (every seed), those that heard at all before the run ended. */
  readonly heard: number;
  /** Kill → each other server holding it dead, ms, over every server of every seed; and the budget. */
  readonly deadMs: Spread;
  readonly deadBudgetMs: number;
  /** Of the servers that stay (every seed), those that held the killed one dead before the run ended. */
  readonly seenDead: number;
  readonly falseDeaths: number;
  /** `member` bytes sent per server per second, mean over seeds: the view idle, and while loads change. */
  readonly bytesIdle: number;
  readonly bytesLoaded: number;
  readonly simulatedSeconds: number;
  readonly wallSeconds: number;
}

export interface ViewResults {
  readonly settings: ViewSettings;
  readonly runs: readonly ViewRun[];
}

/** The phases of a run, ms from its start: the view forms, stands idle, sees load changes; then the faults. */
export function viewPhases(n: number): { readonly formed: number; readonly settled: number; readonly idleEnd: number; readonly drainAt: number; readonly killAt: number; readonly end: number } {
  const formed = 30_000 + 200 * n;
  // Each server passes every newcomer on VIEW_DATA_RETRANSMITS times, on its probes: after a cold
  // start of n servers, a backlog of some 3n sends per server, drained in about 0.15 s per server.
  // The idle window starts once it has: what the view costs from then on, not its formation's echo.
  const settled = formed + 150 * n;
  const idleEnd = settled + 20_000;
  const drainAt = idleEnd + 20_000;
  const killAt = drainAt + 1_000;
  return { formed, settled, idleEnd, drainAt, killAt, end: killAt + deadBudget(n, 0.1) + 5_000 };
}

/**
 * How long a killed server may take to be held dead everywhere (SWIM's three stages): two protocol
 * periods for some server to probe it and suspect it, the suspicion's timeout (confirmed, §12.1,
 * in the view's periods), and the time the news takes to reach every server, the aim for a change
 * of status (2 s, 3 s under loss).
 */
function deadBudget(n: number, loss: number): number {
  return Math.round(2 * VIEW_PROBE_INTERVAL + suspicionTimeout(n, VIEW_PROBE_INTERVAL) + (loss > 0 ? 3_000 : 2_000));
}

/** Clients arrive this often while the loads change: each start and end changes a server's users and bandwidth. */
const LOAD_EVERY_MS = 125;

function scenario(n: number, loss: number): string {
  const p = viewPhases(n);
  return `name: view-bench
description: ${n} servers share their view; loads change; one drains, one is killed.
duration: ${p.end / 1000}s
converge: 1s
key: the cluster key of the view benchmark
link: {loss: ${loss * 100}%, burst: 2}
masters:
  - {name: master, poll-interval: 1s}
media:
  - {name: clip.ts, duration: 1s, bitrate: 64k}
servers:
  - {name: edge, count: ${n}, files: ['*']}
clients:
  - {name: load, count: ${Math.floor((p.drainAt - p.idleEnd) / LOAD_EVERY_MS)}, file: clip.ts, start: ${p.idleEnd / 1000}s, every: ${LOAD_EVERY_MS}ms}
faults:
  - {at: ${p.drainAt / 1000}s, drain: edge-1}
  - {at: ${p.killAt / 1000}s, kill: edge-2}
expect:
  no-crash: true
`;
}

interface One {
  readonly formed: number;
  readonly lags: number[];
  readonly heard: number;
  readonly dead: number[];
  readonly falseDeaths: number;
  readonly bytesIdle: number;
  readonly bytesLoaded: number;
  readonly simulated: number;
  readonly wall: number;
}

async function one(n: number, loss: number, seed: number): Promise<One> {
  const sc = parseScenario(scenario(n, loss), 'view-bench.yaml');
  const p = viewPhases(n);
  const wall = performance.now();
  // Every event, as it happens: a large view's debug events are more than a run record keeps.
  const ev: TimedEvent[] = [];
  const out = await runSim(sc, { seed, traceCap: 50_000_000, onEvent: (e) => { if (e.type.startsWith('peer-')) ev.push(e); } });
  const wallSeconds = (performance.now() - wall) / 1000;
  const faultAt = (what: string) => out.record.events.find((e) => e.node === 'testbed' && e.type === 'fault' && JSON.stringify(e.data).includes(what))?.t;
  const drainAt = faultAt('drain') ?? p.drainAt;
  const killAt = faultAt('kill') ?? p.killAt;
  const heardAt = new Map<string, number>();
  const deadAt = new Map<string, number>();
  const pairs = new Set<string>();
  let formed = Number.NaN;
  let falseDeaths = 0;
  for (const e of ev) {
    const about = String(e.data.peer ?? '');
    if (e.type === 'peer-alive' && Number.isNaN(formed)) {
      pairs.add(`${e.node}>${about}`);
      if (pairs.size === n * (n - 1)) formed = e.t;
    }
    if (e.type === 'peer-dead' && !/^edge-2$/.test(about)) falseDeaths++;
    // The killed server's death, as held by the servers that stay (the drained one leaves, perhaps before it could).
    if (e.type === 'peer-dead' && about === 'edge-2' && e.node !== 'edge-1' && e.t >= killAt && !deadAt.has(e.node)) deadAt.set(e.node, e.t - killAt);
    // The drain, as heard by the servers that stay (the killed one goes 1 s after it).
    if (e.t < drainAt || heardAt.has(e.node) || about !== 'edge-1' || e.node === 'edge-2') continue;
    if ((e.type === 'peer-status' && e.data.st === 'draining') || e.type === 'peer-left') heardAt.set(e.node, e.t - drainAt);
  }
  // The view's cost: member datagrams the servers sent, per server per second, over a window.
  const cost = (from: number, to: number) => {
    let bytes = 0;
    for (const d of out.trace) if (d.type === 'member' && d.t >= from && d.t < to && String(d.from).startsWith('edge-')) bytes += d.size;
    return bytes / n / ((to - from) / 1000);
  };
  return {
    formed, lags: [...heardAt.values()], heard: heardAt.size, dead: [...deadAt.values()], falseDeaths,
    bytesIdle: cost(p.settled, p.idleEnd), bytesLoaded: cost(p.idleEnd, p.drainAt), simulated: out.record.elapsed / 1000, wall: wallSeconds,
  };
}

const spread = (xs: number[]): Spread => {
  xs.sort((a, b) => a - b);
  return { p50: percentile(xs, 50), p99: percentile(xs, 99), max: xs.at(-1) ?? Number.NaN };
};

export async function benchView(s: ViewSettings, progress: (line: string) => void): Promise<ViewResults> {
  const runs: ViewRun[] = [];
  for (const n of s.sizes) {
    for (const loss of s.losses) {
      const rs: One[] = [];
      const seeds = n >= s.largeFrom ? s.largeSeeds : s.seeds;
      for (let seed = 1; seed <= seeds; seed++) rs.push(await one(n, loss, seed));
      const lags = rs.flatMap((r) => r.lags);
      const targetMs = loss > 0 ? 3_000 : 2_000;
      // The servers that stay: neither the drained one nor the killed one.
      const others = (n - 2) * seeds;
      const sum = (f: (r: One) => number) => rs.reduce((a, r) => a + f(r), 0);
      const run: ViewRun = {
        servers: n, loss, seeds,
        formedMs: rs.map((r) => r.formed),
        heardMs: spread([...lags]),
        targetMs,
        withinTarget: lags.filter((x) => x <= targetMs).length / others,
        heard: sum((r) => r.heard) / others,
        deadMs: spread(rs.flatMap((r) => r.dead)),
        deadBudgetMs: deadBudget(n, loss),
        seenDead: sum((r) => r.dead.length) / others,
        falseDeaths: sum((r) => r.falseDeaths),
        bytesIdle: sum((r) => r.bytesIdle) / seeds,
        bytesLoaded: sum((r) => r.bytesLoaded) / seeds,
        simulatedSeconds: sum((r) => r.simulated),
        wallSeconds: sum((r) => r.wall),
      };
      runs.push(run);
      progress(`view: ${n} servers, ${loss * 100}% loss: formed after ${run.formedMs.map((x) => (x / 1000).toFixed(1)).join('/')} s; a drain heard by ${(run.withinTarget * 100).toFixed(2)}% within ${targetMs / 1000} s (p50 ${Math.round(run.heardMs.p50)} ms, p99 ${Math.round(run.heardMs.p99)} ms, max ${Math.round(run.heardMs.max)} ms); a kill seen by ${(run.seenDead * 100).toFixed(2)}% (p99 ${Math.round(run.deadMs.p99)} ms, budget ${run.deadBudgetMs} ms); ${run.falseDeaths} false deaths; ${Math.round(run.bytesIdle)} B/s per server idle, ${Math.round(run.bytesLoaded)} with loads changing`);
    }
  }
  return { settings: s, runs };
}
