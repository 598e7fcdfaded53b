/**
 * §10.2 The names of an item's flows: a client writes each flow to a file of
 * that name in the directory it was given, so a name is one plain path
 * component and nothing else.
 */
import { MAX_NAME } from './constants.js';
import { utf8Length } from './fields.js';

/** Why `name` cannot be a flow name, or undefined when it can. */
export function flowNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (/[/\\]/.test(name)) return 'is a path';
  // NUL and the other C0 and C1 control characters, and DEL: no file name, and no terminal, wants them.
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) return 'holds a control character';
  if (name.startsWith('.')) return 'starts with a dot';
  if (utf8Length(name) > MAX_NAME) return `is longer than ${MAX_NAME} bytes`;
  return undefined;
}

/** Why the flow names of one item cannot be written side by side, or undefined. */
export function flowNamesProblem(names: readonly string[]): string | undefined {
  for (const [i, name] of names.entries()) {
    const why = flowNameProblem(name);
    if (why) return `${JSON.stringify(name)} ${why}`;
    if (names.indexOf(name) !== i) return `${JSON.stringify(name)} is named twice`;
  }
  return undefined;
}
