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

  it('run with no master at all: servers joined by --peers alone, a client with --servers alone, a whole copy; SIGTERM stops a server at once, and the others see it go', async () => {
    const p = processScope();
    try {
      const first = await p.ofpInTurn('server 1', ['server', '--media', media, '--port', '0', '--key', KEY, '--peers', '127.0.0.1:9', '--json-stream', '--log-level', 'debug']);
      const a = (await first.waitFor((e) => e.event === 'listening', 15_000, 'listening')).data.address as string;
      const alone = await first.waitFor((e) => e.event === 'server-alone', 5_000, 'alone');
      expect(alone.data.peers).toBe(1);
      const others: { child: Awaited<ReturnType<typeof p.ofpInTurn>>; address: string }[] = [];
      for (const i of [2, 3]) {
        const child = await p.ofpInTurn(`server ${i}`, ['server', '--media', media, '--port', '0', '--key', KEY, '--peers', a, '--json-stream', '--log-level', 'debug']);
        others.push({ child, address: (await child.waitFor((e) => e.event === 'listening', 15_000, 'listening')).data.address as string });
      }
      // The first hears of both through their joins; each of them of the other through it.
      for (const o of others) await first.waitFor((e) => e.event === 'peer-alive' && e.data.peer === o.address, 15_000, `${o.address} in the first server's view`);
      await others[0]!.child.waitFor((e) => e.event === 'peer-alive' && e.data.peer === others[1]!.address, 15_000, 'the third in the second\'s view');
      const out = join(dir, 'alone.ts');
      const get = await p.run(['client', 'get', 'clip.ts', '--mode', 'list', '--choose', 'random', '--servers', others[0]!.address, '--out', out, '--json'], { timeoutMs: 60_000 });
      expect(get.code, get.stderr).toBe(0);
      const doc = JSON.parse(get.stdout) as { ok: boolean; servers: string[]; masters: string[] };
      expect(doc.ok).toBe(true);
      expect(doc.masters).toEqual([]);
      expect([a, ...others.map((o) => o.address)]).toEqual(expect.arrayContaining(doc.servers));
      expect(readFileSync(out)).toEqual(readFileSync(join(media, 'clip.ts')));
      // SIGTERM drains: with no master to move its streams, the server stops at once and says so.
      first.kill('SIGTERM');
      expect(await within(first.exited, 10_000, 'the first server gone')).toEqual({ code: 0, signal: null });
      expect(first.events.find((e) => e.event === 'stopped')?.data.leave).toBe('none (no master)');
      await others[0]!.child.waitFor((e) => (e.event === 'peer-left' || e.event === 'peer-dead') && e.data.peer === a, 15_000, 'the first server gone from the view');
    } finally {
      await p.killAll();
    }
  });

  it('with no master, a server stopped mid-stream ends its stream, and the client resumes from the others: a whole copy', async () => {
    const p = processScope();
    try {
      const long = join(dir, 'long');
      const made = await runOfp(['media', 'make', 'long.ts', '--duration', '4', '--bitrate', '1M', '--out', long]);
      expect(made.code, made.stderr).toBe(0);
      const start = async (name: string, group: string, peers: string) => {
        const child = await p.ofpInTurn(name, ['server', '--media', long, '--port', '0', '--key', KEY, '--group', group, '--peers', peers, '--json-stream', '--log-level', 'debug']);
        return { child, address: (await child.waitFor((e) => e.event === 'listening', 15_000, 'listening')).data.address as string };
      };
      const a = await start('server a', 'first', '127.0.0.1:9');
      const b = await start('server b', 'rest', a.address);
      await a.child.waitFor((e) => e.event === 'peer-alive' && e.data.peer === b.address, 15_000, 'b in a\'s view');
      const out = join(dir, 'long.copy.ts');
      const client = await p.ofpInTurn('client', ['client', 'get', 'long.ts', '--mode', 'list', '--choose', 'group:first', '--servers', b.address, '--out', out, '--json-stream']);
      const playing = await client.waitFor((e) => e.event === 'playing', 20_000, 'playing');
      expect(playing.data.srv).toBe(a.address);
      a.child.kill('SIGTERM');
      expect(await within(client.exited, 30_000, 'the client done')).toEqual({ code: 0, signal: null });
      const done = client.events.find((e) => e.event === 'summary')!.data as { ok: boolean; servers: string[] };
      expect(done.ok).toBe(true);
      expect(done.servers).toEqual([a.address, b.address]);
      expect(readFileSync(out)).toEqual(readFileSync(join(long, 'long.ts')));
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
