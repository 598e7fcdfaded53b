/**
 * What ends a real run early: the caller's AbortSignal, Ctrl-C, SIGTERM or
 * SIGHUP of the testbed process, or a failure inside the run (a role that
 * cannot restart). Every wait of the run goes through `sleep` and `race`, so
 * an interruption ends it at once.
 *
 * On a signal the role processes are killed on the spot. When nobody else
 * listens for that signal, the testbed then dies of it as it would have
 * (exit status 128 + n); when someone does (a command with its own
 * handler), the run rejects with RunInterrupted and the handler decides.
 */
import { RunInterrupted } from '../../src/errors.js';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export class Interruption {
  private readonly controller = new AbortController();
  private readonly listener = (signal: NodeJS.Signals) => this.onSignal(signal);
  private readonly onOuterAbort = () => this.fail(new RunInterrupted(this.outer?.reason instanceof Error ? this.outer.reason.message : 'aborted'));

  constructor(
    private readonly outer: AbortSignal | undefined,
    /** Kill every role process now (synchronously). */
    private readonly killNow: () => void,
  ) {
    for (const s of SIGNALS) process.on(s, this.listener);
    if (outer?.aborted) this.onOuterAbort();
    else outer?.addEventListener('abort', this.onOuterAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** End the run with this error (the first one wins). */
  fail(error: Error): void {
    if (!this.controller.signal.aborted) this.controller.abort(error);
  }

  /** Throw the interruption, if there was one. */
  check(): void {
    if (this.controller.signal.aborted) throw this.controller.signal.reason;
  }

  private onSignal(signal: NodeJS.Signals): void {
    this.killNow();
    if (process.listenerCount(signal) <= 1) {
      this.dispose();
      process.kill(process.pid, signal);
      return;
    }
    this.fail(new RunInterrupted(signal));
  }

  /** A promise that settles like `p`, or rejects when the run is interrupted first. */
  race<T>(p: Promise<T>): Promise<T> {
    const s = this.controller.signal;
    if (s.aborted) return Promise.reject(s.reason);
    return new Promise<T>((resolve, reject) => {
      const stop = () => reject(s.reason);
      s.addEventListener('abort', stop, { once: true });
      p.then(
        (v) => {
          s.removeEventListener('abort', stop);
          resolve(v);
        },
        (e) => {
          s.removeEventListener('abort', stop);
          reject(e);
        },
      );
    });
  }

  sleep(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    return this.race(new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.max(0, ms));
    })).finally(() => clearTimeout(timer));
  }

  dispose(): void {
    for (const s of SIGNALS) process.off(s, this.listener);
    this.outer?.removeEventListener('abort', this.onOuterAbort);
  }
}
