import { describe, expect, it } from 'vitest';
import { PERFECT } from '../../testbed/scenario/linkPresets.js';
import { LinkTable } from '../../testbed/real/links.js';
import { LinkTable as SharedLinkTable } from '../../testbed/link/linkTable.js';

const base = { link: { ...PERFECT, delay: 5 }, impairments: [] };

describe('the links of a real run', () => {
  it('start from the default link; impairments override the fields they set, in order, for the pairs they name', () => {
    const t = new LinkTable({
      link: base.link,
      impairments: [
        { from: ['*'], to: ['c1'], link: { loss: 0.1 } },
        { from: ['s1'], to: ['c1'], link: { loss: 0.2, jitter: 3 } },
      ],
    });
    expect(t.link('m1', 's1')).toEqual(base.link);
    expect(t.link('m1', 'c1')).toEqual({ ...base.link, loss: 0.1 });
    expect(t.link('s1', 'c1')).toEqual({ ...base.link, loss: 0.2, jitter: 3 });
    // One way only.
    expect(t.link('c1', 's1')).toEqual(base.link);
    // Faults add impairments after the scenario's.
    expect(t.apply({ kind: 'impair', impairment: { from: ['s1'], to: ['*'], link: { loss: 0.5 } } })).toBe(true);
    expect(t.link('s1', 'c1').loss).toBe(0.5);
    expect(t.link('s1', 'm1').loss).toBe(0.5);
    expect(t.link('m1', 'c1').loss).toBe(0.1);
  });

  it('a two-way partition cuts between sides both ways; a one-way one from the earlier side to the later; heal ends both', () => {
    const t = new LinkTable(base);
    t.apply({ kind: 'partition', sides: [['s1', 's2'], ['*']], oneWay: false });
    expect(t.link('s1', 'c1').blocked).toBe(true);
    expect(t.link('c1', 's2').blocked).toBe(true);
    expect(t.link('s1', 's2').blocked).toBe(false);
    expect(t.link('m1', 'c1').blocked).toBe(false);
    t.apply({ kind: 'heal' });
    expect(t.link('s1', 'c1').blocked).toBe(false);
    t.apply({ kind: 'partition', sides: [['s1'], ['c1']], oneWay: true });
    expect(t.link('s1', 'c1').blocked).toBe(true);
    expect(t.link('c1', 's1').blocked).toBe(false);
    // Nodes on no side are not cut off.
    expect(t.link('s1', 'm1').blocked).toBe(false);
    t.apply({ kind: 'heal' });
    expect(t.link('s1', 'c1')).toEqual(base.link);
  });

  it('a blackhole blocks everything to and from its node until it is switched off; other actions are not link faults', () => {
    const t = new LinkTable(base);
    t.apply({ kind: 'blackhole', node: 's1', on: true });
    expect(t.link('s1', 'm1').blocked).toBe(true);
    expect(t.link('c1', 's1').blocked).toBe(true);
    expect(t.link('c1', 'm1').blocked).toBe(false);
    t.apply({ kind: 'blackhole', node: 's1', on: false });
    expect(t.link('s1', 'm1').blocked).toBe(false);
    expect(t.apply({ kind: 'kill', node: 's1' })).toBe(false);
  });
});

describe('impairments limited to message types (`types`)', () => {
  const typed = { from: ['m1'], to: ['m2'], link: { loss: 1 }, types: ['assign'] };

  it('a real run\'s links: only datagrams of those types take the impairment; the others keep the pair\'s link', () => {
    const t = new LinkTable({ link: base.link, impairments: [{ from: ['*'], to: ['m2'], link: { delay: 9 } }] });
    expect(t.typed).toBe(false);
    t.apply({ kind: 'impair', impairment: typed });
    expect(t.typed).toBe(true);
    expect(t.link('m1', 'm2', 'assign')).toEqual({ ...base.link, delay: 9, loss: 1 });
    expect(t.link('m1', 'm2', 'member')).toEqual({ ...base.link, delay: 9 });
    expect(t.link('m1', 'm2')).toEqual({ ...base.link, delay: 9 });
    expect(t.link('m2', 'm1', 'assign')).toEqual(base.link);
  });

  it('the simulator\'s links: the same, each type with a link (and loss state) of its own on the pair', () => {
    const t = new SharedLinkTable(base.link, [typed]);
    expect(t.typed).toBe(true);
    expect(t.link('m1', 'm2', 'assign').spec).toEqual({ ...base.link, loss: 1 });
    expect(t.link('m1', 'm2', 'member').spec).toEqual(base.link);
    expect(t.link('m1', 'm2', 'assign').state).not.toBe(t.link('m1', 'm2').state);
    t.impair({ ...typed, link: { loss: 0 } });
    expect(t.link('m1', 'm2', 'assign').spec.loss).toBe(0);
    expect(new SharedLinkTable(base.link, []).typed).toBe(false);
  });
});
