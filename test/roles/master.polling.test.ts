import { describe, expect, it } from 'vitest';
import { DOWN_FORGET_POLLS, LOAD_EWMA_WEIGHT, LOAD_HISTORY, MISSED_POLLS_DOWN, POLL_INTERVAL } from '../../src/protocol/constants.js';
import { file, MasterFixture } from '../helpers/masterFixture.js';
import { ofType } from '../helpers/roleDriver.js';

const INTERVAL = 500;

function cluster() {
  const f = new MasterFixture({ config: { pollInterval: INTERVAL } });
  const a = f.addServer({ files: [file('B')] });
  const b = f.addServer({ files: [file('B')] });
  return { f, a, b };
}

describe('master: load polling (S1.5)', () => {
  it('polls every server every poll interval, and register-ack tells servers the interval', () => {
    const f = new MasterFixture({ config: { pollInterval: INTERVAL } });
    const s = f.addServer({ files: [file('B')] });
    expect(ofType(f.sentTo(s.addr), 'register-ack')[0]!.interval).toBe(INTERVAL);
    const start = f.d.now;
    const polls = ofType(f.d.advance(5 * INTERVAL), 'poll');
    expect(polls.map((p) => p.to)).toEqual(new Array(5).fill(s.addr));
    expect(polls.map((p) => p.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(f.d.sent.filter((x) => x.msg?.type === 'poll').map((x) => x.at - start)).toEqual([1, 2, 3, 4, 5].map((k) => k * INTERVAL));
  });

  it('the default poll interval is POLL_INTERVAL', () => {
    const f = new MasterFixture();
    f.addServer({ files: [file('B')] });
    expect(ofType(f.d.advance(3 * POLL_INTERVAL), 'poll')).toHaveLength(3);
  });

  it(`marks a server down after ${MISSED_POLLS_DOWN} polls in a row go unanswered, and up again on a load report`, () => {
    const { f, a, b } = cluster();
    // b answers every poll; a answers none.
    for (let i = 0; i < MISSED_POLLS_DOWN; i++) {
      for (const p of ofType(f.d.advance(INTERVAL), 'poll')) if (p.to === b.addr) b.load({ seq: p.seq });
      expect(f.master.serverView(a.addr)!.state, `after ${i + 1} polls`).toBe('up');
      expect(f.master.serverView(a.addr)!.missed).toBe(i);
    }
    f.d.advance(INTERVAL);
    expect(f.master.serverView(a.addr)!.state).toBe('down');
    expect(f.master.serverView(b.addr)!.state).toBe('up');
    expect(f.d.eventsOf('server-down').map((e) => e.srv)).toEqual([a.addr]);
    // Requests now go to b only.
    for (let i = 0; i < 4; i++) expect(f.redirectedTo(`10.0.2.${i + 1}:6000`, 'B')).toBe(b.addr);
    // A down server is still polled, and one load report brings it back.
    expect(ofType(f.d.advance(INTERVAL), 'poll').map((p) => p.to)).toContain(a.addr);
    a.load();
    expect(f.master.serverView(a.addr)!.state).toBe('up');
    expect(f.master.serverView(a.addr)!.missed).toBe(0);
    expect(f.d.eventsOf('server-recovered').map((e) => e.srv)).toEqual([a.addr]);
  });

  it('a server answering polls late but before the next poll never goes down', () => {
    const { f, a, b } = cluster();
    for (let i = 0; i < 20; i++) {
      const polls = ofType(f.d.advance(INTERVAL), 'poll');
      f.d.advance(INTERVAL - 1);
      for (const p of polls) (p.to === a.addr ? a : b).load({ seq: p.seq });
    }
    expect(f.d.eventsOf('server-down')).toHaveLength(0);
  });

  it(`forgets a server that stays down for ${DOWN_FORGET_POLLS} poll intervals`, () => {
    const { f, a } = cluster();
    f.d.advance((MISSED_POLLS_DOWN + 1) * INTERVAL);
    expect(f.master.serverView(a.addr)!.state).toBe('down');
    f.d.advance((DOWN_FORGET_POLLS - 1) * INTERVAL);
    expect(f.master.serverView(a.addr)).toBeDefined();
    f.d.advance(2 * INTERVAL);
    expect(f.master.serverView(a.addr)).toBeUndefined();
    expect(f.master.catalog.holders('B')).toBeUndefined();
    // It registers again later: a fresh start.
    expect(ofType(a.register(), 'register-ack')).toHaveLength(1);
  });

  it('keeps LOAD_HISTORY samples and an exponentially weighted moving average of bandwidth', () => {
    const { f, a } = cluster();
    const rec = () => f.master.serverView(a.addr)!;
    a.load({ bw: 8_000_000 });
    expect(rec().avg).toBe(8_000_000);
    a.load({ bw: 0 });
    expect(rec().avg).toBe((1 - LOAD_EWMA_WEIGHT) * 8_000_000);
    for (let i = 0; i < LOAD_HISTORY + 10; i++) a.load({ bw: i });
    expect(rec().history).toHaveLength(LOAD_HISTORY);
    expect(rec().history.at(-1)!.bw).toBe(LOAD_HISTORY + 9);
  });

  it('a load report from an unknown server, or with a wrong cookie, is answered not-registered', () => {
    const { f, a } = cluster();
    const real = a.cookie;
    a.cookie = new Uint8Array(8);
    expect(ofType(a.load(), 'error').map((e) => e.code)).toEqual(['not-registered']);
    a.cookie = real;
    expect(ofType(a.load(), 'error')).toHaveLength(0);
    expect(f.master.dropped.get('not-registered')).toBe(1);
  });

  it('sessions: a stream the server reports is live; one it stops reporting is ended', () => {
    const { f, a } = cluster();
    a.load({ bw: 100_000_000 - 4_000_000 }); // only b has room for many, so it is chosen
    const r = f.answer('10.0.2.1:6000', 'B');
    expect(r.type).toBe('redirect');
    if (r.type !== 'redirect') return;
    const srv = r.srv === a.addr ? a : f.servers[1]!;
    expect(f.master.assignmentView(r.sid)).toMatchObject({ live: false, server: srv.addr });
    expect(f.master.reservedOn(srv.addr).count).toBe(1);
    srv.load({ sids: [r.sid], streams: 1, bw: 4_000_000 });
    expect(f.master.assignmentView(r.sid)!.live).toBe(true);
    expect(f.master.reservedOn(srv.addr).count).toBe(0);
    srv.load({ sids: [], streams: 0, bw: 0 });
    expect(f.master.assignmentView(r.sid)).toBeUndefined();
  });
});
