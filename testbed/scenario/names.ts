/**
 * The nodes a scenario declares, by name: `count: N` expands a name into
 * `name-1 … name-N`, and the base name then stands for all of them wherever
 * names are given (faults, impairments, expectations). `*` is every node, and
 * `masters`, `portals`, `servers`, `clients`, `attackers`, `bases`, `providers` every node of that kind.
 */
import type { RoleKind } from './types.js';

export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const NAME_SHAPE = 'must be letters, digits, `.`, `_` or `-` (64 at most), starting with a letter or a digit';
export const KIND_WORDS: Readonly<Record<string, RoleKind>> = { masters: 'master', portals: 'portal', servers: 'server', clients: 'client', attackers: 'attacker', bases: 'base', providers: 'provider' };
export const RESERVED = new Set(['*', ...Object.keys(KIND_WORDS)]);

export class NameTable {
  /** Every node, in declaration order. */
  readonly kinds = new Map<string, RoleKind>();
  /** A counted name → the names it expanded into. */
  readonly groups = new Map<string, string[]>();
  /** Names that are not nodes but addresses (spoofed victims). */
  readonly extra = new Set<string>();

  /** Declare a node; the reason it cannot be, or undefined. */
  declare(name: string, kind: RoleKind): string | undefined {
    if (RESERVED.has(name)) return `${JSON.stringify(name)} is reserved (it stands for several nodes): choose another name`;
    if (this.kinds.has(name) || this.groups.has(name)) return `the name ${JSON.stringify(name)} is used twice`;
    this.kinds.set(name, kind);
    return undefined;
  }

  declareGroup(base: string, names: string[]): string | undefined {
    if (RESERVED.has(base)) return `${JSON.stringify(base)} is reserved (it stands for several nodes): choose another name`;
    if (this.kinds.has(base) || this.groups.has(base)) return `the name ${JSON.stringify(base)} is used twice`;
    this.groups.set(base, names);
    return undefined;
  }

  all(): string[] {
    return [...this.kinds.keys()];
  }

  ofKind(kind: RoleKind): string[] {
    return this.all().filter((n) => this.kinds.get(n) === kind);
  }

  /**
   * The nodes a word stands for: itself, a counted group, a kind word, or `*`
   * (returned as `*` when `star` is allowed). Undefined when it names nothing.
   */
  expand(word: string, star: boolean): string[] | undefined {
    if (word === '*') return star ? ['*'] : this.all();
    const kind = KIND_WORDS[word];
    if (kind) return this.ofKind(kind);
    if (this.kinds.has(word)) return [word];
    return this.groups.get(word);
  }

  /** Every name a user may write, for "did you mean". */
  words(): string[] {
    return ['*', ...Object.keys(KIND_WORDS), ...this.groups.keys(), ...this.kinds.keys()];
  }
}
