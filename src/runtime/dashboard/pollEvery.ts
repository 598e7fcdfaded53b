/**
 * The dashboard's feeds poll in one rhythm: a poll, then what is left of the
 * refresh period since it started, a wait that `setWake`'s function cuts short
 * (a key the user pressed, a close). A poll that throws is reported and the
 * next one comes as usual; closing ends the loop after the poll under way.
 */
import { now } from '../clock.js';

export interface PollEvery {
  readonly refreshMs: number;
  readonly closed: () => boolean;
  readonly poll: () => Promise<void>;
  /** A poll threw (and the feed is still open). */
  readonly failed: (e: Error) => void;
  /** The function that ends the current wait at once; undefined between waits. */
  readonly setWake: (wake: (() => void) | undefined) => void;
}

export async function pollEvery(o: PollEvery): Promise<void> {
  while (!o.closed()) {
    const started = now();
    try {
      await o.poll();
    } catch (e) {
      if (!o.closed()) o.failed(e as Error);
    }
    const wait = o.refreshMs - (now() - started);
    if (wait > 0 && !o.closed()) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        o.setWake(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      o.setWake(undefined);
    }
  }
}
