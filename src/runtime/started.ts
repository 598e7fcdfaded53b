/**
 * The moment a long-running command has started: a role's socket is bound
 * and its first line, `listening`, is out. bin/run.js waits for it to keep
 * the code V8 compiled for the start, so that the next start skips that work.
 */
const waiting: (() => void)[] = [];
let started = false;

/** Call `fn` once the command has started (at once if it already has). */
export function onStarted(fn: () => void): void {
  if (started) fn();
  else waiting.push(fn);
}

/** The command has started. */
export function markStarted(): void {
  if (started) return;
  started = true;
  for (const fn of waiting.splice(0)) fn();
}
