/**
 * What a key press does (pure): a new UI state and at most one effect for the host to run.
 * Kept apart from React so every binding is testable without a terminal.
 */
import type { Key } from 'ink';
import { BUILTIN_KEYS } from './keymap.js';
import type { ExtraAction } from '../view/model.js';
import { PANES, type PaneName } from './panes.js';
import { clampIndex, resolveSelection, type KeyedList, type Selection } from './scroll.js';

export type Tone = 'info' | 'ok' | 'error';

export interface Message {
  readonly text: string;
  readonly tone: Tone;
}

export interface UiState {
  readonly focus: PaneName;
  readonly selection: Readonly<Record<PaneName, Selection>>;
  /** The events filter in force (applied live while typing). */
  readonly filter: string;
  /** True while the `/` prompt takes the keys. */
  readonly typing: boolean;
  readonly paused: boolean;
  readonly help: boolean;
  readonly message?: Message;
}

export const INITIAL_UI: UiState = {
  focus: 'servers',
  selection: { servers: { index: 0 }, sessions: { index: 0 }, events: { index: 0 } },
  filter: '',
  typing: false,
  paused: false,
  help: false,
};

export type Effect =
  | { readonly type: 'quit' }
  | { readonly type: 'drain'; readonly server: string }
  | { readonly type: 'handoff'; readonly sid: number }
  | { readonly type: 'extra'; readonly action: ExtraAction; readonly server?: string };

export interface KeyContext {
  /** The lists as shown (events already filtered). */
  readonly lists: Readonly<Record<PaneName, KeyedList>>;
  /** Rows visible in each pane, for page up/down. */
  readonly pageRows: Readonly<Record<PaneName, number>>;
  readonly readOnly: boolean;
  readonly extra: readonly ExtraAction[];
}

export interface KeyOutcome {
  readonly state: UiState;
  readonly effect?: Effect;
}

/** Handle one key event. `input` may hold several characters (typed fast or pasted). */
export function reduceKey(state: UiState, input: string, key: Key, ctx: KeyContext): KeyOutcome {
  if (state.typing) return typingKey(state, input, key);
  if (key.ctrl && input === 'c') return { state, effect: { type: 'quit' } };
  // Several plain characters at once: one key each, stopping at the first effect.
  if (input.length > 1 && !key.ctrl && !key.meta) {
    let s = state;
    for (const ch of input) {
      const out = reduceKey(s, ch, key, ctx);
      if (out.effect || out.state.typing) return out;
      s = out.state;
    }
    return { state: s };
  }
  if (state.help) {
    if (key.escape || input === '?') return { state: { ...state, help: false } };
    if (input === 'q') return { state, effect: { type: 'quit' } };
    return { state };
  }
  if (key.tab) return { state: { ...state, focus: nextPane(state.focus, key.shift ? -1 : 1) } };
  const step = moveStep(input, key, ctx.pageRows[state.focus]);
  if (step !== undefined) return { state: move(state, step, ctx) };
  if (key.escape) return { state: state.filter !== '' ? { ...state, filter: '', message: undefined } : { ...state, message: undefined } };
  switch (input) {
    case 'q': return { state, effect: { type: 'quit' } };
    case '?': return { state: { ...state, help: true } };
    case 'p': return { state: { ...state, paused: !state.paused } };
    case '/': return { state: { ...state, typing: true, focus: 'events', filter: '', selection: { ...state.selection, events: { index: 0 } } } };
    case 'd': return act(state, ctx, 'd', 'drain', () => {
      const server = selectedKey(state, ctx, 'servers');
      return typeof server === 'string' ? { type: 'drain', server } : 'no server selected';
    });
    case 'h': return act(state, ctx, 'h', 'handoff', () => {
      const sid = selectedKey(state, ctx, 'sessions');
      return typeof sid === 'number' ? { type: 'handoff', sid } : 'no stream selected';
    });
  }
  const extra = ctx.extra.find((a) => a.key === input && !BUILTIN_KEYS.has(a.key));
  if (extra) {
    return act(state, ctx, extra.key, extra.label, () => {
      if (extra.target === 'none') return { type: 'extra', action: extra };
      const server = selectedKey(state, ctx, 'servers');
      return typeof server === 'string' ? { type: 'extra', action: extra, server } : 'no server selected';
    });
  }
  return { state };
}

function typingKey(state: UiState, input: string, key: Key): KeyOutcome {
  if (key.escape) return { state: { ...state, typing: false, filter: '' } };
  if (key.return) return { state: { ...state, typing: false } };
  if (key.backspace || key.delete) return { state: { ...state, filter: state.filter.slice(0, -1) } };
  if (key.ctrl && input === 'c') return { state, effect: { type: 'quit' } };
  if (key.ctrl || key.meta || key.tab || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow) return { state };
  // Keep printable characters only (no control codes in the filter).
  const text = input.replace(/[\u0000-\u001f\u007f]/g, '');
  return text === '' ? { state } : { state: { ...state, filter: state.filter + text } };
}

function act(state: UiState, ctx: KeyContext, keyName: string, label: string, plan: () => Effect | string): KeyOutcome {
  if (ctx.readOnly) return { state: { ...state, message: { text: `read-only: ${keyName} (${label}) is disabled`, tone: 'error' } } };
  const effect = plan();
  if (typeof effect === 'string') return { state: { ...state, message: { text: `${label}: ${effect}`, tone: 'error' } } };
  return { state, effect };
}

function nextPane(p: PaneName, dir: 1 | -1): PaneName {
  const i = PANES.indexOf(p);
  return PANES[(i + dir + PANES.length) % PANES.length]!;
}

const TOP = -Infinity;
const BOTTOM = Infinity;

function moveStep(input: string, key: Key, page: number): number | undefined {
  if (key.upArrow || input === 'k') return -1;
  if (key.downArrow || input === 'j') return 1;
  if (key.pageUp) return -Math.max(1, page);
  if (key.pageDown) return Math.max(1, page);
  if (key.home || input === 'g') return TOP;
  if (key.end || input === 'G') return BOTTOM;
  return undefined;
}

function move(state: UiState, step: number, ctx: KeyContext): UiState {
  const pane = state.focus;
  const list = ctx.lists[pane];
  const current = resolveSelection(list, state.selection[pane]);
  const target = step === TOP ? 0 : step === BOTTOM ? list.length - 1 : current + step;
  const index = clampIndex(target, list.length);
  // At the top of the events the selection stays on the newest, whatever arrives.
  const key = pane === 'events' && index === 0 ? undefined : list.keyAt(index);
  return { ...state, selection: { ...state.selection, [pane]: { index, key } } };
}

function selectedKey(state: UiState, ctx: KeyContext, pane: PaneName) {
  const list = ctx.lists[pane];
  return list.keyAt(resolveSelection(list, state.selection[pane]));
}
