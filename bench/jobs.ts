/**
 * Distribution jobs (S5, §14), in the simulator: the time to bring a file of
 * S bytes to M servers when every transfer is paced at R and every node
 * (the base server too) serves `fanout` targets at once, so that no node
 * sends more than fanout × R. Against:
 *
 * - the pipelined lower bound of the cascade it built: S/R, plus the time of
 *   the file's last block at R for each hop from the base server to the
 *   deepest target (a block is passed on only once whole and verified; a
 *   full block is 64 KiB). The job's time runs from its creation, so it
 *   includes the provider's upload, itself pipelined;
 * - a star, in the same run: the base server feeds every target itself,
 *   `fanout` at a time (M/fanout × S/R at best).
 *
 * Links are otherwise perfect (1 ms, no loss), so the figures are the
 * protocol's own: its pacing, windows, plan and pipelining.
 */
import { JOB_BLOCK_CHUNKS, JOB_CHUNK } from '../src/protocol/constants.js';
import { BASE, contentOf, jobCluster } from '../testbed/sim/jobCluster.js';

export interface JobsSettings {
  /** Targets per run. */
  readonly sizes: readonly number[];
  readonly bytes: number;
  /** Bits per second, each transfer. */
  readonly rate: number;
  readonly fanout: number;
  readonly seeds: number;
  /** Real processes on loopback too: this many servers, this file, rate and fanout, this many cascades (and one star). */
  readonly real?: { readonly servers: number; readonly bytes: number; readonly rate: number; readonly fanout: number; readonly runs: number };
}

/** One size's figures, simulated or with real processes. */
export interface JobsFigures {
  readonly servers: number;
  readonly bytes: number;
  /** Bits per second, each transfer. */
  readonly rate: number;
  readonly fanout: number;
  /** The cascade's depth: hops from the base server to the deepest target (worst seed or run). */
  readonly depth: number;
  /** Job created → every target completed, ms, per seed (simulated) or run (real). */
  readonly cascadeMs: readonly number[];
  /** The pipelined lower bound, ms (at the worst depth). */
  readonly boundMs: number;
  /** The worst cascade ÷ the bound. */
  readonly ratio: number;
  /** The star, ms (one seed or run), and star ÷ the worst cascade. */
  readonly starMs: number;
  readonly starOverCascade: number;
}

export interface JobsRun extends JobsFigures {
  /** Chunks sent again over the sent, every node (worst seed). */
  readonly resentShare: number;
  readonly wallSeconds: number;
}

/**
 * The same, with real processes on loopback: `ofp base`, `ofp server`s, `ofp job submit --wait`; and a
 * client's stream from the first target (it receives the file and passes it on) during the first
 * cascade, against the same stream from the same server with no job, measured in the same run.
 */
export interface JobsRealRun extends JobsFigures {
  readonly stream?: {
    /** The stream's rate, bits per second. */
    readonly rate: number;
    /** Delivered over nominal, from the client's first datum to its last: with no job, and during the cascade. */
    readonly alone: number;
    readonly duringJob: number;
    /** How much of the stream overlapped the cascade, ms. */
    readonly overlapMs: number;
  };
}

export interface JobsResults {
  readonly settings: JobsSettings;
  readonly runs: readonly JobsRun[];
  readonly real?: JobsRealRun;
}

/** The bound of §14's cascade: S/R plus the file's last block per hop (see the top of this file), ms. */
export function jobBound(bytes: number, rate: number, depth: number): number {
  const blockBytes = JOB_BLOCK_CHUNKS * JOB_CHUNK;
  const lastBlock = bytes - (Math.ceil(bytes / blockBytes) - 1) * blockBytes;
  return ((bytes + depth * lastBlock) * 8 * 1000) / rate;
}

/** The depth of a cascade from the rows of `ofp job status`: hops from the base server to the deepest target. */
export function depthOf(rows: readonly { readonly srv: string; readonly src?: string }[], base: string): number {
  const src = new Map(rows.map((r) => [r.srv, r.src]));
  const hops = (addr: string, seen = 0): number => {
    const from = src.get(addr);
    return from === undefined || from === base || seen > rows.length ? 1 : 1 + hops(from, seen + 1);
  };
  return Math.max(0, ...rows.map((r) => hops(r.srv)));
}

/** One job to `servers` targets; its duration, its depth and the chunks resent. */
function runOnce(servers: number, s: JobsSettings, seed: number, star: boolean): { ms: number; depth: number; resent: number; sent: number } {
  const c = jobCluster({ seed, servers, rate: s.rate, fanout: s.fanout, ...(star ? { star: true } : {}) });
  const content = contentOf(s.bytes, seed);
  const { provider } = c.submit(content, { rate: s.rate, follow: false });
  const limit = c.net.now + 60_000 + (servers / s.fanout + 10) * (s.bytes * 8 / s.rate) * 1000;
  let job: ReturnType<typeof c.base.job>;
  c.net.run({
    until: limit,
    done: () => {
      job ??= provider.job !== undefined ? c.base.job(provider.job) : undefined;
      return job !== undefined && (job.state === 'completed' || job.state === 'failed');
    },
  });
  job ??= provider.job !== undefined ? c.base.job(provider.job) : undefined;
  if (!job || job.state !== 'completed') throw new Error(`jobs bench: ${servers} servers${star ? ' (star)' : ''}, seed ${seed}: the job did not complete (${job?.state ?? 'not made'})`);
  const depth = depthOf(job.targets.map((t) => ({ srv: t.addr, ...(t.src !== undefined ? { src: t.src } : {}) })), BASE);
  let sent = 0;
  let resent = 0;
  for (const l of c.log) {
    if (l.e.type !== 'target-served') continue;
    sent += l.e.chunks;
    resent += l.e.resent;
  }
  return { ms: job.endedAt! - job.created, depth, resent, sent };
}

export function benchJobs(s: JobsSettings, progress: (line: string) => void): JobsResults {
  const runs: JobsRun[] = [];
  for (const servers of s.sizes) {
    const t0 = performance.now();
    const cascades: number[] = [];
    let depth = 0;
    let resentShare = 0;
    for (let seed = 1; seed <= s.seeds; seed++) {
      const r = runOnce(servers, s, 9_100 + seed, false);
      cascades.push(r.ms);
      depth = Math.max(depth, r.depth);
      resentShare = Math.max(resentShare, r.sent > 0 ? r.resent / r.sent : 0);
    }
    const star = runOnce(servers, s, 9_101, true);
    // Each hop holds the file's last block back until it is whole and verified: that block's time, per hop.
    const boundMs = jobBound(s.bytes, s.rate, depth);
    const worst = Math.max(...cascades);
    const run: JobsRun = {
      servers, bytes: s.bytes, rate: s.rate, fanout: s.fanout, depth, cascadeMs: cascades, boundMs,
      ratio: worst / boundMs, starMs: star.ms, starOverCascade: star.ms / worst, resentShare,
      wallSeconds: (performance.now() - t0) / 1000,
    };
    runs.push(run);
    progress(`jobs: ${servers} servers, ${(s.bytes / 1e6).toFixed(1)} MB at ${s.rate / 1e6} Mbit/s, fanout ${s.fanout}: cascade ${cascades.map((m) => (m / 1000).toFixed(2)).join('/')} s (depth ${depth}), bound ${(boundMs / 1000).toFixed(2)} s, ratio ${run.ratio.toFixed(2)}; star ${(star.ms / 1000).toFixed(1)} s (${run.starOverCascade.toFixed(1)}× the cascade); ${(resentShare * 100).toFixed(2)}% resent; ${run.wallSeconds.toFixed(0)} s wall`);
  }
  return { settings: s, runs };
}
