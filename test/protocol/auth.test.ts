import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClusterAuth, CONTROL_KEY_LABEL, equalBytes, TOKEN_KEY_LABEL, type TokenClaims, tokenInput } from '../../src/protocol/auth.js';
import { decode, type Decoded, encode, encodeWithMac } from '../../src/protocol/codec.js';
import { AUTH_MAX_SKEW, MAC_LENGTH, TOKEN_LENGTH } from '../../src/protocol/constants.js';
import type { Message } from '../../src/protocol/messages.js';
import { KEY, testAuth } from '../helpers/roleDriver.js';

const NOW = 1_700_000_000_000;
const load: Message = { type: 'load', name: '10.0.1.1:5000', epoch: 3, cookie: new Uint8Array(8).fill(1), seq: 4, streams: 1, bw: 4_000_000, sent: 3_900_000, cap: 100_000_000, sids: [9] };

function decoded(bytes: Uint8Array): Decoded {
  const d = decode(bytes);
  if (!d.ok) throw new Error(`does not decode: ${d.code} ${d.detail}`);
  return d;
}

const hmac = (key: Uint8Array | string, data: Uint8Array | string) => new Uint8Array(createHmac('sha256', key).update(data).digest());

describe('control message authentication (§9.2)', () => {
  const auth = testAuth();

  it('a message it encoded verifies, and carries `at`', () => {
    const d = decoded(auth.encode(load, NOW));
    expect(auth.verify(d, NOW)).toBeUndefined();
    expect((d.msg as { at?: number }).at).toBe(NOW);
    expect(d.mac).toHaveLength(MAC_LENGTH);
  });

  it('the MAC is HMAC-SHA-256 under HMAC(clusterKey, "ofp1 control"), truncated, over every byte before it', () => {
    const bytes = auth.encode(load, NOW);
    const d = decoded(bytes);
    const controlKey = hmac(KEY, CONTROL_KEY_LABEL);
    expect([...d.mac!]).toEqual([...hmac(controlKey, d.signed!).subarray(0, MAC_LENGTH)]);
  });

  it('tampering with any single byte makes it fail to decode or fail with bad-mac', () => {
    const bytes = auth.encode(load, NOW);
    for (let i = 0; i < bytes.length; i++) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const t = Uint8Array.from(bytes);
        t[i] = t[i]! ^ mask;
        const d = decode(t);
        if (!d.ok) continue; // dropped by the codec
        // A tampered datagram that still decodes either lost its MAC envelope (impossible here) or fails the MAC.
        expect(auth.verify(d, NOW), `byte ${i} ^ ${mask}`).toBe(d.mac ? 'bad-mac' : 'missing-mac');
      }
    }
  });

  it('tampering with the MAC itself, or the values the MAC covers, is bad-mac (every position of the MAC)', () => {
    const bytes = auth.encode(load, NOW);
    for (let i = bytes.length - MAC_LENGTH; i < bytes.length; i++) {
      const t = Uint8Array.from(bytes);
      t[i] = t[i]! ^ 0x10;
      expect(auth.verify(decoded(t), NOW)).toBe('bad-mac');
    }
    // Change `bw` (4_000_000 → 4_000_001) in place: still a valid message, wrong MAC.
    const t = Uint8Array.from(bytes);
    const at = Buffer.from(t).indexOf(Buffer.from([0xce, 0x00, 0x3d, 0x09, 0x00]));
    expect(at).toBeGreaterThan(0);
    t[at + 4] = 0x01;
    const d = decoded(t);
    expect((d.msg as { bw: number }).bw).toBe(4_000_001);
    expect(auth.verify(d, NOW)).toBe('bad-mac');
  });

  it('a message without a MAC is missing-mac', () => {
    expect(auth.verify(decoded(encode({ ...load, at: NOW } as Message)), NOW)).toBe('missing-mac');
  });

  it('a MAC under another cluster key is bad-mac', () => {
    const other = new ClusterAuth('another key', { hmacSha256: hmac, sha256: () => new Uint8Array(32) });
    expect(auth.verify(decoded(other.encode(load, NOW)), NOW)).toBe('bad-mac');
  });

  it('`at` further than AUTH_MAX_SKEW from the receiver\'s clock, either way, is stale-auth', () => {
    expect(auth.verify(decoded(auth.encode(load, NOW - AUTH_MAX_SKEW)), NOW)).toBeUndefined();
    expect(auth.verify(decoded(auth.encode(load, NOW + AUTH_MAX_SKEW)), NOW)).toBeUndefined();
    expect(auth.verify(decoded(auth.encode(load, NOW - AUTH_MAX_SKEW - 1)), NOW)).toBe('stale-auth');
    expect(auth.verify(decoded(auth.encode(load, NOW + AUTH_MAX_SKEW + 1)), NOW)).toBe('stale-auth');
    // A replay of a once-valid datagram goes stale.
    const bytes = auth.encode(load, NOW);
    expect(auth.verify(decoded(bytes), NOW + AUTH_MAX_SKEW + 1)).toBe('stale-auth');
  });

  it('a correctly MACed message without `at` is stale-auth', () => {
    const bytes = encodeWithMac(load, (signed) => auth.mac(signed));
    expect(auth.verify(decoded(bytes), NOW)).toBe('stale-auth');
  });

  it('equalBytes compares length and every byte', () => {
    expect(equalBytes(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(equalBytes(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false);
    expect(equalBytes(new Uint8Array([1, 2]), new Uint8Array([1, 2, 0]))).toBe(false);
    expect(equalBytes(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  });
});

describe('stream tokens (§9.3)', () => {
  const auth = testAuth();
  const claims: TokenClaims = { client: '10.0.2.1:6000', file: 'B', server: '10.0.1.2:5000', sid: 77, exp: NOW + 30_000 };

  it('a token checks for exactly the claims it was made for, until it expires', () => {
    const tok = auth.token(claims);
    expect(tok).toHaveLength(TOKEN_LENGTH);
    expect(auth.checkToken(tok, claims, NOW)).toBeUndefined();
    expect(auth.checkToken(tok, claims, claims.exp - 1)).toBeUndefined();
  });

  it('is HMAC-SHA-256 under HMAC(clusterKey, "ofp1 token") of the length-prefixed claims, truncated', () => {
    const input = tokenInput(claims);
    const expected = hmac(hmac(KEY, TOKEN_KEY_LABEL), input).subarray(0, TOKEN_LENGTH);
    expect([...auth.token(claims)]).toEqual([...expected]);
    // label, then [u16 length, bytes] × 3, then u32 sid and u64 exp.
    const text = Buffer.from(input).toString('latin1');
    expect(text.startsWith('ofp1-token\x00\x0d10.0.2.1:6000\x00\x01B\x00\x0d10.0.1.2:5000')).toBe(true);
    const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
    expect(view.getUint32(input.length - 12)).toBe(77);
    expect(Number(view.getBigUint64(input.length - 8))).toBe(claims.exp);
  });

  for (const [what, change] of [
    ['client address', { client: '10.0.2.1:6001' }],
    ['client host', { client: '10.0.2.9:6000' }],
    ['file', { file: 'C' }],
    ['server', { server: '10.0.1.3:5000' }],
    ['stream id', { sid: 78 }],
    ['expiry', { exp: claims.exp + 1 }],
  ] as const) {
    it(`a token made for another ${what} is bad-token`, () => {
      const tok = auth.token(claims);
      expect(auth.checkToken(tok, { ...claims, ...change }, NOW)).toBe('bad-token');
    });
  }

  it('the length prefixes keep claims from sliding into each other', () => {
    const a = auth.token({ ...claims, client: 'ab', file: 'c' });
    expect(auth.checkToken(a, { ...claims, client: 'a', file: 'bc' }, NOW)).toBe('bad-token');
  });

  it('a missing, truncated or forged token is bad-token; under another key too', () => {
    const tok = auth.token(claims);
    expect(auth.checkToken(undefined, claims, NOW)).toBe('bad-token');
    expect(auth.checkToken(tok.subarray(0, 15), claims, NOW)).toBe('bad-token');
    expect(auth.checkToken(new Uint8Array(16), claims, NOW)).toBe('bad-token');
    expect(auth.checkToken(testAuth('other').token(claims), claims, NOW)).toBe('bad-token');
  });

  it('a valid token at or after its expiry is token-expired', () => {
    const tok = auth.token(claims);
    expect(auth.checkToken(tok, claims, claims.exp)).toBe('token-expired');
    expect(auth.checkToken(tok, claims, claims.exp + 60_000)).toBe('token-expired');
  });

  it('property: changing any one claim invalidates the token', () => {
    const arbClaims = fc.record({
      client: fc.string({ maxLength: 30 }),
      file: fc.string({ maxLength: 30 }),
      server: fc.string({ maxLength: 30 }),
      sid: fc.integer({ min: 1, max: 0xffff_ffff }),
      exp: fc.integer({ min: NOW + 1, max: NOW + 10_000_000 }),
    });
    fc.assert(
      fc.property(arbClaims, arbClaims, fc.constantFrom('client', 'file', 'server', 'sid', 'exp'), (c, other, key) => {
        fc.pre(c[key] !== other[key]);
        const tok = auth.token(c);
        expect(auth.checkToken(tok, { ...c, [key]: other[key] }, NOW)).toBe('bad-token');
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
