/**
 * The units a scenario file is written in, parsed into the normalized ones:
 * durations → ms, rates → bits/s, probabilities → [0, 1], rate scales →
 * thousandths. Each parser returns the value, or a sentence that says what is
 * wrong and how to write it (the caller adds the file position).
 */
import { MAX_SCALE } from '../../src/protocol/constants.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; why: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = (why: string): Parsed<never> => ({ ok: false, why });

const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : String(v));

const DURATION_UNIT: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `500ms`, `3s`, `1.5s`, `2m`, `1h`; a bare 0 is allowed (nothing else is bare: say the unit). */
export function parseDuration(v: unknown): Parsed<number> {
  if (v === 0 || v === '0') return ok(0);
  const m = typeof v === 'string' ? /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h)\s*$/.exec(v) : null;
  if (!m) {
    const hint = typeof v === 'number' ? ` (a unit is needed: ${v}s or ${v}ms)` : '';
    return bad(`${show(v)} is not a duration${hint}: write 500ms, 3s, 1.5s or 2m`);
  }
  const ms = Number(m[1]) * DURATION_UNIT[m[2]!]!;
  if (ms > 7 * 86_400_000) return bad(`${show(v)} is longer than a week`);
  return ok(ms);
}

const RATE_PREFIX: Readonly<Record<string, number>> = { '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9 };

/** Bits per second: `4M`, `128k`, `1.5M`, `1G`, or a plain number of bits per second. */
export function parseRate(v: unknown): Parsed<number> {
  if (typeof v === 'number') {
    return Number.isFinite(v) && v >= 1 && v <= 1e12 ? ok(Math.round(v)) : bad(`${v} is not a rate: write bits per second, like 4M, 128k or 64000`);
  }
  const m = typeof v === 'string' ? /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([kKMG]?)\s*(?:bit\/s|bps)?\s*$/.exec(v) : null;
  const value = m ? Number(m[1]) * RATE_PREFIX[m[2]!]! : NaN;
  if (!Number.isFinite(value) || value < 1 || value > 1e12) return bad(`${show(v)} is not a rate: write bits per second, like 4M, 128k or 64000`);
  return ok(Math.round(value));
}

/** A probability: `5%`, `0.5%` or a number from 0 to 1 (`0.05`). */
export function parseProbability(v: unknown): Parsed<number> {
  if (typeof v === 'number') {
    if (v >= 0 && v <= 1) return ok(v);
    return bad(`${v} is not a probability: write a percentage (${v}%) or a fraction from 0 to 1`);
  }
  const m = typeof v === 'string' ? /^\s*(\d+(?:\.\d+)?|\.\d+)\s*%\s*$/.exec(v) : null;
  if (!m) return bad(`${show(v)} is not a probability: write 5% or 0.05`);
  const p = Number(m[1]) / 100;
  return p <= 1 ? ok(p) : bad(`${show(v)} is more than 100%`);
}

/** A rate scale (S2.1): `2x`, `0.5x`, or a plain multiplier; in thousandths. */
export function parseScale(v: unknown): Parsed<number> {
  const x = typeof v === 'number' ? v : typeof v === 'string' ? (/^\s*(\d+(?:\.\d+)?|\.\d+)\s*x\s*$/.exec(v)?.[1] ?? NaN) : NaN;
  const scale = Math.round(Number(x) * 1000);
  if (!Number.isFinite(scale) || scale < 1 || scale > MAX_SCALE) {
    return bad(`${show(v)} is not a rate scale: write a multiplier of the media rate from 0.001x to ${MAX_SCALE / 1000}x, like 2x or 0.5x`);
  }
  return ok(scale);
}

/** A whole number from `min` to `max`. */
export function parseCount(v: unknown, min: number, max: number): Parsed<number> {
  if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return ok(v);
  return bad(`${show(v)} is not a whole number from ${min} to ${max}`);
}

/** A positive number (a ratio). */
export function parsePositive(v: unknown): Parsed<number> {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return ok(v);
  return bad(`${show(v)} is not a positive number`);
}

/** ms, for people: `1.5 s`, `250 ms`, `2m00s`. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms * 10) / 10} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}
