/**
 * Key input that stands in for a terminal in raw mode: keys are pushed in and
 * read the way ink reads a TTY. The dashboard benchmark presses keys with it;
 * the dashboard's tests do too.
 */
import { EventEmitter } from 'node:events';

export class KeyInput extends EventEmitter {
  readonly isTTY = true;
  /** Whether the reader has put the "terminal" in raw mode. */
  rawMode = false;
  private queue: string[] = [];
  setRawMode(on: boolean): this {
    this.rawMode = on;
    return this;
  }
  setEncoding(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  resume(): this {
    return this;
  }
  pause(): this {
    return this;
  }
  read(): string | null {
    return this.queue.shift() ?? null;
  }
  press(keys: string): void {
    this.queue.push(keys);
    this.emit('readable');
  }
}
