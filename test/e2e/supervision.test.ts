/**
 * Shared supervision on real processes (§12.2): `ofp master status` from
 * every master of a group names the same supervisor for a server, and
 * `ofp master supervise` places one by hand. (A killed supervisor's servers
 * taken over while their streams play on, and a server failing afterwards,
 * on real processes: test/e2e/demo.test.ts, `ofp demo --masters 3`.)
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../src/runtime/children.js';
import { cleanupProcesses, isListening, processScope, runOfp, tempDir } from '../helpers/processes.js';
import { freePorts } from '../../src/runtime/freePorts.js';

cleanupProcesses();
const dir = tempDir();
const KEY = 'a cluster key for three masters and their servers';

const supervisorEvent = (e: StreamEvent) => e.event === 'supervisor';

describe('shared supervision, real processes', () => {
  it('ofp master supervise pins a server to the master named, and ofp master status shows it; a master without a group refuses', async () => {
    const p = processScope();
    try {
      const media = join(dir, 'media2');
      await runOfp(['media', 'make', 'a.ts', '--duration', '2', '--out', media]);
      const addrs = (await freePorts(2)).map((port) => `127.0.0.1:${port}`);
      const masters = addrs.map((addr, i) => p.ofp(`master ${i + 1}`, ['master', '--port', addr.split(':')[1]!, '--peers', addrs.filter((a) => a !== addr).join(','), '--key', KEY, '--json-stream']));
      for (const m of masters) await m.waitFor(isListening, 20_000, 'listening');
      const server = p.ofp('server', ['server', '--master', addrs.join(','), '--media', media, '--key', KEY, '--json-stream']);
      const name = (await server.waitFor(isListening, 20_000, 'listening')).data.address as string;
      for (const m of addrs) await server.waitFor((e) => e.event === 'registration-registered' && e.data.master === m, 15_000, `registered with ${m}`);
      // Every master names the same supervisor: what the server's reports say.
      const said = async (at: string) => {
        const status = await p.run(['master', 'status', '--master', at, '--key', KEY, '--json'], { timeoutMs: 20_000 });
        expect(status.code, status.stderr).toBe(0);
        return (JSON.parse(status.stdout) as { servers: { name: string; sup?: string }[] }).servers.find((r) => r.name === name)?.sup;
      };
      const first = await said(addrs[0]!);
      expect(addrs).toContain(first);
      expect(await said(addrs[1]!)).toBe(first);
      const to = addrs.find((a) => a !== first)!;
      // Asked of the master that does not supervise it: the server takes it from any of its masters.
      const r = await p.run(['master', 'supervise', '--master', to, '--server', name, '--key', KEY], { timeoutMs: 20_000 });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`ok: ${name} is to be supervised by ${to}`);
      await server.waitFor((e) => supervisorEvent(e) && e.data.master === to && e.data.pinned === true, 10_000, 'the pinned supervisor');
      const text = await p.run(['master', 'status', '--master', addrs[0]!, '--key', KEY], { timeoutMs: 20_000 });
      expect(text.stdout).toMatch(/SUPERVISOR +EPOCH +BACKUP/);
      expect(text.stdout).toContain(`${to}*`);

      const lone = await p.startMaster(['--key', KEY]);
      const refused = await p.run(['master', 'supervise', '--master', lone.address, '--server', name, '--key', KEY], { timeoutMs: 20_000 });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('error bad-request: master');
      expect(refused.stderr).toContain('belongs to no group');
    } finally {
      await p.killAll();
    }
  }, 90_000);
});
