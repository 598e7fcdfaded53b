/**
 * Spurious handoffs (§6.2), in the simulator: streams from servers that never fail, over links with
 * 5% loss in bursts, 20 ms of jitter and 2% reordering. Every server a client gives up is a spurious
 * handoff; the figure is how many per stream-hour, by why the client gave its server up: silence
 * (its learnt silence timeout ran out) or a start that was never answered (a request or a `play`
 * lost every time it was sent). Also counted: the `play` retries of silences that ended in time.
 */
import { parseScenario } from '../testbed/scenario/parse.js';
import { runSim } from '../testbed/sim/runSim.js';

export interface SilenceSettings {
  /** Media rates, bits per second, each run over `seeds` seeds. */
  readonly rates: readonly number[];
  readonly seeds: number;
  /** Streams at once in a run, and how long each plays, ms. */
  readonly streams: number;
  readonly playMs: number;
}

export interface SilenceRun {
  readonly rate: number;
  readonly seeds: number;
  readonly streamHours: number;
  /** Servers given up for silence while streaming, per stream-hour. */
  readonly silencePerHour: number;
  /** Servers given up at the start (no setup, or no data after `play`), per stream-hour. */
  readonly startPerHour: number;
  /** `play` retries after half a silence timeout, per stream-hour. */
  readonly retriesPerHour: number;
  /** Copies that were not byte-identical (must be 0). */
  readonly damaged: number;
}

export interface SilenceResults {
  readonly settings: SilenceSettings;
  readonly runs: readonly SilenceRun[];
}

function scenario(rate: number, s: SilenceSettings): string {
  return `name: silence-bench
description: streams under 5% loss in bursts, 20 ms jitter and 2% reordering; no server fails
duration: ${Math.ceil(s.playMs / 1000) + 2}s
converge: 30s
link: {delay: 5ms, jitter: 20ms, loss: 5%, burst: 2, reorder: 2%}
media:
  - {name: movie.ts, duration: ${s.playMs}ms, bitrate: ${rate / 1e3}k}
masters:
  - {name: master}
servers:
  - {name: edge, count: 3, files: ['*']}
clients:
  - {name: viewer, count: ${s.streams}, file: movie.ts, start: 500ms, every: 100ms}
expect:
  copies-identical: true
`;
}

export async function benchSilence(s: SilenceSettings, progress: (line: string) => void): Promise<SilenceResults> {
  const runs: SilenceRun[] = [];
  for (const rate of s.rates) {
    let silence = 0;
    let start = 0;
    let retries = 0;
    let damaged = 0;
    const sc = parseScenario(scenario(rate, s), 'silence-bench.yaml');
    for (let seed = 1; seed <= s.seeds; seed++) {
      const out = await runSim(sc, { seed, traceCap: 0 });
      for (const e of out.record.events) {
        if (e.type === 'server-silent') retries++;
        if (e.type !== 'server-failed') continue;
        if (e.data.reason === 'the server went silent') silence++;
        else start++;
      }
      damaged += out.record.clients.filter((c) => !c.ok || c.identical === false).length;
    }
    const hours = (s.seeds * s.streams * s.playMs) / 3_600_000;
    const run: SilenceRun = { rate, seeds: s.seeds, streamHours: hours, silencePerHour: silence / hours, startPerHour: start / hours, retriesPerHour: retries / hours, damaged };
    runs.push(run);
    progress(`silence: ${rate / 1e6} Mbit/s, ${hours.toFixed(2)} stream-hours: ${silence} server(s) given up for silence, ${start} at the start, ${retries} play retries; ${damaged} copies damaged`);
  }
  return { settings: s, runs };
}
