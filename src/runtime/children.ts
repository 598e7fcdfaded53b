/**
 * `ofp` roles as child processes, for the demo (and the end-to-end tests):
 * each one's `--json-stream` lines are parsed as they come, so a caller can
 * wait, boundedly, for an event. Every child is tracked so none is left
 * behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';

export interface StreamEvent {
  readonly event: string;
  readonly t: number;
  readonly data: Record<string, unknown>;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Bytes of stderr kept per child (the end of it), for error reports. */
const STDERR_KEPT = 16 * 1024;

export class OfpChild {
  readonly events: StreamEvent[] = [];
  /** stdout lines that are not JSON. */
  readonly lines: string[] = [];
  stderr = '';
  exit: Exit | undefined;
  readonly exited: Promise<Exit>;
  private readonly listeners = new Set<() => void>();
  private readonly watchers = new Set<(e: StreamEvent) => void>();

  constructor(
    readonly name: string,
    readonly proc: ChildProcess,
  ) {
    let partial = '';
    proc.stdout?.setEncoding('utf8');
    proc.stdout?.on('data', (chunk: string) => {
      partial += chunk;
      let nl: number;
      while ((nl = partial.indexOf('\n')) >= 0) {
        const line = partial.slice(0, nl);
        partial = partial.slice(nl + 1);
        this.take(line);
      }
    });
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-STDERR_KEPT);
    });
    this.exited = new Promise<Exit>((resolve) => {
      // `close` comes after the child's stdout and stderr have ended: every line has been seen.
      proc.once('close', (code, signal) => {
        if (partial) this.take(partial);
        partial = '';
        this.exit = { code, signal };
        this.notify();
        resolve(this.exit);
      });
      proc.once('error', () => {
        this.exit ??= { code: null, signal: null };
        this.notify();
        resolve(this.exit);
      });
    });
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  get running(): boolean {
    return this.exit === undefined && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  private take(line: string): void {
    const text = line.trim();
    if (!text) return;
    try {
      const e = JSON.parse(text) as StreamEvent;
      if (e && typeof e.event === 'string') {
        const event = { ...e, data: e.data ?? {} };
        this.events.push(event);
        for (const w of this.watchers) w(event);
      } else {
        this.lines.push(text);
      }
    } catch {
      this.lines.push(text);
    }
    this.notify();
  }

  /** Call `fn` with every event from now on. */
  watch(fn: (e: StreamEvent) => void): void {
    this.watchers.add(fn);
  }

  private notify(): void {
    for (const f of [...this.listeners]) f();
  }

  /** The first event (already seen or coming) that matches; rejects after `timeoutMs` or when the child exits first. */
  waitFor(match: (e: StreamEvent) => boolean, timeoutMs: number, what = 'an event'): Promise<StreamEvent> {
    return new Promise((resolve, reject) => {
      let seen = 0;
      const check = () => {
        for (; seen < this.events.length; seen++) {
          if (match(this.events[seen]!)) {
            done();
            resolve(this.events[seen]!);
            return;
          }
        }
        if (this.exit) {
          done();
          reject(new Error(`${this.name} exited (code ${this.exit.code}, signal ${this.exit.signal}) before ${what}${this.stderr ? `; stderr: ${lastLines(this.stderr)}` : ''}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.name}: no ${what} within ${timeoutMs} ms${this.stderr ? `; stderr: ${lastLines(this.stderr)}` : ''}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.running) this.proc.kill(signal);
  }

  /** Ask it to stop; after `graceMs`, kill it. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 5_000): Promise<Exit> {
    this.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const forced = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.kill('SIGKILL');
        resolve();
      }, graceMs);
    });
    await Promise.race([this.exited, forced]);
    clearTimeout(timer);
    return this.exited;
  }
}

function lastLines(text: string, n = 5): string {
  return text.trim().split('\n').slice(-n).join(' | ');
}

/** Spawns `node bin/run.js …` and remembers every child. */
export class Children {
  readonly all: OfpChild[] = [];

  constructor(
    /** Path of the `ofp` executable script (bin/run.js). */
    private readonly bin: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  spawn(name: string, args: readonly string[]): OfpChild {
    const proc = spawn(process.execPath, [this.bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: this.env });
    const child = new OfpChild(name, proc);
    this.all.push(child);
    return child;
  }

  /** Kill every child still running, now (safe to call from an `exit` handler). */
  killAll(signal: NodeJS.Signals = 'SIGKILL'): void {
    for (const c of this.all) {
      try {
        c.kill(signal);
      } catch {
        // Already gone.
      }
    }
  }

  /** Wait (boundedly) until every child has exited, killing the ones that do not. */
  async reapAll(graceMs = 5_000): Promise<void> {
    await Promise.all(this.all.map((c) => (c.running ? c.stop('SIGKILL', graceMs) : c.exited)));
  }
}
