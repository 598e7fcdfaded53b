/**
 * A job's command queue (S5.1, S5.3, §14.8): a provider adds `copy`, `delete` and `verify`
 * commands to a job; each target runs them in order, one once the one before has ended there,
 * and the base server holds each command's state at each target.
 */
import { describe, expect, it } from 'vitest';
import type { CommandRows, ProviderEvent } from '../../src/roles/provider/provider.js';
import { contentOf, jobCluster } from '../../testbed/sim/jobCluster.js';

function equal(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && a.length === b.length && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
}

/** A job of `title.ts` to `servers` servers, run to its end. */
function withJob(seed: number, servers = 6) {
  const c = jobCluster({ seed, servers, rate: 20_000_000 });
  const content = contentOf(150_000, seed);
  const { provider } = c.submit(content);
  c.net.run({ until: c.net.now + 60_000, done: () => provider.done });
  expect(provider.outcome, c.logText()).toBe('completed');
  return { c, content, job: provider.job! };
}

function lastState(c: ReturnType<typeof jobCluster>, addr: string): Extract<ProviderEvent, { type: 'job-state' }> {
  return c.log.filter((l) => l.addr === addr && l.e.type === 'job-state').at(-1)!.e as Extract<ProviderEvent, { type: 'job-state' }>;
}

describe('the command queue (§14.8)', () => {
  it('copy: a second file cascades to the same targets, after the first is in service at each; the job runs again and completes; the status shows both commands', () => {
    const { c, content, job } = withJob(51);
    const second = contentOf(90_000, 52);
    const { provider, addr } = c.add(job, 'copy', 'second.ts', { content: second });
    c.net.run({ until: c.net.now + 60_000, done: () => provider.done });
    expect(provider.outcome, c.logText()).toBe('completed');
    for (const s of c.servers) {
      expect(equal(s.files.media.get('title.ts'), content), s.addr).toBe(true);
      expect(equal(s.files.media.get('second.ts'), second), s.addr).toBe(true);
      expect(s.core.files.has('second.ts')).toBe(true);
    }
    const j = c.base.job(job)!;
    expect(j.commands.map((x) => [x.cmd, x.op, x.file, x.state])).toEqual([[1, 'copy', 'title.ts', 'completed'], [2, 'copy', 'second.ts', 'completed']]);
    // A cascade again: the base server served only a few targets of the second copy itself.
    expect(j.commands[1]!.targets.filter((t) => t.src !== c.base.config.name).length).toBeGreaterThan(0);
    const state = lastState(c, addr);
    expect(state.status.state).toBe('completed');
    expect(state.commands!.map((x: CommandRows) => [x.cmd, x.op, x.file, x.state, x.counts])).toEqual([[1, 'copy', 'title.ts', 'completed', [0, 0, 0, 6, 0]], [2, 'copy', 'second.ts', 'completed', [0, 0, 0, 6, 0]]]);
  });

  it('in order at each target: a command is ordered there only once the one before has ended there', () => {
    const c = jobCluster({ seed: 53, servers: 5, rate: 4_000_000, fanout: 2 });
    const { provider } = c.submit(contentOf(400_000, 53), { follow: false });
    // Added while the first copy is still under way.
    c.net.run({ until: c.net.now + 30_000, done: () => provider.done });
    const added = c.add(provider.job!, 'copy', 'next.ts', { content: contentOf(50_000, 54) }).provider;
    c.net.run({ until: c.net.now + 120_000, done: () => added.done });
    expect(added.outcome, c.logText()).toBe('completed');
    for (const s of c.servers) {
      const inService = c.log.find((l) => l.addr === s.addr && l.e.type === 'job-file-in-service' && l.e.file === 'title.ts')!;
      const ordered = c.log.find((l) => l.addr === s.addr && l.e.type === 'job-ordered' && l.e.cmd === 2)!;
      expect(inService, s.addr).toBeDefined();
      expect(ordered.at, s.addr).toBeGreaterThanOrEqual(inService.at);
    }
  });

  it('delete: every target takes the file out of service and removes it; delete of a file no target holds fails at each with not-found', () => {
    const { c, job } = withJob(55, 4);
    const del = c.add(job, 'delete', 'title.ts').provider;
    c.net.run({ until: c.net.now + 30_000, done: () => del.done });
    expect(del.outcome, c.logText()).toBe('completed');
    for (const s of c.servers) {
      expect(s.files.media.has('title.ts'), s.addr).toBe(false);
      expect(s.core.files.has('title.ts'), s.addr).toBe(false);
    }
    expect(c.events('job-file-removed')).toHaveLength(4);
    const unknown = c.add(job, 'delete', 'never-there.ts', { addr: '10.0.8.3:7000' }).provider;
    c.net.run({ until: c.net.now + 30_000, done: () => unknown.done });
    expect(unknown.outcome).toBe('failed');
    const j = c.base.job(job)!;
    expect(j.commands[2]!.targets.map((t) => [t.st, t.code])).toEqual(c.servers.map(() => ['failed', 'not-found']));
    expect(j.state).toBe('failed');
    expect(j.code).toBe('not-found');
  });

  it('verify: a copy as sent completes; a corrupted copy fails with corrupt there, and the others complete', () => {
    const { c, job } = withJob(56, 4);
    const ok = c.add(job, 'verify', 'title.ts').provider;
    c.net.run({ until: c.net.now + 30_000, done: () => ok.done });
    expect(ok.outcome, c.logText()).toBe('completed');
    // One byte of one copy flips on disk.
    const bad = c.servers[2]!;
    bad.files.media.get('title.ts')![70_000]! ^= 0x01;
    const check = c.add(job, 'verify', 'title.ts', { addr: '10.0.8.3:7000' }).provider;
    c.net.run({ until: c.net.now + 30_000, done: () => check.done });
    expect(check.outcome).toBe('failed');
    const cmd = c.base.job(job)!.commands[2]!;
    expect(cmd.targets.map((t) => [t.addr, t.st, t.code])).toEqual(c.servers.map((s) => (s === bad ? [s.addr, 'failed', 'corrupt'] : [s.addr, 'completed', undefined])));
    // A copy cut short is corrupt too; one gone is not-found.
    c.servers[0]!.files.media.set('title.ts', c.servers[0]!.files.media.get('title.ts')!.subarray(0, 1_000));
    c.servers[1]!.files.media.delete('title.ts');
    const again = c.add(job, 'verify', 'title.ts', { addr: '10.0.8.4:7000' }).provider;
    c.net.run({ until: c.net.now + 30_000, done: () => again.done });
    expect(c.base.job(job)!.commands[3]!.targets.map((t) => t.code)).toEqual(['corrupt', 'not-found', 'corrupt', undefined]);
  });

  it('refusals: a job the base server does not hold (unknown-job), a verify of a file the job never copied, a name that is a path (bad-request)', () => {
    const { c, job } = withJob(57, 2);
    const refused = (p: { provider: { done: boolean; outcome: string | undefined } }, addr: string) => {
      c.net.run({ until: c.net.now + 10_000, done: () => p.provider.done });
      expect(p.provider.outcome).toBe('refused');
      return c.log.filter((l) => l.addr === addr && l.e.type === 'job-refused').at(-1)!.e as unknown as { code: string; msg: string };
    };
    expect(refused(c.add(job + 1, 'delete', 'title.ts', { addr: '10.0.8.5:7000' }), '10.0.8.5:7000')).toEqual({ type: 'job-refused', level: 'error', code: 'unknown-job', msg: `the base server holds no job ${job + 1}` });
    expect(refused(c.add(job, 'verify', 'other.ts', { addr: '10.0.8.6:7000' }), '10.0.8.6:7000')).toMatchObject({ code: 'bad-request', msg: expect.stringMatching(/copies no file "other\.ts"/) });
    expect(refused(c.add(job, 'delete', '../etc/passwd', { addr: '10.0.8.7:7000' }), '10.0.8.7:7000')).toMatchObject({ code: 'bad-request', msg: expect.stringMatching(/is a path/) });
    // None of them became a command, and the job is as it was.
    expect(c.base.job(job)!.commands).toHaveLength(1);
    expect(c.base.job(job)!.state).toBe('completed');
  });

  it('a target the base server could not reach for a command is not ordered the next: it has failed that one too', () => {
    const c = jobCluster({ seed: 58, servers: 3, rate: 20_000_000, timeouts: { queryAfter: 500, queryAttempts: 1, repairAttempts: 1 } });
    const content = contentOf(60_000, 58);
    const { provider } = c.submit(content, { targets: [...c.servers.map((s) => s.addr), '10.0.7.7:5000'] });
    c.net.run({ until: c.net.now + 60_000, done: () => provider.done });
    expect(provider.outcome).toBe('failed');
    const verify = c.add(provider.job!, 'verify', 'title.ts').provider;
    c.net.run({ until: c.net.now + 30_000, done: () => verify.done });
    expect(c.base.job(provider.job!)!.commands[1]!.targets.map((t) => [t.st, t.code])).toEqual([['completed', undefined], ['completed', undefined], ['completed', undefined], ['failed', 'target-unreachable']]);
    expect(c.log.filter((l) => l.addr === '10.0.7.7:5000')).toEqual([]);
  });
});
