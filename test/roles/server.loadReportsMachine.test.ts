/**
 * The server's load reporting as a sub-machine (S1.5): it says when a report
 * is due and builds it, and it never sends anything itself.
 */
import { describe, expect, it } from 'vitest';
import { LOAD_PUSH_MIN_INTERVAL, MAX_LOAD_SIDS } from '../../src/protocol/constants.js';
import { type LoadNow, LoadReports } from '../../src/roles/server/loadReports.js';

const cookie = new Uint8Array(8).fill(0x5a);
const WHO = { name: '10.0.1.1:5000', epoch: 77 };

function load(ids: number[], more: Partial<LoadNow> = {}): LoadNow {
  return { cookie, streams: new Map(ids.map((id) => [id, undefined])), bw: 1_000, cap: 10_000, state: 'up', sentBytes: 0, supervision: {}, ...more };
}

/** The ids a report lists, as the server once computed them: a copy of every id, turned from the cursor. */
function rotated(all: number[], cursor: number): { sids: number[]; cursor: number } {
  const start = all.length > MAX_LOAD_SIDS ? cursor % all.length : 0;
  const sids = all.length > MAX_LOAD_SIDS ? [...all.slice(start), ...all.slice(0, start)].slice(0, MAX_LOAD_SIDS) : all;
  return { sids, cursor: start + sids.length };
}

describe('server load reports sub-machine', () => {
  it('answers a poll with the load, the rate sent since the last report, and the state when not up', () => {
    const r = new LoadReports(WHO);
    r.start(0);
    // The server's running total: 1,000 bytes by the first report, none more by the second.
    expect(r.handlePoll(4, 1000, load([1, 2], { state: 'draining', sentBytes: 1_000 }))).toEqual({
      type: 'load', name: WHO.name, epoch: WHO.epoch, cookie, seq: 4, streams: 2, bw: 1_000, sent: 8_000, cap: 10_000, sids: [1, 2], state: 'draining',
    });
    expect(r.handlePoll(5, 2000, load([], { sentBytes: 1_000 }))).toMatchObject({ seq: 5, sent: 0, sids: [] });
    expect(r.listed).toBe(0);
  });

  it('says who supervises the server (§12.2) in every report, as the server gives it', () => {
    const r = new LoadReports(WHO);
    r.start(0);
    expect(r.handlePoll(1, 500, load([], { supervision: { sup: '10.0.0.2:7700', sep: 3, pin: true } }))).toMatchObject({ sup: '10.0.0.2:7700', sep: 3, pin: true });
    expect(r.handlePoll(2, 900, load([]))).not.toHaveProperty('sup');
  });

  it('pushes on a change of load at most once per LOAD_PUSH_MIN_INTERVAL, and only while registered', () => {
    const r = new LoadReports(WHO);
    r.handleChange(10, false);
    expect(r.nextTimeout(undefined)).toBeUndefined();
    r.handlePoll(1, 100, load([1]));
    r.handleChange(120, true);
    expect(r.nextTimeout(undefined)).toBe(100 + LOAD_PUSH_MIN_INTERVAL);
    // A second change waits for the same push.
    r.handleChange(130, true);
    expect(r.nextTimeout(undefined)).toBe(100 + LOAD_PUSH_MIN_INTERVAL);
    expect(r.handleTimeout(350, load([1]))).toMatchObject({ seq: 0, sids: [1] });
    expect(r.nextTimeout(undefined)).toBeUndefined();
    // Not registered when it falls due: the push lapses.
    r.handleChange(1000, true);
    expect(r.handleTimeout(1000, undefined)).toBeUndefined();
    expect(r.nextTimeout(undefined)).toBeUndefined();
  });

  it('beats when the master stopped polling, from its last poll or the last report, whichever is later', () => {
    const r = new LoadReports(WHO);
    const master = { pollInterval: 1000, lastFromMaster: 0 };
    expect(r.nextTimeout(master)).toBe(1500);
    r.handleTimeout(1500, load([]));
    expect(r.nextTimeout(master)).toBe(2500);
    // A push asked for comes first.
    r.handleChange(1600, true);
    expect(r.nextTimeout(master)).toBe(1500 + LOAD_PUSH_MIN_INTERVAL);
    r.stop();
    expect(r.nextTimeout(undefined)).toBeUndefined();
  });

  it('lists at most MAX_LOAD_SIDS ids, the next ones in turn, as a copy of every id once did', () => {
    const r = new LoadReports(WHO);
    let cursor = 0;
    for (const n of [3, MAX_LOAD_SIDS, MAX_LOAD_SIDS + 1, 250, 250, 250, 97, 40, 300]) {
      const all = Array.from({ length: n }, (_, i) => 1000 + i);
      const want = rotated(all, cursor);
      cursor = want.cursor;
      const got = r.handlePoll(1, 0, load(all));
      expect(got.sids).toEqual(want.sids);
      expect(got.more).toBe(n > MAX_LOAD_SIDS ? true : undefined);
      expect(r.listed).toBe(Math.min(n, MAX_LOAD_SIDS));
    }
  });
});
