/** Colours with a meaning: server states and event levels. */
import type { EventLevel, ServerStateView } from '../view/model.js';

/** One colour for each state of the master's view of a server: a state added to its table needs one here. */
export const STATE_COLORS: Readonly<Record<ServerStateView, string>> = {
  joining: 'cyan',
  up: 'green',
  down: 'red',
  draining: 'yellow',
  overloaded: 'magenta',
};

export function stateColor(state: ServerStateView): string {
  return STATE_COLORS[state];
}

export function levelColor(level: EventLevel): string | undefined {
  switch (level) {
    case 'error': return 'red';
    case 'warn': return 'yellow';
    default: return undefined;
  }
}
