/** A master of the group as one fixed-width row: address, state, incarnation, how long, servers supervised, streams assigned, req/s. */
import { fit, formatAge } from './format.js';
import type { MemberView } from '../view/model.js';
import type { Segment } from './segments.js';

const COLS = { addr: 24, state: 8, inc: 5, age: 7, sup: 10, assigned: 8, rate: 8 } as const;

const STATE_COLOR: Readonly<Record<MemberView['state'], string | undefined>> = { self: 'cyan', alive: 'green', suspect: 'yellow', dead: 'red', left: undefined };

export function memberHeader(): Segment[] {
  return [{
    text: '  ' + fit('master', COLS.addr) + ' ' + fit('state', COLS.state) + ' ' + fit('inc', COLS.inc, 'right') + ' ' + fit('for', COLS.age, 'right') + ' ' +
      fit('supervises', COLS.sup, 'right') + ' ' + fit('assigned', COLS.assigned, 'right') + ' ' + fit('req/s', COLS.rate, 'right'),
    bold: true,
  }];
}

export function memberRow(m: MemberView): Segment[] {
  return [
    { text: '  ' + fit(m.addr, COLS.addr) + ' ' },
    { text: fit(m.state === 'self' ? 'this' : m.state, COLS.state), color: STATE_COLOR[m.state], bold: m.state === 'suspect' || m.state === 'dead' },
    { text: ' ' + fit(m.state === 'self' ? '-' : String(m.inc), COLS.inc, 'right') + ' ' + fit(m.state === 'self' ? '-' : formatAge(m.age), COLS.age, 'right') + ' ' +
      fit(String(m.supervises), COLS.sup, 'right') + ' ' + fit(String(m.assigned), COLS.assigned, 'right') + ' ' + fit(m.requestsPerSec === undefined ? '-' : m.requestsPerSec.toFixed(1), COLS.rate, 'right') },
  ];
}
