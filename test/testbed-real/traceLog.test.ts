import { describe, expect, it } from 'vitest';
import { TraceLog } from '../../testbed/real/traceLog.js';

const entry = (t: number, type: string) => ({ t, from: 's1', to: 'c1', type, size: 100, fault: 'delivered' });

describe('the trace of a real run in bounded memory', () => {
  it('rebases what the setup recorded when the run starts later: those datagrams come before the run, at negative times', () => {
    const log = new TraceLog(100);
    log.add(entry(3_500, 'register'));
    log.add(entry(3_600.25, 'content'));
    log.rebase(3_700);
    log.add(entry(10, 'request'));
    expect(log.kept.map((e) => e.t)).toEqual([-200, -99.75, 10]);
  });

  it('keeps everything under the cap', () => {
    const log = new TraceLog(100);
    for (let i = 0; i < 99; i++) log.add(entry(i, 'data'));
    expect(log.kept).toHaveLength(99);
    expect(log.info).toEqual({ datagrams: 99, kept: 99, bulkEvery: 1, controlEvery: 1 });
  });

  it('past the cap thins the bulk evenly over the whole run and keeps every control message', () => {
    const log = new TraceLog(1_000);
    for (let i = 0; i < 10_000; i++) log.add(entry(i, i % 100 === 0 ? 'setup' : 'data'));
    const info = log.info;
    expect(info.datagrams).toBe(10_000);
    expect(info.kept).toBeLessThan(1_000);
    expect(info.bulkEvery).toBeGreaterThan(1);
    expect(info.controlEvery).toBe(1);
    expect(log.kept.filter((e) => e.type === 'setup')).toHaveLength(100);
    const data = log.kept.filter((e) => e.type === 'data');
    expect(data.length).toBeGreaterThan(300);
    // Spread over the run, in order.
    expect(data[0]!.t).toBeLessThan(100);
    expect(data[data.length - 1]!.t).toBeGreaterThan(9_900);
    for (let i = 1; i < log.kept.length; i++) expect(log.kept[i]!.t).toBeGreaterThan(log.kept[i - 1]!.t);
  });

  it('thins control messages too when they alone fill it', () => {
    const log = new TraceLog(100);
    for (let i = 0; i < 1_000; i++) log.add(entry(i, 'poll'));
    expect(log.info.kept).toBeLessThan(100);
    expect(log.info.controlEvery).toBeGreaterThan(1);
    expect(log.kept[log.kept.length - 1]!.t).toBeGreaterThan(900);
  });
});
