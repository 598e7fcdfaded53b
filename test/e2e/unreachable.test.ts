/**
 * Nothing listening, or a server that never answers (§6.1): `ofp client get`
 * says so and stops, at once for a closed port, within a bounded number of
 * tries for a silent one; the master is told and warns.
 */
import { createSocket } from 'node:dgram';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanupProcesses, runOfp, startMaster, startServer, tempDir } from '../helpers/processes.js';

cleanupProcesses();
const dir = tempDir();

/** A loopback UDP port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

describe('a peer that is not there', () => {
  it('a master port with nothing listening fails at once with "nothing listens", like connection refused', async () => {
    const port = await closedPort();
    const t0 = Date.now();
    const r = await runOfp(['client', 'get', 'A.ts', '--master', `127.0.0.1:${port}`, '--out', join(dir, 'a.ts')], { timeoutMs: 20_000 });
    const ms = Date.now() - t0;
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`error master-unreachable: no master answered: nothing listens on 127\\.0\\.0\\.1:${port} \\(port unreachable\\)`));
    // Without the refusal it takes MASTER_ROUNDS × ATTEMPTS_PER_PEER × REQUEST_TIMEOUT = 6 s.
    expect(ms).toBeLessThan(5_000);
  });

  it('a server advertising an address where nothing listens: the client stops with "never answered" and the master warns', async () => {
    const media = join(dir, 'media');
    const make = await runOfp(['media', 'make', 'A.ts', '--duration', '1', '--out', media]);
    expect(make.code, make.stderr).toBe(0);
    const port = await closedPort();
    const master = await startMaster(['--poll-interval', '200']);
    await startServer(master.address, media, ['--name', `127.0.0.1:${port}`]);
    const r = await runOfp(['client', 'get', 'A.ts', '--master', master.address, '--out', join(dir, 'b.ts'), '--timeout', '30'], { timeoutMs: 40_000 });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`error server-unreachable: server 127\\.0\\.0\\.1:${port} never answered: nothing listens on its port`));
    await master.child.waitFor((e) => e.event === 'server-unanswered' && e.data.srv === `127.0.0.1:${port}`, 5_000, 'server-unanswered');
  });

  it('a server whose advertised address swallows datagrams: the client gives up after a bounded number of tries', async () => {
    const media = join(dir, 'media2');
    await runOfp(['media', 'make', 'A.ts', '--duration', '1', '--out', media]);
    const hole = createSocket('udp4');
    await new Promise<void>((resolve) => hole.bind(0, '127.0.0.1', resolve));
    try {
      const name = `127.0.0.1:${hole.address().port}`;
      const master = await startMaster(['--poll-interval', '200']);
      await startServer(master.address, media, ['--name', name]);
      const t0 = Date.now();
      const r = await runOfp(['client', 'get', 'A.ts', '--master', master.address, '--out', join(dir, 'c.ts')], { timeoutMs: 40_000 });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`error server-unreachable: server ${name.replace(/\./g, '\\.')} never answered \\(asked 2 times`));
      // SILENT_SERVER_TRIES × ATTEMPTS_PER_PEER × REQUEST_TIMEOUT = 4 s, not "forever" (--timeout defaults to none).
      expect(Date.now() - t0).toBeLessThan(30_000);
    } finally {
      hole.close();
    }
  });

  it('a dashboard watched without a terminal exits 1 when its master never answered', async () => {
    const port = await closedPort();
    const r = await runOfp(['dashboard', '--master', `127.0.0.1:${port}`, '--duration', '2'], { timeoutMs: 20_000 });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^error master-unreachable: master 127\\.0\\.0\\.1:${port} never answered`, 'm'));
  });
});
