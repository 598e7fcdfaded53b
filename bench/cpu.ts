/**
 * CPU time of processes, to tell which side of a measurement was the
 * bottleneck: a process near one full core is the limit, one well below it
 * is waiting for the other.
 */
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/PID/stat times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far; undefined where /proc is unavailable. */
export function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  if (pid === process.pid) {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}

/** Measures the share of one core each process used between `start` and `stop`. */
export class CpuMeter {
  private readonly before: (number | undefined)[];
  private readonly t0 = performance.now();

  constructor(private readonly pids: readonly (number | undefined)[]) {
    this.before = pids.map(cpuSeconds);
  }

  /** Fraction of one core per process (1 = one full core); undefined where unknown. */
  stop(): (number | undefined)[] {
    const wall = (performance.now() - this.t0) / 1000;
    return this.pids.map((pid, i) => {
      const a = this.before[i];
      const b = cpuSeconds(pid);
      return a === undefined || b === undefined || wall <= 0 ? undefined : (b - a) / wall;
    });
  }
}
