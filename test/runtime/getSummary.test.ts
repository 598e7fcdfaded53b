import { describe, expect, it } from 'vitest';
import { type GetSummary, handoffLine, handoffSummary, summaryLines } from '../../src/runtime/get.js';

const base: GetSummary = {
  file: 'movie.ts',
  out: 'movie.copy.ts',
  ok: true,
  bytes: 15_000_000,
  size: 15_000_000,
  seconds: 30.52,
  rate: 3_932_000,
  servers: ['127.0.0.1:7701', '127.0.0.1:7702'],
  switches: 1,
  handoffs: [],
  maxGap: 0,
  duplicates: 0,
  firstByteMs: 12,
  masters: ['127.0.0.1:7700'],
  mode: 'master default',
};

describe('the client summary', () => {
  it('gives the difference between the computed and the true position when the master computed one', () => {
    expect(handoffSummary({ from: 'a', to: 'b', why: 'drain', npt: 2299, computed: 2287, gap: 5 })).toEqual({ from: 'a', to: 'b', why: 'drain', npt: 2299, computed: 2287, diff: -12, gap: 5 });
    expect(handoffSummary({ from: 'a', to: 'b', why: 'failure', npt: 2866, gap: 514 })).toEqual({ from: 'a', to: 'b', why: 'failure', npt: 2866, gap: 514 });
  });

  it('prints the handoff count, the largest gap and one line per handoff', () => {
    const s: GetSummary = {
      ...base,
      handoffs: [
        { from: '127.0.0.1:7701', to: '127.0.0.1:7702', why: 'failure', npt: 2866, gap: 514 },
        { from: '127.0.0.1:7702', to: '127.0.0.1:7703', why: 'drain', npt: 12_004, computed: 12_010, diff: 6, gap: 4 },
      ],
      maxGap: 514,
      servers: ['127.0.0.1:7701', '127.0.0.1:7702', '127.0.0.1:7703'],
    };
    const lines = summaryLines(s);
    expect(lines[1]).toMatch(/Servers\s+Handoffs\s+Max gap/);
    expect(lines[2]).toMatch(/^0\.00-30\.52 s\s+15\.0 MB\s+3\.93 Mbit\/s\s+3\s+2\s+514 ms\s+0\s+12 ms$/);
    expect(lines[3]).toBe('handoff 1: 127.0.0.1:7701 → 127.0.0.1:7702  failure  at 2.866 s  gap 514 ms');
    expect(lines[4]).toBe('handoff 2: 127.0.0.1:7702 → 127.0.0.1:7703  drain  at 12.004 s, computed 12.010 s (+6 ms)  gap 4 ms');
    expect(lines[5]).toBe('complete: 15000000 of 15000000 bytes of movie.ts to movie.copy.ts, from 127.0.0.1:7701 then 127.0.0.1:7702 then 127.0.0.1:7703');
    expect(handoffLine({ from: 'a', to: 'b', why: 'operator', npt: 1000, computed: 990, diff: -10, gap: 3 }, 0)).toContain('computed 0.990 s (-10 ms)');
  });

  it('says how many flows an item has, and shows no gap without handoffs', () => {
    const lines = summaryLines({ ...base, flows: [{ name: 'show.video', path: 'c/show.video', size: 3, bytes: 3 }, { name: 'show.audio', path: 'c/show.audio', size: 1, bytes: 1 }], file: 'show' }, 'show.video, show.audio in c');
    expect(lines[2]).toMatch(/\s0\s+-\s+0\s+12 ms$/);
    expect(lines.at(-1)).toBe('complete: 15000000 of 15000000 bytes of show (2 flows) to show.video, show.audio in c, from 127.0.0.1:7701 then 127.0.0.1:7702');
  });
});
