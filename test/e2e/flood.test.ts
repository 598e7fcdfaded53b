/**
 * Floods, end to end (§9.5, §9.6): real master, server and client processes
 * on loopback, with a cluster key and per-source rate limits on. While the
 * client streams a real file, every role's port is flooded with every kind of
 * `ofp tool flood` at once, each kind from its own socket, at a bounded rate
 * for a few seconds. The stream completes identical; master and server stay
 * up (the master answers its status, the server still streams and is still
 * registered); their memory stays bounded; the rate limits kick in, reported
 * once per interval per source; no flood drew more bytes than it sent.
 * Then the command itself: loopback only, bounded, a summary.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type FloodResult, runFlood } from '../../src/runtime/flood/flood.js';
import { FLOOD_KINDS } from '../../src/runtime/flood/catalog.js';
import { parseFloodTarget } from '../../src/runtime/flood/target.js';
import type { OfpChild } from '../../src/runtime/children.js';
import { cleanupProcesses, isListening, ofp, runOfp, startMaster, startServer, tempDir } from '../helpers/processes.js';

cleanupProcesses();
const dir = tempDir();
const KEY = 'e2e-flood-cluster-key';
/** Per source: far above what a client or an operator sends, far below the flood. */
const LIMIT = { rate: 100, burst: 100 };
/** Each kind, at each role, from its own socket. */
const FLOOD_RATE = 400;
const FLOOD_MS = 3_000;
/** Growth of a role's resident memory over the floods that counts as unbounded. */
const RSS_GROWTH_LIMIT = 96 * 1024 * 1024;

function rss(pid: number | undefined): number {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) * 1024;
}

const limited = (c: OfpChild) => c.events.filter((e) => e.event === 'rate-limited');

describe('flooding every role while a client streams', () => {
  it('the stream completes identical, the roles stay up and bounded, the limits kick in, nothing amplifies', async () => {
    const media = join(dir, 'media');
    expect((await runOfp(['media', 'make', 'movie.ts', '--duration', '5', '--bitrate', '2M', '--out', media])).code).toBe(0);
    const limit = `${LIMIT.rate}/s:${LIMIT.burst}`;
    const master = await startMaster(['--key', KEY, '--rate-limit', limit, '--poll-interval', '300']);
    const server = await startServer(master.address, media, ['--key', KEY, '--rate-limit', limit]);
    const copy = join(dir, 'movie.copy.ts');
    const client = ofp('client', ['client', 'get', 'movie.ts', '--master', master.address, '--out', copy, '--json-stream', '--timeout', '60']);
    const clientAddress = (await client.waitFor(isListening, 15_000, 'listening')).data.address as string;
    await client.waitFor((e) => e.event === 'playing', 15_000, 'playing');
    const before = { master: rss(master.child.pid), server: rss(server.child.pid) };

    const targets = { master: master.address, server: server.address, client: clientAddress };
    const floods: Promise<FloodResult & { role: string }>[] = [];
    let seed = 1;
    for (const [role, address] of Object.entries(targets)) {
      for (const kind of FLOOD_KINDS) {
        const s = seed++;
        floods.push(runFlood({ target: parseFloodTarget(address), kind, rate: FLOOD_RATE, duration: FLOOD_MS, file: 'movie.ts', seed: s }).then((r) => ({ ...r, role })));
      }
    }
    const results = await Promise.all(floods);
    const after = { master: rss(master.child.pid), server: rss(server.child.pid) };

    // The stream: complete, identical.
    const end = await client.exited;
    expect(end.code, client.stderr).toBe(0);
    expect(readFileSync(copy).equals(readFileSync(join(media, 'movie.ts')))).toBe(true);

    // Every flood ran, and none drew more bytes than it sent.
    const table = results.map((r) => `${r.role.padEnd(6)} ${r.kind.padEnd(12)} sent ${String(r.sent).padStart(5)} (${r.sentBytes} B)  answers ${String(r.answers).padStart(4)} (${r.answerBytes} B)  amplification ${r.amplification.toFixed(4)}`);
    console.log(['Floods (each kind from its own socket, at each role):', ...table].join('\n'));
    for (const r of results) {
      // Paced by a timer, 21 floods in one process fall behind on a busy machine: half is enough to flood.
      expect(r.sent, `${r.role} ${r.kind}`).toBeGreaterThan((FLOOD_RATE * FLOOD_MS) / 1000 / 2);
      expect(r.answerBytes, `${r.role} ${r.kind}`).toBeLessThanOrEqual(r.sentBytes);
    }

    // An operator's order without the key (a guessed one): not obeyed, not answered.
    const drain = await runOfp(['server', 'drain', '--master', master.address, '--server', server.address, '--key', 'a guess at the key', '--attempts', '1', '--wait', '300']);
    expect(drain.code, drain.stderr).toBe(1);

    // The roles: still up, the master answers its status with the server still up and registered.
    for (const c of [master.child, server.child]) expect(c.running, `${c.name}: ${c.stderr}`).toBe(true);
    const status = await runOfp(['master', 'status', '--master', master.address, '--key', KEY, '--json']);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).summary).toMatchObject({ servers: 1, up: 1 });
    // Forged load reports said `draining`: the server is not, and was never told to be.
    expect(server.child.events.some((e) => e.event === 'draining')).toBe(false);
    expect(JSON.parse(status.stdout).servers[0]).toMatchObject({ name: server.address, state: 'up' });

    // Memory: bounded growth over the floods.
    for (const role of ['master', 'server'] as const) {
      const growth = after[role] - before[role];
      console.log(`${role}: resident memory ${(before[role] / 1048576).toFixed(1)} MiB before the floods, ${(after[role] / 1048576).toFixed(1)} MiB after`);
      expect(growth, `${role} grew by ${growth} bytes`).toBeLessThan(RSS_GROWTH_LIMIT);
    }

    // The limits kicked in, for the flooding sources only, once per interval per source at most.
    for (const role of [master, server]) {
      const reports = limited(role.child);
      expect(reports.length, `${role.child.name} reported rate-limited sources`).toBeGreaterThanOrEqual(FLOOD_KINDS.length - 1);
      expect(reports.every((e) => e.data.from !== clientAddress), 'the streaming client is never limited').toBe(true);
      const perSource = new Map<string, number>();
      for (const e of reports) perSource.set(e.data.from as string, (perSource.get(e.data.from as string) ?? 0) + 1);
      for (const [from, n] of perSource) expect(n, `${role.child.name} reports of ${from}`).toBeLessThanOrEqual(Math.ceil(FLOOD_MS / 1000) + 1);
      expect(reports.reduce((n, e) => n + (e.data.dropped as number), 0)).toBeGreaterThan(0);
    }
  }, 120_000);
});

describe('ofp tool flood', () => {
  it('refuses a target off loopback, a rate or a duration beyond its bounds (exit 2)', async () => {
    const refused = [['--target', '192.0.2.1:7700'], ['--target', '[2001:db8::1]:7700'], ['--target', '127.0.0.1:7700', '--rate', '1000000'], ['--target', '127.0.0.1:7700', '--duration', '1h'], ['--target', '127.0.0.1:7700', '--kind', 'nuclear']];
    const runs = await Promise.all(refused.map((args) => runOfp(['tool', 'flood', ...args])));
    runs.forEach((r, i) => {
      expect(r.code, `${refused[i]!.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/^error [a-z-]+: /);
    });
    expect(runs[0]!.stderr).toMatch(/loopback/);
  });

  it('floods a master for a bounded time and prints what it sent and what came back', async () => {
    const master = await startMaster(['--rate-limit', '50/s:50']);
    const r = await runOfp(['tool', 'flood', '--target', master.address, '--kind', 'request', '--rate', '500', '--duration', '1', '--seed', '3', '--json'], { timeoutMs: 15_000 });
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as FloodResult;
    expect(summary).toMatchObject({ target: master.address, kind: 'request', rate: 500 });
    // 500 in the second at most; at least half of them on a busy machine (the pacer runs on a timer).
    expect(summary.sent).toBeGreaterThan(250);
    expect(summary.sent).toBeLessThanOrEqual(500);
    // 50 at once and 50 a second after: about 100 answered, the rest dropped. No server has registered:
    // `unavailable` while the master is young enough to be still learning (§4.2), `not-found` after.
    expect(summary.answers).toBeGreaterThanOrEqual(50);
    expect(summary.answers).toBeLessThanOrEqual(50 + 50 * 2);
    const types = summary.answerTypes;
    expect(Object.keys(types).every((k) => k === 'error unavailable' || k === 'error not-found'), JSON.stringify(types)).toBe(true);
    expect(Object.values(types).reduce((a, b) => a + b, 0)).toBe(summary.answers);
    expect(summary.amplification).toBeLessThan(0.1);
    await master.child.waitFor((e) => e.event === 'rate-limited', 5_000, 'rate-limited');
  });
});
