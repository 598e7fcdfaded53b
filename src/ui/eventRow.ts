/** An event as one row: time, level, kind, text, coloured by level. */
import { fit, timeOfDay } from './format.js';
import type { EventView } from '../view/model.js';
import { levelColor } from './palette.js';
import type { Segment } from './segments.js';

const KIND_WIDTH = 14;

export function eventRow(e: EventView, width: number, selected: boolean): Segment[] {
  const color = levelColor(e.level);
  const head = (selected ? '› ' : '  ') + timeOfDay(e.at) + ' ';
  const textWidth = Math.max(0, width - head.length - 6 - KIND_WIDTH - 1);
  return [
    { text: head, dim: true },
    { text: fit(e.level, 5) + ' ', color, bold: e.level === 'error' },
    { text: fit(e.kind, KIND_WIDTH) + ' ', color: color ?? 'cyan' },
    { text: fit(e.text, textWidth), color },
  ];
}
