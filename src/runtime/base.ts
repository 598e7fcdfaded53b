/**
 * `ofp base`: the base server core (§14) on a socket, with its store on disk,
 * until Ctrl-C or SIGTERM. Providers submit jobs to it (`ofp job submit`); it
 * pulls their files into the store and cascades them to the targets.
 */
import { mkdirSync } from 'node:fs';
import { formatAddress, parseAddress } from '../protocol/address.js';
import { BaseServer, type BaseEvent, JOB_TIMEOUT_DEFAULTS, type JobTimeouts } from '../roles/base/base.js';
import type { CoreEvent } from '../roles/role.js';
import { roleDeps } from '../platform/crypto.js';
import { type DriverEvent, type RunningRole, startRole } from './driver.js';
import { DiskJobFiles } from './jobFiles.js';
import { DiskJobJournal } from './jobJournal.js';
import { now } from './clock.js';
import { type LogLevel, Output, type OutputMode } from './output.js';
import { isWildcard, resolveEndpoint, resolveHost } from './resolve.js';
import { untilStopSignal } from './signals.js';
import { JOB_QUERY_MIN, JOB_STALL_MIN, parseCount, parseDuration, parseRate } from './units.js';
import { UsageError } from '../errors.js';
import { clusterKey } from './clusterKey.js';
import { formatDuration, formatRate } from '../view/units.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface BaseSettings {
  readonly host: string;
  readonly port: number;
  /** The address targets reach it at (a port of its own when it listens behind a relay or a NAT), when it is not the one it listens on. */
  readonly name?: { readonly host: string; readonly port?: number };
  readonly store: string;
  readonly key: string;
  /** The rate of each transfer, bits per second, when a job sets none. */
  readonly rate?: number;
  readonly fanout?: number;
  /** Every target fed by the base server alone: a baseline to measure the cascade against. */
  readonly star?: boolean;
  /** Its waits and attempts (§14.5), where not the defaults. */
  readonly timeouts?: Partial<JobTimeouts>;
}

/** A job's record the store could not keep (a disk error): the job runs on, and would not survive a restart. */
export type JournalEvent = { readonly type: 'job-record-failed'; readonly level: 'error'; readonly job: number; readonly detail: string };

export type BaseRunEvent = BaseEvent | CoreEvent | DriverEvent | JournalEvent;

export interface RunningBase {
  readonly running: RunningRole<BaseServer>;
  readonly files: DiskJobFiles;
  /** Temporary files of jobs a stopped base server left, removed at start (those of the jobs it took back are kept). */
  readonly swept: readonly string[];
  /** Jobs taken back from the store's records (§14.10). */
  readonly restored: number;
  close(): Promise<void>;
}

/** Start a base server core on a socket (for the command and for tests). */
export async function startBase(s: BaseSettings, onEvent: (e: BaseRunEvent) => void): Promise<RunningBase> {
  mkdirSync(s.store, { recursive: true });
  const files = new DiskJobFiles(s.store);
  const journal = new DiskJobJournal(s.store);
  const { records } = journal.load();
  const running = await startRole<BaseServer>({
    role: (bound: string) => {
      const base = new BaseServer(roleDeps(s.key), { name: s.name ? formatAddress(s.name.host, s.name.port ?? parseAddress(bound)!.port) : bound, ...(s.rate ? { rate: s.rate } : {}), ...(s.fanout ? { fanout: s.fanout } : {}), ...(s.star ? { star: true } : {}), ...(s.timeouts ? { timeouts: s.timeouts } : {}) }, files);
      // Its jobs back from the store (§14.10), before any datagram: a provider asking about one finds it.
      const t = now();
      for (const r of records) base.handle({ kind: 'command', command: { type: 'restore', from: r.from, text: r.text } }, t);
      return base;
    },
    host: s.host,
    port: s.port,
    onEvent,
    onJournal: (e) => {
      try {
        journal.keep(e);
      } catch (error) {
        // A disk error must not stop the datagrams of the input that made the record.
        onEvent({ type: 'job-record-failed', level: 'error', job: e.job, detail: error instanceof Error ? error.message : String(error) });
      }
    },
  });
  // The files of the jobs taken back stay; the rest a stopped base server left go.
  const swept = files.sweep(new Set(running.role.storeKeys()));
  running.command({ type: 'start' });
  return {
    running,
    files,
    swept,
    restored: running.role.jobIds().length,
    close: async () => {
      // Every job's record as it is now, written as the stop is handled.
      running.role.journalAll();
      running.command({ type: 'stop' });
      await running.flushed(1_000);
      await running.close();
      files.close();
    },
  };
}

export interface BaseFlags {
  readonly host: string;
  readonly port: number | string;
  readonly name?: string;
  readonly store: string;
  readonly key?: string;
  readonly rate?: string;
  readonly fanout?: number | string;
  readonly star?: boolean;
  /** `--query-after`, `--query-attempts`, `--repair-attempts`, `--retry-delay`, `--stall-after` (§14.5). */
  readonly queryAfter?: string;
  readonly queryAttempts?: number | string;
  readonly repairAttempts?: number | string;
  readonly retryDelay?: string;
  readonly stallAfter?: string;
  readonly output: OutputMode;
  readonly logLevel: LogLevel;
}

export async function parseBaseFlags(f: BaseFlags): Promise<BaseSettings> {
  const host = await resolveHost(f.host, '--host');
  const key = clusterKey(f.key);
  if (!key) throw new UsageError('usage', 'a base server needs the cluster key (--key or OFP_KEY): it moves content only within a keyed cluster, and every order and note is authenticated (§14.7)');
  // IP, or IP:PORT when its targets reach it through an address of another port (a relay, a NAT).
  let name: BaseSettings['name'];
  if (f.name) {
    name = parseAddress(f.name) ? await resolveEndpoint(f.name, '--name', host.family) : { host: (await resolveHost(f.name, '--name', host.family)).host };
    if (isWildcard(name.host)) throw new UsageError('bad-address', `--name ${f.name} is a wildcard: give the address its targets reach the base server at`);
  } else if (isWildcard(host.host)) throw new UsageError('usage', `--host ${f.host} listens on every address, so the base server needs a name its targets reach it at: pass --name IP[:PORT]`);
  const timeouts: Partial<Mutable<JobTimeouts>> = {};
  if (f.queryAfter !== undefined) timeouts.queryAfter = Math.round(parseDuration(f.queryAfter, '--query-after', 's', false, JOB_QUERY_MIN));
  if (f.queryAttempts !== undefined) timeouts.queryAttempts = parseCount(f.queryAttempts, '--query-attempts', 1, 100);
  if (f.repairAttempts !== undefined) timeouts.repairAttempts = parseCount(f.repairAttempts, '--repair-attempts', 0, 100);
  if (f.retryDelay !== undefined) timeouts.retryDelay = Math.round(parseDuration(f.retryDelay, '--retry-delay', 's', true));
  if (f.stallAfter !== undefined) timeouts.stall = Math.round(parseDuration(f.stallAfter, '--stall-after', 's', false, JOB_STALL_MIN));
  return {
    host: host.host,
    port: parseCount(f.port, '--port', 0, 65535),
    ...(name ? { name } : {}),
    ...(Object.keys(timeouts).length > 0 ? { timeouts } : {}),
    store: f.store,
    key,
    ...(f.rate !== undefined ? { rate: parseRate(f.rate, '--rate') } : {}),
    ...(f.fanout !== undefined ? { fanout: parseCount(f.fanout, '--fanout', 1, 64) } : {}),
    ...(f.star ? { star: true } : {}),
  };
}

/** Run until a stop signal; the exit code. */
export async function runBase(f: BaseFlags): Promise<number> {
  const out = new Output({ mode: f.output, logLevel: f.logLevel });
  const s = await parseBaseFlags(f);
  const t: JobTimeouts = { ...JOB_TIMEOUT_DEFAULTS, ...s.timeouts };
  const stop = untilStopSignal();
  let base: RunningBase;
  try {
    base = await startBase(s, (e) => {
      if (e.type === 'listening') out.listening({ ...e, store: s.store, timeouts: t }, `ofp base listening on ${e.address} (store ${s.store}; each transfer at ${s.rate ? formatRate(s.rate) : 'the job\'s rate, or 50 Mbit/s'}, ${s.fanout ?? 4} at once per node; late targets queried after ${formatDuration(t.queryAfter)}; cluster key set)`);
      else out.event(e);
    });
  } catch (e) {
    stop.cancel();
    throw e;
  }
  for (const file of base.swept) out.event({ type: 'job-leftover-removed', level: 'info', file, detail: 'the part of a provider\'s file a stopped base server was receiving' });
  const signal = await stop.promise;
  await base.close();
  stop.cancel();
  const b = base.running.role;
  out.event({ type: 'stopped', signal });
  out.summary({
    role: 'base',
    address: base.running.address,
    jobs: b.jobIds().map((id) => {
      const j = b.job(id)!;
      return { job: id, file: j.file, state: j.state, targets: j.targets.length, completed: j.targets.filter((t) => t.st === 'completed').length, failed: j.targets.filter((t) => t.st === 'failed').length };
    }),
    counters: b.counters,
    dropped: Object.fromEntries(b.dropped),
    driver: base.running.stats,
  });
  return 0;
}
