/** A role's state table (src/roles/stateMachine.ts) drawn as a mermaid diagram plus its states and transitions tables. */
import { edges, type StateTable } from '../../src/roles/stateMachine.js';
import { code, table } from './markdown.js';

/** Mermaid state ids may not contain `-`: `set-up` is declared as `set_up` with its real name as label. */
function id(state: string): string {
  return state.replace(/[^A-Za-z0-9_]/g, '_');
}

export function renderStateTable<S extends string, E extends string>(t: StateTable<S, E>): string {
  const states = Object.keys(t.states) as S[];
  const all = edges(t);
  const lines = ['```mermaid', 'stateDiagram-v2'];
  for (const s of states) if (id(s) !== s) lines.push(`  state "${s}" as ${id(s)}`);
  lines.push(`  [*] --> ${id(t.initial)}`);
  for (const [from, on, to] of all) lines.push(`  ${id(from)} --> ${id(to)}: ${on}`);
  for (const s of states) if (!all.some(([from]) => from === s)) lines.push(`  ${id(s)} --> [*]`);
  lines.push('```');

  const stateRows = states.map((s) => [code(s) + (s === t.initial ? ' (initial)' : ''), t.states[s]]);
  const transitionRows = t.transitions.map((tr) => [
    (typeof tr.from === 'string' ? [tr.from] : [...(tr.from as readonly S[])]).map(code).join(', '),
    code(tr.on),
    code(tr.to),
    tr.doc,
  ]);
  return [
    `State machine \`${t.name}\`:`,
    '',
    lines.join('\n'),
    '',
    table(['State', 'Meaning'], stateRows),
    '',
    table(['From', 'Event', 'To', 'When'], transitionRows),
    '',
    'A state with no outgoing transition is final. An event that has no row for the current state changes nothing.',
  ].join('\n');
}
