/**
 * `ofp master`: the master core on a socket, until Ctrl-C or SIGTERM.
 */
import { isPolicy, POLICIES, type Policy } from '../roles/master/selection.js';
import { type AnswerMode, Master, type MasterEvent } from '../roles/master/master.js';
import type { RateLimit } from '../roles/rateLimit.js';
import { now } from './clock.js';
import { MIN_POLL_INTERVAL } from '../protocol/constants.js';
import { roleDeps } from '../platform/crypto.js';
import { type DriverEvent, type RunningRole, startRole } from './driver.js';
import { type LogLevel, Output, type OutputMode } from './output.js';
import { resolveEndpoint, resolveEndpoints, resolveHost } from './resolve.js';
import { untilStopSignal } from './signals.js';
import { describeRateLimit, withRateLimit } from './rateLimitFlag.js';
import { parseCount, parseDuration } from './units.js';
import { UsageError } from '../errors.js';
import { clusterKey, keylessWarning } from './clusterKey.js';

export interface MasterSettings {
  readonly host: string;
  readonly port: number;
  readonly policy: Policy;
  readonly mode: AnswerMode;
  /** ms */
  readonly pollInterval: number;
  readonly key?: string;
  /** ms between interval reports; 0: none. */
  readonly interval?: number;
  /** Per-source rate limit (§9.5); none when absent. */
  readonly rateLimit?: RateLimit;
  /** Said once the master listens: it has no key (§9.6). */
  readonly warning?: string;
  /** The other masters of its group, `host:port` (§12.1); none: a master on its own. */
  readonly peers?: readonly string[];
  /** In a group: the address the other masters and the servers reach it at (§12.2); default: the one it listens on. */
  readonly name?: string;
}

/** What a running master reports: its core's events, and the driver's. */
export type MasterRunEvent = MasterEvent | DriverEvent;

/** Start a master core on a socket (for the command and for tests). */
export async function startMaster(s: MasterSettings, onEvent: (e: MasterRunEvent) => void): Promise<RunningRole<Master>> {
  const running = await startRole<Master>({
    // In a group, the master's own address is the one the others reach it at: its name, or where it listens.
    role: (address) => new Master(roleDeps(s.key), {
      policy: s.policy,
      mode: s.mode,
      pollInterval: s.pollInterval,
      ...(s.rateLimit ? { rateLimit: s.rateLimit } : {}),
      ...(s.peers ? { group: { self: s.name ?? address, peers: s.peers } } : {}),
    }),
    host: s.host,
    port: s.port,
    onEvent,
  });
  running.command({ type: 'start' });
  return running;
}

export interface MasterFlags {
  readonly host: string;
  readonly port: number | string;
  readonly policy: string;
  readonly mode: string;
  readonly pollInterval: string;
  readonly interval?: string;
  readonly key?: string;
  /** Listen beyond loopback without a key (§9.6). */
  readonly insecure?: boolean;
  /** `--rate-limit`: off, on, N/s, N/s:BURST. */
  readonly rateLimit?: string;
  /** `--peers`: HOST:PORT,… */
  readonly peers?: string;
  /** `--name`: HOST:PORT, with --peers. */
  readonly name?: string;
  readonly output: OutputMode;
  readonly logLevel: LogLevel;
}

export async function parseMasterFlags(f: MasterFlags): Promise<MasterSettings> {
  if (!isPolicy(f.policy)) throw new UsageError('usage', `--policy ${JSON.stringify(f.policy)} is not a policy: use one of ${POLICIES.join(', ')}`);
  if (f.mode !== 'redirect' && f.mode !== 'relay') throw new UsageError('usage', `--mode ${JSON.stringify(f.mode)} is not a mode: use redirect or relay`);
  const host = await resolveHost(f.host, '--host');
  const key = clusterKey(f.key);
  const warning = keylessWarning('master', host.host, key, f.insecure ?? false);
  let peers: string[] | undefined;
  if (f.peers !== undefined) {
    if (host.host === '0.0.0.0' || host.host === '::') {
      throw new UsageError('usage', `--peers with --host ${host.host}: give --host the address the other masters reach this one at`);
    }
    peers = (await resolveEndpoints(f.peers, '--peers')).map((e) => e.address);
  }
  if (f.name !== undefined && peers === undefined) throw new UsageError('usage', '--name is the address a group\'s members reach this master at: it goes with --peers');
  const name = f.name !== undefined ? (await resolveEndpoint(f.name, '--name', host.family)).address : undefined;
  return {
    host: host.host,
    port: parseCount(f.port, '--port', 0, 65535),
    policy: f.policy,
    mode: f.mode,
    pollInterval: parseDuration(f.pollInterval, '--poll-interval', 'ms', false, MIN_POLL_INTERVAL),
    interval: parseDuration(f.interval ?? '10s', '--interval', 's', true),
    ...(key ? { key } : {}),
    ...(warning ? { warning } : {}),
    ...withRateLimit(f.rateLimit),
    ...(peers ? { peers } : {}),
    ...(name ? { name } : {}),
  };
}

/** Run until a stop signal; the exit code. */
export async function runMaster(f: MasterFlags): Promise<number> {
  const out = new Output({ mode: f.output, logLevel: f.logLevel });
  const s = await parseMasterFlags(f);
  const stop = untilStopSignal();
  let running: RunningRole<Master>;
  try {
    running = await startMaster(s, (e) => {
      if (e.type === 'listening') {
        out.listening(e, `ofp master listening on ${e.address} (policy ${s.policy}, mode ${s.mode}${s.key ? ', cluster key set' : ''}${s.rateLimit ? `, rate limit ${describeRateLimit(s.rateLimit)}` : ''}${s.peers ? `, group of ${s.peers.length + 1}` : ''})`);
        if (s.warning) out.warning('no-key', s.warning);
      } else {
        out.event(e);
      }
    });
  } catch (e) {
    stop.cancel();
    throw e;
  }
  // Interval reports, as iperf has them: what the master answered since the last one.
  const limited = () => running.role.limiter?.stats.dropped ?? 0;
  let last = { ...running.role.stats, limited: limited(), at: now() };
  const report = s.interval ? setInterval(() => {
    const m = running.role;
    const t = now();
    const requests = m.stats.requests - last.requests;
    if (requests === 0 && m.stats.errors === last.errors && limited() === last.limited) return;
    const seconds = (t - last.at) / 1000;
    const sum = m.summary(t);
    out.event({
      type: 'interval',
      seconds: Math.round(seconds * 10) / 10,
      requests,
      perSecond: Math.round(requests / seconds),
      redirects: m.stats.redirects - last.redirects,
      relays: m.stats.relays - last.relays,
      lists: m.stats.lists - last.lists,
      errors: m.stats.errors - last.errors,
      servers: sum.servers,
      up: sum.up,
      sessions: sum.sessions,
      ...(m.limiter ? { limited: limited() - last.limited, sources: m.limiter.size } : {}),
    });
    last = { ...m.stats, limited: limited(), at: t };
  }, s.interval) : undefined;
  report?.unref();
  const signal = await stop.promise;
  if (report) clearInterval(report);
  running.command({ type: 'stop' });
  await running.flushed(1_000);
  await running.close();
  stop.cancel();
  const m = running.role;
  out.event({ type: 'stopped', signal });
  out.summary({
    role: 'master',
    address: running.address,
    ...m.stats,
    summary: m.summary(now()),
    counters: m.counters,
    dropped: Object.fromEntries(m.dropped),
    ...(m.limiter ? { rateLimit: { ...m.limiter.limit, ...m.limiter.stats, sources: m.limiter.size } } : {}),
    driver: running.stats,
  });
  return 0;
}
