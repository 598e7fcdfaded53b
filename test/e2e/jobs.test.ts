/**
 * Distribution jobs with real processes (S5, §14): `ofp base`, three `ofp
 * server`s with empty media directories and a master; `ofp job submit --wait`
 * cascades a file to them; each holds it byte for byte, the master's catalog
 * lists it, and `ofp client get` streams it from a server that did not have it
 * at the start. A target that is not running fails the job, and `ofp job
 * wait` and `ofp job status` say which. A base server killed mid-job and
 * started again on its store finishes the job.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanupProcesses, processScope, tempDir } from '../helpers/processes.js';
import { contentOf } from '../../testbed/sim/jobCluster.js';

cleanupProcesses();
const dir = tempDir('ofp-jobs-');
const KEY = 'the cluster key of a distribution job on loopback';
const file = join(dir, 'title.ts');
const second = join(dir, 'second.ts');

beforeAll(() => {
  writeFileSync(file, contentOf(1_500_000, 3));
  writeFileSync(second, contentOf(100_000, 4));
});

describe('a distribution job, with real processes', () => {
  it('cascades a file to three servers, into service: the master lists it and a client streams it; job status and wait say so', async () => {
    const p = processScope();
    try {
      const master = await p.startMaster(['--key', KEY, '--poll-interval', '300'], 'master');
      const servers: { child: unknown; address: string; media: string }[] = [];
      for (const i of [1, 2, 3]) {
        const media = join(dir, `media-${i}`);
        mkdirSync(media);
        servers.push({ ...(await p.startServer(master.address, media, ['--key', KEY, '--port', '0', '--default-rate', '2M'], `server ${i}`)), media });
      }
      const base = await p.ofpInTurn('base', ['base', '--port', '0', '--store', join(dir, 'store'), '--key', KEY, '--fanout', '1', '--json-stream']);
      const baseAddr = (await base.waitFor((e) => e.event === 'listening', 15_000, 'listening')).data.address as string;
      // Every server the master knows (ofp master status), as the targets.
      const submit = await p.run(['job', 'submit', file, '--base', baseAddr, '--to-all', '--master', master.address, '--rate', '30M', '--wait', '--key', KEY, '--json'], { timeoutMs: 60_000 });
      expect(submit.code, submit.stderr).toBe(0);
      const doc = JSON.parse(submit.stdout) as { job: number; state: string; counts: number[]; targets: { srv: string; st: string; src?: string }[] };
      expect(doc.state).toBe('completed');
      expect(doc.counts).toEqual([0, 0, 0, 3, 0]);
      // The base server serves one target at once (--fanout 1): the first, which passes the file on to the two others.
      expect(doc.targets.map((t) => t.srv).sort()).toEqual(servers.map((s) => s.address).sort());
      const first = doc.targets[0]!;
      expect(first.src).toBe(baseAddr);
      expect(doc.targets.slice(1).map((t) => t.src)).toEqual([first.srv, first.srv]);
      for (const s of servers) {
        expect(readFileSync(join(s.media, 'title.ts')).equals(readFileSync(file))).toBe(true);
        expect(readdirSync(s.media)).toEqual(['title.ts']);
      }
      // Into service: the master lists it on every server, and a client streams it.
      for (const s of servers) await master.child.waitFor((e) => e.event === 'file-added' && e.data.srv === s.address, 10_000, `${s.address}'s file in the catalog`);
      const copy = join(dir, 'copy.ts');
      const get = await p.run(['client', 'get', 'title.ts', '--master', master.address, '--out', copy, '--json'], { timeoutMs: 60_000 });
      expect(get.code, get.stderr).toBe(0);
      expect(readFileSync(copy).equals(readFileSync(file))).toBe(true);
      // ofp job status: the same, from the base server, long after the provider has gone.
      const status = await p.run(['job', 'status', String(doc.job), '--base', baseAddr, '--key', KEY], { timeoutMs: 20_000 });
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toMatch(new RegExp(`^job ${doc.job}  title\\.ts  1\\.50 MB  completed in [0-9.]+ (ms|s)  3 completed of 3`));
      expect(status.stdout.split('\n').filter((l) => / completed /.test(l) && l.includes('127.0.0.1'))).toHaveLength(3);
      // ofp job list: the one job, completed, every byte at every target.
      const list = await p.run(['job', 'list', '--base', baseAddr, '--key', KEY, '--json'], { timeoutMs: 20_000 });
      expect(list.code, list.stderr).toBe(0);
      const listed = JSON.parse(list.stdout) as { base: string; jobs: { job: number; file: string; state: string; done: number; failed: number; total: number; got: number }[] };
      expect(listed.base).toBe(baseAddr);
      expect(listed.jobs).toEqual([expect.objectContaining({ job: doc.job, file: 'title.ts', state: 'completed', done: 3, failed: 0, total: 3, got: 3 * 1_500_000 })]);
      // The dashboard with --base, without a terminal: its status lines carry the jobs, each target with its source.
      const dash = await p.run(['dashboard', '--master', master.address, '--base', baseAddr, '--key', KEY, '--refresh', '200', '--duration', '1.5', '--json-stream'], { timeoutMs: 20_000 });
      expect(dash.code, dash.stderr).toBe(0);
      const last = dash.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; data: { jobs?: { base: string; reachability: string; jobs: { job: number; state: string; targets?: { srv: string; src?: string }[] }[] } } }).filter((e) => e.event === 'status').at(-1)!;
      expect(last.data.jobs).toMatchObject({ base: baseAddr, reachability: 'up', jobs: [{ job: doc.job, state: 'completed' }] });
      expect(last.data.jobs!.jobs[0]!.targets!.map((t) => [t.srv, t.src])).toEqual(doc.targets.map((t) => [t.srv, t.src]));
      // ofp job add (§14.8): a second file to the same targets, then the first deleted from them; the master hears of both.
      const added = await p.run(['job', 'add', String(doc.job), 'copy', second, '--base', baseAddr, '--key', KEY, '--wait', '--json'], { timeoutMs: 60_000 });
      expect(added.code, added.stderr).toBe(0);
      const a = JSON.parse(added.stdout) as { state: string; commands: { cmd: number; op: string; file: string; state: string; counts: number[] }[] };
      expect(a.state).toBe('completed');
      expect(a.commands.map((c) => [c.cmd, c.op, c.file, c.state, c.counts])).toEqual([[1, 'copy', 'title.ts', 'completed', [0, 0, 0, 3, 0]], [2, 'copy', 'second.ts', 'completed', [0, 0, 0, 3, 0]]]);
      for (const s of servers) expect(readFileSync(join(s.media, 'second.ts')).equals(readFileSync(second))).toBe(true);
      const del = await p.run(['job', 'add', String(doc.job), 'delete', 'title.ts', '--base', baseAddr, '--key', KEY, '--wait'], { timeoutMs: 60_000 });
      expect(del.code, del.stderr).toBe(0);
      expect(del.stdout).toMatch(/^command 3 {2}delete title\.ts {2}completed {2}3 completed$/m);
      for (const s of servers) {
        expect(readdirSync(s.media)).toEqual(['second.ts']);
        await master.child.waitFor((e) => e.event === 'file-removed' && e.data.srv === s.address && e.data.file === 'title.ts', 10_000, `${s.address}'s title.ts out of the catalog`);
      }
    } finally {
      await p.killAll();
    }
  });

  it('a target that is not running: the others complete, the job fails; ofp job wait exits 1 naming it, ofp job status shows it', async () => {
    const p = processScope();
    try {
      const media = join(dir, 'media-alone');
      mkdirSync(media);
      const server = await p.ofpInTurn('server', ['server', '--media', media, '--port', '0', '--key', KEY, '--peers', '127.0.0.1:9', '--json-stream']);
      const addr = (await server.waitFor((e) => e.event === 'listening', 15_000, 'listening')).data.address as string;
      const base = await p.ofpInTurn('base', ['base', '--port', '0', '--store', join(dir, 'store-2'), '--key', KEY, '--json-stream']);
      const baseAddr = (await base.waitFor((e) => e.event === 'listening', 15_000, 'listening')).data.address as string;
      const submit = await p.run(['job', 'submit', file, '--as', 'other.ts', '--base', baseAddr, '--to', `${addr},127.0.0.1:9`, '--key', KEY, '--json'], { timeoutMs: 30_000 });
      expect(submit.code, submit.stderr).toBe(0);
      const { job } = JSON.parse(submit.stdout) as { job: number };
      const wait = await p.run(['job', 'wait', String(job), '--base', baseAddr, '--key', KEY], { timeoutMs: 60_000 });
      expect(wait.code).toBe(1);
      expect(wait.stderr).toContain(`error job-failed: job ${job}: 1 target(s) failed: 127.0.0.1:9 (target-unreachable)`);
      expect(readFileSync(join(media, 'other.ts')).equals(readFileSync(file))).toBe(true);
      const status = await p.run(['job', 'status', String(job), '--base', baseAddr, '--key', KEY, '--json'], { timeoutMs: 20_000 });
      expect(status.code, status.stderr).toBe(0);
      const s = JSON.parse(status.stdout) as { state: string; targets: { srv: string; st: string; code?: string; retry?: number }[] };
      expect(s.state).toBe('failed');
      expect(s.targets.map((t) => [t.srv, t.st, t.code])).toEqual([[addr, 'completed', undefined], ['127.0.0.1:9', 'failed', 'target-unreachable']]);
      expect(s.targets[1]!.retry).toBeGreaterThan(0);
      // A command for a job the base server does not hold: a stable error, exit 1.
      const unknown = await p.run(['job', 'add', String(job === 1 ? 2 : 1), 'verify', 'other.ts', '--base', baseAddr, '--key', KEY], { timeoutMs: 20_000 });
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/^error unknown-job: the base server holds no job \d+$/m);
    } finally {
      await p.killAll();
    }
  });

  it('a base server killed mid-transfer and started again on its store finishes the job: ofp job wait exits 0, every copy identical (§14.10)', async () => {
    const p = processScope();
    try {
      const servers: { address: string; media: string }[] = [];
      for (const i of [1, 2, 3]) {
        const media = join(dir, `media-restart-${i}`);
        mkdirSync(media);
        const server = await p.ofpInTurn(`server ${i}`, ['server', '--media', media, '--port', '0', '--key', KEY, '--peers', '127.0.0.1:9', '--job-stall', '1s', '--json-stream']);
        servers.push({ address: (await server.waitFor((e) => e.event === 'listening', 15_000, 'listening')).data.address as string, media });
      }
      const store = join(dir, 'store-restart');
      // One target at once, each fed by the base server (--star), at 4 Mbit/s: 3 s a target, so the upload ends with the first and two are still to come.
      const args = ['base', '--store', store, '--key', KEY, '--star', '--fanout', '1', '--json-stream'];
      const base = await p.ofpInTurn('base', [...args, '--port', '0']);
      const baseAddr = (await base.waitFor((e) => e.event === 'listening', 15_000, 'listening')).data.address as string;
      const submit = await p.run(['job', 'submit', file, '--as', 'restart.ts', '--base', baseAddr, '--to', servers.map((s) => s.address).join(','), '--rate', '4M', '--key', KEY, '--json'], { timeoutMs: 20_000 });
      expect(submit.code, submit.stderr).toBe(0);
      const { job } = JSON.parse(submit.stdout) as { job: number };
      await base.waitFor((e) => e.event === 'job-uploaded' && e.data.job === job, 10_000, 'the upload');
      expect(base.events.some((e) => e.event === 'job-completed')).toBe(false);
      base.proc.kill('SIGKILL');
      await base.exited;
      const again = await p.ofpInTurn('base again', [...args, '--port', baseAddr.split(':').at(-1)!]);
      const restored = await again.waitFor((e) => e.event === 'job-restored' && e.data.job === job, 15_000, 'the job taken back');
      // Its file whole in the store (hashed again), nothing to pull from the provider, which has gone.
      expect(restored.data).toMatchObject({ state: 'running', pulled: [] });
      const wait = await p.run(['job', 'wait', String(job), '--base', baseAddr, '--key', KEY, '--json'], { timeoutMs: 30_000 });
      expect(wait.code, `${wait.stderr}\n${again.stderr}`).toBe(0);
      const doc = JSON.parse(wait.stdout) as { state: string; counts: number[] };
      expect(doc).toMatchObject({ state: 'completed', counts: [0, 0, 0, 3, 0] });
      for (const s of servers) expect(readFileSync(join(s.media, 'restart.ts')).equals(readFileSync(file)), s.address).toBe(true);
    } finally {
      await p.killAll();
    }
  });

  it('refuses to run without the cluster key, and says why', async () => {
    const p = processScope();
    try {
      const base = await p.run(['base', '--port', '0'], { timeoutMs: 20_000 });
      expect(base.code).toBe(2);
      expect(base.stderr).toContain('a base server needs the cluster key');
      const submit = await p.run(['job', 'submit', file, '--to', '127.0.0.1:5000'], { timeoutMs: 20_000 });
      expect(submit.code).toBe(2);
      expect(submit.stderr).toContain('jobs move only within a keyed cluster');
      const list = await p.run(['job', 'list', '--base', '127.0.0.1:9'], { timeoutMs: 20_000 });
      expect(list.code).toBe(2);
      expect(list.stderr).toContain('jobs move only within a keyed cluster');
    } finally {
      await p.killAll();
    }
  });
});
