/**
 * By hand, as a user does it: `ofp media make`, a master, two servers, a
 * client in each mode; every copy is identical to the original, and
 * `ofp master status` lists the servers.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanupProcesses, ofp, runOfp, startMaster, startServer, tempDir } from '../helpers/processes.js';
import { within } from '../helpers/wait.js';

cleanupProcesses();
const dir = tempDir();

describe('ofp roles as processes', () => {
  it('stream a byte-identical copy in each mode, and master status lists the servers', async () => {
    const make = await runOfp(['media', 'make', 'movie.ts', '--duration', '2', '--bitrate', '4M', '--out', join(dir, 'media')]);
    expect(make.code, make.stderr).toBe(0);
    expect(make.stdout).toMatch(/made .*movie\.ts: 1000000 bytes/);
    const original = readFileSync(join(dir, 'media', 'movie.ts'));
    expect(original.length).toBe(1_000_000);

    // Each answer is a debug-level event: ask for them.
    const master = await startMaster(['--poll-interval', '300', '--log-level', 'debug', '--interval', '500ms']);
    const servers = await Promise.all([1, 2].map((i) => startServer(master.address, join(dir, 'media'), ['--group', `g${i}`], `server ${i}`)));

    const modes = ['redirect', 'relay', 'list'] as const;
    const runs = await Promise.all(modes.map((mode) =>
      runOfp(['client', 'get', 'movie.ts', '--master', master.address, '--out', join(dir, `copy-${mode}.ts`), '--mode', mode, '--json', '--timeout', '30'], { timeoutMs: 40_000 })));
    runs.forEach((run, i) => {
      expect(run.code, `${modes[i]}: ${run.stderr}`).toBe(0);
      const summary = JSON.parse(run.stdout);
      expect(summary).toMatchObject({ ok: true, bytes: 1_000_000, size: 1_000_000, file: 'movie.ts' });
      expect(servers.map((s) => s.address)).toContain(summary.servers[0]);
      // `cmp`: the copy is the original, byte for byte.
      expect(readFileSync(join(dir, `copy-${modes[i]}.ts`)).equals(original)).toBe(true);
    });
    const answers = master.child.events.map((e) => e.event);
    expect(answers).toEqual(expect.arrayContaining(['redirect', 'relay', 'list']));
    // Interval reports, iperf-style: the requests answered, counted once each.
    const interval = await master.child.waitFor((e) => e.event === 'interval', 5_000, 'interval');
    expect(interval.data.requests).toBeGreaterThan(0);
    const counted = master.child.events.filter((e) => e.event === 'interval').reduce((n, e) => n + (e.data.requests as number), 0);
    expect(counted).toBeLessThanOrEqual(3 + 16); // three clients (list mode may page); never counted twice

    const check = await runOfp(['media', 'check', join(dir, 'copy-list.ts'), '--original', join(dir, 'media', 'movie.ts')]);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toMatch(/^intact: /);
    // Every prefix of a synthetic file is synthetic: a cut copy, or an empty one, is found short by its size.
    const whole = readFileSync(join(dir, 'copy-list.ts'));
    writeFileSync(join(dir, 'cut.ts'), whole.subarray(0, 1000));
    writeFileSync(join(dir, 'empty.ts'), '');
    for (const [file, have] of [['cut.ts', 1000], ['empty.ts', 0]] as const) {
      const r = await runOfp(['media', 'check', join(dir, file), '--original', join(dir, 'media', 'movie.ts')]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(`it has ${have} of its ${whole.length} bytes: bytes ${have} to ${whole.length - 1} are missing`);
    }
    // Without a sidecar, --original or --size, nobody can tell: a usage error, never "intact".
    const unknown = await runOfp(['media', 'check', join(dir, 'cut.ts'), '--name', 'movie.ts']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error usage: .*whole size is unknown: give --original .* or --size/);

    const status = await runOfp(['master', 'status', '--master', master.address]);
    expect(status.code, status.stderr).toBe(0);
    for (const s of servers) expect(status.stdout).toMatch(new RegExp(`${s.address.replace(/\./g, '\\.')}\\s+g\\d\\s+up\\s+1`));
    expect(status.stdout).toMatch(/servers 2 \(2 up\)/);
    const json = JSON.parse((await runOfp(['master', 'status', '--master', master.address, '--json'])).stdout);
    expect(json.servers.map((s: { name: string }) => s.name).sort()).toEqual(servers.map((s) => s.address).sort());
    expect(json.files).toEqual([expect.objectContaining({ file: 'movie.ts', size: 1_000_000, rate: 4_000_000 })]);
    expect(json.summary.requests).toBe(3);

    // Ctrl-C on a client mid-stream: it stops, keeps its copy so far, and exits 130 as a shell reports SIGINT.
    const stopped = ofp('client stopped', ['client', 'get', 'movie.ts', '--master', master.address, '--out', join(dir, 'stopped.ts'), '--json-stream']);
    await stopped.waitFor((e) => e.event === 'playing', 15_000, 'playing');
    stopped.kill('SIGINT');
    expect((await within(stopped.exited, 10_000, 'the client to stop')).code).toBe(130);

    // A server stopped with SIGTERM drains — it has no stream left, so at once, not after DRAIN_TIMEOUT —
    // tells the master it leaves, and exits 0.
    servers[0]!.child.kill('SIGTERM');
    expect((await within(servers[0]!.child.exited, 5_000, 'the idle server to exit after SIGTERM')).code).toBe(0);
    await master.child.waitFor((e) => e.event === 'server-left' && e.data.srv === servers[0]!.address, 5_000, 'server-left');
    expect(servers[0]!.child.events.at(-1)).toMatchObject({ event: 'summary', data: { role: 'server' } });
  });
});
