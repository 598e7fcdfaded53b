/**
 * Load spread (S1.2, §4.4), in the simulator: bursts of requests for one item, each arrival sequence
 * run once with the master's default policy and once with round robin, over the same seeds. Figures
 * per sequence and policy:
 *
 * - even: the widest difference between the servers' concurrent streams, taken as each stream starts
 *   (the testbed's `load-even`), the worst over seeds; for identical servers the aim is at most 1;
 * - totals: the difference between the servers' stream counts over the whole run, the worst over seeds;
 * - shares: at the peak of concurrency, each server's share of the streams, beside its share of the
 *   capacity (servers of unequal capacity).
 */
import { parseScenario } from '../testbed/scenario/parse.js';
import { runSim } from '../testbed/sim/runSim.js';

export interface SpreadSettings {
  readonly seeds: number;
}

interface Sequence {
  readonly name: string;
  /** Each server's capacity, bits per second. */
  readonly capacities: readonly number[];
  readonly clients: number;
  /** ms between two arrivals. */
  readonly every: number;
  /** Play time of the item, ms. */
  readonly playMs: number;
  readonly bitrate: number;
}

const SEQUENCES: readonly Sequence[] = [
  { name: '12 streams of 1 s, 150 ms apart, 3 identical servers', capacities: [1e9, 1e9, 1e9], clients: 12, every: 150, playMs: 1_000, bitrate: 2e6 },
  { name: '40 streams of 2 s, 50 ms apart, 5 identical servers', capacities: [1e9, 1e9, 1e9, 1e9, 1e9], clients: 40, every: 50, playMs: 2_000, bitrate: 2e6 },
  { name: '60 streams of 3 s, 40 ms apart, servers of 20, 40 and 60 Mbit/s', capacities: [20e6, 40e6, 60e6], clients: 60, every: 40, playMs: 3_000, bitrate: 1e6 },
];

const POLICIES = ['greatest-available-bandwidth', 'round-robin'] as const;

export interface SpreadRun {
  readonly sequence: string;
  readonly policy: (typeof POLICIES)[number];
  readonly seeds: number;
  /** The widest difference of concurrent streams as a stream starts, worst over seeds. */
  readonly even: number;
  /** The widest difference of stream totals, worst over seeds. */
  readonly totals: number;
  /** Per server, at the peak of concurrency (seed 1): its share of the streams, and of the capacity. */
  readonly shares: readonly { readonly streams: number; readonly capacity: number }[];
  readonly identical: boolean;
}

export interface SpreadResults {
  readonly settings: SpreadSettings;
  readonly runs: readonly SpreadRun[];
}

function scenario(s: Sequence, policy: string): string {
  const servers = s.capacities.map((c, i) => `  - {name: edge-${i + 1}, files: [clip.ts], capacity: ${c / 1e6}M}`).join('\n');
  const end = s.clients * s.every + s.playMs + 1_000;
  return `name: spread-bench
description: ${s.name}
duration: ${Math.ceil(end / 1000)}s
converge: 20s
masters:
  - {name: master, mode: redirect, policy: ${policy}}
media:
  - {name: clip.ts, duration: ${s.playMs}ms, bitrate: ${s.bitrate / 1e6}M}
servers:
${servers}
clients:
  - {name: viewer, count: ${s.clients}, file: clip.ts, mode: redirect, start: 500ms, every: ${s.every}ms}
expect:
  no-crash: true
`;
}

async function one(s: Sequence, policy: string, seed: number): Promise<{ even: number; totals: number; peak: number[] }> {
  const sc = parseScenario(scenario(s, policy), 'spread-bench.yaml');
  const out = await runSim(sc, { seed, traceCap: 0 });
  const names = s.capacities.map((_, i) => `edge-${i + 1}`);
  const playing = new Map(names.map((n) => [n, new Set<unknown>()]));
  let even = 0;
  let peak: number[] = names.map(() => 0);
  for (const e of out.record.events) {
    const on = playing.get(e.node);
    if (!on) continue;
    if (e.type === 'stream-end') on.delete(e.data.sid);
    if (e.type !== 'stream-play') continue;
    on.add(e.data.sid);
    const counts = names.map((n) => playing.get(n)!.size);
    even = Math.max(even, Math.max(...counts) - Math.min(...counts));
    if (counts.reduce((a, b) => a + b, 0) > peak.reduce((a, b) => a + b, 0)) peak = counts;
  }
  const totals = names.map((n) => out.record.streamsPerServer[n] ?? 0);
  return { even, totals: Math.max(...totals) - Math.min(...totals), peak };
}

export async function benchSpread(o: SpreadSettings, progress: (line: string) => void): Promise<SpreadResults> {
  const runs: SpreadRun[] = [];
  for (const s of SEQUENCES) {
    for (const policy of POLICIES) {
      let even = 0;
      let totals = 0;
      let peak: number[] = [];
      for (let seed = 1; seed <= o.seeds; seed++) {
        const r = await one(s, policy, seed);
        even = Math.max(even, r.even);
        totals = Math.max(totals, r.totals);
        if (seed === 1) peak = r.peak;
      }
      const streams = peak.reduce((a, b) => a + b, 0);
      const cap = s.capacities.reduce((a, b) => a + b, 0);
      const shares = peak.map((p, i) => ({ streams: streams > 0 ? p / streams : 0, capacity: s.capacities[i]! / cap }));
      const run: SpreadRun = { sequence: s.name, policy, seeds: o.seeds, even, totals, shares, identical: new Set(s.capacities).size === 1 };
      runs.push(run);
      progress(`spread: ${s.name}, ${policy}: concurrent streams at most ${even} apart as each starts, totals ${totals} apart (${o.seeds} seeds); at the peak ${peak.join('/')}`);
    }
  }
  return { settings: o, runs };
}
