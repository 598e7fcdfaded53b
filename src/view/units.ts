/**
 * Rates, sizes and durations as we print them for people: shared by the
 * dashboard's view (src/ui/), its plain lines and the roles' output
 * (src/runtime/). Rates are bits per second with decimal prefixes, as iperf
 * prints them.
 */

/** `4 Mbit/s`, `950 kbit/s`: for people. */
export function formatRate(bitsPerSecond: number): string {
  const units: [number, string][] = [[1e9, 'Gbit/s'], [1e6, 'Mbit/s'], [1e3, 'kbit/s']];
  for (const [size, name] of units) if (bitsPerSecond >= size) return `${trim(bitsPerSecond / size)} ${name}`;
  return `${Math.round(bitsPerSecond)} bit/s`;
}

/** `1.50 MB` (decimal, as rates are). */
export function formatBytes(bytes: number): string {
  const units: [number, string][] = [[1e9, 'GB'], [1e6, 'MB'], [1e3, 'kB']];
  for (const [size, name] of units) if (bytes >= size) return `${trim(bytes / size)} ${name}`;
  return `${bytes} B`;
}

/** `3.02 s`, `450 ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(2)} s`;
  const s = Math.round(ms / 1000);
  return s < 7200 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** `3 s`, `2 min`, `1 h`: how long ago, coarse on purpose (it is read at a glance). */
export function ago(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.floor(s / 60)} min`;
  return `${Math.floor(s / 3600)} h`;
}

/** Requests a second: one decimal while small. */
export function requestsPerSecond(r: number): string {
  return r >= 100 ? r.toFixed(0) : r.toFixed(1);
}

function trim(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}
