/**
 * Exact encoded sizes (§2.2), computed rather than found by encoding: the
 * bytes a value takes in MessagePack as the codec writes it (msgpackr with
 * PACKR_OPTIONS, after `shapeValue`). `fieldLength(f, v)` equals the length of
 * the encoding of `shapeValue(f, v)` for every value `f` accepts, so a sender
 * fills a datagram by adding sizes — one item, one row — and encodes it once.
 *
 * msgpackr's choices these follow: an unsigned integer in the shortest of
 * positive fixint (below 0x80: records are off), uint 8, 16, 32; an integer
 * the codec shapes into a BigInt (above 2^32−1) as int 64; any other number as
 * float 64 (float 32 is off); a string's header from its UTF-8 byte length
 * (fixstr below 32, str 8 below 256, str 16, str 32); a Uint8Array as bin 8, 16
 * or 32; arrays and maps with the shortest header for their count (maps of
 * variable size, never records).
 */
import type { Field, Fields } from './fields.js';
import { U32, utf8Length } from './fields.js';

/** The bytes of an array header for `n` items: fixarray, array 16 or array 32. */
export function arrayHeaderLength(n: number): number {
  return n < 0x10 ? 1 : n < 0x1_0000 ? 3 : 5;
}

/** The bytes of a map header for `n` entries: fixmap, map 16 or map 32. */
export function mapHeaderLength(n: number): number {
  return n < 0x10 ? 1 : n < 0x1_0000 ? 3 : 5;
}

/** The bytes of a string header for a string of `bytes` UTF-8 bytes: fixstr, str 8, str 16 or str 32. */
export function strHeaderLength(bytes: number): number {
  return bytes < 0x20 ? 1 : bytes < 0x100 ? 2 : bytes < 0x1_0000 ? 3 : 5;
}

/** The bytes of a string: its header and its UTF-8 bytes. */
export function strLength(s: string): number {
  const bytes = utf8Length(s);
  return strHeaderLength(bytes) + bytes;
}

/** The bytes of binary data of `n` bytes: bin 8, bin 16 or bin 32 header and the data. */
export function binLength(n: number): number {
  return (n < 0x100 ? 2 : n < 0x1_0000 ? 3 : 5) + n;
}

/** The bytes of an unsigned integer as the codec writes it: fixint, uint 8, 16, 32, or int 64 above 2^32−1. */
export function uintLength(n: number): number {
  return n < 0x80 ? 1 : n < 0x100 ? 2 : n < 0x1_0000 ? 3 : n <= U32 ? 5 : 9;
}

/** The bytes of any JavaScript number as msgpackr writes it (a uint field's value is never anything but an unsigned integer). */
export function numberLength(n: number): number {
  if (n >>> 0 === n) return uintLength(n);
  if (n >> 0 === n) return n >= -0x20 ? 1 : n >= -0x80 ? 2 : n >= -0x8000 ? 3 : 5;
  return 9; // float 64
}

/** The bytes of `v`, a value the field `f` accepts, as the codec encodes it. */
export function fieldLength(f: Field, v: unknown): number {
  switch (f.kind) {
    case 'uint':
      // shapeValue turns an integer above U32 into a BigInt: int 64, like a float 64 nine bytes.
      return (v as number) > U32 ? 9 : numberLength(v as number);
    case 'str':
    case 'enum':
      return strLength(v as string);
    case 'bin':
      return binLength((v as Uint8Array).length);
    case 'bool':
      return 1;
    case 'list': {
      const items = v as readonly unknown[];
      let n = arrayHeaderLength(items.length);
      for (let i = 0; i < items.length; i++) n += fieldLength(f.of!, items[i]);
      return n;
    }
    case 'tuple': {
      const items = f.items!;
      const values = v as readonly unknown[];
      let n = arrayHeaderLength(items.length);
      for (let i = 0; i < items.length; i++) n += fieldLength(items[i]!, values[i]);
      return n;
    }
    case 'struct':
      return structLength(f.fields!, v as Record<string, unknown>);
  }
}

/** The bytes of a map of `fields` holding `v`'s values (absent and nil fields left out, as shapeStruct does). */
export function structLength(fields: Fields, v: Record<string, unknown>): number {
  let count = 0;
  let n = 0;
  for (const name in fields) {
    const value = v[name];
    if (value === undefined || value === null) continue;
    count++;
    n += strLength(name) + fieldLength(fields[name]!, value);
  }
  return mapHeaderLength(count) + n;
}

/**
 * The greatest number of bytes any value of a fixed-width field takes: a uint at its
 * maximum, a bin of its exact length, a bool, an enum's longest value. Other fields
 * have no useful bound and throw.
 */
export function widestFieldLength(f: Field): number {
  switch (f.kind) {
    case 'uint':
      return uintLength(f.max);
    case 'bin':
      if (f.len === undefined) break;
      return binLength(f.len);
    case 'bool':
      return 1;
    case 'enum':
      return Math.max(...f.values!.map(strLength));
    case 'tuple':
      return arrayHeaderLength(f.items!.length) + f.items!.reduce((n, item) => n + widestFieldLength(item), 0);
    default:
      break;
  }
  throw new Error(`a ${f.kind} field has no fixed widest size`);
}

/**
 * Items added to one list of a message while the message stays within a size:
 * each item adds its own bytes, and the list's header grows by two bytes at 16
 * items (and two more at 65,536). Nothing is encoded; the caller encodes the
 * message once when the list is full.
 */
export class ListFill<T> {
  readonly items: T[] = [];
  private bytes: number;

  constructor(
    /** The schema of one item. */
    private readonly item: Field,
    /** The size of the whole message with the list empty. */
    emptySize: number,
    /** The most bytes the message may take. */
    private readonly limit: number,
    /** The most items the list may hold. */
    private readonly maxItems: number,
  ) {
    this.bytes = emptySize;
  }

  /** The size of the message as it stands. */
  get size(): number {
    return this.bytes;
  }

  /** True when the list holds as many items as it may. */
  get full(): boolean {
    return this.items.length >= this.maxItems;
  }

  /** The size of the message with `item` added. */
  sizeWith(item: T): number {
    const n = this.items.length;
    return this.bytes + fieldLength(this.item, item) + arrayHeaderLength(n + 1) - arrayHeaderLength(n);
  }

  /** Add `item` when the message still fits with it and the list has room; false (nothing added) otherwise. */
  add(item: T): boolean {
    if (this.full) return false;
    const size = this.sizeWith(item);
    if (size > this.limit) return false;
    this.items.push(item);
    this.bytes = size;
    return true;
  }

  /** Add `item` whatever its size (the first item of a part that must hold one). */
  push(item: T): void {
    this.bytes = this.sizeWith(item);
    this.items.push(item);
  }
}
