/** Streams that stand in for a terminal: keys are pushed in, frames collected. */
import { EventEmitter } from 'node:events';

/** Key input as from a terminal in raw mode (shared with the dashboard benchmark). */
export { KeyInput as FakeTtyIn } from '../../bench/terminal.js';

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
