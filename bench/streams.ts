/**
 * Concurrent streams per server: one real `ofp server` process streams a
 * file to N concurrent clients (all on one socket here). N grows until a step
 * fails, then the gap between the last good N and the first bad one is
 * narrowed a few times. The figure is the largest N sustained, compared in
 * packets per second with the raw one-way rate into the same receiver.
 */
import { CpuMeter } from './cpu.js';
import { type OneWayResult, runOneWay } from './oneWay.js';
import type { BenchChild, ChildSet } from './processes.js';
import { runStreams, type SinkResult } from './streamSink.js';

/** A step passes with less residual loss than this … */
export const MAX_RESIDUAL_LOSS = 0.001;
/** … and at least this share of the nominal packet rate delivered. */
export const MIN_DELIVERED = 0.99;
/** A failure this close to passing may be a hiccup of the shared machine: the step is tried once more. */
const RETRY_DELIVERED = 0.95;
const RETRY_RESIDUAL_LOSS = 0.01;

export interface StreamSettings {
  /** Numbers of streams to try, ascending; the run stops at the first that fails. */
  readonly steps: readonly number[];
  /** Times the gap between the last good and the first bad step is halved. */
  readonly refinements: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** Pause between steps, after the server has stopped sending the previous step's streams, ms. */
  readonly pauseMs: number;
}

export interface StreamStep extends SinkResult {
  readonly ok: boolean;
  /** Attempts made (a step that failed by a small margin is tried once more). */
  readonly attempts: number;
  /** Share of one core used by the server process, and by this (receiving) process. */
  readonly serverCpu?: number;
  readonly sinkCpu?: number;
}

export interface StreamResults {
  readonly settings: StreamSettings;
  readonly file: string;
  /** Bits per second of each stream. */
  readonly rate: number;
  readonly steps: readonly StreamStep[];
  /** The largest N that passed (0 when none did). */
  readonly sustained: number;
  /** Packets per second delivered at that N, its residual loss, and the nominal rate. */
  readonly packetsPerSecond: number;
  readonly residualLoss: number;
  readonly expectedPerSecond: number;
  readonly raw: OneWayResult;
  /** packetsPerSecond / raw.deliveredPerSecond. */
  readonly ratio: number;
}

export interface StreamTargets {
  readonly children: ChildSet;
  readonly server: BenchChild;
  readonly serverAddress: string;
  readonly file: string;
  readonly rate: number;
  /** The blaster script of the raw baseline. */
  readonly blaster: string;
}

export function passes(r: SinkResult): boolean {
  return r.playing === r.streams && r.residualLoss < MAX_RESIDUAL_LOSS && r.delivered >= MIN_DELIVERED;
}

export async function benchStreams(t: StreamTargets, s: StreamSettings, progress: (line: string) => void): Promise<StreamResults> {
  const steps: StreamStep[] = [];
  // Each step asks with its own range of request ids, so a late answer to an earlier step is ignored.
  let firstRid = 0x2000_0000;
  const step = async (n: number): Promise<StreamStep> => {
    let attempts = 0;
    for (;;) {
      attempts++;
      const cpu = new CpuMeter([t.server.proc.pid, process.pid]);
      const r = await runStreams({ server: t.serverAddress, file: t.file, streams: n, rate: t.rate, warmupMs: s.warmupMs, durationMs: s.durationMs, firstRid });
      const [serverCpu, sinkCpu] = cpu.stop();
      firstRid += 0x10_0000;
      await new Promise((resolve) => setTimeout(resolve, s.pauseMs));
      const ok = passes(r);
      const again = !ok && attempts === 1 && r.delivered >= RETRY_DELIVERED && r.residualLoss < RETRY_RESIDUAL_LOSS;
      const result: StreamStep = { ...r, ok, attempts, ...(serverCpu !== undefined ? { serverCpu } : {}), ...(sinkCpu !== undefined ? { sinkCpu } : {}) };
      progress(`streams ${n}: ${Math.round(r.packetsPerSecond)} pkt/s of ${Math.round(r.expectedPerSecond)} (${(r.delivered * 100).toFixed(1)}%), residual loss ${(r.residualLoss * 100).toFixed(3)}%, ${r.playing}/${n} playing${r.lingering > 0 ? `, ${r.lingering} still sending after ${r.drainMs} ms` : ''}${ok ? '' : ' FAIL'}${again ? ', close: trying again' : ''}`);
      if (!again) {
        steps.push(result);
        return result;
      }
    }
  };

  let good: StreamStep | undefined;
  let bad: number | undefined;
  for (const n of s.steps) {
    const r = await step(n);
    if (!r.ok) {
      bad = n;
      break;
    }
    good = r;
  }
  for (let i = 0; i < s.refinements && bad !== undefined; i++) {
    const lo = good?.streams ?? 0;
    const mid = Math.round((lo + bad) / 2);
    if (mid <= lo || mid >= bad) break;
    const r = await step(mid);
    if (r.ok) good = r;
    else bad = mid;
  }

  progress('raw one-way baseline (blaster process → this process)');
  const raw = await runOneWay({ children: t.children, blaster: t.blaster, warmupMs: s.warmupMs / 2, durationMs: s.durationMs });
  progress(`raw one-way: ${Math.round(raw.deliveredPerSecond)} pkt/s delivered (${Math.round(raw.sentPerSecond)} sent)`);
  const packetsPerSecond = good?.packetsPerSecond ?? 0;
  return {
    settings: s,
    file: t.file,
    rate: t.rate,
    steps,
    sustained: good?.streams ?? 0,
    packetsPerSecond,
    residualLoss: good?.residualLoss ?? 1,
    expectedPerSecond: good?.expectedPerSecond ?? 0,
    raw,
    ratio: packetsPerSecond / raw.deliveredPerSecond,
  };
}
