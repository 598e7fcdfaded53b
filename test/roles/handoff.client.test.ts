/**
 * The client's part in a handoff (S2, §10), driven message by message: the
 * `switch` and its token, make-before-break, the change indicator, silence,
 * the handoff record, rate adjustments, and media items of several flows.
 */
import { describe, expect, it } from 'vitest';
import { handoffToken } from '../../src/protocol/auth.js';
import { ACK_INTERVAL, CHANGE_GRACE, DATA_CHUNK, REQUEST_TIMEOUT, SERVER_SILENCE_TIMEOUT, SILENCE_FLOOR, SILENCE_SAMPLES } from '../../src/protocol/constants.js';
import type { MessageOf } from '../../src/protocol/messages.js';
import type { ClientConfig } from '../../src/roles/client/client.js';
import { nameKey, syntheticBytes } from '../../src/media/synthetic.js';
import { nodeCrypto } from '../../src/platform/crypto.js';
import { ClientFixture, FILE, M1, SRV1, SRV2 } from '../helpers/clientFixture.js';
import { ofType } from '../helpers/roleDriver.js';
import { expectedBytes } from '../helpers/simCluster.js';

const SIZE = 200 * DATA_CHUNK + 77;
const SID = 21;
const SK = new Uint8Array(16).fill(0x42);
const SRV3 = '10.0.1.3:5000';
const RATE = 4_000_000;

/** A client playing stream SID from SRV1, `chunks` chunks in; its stream key SK unless `sk` is null. */
function playingClient(o: { config?: Partial<ClientConfig>; sk?: Uint8Array | null; chunks?: number } = {}): ClientFixture {
  const f = new ClientFixture(o.config);
  f.start();
  const r = f.lastRequest();
  const sk = o.sk === null ? undefined : (o.sk ?? SK);
  f.from(M1, { type: 'redirect', rid: r.rid, file: FILE, srv: SRV1, sid: SID, ...(sk ? { sk } : {}) });
  f.setup(SRV1, SIZE, { sid: SID });
  for (let i = 0; i < (o.chunks ?? 10); i++) f.data(SRV1, SID, i * DATA_CHUNK, SIZE, i + 1);
  expect(f.client.state).toBe('playing');
  return f;
}

/** A `switch` to `srv` with a handoff token made with `key`, valid for 10 s unless `exp` says otherwise. */
function switchTo(f: ClientFixture, o: Partial<MessageOf<'switch'>> = {}, key = SK): MessageOf<'switch'> {
  const sid = o.sid ?? SID;
  const srv = o.srv ?? SRV2;
  const exp = o.exp ?? Math.floor(f.d.now) + 10_000;
  return { type: 'switch', sid, srv, cookie: new Uint8Array(8).fill(5), off: 5 * DATA_CHUNK, npt: 11, scale: 1000, tok: handoffToken(nodeCrypto, key, sid, srv, exp), exp, why: 'drain', ...o };
}

/** Send chunks [from, to) of the file from `srv`, one per ms. */
function chunks(f: ClientFixture, srv: string, from: number, to: number, o: { sid?: number; ch?: boolean } = {}): void {
  for (let i = from; i < to && i * DATA_CHUNK < SIZE; i++) {
    const off = i * DATA_CHUNK;
    f.from(srv, { type: 'data', sid: o.sid ?? SID, seq: i + 1, off, data: syntheticBytes(nameKey(FILE), off, Math.min(DATA_CHUNK, SIZE - off)), ...(o.ch ? { ch: true } : {}) });
    f.d.advance(1);
  }
}

describe('client: a switch is taken only when it is genuine (§10.5)', () => {
  it('a valid switch from the current server, for its stream: play at the new server from where the client is', () => {
    const f = playingClient();
    const out = f.from(SRV1, switchTo(f));
    // The client's own position: 10 chunks, not the switch's `off`.
    expect(ofType(out, 'play')).toMatchObject([{ to: SRV2, sid: SID, off: 10 * DATA_CHUNK }]);
    expect([...ofType(out, 'play')[0]!.cookie]).toEqual(new Array(8).fill(5));
    // 11000 bytes at 4 Mbit/s: 22 ms of normal play time.
    expect(f.d.eventsOf('switch')).toMatchObject([{ from: SRV1, to: SRV2, sid: SID, why: 'drain', computed: 11, npt: 22 }]);
    expect(f.client.state).toBe('starting');
  });

  const refusals: [string, (f: ClientFixture) => { from: string; msg: MessageOf<'switch'> }, string | undefined][] = [
    ['a forged token', (f) => ({ from: SRV1, msg: switchTo(f, { tok: new Uint8Array(16).fill(7) }) }), 'bad token'],
    ['a token made with another stream key', (f) => ({ from: SRV1, msg: switchTo(f, {}, new Uint8Array(16).fill(1)) }), 'bad token'],
    ['a token for another server than the one named', (f) => ({ from: SRV1, msg: { ...switchTo(f, { srv: SRV3 }), srv: SRV2 } }), 'bad token'],
    ['an expired token', (f) => ({ from: SRV1, msg: switchTo(f, { exp: Math.floor(f.d.now) - 1 }) }), 'token expired'],
    ['a token expiring now', (f) => ({ from: SRV1, msg: switchTo(f, { exp: Math.floor(f.d.now) }) }), 'token expired'],
    ['another stream\'s switch', (f) => ({ from: SRV1, msg: switchTo(f, { sid: SID + 1 }) }), undefined],
    ['from the new server itself', (f) => ({ from: SRV2, msg: switchTo(f) }), undefined],
    ['from another address', (f) => ({ from: '10.6.6.6:5000', msg: switchTo(f) }), undefined],
  ];
  for (const [name, make, why] of refusals) {
    it(`${name}: refused, the stream stays`, () => {
      const f = playingClient();
      const { from, msg } = make(f);
      const out = f.from(from, msg);
      expect(ofType(out, 'play')).toEqual([]);
      expect(f.d.eventsOf('switch')).toEqual([]);
      expect(f.d.eventsOf('switch-refused').map((e) => e.why)).toEqual(why ? [why] : []);
      expect(f.client.dropped.get(why ? 'bad-token' : 'unexpected-message')).toBe(1);
      expect(f.client.state).toBe('playing');
      // Acks still go to the first server, and it still feeds the stream.
      expect(ofType(f.d.advance(ACK_INTERVAL), 'ack').map((a) => a.to)).toEqual([SRV1]);
      chunks(f, SRV1, 10, 12);
      expect(f.client.next).toBe(12 * DATA_CHUNK);
    });
  }

  it('no stream key (a master that issued none): refused', () => {
    const f = playingClient({ sk: null });
    expect(ofType(f.from(SRV1, switchTo(f)), 'play')).toEqual([]);
    expect(f.d.eventsOf('switch-refused')).toMatchObject([{ why: 'no stream key' }]);
  });

  it('a repeat of the switch (the master sends `move` again) changes nothing', () => {
    const f = playingClient();
    const msg = switchTo(f);
    f.from(SRV1, msg);
    expect(ofType(f.from(SRV1, msg), 'play')).toEqual([]);
    expect(f.d.eventsOf('switch')).toHaveLength(1);
  });
});

describe('client: make-before-break (S2.6)', () => {
  it('the old server\'s data is taken until the new one delivers; then the old one is torn down and its data dropped', () => {
    const f = playingClient();
    // Before the switch, the new server's data is nobody's.
    chunks(f, SRV2, 10, 11);
    expect(f.client.next).toBe(10 * DATA_CHUNK);
    f.from(SRV1, switchTo(f));
    // The old server goes on.
    chunks(f, SRV1, 10, 14);
    const lastOld = f.d.now - 1;
    expect(f.client.next).toBe(14 * DATA_CHUNK);
    expect(f.d.eventsOf('handoff')).toEqual([]);
    f.d.advance(20);
    // The new server's first data, ahead of where the client is (buffered), ends the handoff: the old
    // server is torn down, and the client's acks ask the new one for the hole.
    const out = f.from(SRV2, { type: 'data', sid: SID, seq: 1, off: 15 * DATA_CHUNK, data: syntheticBytes(nameKey(FILE), 15 * DATA_CHUNK, DATA_CHUNK) });
    expect(ofType(out, 'teardown')).toMatchObject([{ to: SRV1, sid: SID }]);
    const gap = Math.round(f.d.now - lastOld);
    chunks(f, SRV2, 16, 17);
    expect(f.client.next).toBe(14 * DATA_CHUNK);
    f.from(SRV2, { type: 'data', sid: SID, seq: 1, off: 14 * DATA_CHUNK, data: syntheticBytes(nameKey(FILE), 14 * DATA_CHUNK, DATA_CHUNK) });
    expect(f.client.next).toBe(17 * DATA_CHUNK);
    expect(f.d.eventsOf('handoff')).toMatchObject([{ sid: SID, from: SRV1, to: SRV2, why: 'drain', npt: 22, computed: 11, diff: 11 - 22, gap }]);
    expect(f.client.state).toBe('playing');
    // The old server's late data is not taken; its teardown is repeated, at most once per ACK_INTERVAL.
    chunks(f, SRV1, 17, 19);
    expect(f.client.next).toBe(17 * DATA_CHUNK);
    f.d.advance(ACK_INTERVAL);
    const again = ofType(f.from(SRV1, { type: 'data', sid: SID, seq: 99, off: 19 * DATA_CHUNK, data: syntheticBytes(nameKey(FILE), 19 * DATA_CHUNK, DATA_CHUNK) }), 'teardown');
    expect(again).toMatchObject([{ to: SRV1, sid: SID }]);
    // Acks go to the new server.
    expect(ofType(f.d.advance(ACK_INTERVAL), 'ack').map((a) => a.to)).toEqual([SRV2]);
    chunks(f, SRV2, 17, 1000);
    expect(f.collect()).toEqual([...expectedBytes(FILE, SIZE)]);
    expect(f.outOfOrder).toBe(0);
    expect(f.client.result).toMatchObject({ ok: true, servers: [SRV1, SRV2], switches: 1, handoffs: [{ from: SRV1, to: SRV2, why: 'drain', npt: 22, computed: 11, gap }], maxGap: gap });
  });

  // The old server, a few ms ahead, kept delivering the next bytes, so every packet of the new server
  // arrived as a duplicate and the handoff (waiting for one "in order") went on for seconds, the stream doubled.
  it('a duplicate from the new server (the old one was ahead) ends the handoff too', () => {
    const f = playingClient();
    f.from(SRV1, switchTo(f));
    chunks(f, SRV1, 10, 14);
    const out = f.from(SRV2, { type: 'data', sid: SID, seq: 1, off: 12 * DATA_CHUNK, data: syntheticBytes(nameKey(FILE), 12 * DATA_CHUNK, DATA_CHUNK) });
    expect(ofType(out, 'teardown')).toMatchObject([{ to: SRV1, sid: SID }]);
    expect(f.d.eventsOf('handoff')).toMatchObject([{ from: SRV1, to: SRV2 }]);
    expect(f.client.result === undefined && f.client.next).toBe(14 * DATA_CHUNK);
  });

  it('both servers send the same chunks, in any order: every byte is handed on once, in order', () => {
    const f = playingClient();
    f.from(SRV1, switchTo(f));
    for (let i = 10; i < 40; i++) {
      const [a, b] = i % 3 === 0 ? [SRV2, SRV1] : [SRV1, SRV2];
      chunks(f, a, i + 1, i + 2);
      chunks(f, b, i, i + 1);
      chunks(f, a, i, i + 1);
    }
    chunks(f, SRV2, 40, 1000);
    expect(f.collect()).toEqual([...expectedBytes(FILE, SIZE)]);
    expect(f.outOfOrder).toBe(0);
    expect(f.client.result!.ok).toBe(true);
    expect(f.client.result!.duplicates).toBeGreaterThan(0);
  });

  it('the old server ends the stream (`end`) after the switch: the new one carries on', () => {
    const f = playingClient();
    f.from(SRV1, switchTo(f));
    f.from(SRV1, { type: 'end', sid: SID, code: 'shutting-down' });
    expect(f.client.state).toBe('starting');
    expect(ofType(f.d.sent, 'request').filter((r) => r.to === M1)).toHaveLength(1);
    chunks(f, SRV2, 10, 1000);
    expect(f.client.result).toMatchObject({ ok: true, servers: [SRV1, SRV2] });
  });
});

describe('client: the change indicator (S2.5c)', () => {
  it(`no switch within CHANGE_GRACE (${CHANGE_GRACE} ms): it asks a master with \`prev\` and \`avoid\`, still taking the old server's data`, () => {
    const f = playingClient();
    const seen = f.d.now;
    chunks(f, SRV1, 10, 11, { ch: true });
    expect(f.d.eventsOf('change-indicator')).toMatchObject([{ srv: SRV1, sid: SID, off: 10 * DATA_CHUNK }]);
    // The server keeps streaming, its data marked, a chunk every 10 ms; no switch comes.
    let asked: number | undefined;
    for (let i = 11; i < 150 && asked === undefined; i++) {
      chunks(f, SRV1, i, i + 1, { ch: true });
      f.d.advance(9);
      if (f.d.eventsOf('change-unanswered').length > 0) asked = f.d.now;
    }
    expect(f.d.eventsOf('change-unanswered')).toMatchObject([{ srv: SRV1 }]);
    expect(asked! - seen).toBeGreaterThanOrEqual(CHANGE_GRACE);
    expect(asked! - seen).toBeLessThanOrEqual(CHANGE_GRACE + 10);
    const ask = f.lastRequest();
    expect(ask).toMatchObject({ to: M1, prev: SID, avoid: [SRV1], off: f.client.next });
    expect(f.client.state).toBe('asking');
    // Still taking the old server's data while asking.
    const at = f.client.next;
    chunks(f, SRV1, at / DATA_CHUNK, at / DATA_CHUNK + 3, { ch: true });
    expect(f.client.next).toBe(at + 3 * DATA_CHUNK);
    // The master answers with the server it established, whose setup names the position the master
    // computed (not the client's): the client plays there from its own position.
    f.from(M1, { type: 'redirect', rid: ask.rid, file: FILE, srv: SRV2, sid: SID, sk: SK });
    expect(f.lastRequest()).toMatchObject({ to: SRV2, sid: SID, off: f.client.next });
    const out = f.setup(SRV2, SIZE, { sid: SID, off: 3 * DATA_CHUNK });
    expect(ofType(out, 'play')).toMatchObject([{ to: SRV2, sid: SID, off: f.client.next }]);
    const from = f.client.next / DATA_CHUNK;
    chunks(f, SRV2, from, 1000);
    expect(f.collect()).toEqual([...expectedBytes(FILE, SIZE)]);
    expect(f.outOfOrder).toBe(0);
    expect(f.client.result!.handoffs).toMatchObject([{ from: SRV1, to: SRV2, why: 'drain' }]);
    expect(f.client.result!.handoffs[0]!.computed).toBeUndefined();
  });

  it('list mode, nothing else up: the client stays with the draining server, asks again CHANGE_GRACE later, and completes there (§4.5, §10.7)', () => {
    const f = new ClientFixture({ mode: 'list' });
    f.start();
    const entry = (status: 'up' | 'draining') => ({ srv: SRV1, status, users: 1, group: 'g', sid: SID, sk: SK });
    f.from(M1, { type: 'server-list', rid: f.lastRequest().rid, file: FILE, total: 1, from: 0, servers: [entry('up')] });
    f.setup(SRV1, SIZE, { sid: SID });
    for (let i = 0; i < 10; i++) f.data(SRV1, SID, i * DATA_CHUNK, SIZE, i + 1);
    // The server drains; no switch comes; the client asks, and the only server listed is draining.
    // A chunk every 20 ms: the 200-chunk file outlasts two rounds of CHANGE_GRACE.
    let i = 10;
    const feed = (ms: number) => {
      for (const end = f.d.now + ms; f.d.now < end; i++) {
        chunks(f, SRV1, i, i + 1, { ch: true });
        f.d.advance(19);
      }
    };
    feed(CHANGE_GRACE + 20);
    expect(f.client.state).toBe('asking');
    const ask = f.lastRequest();
    expect(ask).toMatchObject({ to: M1, mode: 'list', prev: SID });
    f.from(M1, { type: 'server-list', rid: ask.rid, file: FILE, total: 1, from: 0, servers: [entry('draining')] });
    // One list with no server up is enough: the client stays, it does not fail.
    expect(f.d.eventsOf('stay')).toMatchObject([{ srv: SRV1, code: 'no-capacity' }]);
    expect(f.client.state).toBe('playing');
    // The data still carry the change indicator: CHANGE_GRACE later it asks again.
    const asksBefore = ofType(f.d.sent, 'request').filter((r) => r.to === M1).length;
    feed(CHANGE_GRACE + 20);
    expect(ofType(f.d.sent, 'request').filter((r) => r.to === M1).length).toBe(asksBefore + 1);
    // The draining server delivers the rest: the copy completes there.
    chunks(f, SRV1, i, 1000, { ch: true });
    expect(f.collect()).toEqual([...expectedBytes(FILE, SIZE)]);
    expect(f.client.result).toMatchObject({ ok: true });
  });

  it('a switch within CHANGE_GRACE: the client does not ask', () => {
    const f = playingClient();
    // Marked data for half the grace, a chunk every 10 ms, then the switch.
    for (let i = 10; i < 10 + CHANGE_GRACE / 20; i++) {
      chunks(f, SRV1, i, i + 1, { ch: true });
      f.d.advance(9);
    }
    f.from(SRV1, switchTo(f));
    for (let i = 10 + CHANGE_GRACE / 20; i < 190; i++) {
      chunks(f, SRV2, i, i + 1);
      f.d.advance(9);
    }
    expect(f.d.eventsOf('change-unanswered')).toEqual([]);
    expect(ofType(f.d.sent, 'request').filter((r) => r.to === M1)).toHaveLength(1);
  });
});

describe('client: silence (S2.5a)', () => {
  it(`a play retry at half SERVER_SILENCE_TIMEOUT, then a master asked with \`prev\`; the handoff recorded with its gap`, () => {
    const f = playingClient();
    const lastData = f.d.now; // the old server's last packet
    const mark = f.d.sent.length;
    f.d.advance(SERVER_SILENCE_TIMEOUT / 2);
    expect(ofType(f.d.sent.slice(mark), 'play')).toMatchObject([{ to: SRV1, sid: SID, off: 10 * DATA_CHUNK }]);
    expect(ofType(f.d.sent.slice(mark), 'request')).toEqual([]);
    f.d.advance(SERVER_SILENCE_TIMEOUT / 2);
    const ask = f.lastRequest();
    expect(ask).toMatchObject({ to: M1, prev: SID, avoid: [SRV1], off: 10 * DATA_CHUNK });
    expect(f.d.eventsOf('server-failed')).toMatchObject([{ srv: SRV1, reason: 'the server went silent' }]);
    f.from(M1, { type: 'redirect', rid: ask.rid, file: FILE, srv: SRV2, sid: SID, sk: SK });
    f.setup(SRV2, SIZE, { sid: SID });
    f.d.advance(3);
    const firstNew = f.d.now;
    chunks(f, SRV2, 10, 1000);
    // From the old server's last packet to the new server's first at the right position: the silence,
    // the asking, the setup (here answered at once), and 3 ms more.
    const gap = firstNew - lastData;
    expect(gap).toBe(SERVER_SILENCE_TIMEOUT + 3);
    expect(f.client.result).toMatchObject({ ok: true, handoffs: [{ from: SRV1, to: SRV2, why: 'failure', npt: 22, gap }], maxGap: gap });
    expect(f.collect()).toEqual([...expectedBytes(FILE, SIZE)]);
  });
});

describe('client: a silence timeout learnt from the stream (§6.2)', () => {
  const BIG = 2_000 * DATA_CHUNK;
  /** A client playing SID from SRV1 (a file of BIG bytes), fed `n` chunks one every `every()` ms. */
  function steady(n: number, every: (i: number) => number): ClientFixture {
    const f = new ClientFixture();
    f.start();
    const r = f.lastRequest();
    f.from(M1, { type: 'redirect', rid: r.rid, file: FILE, srv: SRV1, sid: SID, sk: SK });
    f.setup(SRV1, BIG, { sid: SID });
    for (let i = 0; i < n; i++) {
      f.data(SRV1, SID, i * DATA_CHUNK, BIG, i + 1);
      f.d.advance(every(i));
    }
    return f;
  }
  /** How long after its last data the client asked a master, and what it asked. */
  function silence(f: ClientFixture, last: number): { readonly after: number; readonly ask: ReturnType<ClientFixture['lastRequest']> } {
    const mark = f.d.sent.length;
    for (let t = 0; t < SERVER_SILENCE_TIMEOUT + 10 && ofType(f.d.sent.slice(mark), 'request').length === 0; t++) f.d.advance(1);
    return { after: Math.round(f.d.now - last), ask: f.lastRequest() };
  }

  it(`a steady stream fails over after SILENCE_FLOOR (${SILENCE_FLOOR} ms), without a play retry; the request says how long it was quiet`, () => {
    const f = steady(40, () => 2);
    const last = f.d.now - 2;
    const { after, ask } = silence(f, last);
    expect(after).toBe(SILENCE_FLOOR);
    expect(ask).toMatchObject({ to: M1, prev: SID, quiet: SILENCE_FLOOR, avoid: [SRV1] });
    // A learnt timeout below the ceiling has no play retry; at the ceiling, the retry at half of it.
    expect(f.d.eventsOf('server-silent')).toHaveLength(SILENCE_FLOOR < SERVER_SILENCE_TIMEOUT ? 0 : 1);
  });

  it(`before SILENCE_SAMPLES (${SILENCE_SAMPLES}) inter-arrivals, and within the ceiling's worth of the flow's end, the ceiling (${SERVER_SILENCE_TIMEOUT} ms)`, () => {
    const early = steady(SILENCE_SAMPLES - 1, () => 2);
    expect(silence(early, early.d.now - 2).after).toBe(SERVER_SILENCE_TIMEOUT);
    // The last 250 000 bytes of a 4 Mbit/s flow are within 500 ms of its end: repairs come at the pace of acks.
    const f = new ClientFixture();
    f.start();
    f.from(M1, { type: 'redirect', rid: f.lastRequest().rid, file: FILE, srv: SRV1, sid: SID, sk: SK });
    f.setup(SRV1, BIG, { sid: SID });
    for (let i = 0; i < 40; i++) {
      f.data(SRV1, SID, (2_000 - 40 + i) * DATA_CHUNK, BIG, i + 1);
      f.d.advance(2);
    }
    expect(silence(f, f.d.now - 2).after).toBe(SERVER_SILENCE_TIMEOUT);
  });

  it('an irregular stream learns a longer timeout: mean + SILENCE_DEV_MULT deviations, within the ceiling', () => {
    // Bursts: four chunks at once, then 120 ms of nothing (a server woken late, again and again).
    const f = steady(64, (i) => (i % 4 === 3 ? 120 : 0));
    const { after } = silence(f, f.d.now - 120);
    expect(after).toBeGreaterThan(Math.min(SILENCE_FLOOR, SERVER_SILENCE_TIMEOUT - 1));
    expect(after).toBeLessThanOrEqual(SERVER_SILENCE_TIMEOUT);
  });
});

describe('client: stream adjustments (S2.1)', () => {
  /** Keep the stream fed from `srv` for `ms`, from chunk `at` on; returns the next chunk. */
  function feed(f: ClientFixture, srv: string, at: number, ms: number): number {
    const end = f.d.now + ms;
    while (f.d.now < end && at * DATA_CHUNK < SIZE - DATA_CHUNK) {
      chunks(f, srv, at, at + 1);
      at++;
      f.d.advance(4);
    }
    return at;
  }

  it('the schedule sends `adjust` at its time from the start of play, again every two ack intervals until acknowledged', () => {
    const f = playingClient({ config: { schedule: [{ at: 100, scale: 2000 }, { at: 150, scale: 2000 }] } });
    let at = feed(f, SRV1, 10, 90);
    expect(ofType(f.d.sent, 'adjust')).toEqual([]);
    at = feed(f, SRV1, at, 15);
    const first = ofType(f.d.sent, 'adjust');
    expect(first).toMatchObject([{ to: SRV1, sid: SID, n: 1, scale: 2000 }]);
    at = feed(f, SRV1, at, 2 * ACK_INTERVAL + 10);
    expect(ofType(f.d.sent, 'adjust').map((a) => a.n)).toEqual([1, 1]);
    f.from(SRV1, { type: 'adjust-ack', sid: SID, n: 1, scale: 2000 });
    expect(f.d.eventsOf('adjusted')).toMatchObject([{ srv: SRV1, n: 1, scale: 2000 }]);
    feed(f, SRV1, at, 4 * ACK_INTERVAL);
    // Acknowledged: no more; the second entry asks for the scale already in effect, so nothing is sent.
    expect(ofType(f.d.sent, 'adjust')).toHaveLength(2);
  });

  it('an acknowledgement from another server, or for another number, does not count', () => {
    const f = playingClient({ config: { schedule: [{ at: 0, scale: 500 }] } });
    feed(f, SRV1, 10, 10);
    f.from(SRV2, { type: 'adjust-ack', sid: SID, n: 1, scale: 500 });
    f.from(SRV1, { type: 'adjust-ack', sid: SID, n: 0, scale: 500 });
    expect(f.d.eventsOf('adjusted')).toEqual([]);
  });

  it('an adjustment not yet acknowledged at a switch goes to the new server at once', () => {
    const f = playingClient({ config: { schedule: [{ at: 0, scale: 1500 }] } });
    feed(f, SRV1, 10, 10);
    expect(ofType(f.d.sent, 'adjust').map((a) => a.to)).toEqual([SRV1]);
    f.from(SRV1, switchTo(f));
    f.d.advance(1);
    expect(ofType(f.d.sent, 'adjust').map((a) => a.to)).toEqual([SRV1, SRV2]);
    f.from(SRV2, { type: 'adjust-ack', sid: SID, n: 1, scale: 1500 });
    expect(f.d.eventsOf('adjusted')).toMatchObject([{ srv: SRV2, scale: 1500 }]);
  });

  it('a server without room for the faster rate: adjust-refused, the stream goes on as it was', () => {
    const f = playingClient({ config: { schedule: [{ at: 0, scale: 4000 }] } });
    feed(f, SRV1, 10, 10);
    f.from(SRV1, { type: 'error', sid: SID, code: 'no-capacity', msg: 'no room' });
    expect(f.d.eventsOf('adjust-refused')).toMatchObject([{ srv: SRV1, scale: 4000 }]);
    expect(f.client.state).toBe('playing');
    const n = ofType(f.d.sent, 'adjust').length;
    feed(f, SRV1, 20, 3 * ACK_INTERVAL);
    expect(ofType(f.d.sent, 'adjust')).toHaveLength(n);
  });

  // Regression: a scheduled adjustment falling due while the client asked a master again was offered
  // as a timer the client could not act on, so it woke again and again at once.
  it('an adjustment due while the client asks again waits, without waking it again and again', () => {
    const f = playingClient({ config: { schedule: [{ at: 600, scale: 2000 }] } });
    f.d.advanceTo(f.d.now + SERVER_SILENCE_TIMEOUT + 1, 100);
    expect(f.client.state).toBe('asking');
    // Past the schedule's time, still asking: a handful of timers, not a storm.
    f.d.advanceTo(f.d.now + REQUEST_TIMEOUT / 2, 100);
    expect(f.client.pollTimeout()! > f.d.now).toBe(true);
    expect(ofType(f.d.sent, 'adjust')).toEqual([]);
  });
});

describe('client: media items of several flows (S2.4)', () => {
  const VIDEO = { name: 'show.video', size: 30 * DATA_CHUNK, rate: RATE };
  const AUDIO = { name: 'show.audio', size: 3 * DATA_CHUNK + 5, rate: 128_000 };

  function multi(): ClientFixture {
    const f = new ClientFixture();
    f.start();
    const r = f.lastRequest();
    f.from(M1, { type: 'redirect', rid: r.rid, file: FILE, srv: SRV1, sid: SID, sk: SK });
    const out = f.from(SRV1, { type: 'setup', rid: f.lastRequest().rid, sid: SID, file: FILE, srv: SRV1, size: VIDEO.size, rate: VIDEO.rate, chunk: DATA_CHUNK, off: 0, offs: [0, 0], flows: [[VIDEO.name, VIDEO.size, VIDEO.rate], [AUDIO.name, AUDIO.size, AUDIO.rate]], cookie: new Uint8Array(8) });
    expect(ofType(out, 'play')).toMatchObject([{ to: SRV1, off: 0, offs: [0, 0] }]);
    return f;
  }

  const flowData = (f: ClientFixture, srv: string, fl: 0 | 1, i: number) => {
    const flow = fl === 0 ? VIDEO : AUDIO;
    const off = i * DATA_CHUNK;
    return f.from(srv, { type: 'data', sid: SID, seq: i, off, data: syntheticBytes(nameKey(flow.name), off, Math.min(DATA_CHUNK, flow.size - off)), ...(fl ? { fl } : {}) });
  };

  it('each flow is received and handed on by itself; acks per flow, with `fl`', () => {
    const f = multi();
    flowData(f, SRV1, 0, 0);
    flowData(f, SRV1, 1, 1);
    flowData(f, SRV1, 1, 0);
    const bytes = f.d.data.map((d) => [d.fl, d.off, d.data.length]);
    expect(bytes).toEqual([[0, 0, DATA_CHUNK], [1, 0, DATA_CHUNK], [1, DATA_CHUNK, DATA_CHUNK]]);
    const acks = ofType(f.d.advance(ACK_INTERVAL), 'ack');
    expect(acks).toMatchObject([{ next: DATA_CHUNK }, { fl: 1, next: 2 * DATA_CHUNK }]);
    expect(acks[0]!.fl).toBeUndefined();
  });

  // Regression: a complete flow other than flow 0 was never acknowledged again, so the server never
  // learnt that the whole item arrived and logged every two-flow stream complete=false.
  it('the last acks of a complete copy cover every flow, a complete one too (§5.2)', () => {
    const f = multi();
    for (let i = 0; i < 4; i++) flowData(f, SRV1, 1, i);
    expect(ofType(f.d.advance(ACK_INTERVAL), 'ack').map((a) => a.fl ?? 0)).toEqual([0]);
    const before = f.d.sent.length;
    for (let i = 0; i < 30; i++) flowData(f, SRV1, 0, i);
    const last = ofType(f.d.sent.slice(before), 'ack');
    expect(last.map((a) => [a.to, a.fl ?? 0, a.next])).toEqual([[SRV1, 0, VIDEO.size], [SRV1, 1, AUDIO.size]]);
    const types = f.d.sent.slice(before).map((x) => (x.msg?.type === 'ack' ? `ack ${x.msg.fl ?? 0}` : x.msg?.type));
    expect(types.indexOf('teardown')).toBeGreaterThan(types.indexOf('ack 1'));
    expect(f.client.result).toMatchObject({ ok: true });
  });

  it('a switch plays every flow at the new server from its own position; a complete flow is no longer acked', () => {
    const f = multi();
    for (let i = 0; i < 4; i++) flowData(f, SRV1, 1, i);
    for (let i = 0; i < 5; i++) flowData(f, SRV1, 0, i);
    const out = f.from(SRV1, switchTo(f));
    expect(ofType(out, 'play')).toMatchObject([{ to: SRV2, off: 5 * DATA_CHUNK, offs: [5 * DATA_CHUNK, AUDIO.size] }]);
    // Both servers hear what is missing while the old one still delivers (it can mend holes too);
    // the complete audio flow is acked to neither.
    const acks = ofType(f.d.advance(ACK_INTERVAL), 'ack');
    expect(acks.map((a) => [a.to, a.fl ?? 0])).toEqual([[SRV2, 0], [SRV1, 0]]);
    for (let i = 5; i < 30; i++) flowData(f, SRV2, 0, i);
    expect(f.client.result).toMatchObject({ ok: true, flows: [{ name: VIDEO.name, size: VIDEO.size, bytes: VIDEO.size }, { name: AUDIO.name, size: AUDIO.size, bytes: AUDIO.size }], handoffs: [{ from: SRV1, to: SRV2 }] });
  });
});

describe('client: regressions', () => {
  // A resumed stream's setup from the server the master had established it at names the position the
  // master computed, not the client's: the client dropped it as a "setup for other offsets", asked
  // again, and only resumed elsewhere once the master's handoff had timed out.
  for (const via of ['server', 'master'] as const) {
    it(`a resumed stream set up at other offsets (${via === 'server' ? 'redirect' : 'relayed'}) is played from the client's own position`, () => {
      const f = playingClient(via === 'master' ? { config: { mode: 'relay' } } : {});
      f.d.advance(SERVER_SILENCE_TIMEOUT);
      const ask = f.lastRequest();
      expect(ask).toMatchObject({ to: M1, prev: SID, off: 10 * DATA_CHUNK });
      if (via === 'server') f.from(M1, { type: 'redirect', rid: ask.rid, file: FILE, srv: SRV2, sid: SID, sk: SK });
      const out = f.setup(SRV2, SIZE, { sid: SID, off: 7 * DATA_CHUNK, ...(via === 'master' ? { via: M1 } : {}) });
      expect(ofType(out, 'play')).toMatchObject([{ to: SRV2, sid: SID, off: 10 * DATA_CHUNK }]);
      chunks(f, SRV2, 10, 1000);
      expect(f.collect()).toEqual([...expectedBytes(FILE, SIZE)]);
      expect(f.client.result).toMatchObject({ ok: true, servers: [SRV1, SRV2] });
    });
  }

  it('a new stream must still start where the client asked', () => {
    const f = new ClientFixture({ start: 5 * DATA_CHUNK });
    f.start();
    f.redirect(SRV1, 8);
    expect(ofType(f.setup(SRV1, SIZE, { sid: 8, off: 0 }), 'play')).toEqual([]);
    expect(f.client.dropped.get('unexpected-message')).toBe(1);
  });
});
