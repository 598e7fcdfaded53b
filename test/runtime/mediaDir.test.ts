import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nameKey, syntheticBytes } from '../../src/media/synthetic.js';
import { catalogOf, FileMediaReader, readableFiles, scanMediaDir } from '../../src/runtime/mediaDir.js';
import { checkSyntheticFile, makeSyntheticFile, makeSyntheticItem } from '../../src/runtime/syntheticFile.js';
import { UsageError } from '../../src/errors.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ofp-media-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('scanMediaDir', () => {
  it('refuses a link that leads out of the media directory, serves one that stays in it (§9.6)', () => {
    const media = join(dir, 'media');
    mkdirSync(media);
    writeFileSync(join(dir, 'secret.txt'), 'not media');
    writeFileSync(join(media, 'a.ts'), Buffer.alloc(100, 7));
    symlinkSync(join(dir, 'secret.txt'), join(media, 'passwd'));
    symlinkSync('/etc/hostname', join(media, 'hostname'));
    symlinkSync('a.ts', join(media, 'alias.ts'));
    const scan = scanMediaDir(media, 4_000_000);
    expect(scan.files.map((f) => [f.name, f.size])).toEqual([['a.ts', 100], ['alias.ts', 100]]);
    expect(scan.skipped.map((x) => x.name).sort()).toEqual(['hostname', 'passwd']);
    for (const x of scan.skipped) expect(x.why).toMatch(/link that leads out of the media directory/);
  });

  it('does not follow a file that became a link after the server started', () => {
    writeFileSync(join(dir, 'a.ts'), Buffer.alloc(100, 7));
    writeFileSync(join(dir, 'outside'), Buffer.alloc(100, 9));
    const reader = new FileMediaReader(scanMediaDir(dir, 4_000_000).files);
    rmSync(join(dir, 'a.ts'));
    symlinkSync(join(dir, 'outside'), join(dir, 'a.ts.tmp'));
    renameSync(join(dir, 'a.ts.tmp'), join(dir, 'a.ts'));
    expect(() => reader.read('a.ts', 0, 10)).toThrow(/ELOOP|symbolic link/);
  });


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

describe('media items of several flows', () => {
  it('a manifest makes one item of its flow files: sizes and rates summed, flows in order, served only as the item', () => {
    writeFileSync(join(dir, 'show.video'), Buffer.alloc(1000));
    writeFileSync(join(dir, 'show.video.ofp.json'), JSON.stringify({ rate: 4_000_000 }));
    writeFileSync(join(dir, 'show.audio'), Buffer.alloc(40));
    writeFileSync(join(dir, 'show.ofp-item.json'), JSON.stringify({ flows: ['show.video', 'show.audio'] }));
    writeFileSync(join(dir, 'alone.ts'), Buffer.alloc(7));
    const scan = scanMediaDir(dir, 160_000);
    expect(scan.files.map((f) => f.name)).toEqual(['alone.ts']);
    expect(scan.items).toHaveLength(1);
    expect(scan.items[0]).toMatchObject({ name: 'show', size: 1040, rate: 4_160_000, manifest: join(dir, 'show.ofp-item.json') });
    expect(catalogOf(scan)).toEqual([
      { name: 'alone.ts', size: 7, rate: 160_000, path: join(dir, 'alone.ts'), rateFrom: 'default' },
      { name: 'show', size: 1040, rate: 4_160_000, flows: [{ name: 'show.video', size: 1000, rate: 4_000_000 }, { name: 'show.audio', size: 40, rate: 160_000 }] },
    ]);
    expect(readableFiles(scan).map((f) => f.name).sort()).toEqual(['alone.ts', 'show.audio', 'show.video']);
  });

  it.each([
    ['not json', /is not JSON/],
    [JSON.stringify({ flows: 'show.video' }), /no list of flow file names/],
    [JSON.stringify({ flows: ['show.video'] }), /names 1 flow\(s\): an item has 2 to 4/],
    [JSON.stringify({ flows: ['a', 'b', 'c', 'd', 'e'] }), /names 5 flow/],
    [JSON.stringify({ flows: ['show.video', 'show.video'] }), /named twice/],
    [JSON.stringify({ flows: ['show.video', '../etc/passwd'] }), /is a path/],
    [JSON.stringify({ flows: ['show.video', '.hidden'] }), /hidden/],
    [JSON.stringify({ flows: ['show.video', 'show.video.ofp.json'] }), /sidecar or a manifest/],
    [JSON.stringify({ flows: ['show.video', 'x'.repeat(65)] }), /longer than 64 bytes/],
    [JSON.stringify({ flows: ['show.video', 'show.audio'] }), /"show\.audio" is not a media file/],
  ])('refuses the manifest %s', (manifest, why) => {
    writeFileSync(join(dir, 'show.video'), 'x');
    writeFileSync(join(dir, 'show.ofp-item.json'), manifest);
    let err: unknown;
    try {
      scanMediaDir(dir, 1);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).code).toBe('bad-manifest');
    expect((err as UsageError).message).toMatch(why);
  });

  it('refuses an item named like a file that is served on its own', () => {
    writeFileSync(join(dir, 'show'), 'x');
    writeFileSync(join(dir, 'a'), 'x');
    writeFileSync(join(dir, 'b'), 'x');
    writeFileSync(join(dir, 'show.ofp-item.json'), JSON.stringify({ flows: ['a', 'b'] }));
    expect(() => scanMediaDir(dir, 1)).toThrow(/a file of that name is served too/);
  });

  it('ofp media make --flows: one synthetic file per flow with its sidecar, and the manifest; a server reads it as one item', () => {
    const made = makeSyntheticItem({ name: 'show', flows: [{ flow: 'video', rate: 800_000 }, { flow: 'audio', rate: 80_000 }], durationMs: 1000, dir });
    expect(made).toMatchObject({ name: 'show', size: 110_000, rate: 880_000, duration: 1 });
    expect(made.flows.map((f) => [f.name, f.size])).toEqual([['show.video', 100_000], ['show.audio', 10_000]]);
    for (const f of made.flows) expect(checkSyntheticFile(f.path)).toMatchObject({ intact: true });
    const scan = scanMediaDir(dir, 1);
    expect(scan.files).toEqual([]);
    expect(scan.items[0]!.flows.map((f) => [f.name, f.rate, f.rateFrom])).toEqual([['show.video', 800_000, 'sidecar'], ['show.audio', 80_000, 'sidecar']]);
    // Not twice without --force, and no half item: nothing is written when any file is there.
    expect(() => makeSyntheticItem({ name: 'show', flows: [{ flow: 'video', rate: 1 }, { flow: 'audio', rate: 1 }], durationMs: 1000, dir })).toThrow(/--force/);
    expect(makeSyntheticItem({ name: 'show', flows: [{ flow: 'video', rate: 8_000 }, { flow: 'audio', rate: 8_000 }], durationMs: 1000, dir, force: true }).size).toBe(2_000);
    expect(() => makeSyntheticItem({ name: 'x'.repeat(60), flows: [{ flow: 'video', rate: 1 }, { flow: 'audio', rate: 1 }], durationMs: 1000, dir })).toThrow(/shorter item name/);
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
