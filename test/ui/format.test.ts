import { describe, expect, it } from 'vitest';
import { bar, sparkline, usageColor } from '../../src/ui/bars.js';
import { clip, clockTime, compactRate, fit, scaleText } from '../../src/ui/format.js';
import { ago } from '../../src/view/units.js';
import { levelColor, STATE_COLORS, stateColor } from '../../src/ui/palette.js';
import { SERVER_VIEW_TABLE } from '../../src/roles/master/serverRecord.js';
import type { ServerStateView } from '../../src/view/model.js';
import { cellsOf, takeCells } from '../../src/ui/cells.js';
import { clipSegments, segmentsText } from '../../src/ui/segments.js';

describe('dashboard formatting', () => {
  it('fits text to a width, cutting with an ellipsis', () => {
    expect(fit('abc', 5)).toBe('abc  ');
    expect(fit('abc', 5, 'right')).toBe('  abc');
    expect(fit('abcdef', 4)).toBe('abc…');
    expect(fit('abc', 0)).toBe('');
    expect(clip('abcdef', 3)).toBe('ab…');
    expect(clip('ab', 3)).toBe('ab');
  });

  it('writes rates compactly, positions as clock time and scales as multiples', () => {
    expect(compactRate(4.5e6)).toBe('4.5M');
    expect(compactRate(100e6)).toBe('100M');
    expect(compactRate(950e3)).toBe('950k');
    expect(compactRate(0)).toBe('0');
    expect(clockTime(83_000)).toBe('01:23');
    expect(clockTime(3_725_000)).toBe('1:02:05');
    expect(clockTime(undefined)).toBe('--:--');
    expect(scaleText(1000)).toBe('1x');
    expect(scaleText(2000)).toBe('2x');
    expect(scaleText(500)).toBe('0.5x');
    expect(scaleText(undefined)).toBe('-');
    expect(ago(12_400)).toBe('12 s');
    expect(ago(600_000)).toBe('10 min');
  });

  it('draws bars filled to the fraction, clamped', () => {
    expect(bar(0.5, 10)).toBe('█████░░░░░');
    expect(bar(0, 4)).toBe('░░░░');
    expect(bar(1.7, 4)).toBe('████');
    expect(bar(Number.NaN, 3)).toBe('░░░');
    expect(bar(0.5, 0)).toBe('');
  });

  it('draws the newest samples of a sparkline on the right, scaled to the capacity', () => {
    expect(sparkline([0, 50, 100], 3, 100)).toBe('▁▅█');
    // Fewer samples than cells: blank on the left.
    expect(sparkline([100], 4, 100)).toBe('   █');
    // More samples than cells: the oldest are dropped.
    expect(sparkline([100, 100, 0, 0], 2, 100)).toBe('▁▁');
    // No capacity: scaled to the largest sample.
    expect(sparkline([1, 2, 4], 3)).toBe('▃▅█');
    expect(sparkline([0, 0], 2)).toBe('▁▁');
  });

  it('gives every state of the master\'s view of a server a colour of its own (a joining server once showed in plain white)', () => {
    const states = Object.keys(SERVER_VIEW_TABLE.states) as ServerStateView[];
    expect(Object.keys(STATE_COLORS).sort()).toEqual([...states].sort());
    for (const state of states) expect(stateColor(state), state).toMatch(/^(?!white$)[a-z]+$/);
    expect(new Set(states.map(stateColor)).size).toBe(states.length);
  });

  it('colours states, levels and usage by meaning', () => {
    expect(stateColor('joining')).toBe('cyan');
    expect(stateColor('up')).toBe('green');
    expect(stateColor('down')).toBe('red');
    expect(stateColor('draining')).toBe('yellow');
    expect(stateColor('overloaded')).toBe('magenta');
    expect(levelColor('error')).toBe('red');
    expect(levelColor('warn')).toBe('yellow');
    expect(levelColor('info')).toBeUndefined();
    expect(usageColor(0.5)).toBe('green');
    expect(usageColor(0.75)).toBe('yellow');
    expect(usageColor(0.95)).toBe('red');
  });

  it('clips styled segments to a width', () => {
    const clipped = clipSegments([{ text: 'abc', color: 'red' }, { text: 'def' }], 4);
    expect(segmentsText(clipped)).toBe('abcd');
    expect(clipped[0]!.color).toBe('red');
  });
});

describe('terminal cells', () => {
  it('counts wide characters as two cells and cuts lines by cells', () => {
    expect(cellsOf('abc')).toBe(3);
    expect(cellsOf('漢字')).toBe(4);
    expect(cellsOf('█░▁')).toBe(3);
    expect(cellsOf('e\u0301')).toBe(1);
    expect(takeCells('漢字漢字', 5)).toEqual({ text: '漢字', cells: 4 });
    expect(takeCells('ab😀c', 3)).toEqual({ text: 'ab', cells: 2 });
    expect(takeCells('ab😀c', 4)).toEqual({ text: 'ab😀', cells: 4 });
    const clipped = clipSegments([{ text: 'ab' }, { text: '漢字漢字' }, { text: 'tail' }], 7);
    expect(segmentsText(clipped)).toBe('ab漢字');
  });
});
