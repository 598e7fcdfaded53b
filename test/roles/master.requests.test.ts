import { describe, expect, it } from 'vitest';
import { encode } from '../../src/protocol/codec.js';
import { ANSWER_CACHE_TTL, ASSIGNMENT_TTL, RESERVE_GRACE, FORWARD_TIMEOUT, MAX_DATAGRAM, TOKEN_TTL } from '../../src/protocol/constants.js';
import type { MessageOf } from '../../src/protocol/messages.js';
import { padded } from '../../src/protocol/padding.js';
import { file, MasterFixture, RATE } from '../helpers/masterFixture.js';
import { KEY, ofType, testAuth } from '../helpers/roleDriver.js';

const CLIENT = '10.0.2.1:6000';
const cookie = new Uint8Array(8).fill(3);

function three(o: ConstructorParameters<typeof MasterFixture>[0] = {}, cap = 100_000_000) {
  const f = new MasterFixture(o);
  for (let i = 0; i < 3; i++) f.addServer({ files: [file('B')], cap });
  return f;
}

describe('master: requests in flight (S1.5)', () => {
  it('many requests before any load report spread across the servers instead of herding on one', () => {
    const f = three();
    const chosen = Array.from({ length: 30 }, (_, i) => f.redirectedTo(`10.0.2.${i + 1}:6000`, 'B'));
    const counts = new Map<string, number>();
    for (const s of chosen) counts.set(s, (counts.get(s) ?? 0) + 1);
    expect([...counts.values()]).toEqual([10, 10, 10]);
    // Each assignment reserved its rate until the server reports it.
    for (const rec of f.master.serversView()) expect(f.master.reservedOn(rec.name).bw).toBe(10 * RATE);
  });

  it('reservations fill a server: no more than its capacity is handed out before it reports', () => {
    const f = three({}, 10 * RATE);
    // Clients of 35 sources (§4.4: one source may hold at most RESERVE_SOURCE_SHARE of the room).
    const answers = Array.from({ length: 35 }, (_, i) => f.answer(`10.${i + 1}.2.1:6000`, 'B'));
    expect(answers.filter((a) => a.type === 'redirect')).toHaveLength(30);
    expect(answers.slice(30).every((a) => a.type === 'error' && a.code === 'no-capacity')).toBe(true);
  });

  it('a reservation the server never confirms ends at its first complete load report RESERVE_GRACE later, not at ASSIGNMENT_TTL', () => {
    const f = three({ config: { pollInterval: 1000 } }, RATE);
    for (let i = 0; i < 3; i++) expect(f.answer(`10.${i + 1}.2.1:6000`, 'B').type).toBe('redirect');
    expect(f.answer('10.9.2.1:6000', 'B')).toMatchObject({ type: 'error', code: 'no-capacity' });
    // The servers keep answering polls, without ever listing the streams.
    const reserved = () => f.servers.reduce((sum, s) => sum + f.master.reservedOn(s.addr).bw, 0);
    expect(reserved()).toBe(3 * RATE);
    let t = 0;
    for (; t < ASSIGNMENT_TTL && reserved() > 0; t += 1000) {
      for (const p of ofType(f.d.advance(1000), 'poll')) f.servers.find((s) => s.addr === p.to)!.load({ seq: p.seq });
    }
    expect(reserved()).toBe(0);
    expect(t).toBeLessThanOrEqual(RESERVE_GRACE + 1000);
    // The assignments stay (a stream whose setup was late is still followed), holding no room.
    expect(f.master.assignmentCount()).toBe(3);
    expect(f.master.reclaimed()).toBe(3);
    expect(f.answer('10.9.2.1:6000', 'B').type).toBe('redirect');
  });

  it('a reservation the server lists is kept, and one listed in a partial report is not ended', () => {
    const f = three({ config: { pollInterval: 1000 } }, 10 * RATE);
    const a = f.answer('10.1.2.1:6000', 'B') as { sid: number; srv: string };
    const b = f.answer('10.2.2.1:6000', 'B') as { sid: number; srv: string };
    f.d.advance(RESERVE_GRACE);
    f.servers.find((s) => s.addr === a.srv)!.load({ sids: [a.sid], streams: 1 });
    expect(f.master.assignmentView(a.sid)?.live).toBe(true);
    if (b.srv !== a.srv) {
      f.servers.find((s) => s.addr === b.srv)!.load({ sids: [], streams: 97, more: true });
      expect(f.master.assignmentView(b.sid)).toBeDefined();
    }
  });

  it('a repeated request (same client, same rid) gets the identical answer, and no new assignment', () => {
    const f = three();
    const first = f.d.datagram(CLIENT, padded({ type: 'request', rid: 77, file: 'B' }));
    const again = f.d.datagram(CLIENT, padded({ type: 'request', rid: 77, file: 'B' }));
    expect(first).toHaveLength(1);
    expect(again).toHaveLength(1);
    expect([...again[0]!.bytes]).toEqual([...first[0]!.bytes]);
    expect(f.master.assignmentCount()).toBe(1);
    expect(f.master.stats.requests).toBe(1);
    // Another rid, or the same rid from another client, is a new request.
    expect(f.d.datagram(CLIENT, padded({ type: 'request', rid: 78, file: 'B' }))[0]!.msg).not.toEqual(first[0]!.msg);
    expect(f.d.datagram('10.0.2.2:6000', padded({ type: 'request', rid: 77, file: 'B' }))[0]!.msg).not.toEqual(first[0]!.msg);
    expect(f.master.assignmentCount()).toBe(3);
  });

  it('errors are repeated identically too, and the cache expires after ANSWER_CACHE_TTL', () => {
    const f = three();
    const a = f.ask(CLIENT, 'nope', { rid: 5 });
    expect(f.ask(CLIENT, 'nope', { rid: 5 })).toEqual(a);
    expect(f.master.stats.requests).toBe(1);
    f.d.advance(ANSWER_CACHE_TTL + 2000);
    f.ask(CLIENT, 'nope', { rid: 5 });
    expect(f.master.stats.requests).toBe(2);
  });

  it('a redirect carries a token bound to the client, file, server and sid when a key is set', () => {
    const f = three({ key: KEY });
    const r = f.answer(CLIENT, 'B');
    expect(r.type).toBe('redirect');
    if (r.type !== 'redirect') return;
    expect(r.exp).toBe(Math.floor(f.d.now) + TOKEN_TTL);
    expect(testAuth().checkToken(r.tok, { client: CLIENT, file: 'B', server: r.srv, sid: r.sid, exp: r.exp! }, f.d.now)).toBeUndefined();
    // Without a key there is no token.
    const plain = three().answer(CLIENT, 'B');
    expect(plain.type === 'redirect' && plain.tok).toBeUndefined();
  });

  it('avoid: the master picks another server when it can, and an avoided one when nothing else is left', () => {
    const f = three();
    const avoid = ['10.0.1.1:5000', '10.0.1.2:5000'];
    for (let i = 0; i < 3; i++) expect(f.redirectedTo(`10.0.2.${i + 1}:6000`, 'B', { avoid })).toBe('10.0.1.3:5000');
    expect(['10.0.1.1:5000', '10.0.1.2:5000', '10.0.1.3:5000']).toContain(f.redirectedTo(CLIENT, 'B', { avoid: [...avoid, '10.0.1.3:5000'] }));
  });
});

describe('master: relayed setup (S1.4)', () => {
  function relay() {
    const f = three({ config: { mode: 'relay' } });
    return f;
  }
  const setupFrom = (f: MasterFixture, fw: MessageOf<'forward'> & { to: string }) =>
    f.d.control(fw.to, { type: 'setup', rid: fw.rid, sid: fw.sid, file: fw.file, srv: fw.to, size: 1_000_000, rate: RATE, chunk: 1100, off: fw.off, cookie }, f.auth);

  it('forwards the request to the chosen server, then relays its setup with the client\'s rid', () => {
    const f = relay();
    const out = f.d.datagram(CLIENT, padded({ type: 'request', rid: 4242, file: 'B', off: 1100 }));
    const fw = ofType(out, 'forward');
    expect(fw).toHaveLength(1);
    expect(out.filter((s) => s.to === CLIENT)).toHaveLength(0);
    expect(fw[0]).toMatchObject({ file: 'B', client: CLIENT, off: 1100 });
    expect(fw[0]!.rid).not.toBe(4242);
    const answer = setupFrom(f, fw[0]!).filter((s) => s.to === CLIENT);
    expect(answer).toHaveLength(1);
    expect(answer[0]!.msg).toMatchObject({ type: 'setup', rid: 4242, sid: fw[0]!.sid, srv: fw[0]!.to, off: 1100 });
    expect((answer[0]!.msg as { at?: number }).at).toBeUndefined();
    expect(answer[0]!.mac).toBe(false);
    expect(f.master.stats.relays).toBe(1);
    expect(f.master.assignmentView(fw[0]!.sid)?.server).toBe(fw[0]!.to);
  });

  it('the mode in the request wins over the master\'s default', () => {
    const f = three();
    expect(ofType(f.d.datagram(CLIENT, padded({ type: 'request', rid: 1, file: 'B', mode: 'relay' })), 'forward')).toHaveLength(1);
    const r = relay();
    expect(r.answer(CLIENT, 'B', { mode: 'redirect' }).type).toBe('redirect');
  });

  it('a repeated request while the forward is out sends nothing more; once answered, it is answered from the cache', () => {
    const f = relay();
    const fw = ofType(f.d.datagram(CLIENT, padded({ type: 'request', rid: 9, file: 'B' })), 'forward')[0]!;
    expect(f.d.datagram(CLIENT, padded({ type: 'request', rid: 9, file: 'B' }))).toHaveLength(0);
    const first = setupFrom(f, fw).find((s) => s.to === CLIENT)!;
    const again = f.d.datagram(CLIENT, padded({ type: 'request', rid: 9, file: 'B' }));
    expect(again.map((s) => [...s.bytes])).toEqual([[...first.bytes]]);
  });

  it('no setup within FORWARD_TIMEOUT: the request goes to another server', () => {
    const f = relay();
    const fw1 = ofType(f.d.datagram(CLIENT, padded({ type: 'request', rid: 9, file: 'B' })), 'forward')[0]!;
    expect(ofType(f.d.advance(FORWARD_TIMEOUT - 1), 'forward')).toHaveLength(0);
    const fw2 = ofType(f.d.advance(1), 'forward');
    expect(fw2).toHaveLength(1);
    expect(fw2[0]!.to).not.toBe(fw1.to);
    expect(fw2[0]!.rid).not.toBe(fw1.rid);
    // A late setup from the first server answers nothing.
    expect(setupFrom(f, fw1).filter((s) => s.to === CLIENT)).toHaveLength(0);
    expect(f.master.dropped.get('unexpected-message')).toBe(1);
    const answer = setupFrom(f, fw2[0]!).filter((s) => s.to === CLIENT);
    expect(answer[0]!.msg).toMatchObject({ type: 'setup', rid: 9, srv: fw2[0]!.to });
  });

  it('an error from the server: another server; a second failure: an error to the client', () => {
    const f = relay();
    const fw1 = ofType(f.d.datagram(CLIENT, padded({ type: 'request', rid: 9, file: 'B' })), 'forward')[0]!;
    const out = f.d.control(fw1.to, { type: 'error', rid: fw1.rid, code: 'no-capacity', msg: 'full' }, f.auth);
    const fw2 = ofType(out, 'forward');
    expect(fw2).toHaveLength(1);
    expect(fw2[0]!.to).not.toBe(fw1.to);
    expect(out.filter((s) => s.to === CLIENT)).toHaveLength(0);
    f.d.advance(FORWARD_TIMEOUT);
    const toClient = f.sentTo(CLIENT);
    expect(toClient).toHaveLength(1);
    expect(toClient[0]!.msg).toMatchObject({ type: 'error', rid: 9, code: 'unavailable' });
    // Nothing is left reserved or in flight.
    for (const rec of f.master.serversView()) expect(f.master.reservedOn(rec.name).count).toBe(0);
    expect(f.master.assignmentCount()).toBe(0);
    const later = f.d.advance(5 * FORWARD_TIMEOUT);
    expect(ofType(later, 'forward')).toHaveLength(0);
    expect(f.sentTo(CLIENT)).toHaveLength(1);
  });

  it('with a key, the forward is authenticated, and an unauthenticated setup from the server is dropped', () => {
    const f = three({ key: KEY, config: { mode: 'relay' } });
    const out = f.d.datagram(CLIENT, padded({ type: 'request', rid: 1, file: 'B' }));
    const fw = ofType(out, 'forward')[0]!;
    expect(out.find((s) => s.msg?.type === 'forward')!.mac).toBe(true);
    const forged = f.d.datagram(fw.to, { type: 'setup', rid: fw.rid, sid: fw.sid, file: 'B', srv: fw.to, size: 1, rate: 1, chunk: 1100, off: 0, cookie });
    expect(forged.filter((s) => s.to === CLIENT)).toHaveLength(0);
    expect(f.master.dropped.get('missing-mac')).toBe(1);
    expect(setupFrom(f, fw).filter((s) => s.to === CLIENT)).toHaveLength(1);
  });

  it('a setup from an address that is not a server is dropped', () => {
    const f = relay();
    const fw = ofType(f.d.datagram(CLIENT, padded({ type: 'request', rid: 1, file: 'B' })), 'forward')[0]!;
    const out = f.d.datagram('10.9.9.9:1', { type: 'setup', rid: fw.rid, sid: fw.sid, file: 'B', srv: fw.to, size: 1, rate: 1, chunk: 1100, off: 0, cookie });
    expect(out).toHaveLength(0);
    expect(f.master.dropped.get('unexpected-message')).toBe(1);
  });
});

describe('master: server list (S4.1)', () => {
  it('lists every holder with its status, users and group', () => {
    const f = new MasterFixture();
    f.addServer({ files: [file('B')], group: 'eu' });
    const b = f.addServer({ files: [file('B')], group: 'us' });
    f.addServer({ files: [file('C')] });
    b.load({ streams: 3, bw: 3 * RATE });
    const a = f.answer(CLIENT, 'B', { mode: 'list', rid: 3 });
    expect(a).toMatchObject({ type: 'server-list', rid: 3, file: 'B', total: 2, from: 0 });
    if (a.type !== 'server-list') return;
    expect(a.servers.map((s) => [s.srv, s.status, s.users, s.group])).toEqual([
      ['10.0.1.1:5000', 'up', 0, 'eu'],
      ['10.0.1.2:5000', 'up', 3, 'us'],
    ]);
    expect(new Set(a.servers.map((s) => s.sid)).size).toBe(2);
    expect(a.servers.every((s) => s.tok === undefined)).toBe(true);
  });

  it('pages: each page fits in what the client sent, and the pages cover every holder once, in order', () => {
    const f = new MasterFixture({ key: KEY });
    for (let i = 0; i < 40; i++) f.addServer({ files: [file('B')], addr: `[2001:db8::${(i + 1).toString(16)}]:5000`, group: `group-${i}` });
    const seen: string[] = [];
    let from = 0;
    for (let page = 0; page < 10 && from < 40; page++) {
      const out = f.d.datagram(CLIENT, padded({ type: 'request', rid: 100 + page, file: 'B', mode: 'list', from }));
      expect(out).toHaveLength(1);
      expect(out[0]!.bytes.length).toBeLessThanOrEqual(MAX_DATAGRAM);
      const m = out[0]!.msg!;
      expect(m.type).toBe('server-list');
      if (m.type !== 'server-list') return;
      expect(m.total).toBe(40);
      expect(m.from).toBe(from);
      expect(m.servers.length).toBeGreaterThan(0);
      for (const s of m.servers) {
        expect(testAuth().checkToken(s.tok, { client: CLIENT, file: 'B', server: s.srv, sid: s.sid, exp: m.exp! }, f.d.now)).toBeUndefined();
      }
      seen.push(...m.servers.map((s) => s.srv));
      from += m.servers.length;
    }
    expect(seen).toEqual([...f.master.catalog.holders('B')!.keys()].sort());
    expect(seen).toHaveLength(40);
  });

  it('a page is never larger than the request it answers (anti-amplification)', () => {
    const f = new MasterFixture();
    for (let i = 0; i < 20; i++) f.addServer({ files: [file('B')] });
    const small = f.d.datagram(CLIENT, { type: 'request', rid: 1, file: 'B', mode: 'list' });
    // The unpadded request is smaller than any page: the answer is held back, and counted.
    expect(encode({ type: 'request', rid: 1, file: 'B', mode: 'list' }).length).toBeLessThan(60);
    expect(small).toHaveLength(0);
    expect(f.master.dropped.get('amplification-limit')).toBe(1);
    // A request padded to 400 bytes gets a page of at most 400 bytes: fewer servers, the rest paged.
    const mid = f.d.datagram('10.0.2.2:6000', padded({ type: 'request', rid: 2, file: 'B', mode: 'list' }, 400));
    expect(mid).toHaveLength(1);
    expect(mid[0]!.bytes.length).toBeLessThanOrEqual(400);
    const page = mid[0]!.msg as MessageOf<'server-list'>;
    expect(page.servers.length).toBeGreaterThan(0);
    expect(page.servers.length).toBeLessThan(20);
    expect(page.total).toBe(20);
  });

  it('a page starting beyond the end is empty', () => {
    const f = three();
    const a = f.answer(CLIENT, 'B', { mode: 'list', from: 10 });
    expect(a).toMatchObject({ type: 'server-list', total: 3, from: 3, servers: [] });
  });
});
