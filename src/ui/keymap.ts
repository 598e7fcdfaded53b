/** The keys the dashboard answers to, for the footer and the help overlay. */
import type { ExtraAction } from '../view/model.js';

export interface KeyHelp {
  readonly keys: string;
  /** Short, for the footer. */
  readonly label: string;
  /** Longer, for the help overlay. */
  readonly help: string;
  /** Acts on the system (disabled when read-only). */
  readonly acts: boolean;
}

/** Keys the dashboard itself uses; an extra action on one of these is never reached. */
export const BUILTIN_KEYS = new Set(['q', '?', '/', 'd', 'h', 'p', 'j', 'k', 'g', 'G']);

export function keyHelp(extra: readonly ExtraAction[]): KeyHelp[] {
  return [
    { keys: 'tab', label: 'focus', help: 'move focus to the next pane (shift-tab: previous)', acts: false },
    { keys: '↑↓/jk', label: 'select', help: 'select in the focused pane (pgup/pgdn, g/G: top/bottom)', acts: false },
    { keys: '/', label: 'filter', help: 'filter events: type, enter applies, esc clears', acts: false },
    { keys: 'd', label: 'drain', help: 'drain the selected server', acts: true },
    { keys: 'h', label: 'handoff', help: 'hand the selected stream off to another server', acts: true },
    ...extra.filter((a) => !BUILTIN_KEYS.has(a.key)).map((a) => ({
      keys: a.key,
      label: a.label,
      help: a.target === 'server' ? `${a.label} (the selected server)` : a.label,
      acts: true,
    })),
    { keys: 'p', label: 'pause', help: 'pause updates (freeze what is shown); again to resume', acts: false },
    { keys: '?', label: 'help', help: 'show or hide this help (esc closes)', acts: false },
    { keys: 'q', label: 'quit', help: 'quit (ctrl-c too)', acts: false },
  ];
}
