/**
 * The servers' shared view (S4.4, §13) with real processes: three `ofp server
 * --key` processes find one another through the peers their master names;
 * the master is SIGKILLed; `ofp client get --mode list --servers` asks a
 * server for the list instead, and gets a whole copy. Without a key there is
 * no view, and `--peers` says why.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanupProcesses, processScope, runOfp, tempDir } from '../helpers/processes.js';
import { within } from '../helpers/wait.js';

cleanupProcesses();
const dir = tempDir('ofp-view-');
const media = join(dir, 'media');
const KEY = 'the cluster key of a shared view on loopback';

beforeAll(async () => {
  const made = await runOfp(['media', 'make', 'clip.ts', '--duration', '1', '--bitrate', '1M', '--out', media]);
  expect(made.code, made.stderr).toBe(0);
});

describe('servers that share their view', () => {
  it('learn of one another from their master; with it killed, a client in list mode asks a server and gets a whole copy', async () => {
    const p = processScope();
    try {
      const master = await p.startMaster(['--key', KEY, '--poll-interval', '300'], 'master');
      const servers = [];
      for (const i of [1, 2, 3]) servers.push(await p.startServer(master.address, media, ['--key', KEY, '--log-level', 'debug'], `server ${i}`));
      // The first server hears of the two others as they register: the master names it as their peer.
      for (const other of servers.slice(1)) await servers[0]!.child.waitFor((e) => e.event === 'peer-alive' && e.data.peer === other.address, 15_000, `${other.address} in the first server's view`);
      master.child.kill('SIGKILL');
      await within(master.child.exited, 10_000, 'the master gone');
      const out = join(dir, 'copy.ts');
      const get = await p.run(['client', 'get', 'clip.ts', '--master', master.address, '--mode', 'list', '--choose', 'random', '--servers', servers[0]!.address, '--out', out, '--json'], { timeoutMs: 60_000 });
      expect(get.code, get.stderr).toBe(0);
      const doc = JSON.parse(get.stdout) as { ok: boolean; servers: string[] };
      expect(doc.ok).toBe(true);
      expect(servers.map((s) => s.address)).toEqual(expect.arrayContaining(doc.servers));
      expect(readFileSync(out)).toEqual(readFileSync(join(media, 'clip.ts')));
      const listed = servers[0]!.child.events.filter((e) => e.event === 'list-answered');
      expect(listed.length).toBeGreaterThanOrEqual(1);
      expect(listed[0]!.data.total).toBe(3);
    } finally {
      await p.killAll();
    }
  });

  it('--peers needs --key, and --servers needs --mode list: exit 2 with the reason', async () => {
    const peers = await runOfp(['server', '--master', '127.0.0.1:9', '--media', media, '--peers', '127.0.0.1:7001']);
    expect(peers.code, peers.stderr).toBe(2);
    expect(peers.stderr.trim()).toBe('error usage: --peers needs --key: servers share their view only when it is authenticated (§13.4)');
    const servers = await runOfp(['client', 'get', 'clip.ts', '--master', '127.0.0.1:9', '--servers', '127.0.0.1:7001', '--out', join(dir, 'x.ts')]);
    expect(servers.code, servers.stderr).toBe(2);
    expect(servers.stderr.trim()).toBe('error usage: --servers is for --mode list: a server answers the list, not a redirect');
  });
});
