/** The status line: the filter prompt while typing, else the last message (pure). */
import type { Message } from './keys.js';
import type { Segment } from './segments.js';

export function statusSegments(typing: boolean, filter: string, message: Message | undefined): Segment[] {
  if (typing) {
    return [
      { text: '/', bold: true, color: 'cyan' },
      { text: filter },
      { text: '▏', color: 'cyan' },
      { text: '  enter applies, esc clears', dim: true },
    ];
  }
  if (message === undefined) return [];
  const mark = message.tone === 'ok' ? '✓ ' : message.tone === 'error' ? '✕ ' : '» ';
  const color = message.tone === 'ok' ? 'green' : message.tone === 'error' ? 'red' : 'yellow';
  return [{ text: mark + message.text, color }];
}
