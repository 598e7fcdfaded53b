/**
 * The protocol's test vectors (protocol-spec/vectors/v1.json) against the
 * code, and the spec's generated parts against the code (`spec:check`).
 */
import { createHmac } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { unpack } from 'msgpackr';
import { afterAll, describe, expect, it } from 'vitest';
import { ClusterAuth, handoffInput, handoffToken, streamKeyInput, type TokenClaims, tokenInput } from '../src/protocol/auth.js';
import { decode, encode, encodeVersionError } from '../src/protocol/codec.js';
import { MAC_LENGTH, STREAM_KEY_LENGTH, TOKEN_LENGTH } from '../src/protocol/constants.js';
import { type ErrorCode, ERRORS } from '../src/protocol/errors.js';
import { MESSAGES, MESSAGE_TYPES, type Message } from '../src/protocol/messages.js';
import { nodeCrypto } from '../src/platform/crypto.js';
import { fromHex, fromJson, type Json, toHex, toJson } from '../protocol-spec/gen/json.js';
import { checkSpec, defaultPaths, generateSpec } from '../protocol-spec/generate.js';

interface MessageVector { name: string; hex: string; message: Json }
interface MacVector extends MessageVector { now: number; mac: string }
interface LenientVector extends MessageVector { note: string }
interface ErrorVector { name: string; hex: string; error: ErrorCode }
interface AuthErrorVector extends ErrorVector { now: number }
interface TokenVector { name: string; claims: TokenClaims; input: string; token: string }
interface TokenCheckVector { name: string; claims: TokenClaims; token: string | null; now: number; result: string }
interface HandoffTokenVector { name: string; streamKey: string; sid: number; server: string; exp: number; input: string; token: string }
interface Vectors {
  version: number;
  keys: { clusterKey: string; clusterKeyHex: string; controlKey: string; tokenKey: string; otherClusterKey: string };
  messages: MessageVector[];
  authenticated: MacVector[];
  lenient: LenientVector[];
  errors: ErrorVector[];
  authErrors: AuthErrorVector[];
  tokens: TokenVector[];
  tokenChecks: TokenCheckVector[];
  handoffTokens: HandoffTokenVector[];
  streamKeys: { name: string; sid: number; client: string; input: string; streamKey: string }[];
}

const paths = defaultPaths();
const V = JSON.parse(readFileSync(join(paths.specDir, 'vectors', 'v1.json'), 'utf8')) as Vectors;
const schema = JSON.parse(readFileSync(join(paths.specDir, 'schema.json'), 'utf8')) as SchemaNode & { $defs: Record<string, SchemaNode> };
const auth = new ClusterAuth(V.keys.clusterKey, nodeCrypto);
const other = new ClusterAuth(V.keys.otherClusterKey, nodeCrypto);
const hmac = (key: string, data: Uint8Array) => new Uint8Array(createHmac('sha256', Buffer.from(key, 'hex')).update(data).digest());
const asMessage = (j: Json) => fromJson(j) as Message;

function decoded(hex: string) {
  const d = decode(fromHex(hex));
  if (!d.ok) throw new Error(`does not decode: ${d.code} ${d.detail}`);
  return d;
}

describe('the vector file', () => {
  it('has at least one vector of every message type', () => {
    const types = new Set(V.messages.map((v) => (v.message as { type: string }).type));
    expect(MESSAGE_TYPES.filter((t) => !types.has(t))).toEqual([]);
  });

  it('has at least two vectors of every authenticated type, one of them with a MAC', () => {
    for (const type of MESSAGE_TYPES.filter((t) => MESSAGES[t].auth !== 'none')) {
      const plain = V.messages.filter((v) => (v.message as { type: string }).type === type).length;
      const signed = V.authenticated.filter((v) => (v.message as { type: string }).type === type).length;
      expect({ type, signed: signed >= 1, both: plain + signed >= 2 }).toEqual({ type, signed: true, both: true });
    }
  });

  it('has a negative vector for every way decoding fails, and for every authentication failure', () => {
    const decodeCodes: ErrorCode[] = ['oversize', 'truncated', 'trailing-bytes', 'malformed', 'unsupported-value', 'bad-envelope', 'unknown-version', 'unknown-type', 'missing-field', 'bad-field'];
    expect([...new Set(V.errors.map((v) => v.error))].sort()).toEqual([...decodeCodes].sort());
    expect([...new Set(V.authErrors.map((v) => v.error))].sort()).toEqual(['bad-mac', 'missing-mac', 'stale-auth']);
    // The three kinds of unsupported value are each there.
    const unsupported = V.errors.filter((v) => v.error === 'unsupported-value').map((v) => v.name).join(' ');
    expect(unsupported).toMatch(/ext/);
    expect(unsupported).toMatch(/map key/);
    expect(unsupported).toMatch(/nesting/);
  });

  it('states the derived keys, as HMAC-SHA-256 of the labels under the cluster key (§9.1)', () => {
    const key = Buffer.from(V.keys.clusterKey, 'utf8');
    expect(toHex(key)).toBe(V.keys.clusterKeyHex);
    expect(createHmac('sha256', key).update('ofp1 control').digest('hex')).toBe(V.keys.controlKey);
    expect(createHmac('sha256', key).update('ofp1 token').digest('hex')).toBe(V.keys.tokenKey);
  });

  it('names every vector once', () => {
    const lists = [V.messages, V.authenticated, V.lenient, V.errors, V.authErrors, V.tokens, V.tokenChecks, V.handoffTokens, V.streamKeys];
    const names = lists.flatMap((list) => list.map((v) => v.name));
    for (const list of lists) {
      const own = list.map((v) => v.name);
      expect(new Set(own).size).toBe(own.length);
    }
    expect(names.length).toBeGreaterThan(100);
  });
});

describe('message vectors', () => {
  for (const v of V.messages) {
    it(`${v.name}: decode, encode, re-encode`, () => {
      const bytes = fromHex(v.hex);
      const d = decode(bytes);
      expect(d.ok ? undefined : d).toBeUndefined();
      if (!d.ok) return;
      expect(toJson(d.msg)).toEqual(v.message);
      expect(d.mac).toBeUndefined();
      expect(toHex(encode(asMessage(v.message)))).toBe(v.hex);
      expect(toHex(encode(d.msg))).toBe(v.hex);
      expect(toHex(encode(decoded(toHex(encode(d.msg))).msg))).toBe(v.hex);
      // Any MessagePack decoder reads [version, code, body].
      const generic = unpack(Buffer.from(bytes)) as unknown[];
      expect(generic.slice(0, 2)).toEqual([V.version, MESSAGES[(v.message as { type: keyof typeof MESSAGES }).type].code]);
    });
  }

  it('an `error` and an `end` carry a code this version does not know, and decode with it as it is (§8.1)', () => {
    const later = V.messages.filter((x) => x.name.includes('a code this version does not know'));
    expect(later.map((x) => (x.message as { type: string }).type).sort()).toEqual(['end', 'error']);
    for (const v of later) {
      const code = (decoded(v.hex).msg as { code: string }).code;
      expect(code).toBe((v.message as { code: string }).code);
      expect(Object.hasOwn(ERRORS, code)).toBe(false);
    }
  });

  it('the unknown-version answer is the one the code sends (§2.1)', () => {
    const v = V.messages.find((x) => x.name.startsWith('error: unknown-version'));
    expect(v?.hex).toBe(toHex(encodeVersionError()));
  });
});

describe('authenticated vectors', () => {
  for (const v of V.authenticated) {
    it(`${v.name}: encodes with its MAC, verifies, and fails under another key`, () => {
      const msg = asMessage(v.message);
      const at = (msg as { at?: number }).at;
      expect(at).toBeTypeOf('number');
      expect(toHex(auth.encode(msg, at!))).toBe(v.hex);
      const d = decoded(v.hex);
      expect(toJson(d.msg)).toEqual(v.message);
      expect(toHex(d.mac!)).toBe(v.mac);
      // The MAC is HMAC-SHA-256 under the control key, truncated, over every byte before the MAC element (§2.4).
      const bytes = fromHex(v.hex);
      expect([...bytes.subarray(bytes.length - MAC_LENGTH - 2, bytes.length - MAC_LENGTH)]).toEqual([0xc4, MAC_LENGTH]);
      expect(toHex(hmac(V.keys.controlKey, bytes.subarray(0, bytes.length - MAC_LENGTH - 2)).subarray(0, MAC_LENGTH))).toBe(v.mac);
      expect(auth.verify(d, v.now)).toBeUndefined();
      expect(other.verify(d, v.now)).toBe('bad-mac');
      // Re-encoding what was decoded gives the same bytes.
      expect(toHex(auth.encode(d.msg, at!))).toBe(v.hex);
    });

    it(`${v.name}: no single changed byte goes unnoticed`, () => {
      const bytes = fromHex(v.hex);
      let accepted = 0;
      for (let i = 0; i < bytes.length; i++) {
        const changed = Uint8Array.from(bytes);
        changed[i] = changed[i]! ^ 0x01;
        const d = decode(changed);
        if (d.ok && auth.verify(d, v.now) === undefined) accepted++;
      }
      expect(accepted).toBe(0);
    });
  }
});

describe('lenient vectors: valid encodings that are not canonical', () => {
  for (const v of V.lenient) {
    it(v.name, () => {
      const d = decode(fromHex(v.hex));
      expect(d.ok ? undefined : d).toBeUndefined();
      if (!d.ok) return;
      const expected = asMessage(v.message);
      // The catalogue's fields are read as the message; what is unknown or nil is not part of it.
      const known: Record<string, unknown> = { type: d.msg.type };
      for (const name of Object.keys(MESSAGES[d.msg.type].fields)) {
        const value = (d.msg as unknown as Record<string, unknown>)[name];
        if (value !== undefined && value !== null) known[name] = value;
      }
      expect(toJson(known)).toEqual(v.message);
      expect(toHex(encode(d.msg))).toBe(toHex(encode(expected)));
      expect(toHex(encode(d.msg))).not.toBe(v.hex);
    });
  }
});

describe('negative vectors', () => {
  for (const v of V.errors) {
    it(`${v.name}: ${v.error}`, () => {
      const bytes = fromHex(v.hex);
      let result: ReturnType<typeof decode> | undefined;
      expect(() => {
        result = decode(bytes);
      }).not.toThrow();
      expect(result!.ok).toBe(false);
      if (result!.ok) return;
      expect(result!.code).toBe(v.error);
    });
  }

  for (const v of V.authErrors) {
    it(`${v.name}: decodes, then ${v.error}`, () => {
      const d = decoded(v.hex);
      expect(auth.verify(d, v.now)).toBe(v.error);
    });
  }
});

describe('token vectors (§9.3)', () => {
  for (const v of V.tokens) {
    it(v.name, () => {
      const input = tokenInput(v.claims);
      expect(toHex(input)).toBe(v.input);
      expect(toHex(auth.token(v.claims))).toBe(v.token);
      expect(toHex(hmac(V.keys.tokenKey, input).subarray(0, TOKEN_LENGTH))).toBe(v.token);
      // The layout: label, three length-prefixed strings, sid (4 bytes), exp (8 bytes), all big-endian.
      const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
      expect(new TextDecoder().decode(input.subarray(0, 10))).toBe('ofp1-token');
      expect(view.getUint32(input.length - 12)).toBe(v.claims.sid);
      expect(Number(view.getBigUint64(input.length - 8))).toBe(v.claims.exp);
      expect(other.token(v.claims)).not.toEqual(auth.token(v.claims));
    });
  }

  for (const v of V.tokenChecks) {
    it(`check: ${v.name} → ${v.result}`, () => {
      const tok = v.token === null ? undefined : fromHex(v.token);
      expect(auth.checkToken(tok, v.claims, v.now) ?? 'ok').toBe(v.result);
    });
  }
});

describe('handoff token vectors (§10.5)', () => {
  it('there are some', () => {
    expect(V.handoffTokens.length).toBeGreaterThanOrEqual(3);
  });

  for (const v of V.handoffTokens) {
    it(v.name, () => {
      const key = fromHex(v.streamKey);
      expect(key.length).toBe(STREAM_KEY_LENGTH);
      const input = handoffInput(v.sid, v.server, v.exp);
      expect(toHex(input)).toBe(v.input);
      expect(toHex(handoffToken(nodeCrypto, key, v.sid, v.server, v.exp))).toBe(v.token);
      // HMAC-SHA-256 under the stream key over the input, truncated to TOKEN_LENGTH bytes.
      expect(toHex(hmac(v.streamKey, input).subarray(0, TOKEN_LENGTH))).toBe(v.token);
      // The layout: the label, sid (4 bytes), the server's length (2 bytes) and UTF-8, exp (8 bytes), all big-endian.
      const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
      const server = new TextEncoder().encode(v.server);
      expect(new TextDecoder().decode(input.subarray(0, 12))).toBe('ofp1-handoff');
      expect(view.getUint32(12)).toBe(v.sid);
      expect(view.getUint16(16)).toBe(server.length);
      expect(toHex(input.subarray(18, 18 + server.length))).toBe(toHex(server));
      expect(Number(view.getBigUint64(18 + server.length))).toBe(v.exp);
      expect(input.length).toBe(12 + 4 + 2 + server.length + 8);
    });

    it(`${v.name}: another stream id, server, expiry or key gives another token`, () => {
      const key = fromHex(v.streamKey);
      const otherKey = Uint8Array.from(key, (b, i) => (i === 0 ? b ^ 0x01 : b));
      const others = [
        handoffToken(nodeCrypto, key, (v.sid % 0xffff_ffff) + 1, v.server, v.exp),
        handoffToken(nodeCrypto, key, v.sid, `${v.server}0`, v.exp),
        handoffToken(nodeCrypto, key, v.sid, v.server, v.exp - 1),
        handoffToken(nodeCrypto, otherKey, v.sid, v.server, v.exp),
      ].map(toHex);
      for (const t of others) expect(t).not.toBe(v.token);
      expect(new Set(others).size).toBe(others.length);
    });
  }
});

// ---- schema.json --------------------------------------------------------------------

interface SchemaNode { [keyword: string]: unknown }

/** A validator for exactly the JSON Schema keywords schema.json uses; an unknown keyword is an error. */
function validate(s: SchemaNode | boolean, v: Json, path: string, out: string[]): void {
  if (s === false) {
    out.push(`${path}: not allowed`);
    return;
  }
  if (s === true) return;
  for (const [k, x] of Object.entries(s)) {
    switch (k) {
      case 'title': case 'description': case '$comment': case '$schema': case '$defs':
        break;
      case '$ref':
        validate(schema.$defs[(x as string).replace('#/$defs/', '')]!, v, path, out);
        break;
      case 'oneOf': {
        const passing = (x as SchemaNode[]).filter((sub) => {
          const errs: string[] = [];
          validate(sub, v, path, errs);
          return errs.length === 0;
        });
        if (passing.length !== 1) out.push(`${path}: matches ${passing.length} of oneOf`);
        break;
      }
      case 'const':
        if (v !== x) out.push(`${path}: not ${String(x)}`);
        break;
      case 'enum':
        if (!(x as Json[]).includes(v)) out.push(`${path}: not one of the values`);
        break;
      case 'type': {
        const ok = x === 'object' ? typeof v === 'object' && v !== null && !Array.isArray(v)
          : x === 'array' ? Array.isArray(v)
            : x === 'integer' ? Number.isInteger(v)
              : typeof v === x;
        if (!ok) out.push(`${path}: not of type ${String(x)}`);
        break;
      }
      case 'minimum':
        if (typeof v === 'number' && v < (x as number)) out.push(`${path}: below ${String(x)}`);
        break;
      case 'maximum':
        if (typeof v === 'number' && v > (x as number)) out.push(`${path}: above ${String(x)}`);
        break;
      case 'maxLength':
        if (typeof v === 'string' && [...v].length > (x as number)) out.push(`${path}: too long`);
        break;
      case 'pattern':
        if (typeof v === 'string' && !new RegExp(x as string, 'u').test(v)) out.push(`${path}: does not match ${String(x)}`);
        break;
      case 'properties':
        if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
          for (const [name, sub] of Object.entries(x as Record<string, SchemaNode>)) if (name in v) validate(sub, v[name]!, `${path}.${name}`, out);
        }
        break;
      case 'required':
        if (typeof v === 'object' && v !== null && !Array.isArray(v)) for (const name of x as string[]) if (!(name in v)) out.push(`${path}.${name}: missing`);
        break;
      case 'additionalProperties':
        if (x === false && typeof v === 'object' && v !== null && !Array.isArray(v)) {
          const allowed = Object.keys((s.properties ?? {}) as object);
          for (const name of Object.keys(v)) if (!allowed.includes(name)) out.push(`${path}.${name}: not allowed`);
        }
        break;
      case 'items':
        if (Array.isArray(v)) {
          const skip = Array.isArray(s.prefixItems) ? s.prefixItems.length : 0;
          v.slice(skip).forEach((item, i) => validate(x as SchemaNode | boolean, item, `${path}[${i + skip}]`, out));
        }
        break;
      case 'prefixItems':
        if (Array.isArray(v)) (x as SchemaNode[]).forEach((sub, i) => i < v.length && validate(sub, v[i]!, `${path}[${i}]`, out));
        break;
      case 'minItems':
        if (Array.isArray(v) && v.length < (x as number)) out.push(`${path}: too few items`);
        break;
      case 'maxItems':
        if (Array.isArray(v) && v.length > (x as number)) out.push(`${path}: too many items`);
        break;
      default:
        throw new Error(`the test's validator does not know the keyword ${k}`);
    }
  }
}

function schemaErrors(v: Json): string[] {
  const out: string[] = [];
  validate(schema, v, '$', out);
  return out;
}

describe('schema.json', () => {
  it('describes every message type', () => {
    expect(Object.keys(schema.$defs).sort()).toEqual([...MESSAGE_TYPES].sort());
  });

  it('accepts the message of every vector', () => {
    for (const v of [...V.messages, ...V.authenticated, ...V.lenient]) expect({ name: v.name, errors: schemaErrors(v.message) }).toEqual({ name: v.name, errors: [] });
  });

  it('rejects messages that break the catalogue', () => {
    const teardown = { type: 'teardown', sid: 1 };
    expect(schemaErrors({ ...teardown, sid: '1' })).not.toEqual([]);
    expect(schemaErrors({ ...teardown, sid: 2 ** 32 })).not.toEqual([]);
    expect(schemaErrors({ ...teardown, extra: 1 })).not.toEqual([]);
    expect(schemaErrors({ type: 'teardown' })).not.toEqual([]);
    expect(schemaErrors({ type: 'nothing', sid: 1 })).not.toEqual([]);
    expect(schemaErrors({ type: 'play', sid: 1, off: 0, cookie: { $bin: '00' } })).not.toEqual([]);
    expect(schemaErrors({ type: 'ack', sid: 1, next: 0, hi: 0, miss: [[1, 2, 3]] })).not.toEqual([]);
  });
});

// ---- spec:check -------------------------------------------------------------------------

describe('spec:check', () => {
  const scratch: string[] = [];
  afterAll(() => {
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  });

  it('every generated block, schema.json and the vectors match the code', () => {
    const result = checkSpec();
    expect(result.problems).toEqual([]);
    expect(result.differences).toEqual([]);
  });

  it('lists every block and file that drifted, and spec:write puts them back', () => {
    const specDir = mkdtempSync(join(tmpdir(), 'ofp-spec-'));
    scratch.push(specDir);
    cpSync(paths.specDir, specDir, { recursive: true });
    const copy = { root: paths.root, specDir };
    expect(checkSpec(copy)).toEqual({ differences: [], problems: [] });

    const chapter = join(specDir, '08-errors.md');
    writeFileSync(chapter, readFileSync(chapter, 'utf8').replace('| `oversize` |', '| `too-big` |'));
    writeFileSync(join(specDir, 'schema.json'), '{}\n');
    rmSync(join(specDir, 'vectors', 'v1.json'));
    const drifted = checkSpec(copy);
    expect(drifted.problems).toEqual([]);
    expect(drifted.differences).toEqual([
      `${relative(paths.root, chapter)}: block errors`,
      relative(paths.root, join(specDir, 'schema.json')),
      `${relative(paths.root, join(specDir, 'vectors', 'v1.json'))}: missing`,
    ]);

    generateSpec(copy, true);
    expect(checkSpec(copy)).toEqual({ differences: [], problems: [] });
    expect(readFileSync(chapter, 'utf8')).toBe(readFileSync(join(paths.specDir, '08-errors.md'), 'utf8'));
  });

  it('reports a block the generator does not know and a block without its end', () => {
    const specDir = mkdtempSync(join(tmpdir(), 'ofp-spec-'));
    scratch.push(specDir);
    cpSync(paths.specDir, specDir, { recursive: true });
    const chapter = join(specDir, '07-limits.md');
    writeFileSync(chapter, `${readFileSync(chapter, 'utf8')}\n<!-- BEGIN GENERATED: no-such-block -->\n<!-- END GENERATED: no-such-block -->\n<!-- BEGIN GENERATED: errors -->\n`);
    const result = checkSpec({ root: paths.root, specDir });
    expect(result.problems.some((p) => p.includes('no-such-block'))).toBe(true);
    expect(result.problems.some((p) => p.includes('block errors: no END GENERATED marker'))).toBe(true);
  });
});

describe('stream key vectors (§10.5)', () => {
  it('there are some', () => {
    expect(V.streamKeys.length).toBeGreaterThanOrEqual(3);
  });

  for (const v of V.streamKeys) {
    it(v.name, () => {
      const input = streamKeyInput(v.sid, v.client);
      expect(toHex(input)).toBe(v.input);
      expect(toHex(auth.streamKey(v.sid, v.client))).toBe(v.streamKey);
      // HMAC-SHA-256 under the token key over the input, truncated to STREAM_KEY_LENGTH bytes.
      expect(toHex(hmac(V.keys.tokenKey, input).subarray(0, STREAM_KEY_LENGTH))).toBe(v.streamKey);
      // The layout: the label, sid (4 bytes), the client's length (2 bytes) and UTF-8, big-endian.
      const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
      const client = new TextEncoder().encode(v.client);
      expect(new TextDecoder().decode(input.subarray(0, 15))).toBe('ofp1-stream-key');
      expect(view.getUint32(15)).toBe(v.sid);
      expect(view.getUint16(19)).toBe(client.length);
      expect(input.length).toBe(15 + 4 + 2 + client.length);
      // Another cluster key derives another key.
      expect(toHex(other.streamKey(v.sid, v.client))).not.toBe(v.streamKey);
    });
  }
});
