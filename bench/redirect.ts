/**
 * Redirect efficiency: the real master (an `ofp master` process with one real
 * `ofp server` registered, holding a small file) under a fixed number of
 * padded requests in flight, against a raw dgram echo process under the same
 * generator. The two are measured alternately for a few rounds; each round
 * gives a ratio, and the median ratio is the figure. Each round starts a new
 * master (and server): a master keeps state from the requests of the last
 * seconds (assignments, answer cache), so a master that has just been under
 * load is not the same server as a fresh one, and rounds would not compare.
 */
import { CpuMeter } from './cpu.js';
import { type LoadResult, runLoad } from './loadgen.js';
import type { BenchChild } from './processes.js';
import { median } from './stats.js';

export interface RedirectSettings {
  readonly inflight: number;
  readonly rounds: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly timeoutMs: number;
}

export interface Measured extends LoadResult {
  /** Share of one core used by the target process, and by this (generator) process, during the run. */
  readonly targetCpu?: number;
  readonly generatorCpu?: number;
  /** The media server's share of one core (relayed setups: it answers every forwarded request). */
  readonly serverCpu?: number;
}

export interface RedirectRound {
  readonly master: Measured;
  readonly echo: Measured;
  /** master / echo, requests per second. */
  readonly ratio: number;
  readonly p50Ratio: number;
  readonly p99Ratio: number;
}

export interface RedirectResults {
  readonly mode: 'redirect' | 'relay';
  readonly settings: RedirectSettings;
  /** Width of the buckets of each measurement's throughput series, ms. */
  readonly bucketMs: number;
  readonly file: string;
  readonly requestBytes: number;
  readonly rounds: readonly RedirectRound[];
  /** Medians over the rounds. */
  readonly master: { readonly perSecond: number; readonly p50: number; readonly p99: number };
  readonly echo: { readonly perSecond: number; readonly p50: number; readonly p99: number };
  readonly ratio: number;
  readonly p50Ratio: number;
  readonly p99Ratio: number;
}

/** A freshly started master with its server registered; `stop` ends both. */
export interface MasterUnderTest {
  readonly child: BenchChild;
  readonly address: string;
  /** The process id of its registered server. */
  readonly serverPid?: number;
  stop(): Promise<void>;
}

export interface RedirectTargets {
  readonly startMaster: () => Promise<MasterUnderTest>;
  readonly echo: BenchChild;
  readonly echoAddress: string;
  /** The file the registered server holds. */
  readonly file: string;
  /**
   * `redirect`: the master answers each request itself (S1.3); `relay`: it
   * forwards each to the server and relays the server's setup (S1.4), and the
   * generator tears each stream down as a client that does not want it would.
   * A request then costs the master three datagrams in and three out (request,
   * setup and the server's `track` of the stream's end; forward, setup and
   * `track-ack`), and the server three in and two out.
   */
  readonly mode?: 'redirect' | 'relay';
}

/** Progress lines go here (stderr). */
export type Progress = (line: string) => void;

/** Width of the buckets of the throughput series, ms. */
const SERIES_BUCKET = 500;

async function measure(child: BenchChild, address: string, accept: 'redirect' | 'setup' | 'request', file: string, s: RedirectSettings, mode: 'redirect' | 'relay', serverPid?: number): Promise<Measured> {
  const cpu = new CpuMeter([child.proc.pid, process.pid, serverPid]);
  // A relayed setup leaves a stream at the server: the generator tears each one down, as a client that does not want it would.
  const r = await runLoad({ target: address, file, inflight: s.inflight, warmupMs: s.warmupMs, durationMs: s.durationMs, timeoutMs: s.timeoutMs, accept: [accept], bucketMs: SERIES_BUCKET, mode, teardown: accept === 'setup' });
  const [targetCpu, generatorCpu, serverCpu] = cpu.stop();
  if (r.completed === 0) {
    throw new Error(`${child.name} completed no request in ${s.durationMs} ms (answers: ${JSON.stringify(r.others)}, lost ${r.lost})`);
  }
  return { ...r, ...(targetCpu !== undefined ? { targetCpu } : {}), ...(generatorCpu !== undefined ? { generatorCpu } : {}), ...(serverCpu !== undefined ? { serverCpu } : {}) };
}

export async function benchRedirects(t: RedirectTargets, s: RedirectSettings, progress: Progress): Promise<RedirectResults> {
  const mode = t.mode ?? 'redirect';
  const rounds: RedirectRound[] = [];
  for (let i = 0; i < s.rounds; i++) {
    // Alternate which goes first, so a drift of the machine's load does not favour one side.
    const masterFirst = i % 2 === 0;
    // Only the process under load runs during a measurement: the master is started just before its own.
    const measureMaster = async () => {
      const m = await t.startMaster();
      try {
        return await measure(m.child, m.address, mode === 'relay' ? 'setup' : 'redirect', t.file, s, mode, m.serverPid);
      } finally {
        await m.stop();
      }
    };
    const measureEcho = () => measure(t.echo, t.echoAddress, 'request', t.file, s, mode);
    let master: Measured;
    let echo: Measured;
    if (masterFirst) {
      master = await measureMaster();
      echo = await measureEcho();
    } else {
      echo = await measureEcho();
      master = await measureMaster();
    }
    const round = { master, echo, ratio: master.perSecond / echo.perSecond, p50Ratio: master.p50 / echo.p50, p99Ratio: master.p99 / echo.p99 };
    rounds.push(round);
    progress(`${mode} round ${i + 1}/${s.rounds}: master ${Math.round(master.perSecond)} req/s (p99 ${master.p99.toFixed(2)} ms), echo ${Math.round(echo.perSecond)} req/s (p99 ${echo.p99.toFixed(2)} ms), ratio ${round.ratio.toFixed(3)}`);
  }
  const med = (f: (r: RedirectRound) => number) => median(rounds.map(f));
  return {
    mode,
    settings: s,
    bucketMs: SERIES_BUCKET,
    file: t.file,
    requestBytes: rounds[0]!.master.requestBytes,
    rounds,
    master: { perSecond: med((r) => r.master.perSecond), p50: med((r) => r.master.p50), p99: med((r) => r.master.p99) },
    echo: { perSecond: med((r) => r.echo.perSecond), p50: med((r) => r.echo.p50), p99: med((r) => r.echo.p99) },
    ratio: med((r) => r.ratio),
    p50Ratio: med((r) => r.p50Ratio),
    p99Ratio: med((r) => r.p99Ratio),
  };
}
