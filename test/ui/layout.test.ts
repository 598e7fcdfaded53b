import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { frameLayout, paneRows } from '../../src/ui/layout.js';
import { PANES, type PaneName } from '../../src/ui/panes.js';
import { keyedList, resolveSelection, scrollWindow } from '../../src/ui/scroll.js';

const lines = (l: ReturnType<typeof frameLayout>) =>
  l.header + (l.status ? 1 : 0) + (l.footer ? 1 : 0) + PANES.reduce((n, p) => n + l.panes[p], 0);

describe('frame layout', () => {
  it('never uses more lines than the terminal has, less one', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 200 }), fc.nat(20_000), fc.nat(20_000), fc.nat(600), fc.constantFrom<PaneName>(...PANES),
      (rows, servers, sessions, events, focus) => {
        const l = frameLayout(rows, { servers, sessions, events }, focus);
        expect(lines(l)).toBeLessThanOrEqual(Math.max(1, rows - 1));
        expect(l.height).toBe(Math.max(1, rows - 1));
      },
    ));
  });

  it('shows all three panes in a 24-line terminal and gives spare lines to the panes with rows', () => {
    const l = frameLayout(24, { servers: 1000, sessions: 10_000, events: 2 }, 'servers');
    expect(l.header).toBe(2);
    expect(l.footer && l.status).toBe(true);
    expect(l.panes.events).toBe(1 + 2);
    expect(paneRows('servers', l.panes.servers)).toBeGreaterThan(3);
    expect(paneRows('sessions', l.panes.sessions)).toBeGreaterThan(paneRows('servers', l.panes.servers) - 2);
    expect(lines(l)).toBe(23);
  });

  it('shows only the focused pane when too short for three', () => {
    const l = frameLayout(9, { servers: 10, sessions: 10, events: 10 }, 'sessions');
    expect(l.panes.servers).toBe(0);
    expect(l.panes.events).toBe(0);
    expect(l.panes.sessions).toBeGreaterThan(2);
  });
});

describe('selection and scrolling', () => {
  it('keeps the selected row inside the window, moving it as little as possible', () => {
    expect(scrollWindow(0, 5, 10, 100)).toBe(0);
    expect(scrollWindow(0, 10, 10, 100)).toBe(1);
    expect(scrollWindow(20, 5, 10, 100)).toBe(5);
    expect(scrollWindow(95, 99, 10, 100)).toBe(90);
    expect(scrollWindow(50, 3, 10, 5)).toBe(0);
    fc.assert(fc.property(fc.nat(1000), fc.nat(1000), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 1000 }), (offset, sel, visible, length) => {
      const selected = sel % length;
      const o = scrollWindow(offset, selected, visible, length);
      expect(selected).toBeGreaterThanOrEqual(o);
      expect(selected).toBeLessThan(o + visible);
      expect(o).toBeGreaterThanOrEqual(0);
    }));
  });

  it('follows the selected item when the list shifts, and keeps the place when it is gone', () => {
    const list = keyedList(['c', 'a', 'b'], (s) => s);
    expect(resolveSelection(list, { index: 1, key: 'a' })).toBe(1);
    expect(resolveSelection(list, { index: 0, key: 'b' })).toBe(2);
    expect(resolveSelection(list, { index: 1, key: 'gone' })).toBe(1);
    expect(resolveSelection(list, { index: 9 })).toBe(2);
    expect(resolveSelection(keyedList([], (s: string) => s), { index: 3, key: 'a' })).toBe(0);
  });
});
