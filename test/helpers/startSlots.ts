/**
 * A bound on the `ofp` processes that start at the same time, on the whole
 * machine: every test file that vitest runs at once, and every checkout that
 * runs its tests at once, take their turn.
 *
 * Starting is what costs: node and the command line take a tenth of a second
 * of CPU before a process has done anything. Thirty processes started at once
 * on two cores all come up seconds late, and a test measures its own start-up.
 * So a process takes a slot (a file created with O_EXCL in a directory of the
 * temp dir) from just before it is spawned until it has started (its first
 * line) or ended, whichever comes first. Slots: as many as the machine has
 * cores. A slot whose holder is gone (a test run that was killed) is taken
 * back, and none is held longer than HOLD_MAX.
 */
import { mkdirSync, openSync, closeSync, readFileSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { availableParallelism, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export const START_SLOTS = Math.max(1, availableParallelism());
/** A process that has printed nothing after this long no longer counts as starting, ms. */
const HOLD_MAX = 10_000;
/** How often a waiting start looks for a free slot, ms. */
const POLL = 10;

/** Slots in `dir`, `count` of them. */
export class StartSlots {
  constructor(
    private readonly dir: string,
    readonly count: number,
    private readonly holdMax = HOLD_MAX,
  ) {}

  private holderGone(file: string): boolean {
    try {
      const [pid, at] = readFileSync(file, 'utf8').split(' ').map(Number);
      if (!pid || !at) return statSync(file).mtimeMs < Date.now() - this.holdMax;
      if (Date.now() - at > this.holdMax) return true;
      process.kill(pid, 0);
      return false;
    } catch (e) {
      // ESRCH: no such process. EPERM: it exists. A slot that vanished meanwhile is free.
      return (e as NodeJS.ErrnoException).code !== 'EPERM';
    }
  }

  private tryTake(): string | undefined {
    mkdirSync(this.dir, { recursive: true });
    for (let i = 0; i < this.count; i++) {
      const file = join(this.dir, `slot-${i}`);
      try {
        const fd = openSync(file, 'wx');
        writeSync(fd, `${process.pid} ${Date.now()}`);
        closeSync(fd);
        return file;
      } catch {
        if (this.holderGone(file)) rmSync(file, { force: true });
      }
    }
    return undefined;
  }

  /**
   * Wait for a slot; call the returned function once the process has started or ended (more calls
   * do nothing). It is given back by itself after `holdMax` ms at the latest.
   */
  async take(holdMax = this.holdMax): Promise<() => void> {
    let file = this.tryTake();
    while (file === undefined) {
      await new Promise((resolve) => setTimeout(resolve, POLL));
      file = this.tryTake();
    }
    const held = file;
    let given = false;
    const giveBack = (): void => {
      if (given) return;
      given = true;
      clearTimeout(timer);
      rmSync(held, { force: true });
    };
    const timer = setTimeout(giveBack, Math.min(holdMax, this.holdMax));
    timer.unref();
    return giveBack;
  }

  /** The slots held now. */
  held(): number {
    try {
      return readdirSync(this.dir).filter((f) => /^slot-\d+$/.test(f)).length;
    } catch {
      return 0;
    }
  }
}

/** The machine's slots, shared by every test run of this user. */
const machine = new StartSlots(join(tmpdir(), `ofp-test-start-slots-${userInfo().uid}`), START_SLOTS);

/**
 * A one-shot command may say nothing until it ends (a client that retries a silent master): it
 * holds its slot this long at most, ms, which is several starts on a busy machine. Longer, and the
 * tests beside it wait for a start that is long over.
 */
export const ONE_SHOT_HOLD = 3_000;

/** Wait for a slot to start a process; call the returned function once it has started or ended. */
export function takeStartSlot(holdMax?: number): Promise<() => void> {
  return machine.take(holdMax);
}
