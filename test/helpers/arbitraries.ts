/**
 * fast-check arbitraries derived from the message catalogue: one generic
 * arbitrary per schema `Field`, so every message type gets random valid
 * instances without a hand-written generator that could drift from the schema.
 */
import fc from 'fast-check';
import { encode } from '../../src/protocol/codec.js';
import { MAX_DATAGRAM } from '../../src/protocol/constants.js';
import { type Field, utf8Length } from '../../src/protocol/fields.js';
import { MESSAGES, MESSAGE_TYPES, type Message, type MessageType } from '../../src/protocol/messages.js';

const utf8 = new TextEncoder();

/** Characters from every UTF-8 length class (1 to 4 bytes), so byte limits are exercised, not just character counts. */
const anyChar = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.constantFrom('é', 'ß', 'Ω', '中', '€', '𝄞', '😀', '\u0000', '\u007f') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
);

/** Trim a string (by whole code points) until its UTF-8 encoding is at most `max` bytes. */
function fitUtf8(s: string, max: number): string {
  if (utf8Length(s) <= max) return s;
  const cps = [...s];
  while (cps.length > 0 && utf8.encode(cps.join('')).length > max) cps.pop();
  return cps.join('');
}

/** Interesting unsigned integers: the MessagePack width boundaries and the safe-integer limit. */
const UINT_EDGES = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x1_0000, 0xffff_ffff, 0x1_0000_0000, 2 ** 40, Number.MAX_SAFE_INTEGER];

export interface ArbOptions {
  /** Most items generated for a list (the schema's maximum still applies). */
  readonly maxItems?: number;
  /** Most bytes generated for a string or binary field (the schema's maximum still applies). */
  readonly maxBytes?: number;
}

/** A random value that `checkValue(f, v)` accepts. */
export function arbField(f: Field, o: ArbOptions = {}): fc.Arbitrary<unknown> {
  switch (f.kind) {
    case 'uint':
      return fc.oneof(
        fc.constantFrom(...UINT_EDGES.filter((n) => n >= (f.min ?? 0) && n <= f.max)),
        fc.integer({ min: f.min ?? 0, max: Math.min(f.max, 0x7fff_ffff) }),
        fc.bigInt({ min: BigInt(f.min ?? 0), max: BigInt(f.max) }).map(Number),
      );
    case 'str': {
      const max = Math.min(f.max, o.maxBytes ?? f.max);
      return fc.string({ unit: anyChar, maxLength: max, size: 'small' }).map((s) => fitUtf8(s, max));
    }
    case 'bin':
      if (f.len !== undefined) return fc.uint8Array({ minLength: f.len, maxLength: f.len });
      return fc.uint8Array({ maxLength: Math.min(f.max, o.maxBytes ?? f.max), size: 'small' });
    case 'bool':
      return fc.boolean();
    case 'enum':
      return fc.constantFrom(...f.values!);
    case 'list':
      return fc.array(arbField(f.of!, o), { maxLength: Math.min(f.max, o.maxItems ?? f.max), size: 'small' });
    case 'tuple':
      return fc.tuple(...f.items!.map((item) => arbField(item, o)));
    case 'struct':
      return arbStruct(f.fields!, o);
  }
}

function arbStruct(fields: Readonly<Record<string, Field>>, o: ArbOptions): fc.Arbitrary<Record<string, unknown>> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  const required: string[] = [];
  for (const [name, f] of Object.entries(fields)) {
    model[name] = arbField(f, o);
    if (!f.optional) required.push(name);
  }
  return fc.record(model, { requiredKeys: required }) as fc.Arbitrary<Record<string, unknown>>;
}

/** A random valid message of `type` (it may not fit in one datagram: see `arbFittingMessage`). */
export function arbMessageOf(type: MessageType, o: ArbOptions = {}): fc.Arbitrary<Message> {
  return arbStruct(MESSAGES[type].fields, o).map((body) => ({ ...body, type }) as unknown as Message);
}

/** A random valid message of any type. */
export function arbMessage(o: ArbOptions = {}): fc.Arbitrary<Message> {
  return fc.constantFrom(...MESSAGE_TYPES).chain((type) => arbMessageOf(type, o));
}

/** A random valid message whose encoding fits in MAX_DATAGRAM bytes. */
export function arbFittingMessage(o: ArbOptions = { maxItems: 6, maxBytes: 300 }, type?: MessageType): fc.Arbitrary<Message> {
  return (type ? arbMessageOf(type, o) : arbMessage(o)).filter((m) => encode(m).length <= MAX_DATAGRAM);
}

/** A way to damage a datagram: flip bits, cut it short, insert or overwrite bytes. */
export type Mutation =
  | { readonly kind: 'flip'; readonly at: number; readonly bit: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'set'; readonly at: number; readonly value: number };

export const arbMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
);

/** Apply mutations in order (positions are taken modulo the current length). */
export function mutate(bytes: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let b = Uint8Array.from(bytes);
  for (const m of mutations) {
    const at = b.length === 0 ? 0 : m.at % (m.kind === 'insert' ? b.length + 1 : b.length);
    switch (m.kind) {
      case 'flip':
        if (b.length > 0) b[at] = b[at]! ^ (1 << m.bit);
        break;
      case 'truncate':
        b = b.subarray(0, at);
        break;
      case 'insert': {
        const out = new Uint8Array(b.length + m.bytes.length);
        out.set(b.subarray(0, at), 0);
        out.set(m.bytes, at);
        out.set(b.subarray(at), at + m.bytes.length);
        b = out;
        break;
      }
      case 'set':
        if (b.length > 0) b[at] = m.value;
        break;
    }
  }
  return b;
}

/**
 * A message as plain data for deep comparison: binary values (Buffer or
 * Uint8Array) become arrays of numbers, so equality does not depend on which
 * byte container the decoder chose.
 */
export function plain(v: unknown): unknown {
  if (v instanceof Uint8Array) return { bin: [...v] };
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = plain(x);
    return out;
  }
  return v;
}

/**
 * The largest value a field allows: every integer at its maximum, every string
 * and binary at its byte limit, every list full, every optional field present.
 */
export function largest(f: Field): unknown {
  switch (f.kind) {
    case 'uint':
      return f.max;
    case 'str':
      return 'x'.repeat(f.max);
    case 'bin':
      return new Uint8Array(f.len ?? f.max).fill(0xee);
    case 'bool':
      return true;
    case 'enum':
      return [...f.values!].sort((a, b) => b.length - a.length)[0];
    case 'list':
      return Array.from({ length: f.max }, () => largest(f.of!));
    case 'tuple':
      return f.items!.map(largest);
    case 'struct':
      return Object.fromEntries(Object.entries(f.fields!).map(([k, x]) => [k, largest(x)]));
  }
}

/** The largest instance of a message type (see `largest`). */
export function largestMessage(type: MessageType, except: readonly string[] = []): Message {
  const body = Object.fromEntries(Object.entries(MESSAGES[type].fields).filter(([k]) => !except.includes(k)).map(([k, f]) => [k, largest(f)]));
  return { ...body, type } as unknown as Message;
}
