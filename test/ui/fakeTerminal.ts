/** Streams that stand in for a terminal: keys are pushed in, frames collected. */
import { EventEmitter } from 'node:events';

export class FakeTtyIn extends EventEmitter {
  readonly isTTY = true;
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

export class FakeTtyOut extends EventEmitter {
  readonly isTTY = true;
  written = '';
  constructor(public columns = 100, public rows = 30) {
    super();
  }
  write(chunk: string): boolean {
    this.written += chunk;
    return true;
  }
}
