/**
 * The real runtime in one process: a master, two media servers and a client,
 * each core on its own UDP socket on loopback, streaming a file from disk.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RoleEvent } from '../../src/roles/role.js';
import type { RunningRole } from '../../src/runtime/driver.js';
import { startFetch } from '../../src/runtime/fetch.js';
import { startMaster } from '../../src/runtime/master.js';
import { scanMediaDir } from '../../src/runtime/mediaDir.js';
import { type RunningServer, startServer } from '../../src/runtime/server.js';
import { makeSyntheticFile } from '../../src/runtime/syntheticFile.js';
import type { Master } from '../../src/roles/master/master.js';
import { waitUntil, within } from '../helpers/wait.js';

let dir: string;
let original: Buffer;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ofp-cluster-'));
  const made = makeSyntheticFile({ name: 'A.ts', durationMs: 500, rate: 8_000_000, dir });
  original = readFileSync(made.path);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.map((s) => s()));
  stops = [];
});

async function cluster(loopback: string, key?: string) {
  const log: { who: string; e: RoleEvent }[] = [];
  const master: RunningRole<Master> = await startMaster(
    { host: loopback, port: 0, policy: 'greatest-available-bandwidth', mode: 'redirect', pollInterval: 200, ...(key ? { key } : {}) },
    (e) => log.push({ who: 'master', e }),
  );
  stops.push(() => master.close());
  const servers: RunningServer[] = [];
  for (let i = 0; i < 2; i++) {
    const s = await startServer(
      { host: loopback, port: 0, masters: [master.address], media: scanMediaDir(dir, 4_000_000), group: `g${i}`, cap: 1_000_000_000, ...(key ? { key } : {}) },
      (e) => log.push({ who: `server${i}`, e }),
    );
    stops.push(() => s.stop());
    servers.push(s);
  }
  await waitUntil(() => log.filter((l) => l.e.type === 'server-up').length === 2, 5_000, 'both servers up at the master');
  return { master, servers, log };
}

async function fetchCopy(master: string, host: string, mode: 'redirect' | 'relay' | 'list') {
  const chunks: Buffer[] = [];
  let expected = 0;
  let misordered = 0;
  const events: RoleEvent[] = [];
  const fetch = await startFetch(
    { masters: [master], file: 'A.ts', mode, choose: { by: 'fewest-users' }, host },
    {
      onFlows: () => {},
      onBytes: (_fl, off, data) => {
        if (off !== expected) misordered++;
        expected = off + data.length;
        chunks.push(Buffer.from(data));
      },
      onEvent: (e) => events.push(e),
    },
  );
  const result = await within(fetch.done, 15_000, `the ${mode} copy`);
  return { result, copy: Buffer.concat(chunks), misordered, events, fetch };
}

describe('real UDP on loopback, in one process', () => {
  for (const mode of ['redirect', 'relay', 'list'] as const) {
    for (const key of [undefined, 'cluster-secret']) {
      it(`streams a byte-identical copy in ${mode} mode${key ? ' with a cluster key' : ''}`, async () => {
        const c = await cluster('127.0.0.1', key);
        const { result, copy, misordered, events } = await fetchCopy(c.master.address, '127.0.0.1', mode);
        expect(result.ok, JSON.stringify(result)).toBe(true);
        expect(misordered).toBe(0);
        expect(copy.equals(original)).toBe(true);
        expect(events[0]?.type).toBe('listening');
        expect(result.servers).toHaveLength(1);
        expect(c.servers.map((s) => s.running.address)).toContain(result.servers[0]);
        // The master answered in the mode asked for.
        const answer = { redirect: 'redirect', relay: 'relay', list: 'list' }[mode];
        expect(c.log.some((l) => l.who === 'master' && l.e.type === answer)).toBe(true);
        expect(c.master.stats.sendErrors + c.master.stats.internalErrors).toBe(0);
      });
    }
  }

  it('runs on IPv6 loopback, with addresses written [::1]:port', async () => {
    const c = await cluster('::1');
    expect(c.master.address).toMatch(/^\[::1\]:\d+$/);
    const { result, copy } = await fetchCopy(c.master.address, '::1', 'redirect');
    expect(result.ok).toBe(true);
    expect(copy.equals(original)).toBe(true);
  });

  for (const mode of ['redirect', 'relay', 'list'] as const) {
    it(`carries on from the same byte on the other server when its server stops mid-stream (${mode})`, async () => {
      const c = await cluster('127.0.0.1');
      const chunks: Buffer[] = [];
      const events: RoleEvent[] = [];
      const fetch = await startFetch(
        { masters: [c.master.address], file: 'A.ts', mode, choose: { by: 'random' }, host: '127.0.0.1' },
        { onFlows: () => {}, onBytes: (_fl, _off, data) => chunks.push(Buffer.from(data)), onEvent: (e) => events.push(e) },
      );
      await waitUntil(() => chunks.reduce((n, b) => n + b.length, 0) > 100_000, 5_000, 'the first 100 kB');
      const victim = c.servers.find((s) => s.running.role.streamCount() > 0)!;
      await victim.stop();
      const result = await within(fetch.done, 15_000, 'the copy');
      expect(result.ok).toBe(true);
      expect(Buffer.concat(chunks).equals(original)).toBe(true);
      expect(result.servers).toEqual([victim.running.address, c.servers.find((s) => s !== victim)!.running.address]);
      const failed = events.find((e) => e.type === 'server-failed')!;
      expect(failed.reason).toMatch(/shutting-down/);
      // The second server's stream starts exactly where the first one stopped.
      const setups = events.filter((e) => e.type === 'setup');
      expect(setups[1]!.off).toBe(failed.off);
    });
  }

  it('tells the master when a server stops, after flushing its leave', async () => {
    const c = await cluster('127.0.0.1');
    const name = c.servers[0]!.running.address;
    await c.servers[0]!.stop();
    await waitUntil(() => c.log.some((l) => l.who === 'master' && l.e.type === 'server-left' && l.e.srv === name), 3_000, 'server-left');
    expect(c.servers[0]!.running.role.state).toBe('stopped');
  });
});
