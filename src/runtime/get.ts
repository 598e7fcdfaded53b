/**
 * `ofp client get NAME`: fetch one media item from a cluster into FILE or
 * stdout — or, for an item of several flows, one file per flow in a
 * directory — with progress on stderr and an iperf-like summary at the end,
 * handoffs included. Exit 0 only when the copy is complete; 1 when the
 * stream failed.
 */
import { MAX_NAME } from '../protocol/constants.js';
import { type Choice, type ClientResult, type HandoffRecord, parseChoice, type RequestMode, type ScheduledRate } from '../roles/client/client.js';
import { CopyTarget } from './copyTarget.js';
import { type FetchFlow, startFetch } from './fetch.js';
import { type LogLevel, Output, type OutputMode } from './output.js';
import { Progress } from './progress.js';
import { formatRateSchedule, parseRateSchedule } from './rateSchedule.js';
import { localBindHost, resolveEndpoints, resolveHost } from './resolve.js';
import { DEFAULT_MASTER } from './defaults.js';
import { onStopSignal, signalStatus } from './signals.js';
import { checkMediaName } from './syntheticFile.js';
import { formatBytes, formatDuration, formatRate } from '../view/units.js';
import { parseDuration } from './units.js';
import { errorLine } from './errorLine.js';
import { CopyRefused, UsageError } from '../errors.js';
import { termSafe } from './termSafe.js';

export interface GetFlags {
  readonly name: string;
  /** `--master`; absent: the default master, or none in list mode with `--servers` (§13.6). */
  readonly master?: string;
  /** `--portal`: portals to ask instead of the masters (§12.3). */
  readonly portal?: string;
  readonly out: string;
  readonly mode?: string;
  readonly choose: string;
  readonly force: boolean;
  /** Seconds; 0: no limit. */
  readonly timeout: string;
  /** `0s:1x,10s:2x`: stream adjustments after the stream starts playing. */
  readonly rateSchedule?: string;
  /** `--location`: where the client is (§12.5). */
  readonly location?: string;
  /** `--echo`: the master may time its round trip to the client (§12.5). */
  readonly echo?: boolean;
  /** `--servers`: servers to ask for the list when no master answers (§13.6). */
  readonly servers?: string;
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

/** What the flags of `ofp client get` ask for, checked and resolved before anything is sent. */
interface GetPlan {
  readonly mode: RequestMode | undefined;
  readonly choose: Choice;
  readonly timeoutMs: number;
  readonly schedule: ScheduledRate[] | undefined;
  readonly loc: string | undefined;
  readonly masters: readonly { readonly address: string; readonly family: 4 | 6 }[];
  /** The masters are portals (§12.3). */
  readonly portal: boolean;
  readonly host: string;
  readonly target: CopyTarget;
  /** Servers to ask for the list when no master answers (§13.6). */
  readonly servers: readonly string[] | undefined;
}

/** How the stream went, as the command saw it. */
interface Streamed {
  readonly result: ClientResult;
  readonly flows: readonly FetchFlow[] | undefined;
  /** Why the copy could not even be opened (a usage error is the user's to fix). */
  readonly refused: UsageError | CopyRefused | undefined;
  /** `timeout`, or the signal that stopped it. */
  readonly stoppedBy: string | undefined;
}

export async function runGet(f: GetFlags): Promise<number> {
  const out = new Output({ mode: f.output, logLevel: f.logLevel });
  const plan = await planGet(f);
  const streamed = await streamToCopy(f, plan, out);
  const { target } = plan;
  await target.close();
  // Nothing came: do not leave empty files where there were none.
  const removed = target.written === 0 && !(streamed.result.ok && streamed.result.size === 0) && await target.discard();
  if (streamed.refused instanceof UsageError) {
    process.stderr.write(errorLine(streamed.refused.code, streamed.refused.message) + '\n');
    return 2;
  }
  const summary = summarize(f, plan, streamed);
  return report(f, out, summary, target, removed, streamed.stoppedBy);
}

/** Step 1: check the flags and resolve the addresses; the copy's place is checked before asking. */
async function planGet(f: GetFlags): Promise<GetPlan> {
  checkMediaName(f.name);
  if (f.out === '-' && f.output !== 'human') {
    throw new UsageError('usage', `--out - writes the copy to stdout, which --${f.output} needs too: write the copy to a file`);
  }
  const mode = parseMode(f.mode);
  const choose = parseChoose(f.choose);
  const timeoutMs = parseDuration(f.timeout, '--timeout', 's', true);
  const schedule: ScheduledRate[] | undefined = f.rateSchedule !== undefined ? parseRateSchedule(f.rateSchedule) : undefined;
  if (f.location !== undefined && (f.location.length === 0 || Buffer.byteLength(f.location) > MAX_NAME)) throw new UsageError('usage', `--location must be 1 to ${MAX_NAME} bytes`);
  const portal = f.portal !== undefined;
  if (f.servers !== undefined && mode !== 'list') throw new UsageError('usage', '--servers is for --mode list: a server answers the list, not a redirect');
  // In list mode with --servers and no --master, no master at all: the servers are asked at once (§13.6).
  const noMaster = !portal && f.master === undefined && f.servers !== undefined;
  const masters = portal ? await resolveEndpoints(f.portal!, '--portal') : noMaster ? [] : await resolveEndpoints(f.master ?? DEFAULT_MASTER, '--master');
  const serverEndpoints = f.servers !== undefined ? await resolveEndpoints(f.servers, '--servers', masters[0]?.family) : undefined;
  const asked = masters.length > 0 ? masters : serverEndpoints!;
  const host = f.host ? (await resolveHost(f.host, '--host', asked[0]!.family)).host : localBindHost(asked);
  const target = CopyTarget.prepare(f.out, f.force, f.name);
  const servers = serverEndpoints?.map((s) => s.address);
  return { mode, choose, timeoutMs, schedule, loc: f.location, masters, portal, host, target, servers };
}

/** Step 2: run the client into the copy, with progress, until it ends, times out or a signal stops it. */
async function streamToCopy(f: GetFlags, plan: GetPlan, out: Output): Promise<Streamed> {
  const { mode, choose, schedule, masters, host, target } = plan;
  let flows: readonly FetchFlow[] | undefined;
  let srv: string | undefined;
  let refused: UsageError | CopyRefused | undefined;
  /** Stops the stream; set once it runs. */
  let stopStream = () => {};
  const fetch = await startFetch(
    { masters: masters.map((m) => m.address), ...(plan.portal ? { portal: true } : {}), file: f.name, ...(mode ? { mode } : {}), choose, ...(schedule ? { schedule } : {}), ...(plan.loc !== undefined ? { loc: plan.loc } : {}), ...(f.echo === true ? { echo: true } : {}), ...(plan.servers ? { servers: plan.servers } : {}), host },
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
          const line = `ofp client get ${f.name}: asking ${plan.portal ? 'portal ' : masters.length === 0 ? 'servers ' : ''}${(masters.length > 0 ? masters.map((m) => m.address) : plan.servers ?? []).join(', ')}${mode ? ` (${mode})` : ''}${schedule ? `, rate schedule ${formatRateSchedule(schedule)}` : ''} from ${e.address}`;
          // With the copy on stdout, nothing else may go there.
          return target.toStdout ? out.note(line) : out.listening(e, line);
        }
        if (e.type === 'setup') srv = e.srv;
        // A handoff: the new server streams from now on (the old one's last data still counts).
        if (e.type === 'switch' || e.type === 'handoff') srv = e.to;
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
  const timer = plan.timeoutMs > 0 ? setTimeout(() => {
    stoppedBy = 'timeout';
    fetch.stop();
  }, plan.timeoutMs) : undefined;
  const unsubscribe = onStopSignal((signal) => {
    stoppedBy = signal;
    fetch.stop();
  });
  try {
    const result = await fetch.done;
    return { result, flows, refused, stoppedBy };
  } finally {
    clearTimeout(timer);
    unsubscribe();
    progress.stop();
  }
}

/** Step 3: the verdict (complete, or why not) and the figures, as `--json` prints them. */
function summarize(f: GetFlags, plan: GetPlan, s: Streamed): GetSummary {
  const { result, refused, stoppedBy, flows } = s;
  const { target } = plan;
  const complete = result.ok && !refused && !target.problem && target.written === result.size;
  let code: string | undefined = result.code;
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
  return {
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
    masters: plan.masters.map((m) => m.address),
    mode: plan.mode ?? 'master default',
    ...(plan.schedule ? { rateSchedule: formatRateSchedule(plan.schedule) } : {}),
  };
}

/** Step 4: print the summary and, when the copy is not complete, what was kept; the exit status. */
function report(f: GetFlags, out: Output, summary: GetSummary, target: CopyTarget, removed: boolean, stoppedBy: string | undefined): number {
  out.summary({ ...summary });
  if (out.mode !== 'json-stream' && (summary.ok || target.written > 0)) {
    // With the copy on stdout, the summary goes to stderr.
    const lines = summaryLines(summary, target.describe());
    for (const line of lines) (target.toStdout || out.mode === 'json' ? process.stderr : process.stdout).write(termSafe(line) + '\n');
  }
  if (summary.ok) return 0;
  const perFlow = target.writtenPerFlow;
  const kept = target.toStdout ? `${target.written} bytes were written to stdout, in order`
    : removed || !target.opened ? `nothing was written (${f.out} was not created)`
      : target.multi ? `the flow files in ${f.out} hold the first ${perFlow.join(', ')} bytes of each flow, in order`
        : `${target.paths[0]} holds the first ${target.written} bytes, in order`;
  process.stderr.write(errorLine(summary.code!, `${summary.message}; ${kept}`) + '\n');
  // Stopped by Ctrl-C or SIGTERM: the status a shell gives a process the signal ended (130, 143).
  return stoppedBy === 'SIGINT' || stoppedBy === 'SIGTERM' ? signalStatus(stoppedBy) : 1;
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
