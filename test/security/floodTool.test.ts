/**
 * The parts of `ofp tool flood` and `--rate-limit` that need no socket: each
 * kind sends what it says, targets are loopback only, limits parse as
 * documented.
 */
import { describe, expect, it } from 'vitest';
import { decode } from '../../src/protocol/codec.js';
import { MAX_DATAGRAM, RATE_LIMIT, RATE_LIMIT_BURST, REQUEST_PAD_TO } from '../../src/protocol/constants.js';
import { Rng } from '../../src/protocol/rng.js';
import { FLOOD_KINDS, type FloodKind, floodGenerator } from '../../src/runtime/flood/kinds.js';
import { isLoopback, parseFloodTarget } from '../../src/runtime/flood/target.js';
import { parseRateLimit } from '../../src/runtime/rateLimitFlag.js';
import { UsageError } from '../../src/runtime/usageError.js';
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
    expect([...FLOOD_KINDS].sort()).toEqual(['bad-version', 'oversize', 'random', 'replay', 'request', 'spoofed-poll', 'truncated']);
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
