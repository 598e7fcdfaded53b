/**
 * Spoofing, on the cores (§9.2, §9.3, §10.5): with a cluster key, whoever does
 * not hold it — sending from any address, a role's own included, without a MAC
 * or with one under another key — cannot register a server, forge a load
 * report, a redirect, a setup, an establishment, a move, an order (drain,
 * capacity) or a control; stream tokens do not work after their expiry or from
 * another address; handoff tokens cannot be made without the stream key.
 */
import { describe, expect, it } from 'vitest';
import { ClusterAuth, handoffToken } from '../../src/protocol/auth.js';
import { encode, encodeWithMac } from '../../src/protocol/codec.js';
import { DATA_CHUNK, MAC_LENGTH, TOKEN_TTL } from '../../src/protocol/constants.js';
import type { Message, MessageOf } from '../../src/protocol/messages.js';
import { padded } from '../../src/protocol/padding.js';
import { Rng } from '../../src/protocol/rng.js';
import { MediaServer, type ServerCommand } from '../../src/roles/server/server.js';
import { nodeCrypto } from '../../src/platform/crypto.js';
import { ClientFixture, FILE, M1, SRV1, SRV2 } from '../helpers/clientFixture.js';
import { file, MasterFixture } from '../helpers/masterFixture.js';
import { Driver, KEY, ofType, testAuth, testDeps } from '../helpers/roleDriver.js';
import { syntheticReader } from '../helpers/simCluster.js';

const auth = testAuth();
const forger = new ClusterAuth('a guess at the key', nodeCrypto);
const ATTACKER = '10.6.6.6:666';
const CLIENT = '10.0.2.1:6000';

/** The ways to send a control message without the key: no MAC, a made-up MAC, a MAC under another key. */
const forgeries: [string, (m: Message, now: number) => Uint8Array][] = [
  ['without a MAC', (m) => encode(m)],
  ['with a made-up MAC', (m) => encodeWithMac(m, () => new Rng(7).bytes(MAC_LENGTH))],
  ['with a MAC under another key', (m, now) => forger.encode(m, now)],
];

describe('spoofing the master (cluster key set)', () => {
  const cluster = () => {
    const f = new MasterFixture({ key: KEY });
    f.addServer({ files: [file('movie.ts')] });
    f.addServer({ files: [file('movie.ts')] });
    return f;
  };

  for (const [how, forge] of forgeries) {
    it(`${how}: no server registers, from any address`, () => {
      const f = cluster();
      for (const from of [ATTACKER, '10.0.1.9:5000']) {
        const out = f.d.datagram(from, forge({ type: 'register', name: from, epoch: 1, cap: 1e9, group: 'g', files: 1, parts: 1, pad: new Uint8Array(100) }, f.d.now));
        expect(out).toEqual([]);
      }
      expect(f.master.serversView().map((s) => s.name).sort()).toEqual(['10.0.1.1:5000', '10.0.1.2:5000']);
    });

    it(`${how}: a load report from a server's own address changes nothing (no drain, no overload, no handoff)`, () => {
      const f = cluster();
      const s = f.servers[0]!;
      f.redirectedTo(CLIENT, 'movie.ts');
      for (const state of ['draining', 'overloaded'] as const) {
        f.d.datagram(s.addr, forge({ type: 'load', name: s.addr, epoch: s.epoch, cookie: s.cookie, seq: 0, streams: 0, bw: 2e9, sent: 0, cap: 1, sids: [], state }, f.d.now));
      }
      expect(f.master.serverView(s.addr)!.state).toBe('up');
      expect(f.d.eventsOf('handoff-start')).toEqual([]);
      expect(f.d.sent.filter((x) => x.msg?.type === 'establish')).toEqual([]);
    });

    it(`${how}: a setup from a server's address is not relayed to a client`, () => {
      const f = new MasterFixture({ key: KEY, config: { mode: 'relay' } });
      const s = f.addServer({ files: [file('movie.ts')] });
      f.ask(CLIENT, 'movie.ts');
      const forward = ofType(f.d.sent, 'forward')[0]!;
      const out = f.d.datagram(s.addr, forge({ type: 'setup', rid: forward.rid, sid: forward.sid, file: 'movie.ts', srv: s.addr, size: 1, rate: 1, chunk: DATA_CHUNK, off: 0, cookie: new Uint8Array(8) }, f.d.now));
      expect(out.filter((x) => x.to === CLIENT)).toEqual([]);
      // The genuine one still is.
      const genuine = f.d.control(s.addr, { type: 'setup', rid: forward.rid, sid: forward.sid, file: 'movie.ts', srv: s.addr, size: 1_000_000, rate: 4_000_000, chunk: DATA_CHUNK, off: 0, cookie: new Uint8Array(8) }, auth);
      expect(ofType(genuine, 'setup').map((x) => x.to)).toEqual([CLIENT]);
    });

    it(`${how}: a control (drain, handoff, capacity) is not obeyed, nor answered`, () => {
      const f = cluster();
      const s = f.servers[0]!;
      const ops: MessageOf<'control'>[] = [
        { type: 'control', rid: 1, op: 'drain', srv: s.addr },
        { type: 'control', rid: 2, op: 'capacity', srv: s.addr, cap: 1 },
        { type: 'control', rid: 3, op: 'handoff', sid: 1 },
      ];
      for (const m of ops) expect(f.d.datagram(ATTACKER, forge(padded(m), f.d.now))).toEqual([]);
      expect(f.d.sent.filter((x) => x.msg?.type === 'order')).toEqual([]);
      expect(f.d.eventsOf('order')).toEqual([]);
    });

    it(`${how}: a server cannot be made to leave, nor its status read`, () => {
      const f = cluster();
      const s = f.servers[0]!;
      f.d.datagram(s.addr, forge({ type: 'leave', name: s.addr, epoch: s.epoch, cookie: s.cookie }, f.d.now));
      expect(f.master.serverView(s.addr)).toBeDefined();
      expect(f.d.datagram(ATTACKER, forge(padded({ type: 'status-request', rid: 1, what: 'servers', from: 0 }), f.d.now))).toEqual([]);
    });
  }

  it('a redirect whose token is made without the key is worth nothing: the server refuses it', () => {
    const s = registeredServer();
    const exp = Math.floor(s.now) + TOKEN_TTL;
    const tok = forger.token({ client: CLIENT, file: 'movie.ts', server: SERVER, sid: 5, exp });
    const out = s.datagram(CLIENT, padded({ type: 'request', rid: 1, file: 'movie.ts', sid: 5, tok, exp }));
    expect(ofType(out, 'error').map((e) => e.code)).toEqual(['bad-token']);
    expect(s.role.streamCount()).toBe(0);
  });
});

const MASTER = '10.0.0.1:4000';
const SERVER = '10.0.1.1:5000';

function registeredServer(): Driver<ServerCommand, MediaServer> {
  const d = new Driver<ServerCommand, MediaServer>(new MediaServer(testDeps(2, KEY), { name: SERVER, masters: [MASTER], group: 'g', cap: 1e9, files: [{ name: 'movie.ts', size: 5_000_000, rate: 4_000_000 }] }, syntheticReader()));
  d.command({ type: 'start' });
  const content = ofType(d.control(MASTER, { type: 'register-ack', name: SERVER, epoch: d.role.epoch, cookie: new Uint8Array(8).fill(3), interval: 1000 }, auth), 'content');
  for (const c of content) d.control(MASTER, { type: 'content-ack', epoch: d.role.epoch, part: c.part }, auth);
  expect(d.role.state).toBe('registered');
  return d;
}

function requestWithToken(d: Driver<ServerCommand, MediaServer>, o: { from?: string; boundTo?: string; sid?: number; exp?: number } = {}) {
  const sid = o.sid ?? 5;
  const exp = o.exp ?? Math.floor(d.now) + TOKEN_TTL;
  const tok = auth.token({ client: o.boundTo ?? o.from ?? CLIENT, file: 'movie.ts', server: SERVER, sid, exp });
  return d.datagram(o.from ?? CLIENT, padded({ type: 'request', rid: sid, file: 'movie.ts', sid, tok, exp }));
}

function playing(d: Driver<ServerCommand, MediaServer>): MessageOf<'setup'> {
  const setup = ofType(requestWithToken(d), 'setup')[0]!;
  d.datagram(CLIENT, { type: 'play', sid: setup.sid, cookie: setup.cookie, off: 0 });
  expect(d.role.streamView(setup.sid)?.state).toBe('playing');
  return setup;
}

describe('spoofing a media server (cluster key set)', () => {
  for (const [how, forge] of forgeries) {
    it(`${how}, even from the master's address: no establishment, move, order, drain or forward is obeyed`, () => {
      const d = registeredServer();
      const setup = playing(d);
      const before = d.sent.length;
      const forged: Message[] = [
        { type: 'establish', rid: 1, sid: 99, file: 'movie.ts', client: ATTACKER, npt: 0, scale: 1000, why: 'failure' },
        { type: 'forward', rid: 2, file: 'movie.ts', client: ATTACKER, sid: 98, off: 0 },
        { type: 'move', sid: setup.sid, srv: SRV2, cookie: new Uint8Array(8), off: 0, npt: 0, scale: 1000, tok: new Uint8Array(16), exp: Math.floor(d.now) + 10_000, why: 'drain' },
        { type: 'order', op: 'drain' },
        { type: 'order', op: 'capacity', cap: 1 },
        { type: 'poll', seq: 7 },
      ];
      for (const from of [MASTER, ATTACKER]) for (const m of forged) d.datagram(from, forge(m, d.now));
      const answers = d.sent.slice(before).filter((x) => x.msg?.type !== 'data');
      expect(answers.map((x) => x.msg?.type)).toEqual([]);
      expect(d.role.streamCount()).toBe(1);
      expect(d.role.drainingSince).toBeUndefined();
      expect(d.role.cap).toBe(1e9);
      expect(d.eventsOf('stream-move')).toEqual([]);
    });
  }

  it('a stream token does not work after its expiry', () => {
    const d = registeredServer();
    const exp = Math.floor(d.now) + TOKEN_TTL;
    d.advance(TOKEN_TTL);
    expect(ofType(requestWithToken(d, { exp }), 'error').map((e) => e.code)).toEqual(['token-expired']);
    expect(d.role.streamCount()).toBe(0);
  });

  it('a stream token does not work from another address than the client it was issued to', () => {
    const d = registeredServer();
    expect(ofType(requestWithToken(d, { from: ATTACKER, boundTo: CLIENT }), 'error').map((e) => e.code)).toEqual(['bad-token']);
    expect(d.role.streamCount()).toBe(0);
    // The client it was issued to is served.
    expect(ofType(requestWithToken(d, { from: CLIENT }), 'setup')).toHaveLength(1);
  });

  it('a stream set up for one address cannot be played from another, cookie or not', () => {
    const d = registeredServer();
    const setup = ofType(requestWithToken(d), 'setup')[0]!;
    d.datagram(ATTACKER, { type: 'play', sid: setup.sid, cookie: setup.cookie, off: 0 });
    expect(d.role.streamView(setup.sid)?.state).not.toBe('playing');
    expect(d.sent.filter((x) => x.to === ATTACKER && x.msg?.type === 'data')).toEqual([]);
  });
});

describe('spoofing a client: handoff tokens cannot be made without the stream key (§10.5)', () => {
  const SK = new Uint8Array(16).fill(0x42);
  const SIZE = 100 * DATA_CHUNK;

  it('a thousand switches with guessed tokens and keys, from the current server\'s address: none is taken', () => {
    const f = new ClientFixture();
    f.start();
    f.from(M1, { type: 'redirect', rid: f.lastRequest().rid, file: FILE, srv: SRV1, sid: 21, sk: SK });
    f.setup(SRV1, SIZE, { sid: 21 });
    for (let i = 0; i < 5; i++) f.data(SRV1, 21, i * DATA_CHUNK, SIZE, i + 1);
    expect(f.client.state).toBe('playing');
    const rng = new Rng(11);
    for (let i = 0; i < 1_000; i++) {
      const exp = Math.floor(f.d.now) + 10_000;
      const tok = i % 2 === 0 ? rng.bytes(16) : handoffToken(nodeCrypto, rng.bytes(16), 21, SRV2, exp);
      const out = f.from(SRV1, { type: 'switch', sid: 21, srv: SRV2, cookie: new Uint8Array(8), off: 0, npt: 0, scale: 1000, tok, exp, why: 'drain' });
      expect(ofType(out, 'play')).toEqual([]);
    }
    expect(f.d.eventsOf('switch')).toEqual([]);
    expect(f.client.state).toBe('playing');
    // The genuine one is taken.
    const exp = Math.floor(f.d.now) + 10_000;
    const out = f.from(SRV1, { type: 'switch', sid: 21, srv: SRV2, cookie: new Uint8Array(8), off: 0, npt: 0, scale: 1000, tok: handoffToken(nodeCrypto, SK, 21, SRV2, exp), exp, why: 'drain' });
    expect(ofType(out, 'play').map((p) => p.to)).toEqual([SRV2]);
  });
});
