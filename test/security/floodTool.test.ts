/**
 * The parts of `ofp tool flood` and `--rate-limit` that need no socket: each
 * kind sends what it says, targets are loopback only, limits parse as
 * documented.
 */
import { describe, expect, it } from 'vitest';
import { decode } from '../../src/protocol/codec.js';
import { MAX_CONTENT_PARTS, MAX_DATAGRAM, MAX_NAMES_PER_SERVER, RATE_LIMIT, RATE_LIMIT_BURST, REGISTER_PAD_TO, REQUEST_PAD_TO, RESERVE_SOURCE_SHARE } from '../../src/protocol/constants.js';
import { Rng } from '../../src/protocol/rng.js';
import { BOOK_SOCKETS, FLOOD_KINDS, type FloodKind } from '../../src/runtime/flood/catalog.js';
import { floodGenerator } from '../../src/runtime/flood/kinds.js';
import { parseFloodTarget } from '../../src/runtime/flood/target.js';
import { isLoopback } from '../../src/runtime/resolve.js';
import { parseRateLimit } from '../../src/runtime/rateLimitFlag.js';
import { UsageError } from '../../src/errors.js';
import { file, MasterFixture, RATE } from '../helpers/masterFixture.js';
import { testAuth } from '../helpers/roleDriver.js';

const sample = (kind: FloodKind, n = 200) => {
  const next = floodGenerator(kind, { rng: new Rng(5), file: 'movie.ts', target: '127.0.0.1:7700' });
  return Array.from({ length: n }, () => next());
};

describe('flood kinds', () => {
  it('random and oversize: random bytes within and beyond MAX_DATAGRAM', () => {
    for (const b of sample('random')) {
      expect(b.length).toBeGreaterThanOrEqual(1);
      expect(b.length).toBeLessThanOrEqual(MAX_DATAGRAM);
    }
    for (const b of sample('oversize')) expect(b.length).toBeGreaterThan(MAX_DATAGRAM);
  });

  it('truncated: never decodes', () => {
    for (const b of sample('truncated')) expect(decode(b).ok).toBe(false);
  });

  it('replay: the same padded request every time; request: a new one each time', () => {
    const replay = sample('replay', 10);
    for (const b of replay) expect(b).toBe(replay[0]);
    const r = decode(replay[0]!);
    expect(r.ok && r.msg.type === 'request').toBe(true);
    expect(replay[0]!.length).toBe(REQUEST_PAD_TO);
    const rids = new Set(sample('request', 100).map((b) => { const d = decode(b); return d.ok && d.msg.type === 'request' ? d.msg.rid : -1; }));
    expect(rids.size).toBe(100);
  });

  it('book: new padded requests from BOOK_SOCKETS sockets in turn; a master lets that host book at most its share, and serves others', () => {
    const next = floodGenerator('book', { rng: new Rng(5), file: 'B', target: '127.0.0.1:7700' });
    expect(next.sockets).toBe(BOOK_SOCKETS);
    const f = new MasterFixture();
    for (let i = 0; i < 3; i++) f.addServer({ files: [file('B')], cap: 8 * RATE });
    const rids = new Set<number>();
    for (let i = 0; i < 1_100; i++) {
      const bytes = next();
      expect(bytes.length).toBe(REQUEST_PAD_TO);
      const d = decode(bytes);
      if (d.ok && d.msg.type === 'request') rids.add(d.msg.rid);
      // As the engine sends them: datagram i from socket i % BOOK_SOCKETS.
      f.d.datagram(`127.0.0.1:${41000 + (i % BOOK_SOCKETS)}`, bytes);
    }
    expect(rids.size).toBe(1_100);
    expect(f.master.reservedBySource('127.0.0.1:41000')).toBeLessThanOrEqual(RESERVE_SOURCE_SHARE * 3 * 8 * RATE);
    // Clients of other hosts find the rest of the room.
    for (let i = 1; i <= 12; i++) expect(f.answer(`10.${i}.0.1:6000`, 'B').type).toBe('redirect');
  });

  it('bad-version: well-formed, refused as an unknown version', () => {
    for (const b of sample('bad-version')) expect(decode(b)).toMatchObject({ ok: false, code: 'unknown-version' });
  });

  it('spoofed-poll: polls and load reports that no holder of the key would accept', () => {
    const auth = testAuth();
    const types = new Set<string>();
    for (const b of sample('spoofed-poll')) {
      const d = decode(b);
      expect(d.ok).toBe(true);
      if (!d.ok) continue;
      types.add(d.msg.type);
      expect(auth.verify(d, Date.now())).toMatch(/^(missing-mac|bad-mac)$/);
    }
    expect([...types].sort()).toEqual(['load', 'poll']);
  });

  it('every kind is one of the documented ones', () => {
    expect([...FLOOD_KINDS].sort()).toEqual(['bad-version', 'book', 'fake-catalog', 'oversize', 'random', 'replay', 'request', 'spoofed-poll', 'truncated']);
  });

  it('fake-catalog: padded registers until answered, then content parts full of names; a master keeps no more than its bounds', () => {
    const next = floodGenerator('fake-catalog', { rng: new Rng(5), file: 'movie.ts', target: '127.0.0.1:7700' });
    for (const b of [next(), next()]) {
      const d = decode(b);
      expect(d.ok && d.msg.type === 'register' && d.mac === undefined).toBe(true);
      if (d.ok && d.msg.type === 'register') expect(d.msg).toMatchObject({ parts: MAX_CONTENT_PARTS, files: MAX_NAMES_PER_SERVER });
      expect(b.length).toBeGreaterThanOrEqual(REGISTER_PAD_TO);
    }
    // Against a master core (no key): it is refused at the part that passes MAX_NAMES_PER_SERVER, and starts over.
    const f = new MasterFixture({ config: { pollInterval: 1_000_000 } });
    const from = '127.0.0.1:40000';
    let most = 0;
    let parts = 0;
    for (let i = 0; i < 2_000 && f.master.bounds.refused.names < 2; i++) {
      const bytes = next();
      expect(bytes.length).toBeLessThanOrEqual(MAX_DATAGRAM);
      const d = decode(bytes);
      if (d.ok && d.msg.type === 'content') {
        parts++;
        expect(d.msg.files.length).toBeGreaterThan(100);
      }
      for (const s of f.d.datagram(from, bytes)) next.onAnswer?.(s.msg!);
      most = Math.max(most, f.master.serversView().reduce((n, r) => n + r.files, 0));
    }
    expect(f.master.bounds.refused.names).toBe(2);
    expect(parts).toBeGreaterThan(MAX_NAMES_PER_SERVER / 256);
    expect(most).toBeLessThanOrEqual(MAX_NAMES_PER_SERVER);
    expect(f.master.serversView().length).toBe(0);
    expect(f.master.catalog.fileCount).toBe(0);
    // One warning for the two refusals of this host (REFUSAL_REPORT_INTERVAL).
    expect(f.d.eventsOf('registration-refused')).toMatchObject([{ bound: 'names', addr: from }]);
  });
});

describe('flood targets: loopback only', () => {
  it('takes 127.0.0.0/8 and ::1', () => {
    for (const t of ['127.0.0.1:7700', '127.1.2.3:1', '[::1]:7700', 'localhost:7700']) expect(() => parseFloodTarget(t), t).not.toThrow();
    expect(parseFloodTarget('[::1]:9').family).toBe(6);
  });

  it('refuses any other host, and what is not HOST:PORT', () => {
    for (const t of ['10.0.0.1:7700', '192.168.1.1:53', '0.0.0.0:7700', '[2001:db8::1]:7700', '[::]:7700', '128.0.0.1:1', 'example.com:80', '127.0.0.1', 'nonsense']) {
      expect(() => parseFloodTarget(t), t).toThrow(UsageError);
    }
    expect(isLoopback('::ffff:10.0.0.1')).toBe(false);
  });
});

describe('--rate-limit', () => {
  it('off, on, N/s, N/s:BURST', () => {
    expect(parseRateLimit('off')).toBeUndefined();
    expect(parseRateLimit('on')).toEqual({ rate: RATE_LIMIT, burst: RATE_LIMIT_BURST });
    expect(parseRateLimit('500/s')).toEqual({ rate: 500, burst: 1000 });
    expect(parseRateLimit('500')).toEqual({ rate: 500, burst: 1000 });
    expect(parseRateLimit('500/s:20')).toEqual({ rate: 500, burst: 20 });
  });

  it('refuses anything else with a usage error', () => {
    for (const t of ['', 'fast', '-1/s', '1.5/s', '10/m', '10/s:0', '99999999999/s']) expect(() => parseRateLimit(t), t).toThrow(UsageError);
  });
});
