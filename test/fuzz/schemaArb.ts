/**
 * Random valid messages from the catalogue's schemas (messages.ts, fields.ts),
 * with a vocabulary: address fields (`srv`, `name`, `client`, `to`) and file
 * names are drawn, most of the time, from names the role under test knows, and
 * integers lean towards small values, so that random messages reach the roles'
 * real state (streams, servers, requests) rather than bouncing off lookups.
 * With an empty vocabulary every string is random (any UTF-8 length class).
 */
import fc from 'fast-check';
import { encode } from '../../src/protocol/codec.js';
import { DATA_CHUNK, MAX_DATAGRAM } from '../../src/protocol/constants.js';
import { ERRORS } from '../../src/protocol/errors.js';
import { type Field, utf8Length } from '../../src/protocol/fields.js';
import { MESSAGES, MESSAGE_TYPES, type Message, type MessageType } from '../../src/protocol/messages.js';

export interface Vocabulary {
  /** Addresses (`host:port`) the role knows: its peers, and strangers. */
  readonly addrs: readonly string[];
  /** File names the role knows. */
  readonly files: readonly string[];
}

export const NO_VOCABULARY: Vocabulary = { addrs: [], files: [] };

const ADDRESS_FIELDS = new Set(['srv', 'name', 'client', 'to']);
const utf8 = new TextEncoder();

/** One character of any UTF-8 length (1 to 4 bytes), ASCII most of the time. */
const anyChar = fc.oneof(
  { weight: 8, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.constantFrom('é', 'Ω', '中', '€', '𝄞', '😀', '\u0000', '\u007f', '[', ']', ':') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
);

function fit(s: string, max: number): string {
  if (utf8Length(s) <= max) return s;
  const cps = [...s];
  while (cps.length > 0 && utf8.encode(cps.join('')).length > max) cps.pop();
  return cps.join('');
}

function randomString(max: number): fc.Arbitrary<string> {
  return fc.string({ unit: anyChar, maxLength: Math.min(max, 48) }).map((s) => fit(s, max));
}

/** Integers: small and chunk-aligned ones mostly (offsets, counts), the width edges, and anything up to the maximum. */
function arbUint(max: number, min = 0): fc.Arbitrary<number> {
  const edges = [0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x1_0000, 0xffff_ffff, 0x1_0000_0000, Number.MAX_SAFE_INTEGER].filter((n) => n >= min && n <= max);
  return fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min, max: Math.min(max, 5_000) }) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: 2_000 }).map((k) => Math.max(min, Math.min(max, k * DATA_CHUNK))) },
    { weight: 1, arbitrary: fc.constantFrom(...edges) },
    { weight: 1, arbitrary: fc.bigInt({ min: BigInt(min), max: BigInt(max) }).map(Number) },
  );
}

/** A random value that the schema field `f` (named `name`) accepts. */
export function arbValue(f: Field, v: Vocabulary, name = ''): fc.Arbitrary<unknown> {
  switch (f.kind) {
    case 'uint':
      // A rate scale of 1000 is the usual one: give it weight so streams keep their plain rate.
      return name === 'scale' ? fc.oneof(fc.constant(Math.min(1000, f.max)), arbUint(f.max, f.min)) : arbUint(f.max, f.min);
    case 'str': {
      const pool = ADDRESS_FIELDS.has(name) ? v.addrs : name === 'file' ? v.files : name === 'code' ? Object.keys(ERRORS) : [];
      const usable = pool.filter((s) => utf8Length(s) <= f.max);
      if (usable.length === 0) return randomString(f.max);
      return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...usable) }, { weight: 1, arbitrary: randomString(f.max) });
    }
    case 'bin':
      if (f.len !== undefined) return fc.uint8Array({ minLength: f.len, maxLength: f.len });
      return fc.uint8Array({ maxLength: Math.min(f.max, name === 'data' ? DATA_CHUNK : 64), size: 'small' });
    case 'bool':
      return fc.boolean();
    case 'enum':
      return fc.constantFrom(...f.values!);
    case 'list':
      return fc.array(arbValue(f.of!, v, name), { maxLength: Math.min(f.max, 4) });
    case 'tuple':
      return fc.tuple(...f.items!.map((item) => arbValue(item, v)));
    case 'struct':
      return arbStruct(f.fields!, v);
  }
}

function arbStruct(fields: Readonly<Record<string, Field>>, v: Vocabulary): fc.Arbitrary<Record<string, unknown>> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  const required: string[] = [];
  for (const [name, f] of Object.entries(fields)) {
    model[name] = arbValue(f, v, name);
    if (!f.optional) required.push(name);
  }
  return fc.record(model, { requiredKeys: required }) as fc.Arbitrary<Record<string, unknown>>;
}

/** Room left for a MAC element and an `at` stamp, so a message still fits once authenticated. */
const AUTH_ROOM = 2 + 16 + 12;

/** A random valid message of `type` (or of any type) that fits in one datagram, MAC included. */
export function arbMessage(v: Vocabulary = NO_VOCABULARY, type?: MessageType): fc.Arbitrary<Message> {
  const types = type ? fc.constant(type) : fc.constantFrom(...MESSAGE_TYPES);
  return types
    .chain((t) => arbStruct(MESSAGES[t].fields, v).map((body) => ({ ...body, type: t }) as unknown as Message))
    .filter((m) => encode(m).length <= MAX_DATAGRAM - AUTH_ROOM);
}
