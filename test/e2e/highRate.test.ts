/**
 * Fast streams on real sockets (§5.1): a 50 Mbit/s file, and a 4 Mbit/s file
 * at 16×, arrive whole at about their pace — the pacer catches up the
 * timers that fire late — and what goes beyond MAX_STREAM_RATE is refused
 * with a clear message. Timing bounds are loose on purpose: this machine may
 * be busy; speed figures belong to the benchmarks.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanupProcesses, runOfp, startMaster, startServer, tempDir } from '../helpers/processes.js';

cleanupProcesses();
const dir = tempDir();

/** Allowance for asking the master, the setup and the last acknowledgements, s. */
const STARTUP = 1;

interface Summary {
  readonly ok: boolean;
  readonly bytes: number;
  readonly seconds: number;
  readonly rate: number;
}

describe('fast streams', () => {
  it('a 50 Mbit/s file and 16× of a 4 Mbit/s file arrive whole at their pace; beyond MAX_STREAM_RATE is refused', async () => {
    const media = join(dir, 'media');
    const made = await Promise.all([
      runOfp(['media', 'make', 'fast.ts', '--duration', '2', '--bitrate', '50M', '--out', media]),
      runOfp(['media', 'make', 'slow.ts', '--duration', '16', '--bitrate', '4M', '--out', media]),
      runOfp(['media', 'make', 'uhd.ts', '--duration', '0.1', '--bitrate', '150M', '--out', media]),
    ]);
    for (const m of made) expect(m.code, m.stderr).toBe(0);
    const master = await startMaster();
    const server = await startServer(master.address, media);
    // A file faster than one stream may go is not offered, and the server says why.
    const skipped = server.child.events.find((e) => e.event === 'media-skipped');
    expect(skipped?.data).toMatchObject({ file: 'uhd.ts', level: 'warn' });
    expect(String(skipped?.data.why)).toContain('MAX_STREAM_RATE');

    // One client at a time: each has the machine's share to itself.
    const get = async (file: string, out: string, extra: readonly string[] = []) => {
      const run = await runOfp(['client', 'get', file, '--master', master.address, '--out', join(dir, out), '--json', '--timeout', '30', ...extra], { timeoutMs: 40_000 });
      return { run, summary: (run.stdout ? JSON.parse(run.stdout) : {}) as Summary };
    };
    const same = (out: string, file: string) => readFileSync(join(dir, out)).equals(readFileSync(join(media, file)));

    // 12.5 MB at 50 Mbit/s: 2 s. Capped at PACING_BURST per tick it took over 6 s.
    const fast = await get('fast.ts', 'fast.copy');
    expect(fast.run.code, fast.run.stderr).toBe(0);
    expect(same('fast.copy', 'fast.ts')).toBe(true);
    expect(fast.summary.seconds).toBeLessThan(2 * 2 + STARTUP);
    expect(fast.summary.rate).toBeGreaterThan(20_000_000);

    // 8 MB at 16 × 4 Mbit/s: 1 s. Capped, it took over 4 s.
    const scaled = await get('slow.ts', 'slow.copy', ['--rate-schedule', '0s:16x']);
    expect(scaled.run.code, scaled.run.stderr).toBe(0);
    expect(same('slow.copy', 'slow.ts')).toBe(true);
    expect(scaled.run.stderr).not.toContain('adjust-refused');
    expect(scaled.summary.seconds).toBeLessThan(2 * 1 + STARTUP);

    // 16 × 50 Mbit/s is beyond MAX_STREAM_RATE: refused with a warning that says so; the copy goes on at 1×.
    const over = await get('fast.ts', 'over.copy', ['--rate-schedule', '0s:16x']);
    expect(over.run.code, over.run.stderr).toBe(0);
    expect(same('over.copy', 'fast.ts')).toBe(true);
    expect(over.run.stderr).toMatch(/adjust-refused .*800 Mbit\/s.*MAX_STREAM_RATE/);

    // The file no server offers: not-found, at once.
    const uhd = await get('uhd.ts', 'uhd.copy');
    expect(uhd.run.code).toBe(1);
    expect(uhd.run.stderr).toContain('not-found');
  });
});
