import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encode, encodeWithMac } from '../../src/protocol/codec.js';
import { AUTH_MAX_SKEW, MAC_LENGTH, VERSION_ERROR_INTERVAL } from '../../src/protocol/constants.js';
import type { Message, MessageOf } from '../../src/protocol/messages.js';
import { padded } from '../../src/protocol/padding.js';
import { arbMessageOf } from '../helpers/arbitraries.js';
import { FakeServer } from '../helpers/fakeServer.js';
import { file, MasterFixture, RATE } from '../helpers/masterFixture.js';
import { envelope } from '../helpers/msgpack.js';
import { KEY, ofType, testAuth } from '../helpers/roleDriver.js';

const VICTIM = '10.0.9.9:9999';

function keyed() {
  const f = new MasterFixture({ key: KEY, config: { mode: 'relay' } });
  const s = f.addServer({ files: [file('B')] });
  return { f, s };
}

describe('master: with a cluster key, unauthenticated control messages are dropped and counted (§9.2)', () => {
  const cookie = new Uint8Array(8);
  const forms: [string, (m: Message, now: number) => Uint8Array, string][] = [
    ['without a MAC', (m) => encode({ ...m, at: 1 } as Message), 'missing-mac'],
    ['with a MAC under another key', (m, now) => testAuth('wrong key').encode(m, now), 'bad-mac'],
    ['with a forged MAC', (m) => encodeWithMac(m, () => new Uint8Array(MAC_LENGTH).fill(1)), 'bad-mac'],
    ['stale', (m, now) => testAuth().encode(m, now - AUTH_MAX_SKEW - 1), 'stale-auth'],
  ];
  for (const [how, make, code] of forms) {
    it(`register, content, load, leave, setup, error and status-request ${how}: ${code}`, () => {
      const { f, s } = keyed();
      // A relayed request is out, so a forged setup or error would have something to answer.
      const fw = ofType(f.d.datagram('10.0.2.1:6000', padded({ type: 'request', rid: 1, file: 'B' })), 'forward')[0]!;
      const before = f.d.sent.length;
      const msgs: [string, Message][] = [
        ['10.0.1.7:5000', { type: 'register', name: '10.0.1.7:5000', epoch: 1, cap: 1e9, group: 'g', files: 1, parts: 1 }],
        [s.addr, { type: 'content', name: s.addr, epoch: s.epoch, cookie: s.cookie, part: 0, parts: 1, files: [['evil', 1, 1]] }],
        [s.addr, { type: 'load', name: s.addr, epoch: s.epoch, cookie: s.cookie, seq: 0, streams: 0, bw: 99e9, sent: 0, cap: 1, sids: [] }],
        [s.addr, { type: 'leave', name: s.addr, epoch: s.epoch, cookie: s.cookie }],
        [s.addr, { type: 'setup', rid: fw.rid, sid: fw.sid, file: 'B', srv: '10.6.6.6:1', size: 1, rate: 1, chunk: 1100, off: 0, cookie }],
        [s.addr, { type: 'error', rid: fw.rid, code: 'no-capacity', msg: 'x' }],
        ['10.0.3.1:7000', { type: 'status-request', rid: 1, what: 'summary', from: 0, pad: new Uint8Array(600) }],
      ];
      for (const [from, m] of msgs) f.d.datagram(from, make(m, f.d.now));
      expect(f.d.sent.slice(before)).toEqual([]);
      expect(f.master.dropped.get(code)).toBe(msgs.length);
      // Nothing changed: the server is still up with its real load, the catalog has no "evil".
      expect(f.master.serverView(s.addr)!.state).toBe('up');
      expect(f.master.serverView(s.addr)!.bw).toBe(0);
      expect(f.master.serverView('10.0.1.7:5000')).toBeUndefined();
      expect(f.master.catalog.holders('evil')).toBeUndefined();
      expect(f.d.eventsOf('dropped').filter((e) => e.code === code)).toHaveLength(msgs.length);
    });
  }

  it('client requests need no MAC', () => {
    const { f } = keyed();
    expect(ofType(f.d.datagram('10.0.2.1:6000', padded({ type: 'request', rid: 1, file: 'B' })), 'forward')).toHaveLength(1);
  });
});

describe('master: address validation of servers (§9.4)', () => {
  for (const key of [undefined, KEY]) {
    it(`a register from an address that never proves it receives gets at most as many bytes as it sent, and no polls${key ? ' (key set)' : ''}`, () => {
      const f = new MasterFixture({ key, config: { pollInterval: 200 } });
      f.addServer({ files: [file('B')] });
      // Someone sends a register in the victim's name, and repeats it now and then.
      const forged = new FakeServer(f.d, { addr: VICTIM, files: [file('B')], cap: 1e9, auth: f.auth });
      for (let i = 0; i < 10; i++) {
        forged.register();
        f.d.advance(1000);
      }
      const toVictim = f.sentTo(VICTIM);
      expect(toVictim.every((s) => s.msg?.type === 'register-ack')).toBe(true);
      expect(f.d.bytesTo.get(VICTIM) ?? 0).toBeLessThanOrEqual(f.d.bytesFrom.get(VICTIM)!);
      expect(ofType(f.d.sent, 'poll').filter((p) => p.to === VICTIM)).toHaveLength(0);
      // The real server keeps being polled.
      expect(ofType(f.d.sent, 'poll').filter((p) => p.to === '10.0.1.1:5000').length).toBeGreaterThan(20);
    });
  }

  it('the cookie from register-ack, echoed in content, is what validates a server', () => {
    const f = new MasterFixture({ config: { pollInterval: 200 } });
    const s = new FakeServer(f.d, { addr: '10.0.1.1:5000', files: [file('B')] });
    s.register();
    expect(ofType(f.d.advance(250), 'poll')).toHaveLength(0);
    s.cookie = new Uint8Array(8).fill(0xaa);
    s.content(0);
    expect(ofType(f.d.advance(250), 'poll')).toHaveLength(0);
    s.cookie = ofType(f.sentTo(s.addr), 'register-ack')[0]!.cookie;
    s.content(0);
    expect(ofType(f.d.advance(1000), 'poll').length).toBeGreaterThan(0);
  });

  it('a registration that never echoes its cookie is forgotten, and a late echo no longer counts', () => {
    const f = new MasterFixture({ config: { pollInterval: 200 } });
    const s = new FakeServer(f.d, { addr: '10.0.1.1:5000', files: [file('B')] });
    const cookie = ofType(s.register(), 'register-ack')[0]!.cookie;
    f.d.advance(2000); // MISSED_POLLS_DOWN intervals and more
    s.cookie = cookie;
    expect(ofType(s.content(0), 'error').map((e) => e.code)).toEqual(['not-registered']);
    expect(ofType(f.d.advance(1000), 'poll')).toHaveLength(0);
  });

  it('a replayed register from another address does not knock the working server out', () => {
    const f = new MasterFixture();
    const s = f.addServer({ files: [file('B')] });
    // Same name and epoch, another source address (a replay): only a candidate; the server stays.
    const out = f.d.datagram('10.9.9.9:5000', { type: 'register', name: s.addr, epoch: s.epoch, cap: 1, group: 'default', files: 1, parts: 1 });
    expect(ofType(out, 'register-ack')).toHaveLength(1);
    expect(f.master.serverView(s.addr)?.addr).toBe(s.addr);
    expect(f.redirectedTo('10.0.2.1:6000', 'B')).toBe(s.addr);
  });
});

describe('master: anti-amplification towards clients (§9.4)', () => {
  const CLIENT = '10.0.2.50:6000';
  const CLIENT_BYTES = fc.oneof(
    arbMessageOf('request', { maxItems: 3, maxBytes: 30 }).map((m) => encode({ ...m, file: ['B', 'C', 'nope'][(m as MessageOf<'request'>).rid % 3]! } as Message)),
    arbMessageOf('request', { maxItems: 3, maxBytes: 30 }).map((m) => encode(padded({ ...(m as Extract<Message, { type: 'request' }>), file: 'B', pad: undefined }))),
    arbMessageOf('status-request', { maxBytes: 30 }).map((m) => encode(m)),
    fc.uint8Array({ maxLength: 40 }),
    fc.constantFrom(envelope(2, 1, { rid: 1 }), envelope(0, 1, {}), envelope(9, 9, 9)),
    fc.constant(encode({ type: 'request', rid: 1, file: 'B', mode: 'list' })),
    fc.constant(encode({ type: 'request', rid: 2, file: 'B', mode: 'relay' })),
  );

  for (const key of [undefined, KEY]) {
    it(`any sequence of datagrams from an unvalidated address gets no more bytes than it sent${key ? ' (key set)' : ''}`, () => {
      fc.assert(
        fc.property(fc.array(CLIENT_BYTES, { minLength: 1, maxLength: 25 }), fc.array(fc.nat(3000), { minLength: 25, maxLength: 25 }), (datagrams, gaps) => {
          const f = new MasterFixture({ key });
          for (let i = 0; i < 3; i++) f.addServer({ files: [file('B'), file('C', 10, 1e12)] });
          f.servers[0]!.load({ bw: 100_000_000 - RATE });
          datagrams.forEach((bytes, i) => {
            const out = f.d.datagram(CLIENT, bytes);
            // Servers answer forwards at once, so relayed setups go out too.
            for (const fw of ofType(out, 'forward')) {
              f.d.control(fw.to, { type: 'setup', rid: fw.rid, sid: fw.sid, file: fw.file, srv: fw.to, size: 10, rate: RATE, chunk: 1100, off: fw.off, cookie: new Uint8Array(8) }, f.auth);
            }
            f.d.advance(gaps[i]!);
            const sent = f.d.bytesTo.get(CLIENT) ?? 0;
            const received = f.d.bytesFrom.get(CLIENT)!;
            if (sent > received) throw new Error(`after ${i + 1} datagrams: sent ${sent} bytes for ${received} received`);
          });
        }),
        { numRuns: 150, seed: 31 },
      );
    });
  }

  it('an unknown version is answered with the supported versions when the budget allows, and only then', () => {
    const f = new MasterFixture();
    const small = envelope(2, 1, {});
    expect(f.d.datagram(CLIENT, small)).toHaveLength(0);
    expect(f.master.dropped.get('amplification-limit')).toBe(1);
    const big = envelope(2, 1, { pad: new Uint8Array(200) });
    const out = f.d.datagram(CLIENT, big);
    expect(out).toHaveLength(1);
    expect(out[0]!.msg).toMatchObject({ type: 'error', code: 'unknown-version', versions: [1] });
    expect(f.master.dropped.get('unknown-version')).toBe(2);
    // Two peers with no version in common must not keep answering each other: once per interval.
    expect(f.d.datagram(CLIENT, big)).toHaveLength(0);
    f.d.advance(VERSION_ERROR_INTERVAL);
    expect(ofType(f.d.datagram(CLIENT, big), 'error')).toHaveLength(1);
  });
});
