/** A server as one fixed-width row: address, group, state, files, streams, bandwidth bar, load sparkline. */
import { bar, sparkline, usageColor } from './bars.js';
import { compactRate, fit } from './format.js';
import { HISTORY_LENGTH, type ServerView } from '../view/model.js';
import { stateColor } from './palette.js';
import type { Segment } from './segments.js';

export interface ServerColumns {
  readonly name: number;
  readonly group: number;
  readonly state: number;
  readonly files: number;
  readonly streams: number;
  readonly bw: number;
  readonly bar: number;
  readonly spark: number;
  /** The supervisor column (§12.2), for a master in a group; 0 = none. */
  readonly sup: number;
  /** Where each server is and the master's round trip to it (§12.5), when any server said where it is; 0 = none. */
  readonly where: number;
  /** Each server's view of the others (§13): peers known and its stalest entry's age, when any server keeps a view; 0 = none. */
  readonly view: number;
}

/** The width of the location and round-trip column: a location of 12 and `999ms`. */
const WHERE_WIDTH = 18;
/** The width of the view column: `4096 · 99s`. */
const VIEW_WIDTH = 10;

/**
 * Column widths for a terminal `width` wide; computed once per frame, not per row. `supervised`: a
 * master in a group shows each server's supervisor; `located`: servers said where they are (§12.5),
 * shown with the round trip when the terminal has room for it beside the bar; `viewed`: servers
 * keep a view of one another (§13), shown when there is room too.
 */
export function serverColumns(width: number, supervised = false, located = false, viewed = false): ServerColumns {
  const name = width >= 120 ? 24 : 18;
  const sup = supervised ? name + 1 : 0;
  const fixed = { name, group: 7, state: 10, files: 5, streams: 7, bw: 11 };
  // 2 for the selection marker, 1 space after each fixed column.
  const base = 2 + fixed.name + fixed.group + fixed.state + fixed.files + fixed.streams + fixed.bw + 6 + (sup > 0 ? sup + 1 : 0);
  const where = located && width - base >= WHERE_WIDTH + 1 + 12 ? WHERE_WIDTH : 0;
  const afterWhere = base + (where > 0 ? where + 1 : 0);
  const view = viewed && width - afterWhere >= VIEW_WIDTH + 1 + 12 ? VIEW_WIDTH : 0;
  const used = afterWhere + (view > 0 ? view + 1 : 0);
  const rest = Math.max(0, width - used);
  // The sparkline wants at most HISTORY_LENGTH cells; the bar 6..20; below 12 cells only the bar.
  let spark = 0;
  let barWidth = 0;
  if (rest >= 12) {
    spark = Math.min(HISTORY_LENGTH, Math.floor((rest - 2) / 2));
    barWidth = Math.min(20, rest - 2 - spark);
  } else if (rest >= 5) {
    barWidth = rest - 1;
  }
  return { ...fixed, bar: barWidth, spark, sup, where, view };
}

export function serverHeader(c: ServerColumns): Segment[] {
  const text = '  ' + fit('server', c.name) + ' ' + fit('group', c.group) + ' ' + fit('state', c.state) + ' ' +
    fit('files', c.files, 'right') + ' ' + fit('streams', c.streams, 'right') + ' ' + fit('bandwidth', c.bw, 'right') +
    (c.sup > 0 ? ' ' + fit('supervisor', c.sup) : '') +
    (c.where > 0 ? ' ' + fit('where', c.where) : '') +
    (c.view > 0 ? ' ' + fit('view', c.view) : '') +
    (c.bar > 0 ? ' ' + fit('use', c.bar) : '') + (c.spark > 0 ? ' ' + fit('load', c.spark) : '');
  return [{ text, bold: true }];
}

/** `par-1 3ms`: where a server is and the master's round trip to it, each `-` when unknown. */
function where(s: ServerView): string {
  return `${s.loc ?? '-'} ${s.rtt !== undefined ? `${s.rtt}ms` : '-'}`;
}

export function serverRow(s: ServerView, c: ServerColumns, selected: boolean): Segment[] {
  const use = s.cap > 0 ? s.bw / s.cap : 0;
  const out: Segment[] = [
    { text: selected ? '› ' : '  ' },
    { text: fit(s.name, c.name) + ' ' + fit(s.group, c.group) + ' ' },
    { text: fit(s.state, c.state), color: stateColor(s.state), bold: s.state !== 'up' },
    { text: ' ' + fit(String(s.files), c.files, 'right') + ' ' + fit(String(s.streams), c.streams, 'right') + ' ' +
      fit(`${compactRate(s.bw)}/${compactRate(s.cap)}`, c.bw, 'right') },
  ];
  if (c.sup > 0) out.push({ text: ' ' + fit(s.supervisor ?? '-', c.sup) });
  if (c.where > 0) out.push({ text: ' ' + fit(where(s), c.where) });
  if (c.view > 0) out.push({ text: ' ' + fit(s.viewKnown === undefined ? '-' : `${s.viewKnown} · ${s.viewStalest ?? 0}s`, c.view) });
  if (c.bar > 0) out.push({ text: ' ' }, { text: bar(use, c.bar), color: usageColor(use) });
  if (c.spark > 0) out.push({ text: ' ' }, { text: sparkline(s.history, c.spark, s.cap), color: 'cyan' });
  return out;
}
