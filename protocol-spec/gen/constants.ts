/**
 * The protocol constants as the spec lists them: every export of
 * `src/protocol/constants.ts` with its value, the expression that defines it,
 * and its doc comment (whose leading `§x.y` names the defining section).
 */
import * as C from '../../src/protocol/constants.js';

export interface ConstantDoc {
  readonly name: string;
  readonly value: unknown;
  /** The initializer as written, e.g. `2 * 1024 * 1024`. */
  readonly expr: string;
  /** The section that defines it, e.g. `§5.2` (empty when the comment names none). */
  readonly section: string;
  /** The doc comment without its section reference. */
  readonly doc: string;
}

/** A doc comment (that does not run into another one) right before `export const NAME[: type] = expr;`. */
const DECLARATION = /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*export const (\w+)(?:\s*:[^=]+)?\s*=\s*([^;]+);/g;

function commentText(raw: string): string {
  return raw
    .split('\n')
    .map((line) => line.replace(/^\s*\*?\s?/, '').trim())
    .filter((line) => line.length > 0)
    .join(' ');
}

/** Read the constants from the source text of constants.ts; every export must have a doc comment. */
export function readConstants(source: string): ConstantDoc[] {
  const values = C as unknown as Record<string, unknown>;
  const out: ConstantDoc[] = [];
  for (const m of source.matchAll(DECLARATION)) {
    const name = m[2]!;
    const text = commentText(m[1]!);
    const ref = /^(§[0-9]+(?:\.[0-9]+)*)\s+/.exec(text);
    out.push({
      name,
      value: values[name],
      expr: m[3]!.trim().replace(/\s+/g, ' '),
      section: ref ? ref[1]! : '',
      doc: ref ? text.slice(ref[0].length) : text,
    });
  }
  const documented = new Set(out.map((c) => c.name));
  const missing = Object.keys(values).filter((name) => !documented.has(name));
  if (missing.length > 0) throw new Error(`constants without a doc comment in constants.ts: ${missing.join(', ')}`);
  return out;
}

/** A constant's value as the spec's tables write it: `1200`, `2097152 (2 * 1024 * 1024)`, `[1]`. */
export function formatConstant(c: ConstantDoc): string {
  const shown = Array.isArray(c.value) ? `[${c.value.join(', ')}]` : String(c.value);
  const literal = c.expr.replace(/_/g, '');
  return literal === shown ? `${shown}` : `${shown} (\`${c.expr}\`)`;
}
