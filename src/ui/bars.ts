/** Bars and sparklines drawn with block characters (pure, one cell per character). */

const FULL = '█';
const EMPTY = '░';
const SPARK = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** A bar `width` cells wide, filled to `fraction` (clamped to 0..1). */
export function bar(fraction: number, width: number): string {
  if (width <= 0) return '';
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  const filled = Math.round(f * width);
  return FULL.repeat(filled) + EMPTY.repeat(width - filled);
}

/**
 * The last `width` samples as a sparkline, newest on the right, scaled to `max` (the capacity)
 * or, when that is not positive, to the largest sample. Missing samples are blank so the
 * line grows from the right as history accumulates.
 */
export function sparkline(samples: readonly number[], width: number, max = 0): string {
  if (width <= 0) return '';
  const start = Math.max(0, samples.length - width);
  let top = max;
  if (!(top > 0)) for (let i = start; i < samples.length; i++) top = Math.max(top, samples[i]!);
  let out = '';
  for (let i = start; i < samples.length; i++) {
    const v = samples[i]!;
    const level = top > 0 ? Math.round((Math.min(Math.max(v, 0), top) / top) * (SPARK.length - 1)) : 0;
    out += SPARK[level];
  }
  return out.padStart(width);
}

/** Colour of a usage fraction: green, then yellow from 70 %, red from 90 %. */
export function usageColor(fraction: number): 'green' | 'yellow' | 'red' {
  return fraction >= 0.9 ? 'red' : fraction >= 0.7 ? 'yellow' : 'green';
}
