/**
 * The portal core (§12.3), driven by hand: it polls each master's summary,
 * marks a master down after PORTAL_MISSED_POLLS unanswered polls and up when
 * it answers, averages the round trips it measures, answers a client with
 * `refer` (or passes the request on, authenticated, with the client's address
 * and size), never sends an unvalidated address more than it sent, and takes
 * no status from an address that is not one of its masters.
 */
import { describe, expect, it } from 'vitest';
import { PORTAL_MISSED_POLLS, PORTAL_POLL_INTERVAL } from '../../src/protocol/constants.js';
import type { MessageOf } from '../../src/protocol/messages.js';
import { padded } from '../../src/protocol/padding.js';
import { Portal, type PortalCommand } from '../../src/roles/portal/portal.js';
import { Driver, ofType, testAuth, testDeps } from '../helpers/roleDriver.js';

const KEY = 'a portal test key, long enough';
const A = '10.0.0.1:7700';
const B = '10.0.0.2:7700';
const CLIENT = '10.0.2.1:6000';

type Summary = NonNullable<MessageOf<'status'>['summary']>;
const summary = (o: Partial<Summary> = {}): Summary => ({ servers: 2, up: 2, files: 1, sessions: 0, bw: 0, cap: 2_000_000_000, requests: 0, policy: 'greatest-available-bandwidth', mode: 'redirect', uptime: 1, ...o });

function portal(mode: 'refer' | 'forward' = 'refer', policy: 'priority' | 'nearest' = 'priority') {
  const d = new Driver<PortalCommand, Portal>(new Portal(testDeps(3, KEY), { masters: [A, B], policy, mode }));
  const auth = testAuth(KEY);
  const polls = () => ofType(d.sent, 'status-request');
  /** Master `m` answers its latest poll, `after` ms later. */
  const answer = (m: string, after = 1, o: Partial<Summary> = {}) => {
    const p = polls().filter((x) => x.to === m).at(-1)!;
    d.advance(after);
    d.control(m, { type: 'status', rid: p.rid, what: 'summary', total: 1, from: 0, summary: summary(o) }, auth);
  };
  return { d, auth, polls, answer };
}

const request = (rid = 5): MessageOf<'request'> => padded({ type: 'request', rid, file: 'movie.ts' });

describe('portal core (§12.3)', () => {
  it('polls every master at once and each poll interval, padded, with a MAC; a master is up once it answers', () => {
    const { d, polls, answer } = portal();
    d.command({ type: 'start' });
    expect(polls().map((p) => [p.to, p.what, p.wireSize])).toEqual([[A, 'summary', 1200], [B, 'summary', 1200]]);
    expect(d.sent.every((s) => s.mac)).toBe(true);
    answer(A);
    expect(d.eventsOf('master-up')).toMatchObject([{ master: A }]);
    d.advance(PORTAL_POLL_INTERVAL);
    expect(polls()).toHaveLength(4);
  });

  it('marks a master down after PORTAL_MISSED_POLLS unanswered polls, and up again when it answers', () => {
    const { d, answer } = portal();
    d.command({ type: 'start' });
    answer(A);
    // Its next poll goes out, then PORTAL_MISSED_POLLS rounds find it unanswered.
    for (let i = 0; i <= PORTAL_MISSED_POLLS; i++) d.advance(PORTAL_POLL_INTERVAL);
    expect(d.eventsOf('master-down')).toMatchObject([{ master: A, missed: PORTAL_MISSED_POLLS }]);
    expect(d.role.masters().find((m) => m.addr === A)!.up).toBe(false);
    answer(A);
    expect(d.eventsOf('master-up')).toHaveLength(2);
  });

  it('refers a client to the first master up (priority), within what it sent; with none up, says so', () => {
    const { d, answer } = portal();
    d.command({ type: 'start' });
    const none = d.datagram(CLIENT, request(1));
    expect(ofType(none, 'error')).toMatchObject([{ to: CLIENT, rid: 1, code: 'unavailable' }]);
    answer(B);
    expect(ofType(d.datagram(CLIENT, request(2)), 'refer')).toMatchObject([{ to: CLIENT, rid: 2, master: B }]);
    answer(A);
    expect(ofType(d.datagram(CLIENT, request(3)), 'refer')).toMatchObject([{ master: A }]);
    // A small forged request draws no larger answer (§9.4): it is held back.
    const tiny = d.datagram('10.0.9.9:1', { type: 'request', rid: 4, file: 'x' });
    for (const s of tiny) expect(s.bytes.length).toBeLessThanOrEqual(d.bytesFrom.get('10.0.9.9:1')!);
  });

  it('nearest picks the shortest round trip it measured', () => {
    const { d, answer } = portal('refer', 'nearest');
    d.command({ type: 'start' });
    // Both polls left at once: B answers 2 ms later, A 30 ms after that.
    answer(B, 2);
    answer(A, 30);
    expect(ofType(d.datagram(CLIENT, request(7)), 'refer')).toMatchObject([{ master: B }]);
  });

  it('forward: passes the request on to the master, authenticated, with the client\'s address and size', () => {
    const { d, answer } = portal('forward');
    d.command({ type: 'start' });
    answer(A);
    const out = d.datagram(CLIENT, padded({ type: 'request', rid: 9, file: 'movie.ts', mode: 'relay', off: 100 }));
    const pass = ofType(out, 'pass');
    expect(pass).toMatchObject([{ to: A, client: CLIENT, size: 1200, rid: 9, file: 'movie.ts', mode: 'relay', off: 100 }]);
    expect(out[0]!.mac).toBe(true);
    expect(ofType(out, 'refer')).toEqual([]);
  });

  it('takes status from its masters only, authenticated; refuses to forward without a cluster key', () => {
    const { d, polls } = portal();
    d.command({ type: 'start' });
    const p = polls()[0]!;
    d.control('10.0.9.9:7700', { type: 'status', rid: p.rid, what: 'summary', total: 1, from: 0, summary: summary() }, testAuth(KEY));
    d.datagram(A, { type: 'status', rid: p.rid, what: 'summary', total: 1, from: 0, summary: summary() });
    expect(d.role.masters().every((m) => !m.up)).toBe(true);
    expect(() => new Portal(testDeps(1), { masters: [A], policy: 'priority', mode: 'forward' })).toThrow(/only with a cluster key/);
  });
});
