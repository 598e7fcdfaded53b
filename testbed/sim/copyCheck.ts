/**
 * Checks a client's copy as it is handed on, byte by byte, without keeping it:
 * every run of bytes of a flow must start where the previous one ended and be
 * exactly the synthetic media's bytes there (src/media/synthetic.ts). The copy
 * is identical when nothing was wrong and every flow reached its size.
 */
import { checkSynthetic, nameKey } from '../../src/media/synthetic.js';
import type { MediaCache } from './mediaCache.js';

export class CopyCheck {
  private readonly next: number[];
  private readonly keys: number[];
  /** The first thing wrong, for people. */
  problem: string | undefined;
  bytes = 0;

  constructor(
    private readonly flows: readonly { readonly name: string; readonly size: number }[],
    private readonly media?: MediaCache,
  ) {
    this.next = flows.map(() => 0);
    this.keys = flows.map((f) => nameKey(f.name));
  }

  add(fl: number, off: number, data: Uint8Array): void {
    this.bytes += data.length;
    if (this.problem) return;
    const expected = this.next[fl];
    if (expected === undefined) {
      this.problem = `bytes of flow ${fl}, which the item does not have`;
      return;
    }
    if (off !== expected) {
      this.problem = `flow ${fl} (${this.flows[fl]!.name}): bytes handed on at ${off}, expected ${expected} (${off < expected ? 'twice' : 'a gap'})`;
      return;
    }
    // The media in memory answers at once; checkSynthetic says where a copy goes wrong.
    const wrong = this.media?.matches(this.flows[fl]!.name, off, data) === true ? undefined : checkSynthetic(this.keys[fl]!, off, data);
    if (wrong) {
      this.problem = `flow ${fl} (${this.flows[fl]!.name}): byte ${wrong.at} is wrong${wrong.claims !== undefined ? ` (it holds the bytes of offset ${wrong.claims})` : ''}`;
      return;
    }
    this.next[fl] = off + data.length;
  }

  /** Every flow complete and nothing wrong. */
  get identical(): boolean {
    return this.problem === undefined && this.flows.every((f, i) => this.next[i] === f.size);
  }

  /** Where each flow stands, for a report. */
  progress(): string {
    return this.flows.map((f, i) => `${this.next[i]}/${f.size}`).join(', ');
  }
}
