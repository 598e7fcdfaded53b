/**
 * Distribution jobs in the simulator (S5, §14): a provider submits a file to a
 * base server, which cascades it through the targets; every target ends with
 * the provider's bytes, in service, and the base server knows it.
 */
import { describe, expect, it } from 'vitest';
import { forSeeds, seedRange } from '../helpers/simCluster.js';
import { BASE, contentOf, jobCluster } from '../../testbed/sim/jobCluster.js';
import { Holding } from '../../src/roles/jobs/holding.js';
import { JOB_RETRY_DELAY, JOB_RETRY_ROUNDS, JOB_STALL, MAX_ERROR_TEXT } from '../../src/protocol/constants.js';

const SEEDS = seedRange(7100, 4);

function equal(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && a.length === b.length && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
}

describe('a distribution job, simulated (S5.1–S5.3)', () => {
  it(`a file reaches 30 servers through the cascade, byte for byte, and goes into service at each (${SEEDS.length} seeds)`, () => {
    forSeeds(SEEDS, (seed) => {
      const c = jobCluster({ seed, servers: 30, rate: 20_000_000 });
      const content = contentOf(300_000 + seed, seed);
      const { provider } = c.submit(content, { mrate: 2_000_000 });
      c.net.run({ until: c.net.now + 60_000, done: () => provider.done });
      expect(provider.outcome, c.logText()).toBe('completed');
      for (const s of c.servers) {
        expect(equal(s.files.media.get('title.ts'), content), `${s.addr}`).toBe(true);
        expect(s.files.temp.size, `${s.addr} keeps no temporary file`).toBe(0);
        // In service at the media rate the job gave (each server's own default is 1 Mbit/s here).
        expect(s.core.files.get('title.ts')).toEqual({ name: 'title.ts', size: content.length, rate: 2_000_000 });
      }
      const job = c.base.job(provider.job!)!;
      expect(job.state).toBe('completed');
      expect(job.targets.every((t) => t.st === 'completed')).toBe(true);
      // A cascade: the base server served only its first few targets; the others got the file from servers.
      const sources = new Set(job.targets.map((t) => t.src));
      expect(sources.has(BASE)).toBe(true);
      expect([...sources].filter((s) => s !== BASE).length).toBeGreaterThan(3);
      expect(job.targets.filter((t) => t.src === BASE).length).toBeLessThanOrEqual(4);
      // The provider was told every state: its last says all 30 completed.
      const state = c.events('job-state').at(-1)!.e as unknown as { status: { counts: number[] } };
      expect(state.status.counts).toEqual([0, 0, 0, 30, 0]);
    });
  });

  it('pipelined: with the file larger than a block, targets deep in the cascade hold data before their sources are whole', () => {
    const c = jobCluster({ seed: 7, servers: 20, rate: 8_000_000, fanout: 2 });
    const content = contentOf(1_000_000, 7);
    const { provider } = c.submit(content);
    c.net.run({ until: c.net.now + 120_000, done: () => provider.done });
    expect(provider.outcome, c.logText()).toBe('completed');
    const complete = c.events('object-complete');
    const first = Math.min(...complete.map((l) => l.at));
    const last = Math.max(...complete.map((l) => l.at));
    // 1 MB at 8 Mbit/s takes 1 s a link; a cascade of depth ≥ 3 that waited for whole files would take ≥ 3 s.
    expect(last - first).toBeLessThan(1_000);
  });

  it('with 5% loss on every link the job still completes, every copy identical', () => {
    forSeeds(seedRange(7200, 3), (seed) => {
      const c = jobCluster({ seed, servers: 12, rate: 20_000_000, link: { loss: 0.05, delay: 5, jitter: 3, duplicate: 0.01, reorder: 0.02 } });
      const content = contentOf(200_000, seed);
      const { provider } = c.submit(content);
      c.net.run({ until: c.net.now + 120_000, done: () => provider.done });
      expect(provider.outcome, c.logText()).toBe('completed');
      for (const s of c.servers) expect(equal(s.files.media.get('title.ts'), content), s.addr).toBe(true);
    });
  });
});

describe('lists that take several datagrams (§14.1, §14.2, §14.6)', () => {
  it('80 targets at the widest IPv6 addresses: the submit, the plans and the status come in parts that fit, and the job completes', () => {
    const c = jobCluster({ seed: 16, servers: 0, rate: 50_000_000, fanout: 2 });
    for (let i = 0; i < 80; i++) c.addServer(`[2001:db8:ffff:ffff:ffff:ffff:ffff:${(0xff00 + i).toString(16)}]:65535`);
    const content = contentOf(20_000, 16);
    const { provider } = c.submit(content);
    c.net.run({ until: c.net.now + 60_000, done: () => provider.done });
    expect(provider.outcome, c.logText()).toBe('completed');
    expect(c.log.filter((l) => l.e.type === 'internal-error')).toEqual([]);
    // The plan of a first target (half of 78) took more than one order part (the first part holds part of it); the status, several pages.
    const firstOrders = c.events('job-ordered').filter((l) => (l.e as { from: string }).from === BASE).map((l) => (l.e as { plan: number }).plan);
    expect(firstOrders.length).toBe(2);
    for (const n of firstOrders) {
      expect(n).toBeGreaterThan(0);
      expect(n).toBeLessThan(39);
    }
    expect(c.servers.every((s) => equal(s.files.media.get('title.ts'), content))).toBe(true);
    const state = c.events('job-state').at(-1)!.e as unknown as { rows: unknown[] };
    expect(state.rows).toHaveLength(80);
  });
});

describe('dynamic switch (S5.4)', () => {
  it('a target on a slow link is offered a faster source by the base server, switches, and fetches nothing again beyond the chunks in flight', () => {
    const c = jobCluster({ seed: 21, servers: 4, rate: 8_000_000, fanout: 2 });
    const [s0, , s2] = c.servers as [typeof c.servers[0], typeof c.servers[0], typeof c.servers[0]];
    // The plan: base → s0 → s2, base → s1 → s3. The link between s0 and s2 is 500 ms each way: a pull window's worth a second.
    c.net.setLink(s0.addr, s2.addr, { loss: 0, delay: 500, jitter: 0, duplicate: 0, reorder: 0 });
    c.net.setLink(s2.addr, s0.addr, { loss: 0, delay: 500, jitter: 0, duplicate: 0, reorder: 0 });
    const content = contentOf(2_000_000, 21);
    const { provider } = c.submit(content);
    c.net.run({ until: c.net.now + 120_000, done: () => provider.done });
    expect(provider.outcome, c.logText()).toBe('completed');
    expect(equal(s2.files.media.get('title.ts'), content)).toBe(true);
    const help = c.events('job-help').map((l) => l.e as unknown as { target: string; helper: string });
    expect(help.length).toBeGreaterThanOrEqual(1);
    expect(help[0]!.target).toBe(s2.addr);
    expect(help[0]!.helper).not.toBe(s0.addr);
    const switched = c.log.filter((l) => l.addr === s2.addr && l.e.type === 'source-switched').map((l) => l.e as unknown as { from: string; to: string; why: string });
    expect(switched[0]).toMatchObject({ from: s0.addr, to: help[0]!.helper, why: 'faster' });
    const job = c.base.job(provider.job!)!;
    expect(job.targets.find((t) => t.addr === s2.addr)!.src).toBe(help[0]!.helper);
    // The new source went on from where the old one stopped: only chunks in flight (at most a pull window) came twice.
    expect(s2.core.jobCommands()[0]!.duplicates).toBeLessThanOrEqual(Holding.window(8_000_000));
    // The others were never moved.
    expect(c.log.filter((l) => l.addr !== s2.addr && l.e.type === 'source-switched')).toEqual([]);
  });
});

describe('fastest first (S5.2)', () => {
  it('the base server approaches the targets in descending order of the upload rate they said they support', () => {
    const c = jobCluster({ seed: 22, servers: 0, rate: 8_000_000, fanout: 2 });
    // The first two servers given support a quarter of the others' upload.
    const slow = [c.addServer('10.0.1.1:5000', undefined, 4_000_000), c.addServer('10.0.1.2:5000', undefined, 4_000_000)];
    for (let i = 3; i <= 8; i++) c.addServer(`10.0.1.${i}:5000`, undefined, 16_000_000);
    const served = (job: number) => c.base.job(job)!.targets.filter((t) => t.src === BASE).map((t) => t.addr);
    const first = c.submit(contentOf(300_000, 22), { file: 'one.ts' });
    c.net.run({ until: c.net.now + 120_000, done: () => first.provider.done });
    expect(first.provider.outcome, c.logText()).toBe('completed');
    // Knowing nothing yet, it took them in the order given: the slow ones at the top of the cascade.
    expect(served(first.provider.job!)).toEqual(slow.map((s) => s.addr));
    const second = c.submit(contentOf(300_000, 23), { file: 'two.ts', addr: '10.0.8.2:7000' });
    c.net.run({ until: c.net.now + 120_000, done: () => second.provider.done });
    expect(second.provider.outcome, c.logText()).toBe('completed');
    // Each said its rate when it got the first job: the second goes to the fastest first, the slow ones at the leaves.
    const top = served(second.provider.job!);
    expect(top).toHaveLength(2);
    expect(top.filter((a) => slow.some((s) => s.addr === a))).toEqual([]);
    for (const s of slow) expect(c.base.job(second.provider.job!)!.targets.find((t) => t.addr === s.addr)!.src).not.toBe(BASE);
    const plan = c.log.filter((l) => l.e.type === 'job-ordered' && (l.e as { job: number }).job === second.provider.job && slow.some((s) => s.addr === l.addr)).map((l) => (l.e as unknown as { plan: number }).plan);
    expect(plan).toEqual([0, 0]);
  });
});

describe('failures and repair (S5.5)', () => {
  it('a source killed mid-cascade: its targets are repaired by the base server, every live copy identical, the dead target reported failed', () => {
    const c = jobCluster({ seed: 11, servers: 16, rate: 4_000_000, fanout: 2 });
    const content = contentOf(600_000, 11);
    const { provider } = c.submit(content);
    // Let the cascade form, then kill a first-level target (it carries a share of the plan).
    c.net.run({ until: c.net.now + 400 });
    const job = c.base.job(provider.job!)!;
    const victim = job.targets.find((t) => t.src === BASE && t.st !== 'completed')!;
    expect(victim).toBeDefined();
    c.net.remove(victim.addr);
    c.net.run({ until: c.net.now + 180_000, done: () => provider.done });
    expect(provider.outcome, c.logText()).toBe('failed');
    expect(job.targets.filter((t) => t.st === 'failed').map((t) => t.addr)).toEqual([victim.addr]);
    expect(job.targets.find((t) => t.addr === victim.addr)!.code).toBe('target-unreachable');
    for (const s of c.servers.filter((x) => x.addr !== victim.addr)) expect(equal(s.files.media.get('title.ts'), content), s.addr).toBe(true);
    expect(c.events('job-repair').length).toBeGreaterThan(0);
  });

  it('a target down for the whole wait period is reported failed with a retry delay; back later, it is served and the job completes (S5.5)', () => {
    const c = jobCluster({ seed: 13, servers: 6, rate: 16_000_000, fanout: 2 });
    const down = c.servers[3]!;
    c.net.pause(down.addr);
    const content = contentOf(300_000, 13);
    const { provider } = c.submit(content);
    c.net.run({ until: c.net.now + 60_000, done: () => provider.done });
    // The provider hears the failure, with when the base server tries the target again.
    expect(provider.outcome, c.logText()).toBe('failed');
    const job = c.base.job(provider.job!)!;
    const row = c.base.statusPage(1, job.id, 0, c.net.now).rows.find((r) => r.srv === down.addr)!;
    expect(row).toMatchObject({ st: 'failed', code: 'target-unreachable' });
    expect(row.retry).toBeGreaterThan(JOB_RETRY_DELAY - 5_000);
    // It comes back before the delay: the base server serves it at once, and the job completes.
    const back = c.net.now;
    c.net.resume(down.addr);
    c.net.run({ until: c.net.now + 30_000, done: () => job.state === 'completed' });
    expect(job.state, c.logText()).toBe('completed');
    expect(c.net.now - back).toBeLessThan(5_000);
    expect(equal(down.files.media.get('title.ts'), content)).toBe(true);
    expect(c.events('job-retry').map((l) => (l.e as { target: string }).target)).toEqual([down.addr]);
  });

  it('a target still down is tried again each JOB_RETRY_DELAY, JOB_RETRY_ROUNDS times, and then no more: its last row has no retry', () => {
    const c = jobCluster({ seed: 14, servers: 4, rate: 16_000_000, fanout: 2 });
    const down = c.servers[2]!;
    c.net.remove(down.addr);
    const { provider } = c.submit(contentOf(100_000, 14));
    c.net.run({ until: c.net.now + 60_000, done: () => provider.done });
    const job = c.base.job(provider.job!)!;
    expect(job.state).toBe('failed');
    c.net.run({ until: c.net.now + (JOB_RETRY_ROUNDS + 1) * (JOB_RETRY_DELAY + 30_000) });
    const retries = c.events('job-retry').map((l) => l.e as { round: number; at?: number });
    expect(retries.map((r) => r.round)).toEqual(Array.from({ length: JOB_RETRY_ROUNDS }, (_, i) => i + 1));
    // Each round came a delay after the failure before it.
    const at = c.events('job-retry').map((l) => l.at);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(JOB_RETRY_DELAY);
    expect(job.state).toBe('failed');
    const row = c.base.statusPage(1, job.id, 0, c.net.now).rows.find((r) => r.srv === down.addr)!;
    expect(row.st).toBe('failed');
    expect(row.retry).toBeUndefined();
    // Nothing more is scheduled for it: the base server is idle.
    expect(c.base.pollTimeout()).toBeUndefined();
  });

  it('a provider that stalls now and then, sending again in between, is not given up: its stalls are counted in a row', () => {
    const c = jobCluster({ seed: 15, servers: 3, rate: 2_000_000 });
    const content = contentOf(1_000_000, 15);
    const { provider, addr } = c.submit(content, { rate: 2_000_000 });
    // Four stalls of the provider, each longer than JOB_STALL, with a second of sending between them.
    for (let i = 0; i < 4; i++) {
      c.net.run({ until: c.net.now + 1_000 });
      c.net.pause(addr);
      c.net.run({ until: c.net.now + JOB_STALL + 500 });
      c.net.resume(addr);
    }
    c.net.run({ until: c.net.now + 60_000, done: () => provider.done });
    expect(c.events('source-stalled').length, c.logText()).toBeGreaterThanOrEqual(3);
    expect(provider.outcome, c.logText()).toBe('completed');
    for (const s of c.servers) expect(equal(s.files.media.get('title.ts'), content)).toBe(true);
  });

  it('a target whose disk is full fails with write-error; the others complete', () => {
    const c = jobCluster({ seed: 12, servers: 6, rate: 20_000_000 });
    c.servers[3]!.files.failWrites = true;
    const content = contentOf(100_000, 12);
    const { provider } = c.submit(content);
    c.net.run({ until: c.net.now + 60_000, done: () => provider.done });
    expect(provider.outcome).toBe('failed');
    const job = c.base.job(provider.job!)!;
    expect(job.targets.filter((t) => t.st === 'failed').map((t) => [t.addr, t.code])).toEqual([[c.servers[3]!.addr, 'write-error']]);
    expect(c.servers.filter((_, i) => i !== 3).every((s) => equal(s.files.media.get('title.ts'), content))).toBe(true);
  });

  it('corrupt chunks on one link are caught by the block hashes and fetched again: the copy is identical', () => {
    const c = jobCluster({ seed: 13, servers: 4, rate: 20_000_000 });
    const target = c.servers[0]!.addr;
    let flipped = 0;
    let seen = 0;
    c.net.lose = (from, to, bytes) => {
      // Flip a byte in every 100th chunk to the first target, on its way (a link that corrupts).
      if (to === target && bytes.length > 1000 && (seen++ % 100) === 99) {
        bytes[bytes.length - 10]! ^= 0xff;
        flipped++;
      }
      return false;
    };
    const content = contentOf(400_000, 13);
    const { provider } = c.submit(content);
    c.net.run({ until: c.net.now + 60_000, done: () => provider.done });
    expect(provider.outcome, c.logText()).toBe('completed');
    expect(equal(c.servers[0]!.files.media.get('title.ts'), content)).toBe(true);
    expect(flipped).toBeGreaterThan(3);
    expect(c.servers[0]!.core.jobCommands()[0]!.corrupt).toBeGreaterThanOrEqual(3);
    // Each flipped byte cost its block: fetched again, none passed on.
    expect(c.servers.slice(1).every((s) => s.files.media.get('title.ts') !== undefined)).toBe(true);
  });
});

describe('refusals and security (§14.7)', () => {
  it('the base server refuses a file name that is a path, and a provider hears why', () => {
    const c = jobCluster({ seed: 14, servers: 2 });
    const { provider } = c.submit(contentOf(1_000, 1), { file: '../etc/passwd' });
    c.net.run({ until: c.net.now + 5_000, done: () => provider.done });
    expect(provider.outcome).toBe('refused');
    const refused = c.events('job-refused')[0]!.e as unknown as { code: string; msg: string };
    expect(refused.code).toBe('bad-request');
    expect(refused.msg).toMatch(/is a path/);
  });

  it('a refusal that names a very long file name still reaches the provider, its text cut to MAX_ERROR_TEXT', () => {
    const c = jobCluster({ seed: 17, servers: 1 });
    const { provider } = c.submit(contentOf(1_000, 1), { file: `${'x'.repeat(250)}.ts` });
    c.net.run({ until: c.net.now + 5_000, done: () => provider.done });
    // It used to name the whole file in a text longer than its field: the provider dropped it (bad-field), and found the base server unreachable.
    expect(provider.outcome).toBe('refused');
    const refused = c.events('job-refused')[0]!.e as unknown as { code: string; msg: string };
    expect(refused.code).toBe('bad-request');
    expect(Buffer.byteLength(refused.msg)).toBeLessThanOrEqual(MAX_ERROR_TEXT);
    expect(refused.msg).toMatch(/^the file name "x+…$/);
  });

  it('a server without the cluster key takes no job: its copy never starts, the others complete, it is reported failed', () => {
    const c = jobCluster({ seed: 15, servers: 4, rate: 20_000_000 });
    const stranger = c.addServer('10.0.7.1:5000', null);
    const content = contentOf(50_000, 15);
    const { provider } = c.submit(content);
    c.net.run({ until: c.net.now + 120_000, done: () => provider.done });
    expect(provider.outcome).toBe('failed');
    expect(stranger.files.media.size + stranger.files.temp.size).toBe(0);
    const job = c.base.job(provider.job!)!;
    expect(job.targets.filter((t) => t.st === 'failed').map((t) => t.addr)).toEqual([stranger.addr]);
  });
});
