/**
 * The base server's waits and attempts, and a receiver's stall timeout, as configured (§14.5,
 * `ofp base --query-after …`, `ofp server --job-stall`): a shorter setting takes effect, where the
 * default would still be waiting.
 */
import { describe, expect, it } from 'vitest';
import { JOB_QUERY_AFTER, JOB_STALL } from '../../src/protocol/constants.js';
import { BaseServer, JOB_TIMEOUT_DEFAULTS, type JobTimeouts } from '../../src/roles/base/base.js';
import { Rng } from '../../src/protocol/rng.js';
import { nodeCrypto } from '../../src/platform/crypto.js';
import { ClusterAuth } from '../../src/protocol/auth.js';
import { BASE, contentOf, JOB_KEY, jobCluster, MemoryJobFiles } from '../../testbed/sim/jobCluster.js';

/** One target receiving from the base server, taken off the network mid-transfer: when is it first queried, and how does the job end? */
function targetDownMidTransfer(timeouts?: Partial<JobTimeouts>) {
  const c = jobCluster({ seed: 31, servers: 1, rate: 2_000_000, ...(timeouts ? { timeouts } : {}) });
  const victim = c.servers[0]!.addr;
  const queries: number[] = [];
  c.net.onTrace = (r) => {
    if (r.type === 'job-query' && r.to === victim) queries.push(r.t);
  };
  const { provider } = c.submit(contentOf(1_000_000, 31));
  // Until the base server has heard it receive, then it goes.
  c.net.run({ until: c.net.now + 30_000, done: () => c.base.job(provider.job ?? 0)?.targets[0]?.st === 'progress' });
  const job = c.base.job(provider.job!)!;
  expect(job.targets[0]!.st).toBe('progress');
  const down = c.net.now;
  c.net.remove(victim);
  return { c, provider, job, down, queries };
}

describe('configurable job timeouts (§14.5)', () => {
  it('a target that went down is queried after the configured wait, repaired after the configured queries, and failed after the configured repairs', () => {
    const { c, provider, job, down, queries } = targetDownMidTransfer({ queryAfter: 1_000, queryAttempts: 1, repairAttempts: 1, retryDelay: 7_000 });
    c.net.run({ until: c.net.now + 60_000, done: () => provider.done });
    expect(queries.length).toBeGreaterThan(0);
    // Heard of at most a progress interval before it went; queried a second after that.
    expect(queries[0]! - down).toBeLessThanOrEqual(1_000);
    expect(queries[0]! - down).toBeLessThan(JOB_QUERY_AFTER - 1_000);
    const repairs = c.events('job-repair').map((l) => l.e as unknown as { attempt: number; why: string });
    expect(repairs.map((r) => r.attempt)).toEqual([1]);
    expect(repairs[0]!.why).toBe('it answered none of 1 queries');
    expect(provider.outcome).toBe('failed');
    expect(job.targets[0]).toMatchObject({ st: 'failed', code: 'target-unreachable' });
    // The failure's retry delay, as its status row says it.
    const row = c.base.statusPage(1, job.id, 0, c.net.now).rows[0]!;
    expect(row.retry).toBeGreaterThan(0);
    expect(row.retry).toBeLessThanOrEqual(7_000);
  });

  it('with the defaults, the same target is not queried before JOB_QUERY_AFTER has nearly passed', () => {
    const { c, down, queries } = targetDownMidTransfer();
    c.net.run({ until: down + JOB_QUERY_AFTER + 2_000, done: () => queries.length > 0 });
    expect(queries.length).toBe(1);
    expect(queries[0]! - down).toBeGreaterThan(JOB_QUERY_AFTER - 1_500);
  });

  it('a receiver told to call a source stalled after 500 ms says so that soon, and the base server repairs it', () => {
    for (const stall of [500, undefined]) {
      // base → s0 → s1 (fanout 1): s0 goes mid-transfer, and s1's source with it.
      const c = jobCluster({ seed: 32, servers: 2, rate: 2_000_000, fanout: 1, ...(stall ? { jobStall: stall } : {}) });
      const [s0, s1] = c.servers as [typeof c.servers[0], typeof c.servers[0]];
      const { provider } = c.submit(contentOf(1_000_000, 32));
      c.net.run({ until: c.net.now + 30_000, done: () => (s1.core.jobCommands()[0]?.got ?? 0) > 100_000 });
      expect(s1.core.jobCommands()[0]!.source).toBe(s0.addr);
      const down = c.net.now;
      c.net.remove(s0.addr);
      c.net.run({ until: c.net.now + 10_000, done: () => c.log.some((l) => l.addr === s1.addr && l.e.type === 'source-stalled') });
      const stalled = c.log.find((l) => l.addr === s1.addr && l.e.type === 'source-stalled');
      expect(stalled).toBeDefined();
      if (stall) {
        expect(stalled!.at - down).toBeLessThanOrEqual(stall + 100);
        c.net.run({ until: c.net.now + 60_000, done: () => provider.done });
        // Repaired from the base server: its copy completes.
        expect(c.base.job(provider.job!)!.targets[1]).toMatchObject({ st: 'completed', src: BASE });
      } else {
        expect(stalled!.at - down).toBeGreaterThan(JOB_STALL - 500);
      }
    }
  });

  it('a base server refuses timeouts it cannot use', () => {
    const deps = { rng: new Rng(1), crypto: nodeCrypto, auth: new ClusterAuth(JOB_KEY, nodeCrypto) };
    expect(() => new BaseServer(deps, { name: BASE, timeouts: { queryAfter: 0 } }, new MemoryJobFiles())).toThrow(/queryAfter 0/);
    expect(() => new BaseServer(deps, { name: BASE, timeouts: { queryAttempts: 0 } }, new MemoryJobFiles())).toThrow(/queryAttempts 0/);
    expect(new BaseServer(deps, { name: BASE, timeouts: { repairAttempts: 0 } }, new MemoryJobFiles()).timeouts).toEqual({ ...JOB_TIMEOUT_DEFAULTS, repairAttempts: 0 });
  });
});
