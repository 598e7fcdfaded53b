/** The flags that set a base server's waits and attempts, and a server's job stall (§14.5): parsed into the cores' settings, refused with a clear error; and the order a provider gives a master's servers. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBaseFlags } from '../../src/runtime/base.js';
import { parseServerFlags } from '../../src/runtime/server.js';
import { OfpError } from '../../src/errors.js';
import { byHeadroom } from '../../src/runtime/job.js';

const key = 'the cluster key of a distribution job';
const base = { host: '127.0.0.1', port: 0, store: 'ofp-base-store', key, output: 'human' as const, logLevel: 'info' as const };

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(OfpError);
    return `${(e as OfpError).code}: ${(e as Error).message}`;
  }
  throw new Error('accepted');
}

describe('ofp base: job timeouts', () => {
  it('takes durations with units and counts, and leaves the rest to the defaults', async () => {
    expect((await parseBaseFlags(base)).timeouts).toBeUndefined();
    expect((await parseBaseFlags({ ...base, queryAfter: '1.5s', queryAttempts: 2, repairAttempts: '0', retryDelay: '2m', stallAfter: '750ms' })).timeouts)
      .toEqual({ queryAfter: 1_500, queryAttempts: 2, repairAttempts: 0, retryDelay: 120_000, stall: 750 });
    expect((await parseBaseFlags({ ...base, queryAfter: '5' })).timeouts).toEqual({ queryAfter: 5_000 });
    expect((await parseBaseFlags({ ...base, retryDelay: '0' })).timeouts).toEqual({ retryDelay: 0 });
  });

  it('refuses what it cannot use, naming the flag', async () => {
    expect(await refusal(parseBaseFlags({ ...base, queryAfter: 'soon' }))).toBe('bad-duration: --query-after "soon" is not a duration: give seconds, like 3 or 1.5s');
    expect(await refusal(parseBaseFlags({ ...base, queryAfter: '20ms' }))).toBe('bad-duration: --query-after "20ms" is too short: give at least 100 ms');
    expect(await refusal(parseBaseFlags({ ...base, stallAfter: '0' }))).toMatch(/^bad-duration: --stall-after "0" is too short: give at least 200 ms/);
    expect(await refusal(parseBaseFlags({ ...base, queryAttempts: '0' }))).toBe('usage: --query-attempts "0" must be a whole number from 1 to 100');
    expect(await refusal(parseBaseFlags({ ...base, repairAttempts: 'many' }))).toBe('usage: --repair-attempts "many" must be a whole number from 0 to 100');
    expect(await refusal(parseBaseFlags({ ...base, retryDelay: '-1s' }))).toMatch(/^bad-duration: --retry-delay "-1s" is not a duration/);
  });
});

describe('ofp server --job-stall, --job-upload', () => {
  const media = mkdtempSync(join(tmpdir(), 'ofp-job-stall-'));
  const server = { media, host: '127.0.0.1', port: 0, capacity: '1G', group: 'default', defaultRate: '4M', key, peers: '127.0.0.1:9', output: 'human' as const, logLevel: 'info' as const };

  it('takes a duration, and refuses one too short', async () => {
    expect((await parseServerFlags({ ...server, jobStall: '500ms' })).jobStall).toBe(500);
    expect((await parseServerFlags(server)).jobStall).toBeUndefined();
    expect(await refusal(parseServerFlags({ ...server, jobStall: '50ms' }))).toMatch(/^bad-duration: --job-stall "50ms" is too short: give at least 200 ms/);
  });

  it('--job-upload takes a rate, none by default (the job rate times the fanout), and refuses what is not a rate', async () => {
    expect((await parseServerFlags({ ...server, jobUpload: '50M' })).jobUpload).toBe(50_000_000);
    expect((await parseServerFlags({ ...server, jobUpload: '2500k' })).jobUpload).toBe(2_500_000);
    expect((await parseServerFlags(server)).jobUpload).toBeUndefined();
    expect(await refusal(parseServerFlags({ ...server, jobUpload: 'fast' }))).toBe('bad-rate: --job-upload "fast" is not a rate: give bits per second, like 4M, 4000k or 4000000');
    expect(await refusal(parseServerFlags({ ...server, jobUpload: '0' }))).toMatch(/^bad-rate: --job-upload "0" is not a rate/);
  });
});

describe('ofp job list', () => {
  it('prints a row per job: id, file, size, state, targets, completed, failed, the share of bytes held, age', async () => {
    const { jobListLines } = await import('../../src/runtime/job.js');
    const lines = jobListLines([
      { job: 7, file: 'title.ts', size: 1_500_000, state: 'running', age: 2_500, done: 1, failed: 1, total: 4, got: 3_000_000 },
      { job: 9, file: 'empty.ts', size: 0, state: 'completed', age: 61_000, done: 2, failed: 0, total: 2, got: 0 },
    ]);
    expect(lines[0]).toMatch(/^JOB +FILE +SIZE +STATE +TARGETS +DONE +FAILED +PROGRESS +AGE$/);
    expect(lines.find((l) => l.startsWith('7 '))).toMatch(/^7 +title\.ts +1\.50 MB +running +4 +1 +1 +50% +2\.50 s$/);
    expect(lines.find((l) => l.startsWith('9 '))).toMatch(/^9 +empty\.ts +0 B +completed +2 +2 +0 +100% +61\.00 s$/);
    expect(jobListLines([])).toEqual(['the base server holds no job']);
  });
});

describe('ofp job submit --to-all and --to-group: the order of the targets (S5.2)', () => {
  it('the servers with the most bandwidth to spare come first, as the master measured it; ties keep the master\'s order', () => {
    const row = (name: string, cap: number, bw: number, sent: number) => ({ name, cap, bw, sent });
    const rows = [row('a', 100, 90, 10), row('b', 100, 10, 80), row('c', 400, 0, 0), row('d', 100, 10, 10), row('e', 100, 10, 10), row('f', 50, 60, 0)];
    // Spare: a 10, b 20, c 400, d 90, e 90, f none (over its capacity).
    expect(byHeadroom(rows).map((r) => r.name)).toEqual(['c', 'd', 'e', 'b', 'a', 'f']);
    expect(byHeadroom([])).toEqual([]);
  });
});
