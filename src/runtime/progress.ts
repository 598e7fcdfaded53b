/**
 * A client's progress while it streams: a line that updates in place on a
 * terminal, a plain line every few seconds otherwise, or `progress` events
 * with `--json-stream`.
 */
import { now } from './clock.js';
import type { Output } from './output.js';
import { formatBytes, formatDuration, formatRate } from '../view/units.js';

export interface ProgressState {
  /** Bytes handed on in order. */
  readonly bytes: number;
  /** File size, once known. */
  readonly size?: number;
  /** The server streaming now. */
  readonly srv?: string;
}

export class Progress {
  private timer: NodeJS.Timeout | undefined;
  private lastBytes = 0;
  private lastAt: number;
  private lastLineAt: number;
  private readonly startedAt: number;
  private drawn = false;

  constructor(
    private readonly out: Output,
    private readonly file: string,
    private readonly state: () => ProgressState,
    private readonly tty: boolean,
    /** Between two plain lines when stderr is not a terminal, ms. */
    private readonly plainEvery = 3_000,
  ) {
    this.startedAt = now();
    this.lastAt = this.startedAt;
    this.lastLineAt = this.startedAt;
  }

  start(): void {
    const every = this.out.mode === 'json-stream' ? 1_000 : this.tty ? 250 : 1_000;
    this.timer = setInterval(() => this.report(), every);
    this.timer.unref();
  }

  private report(): void {
    const t = now();
    const s = this.state();
    const rate = ((s.bytes - this.lastBytes) * 8 * 1000) / Math.max(1, t - this.lastAt);
    const pct = s.size ? (100 * s.bytes) / s.size : undefined;
    if (this.out.mode === 'json-stream') {
      this.out.event({ type: 'progress', bytes: s.bytes, size: s.size, percent: pct === undefined ? undefined : Math.round(pct * 10) / 10, rate: Math.round(rate), srv: s.srv, elapsed: Math.round(t - this.startedAt) });
    } else if (this.tty) {
      this.out.raw(`\r\x1b[K${this.line(s, rate, pct, t)}`);
      this.drawn = true;
    } else if (t - this.lastLineAt >= this.plainEvery) {
      this.out.raw(`${this.line(s, rate, pct, t)}\n`);
      this.lastLineAt = t;
    } else {
      return; // keep the interval's bytes for the next plain line's rate
    }
    this.lastBytes = s.bytes;
    this.lastAt = t;
  }

  private line(s: ProgressState, rate: number, pct: number | undefined, t: number): string {
    const of = s.size !== undefined ? ` of ${formatBytes(s.size)}` : '';
    const p = pct !== undefined ? `  ${pct.toFixed(1).padStart(5)}%` : '';
    const from = s.srv ? `  from ${s.srv}` : '  asking';
    return `[${formatDuration(t - this.startedAt).padStart(8)}] ${this.file}  ${formatBytes(s.bytes)}${of}${p}  ${formatRate(rate)}${from}`;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.drawn) this.out.raw('\r\x1b[K');
    this.drawn = false;
  }
}
