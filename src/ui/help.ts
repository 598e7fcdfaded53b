/** The `?` help: every key, what the colours mean (pure; drawn in place of the panes). */
import type { KeyHelp } from './keymap.js';
import type { Segment } from './segments.js';

export function helpLines(keys: readonly KeyHelp[], readOnly: boolean): Segment[][] {
  const width = Math.max(...keys.map((k) => k.keys.length));
  const lines: Segment[][] = [[{ text: ' Keys ', bold: true, inverse: true, color: 'cyan' }, { text: '  esc or ? closes this help', dim: true }]];
  for (const k of keys) {
    const disabled = readOnly && k.acts;
    lines.push([
      { text: `  ${k.keys.padEnd(width)}  `, bold: true, color: disabled ? 'gray' : 'cyan' },
      { text: k.help + (disabled ? '  (disabled: read-only)' : ''), dim: disabled },
    ]);
  }
  lines.push(
    [{ text: ' States ', bold: true, inverse: true, color: 'cyan' }],
    [
      { text: '  up', color: 'green' }, { text: '  draining', color: 'yellow' }, { text: '  overloaded', color: 'magenta' },
      { text: '  down', color: 'red' }, { text: '  registering', color: 'cyan' }, { text: '  left', color: 'gray' },
    ],
    [{ text: '  bandwidth bar: green below 70 %, yellow below 90 %, then red', dim: true }],
    [{ text: '  load: bandwidth in use over the last refreshes; ⇄: a stream moving to another server', dim: true }],
  );
  return lines;
}
