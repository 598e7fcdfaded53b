import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_MISSING_RANGES, RECEIVE_WINDOW } from '../../src/protocol/constants.js';
import { Receiver } from '../../src/roles/client/receiver.js';

/** A file of `size` bytes whose every byte depends on its offset. */
const fileBytes = (size: number) => Uint8Array.from({ length: size }, (_, i) => (i * 7 + (i >> 8)) & 0xff);

function chunksOf(file: Uint8Array, chunk: number, start = 0): [number, Uint8Array][] {
  const out: [number, Uint8Array][] = [];
  for (let off = start; off < file.length; off += chunk) out.push([off, file.subarray(off, Math.min(off + chunk, file.length))]);
  return out;
}

/** A receiver that records what it hands on and checks it is contiguous. */
function recorder(size: number, start = 0) {
  const got: number[] = [];
  let expectedOff = start;
  let gaps = 0;
  const r = new Receiver(size, start, (off, data) => {
    if (off !== expectedOff) gaps++;
    expectedOff = off + data.length;
    got.push(...data);
  });
  return { r, got, gaps: () => gaps };
}

describe('Receiver: reordering, duplicates, gaps (§5.2)', () => {
  it('in-order chunks are handed on at once', () => {
    const file = fileBytes(1000);
    const { r, got } = recorder(1000);
    for (const [off, data] of chunksOf(file, 100)) expect(r.accept(off, data)).toBe('in-order');
    expect(got).toEqual([...file]);
    expect(r.complete).toBe(true);
    expect(r.missing()).toEqual([]);
  });

  it('property: any permutation, with any duplicates, of the chunks yields exactly the file, handed on in order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6000 }),
        fc.integer({ min: 1, max: 700 }),
        fc.integer({ min: 0, max: 0xffff_ffff }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (size, chunk, shuffleSeed, dups) => {
          const file = fileBytes(size);
          const chunks = chunksOf(file, chunk);
          const order = [...chunks, ...dups.map((d) => chunks[d % chunks.length]!)];
          // A seeded Fisher–Yates shuffle.
          let s = shuffleSeed;
          for (let i = order.length - 1; i > 0; i--) {
            s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
            const j = s % (i + 1);
            [order[i], order[j]] = [order[j]!, order[i]!];
          }
          const { r, got, gaps } = recorder(size);
          const outcomes = new Set(order.map(([off, data]) => r.accept(off, data)));
          for (const o of outcomes) expect(['in-order', 'buffered', 'duplicate']).toContain(o);
          expect(gaps()).toBe(0);
          expect(got.length).toBe(size);
          expect(Buffer.from(got).equals(Buffer.from(file))).toBe(true);
          expect(r.complete).toBe(true);
          expect(r.duplicates).toBe(dups.length);
          expect(r.buffered).toBe(0);
        },
      ),
      { numRuns: 400, seed: 41 },
    );
  });

  it('property: from a start offset, with chunks resent on another grid after a restart, still exactly the file', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 200, max: 5000 }),
        fc.integer({ min: 0, max: 199 }),
        fc.integer({ min: 10, max: 400 }),
        fc.integer({ min: 10, max: 400 }),
        fc.array(fc.boolean(), { maxLength: 60 }),
        (size, start, chunkA, chunkB, keep) => {
          const file = fileBytes(size);
          const { r, got, gaps } = recorder(size, start);
          // The first server sends some of its chunks, then fails; the second streams from `next` on its own grid.
          chunksOf(file, chunkA, start).forEach(([off, data], i) => {
            if (keep[i % Math.max(1, keep.length)] ?? true) r.accept(off, data);
          });
          r.restart();
          for (const [off, data] of chunksOf(file, chunkB, r.next).reverse()) r.accept(off, data);
          expect(gaps()).toBe(0);
          expect(Buffer.from(got).equals(Buffer.from(file.subarray(start)))).toBe(true);
          expect(r.complete).toBe(true);
        },
      ),
      { numRuns: 300, seed: 42 },
    );
  });

  it('missing(): the gaps between next and hi, lowest first, at most MAX_MISSING_RANGES', () => {
    const file = fileBytes(10_000);
    const { r } = recorder(10_000);
    r.accept(0, file.subarray(0, 100));
    r.accept(300, file.subarray(300, 400));
    r.accept(600, file.subarray(600, 700));
    expect(r.next).toBe(100);
    expect(r.hi).toBe(700);
    expect(r.missing()).toEqual([[100, 200], [400, 200]]);
    // Many gaps: only the lowest MAX_MISSING_RANGES are reported.
    for (let off = 1000; off < 9000; off += 200) r.accept(off, file.subarray(off, off + 100));
    const miss = r.missing();
    expect(miss).toHaveLength(MAX_MISSING_RANGES);
    expect(miss[0]).toEqual([100, 200]);
    for (let i = 1; i < miss.length; i++) expect(miss[i]![0]).toBeGreaterThan(miss[i - 1]![0]);
  });

  it('property: missing() covers exactly the bytes between next and hi not yet received (when few gaps)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 30 }), (size, keep) => {
        const file = fileBytes(size);
        const chunk = Math.ceil(size / keep.length);
        const { r } = recorder(size);
        const have = new Set<number>();
        chunksOf(file, chunk).forEach(([off, data], i) => {
          if (keep[i]) {
            r.accept(off, data);
            for (let b = off; b < off + data.length; b++) have.add(b);
          }
        });
        const miss = r.missing();
        fc.pre(miss.length < MAX_MISSING_RANGES);
        const missing = new Set<number>();
        for (const [off, len] of miss) for (let b = off; b < off + len; b++) missing.add(b);
        let wrong = 0;
        for (let b = r.next; b < r.hi; b++) if (missing.has(b) === have.has(b)) wrong++;
        for (const b of missing) if (b < r.next || b >= r.hi) wrong++;
        expect(wrong).toBe(0);
      }),
      { numRuns: 300, seed: 43 },
    );
  });

  // Regression: `hi` used to move before the window check, so a refused out-of-window chunk made
  // `missing()` (and the `ack` built from it) report bytes the stream had never reached.
  it('data past the end of the file, or beyond the receive window, is refused and changes nothing', () => {
    const { r, got } = recorder(RECEIVE_WINDOW * 2);
    expect(r.accept(RECEIVE_WINDOW * 2 - 10, new Uint8Array(11))).toBe('past-end');
    expect(r.accept(RECEIVE_WINDOW, new Uint8Array(10))).toBe('out-of-window');
    expect(r.accept(RECEIVE_WINDOW - 10, new Uint8Array(10))).toBe('buffered');
    expect(got).toHaveLength(0);
    expect(r.missing()).toEqual([[0, RECEIVE_WINDOW - 10]]);
  });

  it('a chunk overlapping what was handed on gives only its new bytes', () => {
    const file = fileBytes(300);
    const { r, got } = recorder(300);
    r.accept(0, file.subarray(0, 150));
    expect(r.accept(100, file.subarray(100, 300))).toBe('in-order');
    expect(got).toEqual([...file]);
  });
});
