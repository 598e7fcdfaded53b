/**
 * The `ofp` processes of a real run, and the guarantee that none outlives it.
 *
 * Each role runs as `node bin/run.js …` in a process group of its own, so a
 * terminal's Ctrl-C reaches only the testbed, which then stops them all. Each
 * child also loads a small guard that kills it when its stdin (a pipe from the
 * testbed, never written to) closes: even a testbed killed with SIGKILL leaves
 * nothing behind. On normal ends, errors, aborts and the testbed's own exit,
 * every group still alive is sent SIGKILL.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Exit, OfpChild } from '../../src/runtime/children.js';
import { HarnessError } from '../../src/errors.js';

/**
 * Loaded into every child before `ofp` (node --import): when the testbed
 * goes away, the pipe on the child's stdin ends, and so does the child. The
 * handle is unref'd so it never keeps a finished role alive.
 */
const GUARD = 'data:text/javascript,' + encodeURIComponent([
  'const s = process.stdin;',
  's.on("end", () => process.kill(process.pid, "SIGKILL"));',
  's.on("error", () => process.kill(process.pid, "SIGKILL"));',
  's.resume();',
  's.unref?.();',
].join(''));

/** The `ofp` executable script of this checkout, and a check that it has been built. */
export function findOfpBin(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const bin = join(dir, 'bin', 'run.js');
    if (existsSync(bin) && existsSync(join(dir, 'package.json'))) {
      if (!existsSync(join(dir, 'dist', 'ofp.cjs'))) throw new HarnessError('real mode', `${join(dir, 'dist')} is missing: run \`npm run build\` first`);
      return bin;
    }
    dir = dirname(dir);
  }
  throw new HarnessError('real mode', 'cannot find bin/run.js of ofp above testbed/real');
}

/** The environment of the roles: none of the OFP_* settings of whoever runs the testbed. */
export function roleEnv(key: string | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('OFP_')) env[k] = v;
  if (key !== undefined) env.OFP_KEY = key;
  return env;
}

/** A role process: its events (from `--json-stream`), why it was stopped, when it exited. */
export interface RoleProcess {
  readonly node: string;
  readonly child: OfpChild;
  readonly args: readonly string[];
  /** Set before the testbed signals it, or when it was told to leave (drain): its exit is then no crash. */
  stopping?: string;
  paused: boolean;
}

export class ProcessSet {
  readonly all: RoleProcess[] = [];
  private readonly exitHook = () => this.killAllNow();

  constructor(
    private readonly bin: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    process.on('exit', this.exitHook);
  }

  spawn(node: string, args: readonly string[]): RoleProcess {
    const proc = spawn(process.execPath, ['--import', GUARD, this.bin, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: this.env, detached: true });
    proc.stdin?.on('error', () => {
      // The child is gone: its end of the guard pipe is closed.
    });
    const rp: RoleProcess = { node, child: new OfpChild(node, proc), args, paused: false };
    this.all.push(rp);
    return rp;
  }

  /** Signal a role's process group; false when it has exited already. */
  signal(rp: RoleProcess, signal: NodeJS.Signals): boolean {
    const pid = rp.child.pid;
    if (pid === undefined || !rp.child.running) return false;
    try {
      process.kill(-pid, signal);
      return true;
    } catch {
      try {
        rp.child.proc.kill(signal);
        return true;
      } catch {
        return false;
      }
    }
  }

  /** SIGKILL every group still alive, now (safe in an `exit` handler). */
  killAllNow(): void {
    for (const rp of this.all) if (rp.child.running) this.signal(rp, 'SIGKILL');
  }

  /** Ask each running process to stop with `signal`, SIGKILL those still there after `graceMs`, and wait until all have exited. */
  async stopAll(which: readonly RoleProcess[], signal: NodeJS.Signals, graceMs: number): Promise<void> {
    await Promise.all(which.map((rp) => this.stop(rp, signal, graceMs)));
  }

  async stop(rp: RoleProcess, signal: NodeJS.Signals, graceMs: number, why = 'stopped by the testbed'): Promise<Exit> {
    if (!rp.child.running) return rp.child.exited;
    rp.stopping ??= why;
    if (rp.paused && signal !== 'SIGKILL') {
      // A stopped process cannot act on SIGTERM.
      this.signal(rp, 'SIGCONT');
      rp.paused = false;
    }
    this.signal(rp, signal);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([rp.child.exited, late]);
    clearTimeout(timer);
    if (rp.child.running) {
      this.signal(rp, 'SIGKILL');
      await Promise.race([rp.child.exited, new Promise((r) => setTimeout(r, 2_000))]);
    }
    return rp.child.exit ?? { code: null, signal: 'SIGKILL' };
  }

  /** Kill everything left and forget the exit hook. */
  async dispose(): Promise<void> {
    this.killAllNow();
    await Promise.all(this.all.map((rp) => Promise.race([rp.child.exited, new Promise((r) => setTimeout(r, 3_000))])));
    process.off('exit', this.exitHook);
  }
}
