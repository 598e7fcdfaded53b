/**
 * One terminal line, `width` cells, from styled segments.
 *
 * ink measures every text node for layout and keeps each distinct text it ever measured in a
 * process-wide cache that is never emptied; a dashboard whose lines change every refresh would
 * grow without bound. So a line is laid out as a constant blank of its width and its content is
 * put in at output time by a <Transform>: layout sees one string per width, output does the rest.
 */
import { Transform } from 'ink';
import { createContext, useContext } from 'react';
import { clipSegments, type Segment } from './segments.js';
import { styled } from './sgr.js';

/** Whether lines are drawn with colours (set once by the dashboard). */
export const ColorContext = createContext(true);

const blanks = new Map<number, string>();
function blank(width: number): string {
  let b = blanks.get(width);
  if (b === undefined) {
    b = ' '.repeat(width);
    blanks.set(width, b);
  }
  return b;
}

export interface LineProps {
  readonly segments: readonly Segment[];
  readonly width: number;
  /** Highlight the whole line (the selected row of the focused pane). */
  readonly inverse?: boolean;
}

export function Line({ segments, width, inverse }: LineProps) {
  const color = useContext(ColorContext);
  if (width <= 0) return null;
  const text = styled(clipSegments(segments, width), color, inverse) || ' ';
  return <Transform transform={() => text}>{blank(width)}</Transform>;
}
