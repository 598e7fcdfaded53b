/**
 * Resident memory of role processes over a soak run: sampled from
 * /proc/PID/status, then judged by comparing the last third of a process's
 * samples with its first third, and by the slope of a least-squares line.
 */
import { readFileSync } from 'node:fs';

export interface RssSample {
  /** ms since the soak started. */
  readonly t: number;
  readonly role: string;
  readonly pid: number;
  readonly kib: number;
}

/** A process's resident set size in KiB, or undefined when it is gone. */
export function rssKib(pid: number): number | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

export interface MemoryTrend {
  readonly role: string;
  readonly pid: number;
  readonly samples: number;
  /** ms of the run the samples cover. */
  readonly span: number;
  readonly firstThirdMiB: number;
  readonly lastThirdMiB: number;
  readonly maxMiB: number;
  /** MiB per minute, from a least-squares line through the samples. */
  readonly slopeMiBPerMin: number;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/** One trend per process (role and pid): a restarted server is a new process. */
export function memoryTrends(samples: readonly RssSample[]): MemoryTrend[] {
  const byProcess = new Map<string, RssSample[]>();
  for (const s of samples) {
    const key = `${s.role}#${s.pid}`;
    const list = byProcess.get(key) ?? [];
    list.push(s);
    byProcess.set(key, list);
  }
  return [...byProcess.values()].map((list) => {
    const mib = list.map((s) => s.kib / 1024);
    const third = Math.max(1, Math.floor(list.length / 3));
    const ts = list.map((s) => s.t / 60_000);
    const tm = mean(ts);
    const ym = mean(mib);
    let num = 0;
    let den = 0;
    for (let i = 0; i < list.length; i++) {
      num += (ts[i]! - tm) * (mib[i]! - ym);
      den += (ts[i]! - tm) ** 2;
    }
    return {
      role: list[0]!.role,
      pid: list[0]!.pid,
      samples: list.length,
      span: list[list.length - 1]!.t - list[0]!.t,
      firstThirdMiB: round(mean(mib.slice(0, third))),
      lastThirdMiB: round(mean(mib.slice(-third))),
      maxMiB: round(Math.max(...mib)),
      slopeMiBPerMin: den > 0 ? round(num / den, 3) : 0,
    };
  });
}

/** Flat: the last third's mean is within `ratio` times the first third's, plus `slackMiB`. */
export function isFlat(t: MemoryTrend, ratio: number, slackMiB: number): boolean {
  return t.lastThirdMiB <= t.firstThirdMiB * ratio + slackMiB;
}
