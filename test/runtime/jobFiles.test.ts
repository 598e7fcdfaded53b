/** Job files on disk (§14.4): temporary names the media scan skips, a rename into service, leftovers swept. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiskJobFiles } from '../../src/runtime/jobFiles.js';
import { scanMediaDir } from '../../src/runtime/mediaDir.js';

describe('job files on disk', () => {
  it('a file received under a hidden temporary name, unlisted by the media scan, then renamed into service and still read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ofp-jobfiles-'));
    const committed: string[] = [];
    const files = new DiskJobFiles(dir, (name, path, size) => committed.push(`${name} ${path} ${size}`));
    files.create('job-1-1', 10);
    files.write('job-1-1', 5, Uint8Array.from([5, 6, 7, 8, 9]));
    files.write('job-1-1', 0, Uint8Array.from([0, 1, 2, 3, 4]));
    expect(readdirSync(dir)).toEqual(['.ofp-job-job-1-1.part']);
    expect(scanMediaDir(dir, 1_000_000).files).toEqual([]);
    files.commit('job-1-1', 'title.ts');
    expect(readdirSync(dir)).toEqual(['title.ts']);
    expect([...readFileSync(join(dir, 'title.ts'))]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(committed).toEqual([`title.ts ${join(dir, 'title.ts')} 10`]);
    expect([...files.read('job-1-1', 3, 4)]).toEqual([3, 4, 5, 6]);
    // A newer job's file takes the name (renamed over it): the descriptor still reads the file it verified.
    writeFileSync(join(dir, 'newer'), 'another');
    renameSync(join(dir, 'newer'), join(dir, 'title.ts'));
    expect([...files.read('job-1-1', 0, 2)]).toEqual([0, 1]);
    files.close();
  });

  it('discard removes the temporary file; sweep removes those a dead process left, and nothing else', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ofp-jobfiles-'));
    const files = new DiskJobFiles(dir);
    files.create('k', 4);
    files.discard('k');
    expect(readdirSync(dir)).toEqual([]);
    writeFileSync(join(dir, '.ofp-job-job-9-1.part'), 'half');
    writeFileSync(join(dir, 'keep.ts'), 'media');
    writeFileSync(join(dir, '.hidden'), 'x');
    expect(new DiskJobFiles(dir).sweep()).toEqual(['.ofp-job-job-9-1.part']);
    expect(readdirSync(dir).sort()).toEqual(['.hidden', 'keep.ts']);
    expect(existsSync(join(dir, 'keep.ts'))).toBe(true);
  });

  it('a read past the end of the file, or of a key never opened, throws (the command fails there)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ofp-jobfiles-'));
    const files = new DiskJobFiles(dir);
    files.create('k', 4);
    expect(() => files.read('k', 2, 4)).toThrow(/ends before byte 6/);
    expect(() => files.read('nothing', 0, 1)).toThrow(/no file open for nothing/);
    expect(() => files.write('nothing', 0, new Uint8Array(1))).toThrow(/no file open/);
    files.close();
  });
});
