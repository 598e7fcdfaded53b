/**
 * The JSON form of messages used by the test vectors and `schema.json` (§3):
 * a message is its body map plus `type`; binary values are written
 * `{"$bin": "<lower-case hex>"}`. Also a JSON writer with sorted keys, so the
 * generated files are byte-for-byte reproducible.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

export function fromHex(hex: string): Uint8Array {
  if (!/^(?:[0-9a-f]{2})*$/.test(hex)) throw new Error(`not lower-case hex of whole bytes: ${hex.slice(0, 40)}`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** A decoded or hand-written value in its JSON form. Absent (`undefined`) object members are left out. */
export function toJson(v: unknown): Json {
  if (v instanceof Uint8Array) return { $bin: toHex(v) };
  if (Array.isArray(v)) return v.map(toJson);
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`no JSON form for ${v}`);
    return v;
  }
  if (typeof v === 'object') {
    const out: { [key: string]: Json } = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (x !== undefined) out[k] = toJson(x);
    return out;
  }
  throw new Error(`no JSON form for a ${typeof v}`);
}

function isBin(v: Json): v is { $bin: string } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && typeof v.$bin === 'string';
}

/** The value a JSON form stands for: `{"$bin": hex}` becomes a Uint8Array. */
export function fromJson(v: Json): unknown {
  if (isBin(v)) return fromHex(v.$bin);
  if (Array.isArray(v)) return v.map(fromJson);
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = fromJson(x);
    return out;
  }
  return v;
}

function sortKeys(v: Json): Json {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v === 'object' && v !== null) {
    const out: { [key: string]: Json } = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]!);
    return out;
  }
  return v;
}

/** JSON text with object keys sorted and a final newline: the same value always gives the same bytes. */
export function stableStringify(v: Json): string {
  return `${JSON.stringify(sortKeys(v), null, 2)}\n`;
}
