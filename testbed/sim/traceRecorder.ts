/**
 * Keeps a run's datagram trace bounded: every datagram goes into the trace
 * hash, but at most `cap` entries are kept for trace.ndjson. When the cap is
 * reached, every other kept entry is dropped and from then on only one
 * datagram in 2, 4, 8, … is kept, so a huge run still has an even sample of
 * its whole length (and says so).
 */
import { createHash, type Hash } from 'node:crypto';
import type { TraceEntry } from '../scenario/types.js';

export const DEFAULT_TRACE_CAP = 200_000;

export class TraceRecorder {
  private readonly hash: Hash = createHash('sha256');
  private pending = '';
  private kept: { n: number; e: TraceEntry }[] = [];
  private stride = 1;
  /** Datagrams seen. */
  count = 0;

  constructor(private readonly cap = DEFAULT_TRACE_CAP) {}

  /** One datagram (the entry object is made only when it is kept). */
  add(t: number, from: string, to: string, type: string, size: number, fault: string): void {
    const n = this.count++;
    this.pending += `${t}|${from}|${to}|${size}|${type}|${fault}\n`;
    if (this.pending.length > 65_536) this.flush();
    if (this.cap <= 0 || n % this.stride !== 0) return;
    this.kept.push({ n, e: { t, from, to, type, size, fault } });
    if (this.kept.length > this.cap) {
      this.stride *= 2;
      this.kept = this.kept.filter((k) => k.n % this.stride === 0);
    }
  }

  private flush(): void {
    this.hash.update(this.pending);
    this.pending = '';
  }

  /** `datagrams:sha256` of every datagram's time, ends, size, type and fault. Call once, at the end. */
  digest(): string {
    this.flush();
    return `${this.count}:${this.hash.digest('hex')}`;
  }

  entries(): TraceEntry[] {
    return this.kept.map((k) => k.e);
  }

  /** What the kept entries are, when they are not every datagram. */
  note(): string | undefined {
    if (this.cap <= 0) return `trace not recorded (${this.count} datagrams)`;
    if (this.stride === 1) return undefined;
    return `sampled: 1 datagram in ${this.stride} (${this.kept.length} of ${this.count}), evenly over the run`;
  }
}
