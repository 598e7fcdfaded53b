/**
 * One source cannot book the cluster (§4.4): a client address holds at most
 * MAX_RESERVED_PER_CLIENT reservations, a source at most RESERVE_SOURCE_SHARE
 * of the up servers' capacity, and a reservation nobody takes up ends at the
 * next load report after RESERVE_GRACE. With a key or without.
 */
import { describe, expect, it } from 'vitest';
import { MAX_RESERVED_PER_CLIENT, RESERVE_GRACE, RESERVE_SOURCE_SHARE } from '../../src/protocol/constants.js';
import { padded } from '../../src/protocol/padding.js';
import { sourceOf } from '../../src/roles/master/assignments.js';
import { file, MasterFixture, RATE } from '../helpers/masterFixture.js';
import { KEY, ofType } from '../helpers/roleDriver.js';

const ATTACKER = '127.0.0.1:40000';

function cluster(keyed = false) {
  const f = new MasterFixture(keyed ? { key: KEY } : {});
  // Room for 8 streams of B on each of three servers.
  for (let i = 0; i < 3; i++) f.addServer({ files: [file('B')], cap: 8 * RATE });
  return f;
}

describe('reservations one source may hold', () => {
  for (const keyed of [false, true]) {
    it(`one socket asking 1,100 times holds ${MAX_RESERVED_PER_CLIENT} reservations, and a new client is served${keyed ? ' (with a key)' : ''}`, () => {
      const f = cluster(keyed);
      let redirects = 0;
      for (let rid = 1; rid <= 1_100; rid++) {
        const out = f.d.datagram(ATTACKER, padded({ type: 'request', rid, file: 'B' }));
        if (ofType(out, 'redirect').length === 1) redirects++;
      }
      expect(redirects).toBe(1_100);
      const held = f.master.assignmentsView().filter((a) => a.client === ATTACKER && !a.live);
      expect(held).toHaveLength(MAX_RESERVED_PER_CLIENT);
      expect(f.master.reclaimed()).toBe(1_100 - MAX_RESERVED_PER_CLIENT);
      // Another client on the same host, a moment later.
      expect(f.answer('127.0.0.1:40001', 'B').type).toBe('redirect');
    });
  }

  it('many sockets of one source hold at most RESERVE_SOURCE_SHARE of the capacity; other sources keep the rest, and the same source is still served', () => {
    const f = cluster();
    const capacity = 3 * 8 * RATE;
    for (let port = 1; port <= 500; port++) f.answer(`10.9.9.${1 + (port % 200)}:${port + 1000}`, 'B');
    expect(f.master.reservedBySource('10.9.9.1:1')).toBeLessThanOrEqual(RESERVE_SOURCE_SHARE * capacity);
    expect(f.d.events.filter((e) => e.type === 'reservations-bounded')).toMatchObject([{ source: '10.9.9', level: 'warn' }]);
    // Other sources find the rest: the other half of the room.
    const others = Array.from({ length: 12 }, (_, i) => f.answer(`10.${i + 1}.0.1:6000`, 'B').type);
    expect(others.every((t) => t === 'redirect')).toBe(true);
    // One more from the crowded source is served too: its own oldest reservation ends.
    expect(f.answer('10.9.9.250:7000', 'B').type).toBe('redirect');
  });

  it('reservations nobody took up end at the next complete load report RESERVE_GRACE later', () => {
    const f = cluster();
    for (let i = 1; i <= 12; i++) f.answer(`10.${i}.0.1:6000`, 'B');
    const reserved = () => f.servers.reduce((sum, s) => sum + f.master.reservedOn(s.addr).bw, 0);
    expect(reserved()).toBe(12 * RATE);
    f.d.advance(RESERVE_GRACE - 1);
    for (const s of f.servers) s.load({ sids: [], streams: 0 });
    expect(reserved()).toBe(12 * RATE); // too soon: the clients may still be on their way
    f.d.advance(1);
    for (const s of f.servers) s.load({ sids: [], streams: 0 });
    expect(reserved()).toBe(0);
    expect(f.master.reclaimed()).toBe(12);
  });

  it('an assignment whose reservation ended is still followed: listed later, it is live, with its stream key', () => {
    const f = new MasterFixture({ key: KEY });
    const s = f.addServer({ files: [file('B')], cap: 8 * RATE });
    const a = f.answer('10.1.0.1:6000', 'B') as { sid: number; sk: Uint8Array };
    f.d.advance(RESERVE_GRACE);
    s.load({ sids: [], streams: 0 });
    expect(f.master.reservedOn(s.addr).bw).toBe(0);
    // Its setup was lost and sent again: the server lists it now.
    s.load({ sids: [a.sid], streams: 1, bw: RATE });
    const kept = f.master.assignmentView(a.sid);
    expect(kept).toMatchObject({ live: true, holding: false });
    expect(Buffer.from(kept!.sk!)).toEqual(Buffer.from(a.sk));
    expect(f.master.reservedOn(s.addr).bw).toBe(0);
  });

  it('a stream reported playing keeps its reservation until a load report lists it, then holds none (no room leaks)', () => {
    const f = new MasterFixture({ key: KEY });
    const s = f.addServer({ files: [file('B')], cap: 8 * RATE });
    const a = f.answer('10.1.0.1:6000', 'B') as { sid: number };
    s.track({ sid: a.sid, n: 1, ev: 'play', when: f.d.now, npt: 0, scale: 1000, client: '10.1.0.1:6000', file: 'B' });
    expect(f.master.assignmentView(a.sid)?.live).toBe(true);
    // No report counts it yet: the room stays reserved.
    expect(f.master.reservedOn(s.addr).bw).toBe(RATE);
    s.load({ sids: [a.sid], streams: 1, bw: RATE });
    expect(f.master.reservedOn(s.addr).bw).toBe(0);
    // It ends: nothing stays reserved.
    s.load({ sids: [], streams: 0, bw: 0 });
    expect(f.master.assignmentView(a.sid)).toBeUndefined();
    expect(f.master.reservedOn(s.addr).bw).toBe(0);
  });

  it('names a source by its IPv4 /24 or IPv6 /64', () => {
    expect(sourceOf('127.0.0.1:7700')).toBe('127.0.0');
    expect(sourceOf('10.1.2.3:5')).toBe(sourceOf('10.1.2.200:6'));
    expect(sourceOf('[::1]:7700')).toBe('0:0:0:0');
    expect(sourceOf('[2001:db8:0:1::5]:80')).toBe('2001:db8:0:1');
    expect(sourceOf('[2001:db8:0:1:ffff::]:80')).toBe(sourceOf('[2001:DB8::1:0:0:0:9]:80'));
    expect(sourceOf('[2001:db8:0:2::5]:80')).not.toBe(sourceOf('[2001:db8:0:1::5]:80'));
  });
});
