/**
 * What a command prints. Three modes, as iperf has them:
 *  - human: log lines on stderr, results on stdout;
 *  - `--json-stream`: one JSON object per line on stdout,
 *    `{"event": type, "t": ms since the epoch, "data": {...}}`, the first being `listening`;
 *  - `--json`: one document on stdout at the end (log lines still go to stderr).
 * Debug-level events are shown only with `--log-level debug`.
 */
import type { RoleEvent } from '../roles/role.js';
import { now } from './clock.js';
import { termSafe, termSafeLines } from './termSafe.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type OutputMode = 'human' | 'json' | 'json-stream';

const RANK: Readonly<Record<LogLevel, number>> = { debug: 0, info: 1, warn: 2, error: 3 };
/** Bytes of a binary field shown in hex; the rest is summarised by its length. */
const HEX_SHOWN = 16;

export interface Sink {
  write(text: string): unknown;
}

export interface OutputOptions {
  readonly mode: OutputMode;
  readonly logLevel: LogLevel;
  readonly stdout?: Sink;
  readonly stderr?: Sink;
}

/** A JSON-safe copy: binary becomes `{bytes, hex}` (first bytes only), bigints strings. */
export function sanitize(value: unknown, depth = 0): unknown {
  if (value instanceof Uint8Array) {
    const hex = Buffer.from(value.buffer, value.byteOffset, Math.min(value.length, HEX_SHOWN)).toString('hex');
    return { bytes: value.length, hex: value.length > HEX_SHOWN ? `${hex}…` : hex };
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => sanitize(v, depth + 1));
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), sanitize(v, depth + 1)]));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = sanitize(v, depth + 1);
  return out;
}

function humanValue(v: unknown): string {
  const s = sanitize(v);
  if (typeof s === 'string') return /^[^\s"=]+$/.test(s) && termSafe(s) === s ? s : termSafe(JSON.stringify(s));
  if (typeof s === 'object' && s !== null && 'hex' in s && 'bytes' in s) return `<${(s as { bytes: number }).bytes} bytes>`;
  return JSON.stringify(s);
}

/** `12:00:01.234 redirect client=127.0.0.1:5123 srv=127.0.0.1:7701` */
export function humanEvent(e: RoleEvent, t = now()): string {
  const fields = Object.entries(e)
    .filter(([k, v]) => k !== 'type' && k !== 'level' && v !== undefined)
    .map(([k, v]) => `${k}=${humanValue(v)}`);
  const level = e.level === 'warn' || e.level === 'error' ? `${e.level.toUpperCase()} ` : '';
  return `${clockTime(t)} ${level}${e.type}${fields.length ? ' ' + fields.join(' ') : ''}`;
}

export function clockTime(t: number): string {
  return new Date(t).toISOString().slice(11, 23);
}

export class Output {
  readonly mode: OutputMode;
  readonly logLevel: LogLevel;
  private readonly stdout: Sink;
  private readonly stderr: Sink;

  constructor(o: OutputOptions) {
    this.mode = o.mode;
    this.logLevel = o.logLevel;
    this.stdout = o.stdout ?? process.stdout;
    this.stderr = o.stderr ?? process.stderr;
  }

  shows(level: LogLevel | undefined): boolean {
    return RANK[level ?? 'info'] >= RANK[this.logLevel];
  }

  /** An event of a role (or of the command): a JSON line, or a log line on stderr. */
  event(e: RoleEvent): void {
    if (!this.shows(e.level)) return;
    const t = now();
    if (this.mode === 'json-stream') {
      const { type, ...data } = e;
      this.stdout.write(JSON.stringify({ event: type, t: Math.round(t * 1000) / 1000, data: sanitize(data) }) + '\n');
    } else {
      this.stderr.write(humanEvent(e, t) + '\n');
    }
  }

  /** A result line for people: stdout in human mode; nothing in the JSON modes (they carry it as data). */
  result(text: string): void {
    if (this.mode === 'human') this.stdout.write(termSafeLines(text) + '\n');
  }

  /** A progress or notice line for people: stderr, except in `--json-stream` mode. */
  note(text: string): void {
    if (this.mode !== 'json-stream') this.stderr.write(termSafeLines(text) + '\n');
  }

  /** The final document of `--json` (or a `summary` event in `--json-stream`). */
  summary(doc: Record<string, unknown>): void {
    if (this.mode === 'json') this.stdout.write(JSON.stringify(sanitize(doc), null, 2) + '\n');
    else if (this.mode === 'json-stream') this.event({ type: 'summary', ...doc });
  }

  /**
   * The one line a role prints at start: the `listening` event in `--json-stream`,
   * otherwise `text` (stdout in human mode, stderr with `--json`).
   */
  listening(e: RoleEvent, text: string): void {
    if (this.mode === 'json-stream') return this.event(e);
    if (this.mode === 'human') this.stdout.write(termSafe(text) + '\n');
    else this.stderr.write(termSafe(text) + '\n');
    if (typeof e.detail === 'string') this.stderr.write(`warning: ${termSafe(e.detail)}\n`);
  }

  /** A warning a command gives once: `warning: …` on stderr, or a `type` event (level warn) with `--json-stream`. */
  warning(type: string, text: string): void {
    if (this.mode === 'json-stream') this.event({ type, level: 'warn', detail: text });
    else this.stderr.write(`warning: ${text}\n`);
  }

  /** Raw text on stderr, whatever the mode (a TTY progress line). */
  raw(text: string): void {
    this.stderr.write(text);
  }
}
