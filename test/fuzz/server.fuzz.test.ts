/**
 * Fuzzing of the media server core: registered with its master and streaming
 * to a client, it takes random valid, echoed, mutated and random datagrams
 * from its master's address, its client, other clients, strangers and IPv6
 * addresses, with and without a cluster key, and its commands (drain, a new
 * capacity, stop); see roleHarness.ts for the invariants.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encode } from '../../src/protocol/codec.js';
import type { Message } from '../../src/protocol/messages.js';
import type { MediaFile, MediaServer, ServerCommand, ServerEvent } from '../../src/roles/server/server.js';
import { KEY, testAuth } from '../helpers/roleDriver.js';
import { CLIENT, MASTER, ServerFixture } from '../helpers/serverFixture.js';
import { fuzz, FUZZ_TIMEOUT, fuzzTitle } from './params.js';
import { type Action, arbActions, fromDriver, Fuzzer, type Scene } from './roleHarness.js';

const POOL = [MASTER, CLIENT, '10.0.2.2:6000', '[2001:db8::2]:6000', '10.0.9.9:1'];
const CAP = 2_000_000;
/** Low rates keep the number of data packets, and the test's time, small. */
const FILES: MediaFile[] = [
  { name: 'movie.ts', size: 300_000, rate: 200_000 },
  { name: 'multi', size: 120_000, rate: 150_000, flows: [{ name: 'multi.v', size: 100_000, rate: 100_000 }, { name: 'multi.a', size: 20_000, rate: 50_000 }] },
];
const VOCAB = { addrs: POOL, files: ['movie.ts', 'multi', 'absent'] };

export function serverTables(s: MediaServer): Record<string, { size: number; limit: number }> {
  const minRate = Math.min(...FILES.map((f) => f.rate));
  return {
    // Each stream takes at least a thousandth of its item's rate from the capacity (the smallest scale).
    streams: { size: s.streamCount(), limit: Math.floor((Math.max(CAP, s.cap) * 1000) / minRate) },
    ...s.tables(),
  };
}

function serverScene(key: boolean): Scene<ServerCommand, ServerEvent> {
  const f = new ServerFixture({ files: FILES, cap: CAP, ...(key ? { key: KEY } : {}) }).register();
  f.play('movie.ts');
  f.d.advance(20);
  const s = f.server;
  const auth = f.auth;
  const fromMaster = (m: Message, now: number) => (auth ? auth.encode(m, now) : encode(m));
  return {
    role: s,
    ...fromDriver(f.d),
    pool: POOL,
    auth: f.auth ?? testAuth(),
    commands: [{ type: 'start' }, { type: 'start' }, { type: 'drain' }, { type: 'capacity', cap: 300_000 }, { type: 'capacity', cap: 50_000_000 }, { type: 'start' }, { type: 'start' }, { type: 'stop' }],
    // Its master is configured; a client proves its address with a setup's cookie in `play`.
    proven: [MASTER, CLIENT],
    proves: (from, msg, books) => (msg.type === 'play' && books.anyCookie(msg) ? [from] : []),
    tables: () => serverTables(s),
    // Its master acknowledges registration, content and track events; a client plays half the setups it is sent and
    // acknowledges some of the data, so that streams play, flow and end.
    respond: (to, msg, now) => {
      if (to === MASTER) {
        if (msg.type === 'register') return fromMaster({ type: 'register-ack', name: msg.name, epoch: msg.epoch, cookie: new Uint8Array(8).fill(0x5a), interval: 1000 }, now);
        if (msg.type === 'content') return fromMaster({ type: 'content-ack', epoch: msg.epoch, part: msg.part }, now);
        if (msg.type === 'track') return fromMaster({ type: 'track-ack', sid: msg.sid, n: msg.n }, now);
        return undefined;
      }
      if (msg.type === 'setup' && msg.sid % 2 === 0) return encode({ type: 'play', sid: msg.sid, cookie: msg.cookie, off: msg.off, ...(msg.offs ? { offs: msg.offs } : {}) });
      if (msg.type === 'data' && msg.seq % 8 === 0) {
        const end = msg.off + msg.data.length;
        return encode({ type: 'ack', sid: msg.sid, next: end, hi: end, miss: [], ...(msg.fl ? { fl: msg.fl } : {}) });
      }
      return undefined;
    },
    afterQuiet: () => {
      // Left alone, every stream ends (its client silent, or never played) and its events are given up.
      expect(s.streamCount(), 'streams after 20 s of silence').toBe(0);
      if (s.state === 'stopped') return; // done: it sends (and resends) nothing more
      expect(s.tracker.pending, 'track events after 20 s of silence').toBe(0);
    },
  };
}

describe('fuzz: media server core', () => {
  const name = 'server: no throw, no amplification, bounded tables, under random inputs';
  it(fuzzTitle(name), () => {
    fuzz(name, fc.property(fc.boolean(), arbActions(VOCAB, 60), (key, actions: Action[]) => {
      new Fuzzer(serverScene(key)).run(actions);
    }), 15);
  }, FUZZ_TIMEOUT);
});
