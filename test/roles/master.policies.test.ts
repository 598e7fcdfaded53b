import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/protocol/rng.js';
import { type Candidate, isPolicy, POLICIES, Selector } from '../../src/roles/master/selection.js';
import { file, MasterFixture, RATE } from '../helpers/masterFixture.js';

const c = (name: string, available: number, streams = 0): Candidate => ({ name, available, streams });
const THREE = [c('s3', 30, 3), c('s1', 10, 1), c('s2', 20, 2)];

function picks(sel: Selector, cands: readonly Candidate[], n: number): string[] {
  return Array.from({ length: n }, () => sel.pick(cands)!.name);
}

function tally(names: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of names) out[n] = (out[n] ?? 0) + 1;
  return out;
}

describe('selection policies (S1.2)', () => {
  it('names every policy, and nothing else', () => {
    expect(POLICIES).toEqual(['greatest-available-bandwidth', 'round-robin', 'least-streams', 'random', 'weighted', 'nearest']);
    for (const p of POLICIES) expect(isPolicy(p)).toBe(true);
    expect(isPolicy('fastest')).toBe(false);
  });

  it('every policy picks nothing from no candidates', () => {
    for (const p of POLICIES) expect(new Selector(p, new Rng(1)).pick([])).toBeUndefined();
  });

  it('greatest-available-bandwidth: the most available; ties by fewer streams, then (never chosen yet) name', () => {
    const sel = new Selector('greatest-available-bandwidth', new Rng(1));
    expect(sel.pick(THREE)!.name).toBe('s3');
    expect(sel.pick([c('b', 10, 2), c('a', 10, 3), c('c', 10, 2)])!.name).toBe('b');
    expect(sel.pick([c('b', 10), c('a', 10)])!.name).toBe('a');
  });

  it('ties go round the equal servers: the one chosen least recently first, then name (greatest-available-bandwidth, least-streams, nearest)', () => {
    for (const p of ['greatest-available-bandwidth', 'least-streams', 'nearest'] as const) {
      const sel = new Selector(p, new Rng(1));
      const same = [c('c', 10, 1), c('a', 10, 1), c('b', 10, 1)];
      expect(picks(sel, same, 6), p).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
      // A better server is still chosen whatever the turn; then the turn goes on among the equal ones.
      expect(sel.pick([c('a', 10, 1), c('b', 10, 1), c('c', 30, 0)])!.name, p).toBe('c');
      expect(sel.pick(same)!.name, p).toBe('a');
    }
  });

  it('least-streams: the fewest streams; ties by more available bandwidth, then (never chosen yet) name', () => {
    const sel = new Selector('least-streams', new Rng(1));
    expect(sel.pick(THREE)!.name).toBe('s1');
    expect(sel.pick([c('b', 10, 1), c('a', 5, 1), c('c', 20, 1)])!.name).toBe('c');
    expect(sel.pick([c('b', 10, 1), c('a', 10, 1)])!.name).toBe('a');
  });

  it('round-robin: cycles over the candidates in name order, whatever their order or load', () => {
    const sel = new Selector('round-robin', new Rng(1));
    expect(picks(sel, THREE, 7)).toEqual(['s1', 's2', 's3', 's1', 's2', 's3', 's1']);
  });

  it('random: reproducible from the seed, spread evenly', () => {
    const a = picks(new Selector('random', new Rng(5)), THREE, 3000);
    const b = picks(new Selector('random', new Rng(5)), THREE, 3000);
    expect(a).toEqual(b);
    expect(picks(new Selector('random', new Rng(6)), THREE, 50)).not.toEqual(a.slice(0, 50));
    // 1000 expected each; ±5 standard deviations (≈ 26 each) is well inside ±150.
    for (const n of Object.values(tally(a))) expect(Math.abs(n - 1000)).toBeLessThan(150);
    expect(Object.keys(tally(a)).sort()).toEqual(['s1', 's2', 's3']);
  });

  it('weighted: probability proportional to available bandwidth, reproducible', () => {
    const n = 6000;
    const a = picks(new Selector('weighted', new Rng(8)), THREE, n);
    expect(a).toEqual(picks(new Selector('weighted', new Rng(8)), THREE, n));
    const t = tally(a);
    // Shares 1/6, 2/6, 3/6: 1000, 2000, 3000 expected; standard deviations ≈ 29, 37, 39.
    expect(Math.abs(t.s1! - 1000)).toBeLessThan(200);
    expect(Math.abs(t.s2! - 2000)).toBeLessThan(200);
    expect(Math.abs(t.s3! - 3000)).toBeLessThan(200);
  });

  it('weighted: a candidate with nothing available is never picked while another has some; all zero falls back to uniform', () => {
    const t = tally(picks(new Selector('weighted', new Rng(9)), [c('a', 0), c('b', 10)], 500));
    expect(t).toEqual({ b: 500 });
    const u = tally(picks(new Selector('weighted', new Rng(9)), [c('a', 0), c('b', 0)], 1000));
    expect(u.a! > 400 && u.b! > 400).toBe(true);
  });
});

describe('master: policies applied to requests', () => {
  function cluster(policy: (typeof POLICIES)[number], seed = 1) {
    const f = new MasterFixture({ config: { policy }, seed });
    for (let i = 0; i < 3; i++) f.addServer({ files: [file('B')], cap: 1_000_000_000 });
    return f;
  }
  const ask = (f: MasterFixture, n: number) => Array.from({ length: n }, (_, i) => f.redirectedTo(`10.0.2.${(i % 250) + 1}:${6000 + i}`, 'B'));

  it('round-robin cycles over the holders', () => {
    expect(ask(cluster('round-robin'), 6)).toEqual(['10.0.1.1:5000', '10.0.1.2:5000', '10.0.1.3:5000', '10.0.1.1:5000', '10.0.1.2:5000', '10.0.1.3:5000']);
  });

  it('least-streams counts the streams it has just assigned', () => {
    const f = cluster('least-streams');
    f.servers[0]!.load({ streams: 2, bw: 2 * RATE });
    expect(ask(f, 4)).toEqual(['10.0.1.2:5000', '10.0.1.3:5000', '10.0.1.2:5000', '10.0.1.3:5000']);
  });

  it('random is reproducible from the master\'s seed and uses every holder', () => {
    const a = ask(cluster('random', 3), 60);
    expect(a).toEqual(ask(cluster('random', 3), 60));
    expect(new Set(a).size).toBe(3);
  });

  it('weighted prefers the server with the most room', () => {
    const f = cluster('weighted', 4);
    f.servers[0]!.load({ bw: 900_000_000 });
    f.servers[1]!.load({ bw: 900_000_000 });
    const t = tally(ask(f, 60));
    expect(t['10.0.1.3:5000']!).toBeGreaterThan(t['10.0.1.1:5000'] ?? 0);
    expect(t['10.0.1.3:5000']!).toBeGreaterThan(t['10.0.1.2:5000'] ?? 0);
  });
});
