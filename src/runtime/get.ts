/**
 * `ofp client get NAME`: fetch one file from a cluster into FILE or stdout,
 * with progress on stderr and an iperf-like summary at the end.
 * Exit 0 only when the copy is complete; 1 when the stream failed.
 */
import { unlinkSync } from 'node:fs';
import { type Choice, type ClientResult, parseChoice, type RequestMode } from '../roles/client/client.js';
import { CopyWriter } from './copyWriter.js';
import { type Fetch, startFetch } from './fetch.js';
import { type LogLevel, Output, type OutputMode } from './output.js';
import { Progress } from './progress.js';
import { localBindHost, resolveEndpoints, resolveHost } from './resolve.js';
import { onStopSignal } from './signals.js';
import { checkMediaName } from './syntheticFile.js';
import { formatBytes, formatDuration, formatRate, parseDuration } from './units.js';
import { errorLine, UsageError } from './usageError.js';

export interface GetFlags {
  readonly name: string;
  readonly master: string;
  readonly out: string;
  readonly mode?: string;
  readonly choose: string;
  readonly force: boolean;
  /** Seconds; 0: no limit. */
  readonly timeout: string;
  readonly host?: string;
  readonly output: OutputMode;
  readonly logLevel: LogLevel;
}

/** What `--json` prints and the demo reads. */
export interface GetSummary {
  readonly file: string;
  readonly out: string;
  readonly ok: boolean;
  readonly code?: string;
  readonly message?: string;
  /** Bytes written, in order. */
  readonly bytes: number;
  readonly size: number;
  readonly seconds: number;
  /** Average rate, bits per second. */
  readonly rate: number;
  readonly servers: readonly string[];
  readonly switches: number;
  readonly duplicates: number;
  /** Milliseconds from the first request to the first byte. */
  readonly firstByteMs?: number;
  readonly masters: readonly string[];
  readonly mode: string;
}

function parseMode(mode: string | undefined): RequestMode | undefined {
  if (mode === undefined || mode === '') return undefined;
  if (mode === 'redirect' || mode === 'relay' || mode === 'list') return mode;
  throw new UsageError('usage', `--mode ${JSON.stringify(mode)} is not a mode: use redirect, relay or list`);
}

function parseChoose(text: string): Choice {
  const c = parseChoice(text);
  if (!c) throw new UsageError('usage', `--choose ${JSON.stringify(text)} is not a choice: use random, fewest-users or group:NAME`);
  return c;
}

export async function runGet(f: GetFlags): Promise<number> {
  const out = new Output({ mode: f.output, logLevel: f.logLevel });
  checkMediaName(f.name);
  if (f.out === '-' && f.output !== 'human') {
    throw new UsageError('usage', `--out - writes the copy to stdout, which --${f.output} needs too: write the copy to a file`);
  }
  const mode = parseMode(f.mode);
  const choose = parseChoose(f.choose);
  const timeoutMs = parseDuration(f.timeout, '--timeout', 's', true);
  const masters = await resolveEndpoints(f.master, '--master');
  const host = f.host ? (await resolveHost(f.host, '--host', masters[0]!.family)).host : localBindHost(masters);
  const writer = CopyWriter.open(f.out, f.force);

  let size: number | undefined;
  let srv: string | undefined;
  let fetch: Fetch | undefined;
  try {
    fetch = await startFetch(
      { masters: masters.map((m) => m.address), file: f.name, ...(mode ? { mode } : {}), choose, host },
      (off, data) => {
        writer.write(off, data);
        // The copy cannot go on (a full disk, a closed pipe): stop streaming.
        if (writer.problem) fetch?.stop();
      },
      (e) => {
        if (e.type === 'listening') {
          return out.listening(e, `ofp client get ${f.name}: asking ${masters.map((m) => m.address).join(', ')}${mode ? ` (${mode})` : ''} from ${e.address as string}`);
        }
        if (e.type === 'setup') {
          size = e.size as number;
          srv = e.srv as string;
        }
        if (e.type === 'server-failed') srv = undefined;
        // The summary says how it ended; in human mode do not say it twice.
        if (out.mode === 'human' && (e.type === 'complete' || e.type === 'failed')) return;
        out.event(e);
      },
    );
  } catch (e) {
    await writer.close();
    if (!writer.toStdout && !f.force && writer.written === 0) unlinkSync(f.out);
    throw e;
  }

  const progress = new Progress(out, f.name, () => ({ bytes: writer.bytes, ...(size !== undefined ? { size } : {}), ...(srv ? { srv } : {}) }), process.stderr.isTTY === true);
  progress.start();
  const running = fetch;
  let stoppedBy: string | undefined;
  const timer = timeoutMs > 0 ? setTimeout(() => {
    stoppedBy = 'timeout';
    running.stop();
  }, timeoutMs) : undefined;
  const unsubscribe = onStopSignal((signal) => {
    stoppedBy = signal;
    running.stop();
  });
  let result: ClientResult;
  try {
    result = await running.done;
  } finally {
    clearTimeout(timer);
    unsubscribe();
    progress.stop();
  }
  await writer.close();
  // Nothing came: do not leave an empty file where there was none.
  const removed = !writer.toStdout && !f.force && writer.written === 0 && !(result.ok && result.size === 0);
  if (removed) unlinkSync(f.out);

  const complete = result.ok && !writer.problem && writer.written === result.size;
  let code = result.code;
  let message = result.message;
  if (stoppedBy === 'timeout') {
    code = 'timeout';
    message = `the copy was not complete after --timeout ${f.timeout}`;
  } else if (stoppedBy) {
    code = 'stopped';
    message = `stopped by ${stoppedBy}`;
  } else if (writer.problem) {
    code = 'copy-failed';
    message = writer.problem;
  } else if (!complete && result.ok) {
    code = 'copy-failed';
    message = `${writer.written} of ${result.size} bytes written`;
  }
  const elapsed = Math.max(1, result.finished - result.started);
  const summary: GetSummary = {
    file: f.name,
    out: f.out,
    ok: complete,
    ...(complete ? {} : { code: code ?? 'stream-failed', message: message ?? 'the stream did not complete' }),
    bytes: writer.written,
    size: result.size,
    seconds: Math.round(elapsed) / 1000,
    rate: Math.round((writer.written * 8 * 1000) / elapsed),
    servers: result.servers,
    switches: result.switches,
    duplicates: result.duplicates,
    ...(result.firstByte !== undefined ? { firstByteMs: Math.round(result.firstByte - result.started) } : {}),
    masters: masters.map((m) => m.address),
    mode: mode ?? 'master default',
  };
  out.summary({ ...summary });
  if (out.mode !== 'json-stream' && (complete || writer.written > 0)) {
    // With the copy on stdout, the summary goes to stderr.
    const lines = summaryLines(summary);
    for (const line of lines) (writer.toStdout || out.mode === 'json' ? process.stderr : process.stdout).write(line + '\n');
  }
  if (!complete) {
    const kept = writer.toStdout ? `${writer.written} bytes were written to stdout, in order`
      : removed ? `nothing was written (${f.out} was not created)` : `${f.out} holds the first ${writer.written} bytes, in order`;
    process.stderr.write(errorLine(summary.code!, `${summary.message}; ${kept}`) + '\n');
    return 1;
  }
  return 0;
}

/** The iperf-like end of a run. */
export function summaryLines(s: GetSummary): string[] {
  const head = 'Interval         Transfer      Bitrate          Servers  Switches  Duplicates  First byte';
  const row = [
    `0.00-${s.seconds.toFixed(2)} s`.padEnd(17),
    formatBytes(s.bytes).padEnd(14),
    formatRate(s.rate).padEnd(17),
    String(s.servers.length).padEnd(9),
    String(s.switches).padEnd(10),
    String(s.duplicates).padEnd(12),
    s.firstByteMs !== undefined ? formatDuration(s.firstByteMs) : '-',
  ].join('');
  const verdict = s.ok
    ? `complete: ${s.bytes} of ${s.size} bytes of ${s.file} to ${s.out === '-' ? 'stdout' : s.out}, from ${s.servers.join(' then ')}`
    : `incomplete: ${s.bytes} of ${s.size || '?'} bytes of ${s.file}${s.servers.length ? `, from ${s.servers.join(' then ')}` : ''}`;
  return ['- - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -', head, row, verdict];
}
