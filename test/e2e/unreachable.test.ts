/**
 * Nothing listening, or a server that never answers (§6.1): `ofp client get`
 * says so and stops, at once for a closed port, within a bounded number of
 * tries for a silent one; the master is told and warns.
 */
import { createSocket } from 'node:dgram';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decode, encode } from '../../src/protocol/codec.js';
import { cleanupProcesses, runOfp, startMaster, startServer, tempDir } from '../helpers/processes.js';
import { closedPort } from '../../src/runtime/freePorts.js';

cleanupProcesses();
const dir = tempDir();

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

  it('a setup, then not one byte: the client reports how it ended and leaves no file (it used to exit 3, closing its copy twice)', async () => {
    // A stand-in master that answers the first request with a relayed setup naming a server
    // that swallows everything: the client has its copy open and nothing to write in it.
    const master = createSocket('udp4');
    const hole = createSocket('udp4');
    await Promise.all([master, hole].map((s) => new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve))));
    let setups = 0;
    master.on('message', (msg, rinfo) => {
      const d = decode(msg);
      if (!d.ok || d.msg.type !== 'request' || setups > 0) return;
      setups++;
      const srv = `127.0.0.1:${hole.address().port}`;
      master.send(encode({ type: 'setup', rid: d.msg.rid, sid: 5, file: d.msg.file, srv, size: 100_000, rate: 800_000, chunk: 1000, off: 0, cookie: new Uint8Array(8) }), rinfo.port, rinfo.address);
    });
    try {
      const out = join(dir, 'never.ts');
      const r = await runOfp(['client', 'get', 'A.ts', '--master', `127.0.0.1:${master.address().port}`, '--out', out, '--timeout', '2', '--json'], { timeoutMs: 20_000 });
      expect(setups).toBe(1);
      expect(r.code, r.stderr).toBe(1);
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, code: 'timeout', bytes: 0, size: 100_000 });
      expect(r.stderr).toContain(`error timeout: the copy was not complete after --timeout 2; nothing was written (${out} was not created)`);
      expect(existsSync(out)).toBe(false);
    } finally {
      master.close();
      hole.close();
    }
  });
});
