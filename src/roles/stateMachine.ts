/**
 * Transitions as data (h11's `_state.py`): each role's state machine is a
 * table that the code follows and the spec draws (§6). A move that is not in
 * the table is refused, so the table is the whole truth.
 */
import { IllegalTransition } from '../errors.js';

export { IllegalTransition };
export interface Transition<S extends string, E extends string> {
  readonly from: S | readonly S[];
  readonly on: E;
  readonly to: S;
  readonly doc: string;
}

export interface StateTable<S extends string, E extends string> {
  readonly name: string;
  readonly initial: S;
  readonly states: Readonly<Record<S, string>>;
  readonly transitions: readonly Transition<S, E>[];
}

export function defineTable<S extends string, E extends string>(t: StateTable<S, E>): StateTable<S, E> {
  return t;
}

/** Look up the state that `on` leads to from `from`, or undefined when the table has no such move. */
export function nextState<S extends string, E extends string>(table: StateTable<S, E>, from: S, on: E): S | undefined {
  for (const tr of table.transitions) {
    if (tr.on !== on) continue;
    if (typeof tr.from === 'string' ? tr.from === from : (tr.from as readonly S[]).includes(from)) return tr.to;
  }
  return undefined;
}

/** The state `on` leads to from `from`; a move the table does not have throws IllegalTransition. */
export function mustMove<S extends string, E extends string>(table: StateTable<S, E>, from: S, on: E): S {
  const to = nextState(table, from, on);
  if (to === undefined) throw new IllegalTransition(table.name, from, on);
  return to;
}

/** Does the table have a move on `on` from `from`? For inputs that are legal only in some states. */
export function canMove<S extends string, E extends string>(table: StateTable<S, E>, from: S, on: E): boolean {
  return nextState(table, from, on) !== undefined;
}

/** Every [from, on, to] of a table, each `from` list spelled out. */
export function edges<S extends string, E extends string>(table: StateTable<S, E>): [S, E, S, string][] {
  const out: [S, E, S, string][] = [];
  for (const tr of table.transitions) {
    const froms = typeof tr.from === 'string' ? [tr.from as S] : [...(tr.from as readonly S[])];
    for (const f of froms) out.push([f, tr.on, tr.to, tr.doc]);
  }
  return out;
}
