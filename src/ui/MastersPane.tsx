/** The masters pane: the watched master's group (§12.1, §12.2), one row per master; shown only for a master in a group. */
import { Line } from './Line.js';
import type { MemberView } from '../view/model.js';
import { Pane, windowInfo } from './Pane.js';
import { memberHeader, memberRow } from './memberRow.js';

export interface MastersPaneProps {
  readonly items: readonly MemberView[];
  /** Rows shown. */
  readonly rows: number;
  readonly width: number;
}

export function MastersPane({ items, rows, width }: MastersPaneProps) {
  const shown = items.slice(0, Math.max(0, rows));
  return (
    <Pane title="Masters" info={windowInfo(0, shown.length, items.length)} focused={false} width={width}>
      <Line segments={memberHeader()} width={width} />
      {shown.map((m) => <Line key={m.addr} segments={memberRow(m)} width={width} />)}
    </Pane>
  );
}
