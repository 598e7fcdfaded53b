/**
 * `--rate-schedule "0s:1x,10s:2x,20s:0.5x"`: when, after the stream starts
 * playing, the client asks its server for another transmission rate (S2.1).
 * Scales are multiples of the media rate; the wire carries thousandths.
 */
import { MAX_SCALE, MIN_SCALE } from '../protocol/constants.js';
import type { ScheduledRate } from '../roles/client/client.js';
import { parseDuration } from './units.js';
import { UsageError } from '../errors.js';

/** Steps a schedule may have: enough for any script, few enough that a typo cannot make a huge one. */
export const MAX_SCHEDULE_STEPS = 64;

const EXAMPLE = 'give TIME:SCALE steps separated by commas, like "0s:1x,10s:2x,20s:0.5x"';

/** `2x`, `1.5x`, `0.5x` → thousandths of the media rate (2000, 1500, 500). */
export function parseScale(text: string, what = 'scale'): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*[xX]\s*$/.exec(text);
  const thousandths = m ? Math.round(Number(m[1]) * 1000) : NaN;
  if (!Number.isFinite(thousandths) || thousandths < MIN_SCALE || thousandths > MAX_SCALE) {
    throw new UsageError('usage', `${what} ${JSON.stringify(text)} is not a scale: give a multiple of the media rate from ${MIN_SCALE / 1000}x to ${MAX_SCALE / 1000}x, like 2x or 0.5x`);
  }
  return thousandths;
}

/** The steps, in time order (ms after play starts). Times must increase. */
export function parseRateSchedule(text: string, what = '--rate-schedule'): ScheduledRate[] {
  const items = text.split(',').map((s) => s.trim());
  if (text.trim() === '' || items.some((s) => s === '')) throw new UsageError('usage', `${what} ${JSON.stringify(text)} has an empty step: ${EXAMPLE}`);
  if (items.length > MAX_SCHEDULE_STEPS) throw new UsageError('usage', `${what} has ${items.length} steps: at most ${MAX_SCHEDULE_STEPS}`);
  const steps: ScheduledRate[] = [];
  for (const item of items) {
    const colon = item.lastIndexOf(':');
    if (colon <= 0 || colon === item.length - 1) throw new UsageError('usage', `${what} step ${JSON.stringify(item)} is not TIME:SCALE: ${EXAMPLE}`);
    let at: number;
    try {
      at = Math.round(parseDuration(item.slice(0, colon), 'time', 's', true));
    } catch {
      throw new UsageError('usage', `${what} step ${JSON.stringify(item)}: ${JSON.stringify(item.slice(0, colon))} is not a time after the stream starts playing, like 0s, 10 or 2.5s`);
    }
    const scale = parseScale(item.slice(colon + 1), `${what} step ${JSON.stringify(item)}: scale`);
    const prev = steps[steps.length - 1];
    if (prev && at <= prev.at) throw new UsageError('usage', `${what} step ${JSON.stringify(item)} is not after the step before it: give the times in increasing order`);
    steps.push({ at, scale });
  }
  return steps;
}

/** `0s:1x,10s:2x` back, for messages and summaries. */
export function formatRateSchedule(steps: readonly ScheduledRate[]): string {
  return steps.map((s) => `${s.at / 1000}s:${s.scale / 1000}x`).join(',');
}
