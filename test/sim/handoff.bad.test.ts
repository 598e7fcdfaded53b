import { DRAIN_TIMEOUT } from '../../src/protocol/constants.js';
/**
 * What bad input gets during a handoff (issue 3), in the simulator: forged
 * `switch`es are refused and the stream stays; unauthenticated `establish`,
 * `move`, `order` and `control` are dropped and nothing moves; two servers
 * feeding one stream at once never make the client write a byte twice; with no
 * other server for the stream, the client ends with a clear error and an exact
 * prefix of the file. And the same seed gives the same run, handoffs included.
 */
import { describe, expect, it } from 'vitest';
import { ClusterAuth, handoffToken } from '../../src/protocol/auth.js';
import { encode } from '../../src/protocol/codec.js';
import type { Message } from '../../src/protocol/messages.js';
import { nodeCrypto } from '../../src/platform/crypto.js';
import { PERFECT_LINK } from '../../testbed/sim/network.js';
import { KEY } from '../helpers/roleDriver.js';
import { deliverForged, expectedBytes, forSeeds, MASTER, seedRange, traceHasher } from '../helpers/simCluster.js';
import { CLIENT, copyProblem, eventsAt, finish, type Item, ITEMS, masterHandoffs, playingStream, server, sinceStart, singleFlow, twoFlows } from './handoffScenario.js';
import { LOSSY, runUntil } from './simAssert.js';

const SEEDS = seedRange(3300, 10);
const LINKS = [['no loss', undefined], ['5% loss', LOSSY]] as const;
const ATTACKER = '10.6.6.6:666';
const OPERATOR = '10.0.9.1:7000';

/** A server other than `first`. */
const another = (first: string) => (first === server(0) ? server(1) : server(0));

/** Dropped datagrams of one code, by role. */
const drops = (role: { dropped: ReadonlyMap<string, number> }, code: string) => role.dropped.get(code) ?? 0;

describe('simulated handoff, bad input: forged switches', () => {
  for (const [linkName, link] of LINKS) {
    for (const [itemName, item] of ITEMS) {
      it(`${itemName}, ${linkName}: a bad token, an expired one, another stream's, another sender's: refused, the stream stays`, () => {
        forSeeds(SEEDS, (seed) => {
          const p = playingStream({ seed, item, link, playFor: 600 });
          expect(p, 'the stream plays').toBeDefined();
          const { c, cl, first, sid } = p!;
          const to = another(first);
          const sk = c.master.assignmentView(sid)!.sk!;
          const now = Math.floor(c.net.now);
          const cookie = new Uint8Array(8).fill(9);
          const sw = (over: Partial<Extract<Message, { type: 'switch' }>>): Uint8Array => {
            const exp = now + 10_000;
            return encode({ type: 'switch', sid, srv: to, cookie, off: 0, npt: 0, scale: 1000, tok: handoffToken(nodeCrypto, sk, sid, to, exp), exp, why: 'drain', ...over });
          };
          // From the serving server's address: a made-up token; a genuine one that has expired.
          deliverForged(c.net, CLIENT, first, sw({ tok: new Uint8Array(16).fill(7) }));
          deliverForged(c.net, CLIENT, first, sw({ exp: now - 1, tok: handoffToken(nodeCrypto, sk, sid, to, now - 1) }));
          // A genuine token for this stream, but sent by someone else, and one for another stream.
          deliverForged(c.net, CLIENT, ATTACKER, sw({}));
          deliverForged(c.net, CLIENT, first, sw({ sid: (sid ^ 1) >>> 0, tok: handoffToken(nodeCrypto, sk, (sid ^ 1) >>> 0, to, now + 10_000) }));
          expect(eventsAt(c, CLIENT, 'switch-refused').map((e) => e.e.why)).toEqual(['bad token', 'token expired']);
          const dropped = eventsAt(c, CLIENT, 'dropped').filter((l) => l.e.msg === 'switch');
          expect(dropped.map((l) => [l.e.code, l.e.from])).toEqual([['bad-token', first], ['bad-token', first], ['unexpected-message', ATTACKER], ['unexpected-message', first]]);
          finish(c);
          const context = () => `${JSON.stringify(cl.client.result)}\n${c.logText()}`;
          expect(copyProblem(cl, item), context()).toBeUndefined();
          expect(sinceStart(p!)).toEqual({ servers: [first], handoffs: [] });
          expect(c.log.filter((l) => l.at >= p!.at && l.e.type === 'stream-setup'), 'no server set anything up').toEqual([]);
        });
      });
    }
  }
});

describe('simulated handoff, bad input: unauthenticated control messages with a cluster key', () => {
  for (const [linkName, link] of LINKS) {
    for (const [itemName, item] of ITEMS) {
      it(`${itemName}, ${linkName}: forged establish, move, order and control are dropped (MAC), nothing moves`, () => {
        forSeeds(SEEDS, (seed) => {
          const p = playingStream({ seed, item, link, key: KEY, playFor: 600 });
          expect(p, 'the stream plays').toBeDefined();
          const { c, cl, first, sid } = p!;
          const to = another(first);
          const fromSrv = c.servers.find((s) => s.config.name === first)!;
          const toSrv = c.servers.find((s) => s.config.name === to)!;
          const sk = c.master.assignmentView(sid)!.sk!;
          const now = Math.floor(c.net.now);
          const exp = now + 10_000;
          const forged: [string, string, Message][] = [
            [to, MASTER, { type: 'establish', rid: 1, sid, file: item.name, client: CLIENT, npt: 100, scale: 1000, why: 'drain', at: now }],
            // Even with a genuine handoff token, a `move` needs the master's MAC.
            [first, MASTER, { type: 'move', sid, srv: to, cookie: new Uint8Array(8), off: 0, npt: 0, scale: 1000, tok: handoffToken(nodeCrypto, sk, sid, to, exp), exp, why: 'operator', at: now }],
            [first, MASTER, { type: 'order', op: 'drain', at: now }],
            [first, MASTER, { type: 'order', op: 'capacity', cap: 1, at: now }],
            [MASTER, OPERATOR, { type: 'control', rid: 1, op: 'drain', srv: first, at: now }],
            [MASTER, OPERATOR, { type: 'control', rid: 2, op: 'handoff', sid, srv: to, at: now }],
            [MASTER, OPERATOR, { type: 'control', rid: 3, op: 'capacity', srv: first, cap: 1, at: now }],
          ];
          const wrongKey = new ClusterAuth('not the cluster key', nodeCrypto);
          const roles = [fromSrv, toSrv, c.master] as const;
          const before = roles.map((r) => [drops(r, 'missing-mac'), drops(r, 'bad-mac')]);
          for (const [dest, from, m] of forged) {
            deliverForged(c.net, dest, from, encode(m));
            deliverForged(c.net, dest, from, wrongKey.encode(m, now));
          }
          // Each forged message counted once without a MAC and once with a wrong one, where it arrived.
          const expected = [3, 1, 3];
          roles.forEach((r, i) => {
            expect(drops(r, 'missing-mac') - before[i]![0]!).toBe(expected[i]);
            expect(drops(r, 'bad-mac') - before[i]![1]!).toBe(expected[i]);
          });
          expect(toSrv.streamView(sid)).toBeUndefined();
          expect(fromSrv.drainingSince).toBeUndefined();
          expect(fromSrv.cap).toBe(1_000_000_000);
          // The master took no forged operator's order (no `control-result` goes back: it reports each order it takes).
          expect(eventsAt(c, MASTER, 'order')).toEqual([]);
          expect(eventsAt(c, MASTER, 'handoff-start').filter((l) => l.e.why === 'operator')).toEqual([]);
          finish(c);
          const context = () => `${JSON.stringify(cl.client.result)}\n${c.logText()}`;
          expect(copyProblem(cl, item), context()).toBeUndefined();
          expect(sinceStart(p!).servers).toEqual([first]);
          expect(eventsAt(c, MASTER, 'order')).toEqual([]);
          expect(eventsAt(c, MASTER, 'handoff-start')).toEqual([]);
          expect(eventsAt(c, CLIENT, 'switch')).toEqual([]);
        });
      });
    }
  }
});

describe('simulated handoff, bad input: two servers streaming one stream at once', () => {
  for (const [linkName, link] of LINKS) {
    for (const [itemName, item] of ITEMS) {
      it(`${itemName}, ${linkName}: the old server never hears the teardown and streams to the end; no byte is written twice`, () => {
        let duplicates = 0;
        forSeeds(SEEDS, (seed) => {
          const p = playingStream({ seed, item, link, playFor: 500 });
          expect(p, 'the stream plays').toBeDefined();
          const { c, cl, first } = p!;
          // The new server's data comes late and out of order, so both servers' data is in flight at once.
          for (let i = 0; i < 3; i++) {
            if (server(i) !== first) c.net.setLink(server(i), CLIENT, { loss: link?.loss ?? 0, delay: 60, jitter: 40, duplicate: 0.05, reorder: 0.2 });
          }
          c.net.command(first, { type: 'capacity', cap: 1000 });
          runUntil(c, () => eventsAt(c, CLIENT, 'switch').length > 0, 'the switch', 10_000);
          // From the switch on, nothing from the client reaches the old server: it keeps streaming.
          c.net.setLink(CLIENT, first, { ...PERFECT_LINK, loss: 1 });
          finish(c);
          const context = () => `${JSON.stringify(cl.client.result)}\n${c.logText()}`;
          expect(copyProblem(cl, item), context()).toBeUndefined();
          const r = cl.client.result!;
          expect(sinceStart(p!).handoffs.length).toBeGreaterThanOrEqual(1);
          const old = c.servers.find((s) => s.config.name === first)!;
          // The old server went on sending after the switch (it was never told to stop).
          expect(c.log.some((l) => l.addr === first && l.e.type === 'stream-end' && l.e.reason === 'teardown')).toBe(false);
          expect(old.counters.sent).toBeGreaterThan(0);
          duplicates += r.duplicates;
        });
        // The client did receive bytes twice (from both servers), and wrote each once.
        if (!process.env.SEED) expect(duplicates).toBeGreaterThan(0);
      });
    }
  }
});

describe('simulated handoff, bad input: a second server that cannot take the stream', () => {
  for (const [linkName, link] of LINKS) {
    for (const [itemName, item] of ITEMS) {
      it(`${itemName}, ${linkName}: the server the master tries first no longer holds the file; it refuses and another is tried`, () => {
        forSeeds(SEEDS, (seed) => {
          // Two large servers and a smaller one: the master's choice goes to the large ones first.
          const servers = [{ files: [item.file] }, { files: [item.file] }, { files: [item.file], cap: 50_000_000 }];
          const p = playingStream({ seed, item, link, servers, playFor: 600 });
          expect(p, 'the stream plays').toBeDefined();
          const { c, cl, first, sid } = p!;
          expect(first).not.toBe(server(2));
          const other = first === server(0) ? server(1) : server(0);
          // Its store lost the file after it listed it: the master's catalog still names it.
          c.servers.find((s) => s.config.name === other)!.files.delete(item.name);
          c.net.command(first, { type: 'drain' });
          finish(c);
          const context = () => `${JSON.stringify(cl.client.result)}\n${c.logText()}`;
          expect(copyProblem(cl, item), context()).toBeUndefined();
          const refused = eventsAt(c, MASTER, 'establish-refused').filter((e) => e.e.sid === sid);
          // The stream ends at the third server, whichever way: the master's handoff, or (with loss,
          // the establish there lost too) the client's own, sent away from the server that refuses it.
          expect(sinceStart(p!).servers.at(-1), context()).toBe(server(2));
          expect(masterHandoffs(c, p!.at).filter((h) => h.e.sid === sid).at(-1)?.to, context()).toBe(server(2));
          if (!link) {
            expect(refused.map((e) => [e.e.srv, e.e.code])).toEqual([[other, 'not-found']]);
            expect(masterHandoffs(c, p!.at)).toMatchObject([{ from: first, to: server(2), e: { by: 'master', why: 'drain' } }]);
            expect(sinceStart(p!).servers).toEqual([first, server(2)]);
          }
        });
      });
    }
  }
});

describe('simulated handoff, bad input: no other server can take the stream', () => {
  // A slow item (400 kbit/s, 20 s) outlasts DRAIN_TIMEOUT: no other server can take it, so the client
  // stays with the draining server as long as it streams (`stay`), then fails once it has gone.
  const SLOW: readonly (readonly [string, Item])[] = [['one flow', singleFlow(20, 'slow.ts', 400_000)], ['two flows', twoFlows(20, 'slowshow', 400_000)]];
  for (const [linkName, link] of LINKS) {
    for (const [itemName, item] of SLOW) {
      it(`${itemName}, ${linkName}: a drained single server: a clear error, the copy so far an exact prefix`, () => {
        forSeeds(SEEDS, (seed) => {
          // One server holds the item; another holds something else only.
          const servers = [{ files: [item.file] }, { files: [singleFlow(1, 'other.ts').file] }];
          const p = playingStream({ seed, item, link, servers, playFor: 1500 });
          expect(p, 'the stream plays').toBeDefined();
          const { c, cl, first, sid } = p!;
          expect(first).toBe(server(0));
          c.net.command(first, { type: 'drain' });
          finish(c);
          const r = cl.client.result!;
          const context = () => `${JSON.stringify(r)}\n${c.logText()}`;
          // Gone from the catalog (it left), or still listed and without room: a clear error either way.
          expect(['not-found', 'no-capacity'], context()).toContain(r.code);
          expect(r.message).toMatch(/no server hold/);
          // It stayed with the draining server while it streamed: it ended no earlier than DRAIN_TIMEOUT.
          expect(r.finished - (c.log.find((l) => l.addr === first && l.e.type === 'draining')?.at ?? Infinity)).toBeGreaterThanOrEqual(DRAIN_TIMEOUT);
          expect(cl.wrong).toBe(0);
          item.flows.forEach((f, i) => {
            const copy = cl.copies[i] ?? new Uint8Array(0);
            expect(copy.length, `flow ${i} has bytes`).toBeGreaterThan(0);
            expect(copy.length).toBeLessThan(f.size);
            expect(Buffer.from(copy).equals(Buffer.from(expectedBytes(f.name, f.size).subarray(0, copy.length))), `flow ${i} is an exact prefix`).toBe(true);
          });
          const failed = eventsAt(c, MASTER, 'handoff-failed').filter((f) => f.e.sid === sid);
          expect(failed[0]?.e, context()).toMatchObject({ why: 'drain', reason: 'no other server holds the file with room for it', tried: [] });
        });
      });
    }
  }

  for (const [linkName, link] of LINKS) {
    it(`one flow, ${linkName}: an overloaded single server keeps its stream, which completes there`, () => {
      forSeeds(SEEDS, (seed) => {
        const item = ITEMS[0][1];
        const p = playingStream({ seed, item, link, servers: 1, playFor: 500 });
        expect(p, 'the stream plays').toBeDefined();
        const { c, cl, first, sid } = p!;
        c.net.command(first, { type: 'capacity', cap: 1000 });
        finish(c);
        expect(copyProblem(cl, item), c.logText()).toBeUndefined();
        expect(sinceStart(p!).servers).toEqual([first]);
        expect(eventsAt(c, MASTER, 'handoff-failed').some((f) => f.e.sid === sid && f.e.why === 'overload')).toBe(true);
        expect(masterHandoffs(c)).toEqual([]);
      });
    });
  }
});

describe('simulated handoff: determinism', () => {
  /** A lossy keyed run with a drain, then a crash of the server the stream moved to. */
  function run(seed: number) {
    let hash: () => string = () => '';
    const item = ITEMS[1][1];
    const p = playingStream({ seed, item, link: LOSSY, key: KEY, playFor: 700, onCluster: (c) => (hash = traceHasher(c.net)) })!;
    const { c, cl, first } = p;
    c.net.command(first, { type: 'drain' });
    runUntil(c, () => eventsAt(c, CLIENT, 'handoff').length > 0, 'the first handoff', 10_000);
    c.net.remove(eventsAt(c, CLIENT, 'handoff')[0]!.e.to);
    finish(c);
    return { hash: hash(), result: cl.client.result, handoffs: masterHandoffs(c).map((h) => h.e), now: c.net.now, ok: copyProblem(cl, item) };
  }

  it('the same seed gives the identical trace, results and handoffs; different seeds differ', () => {
    const hashes = new Set<string>();
    forSeeds(seedRange(3400, 4), (seed) => {
      const a = run(seed);
      const b = run(seed);
      expect(a.ok).toBeUndefined();
      expect(a.result!.handoffs.length).toBeGreaterThanOrEqual(2);
      expect(b.hash).toBe(a.hash);
      expect(b.result).toEqual(a.result);
      expect(b.handoffs).toEqual(a.handoffs);
      expect(b.now).toBe(a.now);
      hashes.add(a.hash);
    });
    if (!process.env.SEED) expect(hashes.size).toBe(4);
  });
});
