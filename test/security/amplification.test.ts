/**
 * Amplification (§9.4), measured: every role, with and without a cluster key,
 * is sent every message type (plain, with a made-up MAC, with a genuine MAC;
 * padded where senders pad) and every input that draws an error reply, each
 * from a fresh address that never proves it receives, then runs its timers on.
 * For each, bytes sent to that address ÷ bytes received from it must be at
 * most AMPLIFICATION_RATIO. The table of ratios, worst first, is printed.
 */
import { describe, expect, it } from 'vitest';
import { ClusterAuth } from '../../src/protocol/auth.js';
import { decode, encode, encodeWithMac, packPlain } from '../../src/protocol/codec.js';
import { AMPLIFICATION_RATIO, DATA_CHUNK, MAC_LENGTH, TOKEN_TTL } from '../../src/protocol/constants.js';
import { ERRORS, type ErrorCode } from '../../src/protocol/errors.js';
import { type Message, MESSAGES, type MessageOf, type MessageType } from '../../src/protocol/messages.js';
import { padded } from '../../src/protocol/padding.js';
import { Client, type ClientCommand } from '../../src/roles/client/client.js';
import { Master, type MasterCommand } from '../../src/roles/master/master.js';
import { Portal, type PortalCommand } from '../../src/roles/portal/portal.js';
import type { Role, RoleEvent } from '../../src/roles/role.js';
import { MediaServer, type ServerCommand } from '../../src/roles/server/server.js';
import { FakeServer } from '../helpers/fakeServer.js';
import { Driver, KEY, testAuth, testDeps } from '../helpers/roleDriver.js';
import { SAMPLES } from '../helpers/sampleMessages.js';
import { syntheticReader } from '../helpers/simCluster.js';
import { nodeCrypto } from '../../src/platform/crypto.js';

type AnyDriver = Driver<unknown, Role<unknown, RoleEvent>>;

/** A role in a working state, and what a genuine request to it looks like. */
interface Subject {
  readonly name: string;
  readonly key: boolean;
  build(): AnyDriver;
  /** Inputs beyond the message samples: name → datagram(s), given the sender's address and the driver. */
  readonly extra: Readonly<Record<string, (from: string, d: AnyDriver) => Uint8Array[]>>;
  /** What the role's peers answer after the inputs (a server answering the master's forwards). */
  respond?(d: AnyDriver): void;
}

const MASTER = '10.0.0.1:4000';
const SERVER = '10.0.1.1:5000';
const CLIENT_SERVER = SERVER;
const wrongKey = new ClusterAuth('not the cluster key', nodeCrypto);

function masterSubject(key: boolean, mode: 'redirect' | 'relay'): Subject {
  const auth = key ? testAuth() : undefined;
  const request = (m: Partial<MessageOf<'request'>>) => encode(padded({ type: 'request', rid: 9, file: 'movie.ts', ...m } as MessageOf<'request'>));
  const keyed = (m: Message, d: AnyDriver) => (auth ? auth.encode(m, d.now) : encode(m));
  /** Forwards already answered, per role instance (each case builds its own). */
  const answeredBy = new WeakMap<AnyDriver, Set<number>>();
  return {
    name: `master ${mode}${key ? ' key' : ''}`,
    key,
    build: () => {
      const d = new Driver<MasterCommand, Master>(new Master(testDeps(1, key ? KEY : undefined), { mode }));
      d.command({ type: 'start' });
      new FakeServer(d, { addr: SERVER, files: [['movie.ts', 1_000_000, 4_000_000], ['huge.ts', 1_000_000, 900_000_000]], cap: 100_000_000, ...(auth ? { auth } : {}) }).join();
      return d as unknown as AnyDriver;
    },
    // In relay mode the server answers every forward with its setup, which the master relays; in
    // redirect mode it never does, so a relayed request ends in an error once the master gives up.
    respond: mode === 'redirect' ? undefined : (d) => {
      const answered = answeredBy.get(d) ?? new Set<number>();
      answeredBy.set(d, answered);
      for (const s of d.sent) {
        if (s.to !== SERVER || s.msg?.type !== 'forward') continue;
        const f = s.msg as MessageOf<'forward'>;
        if (answered.has(f.rid)) continue;
        answered.add(f.rid);
        d.control(SERVER, { type: 'setup', rid: f.rid, sid: f.sid, file: f.file, srv: SERVER, size: 1_000_000, rate: 4_000_000, chunk: DATA_CHUNK, off: 0, cookie: new Uint8Array(8).fill(4) }, auth);
      }
    },
    extra: {
      'request (padded)': () => [request({})],
      'request (unpadded)': () => [encode({ type: 'request', rid: 9, file: 'movie.ts' })],
      'request, repeated ×3 (answer cache)': () => [request({}), request({}), request({})],
      'request list (padded)': () => [request({ mode: 'list' })],
      'request relay (padded)': () => [request({ mode: 'relay' })],
      'request unknown file': () => [request({ file: 'nothing.ts' })],
      'request beyond capacity': () => [request({ file: 'huge.ts' })],
      'request resuming an unknown stream': () => [request({ prev: 424242 })],
      'register (padded, genuine MAC)': (_f, d) => [keyed({ type: 'register', name: '10.9.9.9:1', epoch: 5, cap: 1, group: 'g', files: 0, parts: 1, pad: new Uint8Array(150) }, d)],
      'load from an unknown server': (_f, d) => [keyed({ type: 'load', name: '10.9.9.9:1', epoch: 5, cookie: new Uint8Array(8), seq: 1, streams: 0, bw: 0, sent: 0, cap: 1, sids: [] }, d)],
      'content from an unknown server': (_f, d) => [keyed({ type: 'content', name: '10.9.9.9:1', epoch: 5, cookie: new Uint8Array(8), part: 0, parts: 1, files: [] }, d)],
      'status-request summary (padded, genuine MAC)': (_f, d) => [keyed(padded({ type: 'status-request', rid: 1, what: 'summary', from: 0 }, undefined, (m) => keyed(m, d)), d)],
      'status-request sessions (unpadded, genuine MAC)': (_f, d) => [keyed({ type: 'status-request', rid: 1, what: 'servers', from: 0 }, d)],
      'control drain (padded, genuine MAC)': (_f, d) => [keyed(padded({ type: 'control', rid: 1, op: 'drain', srv: 'nobody' }, undefined, (m) => keyed(m, d)), d)],
      'control (unpadded, genuine MAC)': (_f, d) => [keyed({ type: 'control', rid: 1, op: 'handoff', sid: 5 }, d)],
      'subscribe (padded, genuine MAC)': (_f, d) => [keyed({ type: 'subscribe', rid: 1, since: 0, pad: new Uint8Array(900) } as Message, d)],
      'subscribe (unpadded, genuine MAC)': (_f, d) => [keyed({ type: 'subscribe', rid: 1, since: 0 } as Message, d)],
    },
  };
}

function serverSubject(key: boolean): Subject {
  const auth = key ? testAuth() : undefined;
  const request = (from: string, d: AnyDriver, m: Partial<MessageOf<'request'>> = {}, token: 'good' | 'bad' | 'expired' | 'none' = 'good') => {
    const sid = m.sid ?? 77;
    const exp = Math.floor(d.now) + (token === 'expired' ? -1 : TOKEN_TTL);
    const file = m.file ?? 'movie.ts';
    const tok = !auth || token === 'none' ? {} : { tok: token === 'bad' ? new Uint8Array(16) : auth.token({ client: from, file, server: SERVER, sid, exp }), exp };
    return encode(padded({ type: 'request', rid: 3, file, sid, ...tok, ...m } as MessageOf<'request'>));
  };
  return {
    name: `server${key ? ' key' : ''}`,
    key,
    build: () => {
      const d = new Driver<ServerCommand, MediaServer>(new MediaServer(testDeps(2, key ? KEY : undefined), { name: SERVER, masters: [MASTER], group: 'g', cap: 1e9, files: [{ name: 'movie.ts', size: 5_000_000, rate: 4_000_000 }] }, syntheticReader()));
      d.command({ type: 'start' });
      const content = d.control(MASTER, { type: 'register-ack', name: SERVER, epoch: d.role.epoch, cookie: new Uint8Array(8).fill(3), interval: 1000 }, auth).filter((s) => s.msg?.type === 'content');
      for (const c of content) d.control(MASTER, { type: 'content-ack', epoch: d.role.epoch, part: (c.msg as MessageOf<'content'>).part }, auth);
      return d as unknown as AnyDriver;
    },
    extra: {
      'request (padded, token)': (from, d) => [request(from, d)],
      'request (unpadded, token)': (from, d) => [encode({ ...(decodeMsg(request(from, d)) as MessageOf<'request'>), pad: undefined })],
      'request, repeated ×3': (from, d) => [request(from, d), request(from, d), request(from, d)],
      'request, token for another address': (_from, d) => [request('10.1.1.1:1', d)],
      'request, made-up token': (from, d) => [request(from, d, {}, 'bad')],
      'request, expired token': (from, d) => [request(from, d, {}, 'expired')],
      'request, no token': (from, d) => [request(from, d, {}, 'none')],
      'request, no sid': () => [encode(padded({ type: 'request', rid: 3, file: 'movie.ts' }))],
      'request, unknown file': (from, d) => [request(from, d, { file: 'nothing.ts' })],
      'request then play with a wrong cookie': (from, d) => [request(from, d), encode({ type: 'play', sid: 77, cookie: new Uint8Array(8), off: 0 })],
      'play for an unknown stream': () => [encode({ type: 'play', sid: 999, cookie: new Uint8Array(8), off: 0 })],
      'request then play for an unknown stream → unknown-stream': (from, d) => [request(from, d), encode({ type: 'play', sid: 999, cookie: new Uint8Array(8), off: 0 })],
      'adjust for an unknown stream': () => [encode({ type: 'adjust', sid: 999, n: 1, scale: 2000 })],
    },
  };
}

/** The message an encoded datagram holds (to re-encode it changed). */
function decodeMsg(bytes: Uint8Array): Message {
  const d = decode(bytes);
  if (!d.ok) throw new Error('undecodable');
  return d.msg;
}

function clientSubject(): Subject {
  return {
    name: 'client',
    key: false,
    build: () => {
      const d = new Driver<ClientCommand, Client>(new Client(testDeps(3), { masters: [MASTER], file: 'movie.ts', choose: { by: 'random' } }));
      d.command({ type: 'start' });
      const req = d.sent.find((s) => s.msg?.type === 'request')!.msg as MessageOf<'request'>;
      d.datagram(MASTER, { type: 'redirect', rid: req.rid, file: 'movie.ts', srv: CLIENT_SERVER, sid: 11 });
      const r2 = [...d.sent].reverse().find((s) => s.msg?.type === 'request')!.msg as MessageOf<'request'>;
      d.datagram(CLIENT_SERVER, { type: 'setup', rid: r2.rid, sid: 11, file: 'movie.ts', srv: CLIENT_SERVER, size: 100_000, rate: 4_000_000, chunk: DATA_CHUNK, off: 0, cookie: new Uint8Array(8).fill(1) });
      return d as unknown as AnyDriver;
    },
    extra: {},
  };
}

/** A portal (§12.3) whose masters are up: it refers a request, or passes it on (with a key). */
function portalSubject(mode: 'refer' | 'forward'): Subject {
  const auth = testAuth();
  return {
    name: `portal ${mode}`,
    key: true,
    build: () => {
      const d = new Driver<PortalCommand, Portal>(new Portal(testDeps(4, KEY), { masters: [MASTER], policy: 'priority', mode }));
      d.command({ type: 'start' });
      const poll = d.sent.find((x) => x.msg?.type === 'status-request')!.msg as MessageOf<'status-request'>;
      d.datagram(MASTER, auth.encode({ type: 'status', rid: poll.rid, what: 'summary', total: 1, from: 0, summary: { servers: 1, up: 1, files: 1, sessions: 0, bw: 0, cap: 1e9, requests: 0, policy: 'p', mode: 'redirect', uptime: 1 } }, d.now));
      return d as unknown as AnyDriver;
    },
    extra: {},
  };
}

const subjects: Subject[] = [masterSubject(true, 'redirect'), masterSubject(false, 'redirect'), masterSubject(true, 'relay'), serverSubject(true), serverSubject(false), clientSubject(), portalSubject('refer'), portalSubject('forward')];

/** Every message type: plain, with a made-up MAC, and (for the types that carry one) with a genuine MAC. */
function sampleInputs(): Record<string, (from: string, d: AnyDriver) => Uint8Array[]> {
  const out: Record<string, (from: string, d: AnyDriver) => Uint8Array[]> = {};
  const auth = testAuth();
  for (const type of Object.keys(MESSAGES) as MessageType[]) {
    const m = SAMPLES[type] as Message;
    out[`${type}`] = () => [encode(m)];
    out[`${type} (made-up MAC)`] = () => [encodeWithMac(m, () => new Uint8Array(MAC_LENGTH).fill(9))];
    out[`${type} (wrong key)`] = (_f, d) => [wrongKey.encode(m, d.now)];
    if (MESSAGES[type].auth !== 'none') out[`${type} (genuine MAC)`] = (_f, d) => [auth.encode(m, d.now)];
  }
  out['unknown version (padded)'] = () => [packPlain([2, 1, { rid: 1, file: 'movie.ts', pad: new Uint8Array(1100) }])];
  out['unknown version (tiny)'] = () => [packPlain([9, 1, {}])];
  out['random bytes'] = () => [Uint8Array.from({ length: 300 }, (_, i) => (i * 97 + 13) & 0xff)];
  out['truncated request'] = () => [encode(padded({ type: 'request', rid: 1, file: 'movie.ts' })).subarray(0, 40)];
  out['empty datagram'] = () => [new Uint8Array(0)];
  return out;
}

interface Row {
  readonly role: string;
  readonly input: string;
  readonly answers: string;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly ratio: number;
}

function measure(): Row[] {
  const rows: Row[] = [];
  const samples = sampleInputs();
  let n = 0;
  for (const s of subjects) {
    for (const [input, make] of [...Object.entries(samples), ...Object.entries(s.extra)]) {
      const d = s.build();
      n++;
      const from = `10.9.${(n >> 8) & 255}.${n & 255}:${4000 + (n % 1000)}`;
      const before = d.sent.length;
      for (const bytes of make(from, d)) d.datagram(from, bytes);
      s.respond?.(d);
      d.advance(10_000);
      const answers = d.sent.slice(before).filter((x) => x.to === from);
      const kinds = answers.map((a) => (a.msg?.type === 'error' ? `error ${(a.msg as MessageOf<'error'>).code}` : (a.msg?.type ?? 'undecodable')));
      const bytesIn = d.bytesFrom.get(from) ?? 0;
      const bytesOut = d.bytesTo.get(from) ?? 0;
      rows.push({ role: s.name, input, answers: [...new Set(kinds)].join(', ') || '—', bytesIn, bytesOut, ratio: bytesIn > 0 ? bytesOut / bytesIn : bytesOut > 0 ? Infinity : 0 });
    }
  }
  return rows.sort((a, b) => b.ratio - a.ratio || a.role.localeCompare(b.role));
}

function printTable(rows: readonly Row[]): void {
  const header = ['ratio', 'role', 'input', 'bytes in', 'bytes out', 'answers'];
  const lines = rows.map((r) => [r.ratio.toFixed(3), r.role, r.input, String(r.bytesIn), String(r.bytesOut), r.answers]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cols: string[]) => cols.map((c, i) => (i === cols.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  console.log(['Amplification toward unvalidated senders, worst first (bytes sent ÷ bytes received):', fmt(header), ...lines.map(fmt)].join('\n'));
}

describe('amplification toward unvalidated senders (§9.4)', () => {
  const rows = measure();

  it('every message type and every error reply, to every role, from a fresh address: bytes sent ÷ bytes received ≤ 1', () => {
    printTable(rows);
    const worst = rows[0]!;
    expect(worst.ratio, `${worst.role}, ${worst.input}: ${worst.bytesOut} bytes out for ${worst.bytesIn} in`).toBeLessThanOrEqual(AMPLIFICATION_RATIO);
    for (const r of rows) expect(r.ratio, `${r.role}: ${r.input}`).toBeLessThanOrEqual(AMPLIFICATION_RATIO);
  });

  it('the measurement reaches the answers it is about: every reply an unvalidated sender can draw was drawn', () => {
    const drawn = new Set(rows.flatMap((r) => r.answers.split(', ')));
    expect(rows.some((r) => r.role.startsWith('master relay') && r.answers.includes('setup')), 'a setup relayed by the master').toBe(true);
    for (const answer of ['redirect', 'server-list', 'setup', 'register-ack', 'status', 'control-result', 'subscribe-ack', 'refer']) expect(drawn, answer).toContain(answer);
    const codes: ErrorCode[] = ['unknown-version', 'bad-request', 'not-found', 'no-capacity', 'bad-token', 'token-expired', 'bad-cookie', 'unknown-stream', 'not-registered', 'unavailable'];
    for (const code of codes) {
      expect(ERRORS[code].wire).toBe(true);
      expect(drawn, `error ${code}`).toContain(`error ${code}`);
    }
  });
});
