/** A session as one fixed-width row: client, file, server, progress bar with NPT, scale, handoffs. */
import { bar } from './bars.js';
import { clockTime, fit, scaleText } from './format.js';
import type { SessionView } from '../view/model.js';
import type { Segment } from './segments.js';

export interface SessionColumns {
  readonly sid: number;
  readonly client: number;
  readonly file: number;
  readonly server: number;
  readonly bar: number;
  readonly position: number;
  readonly scale: number;
  readonly handoffs: number;
  readonly moving: number;
}

const MOVING_WIDE = '⇄ moving';
const MOVING_NARROW = '⇄';

/** Column widths for a terminal `width` wide; the address and file columns share what is left. */
export function sessionColumns(width: number): SessionColumns {
  const fixed = { sid: 6, position: 11, scale: 5, handoffs: 3, moving: width >= 100 ? MOVING_WIDE.length : MOVING_NARROW.length };
  // marker 2, one space after every column but the last
  const used = 2 + fixed.sid + fixed.position + fixed.scale + fixed.handoffs + fixed.moving + 8;
  let barWidth = width >= 120 ? 16 : width >= 100 ? 12 : 8;
  const rest = Math.max(9, width - used - barWidth);
  const client = Math.min(22, Math.floor(rest * 0.36));
  const server = Math.min(22, Math.floor(rest * 0.36));
  const file = Math.min(24, rest - client - server);
  // Whatever the text columns cannot use widens the bar (up to 30 cells).
  barWidth = Math.min(30, barWidth + (rest - client - server - file));
  return { ...fixed, client, file, server, bar: barWidth };
}

export function sessionHeader(c: SessionColumns): Segment[] {
  const text = '  ' + fit('sid', c.sid, 'right') + ' ' + fit('client', c.client) + ' ' + fit('file', c.file) + ' ' +
    fit('server', c.server) + ' ' + fit('position', c.bar) + ' ' + fit('npt', c.position) + ' ' +
    fit('rate', c.scale, 'right') + ' ' + fit('h/o', c.handoffs, 'right');
  return [{ text, bold: true }];
}

export function sessionRow(s: SessionView, c: SessionColumns, selected: boolean): Segment[] {
  const known = s.npt !== undefined && s.duration !== undefined && s.duration > 0;
  const fraction = known ? s.npt! / s.duration! : 0;
  const position = `${clockTime(s.npt)}/${clockTime(s.duration)}`;
  return [
    { text: selected ? '› ' : '  ' },
    { text: fit(String(s.sid), c.sid, 'right') + ' ' + fit(s.client, c.client) + ' ' + fit(s.file, c.file) + ' ' + fit(s.srv, c.server) + ' ' },
    { text: bar(fraction, c.bar), color: s.moving ? 'yellow' : 'blue', dim: !known },
    { text: ' ' + fit(position, c.position, 'right') + ' ' + fit(scaleText(s.scale), c.scale, 'right') + ' ' },
    { text: fit(String(s.handoffs), c.handoffs, 'right'), color: s.handoffs > 0 ? 'cyan' : undefined },
    { text: ' ' },
    { text: s.moving ? (c.moving > 1 ? MOVING_WIDE : MOVING_NARROW) : ' '.repeat(c.moving), color: 'yellow', bold: true },
  ];
}
