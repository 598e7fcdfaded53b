/**
 * The master is killed (SIGKILL: no goodbye) and started again on the same
 * port: the servers notice, register again, and a new request succeeds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanupProcesses, isListening, ofp, runOfp, startMaster, startServer, tempDir } from '../helpers/processes.js';

cleanupProcesses();
const dir = tempDir();

describe('master restart', () => {
  it('servers re-register with a master restarted on the same port, and a new request succeeds', async () => {
    const media = join(dir, 'media');
    expect((await runOfp(['media', 'make', 'clip.ts', '--duration', '1', '--bitrate', '4M', '--out', media])).code).toBe(0);
    const first = await startMaster(['--poll-interval', '200'], 'master 1');
    const servers = await Promise.all([1, 2].map((i) => startServer(first.address, media, [], `server ${i}`)));
    await Promise.all(servers.map((s) => first.child.waitFor((e) => e.event === 'server-up' && e.data.srv === s.address, 5_000, `${s.address} up`)));

    first.child.kill('SIGKILL');
    expect((await first.child.exited).signal).toBe('SIGKILL');
    const port = first.address.split(':').pop()!;
    const again = ofp('master 2', ['master', '--port', port, '--poll-interval', '200', '--json-stream']);
    expect((await again.waitFor(isListening, 10_000, 'listening')).data.address).toBe(first.address);

    // The new master knows nothing; the servers register again on their own.
    await Promise.all(servers.map((s) => again.waitFor((e) => e.event === 'server-up' && e.data.srv === s.address, 10_000, `${s.address} up again`)));
    for (const s of servers) {
      let registrations = 0;
      await s.child.waitFor((e) => e.event === 'registration-registered' && ++registrations === 2, 5_000, 'a second registration');
      expect(s.child.running).toBe(true);
    }

    const copy = join(dir, 'clip.copy.ts');
    const get = await runOfp(['client', 'get', 'clip.ts', '--master', first.address, '--out', copy, '--timeout', '20'], { timeoutMs: 30_000 });
    expect(get.code, get.stderr).toBe(0);
    expect(readFileSync(copy).equals(readFileSync(join(media, 'clip.ts')))).toBe(true);

    const status = JSON.parse((await runOfp(['master', 'status', '--master', first.address, '--json'])).stdout);
    expect(status.summary).toMatchObject({ servers: 2, up: 2 });
  });
});
