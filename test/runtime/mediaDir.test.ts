import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nameKey, syntheticBytes } from '../../src/media/synthetic.js';
import { FileMediaReader, scanMediaDir } from '../../src/runtime/mediaDir.js';
import { checkSyntheticFile, makeSyntheticFile } from '../../src/runtime/syntheticFile.js';
import { UsageError } from '../../src/runtime/usageError.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ofp-media-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('scanMediaDir', () => {
  it('serves regular files, with rates from sidecars or the default, and skips the rest', () => {
    writeFileSync(join(dir, 'a.ts'), Buffer.alloc(1000));
    writeFileSync(join(dir, 'a.ts.ofp.json'), JSON.stringify({ rate: 2_000_000 }));
    writeFileSync(join(dir, 'b.ts'), Buffer.alloc(10));
    writeFileSync(join(dir, 'c.ts'), Buffer.alloc(5));
    writeFileSync(join(dir, 'c.ts.ofp.json'), JSON.stringify({ rate: '3M' }));
    writeFileSync(join(dir, '.hidden'), 'x');
    writeFileSync(join(dir, 'orphan.ofp.json'), JSON.stringify({ rate: 1 }));
    mkdirSync(join(dir, 'sub'));
    // 255 bytes: the longest name a file system takes, and too long for a sidecar next to it.
    const long = 'x'.repeat(250) + '.long';
    writeFileSync(join(dir, long), 'x');
    const scan = scanMediaDir(dir, 4_000_000);
    expect(scan.files.map((f) => [f.name, f.size, f.rate, f.rateFrom])).toEqual([
      ['a.ts', 1000, 2_000_000, 'sidecar'],
      ['b.ts', 10, 4_000_000, 'default'],
      ['c.ts', 5, 3_000_000, 'sidecar'],
      [long, 1, 4_000_000, 'default'],
    ]);
    expect(scan.skipped).toEqual([]);
  });

  it('names a bad sidecar', () => {
    writeFileSync(join(dir, 'a.ts'), 'x');
    writeFileSync(join(dir, 'a.ts.ofp.json'), '{"rate": "fast"}');
    expect(() => scanMediaDir(dir, 1)).toThrow(/a\.ts\.ofp\.json: rate "fast"/);
    writeFileSync(join(dir, 'a.ts.ofp.json'), 'not json');
    try {
      scanMediaDir(dir, 1);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(UsageError);
      expect((e as UsageError).code).toBe('bad-sidecar');
    }
  });

  it('says when the directory is missing', () => {
    expect(() => scanMediaDir(join(dir, 'nope'), 1)).toThrow(/does not exist/);
    writeFileSync(join(dir, 'file'), 'x');
    expect(() => scanMediaDir(join(dir, 'file'), 1)).toThrow(/is not a directory/);
  });
});

describe('FileMediaReader', () => {
  it('reads any range, across blocks, through its cache', () => {
    const made = makeSyntheticFile({ name: 'm.ts', durationMs: 1000, rate: 800_000, dir });
    expect(made.size).toBe(100_000);
    const scan = scanMediaDir(dir, 1);
    expect(scan.files[0]!.rate).toBe(800_000);
    const reader = new FileMediaReader(scan.files, 4096, 4);
    const key = nameKey('m.ts');
    for (const [off, len] of [[0, 1100], [4000, 1100], [8190, 10_000], [99_000, 1000], [50_000, 0], [4096, 4096]] as const) {
      expect(Buffer.from(reader.read('m.ts', off, len)).equals(Buffer.from(syntheticBytes(key, off, len)))).toBe(true);
    }
    expect(() => reader.read('m.ts', 99_999, 2)).toThrow(/outside/);
    expect(() => reader.read('other.ts', 0, 1)).toThrow(/not served/);
    reader.close();
  });

  it('throws when the file can no longer be read (the core ends the stream with media-error)', () => {
    makeSyntheticFile({ name: 'm.ts', durationMs: 1000, rate: 800_000, dir });
    const reader = new FileMediaReader(scanMediaDir(dir, 1).files, 4096, 2);
    expect(reader.read('m.ts', 0, 100).length).toBe(100);
    truncateSync(join(dir, 'm.ts'), 10_000);
    expect(() => reader.read('m.ts', 50_000, 1100)).toThrow(/shorter/);
    rmSync(join(dir, 'm.ts'));
    expect(() => reader.read('m.ts', 60_000, 1100)).toThrow(/ENOENT/);
    reader.close();
  });
});

describe('synthetic files on disk', () => {
  it('makes a file of duration × bitrate / 8 bytes that checks intact, and finds the first wrong byte', () => {
    const made = makeSyntheticFile({ name: 'x.ts', durationMs: 1500, rate: 2_000_000, dir });
    expect(made.size).toBe(375_000);
    expect(checkSyntheticFile(made.path)).toMatchObject({ intact: true, size: 375_000, expectedSize: 375_000 });
    const copy = join(dir, 'copy');
    const bytes = Buffer.from(syntheticBytes(nameKey('x.ts'), 0, 375_000));
    bytes[123_457] = bytes[123_457]! ^ 0xff;
    writeFileSync(copy, bytes);
    expect(checkSyntheticFile(copy, 'x.ts')).toMatchObject({ intact: false, firstWrong: 123_457 });
    // A chunk in the wrong place: the word says where it came from.
    const moved = Buffer.from(syntheticBytes(nameKey('x.ts'), 0, 20_000));
    moved.set(syntheticBytes(nameKey('x.ts'), 8_000, 1_000), 16_000);
    writeFileSync(copy, moved);
    expect(checkSyntheticFile(copy, 'x.ts')).toMatchObject({ intact: false, firstWrong: 16_004, claims: 8_000 });
  });

  it('refuses to replace a file without force, and names that are paths', () => {
    makeSyntheticFile({ name: 'x.ts', durationMs: 100, rate: 80_000, dir });
    expect(() => makeSyntheticFile({ name: 'x.ts', durationMs: 100, rate: 80_000, dir })).toThrow(/--force/);
    expect(makeSyntheticFile({ name: 'x.ts', durationMs: 200, rate: 80_000, dir, force: true }).size).toBe(2000);
    expect(() => makeSyntheticFile({ name: '../x.ts', durationMs: 100, rate: 80_000, dir })).toThrow(/not a path/);
    expect(() => makeSyntheticFile({ name: '.x', durationMs: 100, rate: 80_000, dir })).toThrow(/dot/);
  });
});
