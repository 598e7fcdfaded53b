import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/protocol/rng.js';

const take = (r: Rng, n: number) => Array.from({ length: n }, () => r.u32());

describe('Rng', () => {
  it('the same seed gives the same sequence', () => {
    expect(take(new Rng(42), 100)).toEqual(take(new Rng(42), 100));
    expect(take(new Rng(0), 10)).toEqual(take(new Rng(0), 10));
  });

  it('different seeds give different sequences', () => {
    const seqs = new Set([0, 1, 2, 3, 42, 0xffff_ffff].map((s) => take(new Rng(s), 8).join(',')));
    expect(seqs.size).toBe(6);
  });

  it('the seed is taken as 32 bits', () => {
    expect(take(new Rng(2 ** 32 + 5), 5)).toEqual(take(new Rng(5), 5));
  });

  it('u32 is a 32-bit unsigned integer, float is in [0, 1), below(n) in [0, n) and roughly uniform', () => {
    const r = new Rng(7);
    const counts = new Array(10).fill(0);
    let bad = 0;
    for (let i = 0; i < 20_000; i++) {
      const u = r.u32();
      if (!(Number.isInteger(u) && u >= 0 && u <= 0xffff_ffff)) bad++;
      const f = r.float();
      if (!(f >= 0 && f < 1)) bad++;
      const b = r.below(10);
      if (!(Number.isInteger(b) && b >= 0 && b < 10)) bad++;
      counts[b]++;
    }
    expect(bad).toBe(0);
    // 2000 expected per bucket; 5 standard deviations is about ±210.
    for (const c of counts) expect(Math.abs(c - 2000)).toBeLessThan(250);
  });

  it('id is never 0, bytes gives n bytes', () => {
    const r = new Rng(9);
    for (let i = 0; i < 1000; i++) expect(r.id()).not.toBe(0);
    expect(r.bytes(0)).toHaveLength(0);
    expect(r.bytes(33)).toHaveLength(33);
    expect(new Set(r.bytes(256)).size).toBeGreaterThan(100);
  });

  it('fork is deterministic and independent of the parent\'s later draws', () => {
    const a = new Rng(5);
    const b = new Rng(5);
    const fa = a.fork();
    const fb = b.fork();
    expect(take(fa, 20)).toEqual(take(fb, 20));
    expect(take(a, 20)).toEqual(take(b, 20));
    const parent = new Rng(5);
    const child = parent.fork();
    expect(take(child, 20)).not.toEqual(take(parent, 20));
  });
});
