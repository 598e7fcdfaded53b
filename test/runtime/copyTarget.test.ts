import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CopyRefused, UsageError } from '../../src/errors.js';
import { CopyTarget } from '../../src/runtime/copyTarget.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ofp-copy-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const FLOWS = [{ name: 'show.video', size: 6 }, { name: 'show.audio', size: 3 }];

function refusal(f: () => unknown): UsageError | CopyRefused {
  try {
    f();
  } catch (e) {
    if (e instanceof UsageError || e instanceof CopyRefused) return e;
    throw e;
  }
  throw new Error('no refusal');
}

describe('CopyTarget', () => {
  it('writes a single-flow item to the file --out, or into --out when it is a directory', async () => {
    const file = CopyTarget.prepare(join(dir, 'copy.ts'), false, 'movie.ts');
    file.open([{ name: 'movie.ts', size: 3 }]);
    file.write(0, 0, new Uint8Array([1, 2, 3]));
    await file.close();
    expect([...readFileSync(join(dir, 'copy.ts'))]).toEqual([1, 2, 3]);
    expect(file.multi).toBe(false);

    const into = CopyTarget.prepare(dir, false, 'movie.ts');
    into.open([{ name: 'movie.ts', size: 1 }]);
    into.write(0, 0, new Uint8Array([9]));
    await into.close();
    expect([...readFileSync(join(dir, 'movie.ts'))]).toEqual([9]);
    expect(into.describe()).toBe(join(dir, 'movie.ts'));
  });

  it('refuses an existing file before asking, unless --force', () => {
    writeFileSync(join(dir, 'copy.ts'), 'mine');
    expect(refusal(() => CopyTarget.prepare(join(dir, 'copy.ts'), false, 'movie.ts'))).toMatchObject({ code: 'file-exists' });
    expect(() => CopyTarget.prepare(join(dir, 'copy.ts'), true, 'movie.ts')).not.toThrow();
  });

  it('refuses, before asking, an --out whose directory is missing or cannot be written', () => {
    expect(refusal(() => CopyTarget.prepare(join(dir, 'nowhere', 'copy.ts'), false, 'movie.ts'))).toMatchObject({ code: 'cannot-write' });
    expect(() => CopyTarget.prepare(join(dir, 'nowhere', 'copy.ts'), false, 'movie.ts')).toThrow(/nowhere does not exist/);
    expect(() => CopyTarget.prepare(join(dir, 'nowhere', 'copy.ts'), true, 'movie.ts')).toThrow(/does not exist/);
    expect(() => CopyTarget.prepare('-', false, 'movie.ts')).not.toThrow();
  });

  it('writes each flow of a multi-flow item to DIR/<flow>, creating DIR, and counts bytes over the flows', async () => {
    const out = join(dir, 'show.copy');
    const t = CopyTarget.prepare(out, false, 'show');
    t.open(FLOWS);
    expect(t.multi).toBe(true);
    expect(t.paths).toEqual([join(out, 'show.video'), join(out, 'show.audio')]);
    t.write(0, 0, new Uint8Array([1, 2, 3]));
    t.write(1, 0, new Uint8Array([7, 8, 9]));
    t.write(0, 3, new Uint8Array([4, 5, 6]));
    expect(t.bytes).toBe(9);
    await t.close();
    expect(t.written).toBe(9);
    expect(t.writtenPerFlow).toEqual([6, 3]);
    expect([...readFileSync(join(out, 'show.video'))]).toEqual([1, 2, 3, 4, 5, 6]);
    expect([...readFileSync(join(out, 'show.audio'))]).toEqual([7, 8, 9]);
    expect(t.describe()).toBe(`show.video, show.audio in ${out}`);
  });

  it('keeps existing flow files without --force, and leaves no directory it made', () => {
    const out = join(dir, 'show.copy');
    mkdirSync(out);
    writeFileSync(join(out, 'show.audio'), 'mine');
    expect(refusal(() => CopyTarget.prepare(out, false, 'show').open(FLOWS))).toMatchObject({ code: 'file-exists' });
    expect(readFileSync(join(out, 'show.audio'), 'utf8')).toBe('mine');
    expect(existsSync(join(out, 'show.video'))).toBe(false);
    CopyTarget.prepare(out, true, 'show').open(FLOWS);
    expect(existsSync(join(out, 'show.video'))).toBe(true);
  });

  it('refuses stdout and a file for several flows, and flow names that are not file names', () => {
    expect(refusal(() => CopyTarget.prepare('-', false, 'show').open(FLOWS))).toMatchObject({ code: 'usage', message: expect.stringMatching(/stdout takes one/) });
    writeFileSync(join(dir, 'file'), 'x');
    expect(refusal(() => CopyTarget.prepare(join(dir, 'file'), true, 'show').open(FLOWS))).toMatchObject({ code: 'cannot-write' });
    for (const name of ['../escape', '.hidden', '', 'a/b', 'a\\b', '..', 'nul\0byte', 'bell\x07', 'esc\x1b]0;title\x07', 'del\x7f', 'c1\x9b', 'x'.repeat(256)]) {
      const e = refusal(() => CopyTarget.prepare(join(dir, 'x'), false, 'show').open([{ name, size: 1 }, { name: 'ok', size: 1 }]));
      expect(e).toBeInstanceOf(CopyRefused);
      expect(e.code).toBe('bad-flow-name');
    }
    expect(refusal(() => CopyTarget.prepare(join(dir, 'x'), false, 'show').open([{ name: 'a', size: 1 }, { name: 'a', size: 1 }]))).toMatchObject({ code: 'bad-flow-name' });
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });

  it('discards what it created when nothing was written', async () => {
    const out = join(dir, 'show.copy');
    const t = CopyTarget.prepare(out, false, 'show');
    t.open(FLOWS);
    expect(await t.discard()).toBe(true);
    expect(existsSync(out)).toBe(false);
  });

  it('discards after it was closed, as ofp client get does when a setup came and no byte', async () => {
    const out = join(dir, 'late.ts');
    const t = CopyTarget.prepare(out, false, 'late.ts');
    t.open([{ name: 'late.ts', size: 10 }]);
    await t.close();
    expect(await t.discard()).toBe(true);
    expect(existsSync(out)).toBe(false);
  });
});
