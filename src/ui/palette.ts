/** Colours with a meaning: server states and event levels. */
import type { EventLevel, ServerStateView } from './model.js';

export function stateColor(state: ServerStateView): string {
  switch (state) {
    case 'up': return 'green';
    case 'down': return 'red';
    case 'draining': return 'yellow';
    case 'overloaded': return 'magenta';
    case 'registering': return 'cyan';
    case 'left': return 'gray';
    default: return 'white';
  }
}

export function levelColor(level: EventLevel): string | undefined {
  switch (level) {
    case 'error': return 'red';
    case 'warn': return 'yellow';
    default: return undefined;
  }
}
