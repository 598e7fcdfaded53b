/**
 * Handoffs through the real runtime in one process: a server drained by its
 * runtime or by an operator's `control` hands its stream off and stops; a
 * media item of several flows is fetched flow by flow.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RoleEvent } from '../../src/roles/role.js';
import { sendControl } from '../../src/runtime/controlQuery.js';
import { type FetchFlow, startFetch } from '../../src/runtime/fetch.js';
import { startMaster } from '../../src/runtime/master.js';
import { scanMediaDir } from '../../src/runtime/mediaDir.js';
import { resolveEndpoint } from '../../src/runtime/resolve.js';
import { type RunningServer, startServer } from '../../src/runtime/server.js';
import { NoAnswerError } from '../../src/errors.js';
import { makeSyntheticFile, makeSyntheticItem } from '../../src/runtime/syntheticFile.js';
import { waitUntil, within } from '../helpers/wait.js';

const KEY = 'handoff-test-key';
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ofp-handoff-'));
  makeSyntheticFile({ name: 'B.ts', durationMs: 3000, rate: 4_000_000, dir });
  makeSyntheticItem({ name: 'show', flows: [{ flow: 'video', rate: 4_000_000 }, { flow: 'audio', rate: 400_000 }], durationMs: 1500, dir });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.map((s) => s()));
  stops = [];
});

async function cluster(key?: string) {
  const log: { who: string; e: RoleEvent }[] = [];
  const master = await startMaster(
    { host: '127.0.0.1', port: 0, policy: 'greatest-available-bandwidth', mode: 'redirect', pollInterval: 200, ...(key ? { key } : {}) },
    (e) => log.push({ who: 'master', e }),
  );
  stops.push(() => master.close());
  const servers: RunningServer[] = [];
  for (let i = 0; i < 2; i++) {
    const s = await startServer(
      { host: '127.0.0.1', port: 0, masters: [master.address], media: scanMediaDir(dir, 1_000_000), group: 'g', cap: 1_000_000_000, ...(key ? { key } : {}) },
      (e) => log.push({ who: `server${i}`, e }),
    );
    stops.push(() => s.stop());
    servers.push(s);
  }
  await waitUntil(() => log.filter((l) => l.e.type === 'server-up').length === 2, 5_000, 'both servers up at the master');
  return { master, servers, log };
}

/** Fetch `file`, keeping each flow's bytes. */
async function fetching(master: string, file: string) {
  const flows: FetchFlow[][] = [];
  const chunks: Buffer[][] = [];
  let firstBytesBeforeFlows = false;
  const events: RoleEvent[] = [];
  const fetch = await startFetch({ masters: [master], file, choose: { by: 'random' }, host: '127.0.0.1' }, {
    onFlows: (f) => {
      flows.push([...f]);
      f.forEach((_, i) => (chunks[i] ??= []));
    },
    onBytes: (fl, _off, data) => {
      if (flows.length === 0) firstBytesBeforeFlows = true;
      chunks[fl]!.push(Buffer.from(data));
    },
    onEvent: (e) => events.push(e),
  });
  const got = () => chunks.flat().reduce((n, b) => n + b.length, 0);
  return { fetch, flows, chunks, events, got, before: () => firstBytesBeforeFlows };
}

describe('handoffs on real UDP, in one process', () => {
  it('a server drained by its runtime hands its stream off at the same position, then stops', async () => {
    const c = await cluster();
    const f = await fetching(c.master.address, 'B.ts');
    await waitUntil(() => f.got() > 300_000, 5_000, 'the first 300 kB');
    const serving = c.servers.find((s) => s.running.role.streamCount() > 0)!;
    const other = c.servers.find((s) => s !== serving)!;
    serving.drain();
    expect(await within(serving.stopped, 5_000, 'the drained server to stop')).toBe('registered');
    const result = await within(f.fetch.done, 10_000, 'the copy');
    expect(result.ok).toBe(true);
    expect(Buffer.concat(f.chunks[0]!).equals(readFileSync(join(dir, 'B.ts')))).toBe(true);
    expect(result.handoffs).toHaveLength(1);
    expect(result.handoffs[0]).toMatchObject({ from: serving.running.address, to: other.running.address, why: 'drain' });
    expect(c.log.some((l) => l.e.type === 'drained' && l.e.left === 0)).toBe(true);
  });

  it('an operator\'s control, authenticated with the cluster key, drains a server; the master refuses an unknown one; a wrong key gets no answer', async () => {
    const c = await cluster(KEY);
    const master = await resolveEndpoint(c.master.address, '--master');
    const f = await fetching(c.master.address, 'B.ts');
    await waitUntil(() => f.got() > 300_000, 5_000, 'the first 300 kB');
    const serving = c.servers.find((s) => s.running.role.streamCount() > 0)!;

    await expect(sendControl({ master, key: 'not-the-key', attempts: 1, timeoutMs: 200 }, { op: 'drain', srv: serving.running.address })).rejects.toBeInstanceOf(NoAnswerError);
    await expect(sendControl({ master, attempts: 1, timeoutMs: 200 }, { op: 'drain', srv: serving.running.address })).rejects.toBeInstanceOf(NoAnswerError);
    expect(serving.running.role.drainingSince).toBeUndefined();

    expect(await sendControl({ master, key: KEY }, { op: 'drain', srv: '127.0.0.1:9' })).toMatchObject({ ok: false, code: 'unknown-server' });
    const answer = await sendControl({ master, key: KEY }, { op: 'drain', srv: serving.running.address });
    expect(answer).toMatchObject({ ok: true });
    expect(answer.msg).toMatch(/drains/);
    expect(await within(serving.stopped, 5_000, 'the drained server to stop')).toBe('registered');
    const result = await within(f.fetch.done, 10_000, 'the copy');
    expect(result.ok).toBe(true);
    expect(result.handoffs.map((h) => h.why)).toEqual(['drain']);
    expect(Buffer.concat(f.chunks[0]!).equals(readFileSync(join(dir, 'B.ts')))).toBe(true);
  });

  it('an item of several flows: its flows are told once, before any byte, and each flow comes out identical', async () => {
    const c = await cluster();
    const f = await fetching(c.master.address, 'show');
    const result = await within(f.fetch.done, 10_000, 'the copy');
    expect(result.ok).toBe(true);
    expect(f.before()).toBe(false);
    expect(f.flows).toEqual([[{ name: 'show.video', size: 750_000, rate: 4_000_000 }, { name: 'show.audio', size: 75_000, rate: 400_000 }]]);
    expect(Buffer.concat(f.chunks[0]!).equals(readFileSync(join(dir, 'show.video')))).toBe(true);
    expect(Buffer.concat(f.chunks[1]!).equals(readFileSync(join(dir, 'show.audio')))).toBe(true);
    expect(result.size).toBe(825_000);
  });
});
