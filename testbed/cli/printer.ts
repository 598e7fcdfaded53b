/**
 * How the testbed commands print, in the three output modes of every ofp
 * command: human (progress on stderr, results on stdout), `--json` (one
 * document on stdout at the end) and `--json-stream` (one JSON object per
 * line on stdout: `{"event", "t", "data"}`).
 */
export type OutputMode = 'human' | 'json' | 'json-stream';

export interface Sink {
  write(text: string): unknown;
}

export class Printer {
  constructor(
    readonly mode: OutputMode,
    private readonly stdout: Sink = process.stdout,
    private readonly stderr: Sink = process.stderr,
  ) {}

  /** A progress line: stderr, or a `progress` event in --json-stream. */
  progress(line: string, data: Record<string, unknown> = {}): void {
    if (this.mode === 'json-stream') this.event('progress', { ...data, line });
    else this.stderr.write(line + '\n');
  }

  /** A result line for people (human mode only: the JSON modes carry it as data). */
  result(line: string): void {
    if (this.mode === 'human') this.stdout.write(line + '\n');
  }

  /** A line that must reach people whatever the mode (an error, how to reproduce a failure): stderr. */
  notice(line: string): void {
    this.stderr.write(line + '\n');
  }

  event(type: string, data: Record<string, unknown>): void {
    if (this.mode === 'json-stream') this.stdout.write(JSON.stringify({ event: type, t: Date.now(), data }) + '\n');
  }

  /** The final document (--json), or a `summary` event (--json-stream). */
  document(doc: Record<string, unknown>): void {
    if (this.mode === 'json') this.stdout.write(JSON.stringify(doc, null, 2) + '\n');
    else this.event('summary', doc);
  }
}

/** Exit statuses: 0 pass, 1 an expectation failed, 2 invalid scenario or usage, 3 harness failure. */
export const EXIT = { pass: 0, failed: 1, usage: 2, harness: 3, interrupted: 130 } as const;

/** `error <code>: …`, as every ofp error line. */
export function errorLine(code: string, message: string): string {
  return `error ${code}: ${message.replace(/\s*\n\s*/g, '; ')}`;
}

/** Abort on Ctrl-C or SIGTERM while `fn` runs (a second one exits at once). */
export async function interruptible<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  const onSignal = () => {
    if (ac.signal.aborted) process.exit(EXIT.interrupted);
    ac.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await fn(ac.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
