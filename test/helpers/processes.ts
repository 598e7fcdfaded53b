/**
 * Real `ofp` processes for end-to-end tests (`node bin/run.js …`, from the
 * build). Every process spawned here is killed by `killAll()`, which
 * `cleanupProcesses()` registers after each test and after the file.
 *
 * Tests that run concurrently each take their own `ProcessScope` (killed when
 * the test ends, and after the file), so that one test's end does not kill
 * another's processes.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach } from 'vitest';
import { Children, type OfpChild, type StreamEvent } from '../../src/runtime/children.js';
import { ONE_SHOT_HOLD, takeStartSlot } from './startSlots.js';

export const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url));

// The processes run the build: `npm test` makes it first.
if (!existsSync(fileURLToPath(new URL('../../dist/ofp.cjs', import.meta.url)))) {
  throw new Error('dist/ is missing: run `npm run build` (or `npm test`, which builds) before the end-to-end tests');
}

/** Environment for children: no OFP_* settings of whoever runs the tests. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('OFP_')) env[k] = v;
  return { ...env, ...extra };
}

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export const isListening = (e: StreamEvent) => e.event === 'listening';

/** A set of processes that are killed together. */
export class ProcessScope {
  private children = new Children(BIN, cleanEnv());
  private readonly oneShots = new Set<ReturnType<typeof spawn>>();

  /** A long-running `ofp` process whose `--json-stream` events can be awaited. */
  ofp(name: string, args: readonly string[]): OfpChild {
    return this.children.spawn(name, args);
  }

  /**
   * A long-running `ofp` process, started in its turn (see startSlots.ts): spawned once a start
   * slot is free, which it holds until its first line. For processes started side by side.
   */
  async ofpInTurn(name: string, args: readonly string[]): Promise<OfpChild> {
    const giveBack = await takeStartSlot();
    const child = this.children.spawn(name, args);
    child.waitFor(() => true, 60_000, 'its first line').then(giveBack, giveBack);
    return child;
  }

  /** Run `ofp …` to the end (killed after `timeoutMs`, counted from its start, which waits its turn). */
  async run(args: readonly string[], o: RunOptions = {}): Promise<RunResult> {
    const giveBack = o.now ? () => {} : await takeStartSlot(ONE_SHOT_HOLD);
    return new Promise((resolve) => {
      const proc = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv(o.env) });
      // Started: it writes anything, on either stream (or ONE_SHOT_HOLD passes).
      proc.stdout.once('data', giveBack);
      proc.stderr.once('data', giveBack);
      this.oneShots.add(proc);
      let stdout = '';
      let stderr = '';
      let stopping = false;
      proc.stdout.setEncoding('utf8').on('data', (s: string) => {
        stdout += s;
        if (o.stopWhen && !stopping && o.stopWhen.test(stdout)) {
          stopping = true;
          // What it writes along with that line (a warning on stderr) has a moment to arrive.
          setTimeout(() => proc.kill('SIGTERM'), STOP_GRACE);
        }
      });
      proc.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
      const timer = setTimeout(() => proc.kill('SIGKILL'), o.timeoutMs ?? 30_000);
      proc.on('close', (code, signal) => {
        giveBack();
        clearTimeout(timer);
        this.oneShots.delete(proc);
        resolve({ code, signal, stdout, stderr });
      });
    });
  }

  /** Start `ofp master --json-stream` on a free port; its address. */
  async startMaster(extra: readonly string[] = [], name = 'master'): Promise<{ child: OfpChild; address: string }> {
    const child = await this.ofpInTurn(name, ['master', '--port', '0', '--json-stream', ...extra]);
    const e = await child.waitFor(isListening, 15_000, 'listening');
    return { child, address: e.data.address as string };
  }

  /** Start `ofp server --json-stream` and wait until it is registered; its address. */
  async startServer(master: string, media: string, extra: readonly string[] = [], name = 'server'): Promise<{ child: OfpChild; address: string }> {
    const child = await this.ofpInTurn(name, ['server', '--master', master, '--media', media, '--json-stream', ...extra]);
    const e = await child.waitFor(isListening, 15_000, 'listening');
    await child.waitFor((x) => x.event === 'registration-registered', 15_000, 'registration');
    return { child, address: e.data.address as string };
  }

  /** Kill every process of the scope and wait (boundedly) until they are gone. */
  async killAll(): Promise<void> {
    for (const p of this.oneShots) p.kill('SIGKILL');
    this.children.killAll('SIGKILL');
    await this.children.reapAll(5_000);
    this.children = new Children(BIN, cleanEnv());
  }
}

const scopes = new Set<ProcessScope>();

/** A scope of its own, for a test that runs concurrently with others: kill it in a `finally`. */
export function processScope(): ProcessScope {
  const s = new ProcessScope();
  scopes.add(s);
  return s;
}

const shared = processScope();

/** A long-running `ofp` process whose `--json-stream` events can be awaited. */
export function ofp(name: string, args: readonly string[]): OfpChild {
  return shared.ofp(name, args);
}

/** Run `ofp …` to the end (killed after `timeoutMs`). */
/**
 * How to run a one-shot `ofp`: `timeoutMs` bounds it (SIGKILL then, 30 s by default); a long-running
 * role is stopped with SIGTERM once its stdout matches `stopWhen`, however long its start took.
 */
export interface RunOptions {
  readonly timeoutMs?: number;
  readonly env?: Record<string, string>;
  readonly stopWhen?: RegExp;
  /**
   * An order that must act now (mid-stream, while what it acts on still plays): spawned at once
   * rather than in its turn, which can come seconds later while the tests beside it start theirs.
   */
  readonly now?: boolean;
}

/** After `stopWhen` matched, the process is stopped this much later, ms. */
const STOP_GRACE = 300;

export function runOfp(args: readonly string[], o: RunOptions = {}): Promise<RunResult> {
  return shared.run(args, o);
}

/** Kill every process spawned through the shared scope and wait (boundedly) until they are gone. */
export function killAll(): Promise<void> {
  return shared.killAll();
}

/** After each test, the shared scope's processes; after the file, every scope's. */
export function cleanupProcesses(): void {
  afterEach(killAll);
  afterAll(async () => {
    await Promise.all([...scopes].map((s) => s.killAll()));
  });
}

/** A temporary directory removed after the file's tests. */
export function tempDir(prefix = 'ofp-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Start `ofp master --json-stream` on a free port; its address. */
export function startMaster(extra: readonly string[] = [], name = 'master'): Promise<{ child: OfpChild; address: string }> {
  return shared.startMaster(extra, name);
}

/** Start `ofp server --json-stream` and wait until it is registered; its address. */
export function startServer(master: string, media: string, extra: readonly string[] = [], name = 'server'): Promise<{ child: OfpChild; address: string }> {
  return shared.startServer(master, media, extra, name);
}
