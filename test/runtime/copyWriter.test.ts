import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CopyWriter } from '../../src/runtime/copyWriter.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ofp-copy-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('CopyWriter', () => {
  it('never replaces a file the user has, unless forced', async () => {
    const path = join(dir, 'saved');
    writeFileSync(path, 'precious');
    expect(() => CopyWriter.open(path, false)).toThrow(/exists: pass --force/);
    expect(readFileSync(path, 'utf8')).toBe('precious');
    const w = CopyWriter.open(path, true);
    w.write(0, Buffer.from('new'));
    await w.close();
    expect(readFileSync(path, 'utf8')).toBe('new');
  });

  it('writes runs in order, in blocks, and stops at the first run out of order', async () => {
    const path = join(dir, 'copy');
    const w = CopyWriter.open(path, false);
    const big = Buffer.alloc(300 * 1024, 7);
    w.write(0, big);
    expect(w.written).toBe(big.length); // past the block size: on disk already
    w.write(big.length, Buffer.from('ab'));
    w.write(big.length + 5, Buffer.from('zz'));
    expect(w.problem).toMatch(/arrived when 307202 was expected/);
    await w.close();
    expect(readFileSync(path).length).toBe(big.length + 2); // the in-order prefix
  });

  it('closes its file once: a second close leaves alone whatever file now has the same number', async () => {
    const w = CopyWriter.open(join(dir, 'copy'), false);
    w.write(0, Buffer.from('abc'));
    await w.close();
    // The next file opened gets the number just freed (the lowest free one).
    const other = openSync(join(dir, 'other'), 'w');
    try {
      await w.close();
      writeSync(other, 'still open');
    } finally {
      closeSync(other);
    }
    expect(readFileSync(join(dir, 'other'), 'utf8')).toBe('still open');
    expect(readFileSync(join(dir, 'copy'), 'utf8')).toBe('abc');
  });
});
