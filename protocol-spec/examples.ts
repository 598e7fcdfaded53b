/**
 * The example messages behind the test vectors (`vectors/v1.json`, §0.4).
 * Each example is a typed `Message`; the generator encodes it with the code's
 * encoder and writes the bytes next to it. Negative examples are raw bytes,
 * each with the one error code a receiver must report for it.
 *
 * Addresses come from the documentation ranges (RFC 5737, RFC 3849).
 */
import { ClusterAuth, handoffToken, type TokenClaims } from '../src/protocol/auth.js';
import { encode, encodeWithMac } from '../src/protocol/codec.js';
import { AUTH_MAX_SKEW, DATA_CHUNK, JOB_CHUNK, MAX_DATAGRAM, MEMBER_PAD_TO, REQUEST_PAD_TO, SUPPORTED_VERSIONS, TOKEN_TTL } from '../src/protocol/constants.js';
import type { ErrorCode, UnknownErrorCode } from '../src/protocol/errors.js';
import type { Message, MessageOf } from '../src/protocol/messages.js';
import { padded } from '../src/protocol/padding.js';
import { bucketOf, entryHash, fnv1a, packDigest } from '../src/roles/membership/digest.js';
import { nameKey, syntheticBytes } from '../src/media/synthetic.js';
import { nodeCrypto } from '../src/platform/crypto.js';
import { hashList } from '../src/roles/jobs/object.js';

/** The cluster key of the vectors (its UTF-8 bytes are the key, §9.1). */
export const TEST_KEY = 'ofp v1 test vectors';
/** A different key: MACs and tokens made under it must not verify under TEST_KEY. */
export const OTHER_KEY = 'not the test key';
/** The receiver's clock for the authenticated vectors, ms since the Unix epoch (2023-11-14T22:13:20Z). */
export const TEST_NOW = 1_700_000_000_000;

export const testAuth = new ClusterAuth(TEST_KEY, nodeCrypto);
export const otherAuth = new ClusterAuth(OTHER_KEY, nodeCrypto);

export interface Example {
  readonly name: string;
  readonly message: Message;
}

/** An example sent with a MAC under TEST_KEY at `at` and checked by a receiver whose clock reads `now`. */
export interface MacExample extends Example {
  readonly now: number;
}

/** Bytes that are not in the canonical form but that a receiver must read as `message`. */
export interface LenientExample extends Example {
  readonly bytes: Uint8Array;
  readonly note: string;
}

/** Bytes a receiver must reject with exactly `error`. */
export interface NegativeExample {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly error: ErrorCode;
}

/** Bytes that decode but fail the receiver's check of their MAC (§9.2) under TEST_KEY at `now`. */
export interface AuthNegativeExample extends NegativeExample {
  readonly now: number;
}

export interface TokenExample {
  readonly name: string;
  readonly claims: TokenClaims;
}

/** A handoff token (§10.5): made by the master with the stream key, checked by the client. */
export interface HandoffTokenExample {
  readonly name: string;
  readonly streamKey: Uint8Array;
  readonly sid: number;
  readonly server: string;
  readonly exp: number;
}

/** A server's check of a presented token against the claims it derives from the request (§9.3). */
export interface TokenCheckExample {
  readonly name: string;
  readonly claims: TokenClaims;
  readonly token: Uint8Array | undefined;
  readonly now: number;
  readonly result: 'ok' | 'bad-token' | 'token-expired';
}

// ---- The cast ----------------------------------------------------------------

const CLIENT = '198.51.100.7:53211';
const CLIENT6 = '[2001:db8:c::7]:53211';
const SRV_A = '192.0.2.10:5000';
const SRV_B = '192.0.2.11:5000';
const SRV_C = '[2001:db8::12]:5000';
/** Masters of one group (§12.1). */
const MASTER_A = '192.0.2.1:7700';
const MASTER_B = '192.0.2.2:7700';
const MASTER_C = '[2001:db8::3]:7700';
const FILE = 'B';
/** 2500 whole chunks and a last one of 17 bytes. */
const FILE_SIZE = 2_750_017;
const LAST_CHUNK = 2_750_000;
const RATE = 4_000_000;
const SID = 0x5eed_0001;
const EPOCH = 0x0e90_c0de;
const EXP = TEST_NOW + TOKEN_TTL;
/** An error code of a later version: a receiver takes it as it is (§8.1); only a decoder makes one, hence the cast. */
const LATER_CODE = 'rate-limited' as UnknownErrorCode;

const hex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16));
const cat = (...parts: (string | Uint8Array)[]): Uint8Array => {
  const arrays = parts.map((p) => (typeof p === 'string' ? hex(p.replace(/\s+/g, '')) : p));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let pos = 0;
  for (const a of arrays) {
    out.set(a, pos);
    pos += a.length;
  }
  return out;
};

const COOKIE = hex('a1b2c3d4e5f60718');
const SERVER_COOKIE = hex('0badc0ffee15900d');
const TOKEN = testAuth.token({ client: CLIENT, file: FILE, server: SRV_A, sid: SID, exp: EXP });
const payload = (off: number, len: number) => syntheticBytes(nameKey(FILE), off, len);
/** The stream key the master gave the client with its redirect (§10.5). */
const STREAM_KEY = hex('5eed5eed00112233445566778899aabb');
const HANDOFF_TOKEN = handoffToken(nodeCrypto, STREAM_KEY, SID, SRV_B, EXP);

/**
 * A media item of two flows (§10.2): a video track and an audio track. At normal play time 1996 ms
 * they stand at floor(1996 × rate / 8000): 998 000 and 31 936 bytes.
 */
/** A distribution job (§14): its id, a 2,500-byte file, its hash list and root. */
const JOB = 0x0b5e_0001;
const JOB_CONTENT = syntheticBytes(nameKey('title.ts'), 0, 2_500);
const JOB_OBJECT = hashList((off, len) => JOB_CONTENT.subarray(off, off + len), JOB_CONTENT.length, nodeCrypto);
const JOB_TAG = hex('7a6b5c4d3e2f1001');
const BASE = '192.0.2.20:6000';

const ITEM = 'film';
const VIDEO: [string, number, number] = ['film/video.ts', 3_000_000, 4_000_000];
const AUDIO: [string, number, number] = ['film/audio.ts', 96_000, 128_000];
const NPT = 1_996;
const OFFS_AT_NPT = [998_000, 31_936];
/** Where the client itself stands, a little further on (its own offsets are what it plays from). */
const CLIENT_OFFS = [1_004_300, 32_100];
const flowPayload = (flow: string, off: number, len: number) => syntheticBytes(nameKey(flow), off, len);
/** `padded()` is typed for `request` and `status-request`; an operator pads `control` the same way (§10.9). */
const paddedControl = padded as unknown as (m: MessageOf<'control'>, target?: number, encoder?: (m: MessageOf<'control'>) => Uint8Array) => MessageOf<'control'>;
/** And `subscribe` (§11.3). */
const paddedSubscribe = padded as unknown as (m: MessageOf<'subscribe'>, target?: number, encoder?: (m: MessageOf<'subscribe'>) => Uint8Array) => MessageOf<'subscribe'>;
/** The cookie a master gave an operator's address in its `subscribe-ack` (§11.3). */
const SUBSCRIBE_COOKIE = hex('5ab5c71be0c00c1e');
const OPERATOR_SEQ = 1_041;

// ---- Messages, one or more per type (§3) ------------------------------------------

export const EXAMPLES: readonly Example[] = [
  { name: 'request: to a master, smallest form', message: { type: 'request', rid: 1, file: FILE } },
  { name: 'request: from a client that says where it is (§12.5)', message: { type: 'request', rid: 2, file: FILE, loc: 'par-1' } },
  { name: 'request: from a client that lets the master time its round trip (§12.5)', message: { type: 'request', rid: 0x1234_5678, file: FILE, echo: true } },
  {
    name: 'request: to a master in redirect mode, padded to REQUEST_PAD_TO bytes',
    message: padded({ type: 'request', rid: 0x1a2b_3c4d, file: 'movies/B.ts', mode: 'redirect' }),
  },
  {
    name: 'request: list mode, second page, resuming at a byte, avoiding two servers',
    message: { type: 'request', rid: 0x0000_0102, file: FILE, mode: 'list', off: 1_100_000, from: 64, avoid: [SRV_B, SRV_C] },
  },
  {
    name: 'request: to a server, with the stream token of a redirect',
    message: { type: 'request', rid: 0x0000_0103, file: FILE, sid: SID, tok: TOKEN, exp: EXP },
  },
  {
    name: 'request: to a master, resuming a stream of two flows at twice the media rate (prev, quiet, offs, scale)',
    message: { type: 'request', rid: 0x0000_0104, file: ITEM, mode: 'redirect', off: CLIENT_OFFS[0]!, offs: CLIENT_OFFS, scale: 2000, prev: SID, quiet: 104, avoid: [SRV_A] },
  },
  {
    name: 'request: to the server a resumed stream was sent to, with its stream id, token, offsets and scale',
    message: padded({ type: 'request', rid: 0x0000_0105, file: ITEM, sid: SID, tok: testAuth.token({ client: CLIENT, file: ITEM, server: SRV_B, sid: SID, exp: EXP }), exp: EXP, off: CLIENT_OFFS[0]!, offs: CLIENT_OFFS, scale: 2000 }),
  },
  { name: 'redirect: without a cluster key', message: { type: 'redirect', rid: 1, file: FILE, srv: SRV_A, sid: SID } },
  { name: 'redirect: with the stream key the client keeps (§10.5), without a cluster key', message: { type: 'redirect', rid: 1, file: FILE, srv: SRV_A, sid: SID, sk: STREAM_KEY } },
  {
    name: 'redirect: resuming a stream at the server a handoff established, with a stream token and the stream key',
    message: { type: 'redirect', rid: 0x0000_0104, file: ITEM, srv: SRV_B, sid: SID, tok: testAuth.token({ client: CLIENT, file: ITEM, server: SRV_B, sid: SID, exp: EXP }), exp: EXP, sk: STREAM_KEY },
  },
  { name: 'redirect: with a stream token', message: { type: 'redirect', rid: 1, file: FILE, srv: SRV_A, sid: SID, tok: TOKEN, exp: EXP } },
  {
    name: 'setup: server to client (redirect flow)',
    message: { type: 'setup', rid: 0x0000_0103, sid: SID, file: FILE, srv: SRV_A, size: FILE_SIZE, rate: RATE, chunk: DATA_CHUNK, off: 0, cookie: COOKIE },
  },
  {
    name: 'setup: relayed by a master, resuming a 6 GB file past 2^32−1 on an IPv6 server',
    message: { type: 'setup', rid: 7, sid: 3, file: 'big/é.ts', srv: SRV_C, size: 6_000_000_000, rate: 8_000_000, chunk: DATA_CHUNK, off: 4_294_968_400, cookie: COOKIE },
  },
  {
    name: 'setup: a media item of two flows at twice the media rate, relayed by a master with the stream key',
    message: {
      type: 'setup', rid: 0x0000_0104, sid: SID, file: ITEM, srv: SRV_B, size: VIDEO[1], rate: VIDEO[2], chunk: DATA_CHUNK, off: OFFS_AT_NPT[0]!, cookie: COOKIE,
      flows: [VIDEO, AUDIO], offs: OFFS_AT_NPT, scale: 2000, sk: STREAM_KEY,
    },
  },
  {
    name: 'server-list: each entry with its own stream id and stream key',
    message: {
      type: 'server-list', rid: 2, file: FILE, total: 2, from: 0,
      servers: [
        { srv: SRV_A, status: 'draining', users: 7, group: 'eu', sid: 101, sk: hex('000102030405060708090a0b0c0d0e0f') },
        { srv: SRV_B, status: 'up', users: 3, group: 'eu', sid: 102, sk: hex('f0e0d0c0b0a090807060504030201000') },
      ],
    },
  },
  {
    name: 'server-list: without a cluster key',
    message: {
      type: 'server-list', rid: 2, file: FILE, total: 3, from: 0,
      servers: [
        { srv: SRV_A, status: 'up', users: 12, group: 'eu', sid: 101 },
        { srv: SRV_B, status: 'down', users: 0, group: 'eu', sid: 102 },
        { srv: SRV_C, status: 'joining', users: 0, group: 'us', sid: 103 },
      ],
    },
  },
  {
    name: 'server-list: with a stream token per server',
    message: {
      type: 'server-list', rid: 2, file: FILE, total: 2, from: 0, exp: EXP,
      servers: [
        { srv: SRV_A, status: 'up', users: 12, group: 'eu', sid: 101, tok: testAuth.token({ client: CLIENT, file: FILE, server: SRV_A, sid: 101, exp: EXP }) },
        { srv: SRV_B, status: 'up', users: 3, group: 'eu', sid: 102, tok: testAuth.token({ client: CLIENT, file: FILE, server: SRV_B, sid: 102, exp: EXP }) },
      ],
    },
  },
  { name: 'server-list: a page past the last server', message: { type: 'server-list', rid: 3, file: FILE, total: 3, from: 3, servers: [] } },
  { name: 'error: not-found, answering a request', message: { type: 'error', rid: 1, code: 'not-found', msg: 'no server holds "Z"' } },
  { name: 'error: unknown-version, answering a datagram of another version', message: { type: 'error', code: 'unknown-version', msg: `this receiver speaks protocol version ${SUPPORTED_VERSIONS.join(', ')}`, versions: [...SUPPORTED_VERSIONS] } },
  { name: 'error: bad-cookie, answering a play', message: { type: 'error', sid: SID, code: 'bad-cookie', msg: 'the cookie does not match the setup' } },
  { name: 'error: a code this version does not know, answering a request (§8.1)', message: { type: 'error', rid: 1, code: LATER_CODE, msg: 'too many requests from this address' } },
  { name: 'play: from the start', message: { type: 'play', sid: SID, cookie: COOKIE, off: 0 } },
  { name: 'play: resuming at a byte', message: { type: 'play', sid: SID, cookie: COOKIE, off: 1_100_000 } },
  { name: 'play: both flows of a two-flow item, each from its own first missing byte', message: { type: 'play', sid: SID, cookie: COOKIE, off: CLIENT_OFFS[0]!, offs: CLIENT_OFFS } },
  { name: 'data: the first chunk (a full DATA_CHUNK of synthetic media)', message: { type: 'data', sid: SID, seq: 1, off: 0, data: payload(0, DATA_CHUNK) } },
  { name: 'data: the last, shorter chunk, resent', message: { type: 'data', sid: SID, seq: 2_600, off: LAST_CHUNK, data: payload(LAST_CHUNK, FILE_SIZE - LAST_CHUNK), re: true } },
  { name: 'data: an offset above 2^32−1, sequence number at its largest', message: { type: 'data', sid: 3, seq: 0xffff_ffff, off: 4_294_968_400, data: hex('0102030405060708') } },
  {
    name: 'data: flow 1 of a stream started mid-chunk: the rest of grid chunk 29 (bytes 32 100 to 33 000)',
    message: { type: 'data', sid: SID, seq: 2, off: CLIENT_OFFS[1]!, data: flowPayload(AUDIO[0], CLIENT_OFFS[1]!, 33_000 - CLIENT_OFFS[1]!), fl: 1 },
  },
  { name: 'data: a draining server\'s chunk, with the change indicator', message: { type: 'data', sid: SID, seq: 913, off: 1_004_300, data: payload(1_004_300, DATA_CHUNK), ch: true } },
  { name: 'data: a resent chunk of flow 1 with the change indicator', message: { type: 'data', sid: SID, seq: 914, off: 33_000, data: flowPayload(AUDIO[0], 33_000, DATA_CHUNK), re: true, fl: 1, ch: true } },
  { name: 'ack: nothing received yet', message: { type: 'ack', sid: SID, next: 0, hi: 0, miss: [] } },
  { name: 'ack: two ranges missing', message: { type: 'ack', sid: SID, next: 11_000, hi: 22_000, miss: [[11_000, 1_100], [15_400, 3_300]] } },
  { name: 'ack: flow 1 of a two-flow item, one chunk missing', message: { type: 'ack', sid: SID, next: 33_000, hi: 36_300, miss: [[33_000, 1_100]], fl: 1 } },
  { name: 'teardown', message: { type: 'teardown', sid: SID } },
  { name: 'end: the server is stopping', message: { type: 'end', sid: SID, code: 'shutting-down' } },
  { name: 'end: the file cannot be read', message: { type: 'end', sid: SID, code: 'media-error' } },
  { name: 'end: a code this version does not know (§8.1)', message: { type: 'end', sid: SID, code: LATER_CODE } },
  { name: 'register: without a cluster key', message: { type: 'register', name: SRV_A, epoch: EPOCH, cap: 1_000_000_000, group: 'eu', files: 4, parts: 1 } },
  { name: 'register: with its static facts (§12.5)', message: { type: 'register', name: SRV_A, epoch: EPOCH, cap: 1_000_000_000, group: 'eu', files: 4, parts: 1, loc: 'par-1', cpus: 16, mem: 65_536, lat: 5 } },
  { name: 'register-ack: without a cluster key', message: { type: 'register-ack', name: SRV_A, epoch: EPOCH, cookie: SERVER_COOKIE, interval: 1_000 } },
  {
    name: 'content: without a cluster key',
    message: {
      type: 'content', name: SRV_A, epoch: EPOCH, cookie: SERVER_COOKIE, part: 0, parts: 1,
      files: [['A', 1_375_000, 2_000_000], [FILE, FILE_SIZE, RATE], ['C', 5_500_000, 4_000_000], ['D', 6_000_000_000, 8_000_000]],
    },
  },
  { name: 'content-ack: without a cluster key', message: { type: 'content-ack', epoch: EPOCH, part: 0 } },
  { name: 'content-ack: the last part, naming the server\'s first peers (§13.1)', message: { type: 'content-ack', epoch: EPOCH, part: 2, peers: [SRV_B, SRV_C] } },
  { name: 'poll: without a cluster key', message: { type: 'poll', seq: 42 } },
  {
    name: 'load: answering a poll, without a cluster key',
    message: { type: 'load', name: SRV_A, epoch: EPOCH, cookie: SERVER_COOKIE, seq: 42, streams: 2, bw: 8_000_000, sent: 7_912_000, cap: 1_000_000_000, sids: [SID, 0x5eed_0002] },
  },
  {
    name: 'load: pushed, more streams than listed',
    message: { type: 'load', name: SRV_A, epoch: EPOCH, cookie: SERVER_COOKIE, seq: 0, streams: 97, bw: 388_000_000, sent: 0, cap: 1_000_000_000, sids: [1, 2, 3], more: true },
  },
  {
    name: 'load: a draining server, without a cluster key',
    message: { type: 'load', name: SRV_A, epoch: EPOCH, cookie: SERVER_COOKIE, seq: 0, streams: 1, bw: 4_000_000, sent: 3_980_000, cap: 1_000_000_000, sids: [SID], state: 'draining' },
  },
  { name: 'leave: without a cluster key', message: { type: 'leave', name: SRV_A, epoch: EPOCH, cookie: SERVER_COOKIE } },
  { name: 'forward: without a cluster key', message: { type: 'forward', rid: 0x7000_0001, file: FILE, client: CLIENT6, sid: SID, off: 0 } },
  {
    name: 'forward: resuming a two-flow stream at half the media rate, without a cluster key',
    message: { type: 'forward', rid: 0x7000_0003, file: ITEM, client: CLIENT, sid: SID, off: CLIENT_OFFS[0]!, offs: CLIENT_OFFS, scale: 500 },
  },
  { name: 'error: no-capacity, answering an adjust', message: { type: 'error', sid: SID, code: 'no-capacity', msg: 'no room for 4000000 more bit/s' } },
  { name: 'adjust: play at twice the media rate', message: { type: 'adjust', sid: SID, n: 1, scale: 2000 } },
  { name: 'adjust-ack', message: { type: 'adjust-ack', sid: SID, n: 1, scale: 2000 } },
  { name: 'switch: the stream moves to another server', message: { type: 'switch', sid: SID, srv: SRV_B, cookie: COOKIE, off: 401_500, npt: 803, scale: 1000, tok: HANDOFF_TOKEN, exp: EXP, why: 'drain' } },
  {
    name: 'switch: a two-flow stream moves at twice the media rate, each flow at its own offset',
    message: { type: 'switch', sid: SID, srv: SRV_B, cookie: COOKIE, off: OFFS_AT_NPT[0]!, offs: OFFS_AT_NPT, npt: NPT, scale: 2000, tok: HANDOFF_TOKEN, exp: EXP, why: 'overload' },
  },
  { name: 'track: without a cluster key', message: { type: 'track', sid: SID, n: 1, ev: 'play', when: TEST_NOW, npt: 0, scale: 1000, client: CLIENT, file: FILE } },
  { name: 'track: the stream ended by its client, without a cluster key', message: { type: 'track', sid: SID, n: 4, ev: 'end', when: TEST_NOW + 9_000, scale: 500, code: 'teardown' } },
  { name: 'track-ack: without a cluster key', message: { type: 'track-ack', sid: SID, n: 1 } },
  { name: 'establish: without a cluster key', message: { type: 'establish', rid: 0x7000_0002, sid: SID, file: FILE, client: CLIENT, npt: 803, scale: 1000, why: 'failure' } },
  { name: 'move: without a cluster key', message: { type: 'move', sid: SID, srv: SRV_B, cookie: COOKIE, off: 401_500, npt: 803, scale: 1000, tok: HANDOFF_TOKEN, exp: EXP, why: 'overload' } },
  { name: 'order: without a cluster key', message: { type: 'order', op: 'drain' } },
  { name: 'supervise: without a cluster key', message: { type: 'supervise', name: SRV_A, ep: 1, to: MASTER_B } },
  { name: 'refer: a portal names the master to ask', message: { type: 'refer', rid: 0x1234_5678, master: MASTER_B } },
  { name: 'echo: a client got the master\'s answer to request 0x12345678', message: { type: 'echo', rid: 0x1234_5678 } },
  { name: 'assign: a group without a key, the stream\'s key with it', message: { type: 'assign', srv: SRV_A, sid: SID, client: CLIENT, file: FILE, rate: 4_000_000, sk: STREAM_KEY, inc: EPOCH, seq: 1 } },
  { name: 'assign: a handoff, told again to a member that pulled it 1.2 s on', message: { type: 'assign', srv: SRV_B, sid: SID, client: CLIENT, file: FILE, rate: 4_000_000, inc: EPOCH, seq: 7, age: 1_200, hops: 1 } },
  { name: 'digest: as a master without a key would send it', message: { type: 'digest', ents: [{ srv: SRV_A, inc: EPOCH, seq: 3, sids: [SID] }] } },
  { name: 'pull: as a master without a key would send it', message: { type: 'pull', sids: [SID] } },
  { name: 'pass: as a portal without a key would send it (masters drop it)', message: { type: 'pass', client: CLIENT, size: 1200, rid: 0x1234_5678, file: FILE } },
  { name: 'member: ping, announcing the sender, padded to MEMBER_PAD_TO bytes', message: padded({ type: 'member', k: 'ping', seq: 1, up: [{ s: 'alive', a: MASTER_A, i: 0 }] }, MEMBER_PAD_TO) },
  {
    name: 'member: ack with updates, a suspicion among them',
    message: { type: 'member', k: 'ack', seq: 1, up: [{ s: 'alive', a: MASTER_B, i: 2 }, { s: 'suspect', a: MASTER_C, i: 0, by: MASTER_B }] },
  },
  {
    name: 'member: a server\'s gossip without a key: a peer\'s entry refreshed (§13.2)',
    message: { type: 'member', k: 'gossip', seq: 0, up: [{ s: 'alive', a: SRV_B, i: 1_796_000_100, d: { v: 5, st: 'up', n: 2, g: 'edge', bw: 997_000_000 } }] },
  },
  { name: 'control: without a cluster key', message: { type: 'control', rid: 12, op: 'drain', srv: SRV_A } },
  { name: 'control: move a stream, padded to REQUEST_PAD_TO bytes', message: paddedControl({ type: 'control', rid: 13, op: 'handoff', sid: SID }) },
  { name: 'control-result: without a cluster key', message: { type: 'control-result', rid: 12, ok: true, msg: `${SRV_A} drains` } },
  { name: 'control-result: refused, the stream cannot move', message: { type: 'control-result', rid: 13, ok: false, code: 'no-capacity', msg: `stream ${SID} cannot move: no other server holds the file with room for it` } },
  { name: 'status-request: without a cluster key', message: { type: 'status-request', rid: 9, what: 'summary', from: 0 } },
  {
    name: 'status: the summary',
    message: {
      type: 'status', rid: 9, what: 'summary', total: 1, from: 0,
      summary: { servers: 3, up: 2, files: 9, sessions: 4, bw: 16_000_000, cap: 2_000_000_000, requests: 1_234, policy: 'greatest-available-bandwidth', mode: 'redirect', uptime: 3_600_000 },
    },
  },
  {
    name: 'status: a page of servers',
    message: {
      type: 'status', rid: 10, what: 'servers', total: 3, from: 0,
      servers: [
        { name: SRV_A, group: 'eu', state: 'up', files: 4, streams: 2, bw: 8_000_000, avg: 7_500_000, sent: 7_912_000, cap: 1_000_000_000, missed: 0, loc: 'par-1', rtt: 3 },
        { name: SRV_B, group: 'eu', state: 'down', files: 5, streams: 0, bw: 0, avg: 0, sent: 0, cap: 1_000_000_000, missed: 3 },
      ],
    },
  },
  {
    name: 'status: a page of files',
    message: { type: 'status', rid: 11, what: 'files', total: 9, from: 8, files: [{ file: FILE, size: FILE_SIZE, rate: RATE, servers: [SRV_A, SRV_B, SRV_C] }] },
  },
  {
    name: 'status: a page of sessions',
    message: { type: 'status', rid: 12, what: 'sessions', total: 1, from: 0, sessions: [{ sid: SID, client: CLIENT, file: FILE, srv: SRV_A, age: 1_500, live: true }] },
  },
  {
    name: 'status: a page of sessions with their positions, one moving after a handoff',
    message: {
      type: 'status', rid: 13, what: 'sessions', total: 2, from: 0,
      sessions: [
        { sid: SID, client: CLIENT, file: FILE, srv: SRV_B, age: 4_200, live: true, handoffs: 1, npt: 3_900, size: FILE_SIZE, rate: RATE, scale: 1000 },
        { sid: 0x5eed_0002, client: CLIENT6, file: ITEM, srv: SRV_A, age: 2_100, live: true, npt: NPT, size: VIDEO[1] + AUDIO[1], rate: VIDEO[2] + AUDIO[2], scale: 2000, moving: true },
      ],
    },
  },
  {
    name: 'status: the summary of a master in a group of three (§12.1)',
    message: {
      type: 'status', rid: 14, what: 'summary', total: 1, from: 0,
      summary: { servers: 2, up: 2, files: 5, sessions: 0, bw: 0, cap: 2_000_000_000, requests: 0, policy: 'greatest-available-bandwidth', mode: 'redirect', uptime: 60_000, group: 2 },
    },
  },
  {
    name: 'status: a page of members',
    message: {
      type: 'status', rid: 15, what: 'members', total: 2, from: 0,
      members: [{ addr: MASTER_B, state: 'alive', inc: 0, age: 59_800 }, { addr: MASTER_C, state: 'suspect', inc: 3, age: 140 }],
    },
  },
  { name: 'subscribe: the first, without a cookie, padded to REQUEST_PAD_TO bytes (§11.1)', message: paddedSubscribe({ type: 'subscribe', rid: 21 }) },
  { name: 'subscribe: echoing the cookie, asking for events from 1000 on, padded to REQUEST_PAD_TO bytes', message: paddedSubscribe({ type: 'subscribe', rid: 22, cookie: SUBSCRIBE_COOKIE, since: 1_000 }) },
  { name: 'subscribe: ending the subscription (the cookie proves the address, so the answer needs no padding)', message: { type: 'subscribe', rid: 23, cookie: SUBSCRIBE_COOKIE, end: true } },
  { name: 'subscribe-ack: pending, echo the cookie', message: { type: 'subscribe-ack', rid: 21, state: 'pending', cookie: SUBSCRIBE_COOKIE, lease: 0, next: OPERATOR_SEQ } },
  { name: 'subscribe-ack: active', message: { type: 'subscribe-ack', rid: 22, state: 'active', cookie: SUBSCRIBE_COOKIE, lease: 10_000, next: OPERATOR_SEQ } },
  { name: 'subscribe-ack: no room for another subscriber', message: { type: 'subscribe-ack', rid: 24, state: 'full', cookie: SUBSCRIBE_COOKIE, lease: 0, next: OPERATOR_SEQ } },
  {
    name: 'notice: a server goes down and a stream moves',
    message: {
      type: 'notice', seq: 1_038,
      events: [
        { ago: 1_450, ev: 'server-down', srv: SRV_A },
        { ago: 1_449, ev: 'handoff-start', sid: SID, srv: SRV_A, why: 'failure', npt: 803 },
        { ago: 12, ev: 'handoff', sid: SID, srv: SRV_A, to: SRV_B, why: 'failure', npt: 1_996, gap: 1_612 },
      ],
    },
  },
  {
    name: 'notice: a window of requests, some refused',
    message: { type: 'notice', seq: OPERATOR_SEQ, events: [{ ago: 40, ev: 'requests', counts: [120, 31, 4] }, { ago: 40, ev: 'request-errors', code: 'no-capacity', n: 3 }] },
  },
  // Jobs move only within a keyed cluster (§14.7): on the wire each of these but `chunk` carries a MAC (see the authenticated vectors); here, their bodies alone.
  { name: 'job-submit: the body alone', message: { type: 'job-submit', rid: 0x4000_0001, file: 'title.ts', size: JOB_CONTENT.length, root: JOB_OBJECT.root, tag: JOB_TAG, to: [SRV_A], part: 0, parts: 1 } },
  { name: 'job-result: the body alone', message: { type: 'job-result', rid: 0x4000_0001, ok: true, job: JOB, msg: 'ok' } },
  {
    name: 'job-order: the body alone, an empty plan',
    message: { type: 'job-order', job: JOB, cmd: 1, op: 'copy', file: 'title.ts', size: JOB_CONTENT.length, root: JOB_OBJECT.root, base: BASE, idx: 2, tag: COOKIE, rate: 20_000_000, plan: [], part: 0, parts: 1 },
  },
  { name: 'job-pull: the body alone, asking for order parts 1 and 2', message: { type: 'job-pull', job: JOB, cmd: 1, tag: COOKIE, want: [], parts: [1, 2] } },
  { name: 'job-note: the body alone, a stall', message: { type: 'job-note', job: JOB, cmd: 1, idx: 1, st: 'stalled', got: 1_024, src: SRV_A } },
  { name: 'job-query: the body alone', message: { type: 'job-query', job: JOB, cmd: 1, idx: 0 } },
  { name: 'job-status-request: the body alone', message: { type: 'job-status-request', rid: 3, job: JOB, from: 24 } },
  { name: 'job-status: no such job', message: { type: 'job-status', rid: 3, job: JOB, found: false, file: '', size: 0, state: 'failed', age: 0, got: 0, total: 0, counts: [0, 0, 0, 0, 0], from: 0, rows: [] } },
  { name: 'job-list-request: the body alone', message: { type: 'job-list-request', rid: 4, from: 16 } },
  { name: 'job-add: the body alone, a delete', message: { type: 'job-add', rid: 5, job: JOB, op: 'delete', file: 'title.ts', tag: JOB_TAG } },
  { name: 'job-list: a base server that holds no job', message: { type: 'job-list', rid: 4, total: 0, from: 0, rows: [] } },
  {
    name: 'chunk: the hash list of a 2,500-byte file (one block), chunk 0 of its object (§14.3)',
    message: { type: 'chunk', job: JOB, cmd: 1, i: 0, d: JOB_OBJECT.list },
  },
  {
    name: 'chunk: the file\'s first 1,024 bytes, chunk 1 of its object',
    message: { type: 'chunk', job: JOB, cmd: 1, i: 1, d: JOB_CONTENT.subarray(0, JOB_CHUNK) },
  },
];

// ---- Authenticated messages: sent with a MAC under TEST_KEY (§2.4, §9.2) --------------

function stamped<M extends Message>(m: M, at = TEST_NOW): M {
  return { ...m, at } as M;
}

export const MAC_EXAMPLES: readonly MacExample[] = [
  {
    name: 'setup: server to master, answering a forward',
    now: TEST_NOW,
    message: stamped({ type: 'setup', rid: 0x7000_0001, sid: SID, file: FILE, srv: SRV_A, size: FILE_SIZE, rate: RATE, chunk: DATA_CHUNK, off: 0, cookie: COOKIE }),
  },
  {
    name: 'error: server to master, refusing a forward',
    now: TEST_NOW,
    message: stamped({ type: 'error', rid: 0x7000_0002, code: 'no-capacity', msg: '996000000 of 1000000000 bit/s committed; B needs 4000000' }),
  },
  {
    name: 'error: master to server, not-registered',
    now: TEST_NOW,
    message: stamped({ type: 'error', code: 'not-registered', msg: `register again: this master does not know ${SRV_A}` }),
  },
  { name: 'register', now: TEST_NOW, message: stamped({ type: 'register', name: SRV_A, epoch: EPOCH, cap: 1_000_000_000, group: 'eu', files: 4, parts: 1 }) },
  {
    name: 'register: padded, as a server sends it',
    now: TEST_NOW,
    message: stamped({ type: 'register', name: SRV_A, epoch: EPOCH, cap: 1_000_000_000, group: 'eu', files: 4, parts: 1, pad: new Uint8Array(150) }),
  },
  { name: 'register-ack', now: TEST_NOW, message: stamped({ type: 'register-ack', name: SRV_A, epoch: EPOCH, cookie: SERVER_COOKIE, interval: 1_000 }) },
  {
    name: 'content: the second of two parts',
    now: TEST_NOW,
    message: stamped({ type: 'content', name: SRV_A, epoch: EPOCH, cookie: SERVER_COOKIE, part: 1, parts: 2, files: [['E', 1_100, 64_000], ['F/ü.ts', 0, 1]] }),
  },
  { name: 'content-ack', now: TEST_NOW, message: stamped({ type: 'content-ack', epoch: EPOCH, part: 1 }) },
  { name: 'poll', now: TEST_NOW, message: stamped({ type: 'poll', seq: 42 }) },
  {
    name: 'poll: `at` exactly AUTH_MAX_SKEW behind the receiver\'s clock still verifies',
    now: TEST_NOW + AUTH_MAX_SKEW,
    message: stamped({ type: 'poll', seq: 43 }),
  },
  {
    name: 'load: answering a poll',
    now: TEST_NOW,
    message: stamped({ type: 'load', name: SRV_A, epoch: EPOCH, cookie: SERVER_COOKIE, seq: 42, streams: 2, bw: 8_000_000, sent: 7_912_000, cap: 1_000_000_000, sids: [SID, 0x5eed_0002] }),
  },
  {
    name: 'load: pushed, `at` exactly AUTH_MAX_SKEW ahead of the receiver\'s clock',
    now: TEST_NOW - AUTH_MAX_SKEW,
    message: stamped({ type: 'load', name: SRV_A, epoch: EPOCH, cookie: SERVER_COOKIE, seq: 0, streams: 0, bw: 0, sent: 0, cap: 1_000_000_000, sids: [] }),
  },
  { name: 'leave', now: TEST_NOW, message: stamped({ type: 'leave', name: SRV_A, epoch: EPOCH, cookie: SERVER_COOKIE }) },
  { name: 'forward', now: TEST_NOW, message: stamped({ type: 'forward', rid: 0x7000_0001, file: FILE, client: CLIENT, sid: SID, off: 0 }) },
  {
    name: 'forward: resuming a two-flow stream at twice the media rate',
    now: TEST_NOW,
    message: stamped({ type: 'forward', rid: 0x7000_0003, file: ITEM, client: CLIENT, sid: SID, off: CLIENT_OFFS[0]!, offs: CLIENT_OFFS, scale: 2000 }),
  },
  {
    name: 'load: an overloaded server, pushed',
    now: TEST_NOW,
    message: stamped({ type: 'load', name: SRV_A, epoch: EPOCH, cookie: SERVER_COOKIE, seq: 0, streams: 3, bw: 12_000_000, sent: 11_700_000, cap: 8_000_000, sids: [SID, 0x5eed_0002, 0x5eed_0003], state: 'overloaded' }),
  },
  { name: 'track: the stream plays', now: TEST_NOW, message: stamped({ type: 'track', sid: SID, n: 1, ev: 'play', when: TEST_NOW - 5, npt: 0, scale: 1000, client: CLIENT, file: FILE }) },
  { name: 'track: an adjustment to twice the media rate', now: TEST_NOW, message: stamped({ type: 'track', sid: SID, n: 2, ev: 'adjust', when: TEST_NOW + 497, scale: 2000 }) },
  {
    name: 'track: the stream plays at its new server after a handoff, from the client\'s own position',
    now: TEST_NOW,
    message: stamped({ type: 'track', sid: SID, n: 1, ev: 'play', when: TEST_NOW + 2_004, npt: 2_008, scale: 2000, client: CLIENT, file: ITEM }),
  },
  { name: 'track: the stream ended, its client silent', now: TEST_NOW, message: stamped({ type: 'track', sid: SID, n: 3, ev: 'end', when: TEST_NOW + 9_000, scale: 2000, code: 'client-silent' }) },
  { name: 'track-ack', now: TEST_NOW, message: stamped({ type: 'track-ack', sid: SID, n: 1 }) },
  { name: 'track-ack: every event up to the third recorded', now: TEST_NOW, message: stamped({ type: 'track-ack', sid: SID, n: 3 }) },
  { name: 'establish', now: TEST_NOW, message: stamped({ type: 'establish', rid: 0x7000_0002, sid: SID, file: FILE, client: CLIENT, npt: 803, scale: 1000, why: 'drain' }) },
  {
    name: 'establish: a two-flow item at twice the media rate, on an IPv6 server, for an overloaded one',
    now: TEST_NOW,
    message: stamped({ type: 'establish', rid: 0x7000_0004, sid: SID, file: ITEM, client: CLIENT6, npt: NPT, scale: 2000, why: 'overload' }),
  },
  {
    name: 'setup: a server answering an establish, each flow at the position the master computed',
    now: TEST_NOW,
    message: stamped({
      type: 'setup', rid: 0x7000_0004, sid: SID, file: ITEM, srv: SRV_B, size: VIDEO[1], rate: VIDEO[2], chunk: DATA_CHUNK, off: OFFS_AT_NPT[0]!, cookie: COOKIE,
      flows: [VIDEO, AUDIO], offs: OFFS_AT_NPT, scale: 2000,
    }),
  },
  { name: 'error: a draining server refusing an establish', now: TEST_NOW, message: stamped({ type: 'error', rid: 0x7000_0004, code: 'shutting-down', msg: 'this server is draining' }) },
  { name: 'move', now: TEST_NOW, message: stamped({ type: 'move', sid: SID, srv: SRV_B, cookie: COOKIE, off: 401_500, npt: 803, scale: 1000, tok: HANDOFF_TOKEN, exp: EXP, why: 'drain' }) },
  {
    name: 'move: a two-flow stream, each flow at its own offset',
    now: TEST_NOW,
    message: stamped({ type: 'move', sid: SID, srv: SRV_B, cookie: COOKIE, off: OFFS_AT_NPT[0]!, offs: OFFS_AT_NPT, npt: NPT, scale: 2000, tok: HANDOFF_TOKEN, exp: EXP, why: 'overload' }),
  },
  { name: 'order', now: TEST_NOW, message: stamped({ type: 'order', op: 'capacity', cap: 8_000_000 }) },
  { name: 'order: drain', now: TEST_NOW, message: stamped({ type: 'order', op: 'drain' }) },
  {
    name: 'member: ping-req, padded to MEMBER_PAD_TO bytes, MAC included',
    now: TEST_NOW,
    message: padded(stamped({ type: 'member', k: 'ping-req', seq: 77, target: MASTER_C, up: [{ s: 'dead', a: MASTER_C, i: 3 }] }), MEMBER_PAD_TO, (m) => testAuth.encode(m, TEST_NOW)),
  },
  { name: 'member: ack', now: TEST_NOW, message: stamped({ type: 'member', k: 'ack', seq: 77, up: [] }) },
  {
    // SRV_A holds itself (up), SRV_B (alive, draining) and SRV_C (dead): 3 entries, one bucket, its digest the sum of the three hashes.
    name: 'member: a server\'s sync (§13.3): the digest of its view, one bucket of three entries, and its own entry',
    now: TEST_NOW,
    message: stamped({ type: 'member', k: 'sync', seq: 9, up: [{ s: 'alive', a: SRV_A, i: 1_796_000_000, d: { v: 12, st: 'up', n: 3, g: 'edge', bw: 988_000_000 } }], dig: viewDigest(1, [[SRV_A, 1_796_000_000, 'alive', 12], [SRV_B, 1_796_000_100, 'alive', 4], [SRV_C, 1_795_999_000, 'dead', undefined]]) }),
  },
  {
    name: 'member: the peer\'s sync-ack: its entries of the bucket that differs, which bk names (it never heard of SRV_C)',
    now: TEST_NOW,
    message: stamped({ type: 'member', k: 'sync-ack', seq: 9, up: [{ s: 'alive', a: SRV_B, i: 1_796_000_100, d: { v: 4, st: 'draining', n: 1, g: 'edge', bw: 996_000_000 } }, { s: 'alive', a: SRV_A, i: 1_796_000_000, d: { v: 11, st: 'up', n: 2, g: 'edge', bw: 992_000_000 } }], bk: [0] }),
  },
  {
    name: 'pass: a portal passes a client\'s relay request on, resuming a stream',
    now: TEST_NOW,
    message: stamped({ type: 'pass', client: CLIENT6, size: 1200, rid: 0x1234_5679, file: ITEM, mode: 'relay', off: OFFS_AT_NPT[0]!, offs: OFFS_AT_NPT, scale: 2000, prev: SID, quiet: 104, avoid: [SRV_A], echo: true }),
  },
  { name: 'assign: a master tells the group of an assignment', now: TEST_NOW, message: stamped({ type: 'assign', srv: SRV_B, sid: SID, client: CLIENT6, file: ITEM, rate: 4_128_000, inc: EPOCH, seq: 42 }) },
  {
    name: 'digest: a master\'s assignments on two servers, the newest it holds',
    now: TEST_NOW,
    message: stamped({ type: 'digest', ents: [{ srv: SRV_A, inc: EPOCH, seq: 7, sids: [SID, SID + 1] }, { srv: SRV_B, inc: EPOCH + 1, seq: 42, sids: [SID + 2] }] }),
  },
  { name: 'pull: a member asks again for two assignments it missed', now: TEST_NOW, message: stamped({ type: 'pull', sids: [SID + 1, SID + 2] }) },
  { name: 'supervise: a master claims the supervision of a server', now: TEST_NOW, message: stamped({ type: 'supervise', name: SRV_A, ep: 4, to: MASTER_B }) },
  { name: 'supervise: an operator places it, pinned', now: TEST_NOW, message: stamped({ type: 'supervise', name: SRV_A, ep: 5, to: MASTER_C, pin: true }) },
  {
    name: 'load: a server of a group, saying who supervises it',
    now: TEST_NOW,
    message: stamped({ type: 'load', name: SRV_A, epoch: EPOCH, cookie: SERVER_COOKIE, seq: 0, streams: 1, bw: 4_000_000, sent: 4_012_000, cap: 1_000_000_000, sids: [SID], sup: MASTER_B, sep: 4 }),
  },
  {
    name: 'load: a server that shares its view (§13): 19 peers alive, the stalest entry 3 s old',
    now: TEST_NOW,
    message: stamped({ type: 'load', name: SRV_A, epoch: EPOCH, cookie: SERVER_COOKIE, seq: 17, streams: 0, bw: 0, sent: 0, cap: 1_000_000_000, sids: [], vk: 19, vs: 3 }),
  },
  { name: 'error: a move from a master that does not supervise the server', now: TEST_NOW, message: stamped({ type: 'error', sid: SID, code: 'not-supervisor', msg: `${MASTER_B} supervises this server (epoch 4)` }) },
  { name: 'control: place a server\'s supervision', now: TEST_NOW, message: stamped({ type: 'control', rid: 16, op: 'supervise', srv: SRV_A, to: MASTER_C }) },
  { name: 'control', now: TEST_NOW, message: stamped({ type: 'control', rid: 12, op: 'handoff', sid: SID, srv: SRV_B }) },
  {
    name: 'control: drain a server, padded to REQUEST_PAD_TO bytes, MAC included',
    now: TEST_NOW,
    message: paddedControl(stamped({ type: 'control', rid: 14, op: 'drain', srv: SRV_A }), REQUEST_PAD_TO, (m) => testAuth.encode(m, TEST_NOW)),
  },
  { name: 'control: set a server\'s capacity', now: TEST_NOW, message: stamped({ type: 'control', rid: 15, op: 'capacity', srv: SRV_C, cap: 8_000_000 }) },
  { name: 'control-result', now: TEST_NOW, message: stamped({ type: 'control-result', rid: 12, ok: true, msg: `stream ${SID} moves` }) },
  {
    name: 'control-result: refused, unknown-server',
    now: TEST_NOW,
    message: stamped({ type: 'control-result', rid: 15, ok: false, code: 'unknown-server', msg: `this master does not know a server "${SRV_C}"` }),
  },
  {
    name: 'subscribe: echoing the cookie, padded to REQUEST_PAD_TO bytes, MAC included',
    now: TEST_NOW,
    message: paddedSubscribe(stamped({ type: 'subscribe', rid: 22, cookie: SUBSCRIBE_COOKIE, since: 1_000 }), REQUEST_PAD_TO, (m) => testAuth.encode(m, TEST_NOW)),
  },
  { name: 'subscribe-ack', now: TEST_NOW, message: stamped({ type: 'subscribe-ack', rid: 22, state: 'active', cookie: SUBSCRIBE_COOKIE, lease: 10_000, next: OPERATOR_SEQ }) },
  {
    name: 'notice: a drain ordered, a server draining, its stream moving',
    now: TEST_NOW,
    message: stamped({
      type: 'notice', seq: OPERATOR_SEQ,
      events: [
        { ago: 900, ev: 'drain-ordered', srv: SRV_A },
        { ago: 610, ev: 'server-draining', srv: SRV_A },
        { ago: 5, ev: 'handoff', sid: SID, srv: SRV_A, to: SRV_C, why: 'drain', npt: 2_008, gap: 0 },
      ],
    }),
  },
  {
    name: 'status-request: padded to REQUEST_PAD_TO bytes, MAC included',
    now: TEST_NOW,
    message: padded(stamped({ type: 'status-request', rid: 9, what: 'servers', from: 0 }), REQUEST_PAD_TO, (m) => testAuth.encode(m, TEST_NOW)),
  },
  {
    name: 'status: the summary',
    now: TEST_NOW,
    message: stamped({
      type: 'status', rid: 9, what: 'summary', total: 1, from: 0,
      summary: { servers: 1, up: 1, files: 4, sessions: 0, bw: 0, cap: 1_000_000_000, requests: 0, policy: 'round-robin', mode: 'relay', uptime: 10 },
    }),
  },
  {
    name: 'job-submit: a provider asks for a job to three servers, padded to REQUEST_PAD_TO bytes (§14.1)',
    now: TEST_NOW,
    message: padded(stamped({ type: 'job-submit', rid: 0x4000_0001, file: 'title.ts', size: JOB_CONTENT.length, root: JOB_OBJECT.root, rate: 20_000_000, mrate: 2_000_000, tag: JOB_TAG, to: [SRV_A, SRV_B, SRV_C], part: 0, parts: 1 }), REQUEST_PAD_TO, (m) => testAuth.encode(m, TEST_NOW)),
  },
  {
    name: 'content: a server adds a job\'s file to its list once registered (§6.5, §14.4): its third addition',
    now: TEST_NOW,
    message: stamped({ type: 'content', name: SRV_A, epoch: EPOCH, cookie: SERVER_COOKIE, part: 2, parts: 1, files: [['title.ts', JOB_CONTENT.length, RATE]], add: true }),
  },
  { name: 'content-ack: the master took the addition', now: TEST_NOW, message: stamped({ type: 'content-ack', epoch: EPOCH, part: 2, add: true }) },
  { name: 'job-result: the job is made', now: TEST_NOW, message: stamped({ type: 'job-result', rid: 0x4000_0001, ok: true, job: JOB, msg: `job ${JOB}: title.ts to 3 target(s)` }) },
  { name: 'job-result: a refusal', now: TEST_NOW, message: stamped({ type: 'job-result', rid: 0x4000_0002, ok: false, code: 'bad-request', msg: 'the file name "../x" is a path' }) },
  {
    name: 'job-pull: the base server pulls the object from its provider: the hash list and the first block',
    now: TEST_NOW,
    message: stamped({ type: 'job-pull', job: JOB, cmd: 1, tag: JOB_TAG, want: [[0, 4]] }),
  },
  {
    name: 'job-order: the base server offers the job to SRV_A, which passes it on to SRV_B and SRV_C (§14.2)',
    now: TEST_NOW,
    message: stamped({ type: 'job-order', job: JOB, cmd: 1, op: 'copy', file: 'title.ts', size: JOB_CONTENT.length, root: JOB_OBJECT.root, base: BASE, mrate: 2_000_000, idx: 0, tag: COOKIE, rate: 20_000_000, plan: [[1, SRV_B], [2, SRV_C]], part: 0, parts: 1 }),
  },
  {
    name: 'job-pull: SRV_A lacks chunks 1 and 3, and asks for them',
    now: TEST_NOW,
    message: stamped({ type: 'job-pull', job: JOB, cmd: 1, tag: COOKIE, want: [[1, 2], [3, 4]] }),
  },
  { name: 'job-pull: SRV_A holds it whole: stop', now: TEST_NOW, message: stamped({ type: 'job-pull', job: JOB, cmd: 1, tag: COOKIE, want: [], stop: true }) },
  { name: 'job-note: SRV_A got the order, and supports a 200 Mbit/s job upload (§14.2, §14.4)', now: TEST_NOW, message: stamped({ type: 'job-note', job: JOB, cmd: 1, idx: 0, st: 'received', got: 0, src: BASE, upr: 200_000_000 }) },
  { name: 'job-note: SRV_B completed, at 18.2 Mbit/s', now: TEST_NOW, message: stamped({ type: 'job-note', job: JOB, cmd: 1, idx: 1, st: 'completed', got: JOB_CONTENT.length, src: SRV_A, up: 18_200_000 }) },
  { name: 'job-note: SRV_A could not reach SRV_C', now: TEST_NOW, message: stamped({ type: 'job-note', job: JOB, cmd: 1, idx: 2, st: 'failed', got: JOB_CONTENT.length, code: 'target-unreachable' }) },
  { name: 'job-query: the base server asks a late target (§14.5)', now: TEST_NOW, message: stamped({ type: 'job-query', job: JOB, cmd: 1, idx: 2 }) },
  {
    name: 'job-status-request: an operator asks for a job, padded to REQUEST_PAD_TO bytes (§14.6)',
    now: TEST_NOW,
    message: padded(stamped({ type: 'job-status-request', rid: 0x4000_0003, job: JOB, from: 0 }), REQUEST_PAD_TO, (m) => testAuth.encode(m, TEST_NOW)),
  },
  {
    name: 'job-status: two targets completed, one failed',
    now: TEST_NOW,
    message: stamped({
      type: 'job-status', rid: 0x4000_0003, job: JOB, found: true, file: 'title.ts', size: JOB_CONTENT.length, state: 'failed', age: 61_000, took: 60_500, got: JOB_CONTENT.length, total: 3, counts: [0, 0, 0, 2, 1], from: 0,
      rows: [
        { idx: 0, srv: SRV_A, st: 'completed', got: JOB_CONTENT.length, src: BASE },
        { idx: 1, srv: SRV_B, st: 'completed', got: JOB_CONTENT.length, src: SRV_A },
        { idx: 2, srv: SRV_C, st: 'failed', got: 0, code: 'target-unreachable', retry: 59_500 },
      ],
    }),
  },
  {
    name: 'job-add: a provider adds a copy of a second file to the job, padded to REQUEST_PAD_TO bytes (§14.8)',
    now: TEST_NOW,
    message: padded(stamped({ type: 'job-add', rid: 0x4000_0005, job: JOB, op: 'copy', file: 'trailer.ts', size: JOB_CONTENT.length, root: JOB_OBJECT.root, mrate: 2_000_000, tag: JOB_TAG }), REQUEST_PAD_TO, (m) => testAuth.encode(m, TEST_NOW)),
  },
  { name: 'job-result: the command is added, command 2 of the job', now: TEST_NOW, message: stamped({ type: 'job-result', rid: 0x4000_0005, ok: true, job: JOB, cmd: 2, msg: `job ${JOB}: command 2, copy trailer.ts` }) },
  {
    name: 'job-order: the base server orders SRV_A to verify its copy of title.ts against the job\'s root (§14.8)',
    now: TEST_NOW,
    message: stamped({ type: 'job-order', job: JOB, cmd: 3, op: 'verify', file: 'title.ts', size: JOB_CONTENT.length, root: JOB_OBJECT.root, base: BASE, idx: 0, tag: COOKIE, rate: 20_000_000, plan: [[1, SRV_B]], part: 0, parts: 1 }),
  },
  { name: 'job-note: SRV_B\'s copy does not match (§14.8)', now: TEST_NOW, message: stamped({ type: 'job-note', job: JOB, cmd: 3, idx: 1, st: 'failed', got: 0, src: SRV_A, code: 'corrupt' }) },
  {
    name: 'job-status: command 3 of 3, a verify, one target failed',
    now: TEST_NOW,
    message: stamped({
      type: 'job-status', rid: 0x4000_0006, job: JOB, found: true, file: 'title.ts', size: JOB_CONTENT.length, state: 'failed', age: 90_000, took: 89_000, got: 0, total: 2,
      cmd: 3, cmds: 3, op: 'verify', cst: 'failed', counts: [0, 0, 0, 1, 1], from: 0,
      rows: [
        { idx: 0, srv: SRV_A, st: 'completed', got: 0, src: BASE },
        { idx: 1, srv: SRV_B, st: 'failed', got: 0, src: SRV_A, code: 'corrupt', retry: 59_000 },
      ],
    }),
  },
  {
    name: 'content: a server removes a file a job deleted (§14.4, §14.8): its fourth change',
    now: TEST_NOW,
    message: stamped({ type: 'content', name: SRV_A, epoch: EPOCH, cookie: SERVER_COOKIE, part: 3, parts: 1, files: [['title.ts', JOB_CONTENT.length, RATE]], rm: true }),
  },
  {
    name: 'job-list-request: an operator asks for the jobs a base server holds, padded to REQUEST_PAD_TO bytes (§14.6)',
    now: TEST_NOW,
    message: padded(stamped({ type: 'job-list-request', rid: 0x4000_0004, from: 0 }), REQUEST_PAD_TO, (m) => testAuth.encode(m, TEST_NOW)),
  },
  {
    name: 'job-list: one job ended with a failure, one running',
    now: TEST_NOW,
    message: stamped({
      type: 'job-list', rid: 0x4000_0004, total: 2, from: 0,
      rows: [
        { job: JOB, file: 'title.ts', size: JOB_CONTENT.length, state: 'failed', age: 61_000, done: 2, failed: 1, total: 3, got: 2 * JOB_CONTENT.length },
        { job: JOB + 1, file: 'trailer.ts', size: 2_000_000, state: 'running', age: 1_500, done: 0, failed: 0, total: 2, got: 700_000 },
      ],
    }),
  },
];

// ---- Other encodings a receiver reads (§2.2, §2.3) ------------------------------------

const TEARDOWN_1: MessageOf<'teardown'> = { type: 'teardown', sid: 1 };

export const LENIENT_EXAMPLES: readonly LenientExample[] = [
  {
    name: 'fields in another order than the catalogue\'s',
    note: 'Receivers look fields up by name.',
    bytes: cat('93 01 06 83', 'a3 6f6666 00', 'a6 636f6f6b6965 c408', COOKIE, 'a3 736964 ce 5eed0001'),
    message: { type: 'play', sid: SID, cookie: COOKIE, off: 0 },
  },
  {
    name: 'an integer in a wider format than needed (uint 32)',
    note: 'Any MessagePack integer format whose value is in range is accepted.',
    bytes: cat('93 01 09 81 a3 736964 ce 00000001'),
    message: TEARDOWN_1,
  },
  {
    name: 'an integer as a positive int 8',
    note: 'Signed formats holding a non-negative value are accepted.',
    bytes: cat('93 01 09 81 a3 736964 d0 01'),
    message: TEARDOWN_1,
  },
  {
    name: 'an offset above 2^32−1 as uint 64 (0xcf)',
    note: 'This version writes such integers as int 64 (0xd3); both 64-bit formats are accepted.',
    bytes: cat('93 01 06 83 a3 736964 01 a6 636f6f6b6965 c408', COOKIE, 'a3 6f6666 cf 0000000100000450'),
    message: { type: 'play', sid: 1, cookie: COOKIE, off: 4_294_968_400 },
  },
  {
    name: 'a field this version does not know',
    note: 'Unknown fields are ignored (§2.3).',
    bytes: cat('93 01 09 82 a3 736964 01 a8 6675747572652d78 92 01 a27a7a'),
    message: TEARDOWN_1,
  },
  {
    name: 'an optional field written as nil',
    note: 'nil stands for an absent field (§2.3).',
    bytes: cat('93 01 01 83 a3 726964 01 a4 66696c65 a1 42 a4 6d6f6465 c0'),
    message: { type: 'request', rid: 1, file: FILE },
  },
  {
    name: 'strings in wider headers than needed (str 8 key, str 16 value)',
    note: 'Any string format is accepted, for keys and values.',
    bytes: cat('93 01 0a 82 d9 03 736964 01 a4 636f6465 da 000d 7368757474696e672d646f776e'),
    message: { type: 'end', sid: 1, code: 'shutting-down' },
  },
  {
    name: 'array 16 envelope and map 16 body',
    note: 'Any array and map format is accepted.',
    bytes: cat('dc 0003 01 09 de 0001 a3 736964 01'),
    message: TEARDOWN_1,
  },
  {
    name: 'an unknown field nested exactly MAX_NESTING deep',
    note: 'Nesting up to MAX_NESTING arrays and maps, the envelope included, is accepted.',
    bytes: cat('93 01 09 82 a3 736964 01 a1 78 91 91 91 90'),
    message: TEARDOWN_1,
  },
  {
    name: 'a MAC element on a message that needs none',
    note: 'The datagram decodes; a receiver checks a MAC only where §9.2 asks for one.',
    bytes: encodeWithMac(TEARDOWN_1, () => new Uint8Array(16).fill(0x5a)),
    message: TEARDOWN_1,
  },
];

// ---- Datagrams a receiver rejects, one code each (§2, §8) ------------------------------

/** Encode without checking: for building datagrams whose fields break the catalogue. */
const unchecked = (m: Record<string, unknown>): Uint8Array => encode(m as unknown as Message);
const TEARDOWN = encode(TEARDOWN_1);
const BODY_SID_1 = '81 a3 736964 01';

export const NEGATIVE_EXAMPLES: readonly NegativeExample[] = [
  { name: 'oversize: one byte more than MAX_DATAGRAM', error: 'oversize', bytes: encode(padded({ type: 'request', rid: 1, file: FILE }, MAX_DATAGRAM + 1)) },
  { name: 'oversize: 1300 zero bytes (the size is checked first)', error: 'oversize', bytes: new Uint8Array(1300) },
  { name: 'truncated: the last byte of a teardown cut off', error: 'truncated', bytes: TEARDOWN.subarray(0, TEARDOWN.length - 1) },
  { name: 'truncated: an array of 3 with 2 items', error: 'truncated', bytes: cat('93 01 09') },
  { name: 'truncated: a string header longer than what follows', error: 'truncated', bytes: cat('93 01 09 81 a3 7369') },
  { name: 'truncated: a bin 8 of 8 bytes with 2', error: 'truncated', bytes: cat('93 01 06 83 a3 736964 01 a3 6f6666 00 a6 636f6f6b6965 c4 08 0102') },
  { name: 'trailing-bytes: a zero byte after the datagram', error: 'trailing-bytes', bytes: cat(TEARDOWN, '00') },
  { name: 'trailing-bytes: two datagrams in one', error: 'trailing-bytes', bytes: cat(TEARDOWN, TEARDOWN) },
  { name: 'malformed: an empty datagram', error: 'malformed', bytes: new Uint8Array(0) },
  { name: 'malformed: the reserved byte 0xc1', error: 'malformed', bytes: cat('c1') },
  { name: 'malformed: 0xc1 as a field value', error: 'malformed', bytes: cat('93 01 09 81 a3 736964 c1') },
  { name: 'unsupported-value: a fixext 1 value', error: 'unsupported-value', bytes: cat('93 01 09 82 a3 736964 01 a1 78 d4 01 00') },
  { name: 'unsupported-value: an ext 8 value', error: 'unsupported-value', bytes: cat('93 01 09 82 a3 736964 01 a1 78 c7 03 01 aabbcc') },
  { name: 'unsupported-value: a timestamp (extension type −1)', error: 'unsupported-value', bytes: cat('93 01 09 82 a3 736964 01 a1 78 d6 ff 00000000') },
  { name: 'unsupported-value: an integer map key', error: 'unsupported-value', bytes: cat('93 01 09 82 a3 736964 01 01 01') },
  { name: 'unsupported-value: a binary map key', error: 'unsupported-value', bytes: cat('93 01 09 82 a3 736964 01 c4 01 78 01') },
  { name: 'unsupported-value: nesting one deeper than MAX_NESTING', error: 'unsupported-value', bytes: cat('93 01 09 82 a3 736964 01 a1 78 91 91 91 91 90') },
  { name: 'bad-envelope: a map at the top level', error: 'bad-envelope', bytes: cat(BODY_SID_1) },
  { name: 'bad-envelope: an integer at the top level', error: 'bad-envelope', bytes: cat('01') },
  { name: 'bad-envelope: an array of 2', error: 'bad-envelope', bytes: cat('92 01 09') },
  { name: 'bad-envelope: an array of 5', error: 'bad-envelope', bytes: cat('95 01 09', BODY_SID_1, 'c4 10', new Uint8Array(16), 'c0') },
  { name: 'bad-envelope: the version is a string', error: 'bad-envelope', bytes: cat('93 a1 31 09', BODY_SID_1) },
  { name: 'bad-envelope: the version is negative', error: 'bad-envelope', bytes: cat('93 ff 09', BODY_SID_1) },
  { name: 'bad-envelope: the type is a string', error: 'bad-envelope', bytes: cat('93 01 a1 39', BODY_SID_1) },
  { name: 'bad-envelope: the body is an array', error: 'bad-envelope', bytes: cat('93 01 09 91 01') },
  { name: 'bad-envelope: the body is nil', error: 'bad-envelope', bytes: cat('93 01 09 c0') },
  { name: 'bad-envelope: a MAC of 15 bytes', error: 'bad-envelope', bytes: cat('94 01 09', BODY_SID_1, 'c4 0f', new Uint8Array(15)) },
  { name: 'bad-envelope: a MAC that is a string', error: 'bad-envelope', bytes: cat('94 01 09', BODY_SID_1, 'b0', new Uint8Array(16).fill(0x41)) },
  { name: 'bad-envelope: a MAC written as bin 16', error: 'bad-envelope', bytes: cat('94 01 09', BODY_SID_1, 'c5 0010', new Uint8Array(16)) },
  { name: 'unknown-version: version 2', error: 'unknown-version', bytes: cat('93 02 09', BODY_SID_1) },
  { name: 'unknown-version: version 0', error: 'unknown-version', bytes: cat('93 00 09', BODY_SID_1) },
  { name: 'unknown-version: version 2 with a type and body v1 does not know', error: 'unknown-version', bytes: cat('93 02 7f 80') },
  { name: 'unknown-type: code 0', error: 'unknown-type', bytes: cat('93 01 00 80') },
  { name: 'unknown-type: code 14, between two defined codes', error: 'unknown-type', bytes: cat('93 01 0e 80') },
  { name: 'unknown-type: code 256', error: 'unknown-type', bytes: cat('93 01 cd 0100 80') },
  { name: 'unknown-type: a negative code', error: 'unknown-type', bytes: cat('93 01 ff 80') },
  { name: 'missing-field: a teardown without sid', error: 'missing-field', bytes: cat('93 01 09 80') },
  { name: 'missing-field: a play without cookie', error: 'missing-field', bytes: unchecked({ type: 'play', sid: 1, off: 0 }) },
  { name: 'missing-field: a required field written as nil', error: 'missing-field', bytes: cat('93 01 01 82 a3 726964 01 a4 66696c65 c0') },
  {
    name: 'missing-field: a server-list entry without its group',
    error: 'missing-field',
    bytes: unchecked({ type: 'server-list', rid: 1, file: FILE, total: 1, from: 0, servers: [{ srv: SRV_A, status: 'up', users: 0, sid: 1 }] }),
  },
  { name: 'bad-field: sid is a string', error: 'bad-field', bytes: unchecked({ type: 'teardown', sid: '1' }) },
  { name: 'bad-field: sid is 0 (ids are never 0)', error: 'bad-field', bytes: cat('93 01 09 81 a3 736964 00') },
  { name: 'bad-field: a request whose rid is 0', error: 'bad-field', bytes: unchecked({ type: 'request', rid: 0, file: FILE }) },
  { name: 'bad-field: a request for a scale of 0', error: 'bad-field', bytes: unchecked({ type: 'request', rid: 1, file: FILE, scale: 0 }) },
  { name: 'bad-field: an adjustment to a scale of 0', error: 'bad-field', bytes: unchecked({ type: 'adjust', sid: 1, n: 1, scale: 0 }) },
  { name: 'bad-field: sid is negative', error: 'bad-field', bytes: cat('93 01 09 81 a3 736964 ff') },
  { name: 'bad-field: sid is 2^32, above uint32', error: 'bad-field', bytes: cat('93 01 09 81 a3 736964 cf 0000000100000000') },
  { name: 'unsupported-value: sid is the float 1.5', error: 'unsupported-value', bytes: cat('93 01 09 81 a3 736964 cb 3ff8000000000000') },
  { name: 'unsupported-value: sid is the float 1.0, a whole number', error: 'unsupported-value', bytes: cat('93 01 09 81 a3 736964 ca 3f800000') },
  { name: 'bad-field: an offset of 2^53, above the largest exact integer', error: 'bad-field', bytes: cat('93 01 06 83 a3 736964 01 a6 636f6f6b6965 c408', COOKIE, 'a3 6f6666 cf 0020000000000000') },
  { name: 'bad-field: a cookie of 7 bytes', error: 'bad-field', bytes: unchecked({ type: 'play', sid: 1, cookie: COOKIE.subarray(0, 7), off: 0 }) },
  { name: 'bad-field: a cookie written as a string', error: 'bad-field', bytes: unchecked({ type: 'play', sid: 1, cookie: 'abcdefgh', off: 0 }) },
  { name: 'bad-field: a file name of 256 bytes', error: 'bad-field', bytes: unchecked({ type: 'request', rid: 1, file: 'x'.repeat(256) }) },
  { name: 'bad-field: a file name of 128 two-byte characters (256 bytes of UTF-8)', error: 'bad-field', bytes: unchecked({ type: 'request', rid: 1, file: 'é'.repeat(128) }) },
  { name: 'bad-field: a mode that is not one of the values', error: 'bad-field', bytes: unchecked({ type: 'request', rid: 1, file: FILE, mode: 'stream' }) },
  { name: 'bad-field: nine servers to avoid', error: 'bad-field', bytes: unchecked({ type: 'request', rid: 1, file: FILE, avoid: Array.from({ length: 9 }, (_, i) => `192.0.2.${i + 1}:5000`) }) },
  { name: 'bad-field: a missing range of three integers', error: 'bad-field', bytes: cat('93 01 08 84 a3 736964 01 a4 6e657874 00 a2 6869 0a a4 6d697373 91 93 00 05 01') },
  { name: 'bad-field: a data payload of DATA_CHUNK + 1 bytes', error: 'bad-field', bytes: unchecked({ type: 'data', sid: 1, seq: 1, off: 0, data: new Uint8Array(DATA_CHUNK + 1) }) },
  { name: 'bad-field: a boolean written as an integer', error: 'bad-field', bytes: unchecked({ type: 'data', sid: 1, seq: 1, off: 0, data: new Uint8Array(1), re: 1 }) },
  {
    name: 'bad-field: a setup whose chunk is larger than DATA_CHUNK',
    error: 'bad-field',
    bytes: unchecked({ type: 'setup', rid: 1, sid: 1, file: FILE, srv: SRV_A, size: 1, rate: 1, chunk: DATA_CHUNK + 1, off: 0, cookie: COOKIE }),
  },
];

// ---- Authentication failures: the datagram decodes, its MAC check fails (§9.2) ---------------

const REGISTER = stamped({ type: 'register', name: SRV_A, epoch: EPOCH, cap: 1_000_000_000, group: 'eu', files: 4, parts: 1 } as MessageOf<'register'>);
const flipLast = (b: Uint8Array, back = 1): Uint8Array => {
  const out = Uint8Array.from(b);
  out[out.length - back] = out[out.length - back]! ^ 0x01;
  return out;
};

export const AUTH_NEGATIVE_EXAMPLES: readonly AuthNegativeExample[] = [
  { name: 'missing-mac: a register without a MAC', error: 'missing-mac', now: TEST_NOW, bytes: encode(REGISTER) },
  { name: 'bad-mac: a register whose MAC has one bit flipped', error: 'bad-mac', now: TEST_NOW, bytes: flipLast(testAuth.encode(REGISTER, TEST_NOW)) },
  { name: 'bad-mac: a register with a MAC under another key', error: 'bad-mac', now: TEST_NOW, bytes: otherAuth.encode(REGISTER, TEST_NOW) },
  {
    // The byte before the MAC element is the last byte of `at`: the datagram still decodes, `at` is off by one.
    name: 'bad-mac: a poll whose `at` was changed after the MAC was made',
    error: 'bad-mac',
    now: TEST_NOW,
    bytes: flipLast(testAuth.encode({ type: 'poll', seq: 42 }, TEST_NOW), 19),
  },
  { name: 'stale-auth: `at` one millisecond more than AUTH_MAX_SKEW in the past', error: 'stale-auth', now: TEST_NOW + AUTH_MAX_SKEW + 1, bytes: testAuth.encode(REGISTER, TEST_NOW) },
  { name: 'stale-auth: `at` one millisecond more than AUTH_MAX_SKEW in the future', error: 'stale-auth', now: TEST_NOW - AUTH_MAX_SKEW - 1, bytes: testAuth.encode(REGISTER, TEST_NOW) },
  {
    name: 'stale-auth: a correct MAC on a message without `at`',
    error: 'stale-auth',
    now: TEST_NOW,
    bytes: encodeWithMac({ type: 'poll', seq: 42 }, (signed) => testAuth.mac(signed)),
  },
];

// ---- Stream tokens (§9.3) ----------------------------------------------------------------------

const ISSUED: TokenClaims = { client: CLIENT, file: FILE, server: SRV_A, sid: SID, exp: EXP };

export const TOKEN_EXAMPLES: readonly TokenExample[] = [
  { name: 'IPv4 client and server', claims: ISSUED },
  {
    name: 'IPv6 client and server, a non-ASCII file name, the largest stream id',
    claims: { client: CLIENT6, file: 'films/été 𝄞.ts', server: SRV_C, sid: 0xffff_ffff, exp: 4_102_444_800_000 },
  },
  { name: 'an empty file name', claims: { client: CLIENT, file: '', server: SRV_B, sid: 1, exp: EXP } },
];

// ---- Handoff tokens (§10.5) ---------------------------------------------------------------------

export const HANDOFF_TOKEN_EXAMPLES: readonly HandoffTokenExample[] = [
  { name: 'IPv4 server', streamKey: STREAM_KEY, sid: SID, server: SRV_B, exp: EXP },
  { name: 'IPv6 server, the largest stream id, another stream key', streamKey: hex('00112233445566778899aabbccddeeff'), sid: 0xffff_ffff, server: SRV_C, exp: 4_102_444_800_000 },
  { name: 'stream id 1, the largest exact expiry (2^53−1)', streamKey: new Uint8Array(16), sid: 1, server: SRV_A, exp: Number.MAX_SAFE_INTEGER },
];

// ---- Stream keys under a cluster key (§10.5) ------------------------------------------------------

/** A stream key a master with a cluster key derives for a stream and its client (§10.5). */
export interface StreamKeyExample {
  readonly name: string;
  readonly sid: number;
  readonly client: string;
}

export const STREAM_KEY_EXAMPLES: readonly StreamKeyExample[] = [
  { name: 'IPv4 client', sid: SID, client: CLIENT },
  { name: 'IPv6 client, the largest stream id', sid: 0xffff_ffff, client: CLIENT6 },
  { name: 'stream id 1', sid: 1, client: CLIENT },
];

export const TOKEN_CHECK_EXAMPLES: readonly TokenCheckExample[] = [
  { name: 'valid', claims: ISSUED, token: TOKEN, now: TEST_NOW, result: 'ok' },
  { name: 'valid in its last millisecond', claims: ISSUED, token: TOKEN, now: EXP - 1, result: 'ok' },
  { name: 'expired at `exp`', claims: ISSUED, token: TOKEN, now: EXP, result: 'token-expired' },
  { name: 'presented from another client address', claims: { ...ISSUED, client: '198.51.100.8:53211' }, token: TOKEN, now: TEST_NOW, result: 'bad-token' },
  { name: 'presented at another server', claims: { ...ISSUED, server: SRV_B }, token: TOKEN, now: TEST_NOW, result: 'bad-token' },
  { name: 'for another file', claims: { ...ISSUED, file: 'C' }, token: TOKEN, now: TEST_NOW, result: 'bad-token' },
  { name: 'for another stream id', claims: { ...ISSUED, sid: SID + 1 }, token: TOKEN, now: TEST_NOW, result: 'bad-token' },
  { name: 'with a later `exp` than issued', claims: { ...ISSUED, exp: EXP + TOKEN_TTL }, token: TOKEN, now: TEST_NOW, result: 'bad-token' },
  { name: 'no token', claims: ISSUED, token: undefined, now: TEST_NOW, result: 'bad-token' },
  { name: 'made under another key', claims: ISSUED, token: otherAuth.token(ISSUED), now: TEST_NOW, result: 'bad-token' },
  { name: 'made under another key and expired: the MAC is checked first', claims: ISSUED, token: otherAuth.token(ISSUED), now: EXP, result: 'bad-token' },
];

/** The digest of a view (§13.3) in `buckets` buckets: each entry is [address, incarnation, state, version of its entry]. */
function viewDigest(buckets: number, entries: readonly (readonly [string, number, 'alive' | 'suspect' | 'dead', number | undefined])[]): Uint8Array {
  const sums = new Uint32Array(buckets);
  for (const [addr, inc, state, v] of entries) {
    const b = bucketOf(fnv1a(addr), buckets);
    sums[b] = sums[b]! + entryHash(addr, inc, state, v === undefined ? undefined : { v });
  }
  return packDigest(sums);
}
