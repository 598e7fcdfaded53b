/**
 * No real run leaves a process behind: not when it is aborted, not when the
 * testbed process gets Ctrl-C, not when a role cannot start (which names the
 * role).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HarnessError, RunInterrupted } from '../../src/errors.js';
import { runReal } from '../../testbed/real/run.js';
import { tempDir } from '../helpers/processes.js';
import { waitUntil, within } from '../helpers/wait.js';
import { alive, client, media, ofpChildren, scenario, server } from './scenarios.js';

const dir = tempDir('ofp-real-');

/** A run that would take a minute: a long fetch and a long fault phase. */
const long = scenario('long', {
  media: [media('a.ts', 60, 1_000_000)],
  servers: [server('s1', ['a.ts'])],
  clients: [client('c1', 'a.ts', 0)],
  duration: 60_000,
});

const pidsIn = (lines: readonly string[]) => lines.flatMap((l) => [...l.matchAll(/pid (\d+)/g)].map((m) => Number(m[1])));

describe('real mode leaves no process behind', () => {
  it('when the run is aborted mid-stream: it rejects with RunInterrupted and every role process is gone', async () => {
    const controller = new AbortController();
    const lines: string[] = [];
    const run = runReal(long, {
      workDir: join(dir, 'aborted'),
      signal: controller.signal,
      onProgress: (l) => {
        lines.push(l);
        if (/client c1 asks for/.test(l)) setTimeout(() => controller.abort(), 500);
      },
    });
    await expect(within(run, 30_000, 'the aborted run')).rejects.toBeInstanceOf(RunInterrupted);
    const pids = pidsIn(lines);
    expect(pids).toHaveLength(3);
    for (const pid of pids) expect(alive(pid), `pid ${pid}`).toBe(false);
    expect(ofpChildren()).toEqual([]);
  });

  for (const signal of ['SIGINT', 'SIGKILL'] as const) {
    it(`when the testbed process gets ${signal}${signal === 'SIGINT' ? ' (Ctrl-C)' : ''}: it dies of it, and every role process with it`, async () => {
      const runJs = fileURLToPath(new URL('../../dist/testbed/real/run.js', import.meta.url));
      const code = `import { runReal } from ${JSON.stringify(runJs)};
        await runReal(JSON.parse(process.env.SCENARIO), { workDir: process.env.WORK_DIR, onProgress: (l) => console.log(l) });
        console.log('the run finished');`;
      const proc = spawn(process.execPath, ['--input-type=module', '-e', code], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, SCENARIO: JSON.stringify(long), WORK_DIR: join(dir, signal) },
      });
      const lines: string[] = [];
      let stderr = '';
      proc.stdout.setEncoding('utf8').on('data', (s: string) => lines.push(...s.split('\n').filter(Boolean)));
      proc.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('close', (c, s) => resolve({ code: c, signal: s })));
      try {
        await waitUntil(() => lines.some((l) => /client c1 asks for/.test(l)) || proc.exitCode !== null, 30_000, 'the client to start');
        expect(proc.exitCode, stderr).toBeNull();
        proc.kill(signal);
        const exit = await within(exited, 15_000, 'the testbed to exit');
        expect(exit, stderr).toEqual({ code: null, signal });
        const pids = pidsIn(lines);
        expect(pids).toHaveLength(3);
        // SIGINT: the testbed kills them before it dies; SIGKILL: each one's guard sees the testbed go.
        await waitUntil(() => pids.every((p) => !alive(p)), 5_000, `every role process gone (${pids.join(', ')})`);
      } finally {
        proc.kill('SIGKILL');
      }
    });
  }

  it('when the testbed gets SIGTERM and someone else handles it too: the run rejects with RunInterrupted, every role process gone', async () => {
    const handler = () => {};
    process.on('SIGTERM', handler);
    try {
      const lines: string[] = [];
      const run = runReal(long, {
        workDir: join(dir, 'sigterm'),
        onProgress: (l) => {
          lines.push(l);
          if (/client c1 asks for/.test(l)) process.kill(process.pid, 'SIGTERM');
        },
      });
      const err = await within(run, 30_000, 'the interrupted run').then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(RunInterrupted);
      expect(err).toMatchObject({ reason: 'SIGTERM' });
      for (const pid of pidsIn(lines)) expect(alive(pid), `pid ${pid}`).toBe(false);
      expect(ofpChildren()).toEqual([]);
    } finally {
      process.off('SIGTERM', handler);
    }
  });

  it('when a role cannot start: HarnessError naming it, and the roles already started are gone', async () => {
    const s = scenario('bad-server', {
      media: [media('a.ts', 1, 1_000_000)],
      // An empty group is refused by `ofp server` (exit 2) before it listens.
      servers: [server('s1', ['a.ts']), server('s2', ['a.ts'], { group: '' })],
      clients: [client('c1', 'a.ts', 0)],
    });
    const lines: string[] = [];
    const err = await runReal(s, { workDir: join(dir, 'bad'), onProgress: (l) => lines.push(l) }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(HarnessError);
    expect(err).toMatchObject({ what: 's2', code: 'harness' });
    expect((err as Error).message).toMatch(/^s2: could not start .*--group/);
    expect(ofpChildren()).toEqual([]);
    for (const pid of pidsIn(lines)) expect(alive(pid), `pid ${pid}`).toBe(false);
  });
});
