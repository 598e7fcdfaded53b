/**
 * Reading a YAML document node by node, so that every problem names its
 * `file:line:col`: a map's keys are checked against the keys it may have
 * (an unknown key gets a "did you mean"), values against their units. Problems
 * are collected, not thrown, so one run of the checker reports them all.
 */
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, type YAMLMap } from 'yaml';
import type { SourcePos } from './types.js';
import type { Parsed } from './units.js';
import type { ScenarioProblem } from '../../src/errors.js';
import { nearest } from '../../src/text/nearest.js';

/** A map's entries by key, with the key's node (for positions). */
export type Entries = Map<string, { readonly key: Node; readonly value: Node | null }>;

export class YamlReader {
  readonly problems: ScenarioProblem[] = [];
  readonly root: Node | null;
  private readonly lines = new LineCounter();

  constructor(
    readonly file: string,
    text: string,
  ) {
    const doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true });
    let bracketSeen = false;
    for (const e of doc.errors) {
      const message = firstLine(e.message);
      // The parser notices an unclosed `{` or `[` where the text goes on after it: point at the bracket
      // instead (once: the brackets around it are reported unclosed too, because of it).
      const bracket = /end with a [}\]]/.test(message);
      if (bracket && bracketSeen) continue;
      bracketSeen ||= bracket;
      const opener = bracket ? unclosedBracket(text, e.pos[0]) : undefined;
      const at = this.lines.linePos(opener ?? e.pos[0]);
      const why = opener !== undefined ? `this \`${text[opener]}\` is not closed: end the ${text[opener] === '{' ? 'map with `}`' : 'list with `]`'} on the same line, or write it as indented lines` : message;
      if (!this.problems.some((p) => p.line === at.line && p.col === at.col && p.message === why)) this.problems.push({ file, line: at.line, col: at.col, message: why });
    }
    this.root = doc.errors.length > 0 ? null : (doc.contents as Node | null);
  }

  pos(node: Node | null | undefined): SourcePos {
    const offset = node?.range?.[0];
    return offset === undefined ? { line: 1, col: 1 } : this.lines.linePos(offset);
  }

  problem(node: Node | null | undefined, message: string): undefined {
    const p = this.pos(node);
    this.problems.push({ file: this.file, line: p.line, col: p.col, message });
    return undefined;
  }

  /**
   * A map with only the keys given (`what` names it in messages). Returns its
   * entries, or undefined (with a problem) when the node is not a map.
   */
  map(node: Node | null, what: string, keys: readonly string[], required: readonly string[] = []): Entries | undefined {
    if (!isMap(node)) return this.problem(node, `${what} must be a map of ${keys.map((k) => `\`${k}\``).join(', ')}`);
    const out: Entries = new Map();
    for (const pair of (node as YAMLMap<Node, Node | null>).items) {
      const keyNode = pair.key as Node;
      const key = isScalar(keyNode) ? String(keyNode.value) : undefined;
      if (key === undefined) {
        this.problem(keyNode, `${what}: keys must be plain words`);
        continue;
      }
      if (!keys.includes(key)) {
        const near = nearest(key, keys);
        this.problem(keyNode, `unknown key \`${key}\` in ${what}${near ? ` (did you mean \`${near}\`?)` : ''}; known keys: ${keys.join(', ')}`);
        continue;
      }
      out.set(key, { key: keyNode, value: (pair.value as Node | null) ?? null });
    }
    for (const k of required) if (!out.has(k)) this.problem(node, `${what} needs \`${k}\``);
    return out;
  }

  /** A sequence's items (undefined, with a problem, when it is not one). */
  list(node: Node | null, what: string): Node[] | undefined {
    if (!isSeq(node)) return this.problem(node, `${what} must be a list (- item per line, or [a, b])`);
    return (node.items as (Node | null)[]).map((n) => n ?? (null as unknown as Node));
  }

  /** A scalar's value (undefined, with a problem, for a map, a list or an empty value). */
  scalar(node: Node | null, what: string): unknown {
    if (!isScalar(node) || node.value === null) return this.problem(node, `${what} must be a single value`);
    return node.value;
  }

  /** A scalar parsed by a unit parser. */
  unit<T>(node: Node | null, what: string, parse: (v: unknown) => Parsed<T>): T | undefined {
    if (!isScalar(node) || node.value === null) return this.problem(node, `${what}: a value is needed`);
    const r = parse(node.value);
    if (!r.ok) return this.problem(node, `${what}: ${r.why}`);
    return r.value;
  }

  str(node: Node | null, what: string, pattern?: RegExp, shape?: string): string | undefined {
    const v = this.scalar(node, what);
    if (v === undefined) return undefined;
    if (typeof v !== 'string' && typeof v !== 'number') return this.problem(node, `${what} must be text`);
    const s = String(v);
    if (pattern && !pattern.test(s)) return this.problem(node, `${what} ${JSON.stringify(s)} ${shape ?? 'is not valid'}`);
    return s;
  }

  bool(node: Node | null, what: string): boolean | undefined {
    const v = this.scalar(node, what);
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') return this.problem(node, `${what} must be true or false, not ${JSON.stringify(v)}`);
    return v;
  }

  oneOf<T extends string>(node: Node | null, what: string, options: readonly T[]): T | undefined {
    const v = this.scalar(node, what);
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !options.includes(v as T)) {
      const near = typeof v === 'string' ? nearest(v, options) : undefined;
      return this.problem(node, `${what} ${JSON.stringify(v)} is not one of ${options.join(', ')}${near ? ` (did you mean ${near}?)` : ''}`);
    }
    return v as T;
  }

  /** One name or a list of names (`A`, `[A, B]`, `*`): the raw words with their nodes. */
  words(node: Node | null, what: string): { word: string; node: Node }[] | undefined {
    if (isSeq(node)) {
      const out: { word: string; node: Node }[] = [];
      for (const item of node.items as Node[]) {
        const w = this.str(item, `${what} item`);
        if (w !== undefined) out.push({ word: w, node: item });
      }
      if (out.length === 0 && node.items.length === 0) this.problem(node, `${what} is an empty list`);
      return out;
    }
    const w = this.str(node, what);
    return w === undefined ? undefined : [{ word: w, node: node! }];
  }
}

/**
 * The offset of the last `{` or `[` before `end` that no bracket closes,
 * skipping comments and quoted text (a quote counts only where a value starts).
 */
function unclosedBracket(text: string, end: number): number | undefined {
  const open: number[] = [];
  for (let i = 0; i < end; i++) {
    const ch = text[i]!;
    if (ch === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      while (i < end && text[i] !== '\n') i++;
    } else if ((ch === '"' || ch === "'") && /(^|[\s:[{,-])$/.test(text.slice(Math.max(0, i - 1), i))) {
      const close = text.indexOf(ch, i + 1);
      if (close < 0) return undefined;
      i = close;
    } else if (ch === '{' || ch === '[') open.push(i);
    else if ((ch === '}' || ch === ']') && open.length > 0) open.pop();
  }
  return open.at(-1);
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

