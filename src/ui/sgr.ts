/** ANSI SGR styling of segments into one string (the dashboard draws each line as one string). */
import type { Segment } from './segments.js';

const COLORS: Readonly<Record<string, number>> = {
  black: 30, red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, white: 37, gray: 90, grey: 90,
};

const ESC = '\u001B[';

/** Colours unless NO_COLOR is set (https://no-color.org) or FORCE_COLOR=0. */
export function colorByDefault(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.NO_COLOR === undefined && env.FORCE_COLOR !== '0';
}

/** One styled string: each segment's codes, reset after it; `inverse` over the whole line. */
export function styled(segments: readonly Segment[], color: boolean, inverse = false): string {
  let out = '';
  for (const s of segments) {
    if (!color) {
      out += s.text;
      continue;
    }
    const codes: number[] = [];
    if (s.bold) codes.push(1);
    if (s.dim) codes.push(2);
    if (s.inverse !== inverse && (s.inverse || inverse)) codes.push(7);
    const fg = s.color === undefined ? undefined : COLORS[s.color];
    if (fg !== undefined) codes.push(fg);
    out += codes.length === 0 ? s.text : `${ESC}${codes.join(';')}m${s.text}${ESC}0m`;
  }
  return out;
}
