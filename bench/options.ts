/**
 * What `npm run bench` takes, and the durations of a full and a quick run.
 * A full run takes a few minutes (the handoff section under one); `--quick`
 * is for the test that checks the benchmark works, not for figures.
 */
import type { CodecSettings } from './codec.js';
import type { SilenceSettings } from './silence.js';
import type { SpreadSettings } from './spread.js';
import type { DashboardBenchOptions } from './dashboard.js';
import type { HandoffSettings } from './handoff.js';
import type { MastersSettings } from './masters.js';
import type { ViewSettings } from './view.js';
import type { JobsSettings } from './jobs.js';
import type { RedirectSettings } from './redirect.js';
import type { SimSettings } from './sim.js';
import type { StartupSettings } from './startup.js';
import type { StreamSettings } from './streams.js';

export const SECTIONS = ['startup', 'redirect', 'relay', 'portal', 'streams', 'handoff', 'silence', 'spread', 'masters', 'view', 'jobs', 'codec', 'sim', 'dashboard'] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchOptions {
  readonly quick: boolean;
  readonly sections: readonly Section[];
  /** Print the results document on stdout instead of the table. */
  readonly json: boolean;
  /** Where the results file goes; undefined: `.bench/results.json` in the repository. */
  readonly out?: string;
  readonly redirect: RedirectSettings;
  /** Redirects through a portal before two masters, against one master. */
  readonly portal: RedirectSettings;
  readonly streams: StreamSettings;
  readonly handoff: HandoffSettings;
  readonly codec: CodecSettings;
  readonly spread: SpreadSettings;
  readonly silence: SilenceSettings;
  readonly sim: SimSettings;
  readonly masters: MastersSettings;
  readonly view: ViewSettings;
  readonly jobs: JobsSettings;
  readonly dashboard: DashboardBenchOptions;
  readonly startup: StartupSettings;
  /** Play time of the streamed file, ms: longer than any step streams. */
  readonly streamFileMs: number;
  /** The whole run is abandoned (every process killed) after this long, ms. */
  readonly limitMs: number;
}

export const USAGE = `usage: node dist/bench/run.js [--quick] [--only S[,S…]] [--json] [--out FILE]
  --quick        short measurements (checks that the benchmark works; the figures are rough)
  --only S       run these sections only (comma-separated): startup (ofp --version, --help and the roles'
                 first line vs node -e 0), redirect (master vs raw echo),
                 relay (relayed setups vs raw echo),
                 portal (redirects through ofp portal before two masters vs one master alone), streams (server vs raw one-way),
                 handoff (streams moved by failure, drain, overload and operator, vs the detection budget),
                 silence (streams over lossy, jittery links from servers that never fail: servers given up
                 per stream-hour, simulated),
                 spread (bursts of requests: how evenly the default policy spreads them, against round robin
                 over the same arrivals, simulated),
                 masters (a group's supervisor killed: each server's takeover, p50/p99, vs the 2 s budget;
                 how fast 10 masters and 1,000 servers agree on members, supervisors and assignments, simulated;
                 how many clients the nearest policy serves at their own site, by round trip or location, simulated),
                 view (servers sharing their view, from a cold start: when it has formed, how fast a drain and a
                 kill are known everywhere, false deaths, bytes/s per server idle and while loads change, at 10,
                 100, 300 and 1,000 servers and 0 and 10% loss, simulated; 1,000 servers take minutes a run),
                 jobs (distribution jobs: a file to 100 and 1,000 servers through the cascade, against its pipelined
                 lower bound and against a star from the base server, simulated),
                 codec (ofp encode/decode vs bare msgpackr, in process),
                 sim (the 1,000 × 10,000 scenario: simulated time ÷ wall time, events/s vs the bare event loop),
                 dashboard (frame time with 1,000 servers and 10,000 sessions vs a one-line frame)
  --json         print the results document on stdout instead of the table
  --out FILE     write the results there (default: .bench/results.json in the repository)`;

export class UsageProblem extends Error {}

const FULL = {
  redirect: { inflight: 64, rounds: 3, warmupMs: 1_000, durationMs: 4_000, timeoutMs: 1_000 },
  portal: { inflight: 64, rounds: 3, warmupMs: 1_000, durationMs: 4_000, timeoutMs: 1_000 },
  streams: { steps: [8, 16, 32, 64, 128, 256, 512, 1024], refinements: 3, warmupMs: 1_500, durationMs: 3_000, pauseMs: 300 },
  // 4 rounds of failures and 2 of each other kind, 3 clients each: 12 and 6 handoffs.
  handoff: { clients: 3, rounds: { failure: 4, drain: 2, overload: 2, operator: 2 }, fileMs: 3_000, actAtMs: 800, pings: 200 },
  codec: { loopMs: 300, rounds: 5 },
  spread: { seeds: 20 },
  // 3 stream-hours at 4 Mbit/s, 2 at 1 Mbit/s.
  silence: { rates: [4_000_000, 1_000_000], seeds: 30, streams: 6, playMs: 60_000 },
  sim: { scale: 1, seed: 1, baselineMs: 1_000 },
  masters: { seeds: 40, realRuns: 3, convergence: { masters: 10, servers: 1_000, clients: 500, seed: 1 }, proximity: { sites: 4, seed: 1 } },
  // 1,000 servers simulate at about real time (4 to 8 min a run): two seeds there.
  view: { sizes: [10, 100, 300, 1_000], losses: [0, 0.1], seeds: 3, largeFrom: 1_000, largeSeeds: 2 },
  jobs: { sizes: [100, 1_000], bytes: 2_000_000, rate: 8_000_000, fanout: 4, seeds: 2, real: { servers: 8, bytes: 8_000_000, rate: 20_000_000, fanout: 2, runs: 2 } },
  dashboard: { servers: 1_000, sessions: 10_000, frames: 300 },
  startup: { runs: 15, timeoutMs: 20_000 },
  streamFileMs: 20_000,
  limitMs: 60 * 60_000,
};

const QUICK = {
  // Short: the test suite runs it to check that every figure comes out, on a machine busy with other tests.
  redirect: { inflight: 64, rounds: 1, warmupMs: 200, durationMs: 400, timeoutMs: 1_000 },
  portal: { inflight: 64, rounds: 1, warmupMs: 200, durationMs: 400, timeoutMs: 1_000 },
  streams: { steps: [2, 4], refinements: 0, warmupMs: 400, durationMs: 600, pauseMs: 200 },
  // The act comes 600 ms into a 2 s file: 1.4 s of room for a command to start and act (an `ofp`
  // command starts in about 0.12 s on two cores; the quick run runs alone in the test suite).
  handoff: { clients: 1, rounds: { failure: 1, drain: 1, overload: 1, operator: 1 }, fileMs: 2_000, actAtMs: 600, pings: 50 },
  codec: { loopMs: 40, rounds: 1 },
  spread: { seeds: 1 },
  silence: { rates: [4_000_000], seeds: 1, streams: 2, playMs: 5_000 },
  sim: { scale: 0.02, seed: 1, baselineMs: 200 },
  masters: { seeds: 2, realRuns: 0, convergence: { masters: 10, servers: 50, clients: 20, seed: 1 }, proximity: { sites: 2, seed: 1 } },
  view: { sizes: [10], losses: [0], seeds: 1, largeFrom: 1_000, largeSeeds: 1 },
  jobs: { sizes: [12], bytes: 300_000, rate: 8_000_000, fanout: 4, seeds: 1 },
  dashboard: { servers: 1_000, sessions: 10_000, frames: 20 },
  startup: { runs: 2, timeoutMs: 20_000 },
  streamFileMs: 4_000,
  limitMs: 120_000,
};

export function parseOptions(argv: readonly string[]): BenchOptions {
  let quick = false;
  let json = false;
  let only: Section[] | undefined;
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageProblem(`${a} needs a value`);
      return v;
    };
    if (a === '--quick') quick = true;
    else if (a === '--json') json = true;
    else if (a === '--only' || a.startsWith('--only=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : value();
      only = [];
      for (const name of v.split(',')) {
        if (!(SECTIONS as readonly string[]).includes(name)) throw new UsageProblem(`--only ${JSON.stringify(name)}: use ${SECTIONS.slice(0, -1).join(', ')} or ${SECTIONS.at(-1)}`);
        only.push(name as Section);
      }
    } else if (a === '--out' || a.startsWith('--out=')) {
      out = a.includes('=') ? a.slice(a.indexOf('=') + 1) : value();
    } else {
      throw new UsageProblem(`unknown argument ${JSON.stringify(a)}`);
    }
  }
  const base = quick ? QUICK : FULL;
  return { quick, json, sections: only ? SECTIONS.filter((x) => only.includes(x)) : SECTIONS, ...(out !== undefined ? { out } : {}), ...base };
}
