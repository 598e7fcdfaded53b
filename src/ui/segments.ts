/** A line of the dashboard as styled pieces, built by pure row formatters and drawn by <Line>. */
import { takeCells } from './cells.js';

export interface Segment {
  readonly text: string;
  readonly color?: string;
  readonly bold?: boolean;
  readonly dim?: boolean;
  readonly inverse?: boolean;
}

/** Keep the pieces within `width` terminal cells (the row formatters aim to; this makes sure). */
export function clipSegments(segments: readonly Segment[], width: number): Segment[] {
  const out: Segment[] = [];
  let left = width;
  for (const s of segments) {
    if (left <= 0) break;
    const taken = takeCells(s.text, left);
    out.push(taken.text === s.text ? s : { ...s, text: taken.text });
    left -= taken.cells;
    if (taken.text !== s.text) break;
  }
  return out;
}

/** The plain text of a line (tests, and the plain-output formatter). */
export function segmentsText(segments: readonly Segment[]): string {
  return segments.map((s) => s.text).join('');
}
