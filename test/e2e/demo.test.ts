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
  it('runs a cluster, survives a killed server, verifies every copy and cleans up', async () => {
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
      // Some client moved to another server when its server was killed.
      expect(doc.clients.some((c: { failovers: number[]; servers: string[] }) => c.failovers.length > 0 && c.servers.length === 2)).toBe(true);
      expect(new Set(doc.clients.map((c: { mode: string }) => c.mode))).toEqual(new Set(['redirect', 'relay', 'list']));
      expect(run.stderr).toMatch(/killing server \d/);
      expect(processesMarked(mark)).toEqual([]);
      expect(existsSync(doc.dir)).toBe(true);
    } finally {
      if (doc.dir) rmSync(doc.dir, { recursive: true, force: true });
    }
  });
});
