/** The sessions pane: only the rows in its window are formatted. */
import { Line } from './Line.js';
import type { SessionView } from '../view/model.js';
import { Pane, windowInfo } from './Pane.js';
import type { ListPaneProps } from './ServersPane.js';
import { sessionColumns, sessionHeader, sessionRow } from './sessionRow.js';

export function SessionsPane({ items, offset, rows, selected, focused, width }: ListPaneProps<SessionView>) {
  const cols = sessionColumns(width);
  const end = Math.min(items.length, offset + rows);
  const lines = [];
  for (let i = offset; i < end; i++) {
    const mine = i === selected;
    lines.push(<Line key={i} segments={sessionRow(items[i]!, cols, mine)} width={width} inverse={mine && focused} />);
  }
  return (
    <Pane title="Sessions" info={windowInfo(offset, end - offset, items.length)} focused={focused} width={width}>
      <Line segments={sessionHeader(cols)} width={width} />
      {rows > 0 && items.length === 0 ? <Line segments={[{ text: '  no sessions', dim: true }]} width={width} /> : lines}
    </Pane>
  );
}
