/**
 * A base server that restarts (§14.10), simulated: it dies mid-job, its state
 * in memory lost, and a new one starts on the same store and journal. The new
 * one takes the jobs back: a running one completes, every target's copy
 * identical; an ended one answers its status as before; a record it cannot
 * read is skipped with a warning, the others kept.
 */
import { describe, expect, it } from 'vitest';
import { forSeeds, seedRange } from '../helpers/simCluster.js';
import { contentOf, jobCluster } from '../../testbed/sim/jobCluster.js';
import { parseJobRecord } from '../../src/roles/base/record.js';

function equal(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && a.length === b.length && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
}

describe('a base server restarted on its store (§14.10)', () => {
  it(`replaced mid-cascade by a base server restored from its journal: the job completes, every copy identical (${seedRange(7700, 3).length} seeds)`, () => {
    forSeeds(seedRange(7700, 3), (seed) => {
      const c = jobCluster({ seed, servers: 12, rate: 4_000_000, fanout: 2 });
      const content = contentOf(600_000 + seed, seed);
      const { provider } = c.submit(content);
      // Once the provider's file is whole at the base server, and the cascade is under way.
      c.net.run({ until: c.net.now + 60_000, done: () => c.events('job-uploaded').length > 0 });
      c.net.run({ until: c.net.now + 200 });
      const old = c.base;
      const id = provider.job!;
      expect(old.job(id)!.targets.some((t) => t.st !== 'completed'), 'mid-cascade').toBe(true);
      expect(c.journal.has(id), 'the job is in the journal').toBe(true);
      c.restartBase(500);
      c.net.run({ until: c.net.now + 120_000, done: () => provider.done });
      expect(c.base).not.toBe(old);
      expect(provider.outcome, c.logText()).toBe('completed');
      expect(c.events('job-restored').map((l) => l.e)).toEqual([expect.objectContaining({ job: id, state: 'running', pulled: [] })]);
      for (const s of c.servers) expect(equal(s.files.media.get('title.ts'), content), s.addr).toBe(true);
      const job = c.base.job(id)!;
      expect(job.state).toBe('completed');
      expect(job.targets.every((t) => t.st === 'completed')).toBe(true);
      // Its record says so too.
      const rec = parseJobRecord(c.journal.get(id)!);
      expect(rec.ok && rec.record.state).toBe('completed');
    });
  });

  it('replaced mid-upload, its provider still sending: the new base server pulls the file again with the provider\'s cookie, and the job completes', () => {
    const c = jobCluster({ seed: 31, servers: 6, rate: 2_000_000, fanout: 2 });
    const content = contentOf(800_000, 31);
    // The provider sends at the job's rate: the upload takes 3.2 s.
    const { provider } = c.submit(content, { rate: 2_000_000 });
    c.net.run({ until: c.net.now + 1_500 });
    const id = provider.job!;
    expect(c.base.job(id)!.state).toBe('uploading');
    c.restartBase(300);
    c.net.run({ until: c.net.now + 120_000, done: () => provider.done });
    expect(provider.outcome, c.logText()).toBe('completed');
    expect(c.events('job-restored').map((l) => l.e)).toEqual([expect.objectContaining({ job: id, state: 'uploading', pulled: [1] })]);
    expect(c.events('job-uploaded')).toHaveLength(1);
    for (const s of c.servers) expect(equal(s.files.media.get('title.ts'), content), s.addr).toBe(true);
  });

  it('replaced mid-upload with its provider gone: the job fails provider-gone, as any stalled upload', () => {
    const c = jobCluster({ seed: 32, servers: 3, rate: 2_000_000, timeouts: { stall: 500 } });
    const { provider, addr } = c.submit(contentOf(800_000, 32), { rate: 2_000_000 });
    c.net.run({ until: c.net.now + 1_000 });
    const id = provider.job!;
    c.net.remove(addr);
    c.restartBase(300);
    c.net.run({ until: c.net.now + 30_000, done: () => c.base.job(id)?.state === 'failed' });
    expect(c.base.job(id)!.state).toBe('failed');
    expect(c.base.job(id)!.code).toBe('provider-gone');
  });

  it('a provider gone mid-upload fails its job provider-gone (the job stayed uploading, its command failed)', () => {
    const c = jobCluster({ seed: 35, servers: 3, rate: 2_000_000, timeouts: { stall: 500 } });
    const { provider, addr } = c.submit(contentOf(800_000, 35), { rate: 2_000_000 });
    c.net.run({ until: c.net.now + 1_000 });
    c.net.remove(addr);
    const id = provider.job!;
    c.net.run({ until: c.net.now + 30_000, done: () => c.base.job(id)?.state === 'failed' });
    expect(c.base.job(id)!.state).toBe('failed');
    expect(c.base.job(id)!.code).toBe('provider-gone');
  });

  it('a completed job\'s status survives: job-status and job-list answer as before, and a repeated submit is answered, not made again', () => {
    const c = jobCluster({ seed: 33, servers: 5, rate: 20_000_000 });
    const content = contentOf(100_000, 33);
    const { provider } = c.submit(content);
    c.net.run({ until: c.net.now + 60_000, done: () => provider.done });
    expect(provider.outcome).toBe('completed');
    const id = provider.job!;
    const before = c.base.statusPage(1, id, 0, c.net.now);
    const listBefore = c.base.listPage(1, 0, c.net.now);
    c.restartBase(1_000);
    c.net.run({ until: c.net.now + 1_100 });
    const after = c.base.statusPage(1, id, 0, c.net.now);
    expect({ ...after, age: 0 }).toEqual({ ...before, age: 0 });
    expect(c.base.listPage(1, 0, c.net.now).rows.map((r) => ({ ...r, age: 0 }))).toEqual(listBefore.rows.map((r) => ({ ...r, age: 0 })));
    // A provider following it after the restart reads it completed, every target.
    const { provider: follower } = c.add(id, 'verify', 'title.ts');
    c.net.run({ until: c.net.now + 30_000, done: () => follower.done });
    expect(follower.outcome, c.logText()).toBe('completed');
    expect(c.base.jobIds()).toEqual([id]);
  });

  it('a failed target keeps its retry schedule across a restart: when its delay passes, the new base server serves it and the job completes', () => {
    const c = jobCluster({ seed: 36, servers: 4, rate: 16_000_000, fanout: 2, timeouts: { retryDelay: 20_000 } });
    const down = c.servers[2]!;
    c.net.pause(down.addr);
    const content = contentOf(200_000, 36);
    const { provider } = c.submit(content);
    c.net.run({ until: c.net.now + 60_000, done: () => provider.done });
    expect(provider.outcome, c.logText()).toBe('failed');
    const id = provider.job!;
    const retryBefore = c.base.statusPage(1, id, 0, c.net.now).rows.find((r) => r.srv === down.addr)!.retry!;
    c.restartBase(1_000);
    c.net.run({ until: c.net.now + 1_000 });
    const row = c.base.statusPage(1, id, 0, c.net.now).rows.find((r) => r.srv === down.addr)!;
    expect(row).toMatchObject({ st: 'failed', code: 'target-unreachable' });
    // The same moment as before the restart, not a delay started again.
    expect(row.retry).toBe(retryBefore - 1_000);
    c.net.resume(down.addr);
    c.net.run({ until: c.net.now + 60_000, done: () => c.base.job(id)!.state === 'completed' });
    expect(c.base.job(id)!.state, c.logText()).toBe('completed');
    expect(equal(down.files.media.get('title.ts'), content)).toBe(true);
  });

  it('a corrupt record is skipped with a warning naming it, the other jobs kept; ids of jobs taken back are never drawn again', () => {
    const c = jobCluster({ seed: 34, servers: 3, rate: 20_000_000 });
    const { provider } = c.submit(contentOf(50_000, 34));
    c.net.run({ until: c.net.now + 60_000, done: () => provider.done });
    const id = provider.job!;
    const whole = c.journal.get(id)!;
    c.restartBase(100, [
      { from: 'jobs/1.json', text: whole.slice(0, whole.length / 2) },
      { from: 'jobs/2.json', text: '{"v":1,"id":2}' },
      { from: 'jobs/3.json', text: whole.replace('"v":1', '"v":99') },
    ]);
    c.net.run({ until: c.net.now + 200 });
    const skipped = c.events('job-record-skipped').map((l) => l.e as unknown as { level: string; from: string; why: string });
    expect(skipped.map((s) => [s.level, s.from])).toEqual([['warn', 'jobs/1.json'], ['warn', 'jobs/2.json'], ['warn', 'jobs/3.json']]);
    expect(skipped[0]!.why).toMatch(/not JSON/);
    expect(skipped[2]!.why).toMatch(/layout 99/);
    expect(c.base.jobIds()).toEqual([id]);
    expect(c.base.job(id)!.state).toBe('completed');
  });
});
