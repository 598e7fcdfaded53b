/** The servers pane: only the rows in its window are formatted. */
import { Line } from './Line.js';
import type { ServerView, Totals } from '../view/model.js';
import { Pane, windowInfo } from './Pane.js';
import { serverColumns, serverHeader, serverRow } from './serverRow.js';

export interface ListPaneProps<T> {
  readonly items: readonly T[];
  /** First row shown. */
  readonly offset: number;
  /** Rows shown. */
  readonly rows: number;
  readonly selected: number;
  readonly focused: boolean;
  readonly width: number;
}

/**
 * `supervised`: the master belongs to a group, and each server's supervisor is shown (§12.2). Where
 * the servers are (§12.5) is shown when a server in the window said (only the rows shown are read).
 */
export function ServersPane({ items, offset, rows, selected, focused, width, supervised = false, views }: ListPaneProps<ServerView> & { readonly supervised?: boolean; readonly views?: Totals['views'] }) {
  const end = Math.min(items.length, offset + rows);
  let located = false;
  for (let i = offset; i < end && !located; i++) located = items[i]!.loc !== undefined;
  let viewed = false;
  for (let i = offset; i < end && !viewed; i++) viewed = items[i]!.viewKnown !== undefined;
  const cols = serverColumns(width, supervised, located, viewed);
  const lines = [];
  for (let i = offset; i < end; i++) {
    const mine = i === selected;
    lines.push(<Line key={i} segments={serverRow(items[i]!, cols, mine)} width={width} inverse={mine && focused} />);
  }
  return (
    <Pane title="Servers" info={`${windowInfo(offset, end - offset, items.length)}${views ? ` · views whole ${views.whole}/${views.of}` : ''}`} focused={focused} width={width}>
      <Line segments={serverHeader(cols)} width={width} />
      {rows > 0 && items.length === 0 ? <Line segments={[{ text: '  no servers registered', dim: true }]} width={width} /> : lines}
    </Pane>
  );
}
