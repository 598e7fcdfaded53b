/**
 * The per-source limit at each role's datagram entry (§9.5): a flooding
 * source gets its burst and its rate, no more, and is reported once per
 * interval; other sources, and the role's own peers (registered servers at a
 * master, the master at a server), are not starved.
 */
import { describe, expect, it } from 'vitest';
import { RATE_LIMIT_REPORT_INTERVAL, TOKEN_TTL } from '../../src/protocol/constants.js';
import type { MessageOf } from '../../src/protocol/messages.js';
import { padded } from '../../src/protocol/padding.js';
import type { RateLimit } from '../../src/roles/rateLimit.js';
import { MediaServer, type ServerCommand } from '../../src/roles/server/server.js';
import { file, MasterFixture } from '../helpers/masterFixture.js';
import { Driver, KEY, ofType, testAuth, testDeps } from '../helpers/roleDriver.js';
import { syntheticReader } from '../helpers/simCluster.js';

const LIMIT: RateLimit = { rate: 100, burst: 20 };
const EVIL = '10.6.6.6:666';
const GOOD = '10.0.2.2:6000';

describe('master: per-source rate limit', () => {
  const fixture = (rateLimit?: RateLimit) => {
    const f = new MasterFixture({ key: KEY, config: rateLimit ? { rateLimit } : {} });
    f.addServer({ files: [file('movie.ts')] });
    return f;
  };
  const request = (rid: number) => padded({ type: 'request', rid, file: 'movie.ts' } as MessageOf<'request'>);

  it('a flooding source is answered for its burst only, and reported once', () => {
    const f = fixture(LIMIT);
    let answered = 0;
    for (let i = 0; i < 500; i++) answered += f.d.datagram(EVIL, request(1_000 + i)).filter((s) => s.to === EVIL).length;
    expect(answered).toBe(LIMIT.burst);
    expect(f.master.limiter!.stats.dropped).toBe(500 - LIMIT.burst);
    expect(f.d.eventsOf('rate-limited')).toEqual([expect.objectContaining({ from: EVIL, dropped: 1, rate: LIMIT.rate, burst: LIMIT.burst })]);
    // Nothing of what was dropped was decoded, counted for amplification or answered.
    expect(f.master.counters.received).toBeLessThan(50);
  });

  it('while one source floods, another is answered', () => {
    const f = fixture(LIMIT);
    for (let i = 0; i < 500; i++) f.d.datagram(EVIL, request(i + 1));
    expect(f.answer(GOOD, 'movie.ts').type).toBe('redirect');
  });

  it('a flood over several intervals: the source gets the rate, and one report per interval', () => {
    const f = fixture(LIMIT);
    let answered = 0;
    // 1000 requests a second for 3 s.
    for (let i = 0; i < 3_000; i++) {
      f.d.advance(1);
      answered += f.d.datagram(EVIL, request(i + 1)).filter((s) => s.to === EVIL).length;
    }
    expect(answered).toBeGreaterThanOrEqual(LIMIT.burst + 2.9 * LIMIT.rate);
    expect(answered).toBeLessThanOrEqual(LIMIT.burst + 3 * LIMIT.rate + 1);
    const reports = f.d.eventsOf('rate-limited');
    expect(reports.length).toBeGreaterThanOrEqual(3);
    expect(reports.length).toBeLessThanOrEqual(3_000 / RATE_LIMIT_REPORT_INTERVAL + 1);
  });

  it('registered servers are exempt: every content repeat of a server is acknowledged', () => {
    const f = fixture(LIMIT);
    const server = f.servers[0]!;
    let acks = 0;
    for (let i = 0; i < 200; i++) acks += ofType(server.content(0), 'content-ack').length;
    expect(acks).toBe(200);
    expect(f.master.limiter!.stats.dropped).toBe(0);
  });

  it('without a limit configured, nothing is limited', () => {
    const f = fixture();
    expect(f.master.limiter).toBeUndefined();
    let answered = 0;
    for (let i = 0; i < 200; i++) answered += f.d.datagram(EVIL, request(i + 1)).filter((s) => s.to === EVIL).length;
    expect(answered).toBe(200);
  });
});

describe('server: per-source rate limit', () => {
  const MASTER = '10.0.0.1:4000';
  const NAME = '10.0.1.1:5000';
  const auth = testAuth();
  const files = [{ name: 'movie.ts', size: 5_000_000, rate: 4_000_000 }];
  const registered = (rateLimit?: RateLimit) => {
    const d = new Driver<ServerCommand, MediaServer>(new MediaServer(testDeps(2, KEY), { name: NAME, masters: [MASTER], group: 'default', cap: 1e9, files, ...(rateLimit ? { rateLimit } : {}) }, syntheticReader()));
    d.command({ type: 'start' });
    const cookie = new Uint8Array(8).fill(7);
    const content = ofType(d.control(MASTER, { type: 'register-ack', name: NAME, epoch: d.role.epoch, cookie, interval: 1000 }, auth), 'content');
    for (const c of content) d.control(MASTER, { type: 'content-ack', epoch: d.role.epoch, part: c.part }, auth);
    expect(d.role.state).toBe('registered');
    return d;
  };
  const request = (d: Driver<ServerCommand, MediaServer>, from: string, sid: number) => {
    const exp = Math.floor(d.now) + TOKEN_TTL;
    const tok = auth.token({ client: from, file: 'movie.ts', server: NAME, sid, exp });
    return d.datagram(from, padded({ type: 'request', rid: sid, file: 'movie.ts', sid, tok, exp }));
  };

  it('its master is exempt: every poll of a burst is answered', () => {
    const d = registered(LIMIT);
    let loads = 0;
    for (let i = 0; i < 200; i++) loads += ofType(d.control(MASTER, { type: 'poll', seq: i + 1 }, auth), 'load').length;
    expect(loads).toBe(200);
    expect(d.role.limiter!.stats.dropped).toBe(0);
  });

  it('a flooding source gets its burst; a client streaming meanwhile is not touched', () => {
    const d = registered(LIMIT);
    const setup = ofType(request(d, GOOD, 500), 'setup')[0]!;
    d.datagram(GOOD, { type: 'play', sid: setup.sid, cookie: setup.cookie, off: 0 });
    let answered = 0;
    let data = 0;
    let next = 0;
    // 2 s: the flood sends 10 requests a millisecond; the client acks every 100 ms.
    for (let t = 0; t < 2_000; t++) {
      for (const s of d.advance(1)) if (s.to === GOOD && s.msg?.type === 'data') data += (s.msg as MessageOf<'data'>).data.length;
      for (let i = 0; i < 10; i++) answered += request(d, EVIL, 10_000 + t * 10 + i).filter((s) => s.to === EVIL).length;
      if (t % 100 === 99) {
        next = Math.min(5_000_000, data);
        d.datagram(GOOD, { type: 'ack', sid: setup.sid, next, hi: next, miss: [] });
      }
    }
    expect(answered).toBeLessThanOrEqual(LIMIT.burst + 2 * LIMIT.rate + 1);
    // 4 Mbit/s for 2 s: about 1 MB, whatever the flood.
    expect(data).toBeGreaterThan(900_000);
    const reports = d.eventsOf('rate-limited');
    expect(reports.every((e) => e.from === EVIL)).toBe(true);
    expect(reports.length).toBeGreaterThanOrEqual(2);
    expect(reports.length).toBeLessThanOrEqual(3);
    expect(d.role.streamView(setup.sid)?.client).toBe(GOOD);
  });
});
