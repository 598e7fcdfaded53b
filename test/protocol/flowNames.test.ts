/** §10.2 Flow names: what a client will write a flow to. */
import { describe, expect, it } from 'vitest';
import { MAX_NAME } from '../../src/protocol/constants.js';
import { flowNameProblem, flowNamesProblem } from '../../src/protocol/flowNames.js';

describe('flow names (§10.2)', () => {
  it('take plain file names, in any script, up to MAX_NAME bytes', () => {
    for (const name of ['show.video', 'show.audio', 'piste-é.aac', '日本語.ts', 'a'.repeat(MAX_NAME), 'x..y']) expect(flowNameProblem(name), name).toBeUndefined();
    expect(flowNamesProblem(['show.video', 'show.audio'])).toBeUndefined();
  });

  it('refuse paths, control characters, hidden names, long names and a name given twice', () => {
    expect(flowNameProblem('')).toBe('is empty');
    expect(flowNameProblem('../up')).toBe('is a path');
    expect(flowNameProblem('a\\b')).toBe('is a path');
    expect(flowNameProblem('..')).toBe('starts with a dot');
    expect(flowNameProblem('.bashrc')).toBe('starts with a dot');
    for (const c of ['\0', '\x07', '\x1b', '\n', '\x7f', '\x85', '\x9b']) expect(flowNameProblem(`a${c}b`), JSON.stringify(c)).toBe('holds a control character');
    expect(flowNameProblem('é'.repeat(128))).toBe(`is longer than ${MAX_NAME} bytes`);
    expect(flowNamesProblem(['v', 'v'])).toBe('"v" is named twice');
    expect(flowNamesProblem(['v', '../a'])).toBe('"../a" is a path');
  });
});
