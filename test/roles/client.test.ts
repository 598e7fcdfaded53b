import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACK_INTERVAL, ATTEMPTS_PER_PEER, DATA_CHUNK, MASTER_ROUNDS, REQUEST_PAD_TO, REQUEST_TIMEOUT, SERVER_SILENCE_TIMEOUT } from '../../src/protocol/constants.js';
import { CLIENT_TABLE, parseChoice } from '../../src/roles/client/client.js';
import { edges, IllegalTransition, mustMove } from '../../src/roles/stateMachine.js';
import { ClientFixture, FILE, M1, M2, M3, SRV1, SRV2 } from '../helpers/clientFixture.js';
import { ofType } from '../helpers/roleDriver.js';
import { expectedBytes } from '../helpers/simCluster.js';

const SIZE = 10 * DATA_CHUNK + 123;

describe('client: asking masters (S4.3)', () => {
  it(`tries each master ATTEMPTS_PER_PEER (${ATTEMPTS_PER_PEER}) times in turn, and gives up after MASTER_ROUNDS (${MASTER_ROUNDS}) rounds with master-unreachable`, () => {
    const masters = [M1, M2, M3];
    const f = new ClientFixture({ masters });
    const t0 = f.d.now;
    f.start();
    f.d.advance(60_000);
    const reqs = ofType(f.d.sent, 'request');
    expect(reqs).toHaveLength(ATTEMPTS_PER_PEER * MASTER_ROUNDS * masters.length);
    // Pairs to the same master, with the same rid, then the next master in rotation.
    const first = masters.indexOf(reqs[0]!.to);
    reqs.forEach((r, i) => {
      expect(r.to, `request ${i}`).toBe(masters[(first + Math.floor(i / ATTEMPTS_PER_PEER)) % masters.length]);
      expect(r.rid).toBe(reqs[i - (i % ATTEMPTS_PER_PEER)]!.rid);
      expect(r.wireSize).toBe(REQUEST_PAD_TO);
    });
    expect(new Set(reqs.map((r) => r.rid)).size).toBe(MASTER_ROUNDS * masters.length);
    expect(f.d.sent.map((s) => s.at - t0)).toEqual(reqs.map((_, i) => i * REQUEST_TIMEOUT));
    expect(f.client.state).toBe('failed');
    expect(f.client.result).toMatchObject({ ok: false, code: 'master-unreachable' });
    expect(f.client.result!.finished - t0).toBe(reqs.length * REQUEST_TIMEOUT);
    expect(f.d.eventsOf('failed')).toHaveLength(1);
    expect(f.client.pollTimeout()).toBeUndefined();
  });

  it('the starting master is chosen from the seed, so clients spread over the masters', () => {
    const starts = new Set<string>();
    for (let seed = 1; seed <= 20; seed++) {
      const f = new ClientFixture({ masters: [M1, M2, M3] }, seed);
      starts.add(f.start()[0]!.to);
    }
    expect(starts.size).toBe(3);
  });

  it('a dead first master: the client moves to the next one and is answered there', () => {
    const f = new ClientFixture({ masters: [M1, M2] });
    f.start();
    const firstTo = f.lastRequest().to;
    f.d.advance(ATTEMPTS_PER_PEER * REQUEST_TIMEOUT);
    const r = f.lastRequest();
    expect(r.to).not.toBe(firstTo);
    f.redirect(SRV1);
    expect(f.client.state).toBe('requesting');
    expect(f.lastRequest()).toMatchObject({ to: SRV1, sid: 11 });
  });

  it('answers from addresses that are not masters, or for another rid, are dropped', () => {
    const f = new ClientFixture();
    f.start();
    const r = f.lastRequest();
    f.from('10.6.6.6:4000', { type: 'redirect', rid: r.rid, file: FILE, srv: SRV1, sid: 1 });
    f.from(M1, { type: 'redirect', rid: r.rid + 1, file: FILE, srv: SRV1, sid: 1 });
    f.from(M1, { type: 'redirect', rid: r.rid, file: 'other.ts', srv: SRV1, sid: 1 });
    expect(f.client.state).toBe('asking');
    expect(f.client.dropped.get('unexpected-message')).toBe(3);
  });

  it('not-found from the master fails at once with not-found', () => {
    const f = new ClientFixture();
    f.start();
    f.from(M1, { type: 'error', rid: f.lastRequest().rid, code: 'not-found', msg: 'no' });
    expect(f.client.result).toMatchObject({ ok: false, code: 'not-found' });
    expect(f.client.state).toBe('failed');
  });

  // Regression: every master error before the first byte used to be final, so a relayed request
  // whose forward or setup was lost (`unavailable`) failed the client on a lossy link.
  it('unavailable from the master is retried, not final', () => {
    const f = new ClientFixture({ mode: 'relay' });
    f.start();
    const first = f.lastRequest();
    f.from(M1, { type: 'error', rid: first.rid, code: 'unavailable', msg: 'server did not answer' });
    expect(f.client.state).toBe('asking');
    expect(f.client.result).toBeUndefined();
    f.d.advance(REQUEST_TIMEOUT);
    const again = f.lastRequest();
    expect(again.to).toBe(M1);
    expect(again.rid).not.toBe(first.rid);
    expect(ofType(f.setup(SRV1, SIZE, { sid: 5, via: M1 }), 'play')).toHaveLength(1);
  });

  // Regression: masters that kept answering with an error were reported as unreachable.
  it('masters that keep answering with a retryable error: gives up with their code, not master-unreachable', () => {
    const f = new ClientFixture({ masters: [M1, M2] });
    f.start();
    for (let i = 0; i < 20 && !f.client.result; i++) {
      const r = f.lastRequest();
      f.from(r.to, { type: 'error', rid: r.rid, code: 'unavailable', msg: 'try later' });
      f.d.advance(REQUEST_TIMEOUT);
    }
    expect(f.client.result).toMatchObject({ ok: false, code: 'unavailable' });
    expect(ofType(f.d.sent, 'request')).toHaveLength(MASTER_ROUNDS * 2);
  });

  it('no-capacity before any byte fails with no-capacity', () => {
    const f = new ClientFixture();
    f.start();
    f.from(M1, { type: 'error', rid: f.lastRequest().rid, code: 'no-capacity', msg: 'full' });
    expect(f.client.result).toMatchObject({ ok: false, code: 'no-capacity' });
  });
});

describe('client: a stream (S1.3, S1.4)', () => {
  /** Send every chunk of the file in order from `srv`, one per ms. */
  function stream(f: ClientFixture, srv: string, sid: number, from = 0): void {
    for (let off = from, seq = 1; off < SIZE; off += DATA_CHUNK, seq++) {
      f.data(srv, sid, off, SIZE, seq);
      f.d.advance(1);
    }
  }

  it('redirect flow: request to the named server with the ticket, play, bytes in order, teardown, complete', () => {
    const f = new ClientFixture();
    f.start();
    const tok = new Uint8Array(16).fill(4);
    const r = f.lastRequest();
    f.from(M1, { type: 'redirect', rid: r.rid, file: FILE, srv: SRV1, sid: 21, tok, exp: 123 });
    const req = f.lastRequest();
    expect(req).toMatchObject({ to: SRV1, sid: 21, exp: 123, file: FILE });
    expect([...req.tok!]).toEqual([...tok]);
    expect(req.wireSize).toBe(REQUEST_PAD_TO);
    const out = f.setup(SRV1, SIZE, { sid: 21 });
    expect(ofType(out, 'play')).toMatchObject([{ to: SRV1, sid: 21, off: 0 }]);
    stream(f, SRV1, 21);
    expect(f.client.state).toBe('done');
    expect(ofType(f.d.sent, 'teardown')).toMatchObject([{ to: SRV1, sid: 21 }]);
    expect(f.collect()).toEqual([...expectedBytes(FILE, SIZE)]);
    expect(f.outOfOrder).toBe(0);
    expect(f.client.result).toMatchObject({ ok: true, bytes: SIZE, size: SIZE, servers: [SRV1], switches: 0 });
    expect(f.client.pollTimeout()).toBeUndefined();
  });

  it('relay flow: a setup relayed by the master is played at the server it names', () => {
    const f = new ClientFixture({ mode: 'relay' });
    f.start();
    expect(f.lastRequest().mode).toBe('relay');
    const out = f.setup(SRV2, SIZE, { sid: 5, via: M1 });
    expect(ofType(out, 'play')).toMatchObject([{ to: SRV2, sid: 5 }]);
    stream(f, SRV2, 5);
    expect(f.client.result).toMatchObject({ ok: true, servers: [SRV2] });
  });

  it(`acks every ACK_INTERVAL (${ACK_INTERVAL} ms) while playing, reporting what is missing`, () => {
    const f = new ClientFixture();
    f.start();
    f.redirect(SRV1, 8);
    f.setup(SRV1, SIZE, { sid: 8 });
    f.data(SRV1, 8, 0, SIZE);
    f.data(SRV1, 8, 3 * DATA_CHUNK, SIZE);
    f.data(SRV1, 8, 5 * DATA_CHUNK, SIZE);
    const acks = ofType(f.d.advance(3 * ACK_INTERVAL), 'ack');
    expect(acks).toHaveLength(3);
    expect(acks[0]).toMatchObject({ to: SRV1, sid: 8, next: DATA_CHUNK, hi: 6 * DATA_CHUNK, miss: [[DATA_CHUNK, 2 * DATA_CHUNK], [4 * DATA_CHUNK, DATA_CHUNK]] });
  });

  it('a server that never sends setup: one retry, then the master again, avoiding that server (S4.5)', () => {
    const f = new ClientFixture();
    f.start();
    f.redirect(SRV1);
    const t = f.d.now;
    f.d.advance(ATTEMPTS_PER_PEER * REQUEST_TIMEOUT);
    const reqs = ofType(f.d.sent, 'request');
    expect(reqs.map((r) => r.to)).toEqual([M1, SRV1, SRV1, M1]);
    expect(f.d.sent.filter((s) => s.msg?.type === 'request').slice(1).map((s) => s.at - t)).toEqual([0, REQUEST_TIMEOUT, 2 * REQUEST_TIMEOUT]);
    expect(reqs[3]!.avoid).toEqual([SRV1]);
    expect(reqs[3]!.off).toBeUndefined();
    expect(f.client.state).toBe('asking');
    expect(f.d.eventsOf('server-failed')).toMatchObject([{ srv: SRV1 }]);
  });

  it('a server that goes silent mid-stream: play again from the current byte, then the master, then another server from that byte', () => {
    const f = new ClientFixture();
    f.start();
    f.redirect(SRV1, 8);
    f.setup(SRV1, SIZE, { sid: 8 });
    for (let i = 0; i < 4; i++) f.data(SRV1, 8, i * DATA_CHUNK, SIZE);
    const mark = f.d.sent.length;
    f.d.advance(SERVER_SILENCE_TIMEOUT);
    expect(ofType(f.d.sent.slice(mark), 'play')).toMatchObject([{ to: SRV1, sid: 8, off: 4 * DATA_CHUNK }]);
    expect(f.d.eventsOf('server-silent')).toHaveLength(1);
    f.d.advance(REQUEST_TIMEOUT);
    const again = f.lastRequest();
    expect(again).toMatchObject({ to: M1, off: 4 * DATA_CHUNK, avoid: [SRV1] });
    expect(ofType(f.d.sent.slice(mark), 'teardown')).toMatchObject([{ to: SRV1, sid: 8 }]);
    // The master sends it to server 2, which streams from that byte on.
    f.redirect(SRV2, 9);
    expect(f.lastRequest()).toMatchObject({ to: SRV2, sid: 9, off: 4 * DATA_CHUNK });
    f.setup(SRV2, SIZE, { sid: 9 });
    // Late data from the first server is ignored.
    f.data(SRV1, 8, 4 * DATA_CHUNK, SIZE);
    expect(f.client.dropped.get('unexpected-message')).toBeGreaterThanOrEqual(1);
    stream(f, SRV2, 9, 4 * DATA_CHUNK);
    expect(f.collect()).toEqual([...expectedBytes(FILE, SIZE)]);
    expect(f.outOfOrder).toBe(0);
    expect(f.client.result).toMatchObject({ ok: true, servers: [SRV1, SRV2], switches: 1 });
  });

  it('`end` from the server: the master again, from the current byte, avoiding that server', () => {
    const f = new ClientFixture();
    f.start();
    f.redirect(SRV1, 8);
    f.setup(SRV1, SIZE, { sid: 8 });
    f.data(SRV1, 8, 0, SIZE);
    f.from(SRV1, { type: 'end', sid: 8, code: 'shutting-down' });
    expect(f.lastRequest()).toMatchObject({ to: M1, off: DATA_CHUNK, avoid: [SRV1] });
  });

  it('a refusal from the server: the master again, avoiding it', () => {
    const f = new ClientFixture();
    f.start();
    f.redirect(SRV1, 8);
    f.from(SRV1, { type: 'error', rid: f.lastRequest().rid, code: 'bad-token', msg: 'no' });
    expect(f.lastRequest()).toMatchObject({ to: M1, avoid: [SRV1] });
  });

  it('a second server with another size for the same file is refused, so the copy is never mixed', () => {
    const f = new ClientFixture();
    f.start();
    f.redirect(SRV1, 8);
    f.setup(SRV1, SIZE, { sid: 8 });
    f.data(SRV1, 8, 0, SIZE);
    f.from(SRV1, { type: 'end', sid: 8, code: 'shutting-down' });
    f.redirect(SRV2, 9);
    const out = f.setup(SRV2, SIZE + 1, { sid: 9 });
    expect(ofType(out, 'play')).toHaveLength(0);
    expect(f.lastRequest()).toMatchObject({ to: M1, avoid: [SRV1, SRV2] });
  });

  it('stop: teardown to the server, stopped, nothing pending', () => {
    const f = new ClientFixture();
    f.start();
    f.redirect(SRV1, 8);
    f.setup(SRV1, SIZE, { sid: 8 });
    const out = f.d.command({ type: 'stop' });
    expect(ofType(out, 'teardown')).toMatchObject([{ to: SRV1, sid: 8 }]);
    expect(f.client.state).toBe('stopped');
    expect(f.client.result).toMatchObject({ ok: false, code: 'stopped' });
    expect(f.client.pollTimeout()).toBeUndefined();
  });

  it('a start offset: asks from that byte and hands on from there', () => {
    const start = 3 * DATA_CHUNK;
    const f = new ClientFixture({ start });
    f.start();
    expect(f.lastRequest().off).toBe(start);
    f.redirect(SRV1, 8);
    f.setup(SRV1, SIZE, { sid: 8, off: start });
    stream(f, SRV1, 8, start);
    expect(f.collect()).toEqual([...expectedBytes(FILE, SIZE).subarray(start)]);
    expect(f.outOfOrder).toBe(0);
  });

  it('property: data packets duplicated and reordered never produce out-of-order or duplicate bytes', () => {
    const chunks = Math.ceil(SIZE / DATA_CHUNK);
    fc.assert(
      fc.property(fc.array(fc.nat(chunks - 1), { maxLength: 30 }), fc.integer({ min: 0, max: 0xffff_ffff }), (extra, shuffleSeed) => {
        const f = new ClientFixture();
        f.start();
        f.redirect(SRV1, 8);
        f.setup(SRV1, SIZE, { sid: 8 });
        const order = [...Array.from({ length: chunks }, (_, i) => i), ...extra];
        let s = shuffleSeed;
        for (let i = order.length - 1; i > 0; i--) {
          s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
          const j = s % (i + 1);
          [order[i], order[j]] = [order[j]!, order[i]!];
        }
        order.forEach((k, seq) => {
          f.data(SRV1, 8, k * DATA_CHUNK, SIZE, seq + 1);
          f.d.advance(3);
        });
        expect(f.collect()).toEqual([...expectedBytes(FILE, SIZE)]);
        expect(f.outOfOrder).toBe(0);
        expect(f.client.result).toMatchObject({ ok: true, bytes: SIZE });
      }),
      { numRuns: 200, seed: 61 },
    );
  });

  it('every transition the client makes is in CLIENT_TABLE', () => {
    const f = new ClientFixture();
    f.start();
    f.redirect(SRV1, 8);
    f.setup(SRV1, SIZE, { sid: 8 });
    stream(f, SRV1, 8);
    const allowed = new Set(edges(CLIENT_TABLE).map(([a, on, b]) => `${a} ${on} ${b}`));
    const moves = f.d.eventsOf('state').map((e) => `${e.from} ${e.on} ${e.to}`);
    expect(moves.length).toBeGreaterThan(3);
    for (const m of moves) expect(allowed).toContain(m);
  });

  it('a stopped client takes no more moves: its server\'s `end`, `error` and `data` are dropped, data is answered with `teardown`', () => {
    const f = new ClientFixture();
    f.start();
    f.redirect(SRV1, 8);
    f.setup(SRV1, SIZE, { sid: 8 });
    f.data(SRV1, 8, 0, SIZE);
    f.d.command({ type: 'stop' });
    expect(f.client.state).toBe('stopped');
    const events = f.d.events.length;
    f.from(SRV1, { type: 'end', sid: 8, code: 'shutting-down' });
    f.from(SRV1, { type: 'error', sid: 8, code: 'no-capacity', msg: 'full' });
    f.d.advance(ACK_INTERVAL);
    const out = f.data(SRV1, 8, DATA_CHUNK, SIZE);
    expect(f.client.state).toBe('stopped');
    expect(f.d.events.slice(events).map((e) => e.type)).toEqual(['dropped', 'dropped', 'dropped']);
    expect(ofType(out, 'teardown')).toMatchObject([{ to: SRV1, sid: 8 }]);
    // A move the table does not have is a bug, never a quiet fallback.
    expect(() => mustMove(CLIENT_TABLE, 'stopped', 'server-failed')).toThrow(IllegalTransition);
  });
});

describe('client: choosing from a server list (S4.1, S4.2)', () => {
  const entry = (srv: string, users: number, group: string, status: 'up' | 'down' | 'joining' = 'up', sid = 50) => ({ srv, status, users, group, sid });
  const LIST = [
    entry('10.0.1.1:5000', 5, 'eu'),
    entry('10.0.1.2:5000', 1, 'us'),
    entry('10.0.1.3:5000', 0, 'eu', 'down'),
    entry('10.0.1.4:5000', 3, 'eu'),
    entry('10.0.1.5:5000', 2, 'asia', 'joining'),
  ];

  function chooseFrom(choose: string, list = LIST, seed = 3): string {
    const f = new ClientFixture({ mode: 'list', choose: parseChoice(choose)! }, seed);
    f.start();
    const r = f.lastRequest();
    expect(r.mode).toBe('list');
    f.from(M1, { type: 'server-list', rid: r.rid, file: FILE, total: list.length, from: 0, servers: list });
    return f.lastRequest().to;
  }

  it('parses the choice flag', () => {
    expect(parseChoice('random')).toEqual({ by: 'random' });
    expect(parseChoice('fewest-users')).toEqual({ by: 'fewest-users' });
    expect(parseChoice('group:eu')).toEqual({ by: 'group', group: 'eu' });
    expect(parseChoice('group:')).toBeUndefined();
    expect(parseChoice('fastest')).toBeUndefined();
  });

  it('fewest-users: the up server with the fewest users (down and joining ones do not count)', () => {
    expect(chooseFrom('fewest-users')).toBe('10.0.1.2:5000');
  });

  it('group: the fewest users within the group', () => {
    expect(chooseFrom('group:eu')).toBe('10.0.1.4:5000');
    expect(chooseFrom('group:us')).toBe('10.0.1.2:5000');
  });

  it('group with no server up: falls back to fewest users, and says so', () => {
    const f = new ClientFixture({ mode: 'list', choose: { by: 'group', group: 'asia' } });
    f.start();
    const r = f.lastRequest();
    f.from(M1, { type: 'server-list', rid: r.rid, file: FILE, total: LIST.length, from: 0, servers: LIST });
    expect(f.lastRequest().to).toBe('10.0.1.2:5000');
    expect(f.d.eventsOf('group-empty')).toMatchObject([{ group: 'asia' }]);
  });

  it('random: only up servers, reproducible from the seed, spread over them', () => {
    const picks = Array.from({ length: 60 }, (_, seed) => chooseFrom('random', LIST, seed + 1));
    expect(new Set(picks)).toEqual(new Set(['10.0.1.1:5000', '10.0.1.2:5000', '10.0.1.4:5000']));
    expect(Array.from({ length: 60 }, (_, seed) => chooseFrom('random', LIST, seed + 1))).toEqual(picks);
  });

  it('the chosen server is asked with its own sid and token', () => {
    const f = new ClientFixture({ mode: 'list', choose: { by: 'fewest-users' } });
    f.start();
    const r = f.lastRequest();
    const tok = new Uint8Array(16).fill(9);
    f.from(M1, { type: 'server-list', rid: r.rid, file: FILE, total: 2, from: 0, exp: 999, servers: [{ ...entry(SRV1, 0, 'g'), sid: 71, tok }, { ...entry(SRV2, 4, 'g'), sid: 72 }] });
    const req = f.lastRequest();
    expect(req).toMatchObject({ to: SRV1, sid: 71, exp: 999 });
    expect([...req.tok!]).toEqual([...tok]);
  });

  it('a list in pages: the client asks for the next page, then chooses from all of them', () => {
    const f = new ClientFixture({ mode: 'list', choose: { by: 'fewest-users' } });
    f.start();
    let r = f.lastRequest();
    f.from(M1, { type: 'server-list', rid: r.rid, file: FILE, total: 3, from: 0, servers: [entry(SRV1, 5, 'g'), entry(SRV2, 4, 'g')] });
    r = f.lastRequest();
    expect(r).toMatchObject({ to: M1, from: 2, mode: 'list' });
    f.from(M1, { type: 'server-list', rid: r.rid, file: FILE, total: 3, from: 2, servers: [entry('10.0.1.9:5000', 1, 'g')] });
    expect(f.lastRequest().to).toBe('10.0.1.9:5000');
  });

  it('no server up in the list: fails with no-capacity', () => {
    const f = new ClientFixture({ mode: 'list', choose: { by: 'random' } });
    f.start();
    const r = f.lastRequest();
    f.from(M1, { type: 'server-list', rid: r.rid, file: FILE, total: 1, from: 0, servers: [entry(SRV1, 0, 'g', 'down')] });
    expect(f.client.result).toMatchObject({ ok: false, code: 'no-capacity' });
  });

  it('after a server fails, the next list choice avoids it while another is up', () => {
    const f = new ClientFixture({ mode: 'list', choose: { by: 'fewest-users' } });
    f.start();
    let r = f.lastRequest();
    const list = [entry(SRV1, 0, 'g'), entry(SRV2, 9, 'g')];
    f.from(M1, { type: 'server-list', rid: r.rid, file: FILE, total: 2, from: 0, servers: list });
    expect(f.lastRequest().to).toBe(SRV1);
    f.d.advance(ATTEMPTS_PER_PEER * REQUEST_TIMEOUT);
    r = f.lastRequest();
    expect(r).toMatchObject({ to: M1, avoid: [SRV1] });
    f.from(M1, { type: 'server-list', rid: r.rid, file: FILE, total: 2, from: 0, servers: list });
    expect(f.lastRequest().to).toBe(SRV2);
  });
});
