/**
 * Fuzzing of the other code that reads what peers send: the MessagePack
 * structure scan, wire addresses (`srv`, `client`, `name` fields), MAC and
 * freshness checks, stream tokens and handoff tokens. None may throw on any
 * input a datagram can carry, and none may accept what it should not.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAddress, parseAddress } from '../../src/protocol/address.js';
import { ClusterAuth, handoffToken } from '../../src/protocol/auth.js';
import { decode, encode, encodeWithMac } from '../../src/protocol/codec.js';
import { MESSAGES } from '../../src/protocol/messages.js';
import { AUTH_MAX_SKEW, MAC_LENGTH, MAX_DATAGRAM, MAX_FILE_NAME, MAX_NAME, TOKEN_LENGTH } from '../../src/protocol/constants.js';
import { scanMessagePack } from '../../src/protocol/scan.js';
import { nodeCrypto } from '../../src/platform/crypto.js';
import { arbMutation, mutate } from '../helpers/arbitraries.js';
import { fuzz, FUZZ_TIMEOUT, fuzzTitle } from './params.js';
import { arbMessage } from './schemaArb.js';

const SCAN_CODES = ['truncated', 'trailing-bytes', 'malformed', 'unsupported-value'];
const auth = new ClusterAuth('fuzz cluster key', nodeCrypto);
const NOW = 1_700_000_000_000;

/** Strings built from the characters addresses are made of, so that near-misses are common. */
const addressLike = fc.oneof(
  fc.string({ unit: fc.constantFrom('1', '2', '7', '0', '9', '.', ':', '[', ']', 'a', 'f', ' ', '-', '\u0000', '٣', '６'), maxLength: 24 }),
  fc.tuple(fc.ipV4(), fc.integer({ min: -5, max: 70_000 })).map(([h, p]) => `${h}:${p}`),
  fc.tuple(fc.ipV6(), fc.integer({ min: -5, max: 70_000 }), fc.boolean()).map(([h, p, br]) => (br ? `[${h}]:${p}` : `${h}:${p}`)),
  fc.string({ maxLength: MAX_NAME }),
);

describe('fuzz: parsers of peer bytes', () => {
  it(fuzzTitle('scan: random bytes never throw and answer a scan code'), () => {
    fuzz('scan: random bytes never throw and answer a scan code', fc.property(fc.uint8Array({ maxLength: MAX_DATAGRAM }), (b) => {
      const r = scanMessagePack(b);
      if (r) expect(SCAN_CODES).toContain(r.code);
    }), 2000);
  }, FUZZ_TIMEOUT);

  it(fuzzTitle('scan: deep nesting of arrays and maps is unsupported-value, never a stack overflow'), () => {
    fuzz('scan: deep nesting of arrays and maps is unsupported-value, never a stack overflow', fc.property(fc.array(fc.constantFrom(0x91, 0x81), { minLength: 7, maxLength: MAX_DATAGRAM - 1 }), (heads) => {
      // Each map needs a string key before its value: give it one.
      const b = Uint8Array.from(heads.flatMap((h) => (h === 0x81 ? [0x81, 0xa0] : [h])).slice(0, MAX_DATAGRAM - 1).concat([0xc0]));
      const r = scanMessagePack(b);
      expect(r?.code === 'unsupported-value' || r?.code === 'truncated', `nesting of ${heads.length}: ${r?.code}`).toBe(true);
    }), 300);
  }, FUZZ_TIMEOUT);

  it(fuzzTitle('address: parseAddress never throws; what it accepts formats and parses back the same'), () => {
    fuzz('address: parseAddress never throws; what it accepts formats and parses back the same', fc.property(addressLike, (s) => {
      const a = parseAddress(s);
      if (!a) return;
      expect(a.port).toBeGreaterThanOrEqual(1);
      expect(a.port).toBeLessThanOrEqual(65_535);
      expect(a.host.length).toBeGreaterThan(0);
      expect(parseAddress(formatAddress(a.host, a.port))).toEqual(a);
    }), 2000);
  }, FUZZ_TIMEOUT);

  it(fuzzTitle('auth: verify never throws on any decoded datagram and accepts only what the key signed'), () => {
    const how = fc.constantFrom('none', 'key', 'other', 'random');
    const other = new ClusterAuth('another key', nodeCrypto);
    fuzz('auth: verify never throws on any decoded datagram and accepts only what the key signed', fc.property(arbMessage(), how, fc.integer({ min: -2 * AUTH_MAX_SKEW, max: 2 * AUTH_MAX_SKEW }), fc.uint8Array({ minLength: MAC_LENGTH, maxLength: MAC_LENGTH }), (m, h, skew, mac) => {
      const at = NOW + skew;
      const stamped = { ...m, at } as typeof m;
      const bytes = h === 'key' ? auth.encode(m, at) : h === 'other' ? other.encode(m, at) : h === 'random' ? encodeWithMac(stamped, () => mac) : encode(stamped);
      const d = decode(bytes);
      if (!d.ok) return; // too large once signed: nothing to verify
      const verdict = auth.verify(d, NOW);
      const fresh = 'at' in MESSAGES[m.type].fields && Math.abs(skew) <= AUTH_MAX_SKEW;
      if (h === 'key') expect(verdict).toBe(fresh ? undefined : 'stale-auth');
      else expect(verdict).toBe(h === 'none' ? 'missing-mac' : 'bad-mac');
    }), 1000);
  }, FUZZ_TIMEOUT);

  it(fuzzTitle('auth: any change to an authenticated datagram is rejected by decode or verify'), () => {
    fuzz('auth: any change to an authenticated datagram is rejected by decode or verify', fc.property(arbMessage(), fc.array(arbMutation, { minLength: 1, maxLength: 3 }), (m, muts) => {
      const bytes = auth.encode(m, NOW);
      const changed = mutate(bytes, muts);
      if (Buffer.from(changed).equals(Buffer.from(bytes))) return;
      const d = decode(changed);
      if (!d.ok) return;
      expect(auth.verify(d, NOW), 'a changed datagram does not verify').toBeDefined();
    }), 1000);
  }, FUZZ_TIMEOUT);

  it(fuzzTitle('tokens: checkToken and handoffToken never throw on wire values and accept only the right claims'), () => {
    const claims = fc.record({
      client: addressLike,
      file: fc.string({ maxLength: 64 }).filter((s) => Buffer.byteLength(s) <= MAX_FILE_NAME),
      server: fc.string({ maxLength: MAX_NAME }),
      sid: fc.nat({ max: 0xffff_ffff }),
      exp: fc.oneof(fc.integer({ min: 0, max: NOW * 2 }), fc.constant(Number.MAX_SAFE_INTEGER), fc.constant(0)),
    });
    const tok = fc.option(fc.uint8Array({ minLength: 0, maxLength: 24 }), { nil: undefined });
    fuzz('tokens: checkToken and handoffToken never throw on wire values and accept only the right claims', fc.property(claims, tok, fc.nat({ max: 0xffff_ffff }), (c, t, otherSid) => {
      const good = auth.token(c);
      expect(good.length).toBe(TOKEN_LENGTH);
      expect(auth.checkToken(good, c, NOW)).toBe(c.exp <= NOW ? 'token-expired' : undefined);
      const r = auth.checkToken(t, c, NOW);
      if (!t || !Buffer.from(t).equals(Buffer.from(good))) expect(r).toBe('bad-token');
      if (otherSid !== c.sid) expect(auth.checkToken(good, { ...c, sid: otherSid }, NOW)).toBe('bad-token');
      const key = auth.token({ ...c, sid: 1 });
      expect(handoffToken(nodeCrypto, key, c.sid, c.server, c.exp).length).toBe(TOKEN_LENGTH);
    }), 1000);
  }, FUZZ_TIMEOUT);
});
