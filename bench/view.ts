/**
 * The servers' shared view (S4.4, §13), in the simulator: `n` servers of a
 * keyed cluster with one master, left to find one another, then one of them
 * drains. Figures, per size and per link loss, over seeds:
 *
 * - convergence: from the drain to each other server hearing of it
 *   (`peer-status` draining, its own news or a newcomer's, or `peer-left`),
 *   p50 and p99, and the share of the live servers that heard within 2 s;
 * - false deaths: peers declared dead that were never killed;
 * - bytes per second per server: what the view sends (`member` datagrams,
 *   every one counted, headers and MAC included) over the last third of the
 *   time it was left to form, before the drain.
 */
import { parseScenario } from '../testbed/scenario/parse.js';
import { runSim } from '../testbed/sim/runSim.js';
import type { TimedEvent } from '../testbed/scenario/types.js';
import { percentile } from './stats.js';

export interface ViewSettings {
  readonly sizes: readonly number[];
  readonly losses: readonly number[];
  readonly seeds: number;
}

export interface ViewRun {
  readonly servers: number;
  /** Link loss, in bursts of 2 on average (Gilbert–Elliott), every link. */
  readonly loss: number;
  readonly seeds: number;
  /** Drain → each other server hearing of it, ms, over every server of every seed. */
  readonly heardMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** Of the other servers (every seed), those that heard within 2 s. */
  readonly within2s: number;
  /** Of the other servers (every seed), those that heard at all before the run ended. */
  readonly heard: number;
  readonly falseDeaths: number;
  /** `member` bytes sent per server per second while the view is whole, mean over seeds. */
  readonly bytesPerServer: number;
  readonly simulatedSeconds: number;
  readonly wallSeconds: number;
}

export interface ViewResults {
  readonly settings: ViewSettings;
  readonly runs: readonly ViewRun[];
}

/**
 * The view is left this long to form, ms: every server starts at once, and a large view takes longer
 * to learn of all its newcomers (each join spreads as a refresh, §13.1). Its cost is measured over
 * the last third of it.
 */
const settleMs = (n: number) => 20_000 + 150 * n;
/** After the drain, the run goes on this long. */
const AFTER_MS = 6_000;

function scenario(n: number, loss: number): string {
  return `name: view-bench
description: ${n} servers share their view; one drains.
duration: ${(settleMs(n) + AFTER_MS) / 1000}s
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
  - {name: c, file: clip.ts, start: 1s}
faults:
  - {at: ${settleMs(n) / 1000}s, drain: edge-1}
expect:
  no-crash: true
`;
}

async function one(n: number, loss: number, seed: number): Promise<{ lags: number[]; heard: number; falseDeaths: number; bytesPerServer: number; simulated: number; wall: number }> {
  const sc = parseScenario(scenario(n, loss), 'view-bench.yaml');
  const wall = performance.now();
  // Every event, as it happens: a large view's debug events are more than a run record keeps.
  const ev: TimedEvent[] = [];
  const out = await runSim(sc, { seed, traceCap: 50_000_000, onEvent: (e) => { if (e.type.startsWith('peer-')) ev.push(e); } });
  const wallSeconds = (performance.now() - wall) / 1000;
  const SETTLE_MS = settleMs(n);
  const at = out.record.events.find((e) => e.node === 'testbed' && e.type === 'fault')?.t ?? SETTLE_MS;
  const heardAt = new Map<string, number>();
  let falseDeaths = 0;
  for (const e of ev) {
    if (e.type === 'peer-dead' && e.data.peer !== undefined && !/edge-1$/.test(String(e.data.peer))) falseDeaths++;
    if (e.t < at || heardAt.has(e.node)) continue;
    const about = String(e.data.peer ?? '');
    if (!/edge-1$/.test(about)) continue;
    if ((e.type === 'peer-status' && e.data.st === 'draining') || e.type === 'peer-left') heardAt.set(e.node, e.t - at);
  }
  // The view's cost: member datagrams sent by servers over the last third of the settling time.
  const from = (SETTLE_MS * 2) / 3;
  let bytes = 0;
  for (const d of out.trace) if (d.type === 'member' && d.t >= from && d.t < SETTLE_MS && String(d.from).startsWith('edge-')) bytes += d.size;
  return { lags: [...heardAt.values()], heard: heardAt.size, falseDeaths, bytesPerServer: bytes / n / ((SETTLE_MS - from) / 1000), simulated: out.record.elapsed / 1000, wall: wallSeconds };
}

export async function benchView(s: ViewSettings, progress: (line: string) => void): Promise<ViewResults> {
  const runs: ViewRun[] = [];
  for (const n of s.sizes) {
    for (const loss of s.losses) {
      const lags: number[] = [];
      let heard = 0;
      let falseDeaths = 0;
      let bytes = 0;
      let simulated = 0;
      let wall = 0;
      for (let seed = 1; seed <= s.seeds; seed++) {
        const r = await one(n, loss, seed);
        lags.push(...r.lags);
        heard += r.heard;
        falseDeaths += r.falseDeaths;
        bytes += r.bytesPerServer;
        simulated += r.simulated;
        wall += r.wall;
      }
      lags.sort((a, b) => a - b);
      const others = (n - 1) * s.seeds;
      const run: ViewRun = {
        servers: n, loss, seeds: s.seeds,
        heardMs: { p50: percentile(lags, 50), p99: percentile(lags, 99), max: lags.at(-1) ?? Number.NaN },
        within2s: lags.filter((x) => x <= 2_000).length / others,
        heard: heard / others,
        falseDeaths,
        bytesPerServer: bytes / s.seeds,
        simulatedSeconds: simulated,
        wallSeconds: wall,
      };
      runs.push(run);
      progress(`view: ${n} servers, ${loss * 100}% loss: a drain heard by ${(run.within2s * 100).toFixed(2)}% within 2 s (p50 ${Math.round(run.heardMs.p50)} ms, p99 ${Math.round(run.heardMs.p99)} ms), ${falseDeaths} false deaths, ${Math.round(run.bytesPerServer)} B/s per server`);
    }
  }
  return { settings: s, runs };
}
