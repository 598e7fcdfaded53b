/**
 * Position-preserving handoff with real processes, as a user runs it: a
 * client fetching an 8 s file at 4 Mbit/s from one of two servers; after about
 * 2 s its server is killed with SIGKILL (one test) or drained with
 * `ofp server drain` (the other). The client finishes, its copy is the
 * original byte for byte, and its summary reports exactly one handoff and its
 * gap. The two run side by side (each takes the file's 8 s).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SERVER_SILENCE_TIMEOUT } from '../../src/protocol/constants.js';
import type { OfpChild } from '../../src/runtime/children.js';
import { cleanupProcesses, type ProcessScope, processScope, runOfp, tempDir } from '../helpers/processes.js';
import type { GetSummary } from '../../src/runtime/get.js';

cleanupProcesses();
const dir = tempDir();
const media = join(dir, 'media');
const SIZE = 4_000_000; // 8 s at 4 Mbit/s
/** ~2 s into the stream at 4 Mbit/s. */
const BYTES_BEFORE_ACTING = 1_000_000;
/** The file takes 8 s to stream; the handoff and a loaded machine get the rest, with room to spare. */
const CLIENT_EXIT_TIMEOUT = 40_000;

beforeAll(async () => {
  const make = await runOfp(['media', 'make', 'movie.ts', '--duration', '8', '--bitrate', '4M', '--out', media]);
  expect(make.code, make.stderr).toBe(0);
});

/** A master and two servers with default timers, and a client streaming the 8 s file, ~2 s in. */
async function streaming(p: ProcessScope, name: string) {
  const master = await p.startMaster([], `${name} master`);
  const servers = await Promise.all([1, 2].map((i) => p.startServer(master.address, media, [], `${name} server ${i}`)));
  const copy = join(dir, `${name}.copy.ts`);
  const client = p.ofp(`${name} client`, ['client', 'get', 'movie.ts', '--master', master.address, '--out', copy, '--json-stream', '--timeout', '40']);
  const setup = await client.waitFor((e) => e.event === 'setup', 15_000, 'setup');
  await client.waitFor((e) => e.event === 'progress' && (e.data.bytes as number) >= BYTES_BEFORE_ACTING, 15_000, '2 s of the stream');
  const serving = servers.find((s) => s.address === setup.data.srv)!;
  const other = servers.find((s) => s !== serving)!;
  expect(serving, `the setup names one of the servers: ${setup.data.srv}`).toBeDefined();
  return { master, serving, other, client, copy };
}

async function summaryOf(client: OfpChild) {
  let timer: NodeJS.Timeout | undefined;
  const exit = await Promise.race([client.exited, new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the client did not finish within ${CLIENT_EXIT_TIMEOUT} ms`)), CLIENT_EXIT_TIMEOUT);
  })]).finally(() => clearTimeout(timer));
  expect(exit.code, client.stderr).toBe(0);
  const summary: unknown = client.events.find((e) => e.event === 'summary')?.data;
  expect(summary).toBeDefined();
  return summary as GetSummary;
}

describe.concurrent('a stream moves to the other server at the same position', () => {
  it('when its server is killed with SIGKILL: the copy is identical, one handoff, gap under a second', async () => {
    const p = processScope();
    try {
      const s = await streaming(p, 'killed');
      s.serving.child.kill('SIGKILL');
      const summary = await summaryOf(s.client);
      expect(summary).toMatchObject({ ok: true, bytes: SIZE, size: SIZE, servers: [s.serving.address, s.other.address] });
      expect(summary.handoffs).toHaveLength(1);
      const h = summary.handoffs[0]!;
      expect(h).toMatchObject({ from: s.serving.address, to: s.other.address, why: 'failure' });
      // About 2 s in (the kill comes once the client has 2 s of the stream): where the stream stood
      // when its server died, before the end of the file.
      expect(h.npt).toBeGreaterThanOrEqual(2_000);
      expect(h.npt).toBeLessThan(8_000);
      // The client notices silence after SERVER_SILENCE_TIMEOUT (500 ms), then asks the master and
      // the other server: three processes to wake on a busy machine, a few ms each when idle; the
      // other 500 ms are their room (the benchmark measures the gap itself).
      expect(h.gap).toBeGreaterThan(0);
      expect(h.gap).toBeLessThan(SERVER_SILENCE_TIMEOUT + 500);
      expect(summary.maxGap).toBe(h.gap);
      // The same handoff, as it happened, in the event stream.
      const event = s.client.events.find((e) => e.event === 'handoff');
      expect(event?.data).toMatchObject({ from: s.serving.address, to: s.other.address, why: 'failure', gap: h.gap });
      // `cmp`: byte for byte the original.
      expect(readFileSync(s.copy).equals(readFileSync(join(media, 'movie.ts')))).toBe(true);
    } finally {
      await p.killAll();
    }
  });

  it('when its server is drained with ofp server drain: the copy is identical, one handoff, a small gap, and the server exits', async () => {
    const p = processScope();
    try {
      const s = await streaming(p, 'drained');
      const drain = await p.run(['server', 'drain', '--master', s.master.address, '--server', s.serving.address], { now: true });
      expect(drain.code, drain.stderr).toBe(0);
      expect(drain.stdout).toMatch(/^ok: .*drains/);
      // The drained server hands the stream off, leaves and exits on its own.
      const gone = await s.serving.child.exited;
      expect(gone.code, s.serving.child.stderr).toBe(0);
      expect(s.serving.child.events.find((e) => e.event === 'drained')?.data).toMatchObject({ left: 0 });
      expect(s.serving.child.events.find((e) => e.event === 'stopped')?.data).toMatchObject({ cause: 'a drain order from the master', leave: 'sent to the master' });
      await s.master.child.waitFor((e) => e.event === 'server-left' && e.data.srv === s.serving.address, 5_000, 'server-left');

      const summary = await summaryOf(s.client);
      expect(summary).toMatchObject({ ok: true, bytes: SIZE, size: SIZE, servers: [s.serving.address, s.other.address] });
      expect(summary.handoffs).toHaveLength(1);
      const h = summary.handoffs[0]!;
      expect(h).toMatchObject({ from: s.serving.address, to: s.other.address, why: 'drain' });
      // Make-before-break: the old server streams until the new one delivers, so the gap is a
      // packet interval or two (2 ms at 4 Mbit/s) when the machine is idle; 250 ms is the room a
      // busy one needs to schedule the three processes involved.
      expect(h.gap).toBeLessThan(250);
      expect(summary.maxGap).toBe(h.gap);
      // The master computed the position from the stream's control events: close to where the
      // client stood (a few ms when idle; 500 ms of room for a busy machine's late timers).
      expect(h.computed).toBeGreaterThanOrEqual(2_000);
      expect(Math.abs(h.diff!)).toBeLessThan(500);
      expect(h.diff).toBe(h.computed! - h.npt);
      expect(readFileSync(s.copy).equals(readFileSync(join(media, 'movie.ts')))).toBe(true);
    } finally {
      await p.killAll();
    }
  });
});
