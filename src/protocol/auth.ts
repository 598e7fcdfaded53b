/**
 * Authentication with a cluster key (§9.2, §9.3): MACs on control messages
 * between master and servers, and stream tokens that a master issues and a
 * server checks. The hash itself is an input (`Crypto`), so this stays pure.
 */
import { AUTH_MAX_SKEW, MAC_LENGTH, STREAM_KEY_LENGTH, TOKEN_LENGTH } from './constants.js';
import { type Decoded, encodedLength, encodeWithMac } from './codec.js';
import type { ErrorCode } from './errors.js';
import type { Message } from './messages.js';

export interface Crypto {
  /** HMAC-SHA-256 of `data` under `key`: 32 bytes. */
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array;
  /** SHA-256 of `data`: 32 bytes (a job's hash list, §14.3). */
  sha256(data: Uint8Array): Uint8Array;
}

const utf8 = new TextEncoder();

/** Labels that derive the two keys from the cluster key (§9.1). */
export const CONTROL_KEY_LABEL = 'ofp1 control';
export const TOKEN_KEY_LABEL = 'ofp1 token';
export const TOKEN_LABEL = 'ofp1-token';

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** What a stream token binds (§9.3). */
export interface TokenClaims {
  readonly client: string;
  readonly file: string;
  readonly server: string;
  readonly sid: number;
  readonly exp: number;
}

/** The bytes a token's MAC covers: a label, three length-prefixed strings and two integers. */
export function tokenInput(c: TokenClaims): Uint8Array {
  const label = utf8.encode(TOKEN_LABEL);
  const strings = [utf8.encode(c.client), utf8.encode(c.file), utf8.encode(c.server)];
  const size = label.length + strings.reduce((n, s) => n + 2 + s.length, 0) + 4 + 8;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(label, 0);
  let pos = label.length;
  for (const s of strings) {
    view.setUint16(pos, s.length);
    out.set(s, pos + 2);
    pos += 2 + s.length;
  }
  view.setUint32(pos, c.sid >>> 0);
  view.setBigUint64(pos + 4, BigInt(Math.max(0, Math.floor(c.exp))));
  return out;
}

export class ClusterAuth {
  private readonly controlKey: Uint8Array;
  private readonly tokenKey: Uint8Array;

  constructor(
    clusterKey: string | Uint8Array,
    private readonly crypto: Crypto,
  ) {
    const key = typeof clusterKey === 'string' ? utf8.encode(clusterKey) : clusterKey;
    this.controlKey = crypto.hmacSha256(key, utf8.encode(CONTROL_KEY_LABEL));
    this.tokenKey = crypto.hmacSha256(key, utf8.encode(TOKEN_KEY_LABEL));
  }

  /** Encode a message with `at` set to `now` and a MAC. */
  encode(msg: Message, now: number): Uint8Array {
    const stamped = { ...msg, at: Math.floor(now) } as Message;
    return encodeWithMac(stamped, (signed) => this.mac(signed));
  }

  /** The exact length of `encode(msg, now)`, computed without encoding. */
  encodedLength(msg: Message, now: number): number {
    return encodedLength({ ...msg, at: Math.floor(now) } as Message, true);
  }

  mac(signed: Uint8Array): Uint8Array {
    return this.crypto.hmacSha256(this.controlKey, signed).subarray(0, MAC_LENGTH);
  }

  /** Check a decoded datagram's MAC and freshness; undefined when it is authentic. */
  verify(d: Decoded, now: number): ErrorCode | undefined {
    if (!d.mac || !d.signed) return 'missing-mac';
    if (!equalBytes(this.mac(d.signed), d.mac)) return 'bad-mac';
    const at = (d.msg as { at?: number }).at;
    if (at === undefined || Math.abs(now - at) > AUTH_MAX_SKEW) return 'stale-auth';
    return undefined;
  }

  token(c: TokenClaims): Uint8Array {
    return this.crypto.hmacSha256(this.tokenKey, tokenInput(c)).subarray(0, TOKEN_LENGTH);
  }

  /** Check a token; undefined when it is valid for these claims at `now`. */
  /**
   * §10.5 The stream key of stream `sid` for `client`: HMAC-SHA-256 under the token key of
   * STREAM_KEY_LABEL, the stream id (u32) and the client (u16 length + UTF-8), truncated to
   * STREAM_KEY_LENGTH. Every master of the cluster, and a master after a restart, derives the same.
   */
  streamKey(sid: number, client: string): Uint8Array {
    return this.crypto.hmacSha256(this.tokenKey, streamKeyInput(sid, client)).subarray(0, STREAM_KEY_LENGTH);
  }

  checkToken(tok: Uint8Array | undefined, c: TokenClaims, now: number): 'bad-token' | 'token-expired' | undefined {
    if (!tok) return 'bad-token';
    if (!equalBytes(this.token(c), tok)) return 'bad-token';
    if (c.exp <= now) return 'token-expired';
    return undefined;
  }
}

export const STREAM_KEY_LABEL = 'ofp1-stream-key';

/** The bytes a cluster's stream key is computed over (§10.5). */
export function streamKeyInput(sid: number, client: string): Uint8Array {
  const label = utf8.encode(STREAM_KEY_LABEL);
  const who = utf8.encode(client);
  const out = new Uint8Array(label.length + 4 + 2 + who.length);
  const view = new DataView(out.buffer);
  out.set(label, 0);
  view.setUint32(label.length, sid >>> 0);
  view.setUint16(label.length + 4, who.length);
  out.set(who, label.length + 6);
  return out;
}

export const HANDOFF_LABEL = 'ofp1-handoff';

/**
 * A handoff token (§10.5): HMAC-SHA-256 under the stream key of the label, the
 * stream id (u32), the new server (u16 length + UTF-8) and the expiry (u64 ms),
 * truncated to TOKEN_LENGTH. The master makes it; the client, which received
 * the stream key with its redirect or setup, checks it.
 */
export function handoffInput(sid: number, server: string, exp: number): Uint8Array {
  const label = utf8.encode(HANDOFF_LABEL);
  const srv = utf8.encode(server);
  const out = new Uint8Array(label.length + 4 + 2 + srv.length + 8);
  const view = new DataView(out.buffer);
  out.set(label, 0);
  let pos = label.length;
  view.setUint32(pos, sid >>> 0);
  view.setUint16(pos + 4, srv.length);
  out.set(srv, pos + 6);
  pos += 6 + srv.length;
  view.setBigUint64(pos, BigInt(Math.max(0, Math.floor(exp))));
  return out;
}

export function handoffToken(crypto: Crypto, streamKey: Uint8Array, sid: number, server: string, exp: number): Uint8Array {
  return crypto.hmacSha256(streamKey, handoffInput(sid, server, exp)).subarray(0, TOKEN_LENGTH);
}
