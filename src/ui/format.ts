/** Text formatting for the dashboard's fixed-width columns (pure). */

/** Cut `text` to `width` (ending in `…` when cut) and pad it to exactly `width`. */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  if (text.length > width) return width === 1 ? '…' : `${text.slice(0, width - 1)}…`;
  return align === 'left' ? text.padEnd(width) : text.padStart(width);
}

/** Cut `text` to at most `width` characters, without padding. */
export function clip(text: string, width: number): string {
  if (width <= 0) return '';
  return text.length > width ? fit(text, width) : text;
}

/** `4.5M`, `950k`, `12G`: a bit rate in at most 4 characters, for narrow columns. */
export function compactRate(bitsPerSecond: number): string {
  const units: [number, string][] = [[1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  for (const [size, name] of units) {
    if (bitsPerSecond >= size) {
      const v = bitsPerSecond / size;
      return `${v < 10 ? v.toFixed(1) : v.toFixed(0)}${name}`;
    }
  }
  return `${Math.round(bitsPerSecond)}`;
}

/** Normal play time as `mm:ss` (or `h:mm:ss` from an hour on); `--:--` when unknown. */
export function clockTime(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '--:--';
  const total = Math.floor(ms / 1000);
  const s = String(total % 60).padStart(2, '0');
  const m = Math.floor(total / 60) % 60;
  const h = Math.floor(total / 3600);
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${String(m).padStart(2, '0')}:${s}`;
}

/** A transmission scale in thousandths as people say it: `1x`, `2x`, `0.5x`; `-` when unknown. */
export function scaleText(scale: number | undefined): string {
  if (scale === undefined) return '-';
  return `${Number((scale / 1000).toFixed(2))}x`;
}

/** Local time of day `hh:mm:ss`, for event rows and the header. */
export function timeOfDay(at: number): string {
  const d = new Date(at);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** `850ms`, `12s`, `4m`, `3h`: how long, in one short word. */
export function formatAge(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  if (ms < 60_000) return `${Math.floor(ms / 1000)}s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)}m`;
  return `${Math.floor(ms / 3_600_000)}h`;
}
