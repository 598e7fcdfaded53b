/** `ofp demo` passes, and leaves no process and no temporary directory behind. */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cleanupProcesses, runOfp } from '../helpers/processes.js';

cleanupProcesses();

/** Processes whose environment carries `mark`: the demo's children inherit it. */
function processesMarked(mark: string): number[] {
  const found: number[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'latin1').includes(mark)) found.push(Number(pid));
    } catch {
      // Gone, or not ours.
    }
  }
  return found;
}

describe('ofp demo', () => {
  it('runs a cluster, survives a killed and a drained server, verifies every copy and cleans up', async () => {
    const mark = `OFP_TEST_MARK=${process.pid}-${Date.now()}`;
    const [k, v] = mark.split('=') as [string, string];
    const run = await runOfp(['demo', '--json', '--keep'], { timeoutMs: 60_000, env: { [k]: v } });
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout);
    try {
      expect(doc.ok).toBe(true);
      expect(doc.clients).toHaveLength(6);
      for (const c of doc.clients) expect(c, JSON.stringify(c)).toMatchObject({ identical: true, exit: 0, verdict: 'identical' });
      expect(doc.killed).not.toBeNull();
      expect(doc.drained).not.toBeNull();
      expect(doc.drained.server).not.toBe(doc.killed.server);
      // Clients moved to another server when theirs was killed, and when theirs was drained, with the gaps reported.
      type Report = { handoffs: { from: string; to: string; why: string; gap: number }[]; servers: string[] };
      const moves = doc.clients.flatMap((c: Report) => c.handoffs.map((h) => ({ ...h, servers: c.servers })));
      const failure = moves.filter((h: { why: string }) => h.why === 'failure');
      const drain = moves.filter((h: { why: string }) => h.why === 'drain');
      expect(failure.length, JSON.stringify(moves)).toBeGreaterThan(0);
      expect(drain.length, JSON.stringify(moves)).toBeGreaterThan(0);
      for (const h of failure) expect(h.from).toBe(`server ${doc.killed.server}`);
      for (const h of drain) expect(h.from).toBe(`server ${doc.drained.server}`);
      for (const h of moves) {
        // A failure's gap is the client's 500 ms silence timeout and a few round trips, a drain's a
        // packet interval: 500 ms of room for a busy machine (the benchmark measures the gaps).
        expect(h.gap).toBeLessThan(1_000);
        expect(h.servers).toContain(h.to);
      }
      expect(new Set(doc.clients.map((c: { mode: string }) => c.mode))).toEqual(new Set(['redirect', 'relay', 'list']));
      expect(run.stderr).toMatch(/killing server \d/);
      expect(run.stderr).toMatch(/draining server \d .*as ofp server drain --master \S+ --server \S+ does/);
      expect(processesMarked(mark)).toEqual([]);
      expect(existsSync(doc.dir)).toBe(true);
    } finally {
      if (doc.dir) rmSync(doc.dir, { recursive: true, force: true });
    }
  });

  it('--distribute: a job brings a file no server holds to all three, through the cascade; every client streams it, identical', async () => {
    const mark = `OFP_TEST_MARK=${process.pid}-${Date.now()}-distribute`;
    const [k, v] = mark.split('=') as [string, string];
    const run = await runOfp(['demo', '--distribute', '--json'], { timeoutMs: 90_000, env: { [k]: v } });
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc.ok).toBe(true);
    expect(doc.job.state).toBe('completed');
    // The base server serves one at a time: the first server got it from the base server, the others from servers.
    expect(doc.job.targets.map((t: { server: number }) => t.server)).toEqual([1, 2, 3]);
    expect(doc.job.targets[0].from).toBe('the base server');
    expect(doc.job.targets.slice(1).every((t: { from: string }) => /^server \d$/.test(t.from))).toBe(true);
    for (const c of doc.clients) expect(c, JSON.stringify(c)).toMatchObject({ file: 'premiere.ts', identical: true, exit: 0 });
    expect(run.stderr).toMatch(/a job brings premiere\.ts, which no server holds, to all 3/);
    expect(processesMarked(mark)).toEqual([]);
  });

  it('--masters 3: a group behind a portal; the master supervising the most servers is killed, its servers are taken over, every copy identical', async () => {
    const mark = `OFP_TEST_MARK=${process.pid}-${Date.now()}-group`;
    const [k, v] = mark.split('=') as [string, string];
    const run = await runOfp(['demo', '--masters', '3', '--json'], { timeoutMs: 90_000, env: { [k]: v } });
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc.ok).toBe(true);
    expect(doc.masters).toHaveLength(3);
    expect(doc.portal).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(doc.masters).toContain(doc.masterKilled.master);
    // Never the master the orders go through.
    expect(doc.masterKilled.master).not.toBe(doc.master);
    expect(doc.masterKilled.servers.length, JSON.stringify(doc.masterKilled)).toBeGreaterThanOrEqual(1);
    for (const s of doc.masterKilled.servers) {
      expect(s.by, JSON.stringify(s)).not.toBeNull();
      expect(s.by).not.toBe(doc.masterKilled.master);
    }
    for (const c of doc.clients) expect(c, JSON.stringify(c)).toMatchObject({ identical: true, exit: 0 });
    // Then a server killed and another drained, as with one master: ordered by their supervisors now.
    expect(doc.killed).not.toBeNull();
    expect(doc.drained).not.toBeNull();
    expect(run.stderr).toMatch(/killing master \d \(\S+\) with SIGKILL; it supervises/);
    expect(run.stderr).toMatch(/portal listening on \S+: the clients ask it/);
    // Each client is referred to a master in turn: the six first requests reach all three masters.
    // (The narration follows the clients' events, not the order the portal took the requests in.)
    const referred = [...run.stderr.matchAll(/client \d is referred by the portal to master (\d) \(round-robin/g)].map((m) => m[1]);
    expect(referred.length).toBeGreaterThanOrEqual(doc.clients.length);
    expect(new Set(referred.slice(0, doc.clients.length)).size, run.stderr).toBe(3);
    // Once every stream plays, each master follows all of them: the others' told it of theirs (§12.4), and it has timed its round trips (§12.5).
    expect(doc.shared, run.stderr).toHaveLength(3);
    for (const m of doc.shared) {
      expect(m.streams, JSON.stringify(m)).toBe(doc.clients.length);
      expect(m.own + Object.values(m.told as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(m.streams);
      expect(Object.keys(m.serverRttMs)).toHaveLength(3);
      expect(m.clientRttMs, JSON.stringify(m)).not.toBeNull();
    }
    // The servers of the keyed group share their view (§13): each holds the other two.
    expect(Object.values(doc.shared[0].serverViews as Record<string, number>), run.stderr).toEqual([2, 2, 2]);
    expect(doc.shared.some((m: { told: Record<string, number> }) => Object.keys(m.told).length > 0)).toBe(true);
    expect(run.stderr).toMatch(/master \d follows 6 streams: .*\(assignments shared, §12\.4\)/);
    expect(processesMarked(mark)).toEqual([]);
  }, 100_000);
});
