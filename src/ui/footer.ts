/** The footer: the keys, one line (pure). */
import type { KeyHelp } from './keymap.js';
import type { Segment } from './segments.js';

export function footerSegments(keys: readonly KeyHelp[], readOnly: boolean): Segment[] {
  const out: Segment[] = [];
  if (readOnly) out.push({ text: ' READ-ONLY ', inverse: true, color: 'cyan' }, { text: ' ' });
  for (const k of keys) {
    if (readOnly && k.acts) continue;
    out.push({ text: k.keys, bold: true, color: 'cyan' }, { text: ` ${k.label}  ` });
  }
  return out;
}
