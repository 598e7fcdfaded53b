/** One hand-written instance of every message type, with optional fields set, for round-trip tests. */
import type { MessageOf, MessageType } from '../../src/protocol/messages.js';

const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
const AT = 1_700_000_123_456;

export const SAMPLES: { readonly [K in MessageType]: MessageOf<K> } = {
  request: { type: 'request', rid: 0xffff_ffff, file: 'movies/ß-été.ts', mode: 'list', sid: 9, tok: bytes(16), exp: AT + 30_000, off: 2 ** 40, from: 3, avoid: ['10.0.1.1:5000', '[::1]:5001'], loc: 'par-1', echo: true, pad: bytes(40) },
  redirect: { type: 'redirect', rid: 1, file: 'B', srv: '10.0.1.2:5000', sid: 77, tok: bytes(16, 2), exp: AT },
  setup: { type: 'setup', rid: 2, sid: 3, file: 'B', srv: '[2001:db8::1]:5000', size: 5_000_000_000, rate: 4_000_000, chunk: 1100, off: 0, cookie: bytes(8), at: AT },
  'server-list': {
    type: 'server-list', rid: 4, file: 'B', total: 3, from: 0, exp: AT,
    servers: [
      { srv: '10.0.1.1:5000', status: 'up', users: 2, group: 'eu', sid: 5, tok: bytes(16, 3) },
      { srv: '10.0.1.2:5000', status: 'down', users: 0, group: 'us', sid: 6 },
    ],
  },
  error: { type: 'error', rid: 5, sid: 6, code: 'not-found', msg: 'no server holds "Z"', versions: [1, 2], at: AT },
  play: { type: 'play', sid: 1, cookie: bytes(8, 4), off: 1100 },
  data: { type: 'data', sid: 1, seq: 0xffff_ffff, off: 2 ** 33, data: bytes(1100), re: true },
  ack: { type: 'ack', sid: 1, next: 1100, hi: 5500, miss: [[1100, 1100], [3300, 2200]] },
  teardown: { type: 'teardown', sid: 12 },
  end: { type: 'end', sid: 12, code: 'shutting-down' },
  register: { type: 'register', name: '10.0.1.1:5000', epoch: 99, cap: 1_000_000_000, group: 'default', files: 4, parts: 1, loc: 'par-1', cpus: 16, mem: 65_536, lat: 5, pad: bytes(100), at: AT },
  'register-ack': { type: 'register-ack', name: '10.0.1.1:5000', epoch: 99, cookie: bytes(8, 5), interval: 1000, at: AT },
  content: { type: 'content', name: '10.0.1.1:5000', epoch: 99, cookie: bytes(8, 5), part: 0, parts: 1, files: [['A', 1000, 4_000_000], ['B', 2 ** 36, 8_000_000]], at: AT },
  'content-ack': { type: 'content-ack', epoch: 99, part: 0, peers: ['10.0.1.2:5000', '[2001:db8::5]:5000'], at: AT },
  poll: { type: 'poll', seq: 42, at: AT },
  load: { type: 'load', name: '10.0.1.1:5000', epoch: 99, cookie: bytes(8, 5), seq: 42, streams: 2, bw: 8_000_000, sent: 7_900_000, cap: 1_000_000_000, sids: [1, 2], more: false, vk: 19, vs: 3, at: AT },
  leave: { type: 'leave', name: '10.0.1.1:5000', epoch: 99, cookie: bytes(8, 5), at: AT },
  forward: { type: 'forward', rid: 8, file: 'B', client: '10.0.2.1:6000', sid: 9, off: 0, offs: [0, 4400], scale: 2000, at: AT },
  adjust: { type: 'adjust', sid: 9, n: 2, scale: 1500 },
  'adjust-ack': { type: 'adjust-ack', sid: 9, n: 2, scale: 1500 },
  switch: { type: 'switch', sid: 9, srv: '10.0.1.3:5000', cookie: bytes(8, 6), off: 1100, offs: [1100, 44], npt: 2200, scale: 1000, tok: bytes(16, 7), exp: AT + 30_000, why: 'drain' },
  track: { type: 'track', sid: 9, n: 3, ev: 'play', when: AT, npt: 12_345, scale: 1000, client: '10.0.2.1:6000', file: 'B', at: AT },
  'track-ack': { type: 'track-ack', sid: 9, n: 3, at: AT },
  establish: { type: 'establish', rid: 11, sid: 9, file: 'B', client: '10.0.2.1:6000', npt: 12_345, scale: 2000, why: 'failure', at: AT },
  move: { type: 'move', sid: 9, srv: '10.0.1.3:5000', cookie: bytes(8, 8), off: 1100, npt: 2200, scale: 1000, tok: bytes(16, 9), exp: AT + 30_000, why: 'overload', at: AT },
  order: { type: 'order', op: 'capacity', cap: 8_000_000, at: AT },
  refer: { type: 'refer', rid: 12, master: '10.0.0.2:7700' },
  echo: { type: 'echo', rid: 0xffff_ffff },
  assign: { type: 'assign', srv: '10.0.0.5:5000', sid: 44, client: '[2001:db8::9]:40000', file: 'B', rate: 4_000_000, sk: bytes(16), inc: 7, seq: 3, age: 1_500, hops: 2, at: AT },
  digest: { type: 'digest', ents: [{ srv: '10.0.0.5:5000', inc: 7, seq: 3, sids: [44, 45] }, { srv: '[2001:db8::5]:5000', inc: 1, seq: 9, sids: [] }], at: AT },
  pull: { type: 'pull', sids: [44, 45], at: AT },
  pass: { type: 'pass', client: '[2001:db8::9]:40000', size: 1200, rid: 12, file: 'B', mode: 'relay', off: 1000, from: 0, avoid: ['10.0.0.5:5000'], loc: 'par-1', offs: [1000, 20], scale: 2000, prev: 44, echo: true, at: AT },
  supervise: { type: 'supervise', name: '10.0.0.5:5000', ep: 4, to: '10.0.0.2:7700', pin: true, at: AT },
  member: { type: 'member', k: 'ping-req', seq: 77, target: '10.0.0.3:7700', up: [{ s: 'suspect', a: '10.0.0.3:7700', i: 2, by: '10.0.0.2:7700' }, { s: 'alive', a: '10.0.0.2:7700', i: 0, d: { v: 3, st: 'overloaded', n: 40, g: 'ß-group', bw: 0 } }], dig: bytes(16), bk: [0, 3], pad: bytes(7), at: AT },
  control: { type: 'control', rid: 12, op: 'handoff', sid: 9, srv: '10.0.1.3:5000', pad: bytes(5), at: AT },
  'control-result': { type: 'control-result', rid: 12, ok: false, code: 'unknown-stream', msg: 'this master follows no stream 9', at: AT },
  'status-request': { type: 'status-request', rid: 10, what: 'servers', from: 0, pad: bytes(3), at: AT },
  status: {
    type: 'status', rid: 10, what: 'summary', total: 1, from: 0, at: AT,
    summary: { servers: 3, up: 2, files: 9, sessions: 4, bw: 16_000_000, cap: 3_000_000_000, requests: 100, policy: 'round-robin', mode: 'redirect', uptime: 12_345 },
    servers: [{ name: '10.0.1.1:5000', group: 'g', state: 'joining', files: 4, streams: 1, bw: 1, avg: 1, sent: 1, cap: 10, missed: 0, loc: 'par-1', rtt: 3 }],
    files: [{ file: 'A', size: 10, rate: 20, servers: ['10.0.1.1:5000'] }],
    sessions: [{ sid: 1, client: '10.0.2.1:6000', file: 'A', srv: '10.0.1.1:5000', age: 5, live: true, handoffs: 1, npt: 2_500, size: 10, rate: 20, scale: 1500, moving: true }],
  },
  subscribe: { type: 'subscribe', rid: 13, cookie: bytes(8, 10), since: 40, pad: bytes(7), at: AT },
  'subscribe-ack': { type: 'subscribe-ack', rid: 13, state: 'active', cookie: bytes(8, 10), lease: 10_000, next: 42, at: AT },
  notice: {
    type: 'notice', seq: 40, at: AT,
    events: [
      { ago: 120, ev: 'handoff', sid: 9, srv: '10.0.1.1:5000', to: '10.0.1.3:5000', why: 'failure', npt: 2200, gap: 640 },
      { ago: 0, ev: 'requests', counts: [12, 3, 1] },
      { ago: 0, ev: 'request-errors', code: 'no-capacity', n: 2 },
    ],
  },
};
