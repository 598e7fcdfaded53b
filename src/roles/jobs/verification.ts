/**
 * A `verify` at a target (§14.8): the file in service under the job's name,
 * hashed block by block against the root of the job's copy of it, a bounded
 * number of bytes at a time, so that a file of gigabytes never holds the
 * server from its streams: the server hashes a step per wake-up, and yields.
 *
 * Pure: the file is read through the function it is given.
 */
import { type Crypto, equalBytes } from '../../protocol/auth.js';
import { JOB_HASH_LENGTH } from '../../protocol/constants.js';
import type { WireErrorCode } from '../../protocol/errors.js';
import { ObjectLayout } from './object.js';

/** What came of a verify: none (the copy matches), or why not. */
export type VerifyOutcome = { readonly code?: WireErrorCode };

export class Verification {
  private readonly layout: ObjectLayout;
  private readonly list: Uint8Array;
  private next = 0;
  /** Bytes of the file hashed so far. */
  hashed = 0;
  /** Set once it has ended. */
  outcome: VerifyOutcome | undefined;

  constructor(
    /** The size of the file in service now; undefined when there is none. */
    size: number | undefined,
    /** The size and root of the job's copy. */
    readonly want: { readonly size: number; readonly root: Uint8Array },
    private readonly read: (off: number, len: number) => Uint8Array,
    private readonly crypto: Crypto,
  ) {
    this.layout = new ObjectLayout(want.size);
    this.list = new Uint8Array(this.layout.hashBytes);
    if (size === undefined) this.outcome = { code: 'not-found' };
    else if (size !== want.size) this.outcome = { code: 'corrupt' };
    else this.finishIfDone();
  }

  /** Hash blocks until `budget` bytes are hashed (at least one block), or the file is done; the bytes hashed. */
  step(budget: number): number {
    let spent = 0;
    while (!this.outcome && this.next < this.layout.blocks) {
      const [off, len] = this.layout.blockBytes(this.next);
      if (spent > 0 && spent + len > budget) break;
      let bytes: Uint8Array;
      try {
        bytes = this.read(off, len);
      } catch {
        this.outcome = { code: 'media-error' };
        return spent;
      }
      this.list.set(this.crypto.sha256(bytes), this.next * JOB_HASH_LENGTH);
      this.next++;
      spent += len;
      this.hashed += len;
    }
    this.finishIfDone();
    return spent;
  }

  private finishIfDone(): void {
    if (this.outcome || this.next < this.layout.blocks) return;
    this.outcome = equalBytes(this.crypto.sha256(this.list), this.want.root) ? {} : { code: 'corrupt' };
  }
}
