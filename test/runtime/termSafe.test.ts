/** Text from the network reaches a terminal escaped: no control character, no bidi override (termSafe.ts). */
import { describe, expect, it } from 'vitest';
import { humanEvent, Output } from '../../src/runtime/output.js';
import { table } from '../../src/runtime/table.js';
import { termSafe, termSafeDeep, termSafeLines } from '../../src/runtime/termSafe.js';
import { errorLine } from '../../src/runtime/errorLine.js';

const EVIL = 'film\x1b]0;pwned\x07\x1b[2J\u009b31m\u202eevil.ts';
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('termSafe', () => {
  it('escapes C0, DEL, C1 and bidirectional overrides, and leaves other text as it is', () => {
    expect(termSafe(EVIL)).toBe('film\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m\\u{202e}evil.ts');
    expect(termSafe('piste-é 日本 ok.ts')).toBe('piste-é 日本 ok.ts');
    expect(termSafe('a\nb\tc\x7f')).toBe('a\\x0ab\\x09c\\x7f');
    expect(termSafeLines('a\nb\x1b')).toBe('a\nb\\x1b');
    expect(termSafeDeep({ servers: [{ name: 'x\x1by', n: 3, bin: new Uint8Array([27]) }] })).toEqual({ servers: [{ name: 'x\\x1by', n: 3, bin: new Uint8Array([27]) }] });
  });

  it('holds for every way a name reaches a terminal: events, tables, error lines, result lines', () => {
    expect(humanEvent({ type: 'redirect', file: EVIL, srv: '127.0.0.1:1' }, 0)).not.toMatch(CONTROL);
    expect(table(['FILE', 'GROUP'], [[EVIL, EVIL]]).join('\n')).not.toMatch(CONTROL);
    expect(errorLine('refused', `the master said: ${EVIL}`)).not.toMatch(CONTROL);
    let written = '';
    const sink = { write: (s: string) => ((written += s), true) } as unknown as NodeJS.WriteStream;
    const out = new Output({ mode: 'human', logLevel: 'info', stdout: sink, stderr: sink });
    out.result(`complete: ${EVIL}\nnext line`);
    out.note(EVIL);
    out.listening({ type: 'listening', detail: EVIL }, `listening ${EVIL}`);
    expect(written).not.toMatch(CONTROL);
    expect(written.split('\n')[1]).toBe('next line');
  });
});
