/** Draining as a sub-machine (S2.5c): it says when the drain is over and what to report, and acts on nothing itself. */
import { describe, expect, it } from 'vitest';
import { DRAIN_TIMEOUT } from '../../src/protocol/constants.js';
import { Drain } from '../../src/roles/server/drain.js';

describe('server drain sub-machine', () => {
  it('begins once, is over when no stream is left or DRAIN_TIMEOUT is up, and ends when the server stops', () => {
    const d = new Drain();
    expect(d.deadline()).toBeUndefined();
    expect(d.over(5, 0, false)).toBeUndefined();
    expect(d.begin(100, 3)).toEqual({ type: 'draining', streams: 3 });
    expect(d.begin(200, 3)).toBeUndefined();
    expect(d.since).toBe(100);
    expect(d.deadline()).toBe(100 + DRAIN_TIMEOUT);
    expect(d.over(300, 2, false)).toBeUndefined();
    expect(d.over(300.4, 0, false)).toEqual({ type: 'drained', level: 'info', left: 0, ms: 200 });
    expect(d.over(100 + DRAIN_TIMEOUT, 2, true)).toEqual({ type: 'drained', level: 'warn', left: 2, ms: DRAIN_TIMEOUT });
    d.end();
    expect(d.since).toBeUndefined();
    expect(d.deadline()).toBeUndefined();
  });
});
