/**
 * `ofp job submit`, `ofp job add`, `ofp job status`, `ofp job wait`: a provider core (§14.1, §14.8)
 * on a socket. `submit` hashes the file, submits the job to the base server,
 * serves the file to the base server's pulls, and (with --wait) follows the
 * job to its end; `status` reads a job's state once; `wait` follows it until
 * it ends; `list` reads every job the base server holds. Exit status: 0 when the job (or the upload, without --wait) is
 * done, 1 when it failed or the base server did not answer.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { JOB_BLOCK_CHUNKS, JOB_CHUNK, MAX_STREAM_RATE } from '../protocol/constants.js';
import { readSidecar, SIDECAR_SUFFIX } from './mediaDir.js';
import { nodeCrypto, roleDeps } from '../platform/crypto.js';
import { hashList } from '../roles/jobs/object.js';
import { type JobRow, Provider, type ProviderConfig, type ProviderEvent } from '../roles/provider/provider.js';
import type { CoreEvent } from '../roles/role.js';
import { type DriverEvent, startRole } from './driver.js';
import { DiskJobFiles } from './jobFiles.js';
import { type LogLevel, Output, type OutputMode } from './output.js';
import { localBindHost, resolveEndpoint, resolveEndpoints } from './resolve.js';
import { onStopSignal } from './signals.js';
import { queryStatus } from './statusQuery.js';
import { table } from './table.js';
import { parseRate } from './units.js';
import { UsageError } from '../errors.js';
import { clusterKey } from './clusterKey.js';
import { errorLine } from './errorLine.js';
import { formatBytes, formatDuration } from '../view/units.js';
import { flowNameProblem } from '../protocol/flowNames.js';
import { BaseLink, type JobListRow } from './baseLink.js';

export interface JobCommonFlags {
  readonly base: string;
  readonly key?: string;
  readonly output: OutputMode;
  readonly logLevel: LogLevel;
}

export interface SubmitFlags extends JobCommonFlags {
  readonly file: string;
  /** The name at the targets; the file's own name by default. */
  readonly as?: string;
  readonly to?: string;
  readonly toAll?: boolean;
  readonly toGroup?: string;
  /** The master to ask for every server (`--to-all`, `--to-group`). */
  readonly master?: string;
  readonly rate?: string;
  /** The media rate the targets stream it at; its sidecar's (FILE.ofp.json) by default. */
  readonly mediaRate?: string;
  readonly wait: boolean;
}

function needKey(given: string | undefined): string {
  const key = clusterKey(given);
  if (!key) throw new UsageError('usage', 'jobs move only within a keyed cluster: give the cluster key (--key or OFP_KEY) (§14.7)');
  return key;
}

/** The hash list of a file on disk and its root (§14.3), block by block. */
export function hashFile(path: string, size: number): { list: Uint8Array; root: Uint8Array } {
  const fd = openSync(path, 'r');
  try {
    const block = Buffer.allocUnsafe(JOB_BLOCK_CHUNKS * JOB_CHUNK);
    return hashList((off, len) => {
      let got = 0;
      while (got < len) {
        const n = readSync(fd, block, got, len - got, off + got);
        if (n === 0) throw new UsageError('usage', `${path} changed while it was read`);
        got += n;
      }
      return block.subarray(0, len);
    }, size, nodeCrypto);
  } finally {
    closeSync(fd);
  }
}

/** The targets: `--to`, or every server (of a group) the master knows. */
/**
 * A master's servers in the order a job approaches them (S5.2): the most bandwidth to spare first, as
 * the master measures it from their load reports (capacity less the greater of what their streams
 * hold and what they were measured to send), so that the first job to them, before any has said
 * the upload it supports (§14.2), puts the fastest at the top of its cascade too. Ties keep the master's order.
 */
export function byHeadroom<T extends { readonly cap: number; readonly bw: number; readonly sent: number }>(servers: readonly T[]): T[] {
  const spare = (s: T) => Math.max(0, s.cap - Math.max(s.bw, s.sent));
  return servers.map((s, i) => ({ s, i })).sort((a, b) => spare(b.s) - spare(a.s) || a.i - b.i).map((e) => e.s);
}

async function targetsOf(f: SubmitFlags, key: string): Promise<string[]> {
  const given = [f.to !== undefined, f.toAll === true, f.toGroup !== undefined].filter(Boolean).length;
  if (given !== 1) throw new UsageError('usage', 'name the targets: --to SERVER[,SERVER…], --to-all or --to-group GROUP');
  if (f.to !== undefined) return [...new Set((await resolveEndpoints(f.to, '--to')).map((e) => e.address))];
  if (f.master === undefined) throw new UsageError('usage', '--to-all and --to-group ask a master for its servers: give --master HOST:PORT');
  const master = await resolveEndpoint(f.master, '--master');
  const status = await queryStatus({ master, key });
  const servers = byHeadroom(status.servers.filter((s) => f.toGroup === undefined || s.group === f.toGroup)).map((s) => s.name);
  if (servers.length === 0) throw new UsageError('usage', f.toGroup !== undefined ? `the master knows no server of group ${JSON.stringify(f.toGroup)}` : 'the master knows no server');
  return servers;
}

type RunEvent = ProviderEvent | CoreEvent | DriverEvent;

/** Run a provider core until it is done; its events go to `onEvent`. */
async function runProvider(config: ProviderConfig, key: string, files: DiskJobFiles, onEvent: (e: RunEvent) => void): Promise<Provider> {
  const base = await resolveEndpoint(config.base, '--base');
  let finish: () => void = () => {};
  const done = new Promise<void>((r) => {
    finish = r;
  });
  const core = new Provider(roleDeps(key), { ...config, base: base.address }, files);
  const running = await startRole<Provider>({
    role: core,
    host: localBindHost([base]),
    port: 0,
    onEvent: (e) => {
      onEvent(e);
      if (core.done) finish();
    },
  });
  const cancel = onStopSignal(() => {
    running.command({ type: 'stop' });
    finish();
  });
  running.command({ type: 'start' });
  // The core may be done already (an answer in the same turn): check once more.
  if (core.done) finish();
  await done;
  cancel();
  await running.flushed(500);
  await running.close();
  files.close();
  return running.role;
}

const STATES = ['new', 'received', 'progress', 'completed', 'failed'] as const;

function countsText(counts: readonly number[]): string {
  return STATES.map((s, i) => `${counts[i]} ${s}`).filter((_, i) => counts[i]! > 0).join(', ') || 'no target';
}

/** What `ofp job status` and `ofp job wait` print: a line for the job, a row per target. */
export function jobLines(e: Extract<ProviderEvent, { type: 'job-state' }>): string[] {
  const s = e.status;
  const rowsOf = (rows: readonly JobRow[]) => table(['#', 'SERVER', 'STATE', 'HOLDS', 'SOURCE', 'CODE', 'RETRY IN'], rows.map((r: JobRow) => [
    r.idx, r.srv, r.st, formatBytes(r.got), r.src ?? '-', r.code ?? '-', r.retry !== undefined ? formatDuration(r.retry) : '-',
  ]));
  const head = `job ${s.job}  ${s.file}  ${formatBytes(s.size)}  ${s.state}${s.took !== undefined ? ` in ${formatDuration(s.took)}` : ''}  ${countsText(s.counts)} of ${s.total}`;
  if (!e.commands) return [head, '', ...rowsOf(e.rows)];
  // A job of several commands (§14.8): each one's state at each target, in order.
  return [
    `${head}  ${e.commands.length} commands`,
    ...e.commands.flatMap((c) => ['', `command ${c.cmd}  ${c.op} ${c.file}  ${c.state}  ${countsText(c.counts)}`, ...rowsOf(c.rows)]),
  ];
}

/** The exit status, after the job's rows; `look`: `ofp job status`, for which a job that failed is a state shown, not a failure. */
function report(out: Output, p: Provider, final: Extract<ProviderEvent, { type: 'job-state' }> | undefined, look = false): number {
  if (final) {
    out.summary({ ...final.status, targets: final.rows, ...(final.commands ? { commands: final.commands } : {}) });
    if (out.mode === 'human') for (const line of jobLines(final)) out.result(line);
  }
  switch (p.outcome) {
    case 'completed':
    case 'uploaded':
    case 'added':
    case 'status':
      return 0;
    case 'failed': {
      if (look) return 0;
      const failed = final?.rows.filter((r) => r.st === 'failed') ?? [];
      process.stderr.write(errorLine('job-failed', `job ${p.job}: ${failed.length} target(s) failed: ${failed.slice(0, 5).map((r) => `${r.srv} (${r.code ?? 'failed'})`).join(', ')}${failed.length > 5 ? ', …' : ''}`) + '\n');
      return 1;
    }
    default:
      return 1;
  }
}

/** Events a person watching wants: the job's progress, its refusal, an unreachable base server. */
function onJobEvent(out: Output, e: RunEvent): void {
  switch (e.type) {
    case 'job-accepted':
      out.event(e);
      if (out.mode === 'human') out.note(`job ${e.job} accepted: ${e.msg}`);
      return;
    case 'job-refused':
      process.stderr.write(errorLine(e.code, e.msg) + '\n');
      return;
    case 'base-unreachable':
      process.stderr.write(errorLine('base-unreachable', `no answer from the base server ${e.base} after ${e.attempts} tries: is it running, with the same --key?`) + '\n');
      return;
    case 'job-unknown':
      process.stderr.write(errorLine('unknown-job', `the base server holds no job ${e.job}`) + '\n');
      return;
    case 'job-command-accepted':
      out.event(e);
      if (out.mode === 'human') out.note(`job ${e.job}: command ${e.cmd} accepted: ${e.msg}`);
      return;
    case 'job-state':
      return;
    case 'listening':
      // The provider's own socket: of interest when debugging only.
      out.event({ ...e, level: 'debug' });
      return;
    default:
      out.event(e);
  }
}

/**
 * A file a provider sends (`ofp job submit`, `ofp job add … copy`): found, named at the targets (`--as`,
 * or its own name), its transfer rate (`--rate`) and media rate (`--media-rate`, or
 * its sidecar's, as a server would read it; else each target's default).
 */
function fileToSend(f: { readonly file: string; readonly as?: string; readonly rate?: string; readonly mediaRate?: string }) {
  const path = resolve(f.file);
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new UsageError('usage', `${f.file} is not a regular file`);
    size = st.size;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError('usage', `${f.file} cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const name = f.as ?? basename(path);
  const bad = flowNameProblem(name);
  if (bad) throw new UsageError('usage', `the name at the targets, ${JSON.stringify(name)}, ${bad}: give --as NAME`);
  const rate = f.rate !== undefined ? parseRate(f.rate, '--rate') : undefined;
  const mrate = f.mediaRate !== undefined ? parseRate(f.mediaRate, '--media-rate') : readSidecar(path + SIDECAR_SUFFIX)?.rate;
  if (mrate !== undefined && mrate > MAX_STREAM_RATE) throw new UsageError('usage', `--media-rate ${f.mediaRate ?? mrate}: a stream goes at most ${MAX_STREAM_RATE} bit/s (MAX_STREAM_RATE)`);
  return { path, size, name, rate, mrate };
}

export async function runJobSubmit(f: SubmitFlags): Promise<number> {
  const out = new Output({ mode: f.output, logLevel: f.logLevel });
  const key = needKey(f.key);
  const { path, size, name, rate, mrate } = fileToSend(f);
  const targets = await targetsOf(f, key);
  const { list, root } = hashFile(path, size);
  let final: Extract<ProviderEvent, { type: 'job-state' }> | undefined;
  const p = await runProvider(
    { base: f.base, submit: { file: name, size, list, root, targets, ...(rate ? { rate } : {}), ...(mrate ? { mrate } : {}) }, follow: f.wait },
    key,
    new DiskJobFiles(dirname(path), undefined, new Map([['upload', path]])),
    (e) => {
      if (e.type === 'job-state') final = e;
      onJobEvent(out, e);
    },
  );
  if (p.outcome === 'uploaded' && out.mode === 'human') out.result(`job ${p.job}: the base server holds ${name}; it goes on without this process (ofp job wait ${p.job} --base ${f.base})`);
  if (p.outcome === 'uploaded') out.summary({ job: p.job, file: name, size, targets: targets.length, state: 'running' });
  return report(out, p, final);
}

export interface AddFlags extends JobCommonFlags {
  readonly job: string;
  readonly op: string;
  /** `copy`: the file to send; `delete`, `verify`: the name at the targets. */
  readonly file: string;
  /** `copy`: the name at the targets; the file's own name by default. */
  readonly as?: string;
  readonly rate?: string;
  readonly mediaRate?: string;
  readonly wait: boolean;
}

const OPS = ['copy', 'delete', 'verify'] as const;

/** `ofp job add JOB copy FILE | delete NAME | verify NAME` (§14.8). Exit 0 once the base server took it (and, with --wait, once the job ended well). */
export async function runJobAdd(f: AddFlags): Promise<number> {
  const out = new Output({ mode: f.output, logLevel: f.logLevel });
  const key = needKey(f.key);
  const job = jobId(f.job);
  const op = OPS.find((o) => o === f.op);
  if (!op) throw new UsageError('usage', `${JSON.stringify(f.op)} is not a command: give copy FILE, delete FILE or verify FILE`);
  let add: NonNullable<ProviderConfig['add']>;
  let files = new DiskJobFiles('.');
  if (op === 'copy') {
    const { path, size, name, rate, mrate } = fileToSend(f);
    const { list, root } = hashFile(path, size);
    add = { job, op, file: name, size, list, root, ...(rate ? { rate } : {}), ...(mrate ? { mrate } : {}) };
    files = new DiskJobFiles(dirname(path), undefined, new Map([['upload', path]]));
  } else {
    if (f.as !== undefined || f.rate !== undefined || f.mediaRate !== undefined) throw new UsageError('usage', `--as, --rate and --media-rate are a copy's: ${op} names a file the targets hold`);
    const bad = flowNameProblem(f.file);
    if (bad) throw new UsageError('usage', `the file name ${JSON.stringify(f.file)} ${bad}: ${op} names one file of each target's media directory`);
    add = { job, op, file: f.file };
  }
  let final: Extract<ProviderEvent, { type: 'job-state' }> | undefined;
  let cmd: number | undefined;
  const p = await runProvider({ base: f.base, add, follow: f.wait }, key, files, (e) => {
    if (e.type === 'job-state') final = e;
    if (e.type === 'job-command-accepted') cmd = e.cmd;
    onJobEvent(out, e);
  });
  if (p.outcome === 'added') {
    if (out.mode === 'human') out.result(`job ${job}: command ${cmd} (${op} ${add.file}) added; the targets run it in turn (ofp job status ${job} --base ${f.base})`);
    out.summary({ job, cmd, op, file: add.file, state: 'running' });
  }
  return report(out, p, final);
}

export interface FollowFlags extends JobCommonFlags {
  readonly job: string;
}

function jobId(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 0xffff_ffff) throw new UsageError('usage', `JOB ${JSON.stringify(text)} is not a job id (1 to 4294967295)`);
  return n;
}

/** `ofp job status` (one look) and `ofp job wait` (until it ends). */
export async function runJobFollow(f: FollowFlags, follow: boolean): Promise<number> {
  const out = new Output({ mode: f.output, logLevel: f.logLevel });
  const key = needKey(f.key);
  let final: Extract<ProviderEvent, { type: 'job-state' }> | undefined;
  const p = await runProvider({ base: f.base, job: jobId(f.job), follow }, key, new DiskJobFiles('.'), (e) => {
    if (e.type === 'job-state') final = e;
    if (e.type === 'job-progress' && !follow) return;
    onJobEvent(out, e);
  });
  return report(out, p, final, !follow);
}

/** What `ofp job list` prints: a row per job the base server holds. */
export function jobListLines(rows: readonly JobListRow[]): string[] {
  if (rows.length === 0) return ['the base server holds no job'];
  return table(['JOB', 'FILE', 'SIZE', 'STATE', 'TARGETS', 'DONE', 'FAILED', 'PROGRESS', 'AGE'], rows.map((r) => [
    r.job, r.file, formatBytes(r.size), r.state, r.total, r.done, r.failed,
    `${r.size * r.total === 0 ? (r.done === r.total ? 100 : 0) : Math.floor((100 * r.got) / (r.size * r.total))}%`, formatDuration(r.age),
  ]));
}

/** Tries of each page of `ofp job list`, and the wait for each. */
const LIST_TRIES = 4;
const LIST_WAIT = 500;

/** `ofp job list`: every job the base server holds, once. Exit 0, or 1 when the base server did not answer. */
export async function runJobList(f: JobCommonFlags): Promise<number> {
  const out = new Output({ mode: f.output, logLevel: f.logLevel });
  const key = needKey(f.key);
  const base = await resolveEndpoint(f.base, '--base');
  const link = await BaseLink.open(base, key);
  let rows: JobListRow[] | undefined;
  try {
    rows = await link.jobs(LIST_WAIT, LIST_TRIES);
  } finally {
    await link.close();
  }
  if (!rows) {
    const why = link.unauthenticated > 0 ? 'it answered without a valid MAC: check --key' : 'is it running, with the same --key?';
    process.stderr.write(errorLine('base-unreachable', `no answer from the base server ${base.address} after ${LIST_TRIES} tries: ${why}`) + '\n');
    return 1;
  }
  out.summary({ base: base.address, jobs: rows });
  if (out.mode === 'human') for (const line of jobListLines(rows)) out.result(line);
  return 0;
}
