/**
 * The benchmark's child processes (the `ofp` roles under test and the raw
 * baselines). Each one's stdout JSON lines are read until the benchmark has
 * what it waits for (the `listening` address, a registration); after that the
 * output is drained without parsing, so a master that logs every redirect
 * costs the benchmark process almost nothing. Every child is tracked and
 * killed at the end, on error and on Ctrl-C.
 */
import { type ChildProcess, spawn } from 'node:child_process';

export interface JsonLine {
  readonly event: string;
  readonly t: number;
  readonly data: Record<string, unknown>;
}

/** Bytes of stderr kept per child, for error reports. */
const STDERR_KEPT = 8 * 1024;
/** How long a child may take to exit after SIGTERM before it gets SIGKILL. */
const STOP_GRACE = 3_000;

export class BenchChild {
  private readonly events: JsonLine[] = [];
  private readonly listeners = new Set<() => void>();
  private parsing = true;
  private partial = '';
  stderr = '';
  exited = false;
  /** The exit status, once exited (null when a signal ended it). */
  code: number | null = null;
  readonly exit: Promise<void>;

  constructor(
    readonly name: string,
    readonly proc: ChildProcess,
  ) {
    proc.stdout?.setEncoding('utf8');
    proc.stdout?.on('data', (chunk: string) => {
      if (!this.parsing) return;
      this.partial += chunk;
      let nl: number;
      while ((nl = this.partial.indexOf('\n')) >= 0) {
        const line = this.partial.slice(0, nl).trim();
        this.partial = this.partial.slice(nl + 1);
        if (line.startsWith('{')) this.take(line);
      }
    });
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-STDERR_KEPT);
    });
    this.exit = new Promise((resolve) => {
      const done = (code?: unknown) => {
        this.exited = true;
        this.code = typeof code === 'number' ? code : null;
        this.notify();
        resolve();
      };
      proc.once('close', done);
      proc.once('error', () => done());
    });
  }

  private take(line: string): void {
    try {
      const e = JSON.parse(line) as JsonLine;
      if (e && typeof e.event === 'string') this.events.push({ ...e, data: e.data ?? {} });
    } catch {
      return;
    }
    this.notify();
  }

  private notify(): void {
    for (const f of [...this.listeners]) f();
  }

  /** Stop reading events: from now on stdout is drained and dropped (the child must never block on a full pipe). */
  quiet(): void {
    this.parsing = false;
    this.partial = '';
    this.events.length = 0;
  }

  /** How many JSON lines have been read so far: give it to `waitFor` to wait only for later ones. */
  mark(): number {
    return this.events.length;
  }

  /** The JSON lines read so far that match. */
  seen(match: (e: JsonLine) => boolean): JsonLine[] {
    return this.events.filter(match);
  }

  /**
   * The first JSON line (already seen or coming; from line `from` on) that
   * matches; rejects after `timeoutMs` or when the child exits.
   */
  waitFor(match: (e: JsonLine) => boolean, timeoutMs: number, what: string, from = 0): Promise<JsonLine> {
    return new Promise((resolve, reject) => {
      let seen = from;
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`${this.name}: no ${what} within ${timeoutMs} ms${this.tail()}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      const check = () => {
        for (; seen < this.events.length; seen++) {
          if (match(this.events[seen]!)) {
            finish();
            resolve(this.events[seen]!);
            return;
          }
        }
        if (this.exited) {
          finish();
          reject(new Error(`${this.name} exited before ${what}${this.tail()}`));
        }
      };
      this.listeners.add(check);
      check();
    });
  }

  /** Resolves once the child has exited; rejects after `timeoutMs`. */
  async exitWithin(timeoutMs: number, what: string): Promise<void> {
    if (this.exited) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.name}: ${what} took longer than ${timeoutMs} ms${this.tail()}`)), timeoutMs);
    });
    try {
      await Promise.race([this.exit, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  private tail(): string {
    const text = this.stderr.trim();
    return text ? `; stderr: ${text.split('\n').slice(-5).join(' | ')}` : '';
  }

  /** SIGTERM, then SIGKILL after a grace period; resolves once the child is gone. */
  async stop(): Promise<void> {
    if (this.exited) return;
    this.signal('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const forced = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.signal('SIGKILL');
        resolve();
      }, STOP_GRACE);
    });
    await Promise.race([this.exit, forced]);
    clearTimeout(timer);
    await this.exit;
  }

  /**
   * Stop without the drain a role makes on its first signal (its streams move, or play to their
   * end when there is nowhere to move them): a second stop signal ends it at once. Two different
   * signals, so that the kernel cannot merge them into one.
   */
  async stopNow(): Promise<void> {
    if (this.exited) return;
    this.signal('SIGINT');
    this.signal('SIGTERM');
    await this.stop();
  }

  signal(signal: NodeJS.Signals): void {
    if (this.exited) return;
    try {
      this.proc.kill(signal);
    } catch {
      // Already gone.
    }
  }
}

/** Spawns `node SCRIPT …` children and remembers every one. */
export class ChildSet {
  private readonly all: BenchChild[] = [];

  spawn(name: string, script: string, args: readonly string[]): BenchChild {
    // The environment without OFP_* settings: the roles run with the flags given here only.
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('OFP_')) env[k] = v;
    const proc = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    const child = new BenchChild(name, proc);
    this.all.push(child);
    return child;
  }

  /** Stop every child still running and wait (boundedly) until all are gone. */
  async stopAll(): Promise<void> {
    await Promise.all(this.all.map((c) => c.stop()));
  }

  /** Kill every child now, synchronously (for `exit` and signal handlers). */
  killAll(): void {
    for (const c of this.all) c.signal('SIGKILL');
  }

  /** Every child started, with its process id. */
  list(): { name: string; pid: number }[] {
    return this.all.filter((c) => c.proc.pid !== undefined).map((c) => ({ name: c.name, pid: c.proc.pid! }));
  }
}
