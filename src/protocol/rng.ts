/**
 * A small seeded pseudo-random generator (xoshiro128**), so that every random
 * choice a role makes is reproducible from a seed (§ARCHITECTURE: time and
 * randomness are inputs).
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /**
   * A 32-bit seed (expanded with splitmix32) for reproducible runs, or the four
   * 32-bit words of the full 128-bit state, for roles on real hosts, where
   * cookies and ids must not be guessable from a 32-bit seed.
   */
  constructor(seed: number | readonly number[]) {
    if (typeof seed !== 'number') {
      this.a = (seed[0] ?? 0) >>> 0;
      this.b = (seed[1] ?? 0) >>> 0;
      this.c = (seed[2] ?? 0) >>> 0;
      this.d = (seed[3] ?? 0) >>> 0;
      if ((this.a | this.b | this.c | this.d) === 0) this.d = 1; // the all-zero state is a fixed point
      return;
    }
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
  }

  /** A uniformly distributed 32-bit unsigned integer. */
  u32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.b << 9) >>> 0;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** A float in [0, 1). */
  float(): number {
    return this.u32() / 0x1_0000_0000;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** A non-zero 32-bit id. */
  id(): number {
    let v = 0;
    while (v === 0) v = this.u32();
    return v;
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    // Four bytes of each draw: a master makes a stream key for every request it answers.
    for (let i = 0; i < n; i += 4) {
      const v = this.u32();
      out[i] = v & 0xff;
      if (i + 1 < n) out[i + 1] = (v >>> 8) & 0xff;
      if (i + 2 < n) out[i + 2] = (v >>> 16) & 0xff;
      if (i + 3 < n) out[i + 3] = v >>> 24;
    }
    return out;
  }

  /** A new generator whose sequence is independent of this one's. */
  fork(): Rng {
    return new Rng([this.u32(), this.u32(), this.u32(), this.u32()]);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
