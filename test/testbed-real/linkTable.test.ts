import { describe, expect, it } from 'vitest';
import { PERFECT } from '../../testbed/scenario/linkPresets.js';
import { LinkTable } from '../../testbed/real/links.js';

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
