/** The events pane: newest first, narrowed by the filter. */
import { eventRow } from './eventRow.js';
import { Line } from './Line.js';
import type { EventView } from '../view/model.js';
import { Pane, windowInfo } from './Pane.js';
import type { ListPaneProps } from './ServersPane.js';

export interface EventsPaneProps extends ListPaneProps<EventView> {
  readonly filter: string;
  /** Events before filtering. */
  readonly total: number;
}

export function EventsPane({ items, offset, rows, selected, focused, width, filter, total }: EventsPaneProps) {
  const end = Math.min(items.length, offset + rows);
  const lines = [];
  for (let i = offset; i < end; i++) {
    const mine = i === selected;
    lines.push(<Line key={i} segments={eventRow(items[i]!, width, mine)} width={width} inverse={mine && focused} />);
  }
  const info = filter === ''
    ? windowInfo(offset, end - offset, items.length)
    : `${windowInfo(offset, end - offset, items.length)} matching "${filter}" (of ${total})`;
  const empty = filter === '' ? '  no events yet' : '  no events match the filter';
  return (
    <Pane title="Events" info={info} focused={focused} width={width}>
      {rows > 0 && items.length === 0 ? <Line segments={[{ text: empty, dim: true }]} width={width} /> : lines}
    </Pane>
  );
}
