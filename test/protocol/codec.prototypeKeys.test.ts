/**
 * Unknown body keys are ignored (§2.3), including keys named like the members
 * every JavaScript object inherits: they once passed the decoder's "only known
 * fields" check (which found Object.prototype.toString for `toString`) and
 * reached the roles inside the message, where turning it into a string threw.
 */
import { describe, expect, it } from 'vitest';
import { decode, packPlain } from '../../src/protocol/codec.js';

describe('decode: keys named like Object.prototype members', () => {
  it.each(['toString', 'constructor', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', '__proto__'])('drops an unknown key %s from the message', (key) => {
    const body: Record<string, unknown> = { seq: 3 };
    Object.defineProperty(body, key, { value: 0, enumerable: true });
    const r = decode(packPlain([1, 20, body]));
    expect(r.ok && r.msg).toEqual({ type: 'poll', seq: 3 });
    expect(r.ok && Object.keys(r.msg).sort()).toEqual(['seq', 'type']);
    expect(() => String(r.ok && r.msg)).not.toThrow();
  });
});
