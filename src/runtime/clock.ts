/**
 * The real clock the cores are given: milliseconds since the Unix epoch, from
 * the monotonic clock (so a wall-clock step does not jolt pacing or timers).
 */
import { performance } from 'node:perf_hooks';

export function now(): number {
  return performance.timeOrigin + performance.now();
}
