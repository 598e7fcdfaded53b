/**
 * The datagram codec (§2). A datagram is one MessagePack array:
 *
 *   [version, type, body]        or        [version, type, body, mac]
 *
 * `body` is a map from field name to value, as the catalogue in messages.ts
 * describes. `mac`, when present, is a bin 8 of MAC_LENGTH bytes and covers
 * every byte of the datagram before it (§9.2).
 *
 * `decode` never throws on peer bytes: it returns a result with a stable code.
 */
import { Packr } from 'msgpackr';
import { MAC_LENGTH, MAX_DATAGRAM, PROTOCOL_VERSION, SUPPORTED_VERSIONS } from './constants.js';
import type { ErrorCode } from './errors.js';
import { checkStruct, type Fields, pickStruct, shapeStruct } from './fields.js';
import { type Body, MAC_ELEMENT_LENGTH, MESSAGES, type Message, type MessageType, TYPE_BY_CODE } from './messages.js';
import { scanMessagePack } from './scan.js';
import { fieldLength, mapHeaderLength, strLength, structLength, uintLength, widestFieldLength } from './sizes.js';

/** msgpackr set to plain MessagePack (§2): no records, no extensions, maps as objects. */
export const PACKR_OPTIONS = {
  useRecords: false,
  variableMapSize: true,
  mapsAsObjects: true,
  int64AsType: 'number',
  encodeUndefinedAsNil: true,
  moreTypes: false,
  structuredClone: false,
  bundleStrings: false,
} as const;

const packr = new Packr(PACKR_OPTIONS);

export interface Decoded {
  readonly ok: true;
  readonly msg: Message;
  /** The MAC, when the datagram carries one. */
  readonly mac?: Uint8Array;
  /** The bytes the MAC covers (the datagram without its MAC element). */
  readonly signed?: Uint8Array;
}

export interface DecodeFailure {
  readonly ok: false;
  readonly code: ErrorCode;
  readonly detail: string;
  /** The version the datagram claimed, when it could be read. */
  readonly version?: number;
  /** The message type, when it could be read. */
  readonly type?: MessageType;
}

export type DecodeResult = Decoded | DecodeFailure;

function fail(code: ErrorCode, detail: string, extra: { version?: number; type?: MessageType } = {}): DecodeFailure {
  return { ok: false, code, detail, ...extra };
}

/** Decode one datagram. Never throws. */
export function decode(bytes: Uint8Array): DecodeResult {
  if (bytes.length > MAX_DATAGRAM) return fail('oversize', `${bytes.length} bytes, limit ${MAX_DATAGRAM}`);
  const scan = scanMessagePack(bytes);
  if (scan) return fail(scan.code, scan.detail);
  let top: unknown;
  try {
    top = packr.unpack(bytes);
  } catch (e) {
    // The scan has vetted the structure, so this is not expected; classify it anyway.
    return fail('malformed', e instanceof Error ? e.message : String(e));
  }
  if (!Array.isArray(top) || (top.length !== 3 && top.length !== 4)) {
    return fail('bad-envelope', 'expected [version, type, body] or [version, type, body, mac]');
  }
  const [version, code, body, mac] = top as [unknown, unknown, unknown, unknown];
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    return fail('bad-envelope', 'version is not an unsigned integer');
  }
  if (!SUPPORTED_VERSIONS.includes(version)) return fail('unknown-version', `version ${version}`, { version });
  if (typeof code !== 'number' || !Number.isInteger(code)) return fail('bad-envelope', 'type is not an integer', { version });
  const type = TYPE_BY_CODE.get(code);
  if (!type) return fail('unknown-type', `type code ${code}`, { version });
  if (typeof body !== 'object' || body === null || Array.isArray(body) || body instanceof Uint8Array) {
    return fail('bad-envelope', 'body is not a map', { version, type });
  }
  const problem = checkStruct(MESSAGES[type].fields, body as Record<string, unknown>, type);
  if (problem) {
    return fail(problem.endsWith(': missing') ? 'missing-field' : 'bad-field', problem, { version, type });
  }
  // The decoded map is ours: it becomes the message (known fields only), with its type.
  const picked = pickStruct(MESSAGES[type].fields, body as Record<string, unknown>);
  picked.type = type;
  const msg = picked as unknown as Message;
  if (top.length === 3) return { ok: true, msg };
  if (!(mac instanceof Uint8Array) || mac.length !== MAC_LENGTH) {
    return fail('bad-envelope', `mac is not ${MAC_LENGTH} bytes of binary`, { version, type });
  }
  // The MAC element is a bin 8 of MAC_LENGTH bytes and the last value, so it is the last bytes.
  const macStart = bytes.length - MAC_ELEMENT_LENGTH;
  if (bytes[macStart] !== 0xc4 || bytes[macStart + 1] !== MAC_LENGTH) {
    return fail('bad-envelope', 'mac must be encoded as bin 8', { version, type });
  }
  return { ok: true, msg, mac: bytes.subarray(macStart + 2), signed: bytes.subarray(0, macStart) };
}

/** The datagram bytes of a message, without a MAC. */
export function encode(msg: Message): Uint8Array {
  const spec = MESSAGES[msg.type];
  const body = shapeStruct(spec.fields, msg as unknown as Record<string, unknown>);
  return packr.pack([PROTOCOL_VERSION, spec.code, body]);
}

/**
 * The datagram bytes of a message followed by a MAC computed by `mac` over
 * every byte before the MAC element.
 */
export function encodeWithMac(msg: Message, mac: (signed: Uint8Array) => Uint8Array): Uint8Array {
  const spec = MESSAGES[msg.type];
  const body = shapeStruct(spec.fields, msg as unknown as Record<string, unknown>);
  const bytes = packr.pack([PROTOCOL_VERSION, spec.code, body, new Uint8Array(MAC_LENGTH)]);
  const macStart = bytes.length - MAC_LENGTH;
  bytes.set(mac(bytes.subarray(0, macStart - 2)).subarray(0, MAC_LENGTH), macStart);
  return bytes;
}

/** The bytes of the envelope `[version, type, body]` (or with a MAC element) around a body of `body` bytes. */
function envelopeLength(code: number, body: number, mac: boolean): number {
  // A fixarray of 3 or 4 elements: one header byte.
  return 1 + uintLength(PROTOCOL_VERSION) + uintLength(code) + body + (mac ? MAC_ELEMENT_LENGTH : 0);
}

/**
 * The exact length of `encode(msg)`, or with `mac` of `encodeWithMac(msg, …)`,
 * computed without encoding (sizes.ts).
 */
export function encodedLength(msg: Message, mac = false): number {
  const spec = MESSAGES[msg.type];
  return envelopeLength(spec.code, structLength(spec.fields, msg as unknown as Record<string, unknown>), mac);
}

/**
 * The greatest length of a message of `type` that has the fields of `known` and,
 * in each field that `widest` names, any value its schema allows (fixed-width
 * fields only: integers, fixed-length binary, enums); a MAC element when `mac`.
 */
export function widestLength<K extends MessageType>(type: K, known: Partial<Body<K>>, widest: readonly (keyof Body<K> & string)[], mac: boolean): number {
  const fields: Fields = MESSAGES[type].fields;
  const values = known as Record<string, unknown>;
  let count = 0;
  let body = 0;
  for (const name in fields) {
    const f = fields[name]!;
    if ((widest as readonly string[]).includes(name)) body += strLength(name) + widestFieldLength(f);
    else if (values[name] !== undefined && values[name] !== null) body += strLength(name) + fieldLength(f, values[name]);
    else continue;
    count++;
  }
  return envelopeLength(MESSAGES[type].code, mapHeaderLength(count) + body, mac);
}

/** The encoding of a version-independent `error` for an unknown version (§2.1). */
export function encodeVersionError(): Uint8Array {
  return encode({
    type: 'error',
    code: 'unknown-version',
    msg: `this receiver speaks protocol version ${SUPPORTED_VERSIONS.join(', ')}`,
    versions: [...SUPPORTED_VERSIONS],
  });
}

/** Encode any JSON-like value as plain MessagePack (used for tokens' test vectors and tools). */
export function packPlain(value: unknown): Uint8Array {
  return packr.pack(value);
}
