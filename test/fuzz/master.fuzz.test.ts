/**
 * Fuzzing of the master core: with two servers registered and a stream
 * assigned, random valid, echoed, mutated and random datagrams from its
 * servers, clients, strangers and IPv6 addresses, with and without a cluster
 * key, in each answer mode; see roleHarness.ts for the invariants.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encode } from '../../src/protocol/codec.js';
import { parseAddress } from '../../src/protocol/address.js';
import type { Message } from '../../src/protocol/messages.js';
import type { Master, MasterCommand, MasterEvent } from '../../src/roles/master/master.js';
import { file, MasterFixture } from '../helpers/masterFixture.js';
import { KEY, testAuth } from '../helpers/roleDriver.js';
import { fuzz, FUZZ_TIMEOUT, fuzzTitle } from './params.js';
import { type Action, arbActions, fromDriver, Fuzzer, type Scene } from './roleHarness.js';

const SERVERS = ['10.0.1.1:5000', '10.0.1.2:5000'];
const POOL = [...SERVERS, '10.0.2.1:6000', '[2001:db8::7]:6000', '10.0.9.9:1', '[::1]:4000'];
const VOCAB = { addrs: POOL, files: ['B', 'x', 'absent'] };

/** The master's tables and their limits (§7.3). */
export function masterTables(m: Master): Record<string, { size: number; limit: number }> {
  // Its own view, and one server record per proven address of the pool.
  return { ...m.tables(), servers: { size: m.serversView().length, limit: POOL.length } };
}

function masterScene(key: boolean, mode: 'redirect' | 'relay'): Scene<MasterCommand, MasterEvent> {
  const f = new MasterFixture({ config: { mode }, ...(key ? { key: KEY } : {}) });
  const fakes = [f.addServer({ files: [file('B'), file('x')] }), f.addServer({ files: [file('B')] })];
  f.ask('10.0.2.1:6000', 'B');
  const m = f.master;
  const auth = f.auth;
  return {
    role: m,
    ...fromDriver(f.d),
    pool: POOL,
    auth: f.auth ?? testAuth(),
    commands: [{ type: 'start' }, { type: 'start' }, { type: 'start' }, { type: 'stop' }],
    proven: SERVERS,
    // A cookie the master sent an address, echoed from there: a server's `content` or `load`, a subscriber's `subscribe`.
    proves: (from, msg, books) => (books.sentCookie(from, msg) ? [from] : []),
    // A portal's authentic `pass` vouches for its client's datagram (§12.3); without a key the master drops it.
    vouches: (d, now) => (auth && d.msg.type === 'pass' && auth.verify(d, now) === undefined && parseAddress(d.msg.client) ? [{ addr: d.msg.client, n: d.msg.size }] : []),
    tables: () => masterTables(m),
    // Its two servers answer polls, listing the streams the master gave them, so they stay up and the streams live.
    respond: (to, msg, now) => {
      const fake = fakes.find((x) => x.addr === to);
      if (!fake || msg.type !== 'poll') return undefined;
      const sids = m.assignmentsView(to).slice(0, 96).map((a) => a.sid);
      const load: Message = { type: 'load', name: fake.addr, epoch: fake.epoch, cookie: fake.cookie, seq: msg.seq, streams: sids.length, bw: 0, sent: 0, cap: fake.cap, sids };
      return auth ? auth.encode(load, now) : encode(load);
    },
    afterQuiet: () => {
      // Left alone, everything in flight ends: nothing may stay behind (unless it was stopped: it takes nothing more).
      if (m.pollTimeout() === undefined) return;
      const t = masterTables(m);
      for (const name of ['candidates', 'forwards', 'pending', 'handoffs', 'handoff request ids', 'assignments']) expect(t[name]!.size, `${name} after 20 s of silence`).toBe(0);
    },
  };
}

const configs = fc.record({ key: fc.boolean(), mode: fc.constantFrom<'redirect' | 'relay'>('redirect', 'relay') });

describe('fuzz: master core', () => {
  const name = 'master: no throw, no amplification, bounded tables, under random inputs';
  it(fuzzTitle(name), () => {
    fuzz(name, fc.property(configs, arbActions(VOCAB, 60), ({ key, mode }, actions: Action[]) => {
      new Fuzzer(masterScene(key, mode)).run(actions);
    }), 40);
  }, FUZZ_TIMEOUT);
});
