/**
 * `ofp client get NAME`: fetch one media item from a cluster into FILE or
 * stdout — or, for an item of several flows, one file per flow in a
 * directory — with progress on stderr and an iperf-like summary at the end,
 * handoffs included. Exit 0 only when the copy is complete; 1 when the
 * stream failed.
 */
import { type Choice, type ClientResult, type HandoffRecord, parseChoice, type RequestMode, type ScheduledRate } from '../roles/client/client.js';
import { CopyRefused, CopyTarget } from './copyTarget.js';
import { type FetchFlow, startFetch } from './fetch.js';
import { type LogLevel, Output, type OutputMode } from './output.js';
import { Progress } from './progress.js';
import { formatRateSchedule, parseRateSchedule } from './rateSchedule.js';
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
  /** `0s:1x,10s:2x`: stream adjustments after the stream starts playing. */
  readonly rateSchedule?: string;
  readonly host?: string;
  readonly output: OutputMode;
  readonly logLevel: LogLevel;
}

/** One handoff as the summary reports it: positions in ms of normal play time. */
export interface HandoffSummary {
  readonly from: string;
  readonly to: string;
  readonly why: string;
  /** Where the client stood (flow 0) when the stream moved. */
  readonly npt: number;
  /** Where the master computed the stream stood, when it ran the handoff. */
  readonly computed?: number;
  /** computed − npt. */
  readonly diff?: number;
  /** From the old server's last packet to the new server's first in-order one, ms. */
  readonly gap: number;
}

/** What `--json` prints and the demo reads. */
export interface GetSummary {
  readonly file: string;
  readonly out: string;
  readonly ok: boolean;
  readonly code?: string;
  readonly message?: string;
  /** Bytes written, in order (over every flow). */
  readonly bytes: number;
  readonly size: number;
  /** For an item of several flows: each flow's file. */
  readonly flows?: readonly { name: string; path: string; size: number; bytes: number }[];
  readonly seconds: number;
  /** Average rate, bits per second. */
  readonly rate: number;
  readonly servers: readonly string[];
  readonly switches: number;
  readonly handoffs: readonly HandoffSummary[];
  /** The largest handoff gap, ms (0 without handoffs). */
  readonly maxGap: number;
  readonly duplicates: number;
  /** Milliseconds from the first request to the first byte. */
  readonly firstByteMs?: number;
  readonly masters: readonly string[];
  readonly mode: string;
  readonly rateSchedule?: string;
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

export function handoffSummary(h: HandoffRecord): HandoffSummary {
  return {
    from: h.from,
    to: h.to,
    why: h.why,
    npt: h.npt,
    ...(h.computed !== undefined ? { computed: h.computed, diff: h.computed - h.npt } : {}),
    gap: h.gap,
  };
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
  const schedule: ScheduledRate[] | undefined = f.rateSchedule !== undefined ? parseRateSchedule(f.rateSchedule) : undefined;
  const masters = await resolveEndpoints(f.master, '--master');
  const host = f.host ? (await resolveHost(f.host, '--host', masters[0]!.family)).host : localBindHost(masters);
  const target = CopyTarget.prepare(f.out, f.force, f.name);

  let flows: readonly FetchFlow[] | undefined;
  let srv: string | undefined;
  /** Why the copy could not even be opened (a usage error is the user's to fix). */
  let refused: UsageError | CopyRefused | undefined;
  /** Stops the stream; set once it runs. */
  let stopStream = () => {};
  const fetch = await startFetch(
    { masters: masters.map((m) => m.address), file: f.name, ...(mode ? { mode } : {}), choose, ...(schedule ? { schedule } : {}), host },
    {
      onFlows: (fl) => {
        flows = fl;
        try {
          target.open(fl);
        } catch (e) {
          if (!(e instanceof UsageError || e instanceof CopyRefused)) throw e;
          refused = e;
          // Not from inside the core's event loop: stop on the next turn.
          setImmediate(() => stopStream());
        }
      },
      onBytes: (fl, off, data) => {
        target.write(fl, off, data);
        // The copy cannot go on (a full disk, a closed pipe): stop streaming.
        if (target.problem) stopStream();
      },
      onEvent: (e) => {
        if (e.type === 'listening') {
          const line = `ofp client get ${f.name}: asking ${masters.map((m) => m.address).join(', ')}${mode ? ` (${mode})` : ''}${schedule ? `, rate schedule ${formatRateSchedule(schedule)}` : ''} from ${e.address as string}`;
          // With the copy on stdout, nothing else may go there.
          return target.toStdout ? out.note(line) : out.listening(e, line);
        }
        if (e.type === 'setup') srv = e.srv as string;
        // A handoff: the new server streams from now on (the old one's last data still counts).
        if (e.type === 'switch' || e.type === 'handoff') srv = e.to as string;
        if (e.type === 'server-failed') srv = undefined;
        // The summary says how it ended; in human mode do not say it twice.
        if (out.mode === 'human' && (e.type === 'complete' || e.type === 'failed')) return;
        out.event(e);
      },
    },
  );

  const totalSize = () => (flows ? flows.reduce((n, x) => n + x.size, 0) : undefined);
  const progress = new Progress(out, f.name, () => {
    const size = totalSize();
    return { bytes: target.bytes, ...(size !== undefined ? { size } : {}), ...(srv ? { srv } : {}) };
  }, process.stderr.isTTY === true);
  progress.start();
  stopStream = () => fetch.stop();
  let stoppedBy: string | undefined;
  const timer = timeoutMs > 0 ? setTimeout(() => {
    stoppedBy = 'timeout';
    fetch.stop();
  }, timeoutMs) : undefined;
  const unsubscribe = onStopSignal((signal) => {
    stoppedBy = signal;
    fetch.stop();
  });
  let result: ClientResult;
  try {
    result = await fetch.done;
  } finally {
    clearTimeout(timer);
    unsubscribe();
    progress.stop();
  }
  await target.close();
  // Nothing came: do not leave empty files where there were none.
  const removed = target.written === 0 && !(result.ok && result.size === 0) && await target.discard();
  if (refused instanceof UsageError) {
    process.stderr.write(errorLine(refused.code, refused.message) + '\n');
    return 2;
  }

  const complete = result.ok && !refused && !target.problem && target.written === result.size;
  let code = result.code;
  let message = result.message;
  if (refused) {
    code = refused.code;
    message = refused.message;
  } else if (stoppedBy === 'timeout') {
    code = 'timeout';
    message = `the copy was not complete after --timeout ${f.timeout}`;
  } else if (stoppedBy) {
    code = 'stopped';
    message = `stopped by ${stoppedBy}`;
  } else if (target.problem) {
    code = 'copy-failed';
    message = target.problem;
  } else if (!complete && result.ok) {
    code = 'copy-failed';
    message = `${target.written} of ${result.size} bytes written`;
  }
  const elapsed = Math.max(1, result.finished - result.started);
  const perFlow = target.writtenPerFlow;
  const summary: GetSummary = {
    file: f.name,
    // Where the copy is: the file (inside --out when that is a directory), stdout, or the flows' directory.
    out: target.opened && !target.multi && !target.toStdout ? target.paths[0]! : f.out,
    ok: complete,
    ...(complete ? {} : { code: code ?? 'stream-failed', message: message ?? 'the stream did not complete' }),
    bytes: target.written,
    size: result.size,
    ...(target.multi && flows ? { flows: flows.map((x, i) => ({ name: x.name, path: target.paths[i]!, size: x.size, bytes: perFlow[i] ?? 0 })) } : {}),
    seconds: Math.round(elapsed) / 1000,
    rate: Math.round((target.written * 8 * 1000) / elapsed),
    servers: result.servers,
    switches: result.switches,
    handoffs: result.handoffs.map(handoffSummary),
    maxGap: result.maxGap,
    duplicates: result.duplicates,
    ...(result.firstByte !== undefined ? { firstByteMs: Math.round(result.firstByte - result.started) } : {}),
    masters: masters.map((m) => m.address),
    mode: mode ?? 'master default',
    ...(schedule ? { rateSchedule: formatRateSchedule(schedule) } : {}),
  };
  out.summary({ ...summary });
  if (out.mode !== 'json-stream' && (complete || target.written > 0)) {
    // With the copy on stdout, the summary goes to stderr.
    const lines = summaryLines(summary, target.describe());
    for (const line of lines) (target.toStdout || out.mode === 'json' ? process.stderr : process.stdout).write(line + '\n');
  }
  if (!complete) {
    const kept = target.toStdout ? `${target.written} bytes were written to stdout, in order`
      : removed || !target.opened ? `nothing was written (${f.out} was not created)`
        : target.multi ? `the flow files in ${f.out} hold the first ${perFlow.join(', ')} bytes of each flow, in order`
          : `${target.paths[0]} holds the first ${target.written} bytes, in order`;
    process.stderr.write(errorLine(summary.code!, `${summary.message}; ${kept}`) + '\n');
    return 1;
  }
  return 0;
}

/** `2.866 s`: a position in normal play time. */
function position(ms: number): string {
  return `${(ms / 1000).toFixed(3)} s`;
}

/** One line per handoff, for people. */
export function handoffLine(h: HandoffSummary, i: number): string {
  const computed = h.computed !== undefined && h.diff !== undefined
    ? `, computed ${position(h.computed)} (${h.diff >= 0 ? '+' : ''}${h.diff} ms)`
    : '';
  return `handoff ${i + 1}: ${h.from} → ${h.to}  ${h.why}  at ${position(h.npt)}${computed}  gap ${h.gap} ms`;
}

/** The iperf-like end of a run; `where`: the copy's file(s), for people. */
export function summaryLines(s: GetSummary, where = s.out === '-' ? 'stdout' : s.out): string[] {
  const head = 'Interval         Transfer      Bitrate          Servers  Handoffs  Max gap  Duplicates  First byte';
  const row = [
    `0.00-${s.seconds.toFixed(2)} s`.padEnd(17),
    formatBytes(s.bytes).padEnd(14),
    formatRate(s.rate).padEnd(17),
    String(s.servers.length).padEnd(9),
    String(s.handoffs.length).padEnd(10),
    (s.handoffs.length > 0 ? `${s.maxGap} ms` : '-').padEnd(9),
    String(s.duplicates).padEnd(12),
    s.firstByteMs !== undefined ? formatDuration(s.firstByteMs) : '-',
  ].join('');
  const item = s.flows ? `${s.file} (${s.flows.length} flows)` : s.file;
  const verdict = s.ok
    ? `complete: ${s.bytes} of ${s.size} bytes of ${item} to ${where}, from ${s.servers.join(' then ')}`
    : `incomplete: ${s.bytes} of ${s.size || '?'} bytes of ${item}${s.servers.length ? `, from ${s.servers.join(' then ')}` : ''}`;
  return ['- - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -', head, row, ...s.handoffs.map(handoffLine), verdict];
}
