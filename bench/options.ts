/**
 * What `npm run bench` takes, and the durations of a full and a quick run.
 * The full run takes under two minutes; `--quick` is for the test that checks
 * the benchmark works, not for figures.
 */
import type { RedirectSettings } from './redirect.js';
import type { StreamSettings } from './streams.js';

export const SECTIONS = ['redirect', 'streams'] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchOptions {
  readonly quick: boolean;
  readonly sections: readonly Section[];
  /** Print the results document on stdout instead of the table. */
  readonly json: boolean;
  /** Where the results file goes; undefined: `.bench/results.json` in the repository. */
  readonly out?: string;
  readonly redirect: RedirectSettings;
  readonly streams: StreamSettings;
  /** Play time of the streamed file, ms: longer than any step streams. */
  readonly streamFileMs: number;
  /** The whole run is abandoned (every process killed) after this long, ms. */
  readonly limitMs: number;
}

export const USAGE = `usage: node dist/bench/run.js [--quick] [--only redirect|streams] [--json] [--out FILE]
  --quick        short measurements (checks that the benchmark works; the figures are rough)
  --only S       run one section: redirect (master vs raw echo) or streams (server vs raw one-way)
  --json         print the results document on stdout instead of the table
  --out FILE     write the results there (default: .bench/results.json in the repository)`;

export class UsageProblem extends Error {}

const FULL = {
  redirect: { inflight: 64, rounds: 3, warmupMs: 1_000, durationMs: 4_000, timeoutMs: 1_000 },
  streams: { steps: [8, 16, 32, 64, 128, 256, 512, 1024], refinements: 3, warmupMs: 1_500, durationMs: 3_000, pauseMs: 300 },
  streamFileMs: 20_000,
  limitMs: 6 * 60_000,
};

const QUICK = {
  redirect: { inflight: 64, rounds: 1, warmupMs: 300, durationMs: 700, timeoutMs: 1_000 },
  streams: { steps: [2, 4, 8], refinements: 0, warmupMs: 600, durationMs: 1_000, pauseMs: 200 },
  streamFileMs: 6_000,
  limitMs: 90_000,
};

export function parseOptions(argv: readonly string[]): BenchOptions {
  let quick = false;
  let json = false;
  let only: Section | undefined;
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
      if (!(SECTIONS as readonly string[]).includes(v)) throw new UsageProblem(`--only ${JSON.stringify(v)}: use ${SECTIONS.join(' or ')}`);
      only = v as Section;
    } else if (a === '--out' || a.startsWith('--out=')) {
      out = a.includes('=') ? a.slice(a.indexOf('=') + 1) : value();
    } else {
      throw new UsageProblem(`unknown argument ${JSON.stringify(a)}`);
    }
  }
  const base = quick ? QUICK : FULL;
  return { quick, json, sections: only ? [only] : SECTIONS, ...(out !== undefined ? { out } : {}), ...base };
}
