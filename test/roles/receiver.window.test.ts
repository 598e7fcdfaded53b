/**
 * The receive buffer stays within RECEIVE_WINDOW (§7.3) whatever the chunks'
 * offsets: chunks that overlap (one at every byte offset, as a faulty server
 * or anyone forging its address can send) were each buffered whole, so 20 000
 * of them held 22 MB against a 2 MiB window.
 */
import { describe, expect, it } from 'vitest';
import { DATA_CHUNK, RECEIVE_WINDOW } from '../../src/protocol/constants.js';
import { Receiver } from '../../src/roles/client/receiver.js';

const bufferedBytes = (r: Receiver) => r.bufferedBytes;

describe('Receiver: the buffer is bounded by the window', () => {
  it('refuses overlapping chunks once they would hold more than RECEIVE_WINDOW bytes', () => {
    const r = new Receiver(100_000_000, 0, () => {});
    const chunk = new Uint8Array(DATA_CHUNK);
    const outcomes = new Map<string, number>();
    for (let off = 1; off < 5_000; off++) {
      const o = r.accept(off, chunk);
      outcomes.set(o, (outcomes.get(o) ?? 0) + 1);
    }
    expect(bufferedBytes(r)).toBeLessThanOrEqual(RECEIVE_WINDOW);
    expect(outcomes.get('out-of-window')).toBeGreaterThan(0);
  });

  it('bounds the entries too: tiny chunks count for at least 64 bytes each', () => {
    const r = new Receiver(100_000_000, 0, () => {});
    for (let off = 1; off < 40_000; off++) r.accept(off * 2, new Uint8Array(1));
    expect(r.buffered).toBeLessThanOrEqual(RECEIVE_WINDOW / 64);
  });

  it('makes room again as the hole fills: the file still comes whole and in order', () => {
    const size = 4 * RECEIVE_WINDOW;
    const got: number[] = [];
    const r = new Receiver(size, 0, (off, data) => got.push(off, data.length));
    const chunk = new Uint8Array(DATA_CHUNK);
    // Fill the window with overlapping junk beyond a hole at 0, then deliver the file on the grid.
    for (let off = 1; off < 3_000; off++) r.accept(off, chunk);
    for (let off = 0; off < size; off += DATA_CHUNK) r.accept(off, new Uint8Array(Math.min(DATA_CHUNK, size - off)));
    expect(r.complete).toBe(true);
    let end = 0;
    for (let i = 0; i < got.length; i += 2) {
      expect(got[i]).toBe(end);
      end += got[i + 1]!;
    }
    expect(end).toBe(size);
  });
});
