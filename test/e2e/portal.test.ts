/**
 * `ofp portal` on real processes (§12.3): in front of two masters in a group
 * (a cluster key), clients that know only the portal (`ofp client get
 * --portal`) get byte-identical copies, referred (`--mode refer`) or passed on
 * (`--mode forward`); a killed master is down for the portal, and the next
 * clients go to the one left. Forward without a key is a usage error.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanupProcesses, isListening, processScope, runOfp, tempDir } from '../helpers/processes.js';
import { freePorts } from '../../src/runtime/freePorts.js';

cleanupProcesses();
const dir = tempDir();
const KEY = 'a cluster key for a portal and its masters';

describe('ofp portal', () => {
  it('refers and forwards clients to the masters behind it; a killed master is down for it, and the next clients go to the other', async () => {
    const p = processScope();
    try {
      const media = join(dir, 'media');
      const made = await runOfp(['media', 'make', 'a.ts', '--duration', '1', '--bitrate', '1M', '--out', media]);
      expect(made.code, made.stderr).toBe(0);
      const addrs = (await freePorts(2)).map((port) => `127.0.0.1:${port}`);
      const masters = addrs.map((addr, i) => p.ofp(`master ${i + 1}`, ['master', '--port', addr.split(':')[1]!, '--peers', addrs[1 - i]!, '--key', KEY, '--json-stream']));
      for (const m of masters) await m.waitFor(isListening, 20_000, 'listening'); // a start on a busy 2-core machine
      const server = p.ofp('server', ['server', '--master', addrs.join(','), '--media', media, '--key', KEY, '--json-stream']);
      for (const m of addrs) await server.waitFor((e) => e.event === 'registration-registered' && e.data.master === m, 15_000, `registered with ${m}`);

      const portals = await Promise.all((['refer', 'forward'] as const).map(async (mode) => {
        const child = p.ofp(`portal (${mode})`, ['portal', '--port', '0', '--masters', addrs.join(','), '--mode', mode, '--key', KEY, '--json-stream']);
        const address = (await child.waitFor(isListening, 20_000, 'listening')).data.address as string;
        for (const m of addrs) await child.waitFor((e) => e.event === 'master-up' && e.data.master === m, 10_000, `${m} up`);
        return { mode, child, address };
      }));
      for (const portal of portals) {
        const out = join(dir, `a.${portal.mode}.ts`);
        const r = await p.run(['client', 'get', 'a.ts', '--portal', portal.address, '--out', out, '--json-stream', '--timeout', '30'], { timeoutMs: 40_000 });
        expect(r.code, r.stderr).toBe(0);
        expect(readFileSync(out).equals(readFileSync(join(media, 'a.ts')))).toBe(true);
        const referred = r.stdout.split('\n').filter((l) => l.includes('"event":"referred"'));
        expect(referred.length, r.stdout).toBe(portal.mode === 'refer' ? 1 : 0);
      }

      // Kill the first master: the portals stop handing it requests.
      masters[0]!.kill('SIGKILL');
      for (const portal of portals) await portal.child.waitFor((e) => e.event === 'master-down' && e.data.master === addrs[0], 10_000, 'the killed master down');
      for (const portal of portals) {
        const out = join(dir, `after.${portal.mode}.ts`);
        const r = await p.run(['client', 'get', 'a.ts', '--portal', portal.address, '--out', out, '--json-stream', '--timeout', '30'], { timeoutMs: 40_000 });
        expect(r.code, r.stderr).toBe(0);
        // Answered by the master left: no request went to the dead one, so none timed out.
        expect(r.stdout).not.toContain('"event":"master-silent"');
      }
    } finally {
      await p.killAll();
    }
  }, 120_000);

  it('refuses --mode forward without a cluster key, and a policy it does not have', async () => {
    const r = await runOfp(['portal', '--masters', '127.0.0.1:7700', '--mode', 'forward'], { timeoutMs: 20_000 });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('error usage: --mode forward needs the cluster key (--key or OFP_KEY): a master answers the address a portal vouches for only when the portal proves it is one of the cluster');
    const bad = await runOfp(['portal', '--masters', '127.0.0.1:7700', '--policy', 'fastest'], { timeoutMs: 20_000 });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error usage: Expected --policy=fastest to be one of: round-robin, priority, resources, least-loaded, nearest/);
  });
});
