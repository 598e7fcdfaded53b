/** A titled pane: one title line (highlighted when focused) and its lines below. */
import { Box } from 'ink';
import type { ReactNode } from 'react';
import { Line } from './Line.js';
import type { Segment } from './segments.js';

export interface PaneProps {
  readonly title: string;
  /** Shown after the title: counts, window position, filter. */
  readonly info: string;
  readonly focused: boolean;
  readonly width: number;
  readonly children: ReactNode;
}

export function Pane({ title, info, focused, width, children }: PaneProps) {
  const head: Segment[] = [
    { text: ` ${title} `, bold: true, inverse: focused, color: focused ? 'cyan' : undefined },
    { text: ` ${info}`, dim: true },
  ];
  return (
    <Box flexDirection="column">
      <Line segments={head} width={width} />
      {children}
    </Box>
  );
}

/** `12-40 of 1000`: which part of a list the window shows. */
export function windowInfo(offset: number, shown: number, total: number): string {
  if (total === 0) return '0';
  if (shown >= total) return String(total);
  return `${offset + 1}-${offset + shown} of ${total}`;
}
