/**
 * The schema language for message fields. One description per field gives the
 * TypeScript type (by inference), the decode-time validation, the encoder's
 * shaping of values, and the row of the spec's field table.
 */

export type FieldKind = 'uint' | 'str' | 'bin' | 'bool' | 'enum' | 'list' | 'tuple' | 'struct';

export interface Field<T = unknown, Opt extends boolean = boolean> {
  readonly kind: FieldKind;
  readonly doc: string;
  readonly optional: Opt;
  /** uint: largest value; str, bin: most bytes; list: most items. */
  readonly max: number;
  /** uint: smallest value, when it is not 0. */
  readonly min?: number;
  /** bin: the exact length, when fixed. */
  readonly len?: number;
  readonly values?: readonly string[];
  readonly of?: Field;
  readonly items?: readonly Field[];
  readonly fields?: Readonly<Record<string, Field>>;
  /** Phantom: carries the decoded type for inference. */
  readonly __type?: T;
}

export type Infer<F> = F extends Field<infer T, boolean> ? T : never;

type RequiredKeys<S> = { [K in keyof S]: S[K] extends Field<unknown, true> ? never : K }[keyof S];
type OptionalKeys<S> = { [K in keyof S]: S[K] extends Field<unknown, true> ? K : never }[keyof S];
type Simplify<T> = { [K in keyof T]: T[K] } & {};

export type InferStruct<S> = Simplify<
  { -readonly [K in RequiredKeys<S>]: Infer<S[K]> } & { -readonly [K in OptionalKeys<S>]?: Infer<S[K]> }
>;

export type Fields = Readonly<Record<string, Field>>;

export const U32 = 0xffff_ffff;

function field<T>(kind: FieldKind, doc: string, extra: Partial<Field> = {}): Field<T, false> {
  return { kind, doc, optional: false, max: Number.MAX_SAFE_INTEGER, ...extra } as Field<T, false>;
}

/** Field builders. */
export const t = {
  uint: (doc: string, max: number = Number.MAX_SAFE_INTEGER, min?: number) => field<number>('uint', doc, { max, ...(min ? { min } : {}) }),
  u32: (doc: string) => field<number>('uint', doc, { max: U32 }),
  /** An id (a stream's, a request's): uint32, never 0. */
  id: (doc: string) => field<number>('uint', doc, { max: U32, min: 1 }),
  str: (max: number, doc: string) => field<string>('str', doc, { max }),
  /**
   * A string of an open set: decoded whatever it holds (within `max`), so a
   * value of a later version is accepted, and typed as `T`, which names the
   * values this version knows and how it holds the others (an error code, §8.1).
   */
  open: <T extends string>(max: number, doc: string) => field<T>('str', doc, { max }),
  bin: (max: number, doc: string) => field<Uint8Array>('bin', doc, { max }),
  binExact: (len: number, doc: string) => field<Uint8Array>('bin', doc, { max: len, len }),
  bool: (doc: string) => field<boolean>('bool', doc),
  enum: <const V extends readonly string[]>(values: V, doc: string) =>
    field<V[number]>('enum', doc, { values, max: values.length }),
  list: <F extends Field>(of: F, max: number, doc: string) => field<Infer<F>[]>('list', doc, { of, max }),
  tuple: <const F extends readonly Field[]>(items: F, doc: string) =>
    field<{ -readonly [I in keyof F]: Infer<F[I]> }>('tuple', doc, { items, max: items.length }),
  struct: <S extends Fields>(fields: S, doc: string) => field<InferStruct<S>>('struct', doc, { fields }),
};

/** The same field, optional. */
export function opt<T>(f: Field<T, false>): Field<T, true> {
  return { ...f, optional: true } as Field<T, true>;
}

const utf8 = new TextEncoder();

export function utf8Length(s: string): number {
  // Fast path: ASCII strings (the common case) need no encoding.
  let ascii = true;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  }
  return ascii ? s.length : utf8.encode(s).length;
}

/**
 * Check a decoded value against a field. Returns undefined when it fits, or
 * a description of what is wrong, naming the path to the value.
 */
/** `text` cut to at most `max` UTF-8 bytes, on a character boundary, ending in `…` when cut: free text that must fit its field. */
export function clipUtf8(text: string, max: number): string {
  if (utf8Length(text) <= max) return text;
  let out = '';
  let n = 0;
  // `…` is 3 bytes in UTF-8.
  for (const ch of text) {
    const len = utf8Length(ch);
    if (n + len > max - 3) break;
    out += ch;
    n += len;
  }
  return `${out}…`;
}

export function checkValue(f: Field, v: unknown, path: string): string | undefined {
  return check(f, v, path, undefined);
}

/**
 * checkValue() at `key` of `base` (a field's name, an item's index), or at `base` itself when `key` is
 * undefined. The path of a value is written only when it has a problem, or once for a list, a tuple
 * or a map that holds values: most datagrams have none, and a load report lists dozens of streams.
 */
function check(f: Field, v: unknown, base: string, key: string | number | undefined): string | undefined {
  switch (f.kind) {
    case 'uint':
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) return `${pathOf(base, key)}: expected an unsigned integer`;
      if (v > f.max) return `${pathOf(base, key)}: ${v} is greater than ${f.max}`;
      if (f.min !== undefined && v < f.min) return `${pathOf(base, key)}: ${v} is less than ${f.min}`;
      return undefined;
    case 'str':
      if (typeof v !== 'string') return `${pathOf(base, key)}: expected a string`;
      // A string of n UTF-16 units is at most 3n bytes of UTF-8: count them only when that could be too many.
      if (v.length * 3 > f.max && utf8Length(v) > f.max) return `${pathOf(base, key)}: longer than ${f.max} bytes`;
      return undefined;
    case 'bin':
      if (!(v instanceof Uint8Array)) return `${pathOf(base, key)}: expected binary data`;
      if (f.len !== undefined && v.length !== f.len) return `${pathOf(base, key)}: expected exactly ${f.len} bytes`;
      if (v.length > f.max) return `${pathOf(base, key)}: longer than ${f.max} bytes`;
      return undefined;
    case 'bool':
      return typeof v === 'boolean' ? undefined : `${pathOf(base, key)}: expected a boolean`;
    case 'enum':
      return typeof v === 'string' && f.values!.includes(v) ? undefined : `${pathOf(base, key)}: expected one of ${f.values!.join(', ')}`;
    case 'list': {
      if (!Array.isArray(v)) return `${pathOf(base, key)}: expected an array`;
      if (v.length > f.max) return `${pathOf(base, key)}: more than ${f.max} items`;
      if (v.length === 0) return undefined;
      const at = pathOf(base, key);
      for (let i = 0; i < v.length; i++) {
        const e = check(f.of!, v[i], at, i);
        if (e) return e;
      }
      return undefined;
    }
    case 'tuple': {
      const items = f.items!;
      if (!Array.isArray(v) || v.length !== items.length) return `${pathOf(base, key)}: expected an array of ${items.length} items`;
      const at = pathOf(base, key);
      for (let i = 0; i < items.length; i++) {
        const e = check(items[i]!, v[i], at, i);
        if (e) return e;
      }
      return undefined;
    }
    case 'struct': {
      if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) return `${pathOf(base, key)}: expected a map`;
      return checkStruct(f.fields!, v as Record<string, unknown>, pathOf(base, key));
    }
  }
}

/** The path of the value at `key` of `base`: `base.key`, `base[i]`, or `base` itself. */
function pathOf(base: string, key: string | number | undefined): string {
  return key === undefined ? base : typeof key === 'number' ? `${base}[${key}]` : `${base}.${key}`;
}

/** Result of checking a map against a struct's fields: undefined, or [code, detail]. */
export function checkStruct(fields: Fields, v: Record<string, unknown>, path: string): string | undefined {
  for (const name in fields) {
    const f = fields[name]!;
    const value = v[name];
    if (value === undefined || value === null) {
      if (!f.optional) return `${path}.${name}: missing`;
      continue;
    }
    const e = check(f, value, path, name);
    if (e) return e;
  }
  return undefined;
}

/**
 * Shape a value for the encoder: drop absent optional fields, put fields in
 * schema order (so encodings are stable), and turn integers above 2^32-1 into
 * BigInt so they are written as a 64-bit MessagePack integer (msgpackr writes
 * int 64, 0xd3, below 2^63) rather than float 64 (§2.2).
 */
export function shapeValue(f: Field, v: unknown): unknown {
  switch (f.kind) {
    case 'uint':
      return typeof v === 'number' && v > U32 ? BigInt(v) : v;
    case 'list':
      return f.of!.kind === 'uint' || f.of!.kind === 'tuple' || f.of!.kind === 'struct' || f.of!.kind === 'list'
        ? (v as unknown[]).map((e) => shapeValue(f.of!, e))
        : v;
    case 'tuple':
      return f.items!.map((item, i) => shapeValue(item, (v as unknown[])[i]));
    case 'struct':
      return shapeStruct(f.fields!, v as Record<string, unknown>);
    default:
      return v;
  }
}

export function shapeStruct(fields: Fields, v: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name in fields) {
    const value = v[name];
    if (value === undefined || value === null) continue;
    out[name] = shapeValue(fields[name]!, value);
  }
  return out;
}

/** The type of a field as the spec's tables write it. */
export function describeType(f: Field): string {
  switch (f.kind) {
    case 'uint':
      if (f.min !== undefined) return f.max === U32 ? `uint32 ≥ ${f.min}` : `uint ${f.min}…${f.max}`;
      return f.max === U32 ? 'uint32' : f.max === Number.MAX_SAFE_INTEGER ? 'uint' : `uint ≤ ${f.max}`;
    case 'str':
      return `str ≤ ${f.max} B`;
    case 'bin':
      return f.len !== undefined ? `bin ${f.len} B` : `bin ≤ ${f.max} B`;
    case 'bool':
      return 'bool';
    case 'enum':
      return `str: ${f.values!.map((x) => `\`${x}\``).join(' \\| ')}`;
    case 'list':
      return `array ≤ ${f.max} of ${describeType(f.of!)}`;
    case 'tuple':
      return `[${f.items!.map(describeType).join(', ')}]`;
    case 'struct':
      return `map {${Object.keys(f.fields!).join(', ')}}`;
  }
}

/**
 * The decoded value as the schema describes it: only known fields, absent
 * (nil) optional fields left out, nested maps treated the same way. Unknown
 * fields are ignored (§2.3), so they never reach a role.
 */
export function pickStruct(fields: Fields, v: Record<string, unknown>): Record<string, unknown> {
  if (isExact(fields, v)) return v;
  const out: Record<string, unknown> = {};
  for (const name in fields) {
    const value = v[name];
    if (value === undefined || value === null) continue;
    out[name] = pickValue(fields[name]!, value);
  }
  return out;
}

function pickValue(f: Field, v: unknown): unknown {
  if (f.kind === 'struct') return pickStruct(f.fields!, v as Record<string, unknown>);
  if (f.kind === 'list' && (f.of!.kind === 'struct' || f.of!.kind === 'list' || f.of!.kind === 'tuple')) {
    return (v as unknown[]).map((e) => pickValue(f.of!, e));
  }
  if (f.kind === 'tuple') return f.items!.map((item, i) => pickValue(item, (v as unknown[])[i]));
  return v;
}

/** True when `v` holds only known fields, none nil, and nested maps are the same: nothing to copy. */
function isExact(fields: Fields, v: Record<string, unknown>): boolean {
  for (const name in v) {
    // Own fields only: a key such as `toString` must not find Object.prototype's and pass for a field.
    const f = Object.hasOwn(fields, name) ? fields[name] : undefined;
    const value = v[name];
    if (f === undefined || value === null || value === undefined) return false;
    // Maps inside may hold unknown fields: copy (rare on hot paths). A list of plain values is kept as it is.
    if (f.kind === 'struct' || f.kind === 'tuple' || (f.kind === 'list' && (f.of!.kind === 'struct' || f.of!.kind === 'list' || f.of!.kind === 'tuple'))) return false;
  }
  return true;
}
