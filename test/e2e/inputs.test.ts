/**
 * Inputs to decisions (S3.5, §12.5) with real processes: servers that say where
 * they are (`--location`, or a `--facts` file), a master with the `nearest`
 * policy that measures its round trip to each on its polls, and clients that
 * say where they are (`ofp client get --location`). `ofp master status` shows
 * what the master knows; facts that are not facts are usage errors.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MasterStatus } from '../../src/runtime/statusQuery.js';
import { cleanupProcesses, processScope, runOfp, tempDir } from '../helpers/processes.js';
import { within } from '../helpers/wait.js';

cleanupProcesses();
const dir = tempDir('ofp-inputs-');
const media = join(dir, 'media');
const factsFile = join(dir, 'lon.json');

beforeAll(async () => {
  const made = await runOfp(['media', 'make', 'clip.ts', '--duration', '1', '--bitrate', '1M', '--out', media]);
  expect(made.code, made.stderr).toBe(0);
  writeFileSync(factsFile, JSON.stringify({ location: 'lon-1', cpus: 16, memory: '64G', latency: '2ms' }));
});

describe('servers and clients that say where they are, and a master that sends clients to the nearest', () => {
  it('ofp client get --location goes to a server there; ofp master status shows each server\'s location and round trip', async () => {
    const p = processScope();
    try {
      const master = await p.startMaster(['--policy', 'nearest', '--poll-interval', '200'], 'nearest master');
      const par = await p.startServer(master.address, media, ['--location', 'par-1'], 'par server');
      const lon = await p.startServer(master.address, media, ['--facts', factsFile, '--cpus', '8'], 'lon server');
      expect((await lon.child.waitFor((e) => e.event === 'listening', 5_000, 'listening')).data.facts).toEqual({ loc: 'lon-1', cpus: 8, mem: 65_536, lat: 2 });
      await Promise.all([par, lon].map((s) => master.child.waitFor((e) => e.event === 'server-up' && e.data.srv === s.address, 10_000, `${s.address} up`)));
      for (const [where, server] of [['lon-1', lon], ['par-1', par]] as const) {
        const get = await p.run(['client', 'get', 'clip.ts', '--master', master.address, '--location', where, '--out', join(dir, `${where}.copy.ts`), '--json'], { timeoutMs: 30_000 });
        expect(get.code, get.stderr).toBe(0);
        expect((JSON.parse(get.stdout) as { servers: string[] }).servers).toEqual([server.address]);
      }
      // A few polls later, the master has measured its round trip to each (loopback: a few ms at most).
      const deadline = Date.now() + 10_000;
      let status: MasterStatus | undefined;
      while (Date.now() < deadline) {
        const r = await p.run(['master', 'status', '--master', master.address, '--json'], { timeoutMs: 10_000 });
        expect(r.code, r.stderr).toBe(0);
        status = JSON.parse(r.stdout) as MasterStatus;
        if (status.servers.every((s) => s.rtt !== undefined)) break;
      }
      const rows = new Map(status!.servers.map((s) => [s.name, s]));
      expect(rows.get(par.address)).toMatchObject({ loc: 'par-1' });
      expect(rows.get(lon.address)).toMatchObject({ loc: 'lon-1' });
      for (const s of rows.values()) {
        expect(s.rtt).toBeGreaterThanOrEqual(0);
        // Loopback; a second covers a busy machine's scheduling.
        expect(s.rtt).toBeLessThan(1_000);
      }
      const text = await p.run(['master', 'status', '--master', master.address], { timeoutMs: 10_000 });
      expect(text.stdout).toMatch(/LOCATION +RTT/);
      expect(text.stdout).toMatch(new RegExp(`${par.address.replace(/\./g, '\\.')} .* par-1 +\\d+ ms`));
      master.child.kill('SIGTERM');
      await within(master.child.exited, 10_000, 'the master to stop');
    } finally {
      await p.killAll();
    }
  });

  it('ofp client get --echo echoes the master\'s answer: the master times its round trip to the client; a client without it is not timed', async () => {
    const p = processScope();
    try {
      const master = await p.startMaster(['--policy', 'nearest', '--log-level', 'debug'], 'echoed master');
      const server = await p.startServer(master.address, media, [], 'a server');
      await master.child.waitFor((e) => e.event === 'server-up' && e.data.srv === server.address, 10_000, 'the server up');
      const get = await p.run(['client', 'get', 'clip.ts', '--master', master.address, '--echo', '--out', join(dir, 'echo.copy.ts'), '--json'], { timeoutMs: 30_000 });
      expect(get.code, get.stderr).toBe(0);
      const timed = await master.child.waitFor((e) => e.event === 'client-rtt', 5_000, 'the client\'s echo timed');
      expect(String(timed.data.client)).toMatch(/^127\.0\.0\.1:\d+$/);
      // Loopback; a second covers a busy machine's scheduling.
      expect(timed.data.sample).toBeGreaterThanOrEqual(0);
      expect(timed.data.sample).toBeLessThan(1_000);
      // A client without --echo sends none: still exactly one sample.
      const plain = await p.run(['client', 'get', 'clip.ts', '--master', master.address, '--out', join(dir, 'plain.copy.ts'), '--json'], { timeoutMs: 30_000 });
      expect(plain.code, plain.stderr).toBe(0);
      expect(master.child.events.filter((e) => e.event === 'client-rtt')).toHaveLength(1);
      master.child.kill('SIGTERM');
      await within(master.child.exited, 10_000, 'the master to stop');
    } finally {
      await p.killAll();
    }
  });

  it('facts that are not facts: exit 2 with one line naming the flag or the file', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ location: 'par-1', disks: 4 }));
    const cases: [string[], RegExp][] = [
      [['--memory', 'lots'], /^error usage: --memory "lots" is not an amount of memory: give MiB, or a size like 512M, 64G or 1T$/],
      [['--cpus', '0'], /^error usage: --cpus "0" must be a whole number from 1 to 65535$/],
      [['--latency', '70s'], /^error usage: --latency "70s": at most 65535 ms$/],
      [['--facts', bad], /^error usage: --facts .*bad\.json: unknown key "disks"; known keys: location, cpus, memory, latency$/],
      [['--facts', join(dir, 'none.json')], /^error usage: --facts .*none\.json: cannot read it \(ENOENT\)$/],
    ];
    const runs = await Promise.all(cases.map(([flags]) => runOfp(['server', '--master', '127.0.0.1:9', '--media', media, ...flags])));
    for (const [i, r] of runs.entries()) {
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim()).toMatch(cases[i]![1]);
    }
    const client = await runOfp(['client', 'get', 'clip.ts', '--master', '127.0.0.1:9', '--location', 'x'.repeat(65), '--out', join(dir, 'x.ts')]);
    expect(client.code).toBe(2);
    expect(client.stderr.trim()).toBe('error usage: --location must be 1 to 64 bytes');
  });
});
