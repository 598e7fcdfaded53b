import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import { INITIAL_UI, reduceKey, type KeyContext, type UiState } from '../../src/ui/keys.js';
import type { ExtraAction } from '../../src/view/model.js';
import { keyedList } from '../../src/ui/scroll.js';

const NONE: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
  super: false, hyper: false, capsLock: false, numLock: false,
};
const k = (over: Partial<Key>): Key => ({ ...NONE, ...over });

const kill: ExtraAction = { key: 'x', label: 'kill', target: 'server', run: async () => ({ ok: true, text: '' }) };
const more: ExtraAction = { key: 'c', label: 'start clients', target: 'none', run: async () => ({ ok: true, text: '' }) };

function ctx(over: Partial<KeyContext> = {}): KeyContext {
  return {
    lists: {
      servers: keyedList(['s0', 's1', 's2'], (s) => s),
      sessions: keyedList([10, 11], (s) => s),
      events: keyedList([3, 2, 1], (s) => s),
    },
    pageRows: { servers: 2, sessions: 2, events: 2 },
    readOnly: false,
    extra: [kill, more],
    ...over,
  };
}

function keys(seq: [string, Partial<Key>?][], c = ctx(), start: UiState = INITIAL_UI) {
  let state = start;
  const effects = [];
  for (const [input, key] of seq) {
    const out = reduceKey(state, input, k(key ?? {}), c);
    state = out.state;
    if (out.effect) effects.push(out.effect);
  }
  return { state, effects };
}

describe('dashboard keys', () => {
  it('tab cycles the focus forwards, shift-tab backwards', () => {
    expect(keys([['', { tab: true }]]).state.focus).toBe('sessions');
    expect(keys([['', { tab: true }], ['', { tab: true }], ['', { tab: true }]]).state.focus).toBe('servers');
    expect(keys([['', { tab: true, shift: true }]]).state.focus).toBe('events');
  });

  it('arrows and j/k move within the focused pane and stop at the ends', () => {
    const { state } = keys([['j'], ['', { downArrow: true }], ['j'], ['j']]);
    expect(state.selection.servers).toEqual({ index: 2, key: 's2' });
    expect(keys([['j'], ['k'], ['', { upArrow: true }]]).state.selection.servers.index).toBe(0);
    expect(keys([['G']]).state.selection.servers.key).toBe('s2');
    expect(keys([['', { pageDown: true }]]).state.selection.servers.index).toBe(2);
  });

  it('d drains the selected server and h hands the selected stream off', () => {
    expect(keys([['j'], ['d']]).effects).toEqual([{ type: 'drain', server: 's1' }]);
    expect(keys([['', { tab: true }], ['j'], ['h']]).effects).toEqual([{ type: 'handoff', sid: 11 }]);
  });

  it('read-only blocks acting keys with a message', () => {
    for (const key of ['d', 'h', 'x', 'c']) {
      const { state, effects } = keys([[key]], ctx({ readOnly: true }));
      expect(effects).toEqual([]);
      expect(state.message?.text).toMatch(/read-only/);
    }
  });

  it('says so when there is nothing to act on', () => {
    const empty = ctx({ lists: { servers: keyedList([], (s: string) => s), sessions: keyedList([], (s: number) => s), events: keyedList([], (s: number) => s) } });
    const { state, effects } = keys([['d']], empty);
    expect(effects).toEqual([]);
    expect(state.message?.text).toBe('drain: no server selected');
  });

  it('runs extra actions on their key, with the selected server when they need one', () => {
    expect(keys([['j'], ['x']]).effects).toEqual([{ type: 'extra', action: kill, server: 's1' }]);
    expect(keys([['c']]).effects).toEqual([{ type: 'extra', action: more }]);
  });

  it('/ types a filter: characters add, backspace removes, enter keeps, esc clears', () => {
    const typed = keys([['/'], ['d'], ['o'], ['wx'], ['', { backspace: true }]]);
    expect(typed.state).toMatchObject({ typing: true, filter: 'dow', focus: 'events' });
    // Typed keys are text, not commands.
    expect(typed.effects).toEqual([]);
    const applied = keys([['', { return: true }]], ctx(), typed.state);
    expect(applied.state).toMatchObject({ typing: false, filter: 'dow' });
    expect(keys([['', { escape: true }]], ctx(), applied.state).state.filter).toBe('');
    expect(keys([['', { escape: true }]], ctx(), typed.state).state).toMatchObject({ typing: false, filter: '' });
  });

  it('p toggles pause, ? toggles help (which swallows other keys), q and ctrl-c quit', () => {
    expect(keys([['p']]).state.paused).toBe(true);
    expect(keys([['p'], ['p']]).state.paused).toBe(false);
    const help = keys([['?'], ['d'], ['j']]);
    expect(help.state.help).toBe(true);
    expect(help.effects).toEqual([]);
    expect(help.state.selection.servers.index).toBe(0);
    expect(keys([['?'], ['', { escape: true }]]).state.help).toBe(false);
    expect(keys([['q']]).effects).toEqual([{ type: 'quit' }]);
    expect(keys([['c', { ctrl: true }]]).effects).toEqual([{ type: 'quit' }]);
    expect(keys([['/'], ['c', { ctrl: true }]]).effects).toEqual([{ type: 'quit' }]);
  });

  it('takes several characters at once as several keys', () => {
    expect(keys([['jj']]).state.selection.servers.index).toBe(2);
    expect(keys([['jd']]).effects).toEqual([{ type: 'drain', server: 's1' }]);
  });
});
