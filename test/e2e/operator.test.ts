/**
 * The operator's handoffs with real processes: `ofp master handoff` moves a
 * running stream where it is told; SIGTERM drains a server; `ofp server
 * overload` makes the master migrate a stream; an item of two flows survives
 * a killed server; a rate schedule speeds a stream up, across a handoff. And
 * the master's refusals exit 1 with its error code. Every copy is compared
 * with its original. The tests run side by side, each with its own cluster.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OfpChild } from '../../src/runtime/children.js';
import { cleanupProcesses, type ProcessScope, processScope, runOfp, tempDir } from '../helpers/processes.js';
import { within } from '../helpers/wait.js';
import type { GetSummary } from '../../src/runtime/get.js';

cleanupProcesses();
const dir = tempDir();
const media = join(dir, 'media');

beforeAll(async () => {
  const makes = await Promise.all([
    runOfp(['media', 'make', 'six.ts', '--duration', '6', '--bitrate', '4M', '--out', media]),
    runOfp(['media', 'make', 'four.ts', '--duration', '4', '--bitrate', '4M', '--out', media]),
    runOfp(['media', 'make', 'eight.ts', '--duration', '8', '--bitrate', '4M', '--out', media]),
    runOfp(['media', 'make', 'long.ts', '--duration', '20', '--bitrate', '1M', '--out', media]),
    runOfp(['media', 'make', 'show', '--duration', '6', '--flows', 'video:4M,audio:256k', '--out', media]),
  ]);
  for (const m of makes) expect(m.code, m.stderr).toBe(0);
});

const original = (name: string) => readFileSync(join(media, name));

async function cluster(p: ProcessScope, name: string, servers: number) {
  const master = await p.startMaster(['--poll-interval', '300'], `${name} master`);
  const list = await Promise.all(Array.from({ length: servers }, (_, i) => p.startServer(master.address, media, [], `${name} server ${i + 1}`)));
  return { master, servers: list };
}

function get(p: ProcessScope, name: string, file: string, master: string, out: string, extra: readonly string[] = []): OfpChild {
  return p.ofp(`${name} client`, ['client', 'get', file, '--master', master, '--out', out, '--json-stream', '--timeout', '40', ...extra]);
}

async function summaryOf(client: OfpChild): Promise<GetSummary> {
  const exit = await within(client.exited, 45_000, `${client.name} to finish`);
  expect(exit.code, client.stderr).toBe(0);
  const summary: unknown = client.events.find((e) => e.event === 'summary')?.data;
  expect(summary).toBeDefined();
  return summary as GetSummary;
}

const playedAtLeast = (bytes: number) => (e: { event: string; data: Record<string, unknown> }) => e.event === 'progress' && (e.data.bytes as number) >= bytes;

describe.concurrent('operators move streams, and every copy comes out identical', () => {
  it('ofp master handoff --stream ID --to S moves a running stream to S; SIGTERM then drains S', async () => {
    const p = processScope();
    try {
      const c = await cluster(p, 'handoff', 3);
      const copy = join(dir, 'handoff.copy.ts');
      // Twenty seconds at 1 Mbit/s: the order is a process of its own, which on a machine busy
      // with other tests' processes can take seconds to start; the stream still plays when it acts.
      const client = get(p, 'handoff', 'long.ts', c.master.address, copy);
      const setup = await client.waitFor((e) => e.event === 'setup', 15_000, 'setup');
      await client.waitFor(playedAtLeast(125_000), 10_000, 'a second of the stream');
      const first = setup.data.srv as string;
      const [to, third] = c.servers.filter((s) => s.address !== first);
      const moved = await p.run(['master', 'handoff', '--master', c.master.address, '--stream', String(setup.data.sid), '--to', to!.address, '--json'], { now: true });
      expect(moved.code, moved.stderr).toBe(0);
      expect(JSON.parse(moved.stdout)).toMatchObject({ ok: true, op: 'handoff', sid: setup.data.sid, srv: to!.address });
      await client.waitFor((e) => e.event === 'handoff' && e.data.to === to!.address, 10_000, 'the handoff');

      // A server stopped with SIGTERM drains: the stream moves on to the third server, and the server exits.
      to!.child.kill('SIGTERM');
      const exit = await within(to!.child.exited, 20_000, 'the drained server to exit');
      expect(exit.code, to!.child.stderr).toBe(0);
      expect(to!.child.events.find((e) => e.event === 'signal')?.data).toMatchObject({ signal: 'SIGTERM', action: 'drain' });
      expect(to!.child.events.find((e) => e.event === 'stopped')?.data).toMatchObject({ cause: 'SIGTERM' });

      const summary = await summaryOf(client);
      expect(summary.handoffs).toHaveLength(2);
      expect(summary.handoffs[0]).toMatchObject({ from: first, to: to!.address, why: 'operator' });
      // The master chooses where a drained stream goes: any other server that holds the file.
      const last = summary.handoffs[1]!.to;
      expect([first, third!.address]).toContain(last);
      expect(summary.handoffs[1]).toMatchObject({ from: to!.address, why: 'drain' });
      expect(summary.servers).toEqual([first, to!.address, last]);
      for (const h of summary.handoffs) expect(h.gap, JSON.stringify(h)).toBeLessThan(250);
      expect(readFileSync(copy).equals(original('long.ts'))).toBe(true);
      // The master says which stream it moved, and why.
      expect(c.master.child.events.some((e) => e.event === 'handoff' && e.data.sid === setup.data.sid && e.data.why === 'operator')).toBe(true);
    } finally {
      await p.killAll();
    }
  });

  it('ofp server overload lowers a server\'s capacity below what it streams: the master migrates the stream', async () => {
    const p = processScope();
    try {
      const c = await cluster(p, 'overload', 2);
      const copy = join(dir, 'overload.copy.ts');
      // Twenty seconds at 1 Mbit/s, for the same reason as above.
      const client = get(p, 'overload', 'long.ts', c.master.address, copy);
      const setup = await client.waitFor((e) => e.event === 'setup', 15_000, 'setup');
      await client.waitFor(playedAtLeast(125_000), 10_000, 'a second of the stream');
      const busy = setup.data.srv as string;
      const other = c.servers.find((s) => s.address !== busy)!;
      const order = await p.run(['server', 'overload', '--master', c.master.address, '--server', busy, '--capacity', '500k'], { now: true });
      expect(order.code, order.stderr).toBe(0);
      expect(order.stdout).toMatch(/^ok: .*capacity set to 500000 bit\/s/);
      const migrate = await c.master.child.waitFor((e) => e.event === 'migrate', 10_000, 'a migration');
      expect(migrate.data).toMatchObject({ sid: setup.data.sid, srv: busy, why: 'overload' });

      const summary = await summaryOf(client);
      expect(summary.handoffs).toHaveLength(1);
      expect(summary.handoffs[0]).toMatchObject({ from: busy, to: other.address, why: 'overload' });
      expect(readFileSync(copy).equals(original('long.ts'))).toBe(true);
    } finally {
      await p.killAll();
    }
  });

  it('an item of two flows is written as two files, each identical, across a killed server', async () => {
    const p = processScope();
    try {
      const c = await cluster(p, 'flows', 2);
      const out = join(dir, 'show.copy');
      const client = get(p, 'flows', 'show', c.master.address, out);
      const setup = await client.waitFor((e) => e.event === 'setup', 15_000, 'setup');
      expect(setup.data.flows).toHaveLength(2);
      await client.waitFor(playedAtLeast(700_000), 10_000, 'a second of the stream');
      c.servers.find((s) => s.address === setup.data.srv)!.child.kill('SIGKILL');

      const summary = await summaryOf(client);
      expect(summary.handoffs).toHaveLength(1);
      expect(summary.handoffs[0]).toMatchObject({ from: setup.data.srv, why: 'failure' });
      expect(summary.flows).toEqual([
        { name: 'show.video', path: join(out, 'show.video'), size: 3_000_000, bytes: 3_000_000 },
        { name: 'show.audio', path: join(out, 'show.audio'), size: 192_000, bytes: 192_000 },
      ]);
      expect(readFileSync(join(out, 'show.video')).equals(original('show.video'))).toBe(true);
      expect(readFileSync(join(out, 'show.audio')).equals(original('show.audio'))).toBe(true);
      // The server the stream moved to knows the whole item arrived: the client's last acks cover every flow (§5.2).
      const other = c.servers.find((s) => s.address !== setup.data.srv)!;
      const end = await other.child.waitFor((e) => e.event === 'stream-end' && e.data.sid === setup.data.sid, 10_000, 'the stream to end at the new server');
      expect(end.data).toMatchObject({ reason: 'teardown', complete: true });

      // Again, into the same directory: the flow files are not replaced without --force; stdout takes one flow only.
      const again = await p.run(['client', 'get', 'show', '--master', c.master.address, '--out', out]);
      expect(again.code).toBe(2);
      expect(again.stderr).toMatch(/^error file-exists: .*show\.video.*--force.*$/m);
      const piped = await p.run(['client', 'get', 'show', '--master', c.master.address, '--out', '-']);
      expect(piped.code).toBe(2);
      expect(piped.stderr).toMatch(/^error usage: show has 2 flows .*give --out a directory\n$/m);
      expect(piped.stdout).toBe('');
    } finally {
      await p.killAll();
    }
  });

  it('--rate-schedule changes the rate: 2x streams a 4 s file in about 2 s, and keeps 2x across a handoff', async () => {
    const p = processScope();
    try {
      const c = await cluster(p, 'rate', 2);
      const fast = await summaryOf(get(p, 'rate', 'four.ts', c.master.address, join(dir, 'four.copy.ts'), ['--rate-schedule', '0s:2x']));
      expect(fast).toMatchObject({ ok: true, bytes: 2_000_000, rateSchedule: '0s:2x' });
      // 2 s at 2x: never much less (the pacing allows a burst at the start), and short of the 4 s it
      // takes at 1x, which is what this tells apart (1.5 s of room for a busy machine).
      expect(fast.seconds).toBeGreaterThan(1.5);
      expect(fast.seconds).toBeLessThan(3.5);
      expect(readFileSync(join(dir, 'four.copy.ts')).equals(original('four.ts'))).toBe(true);

      // 8 s of media at 2x, its server killed 1 s in: the new server goes on at 2x.
      const copy = join(dir, 'eight.copy.ts');
      const client = get(p, 'rate', 'eight.ts', c.master.address, copy, ['--rate-schedule', '0s:2x']);
      const setup = await client.waitFor((e) => e.event === 'setup', 15_000, 'setup');
      await client.waitFor((e) => e.event === 'adjusted' && e.data.scale === 2000, 10_000, 'the adjustment to 2x');
      await client.waitFor(playedAtLeast(1_000_000), 10_000, 'a second of the stream');
      c.servers.find((s) => s.address === setup.data.srv)!.child.kill('SIGKILL');
      const summary = await summaryOf(client);
      expect(summary.handoffs).toHaveLength(1);
      // The new server was asked for the rest at 2x, and streamed it so.
      const next = c.servers.find((s) => s.address === summary.handoffs[0]!.to)!;
      const resumed = next.child.events.find((e) => e.event === 'stream-setup' && e.data.file === 'eight.ts');
      expect(resumed?.data).toMatchObject({ scale: 2000, rate: 4_000_000 });
      expect(resumed?.data.off).toBeGreaterThanOrEqual(1_000_000);
      expect(readFileSync(copy).equals(original('eight.ts'))).toBe(true);
    } finally {
      await p.killAll();
    }
  });

  it('a server with nowhere to hand its stream to keeps it while it drains; a second SIGTERM stops it at once', async () => {
    const p = processScope();
    try {
      const c = await cluster(p, 'alone', 1);
      const server = c.servers[0]!;
      const copy = join(dir, 'alone.copy.ts');
      const client = get(p, 'alone', 'six.ts', c.master.address, copy);
      await client.waitFor(playedAtLeast(500_000), 15_000, 'a second of the stream');
      server.child.kill('SIGTERM');
      await server.child.waitFor((e) => e.event === 'signal' && e.data.action === 'drain', 5_000, 'the drain');
      // No other server holds the file: the master says so, and the stream stays where it is.
      await c.master.child.waitFor((e) => e.event === 'handoff-failed', 5_000, 'the failed handoff');
      expect(server.child.running).toBe(true);
      server.child.kill('SIGTERM');
      expect((await within(server.child.exited, 3_000, 'the server to stop')).code).toBe(0);
      expect(server.child.events.find((e) => e.event === 'signal' && e.data.action === 'stop')).toBeDefined();
      // The client cannot go on: it says why, and keeps what it has, in order.
      const exit = await within(client.exited, 15_000, 'the client to give up');
      expect(exit.code).toBe(1);
      const summary = client.events.find((e) => e.event === 'summary')!.data;
      expect(summary.ok).toBe(false);
      const kept = readFileSync(copy);
      expect(kept.length).toBe(summary.bytes);
      expect(kept.length).toBeGreaterThan(0);
      expect(kept.equals(original('six.ts').subarray(0, kept.length))).toBe(true);
    } finally {
      await p.killAll();
    }
  });

  it('the master\'s refusals exit 1 with its error code; a master that does not answer exits 1', async () => {
    const p = processScope();
    try {
      const c = await cluster(p, 'refusals', 1);
      const unknownServer = await p.run(['server', 'drain', '--master', c.master.address, '--server', '127.0.0.1:9']);
      expect(unknownServer.code).toBe(1);
      expect(unknownServer.stderr).toMatch(/^error unknown-server: master \S+ refused: .*127\.0\.0\.1:9.*\n$/);
      const unknownStream = await p.run(['master', 'handoff', '--master', c.master.address, '--stream', '12345']);
      expect(unknownStream.code).toBe(1);
      expect(unknownStream.stderr).toMatch(/^error unknown-stream: .*12345.*\n$/);
      const json = await p.run(['server', 'overload', '--master', c.master.address, '--server', '127.0.0.1:9', '--capacity', '1M', '--json']);
      expect(json.code).toBe(1);
      expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, code: 'unknown-server', op: 'capacity', cap: 1_000_000 });
      // No master there: no answer.
      const nobody = await p.run(['server', 'drain', '--master', '127.0.0.1:9', '--server', c.servers[0]!.address, '--attempts', '1', '--wait', '200']);
      expect(nobody.code).toBe(1);
      expect(nobody.stderr).toMatch(/^error no-answer: master 127\.0\.0\.1:9 did not answer a drain order after 1 tries: .*\n$/);
      // The server was never touched.
      expect(c.servers[0]!.child.running).toBe(true);
    } finally {
      await p.killAll();
    }
  });
});
