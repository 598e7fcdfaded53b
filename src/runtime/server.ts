/**
 * `ofp server`: a media server core on a socket, serving the files (and items
 * of several flows) of a directory. Ctrl-C or SIGTERM drains it: its streams
 * are handed off to other servers, then it tells its master it is leaving and
 * exits; a second signal stops it at once. A drain ordered through the master
 * (`ofp server drain`) ends it the same way.
 */
import { formatAddress, parseAddress } from '../protocol/address.js';
import { DRAIN_TIMEOUT, MAX_NAME, MAX_STREAM_RATE } from '../protocol/constants.js';
import type { ServerFacts } from '../protocol/messages.js';
import type { RateLimit } from '../roles/rateLimit.js';
import { MediaServer, type RegistrationState, type ServerEvent } from '../roles/server/server.js';
import type { ViewGossip } from '../roles/server/view.js';
import { roleDeps } from '../platform/crypto.js';
import { type DriverEvent, type RunningRole, startRole } from './driver.js';
import { catalogOf, FileMediaReader, type MediaScan, readableFiles, scanMediaDir } from './mediaDir.js';
import { type LogLevel, Output, type OutputMode } from './output.js';
import { isWildcard, resolveEndpoint, resolveEndpoints, resolveHost } from './resolve.js';
import { DEFAULT_MASTER, DEFAULT_MEDIA_RATE } from './defaults.js';
import { describeRateLimit, withRateLimit } from './rateLimitFlag.js';
import { onEachStopSignal, signalStatus } from './signals.js';
import { formatRate } from '../view/units.js';
import { JOB_STALL_MIN, parseCount, parseDuration, parseRate } from './units.js';
import { UsageError } from '../errors.js';
import { clusterKey, keylessWarning } from './clusterKey.js';
import { DiskJobFiles } from './jobFiles.js';
import { type FactFlags, parseFacts } from './facts.js';

/** How long a server waits for its first registration before it says so. */
const UNREGISTERED_WARNING = 5_000;

export interface ServerSettings {
  readonly host: string;
  readonly port: number;
  /** Its masters' numeric addresses: one, or every master of a group (§12.2). */
  readonly masters: readonly string[];
  /** The address clients reach this server at; undefined: the bound address. `HOST` alone takes the bound port. */
  readonly name?: { readonly host: string; readonly port?: number };
  readonly media: MediaScan;
  readonly group: string;
  readonly cap: number;
  /** Static facts for its masters (§12.5), when it was given any. */
  readonly facts?: ServerFacts;
  readonly key?: string;
  /** Peers to join the servers' view through (§13.1). */
  readonly peers?: readonly string[];
  /** The view's rounds of gossip (§13.1), when not the defaults. */
  readonly gossip?: ViewGossip;
  /** Per-source rate limit (§9.5); none when absent. */
  readonly rateLimit?: RateLimit;
  /** Said once the server listens: it has no key (§9.6). */
  readonly warning?: string;
  /** The media directory: a job's files are received there (§14.4), with a cluster key. */
  readonly mediaDir?: string;
  /** The media rate of a file with no sidecar, bits per second: a job's file's. */
  readonly defaultRate?: number;
  /** The rate of each job transfer this server serves, bits per second (§14.3). */
  readonly jobRate?: number;
  /** Job targets this server serves at once (§14.2). */
  readonly jobFanout?: number;
  /** A job's source that sent nothing asked for this long has stalled, ms (§14.4). */
  readonly jobStall?: number;
  /** The cap on this server's total job upload, bits per second (§14.3): the job rate times the fanout when absent. */
  readonly jobUpload?: number;
}

const withFacts = (facts: ServerFacts) => (Object.keys(facts).length > 0 ? { facts } : {});

/** The address clients are sent to: the bound one, or the one --name gives (its port, or the bound port). */
function advertisedName(s: ServerSettings, bound: string): string {
  return s.name ? formatAddress(s.name.host, s.name.port ?? parseAddress(bound)!.port) : bound;
}

export interface RunningServer {
  readonly running: RunningRole<MediaServer>;
  readonly reader: FileMediaReader;
  /** Temporary files of jobs a dead process left in the media directory, removed at start (§14.4). */
  readonly swept: readonly string[];
  /**
   * Settles once the core has stopped — drained, stopped, or drained on its
   * master's order — with the registration state it stopped from.
   */
  readonly stopped: Promise<RegistrationState>;
  /** Hand every stream off, then stop (bounded by DRAIN_TIMEOUT in the core). */
  drain(): void;
  /** Stop now: the core ends its streams and sends `leave` (a stopped core ignores it); wait until that is on the wire, close. */
  stop(): Promise<void>;
  /** Once stopped: wait until what the core sent last is on the wire, close. */
  close(): Promise<void>;
}

/** What a running server reports: its core's events, and the driver's own. */
export type RunningServerEvent = ServerEvent | DriverEvent;

/** Start a media server core on a socket (for the command and for tests). */
export async function startServer(s: ServerSettings, onEvent: (e: RunningServerEvent) => void): Promise<RunningServer> {
  const reader = new FileMediaReader(readableFiles(s.media));
  // Jobs bring files into the media directory, within a keyed cluster only (§14.7).
  const jobFiles = s.key && s.mediaDir ? new DiskJobFiles(s.mediaDir, (name, path, size) => reader.replace({ name, path, size, rate: s.defaultRate ?? DEFAULT_MEDIA_RATE, rateFrom: 'default' }), new Map(), (name) => reader.remove(name)) : undefined;
  const swept = jobFiles?.sweep() ?? [];
  let settle: (from: RegistrationState) => void = () => {};
  const stopped = new Promise<RegistrationState>((resolve) => {
    settle = resolve;
  });
  const running: RunningRole<MediaServer> = await startRole({
    role: (bound: string) => {
      const name = advertisedName(s, bound);
      const jobs = { mediaRate: s.defaultRate ?? DEFAULT_MEDIA_RATE, ...(s.jobRate ? { rate: s.jobRate } : {}), ...(s.jobFanout ? { fanout: s.jobFanout } : {}), ...(s.jobStall ? { stall: s.jobStall } : {}), ...(s.jobUpload ? { upload: s.jobUpload } : {}) };
      return new MediaServer(roleDeps(s.key), { name, masters: s.masters, group: s.group, cap: s.cap, files: catalogOf(s.media), jobs, ...(s.facts ? { facts: s.facts } : {}), ...(s.rateLimit ? { rateLimit: s.rateLimit } : {}), ...(s.peers ? { peers: s.peers } : {}), ...(s.gossip ? { gossip: s.gossip } : {}) }, reader, jobFiles);
    },
    host: s.host,
    port: s.port,
    onEvent: (e) => {
      onEvent(e);
      if (e.type === 'registration-stopped' || e.type === 'server-stopped') settle(e.from);
    },
  });
  running.command({ type: 'start' });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await running.flushed(2_000);
    await running.close();
    reader.close();
    jobFiles?.close();
  };
  return {
    running,
    reader,
    swept,
    stopped,
    drain: () => running.command({ type: 'drain' }),
    stop: async () => {
      running.command({ type: 'stop' });
      await close();
    },
    close,
  };
}

export interface ServerFlags {
  /** `--master`; absent: the default master, or none at all with `--peers` (§13.6). */
  readonly master?: string;
  readonly media: string;
  readonly host: string;
  readonly port: number | string;
  readonly name?: string;
  readonly capacity: string;
  readonly group: string;
  readonly defaultRate: string;
  /** Static facts (§12.5): `--facts FILE`, `--location`, `--cpus`, `--memory`, `--latency`. */
  readonly facts?: FactFlags;
  readonly key?: string;
  /** `--peers`: servers to join the view through (§13.1); needs a key. */
  readonly peers?: string;
  /** `--gossip-interval`, `--gossip-nodes`: the view's rounds of gossip (§13.1); need a key. */
  readonly gossipInterval?: string;
  readonly gossipNodes?: number;
  /** Listen beyond loopback without a key (§9.6). */
  readonly insecure?: boolean;
  /** `--rate-limit`: off, on, N/s, N/s:BURST. */
  readonly rateLimit?: string;
  /** `--job-rate`: the rate of each job transfer it serves (§14.3). */
  readonly jobRate?: string;
  /** `--job-fanout`: job targets it serves at once (§14.2). */
  readonly jobFanout?: number | string;
  /** `--job-stall`: how long a job's source may send nothing asked for before the base server hears it stalled (§14.4). */
  readonly jobStall?: string;
  /** `--job-upload`: the cap on its total job upload, over every transfer of every job (§14.3). */
  readonly jobUpload?: string;
  readonly output: OutputMode;
  readonly logLevel: LogLevel;
}

export async function parseServerFlags(f: ServerFlags): Promise<ServerSettings> {
  const host = await resolveHost(f.host, '--host');
  const key = clusterKey(f.key);
  // With --peers and no --master, no master at all: the server serves in the view alone (§13.6).
  const masterSpec = f.master ?? (f.peers !== undefined ? undefined : DEFAULT_MASTER);
  const masters = masterSpec === undefined ? [] : [...new Set((await resolveEndpoints(masterSpec, '--master', host.family)).map((m) => m.address))];
  const cap = parseRate(f.capacity, '--capacity');
  const defaultRate = parseRate(f.defaultRate, '--default-rate');
  if (f.group.length === 0 || Buffer.byteLength(f.group) > MAX_NAME) throw new UsageError('usage', `--group must be 1 to ${MAX_NAME} bytes`);
  let name: ServerSettings['name'];
  if (f.name) {
    const withPort = parseAddress(f.name);
    if (withPort) {
      const ep = await resolveEndpoint(f.name, '--name', host.family);
      name = { host: ep.host, port: ep.port };
    } else {
      name = { host: (await resolveHost(f.name, '--name', host.family)).host };
    }
    if (isWildcard(name.host)) throw new UsageError('bad-address', `--name ${f.name} is a wildcard: give the address clients reach this server at`);
  } else if (isWildcard(host.host)) {
    throw new UsageError('usage', `--host ${f.host} listens on every address, so the server needs a name clients can reach: pass --name IP[:PORT]`);
  }
  const warning = keylessWarning('server', host.host, key, f.insecure ?? false);
  if (f.peers !== undefined && !key) throw new UsageError('usage', '--peers needs --key: servers share their view only when it is authenticated (§13.4)');
  const peers = f.peers !== undefined ? (await resolveEndpoints(f.peers, '--peers', host.family)).map((p) => p.address) : undefined;
  if ((f.gossipInterval !== undefined || f.gossipNodes !== undefined) && !key) throw new UsageError('usage', '--gossip-interval and --gossip-nodes are the servers\' view\'s, which needs --key (§13.4)');
  const gossip = {
    ...(f.gossipInterval !== undefined ? { interval: parseDuration(f.gossipInterval, '--gossip-interval', 'ms', false, 10) } : {}),
    ...(f.gossipNodes !== undefined ? { nodes: parseCount(f.gossipNodes, '--gossip-nodes', 1, 16) } : {}),
  };
  return {
    host: host.host,
    port: parseCount(f.port, '--port', 0, 65535),
    masters,
    ...(name ? { name } : {}),
    media: scanMediaDir(f.media, defaultRate),
    group: f.group,
    cap,
    ...withFacts(parseFacts(f.facts ?? {})),
    ...(key ? { key } : {}),
    ...(peers ? { peers } : {}),
    ...(Object.keys(gossip).length > 0 ? { gossip } : {}),
    ...(warning ? { warning } : {}),
    ...withRateLimit(f.rateLimit),
    mediaDir: f.media,
    defaultRate,
    ...(f.jobRate !== undefined ? { jobRate: parseRate(f.jobRate, '--job-rate') } : {}),
    ...(f.jobFanout !== undefined ? { jobFanout: parseCount(f.jobFanout, '--job-fanout', 1, 64) } : {}),
    ...(f.jobStall !== undefined ? { jobStall: parseDuration(f.jobStall, '--job-stall', 's', false, JOB_STALL_MIN) } : {}),
    ...(f.jobUpload !== undefined ? { jobUpload: parseRate(f.jobUpload, '--job-upload') } : {}),
  };
}

/** Run until the core stops (drained on a signal or on its master's order, or stopped by a second signal); the exit code. */
export async function runServer(f: ServerFlags): Promise<number> {
  const out = new Output({ mode: f.output, logLevel: f.logLevel });
  const s = await parseServerFlags(f);
  // What the core lists: an item faster than one stream may go is left out, and the core says so (§5.1).
  const catalog = catalogOf(s.media).filter((m) => m.rate <= MAX_STREAM_RATE);
  let registered = false;
  /** What started the end: a signal, or the master's order. */
  let cause: string | undefined;
  const server = await startServer(s, (e) => {
    if (e.type === 'registration-registered') registered = true;
    if (e.type === 'draining') cause ??= 'a drain order from the master';
    if (e.type !== 'listening') return out.event(e);
    const items = s.media.items.length;
    // The name clients are sent to: the bound address, or the one --name gives.
    const bound = e.address;
    const name = advertisedName(s, bound);
    out.listening({ ...e, name, ...(s.masters[0] !== undefined ? { master: s.masters[0] } : {}), masters: s.masters, files: catalog.length, items, group: s.group, cap: s.cap, ...(s.facts ? { facts: s.facts } : {}) },
      `ofp server listening on ${bound}${name !== bound ? `, clients sent to ${name}` : ''} (${describeMasters(s)}, ${catalog.length} files${items ? ` (${items} of several flows)` : ''}, group ${s.group}${s.facts?.loc !== undefined ? `, location ${s.facts.loc}` : ''}, capacity ${formatRate(s.cap)}${s.rateLimit ? `, rate limit ${describeRateLimit(s.rateLimit)}` : ''})`);
    if (s.warning) out.warning('no-key', s.warning);
    for (const skip of s.media.skipped) out.event({ type: 'media-skipped', level: 'warn', file: skip.name, why: skip.why });
    if (catalog.length === 0) out.event({ type: 'no-media', level: 'warn', dir: f.media, detail: 'no media files: the server registers an empty content list' });
    for (const m of catalog) {
      if (m.rate > s.cap) out.event({ type: 'media-over-capacity', level: 'warn', file: m.name, rate: m.rate, cap: s.cap });
      out.event({ type: 'media', level: 'debug', file: m.name, size: m.size, rate: m.rate, ...(m.flows ? { flows: m.flows.map((x) => x.name) } : {}) });
    }
  });
  for (const file of server.swept) out.event({ type: 'job-leftover-removed', level: 'info', file, detail: 'the part of a job\'s file a stopped server was receiving' });
  // The core retries quietly; a person watching should hear why nothing happens.
  const silent = setTimeout(() => {
    if (!registered && s.masters.length > 0) out.event({ type: 'master-not-answering', level: 'warn', master: s.masters.join(','), detail: `no answer from ${s.masters.length > 1 ? 'any master' : 'the master'} after ${UNREGISTERED_WARNING / 1000} s; still trying (is it running? same --key?)` });
  }, UNREGISTERED_WARNING);
  const unsubscribe = onEachStopSignal((signal, count) => {
    const core = server.running.role;
    if (count === 1 && core.state !== 'stopped') {
      cause ??= signal;
      out.event({ type: 'signal', signal, action: 'drain', streams: core.streamCount(), detail: `handing ${core.streamCount()} stream(s) off to other servers, then leaving (at most ${DRAIN_TIMEOUT / 1000} s); ${signal} again stops at once` });
      // The core bounds the drain (DRAIN_TIMEOUT) and stops by itself.
      server.drain();
    } else if (count === 2) {
      out.event({ type: 'signal', signal, action: 'stop', streams: core.streamCount(), detail: 'stopping at once: the streams left end here' });
      server.running.command({ type: 'stop' });
    } else {
      process.exit(signalStatus(signal));
    }
  });
  const from = await server.stopped;
  clearTimeout(silent);
  await server.close();
  unsubscribe();
  const core = server.running.role;
  // The core sends `leave` when it holds the master's cookie: while listing or registered.
  const leave = s.masters.length === 0 ? 'none (no master)' : from === 'listing' || from === 'registered' ? 'sent to the master' : 'none (not registered)';
  out.event({ type: 'stopped', cause: cause ?? 'unknown', leave, moved: core.stats.moved });
  out.summary({
    role: 'server',
    address: server.running.address,
    name: core.config.name,
    ...(s.masters[0] !== undefined ? { master: s.masters[0] } : {}),
    masters: s.masters,
    ...core.stats,
    counters: core.counters,
    dropped: Object.fromEntries(core.dropped),
    ...(core.limiter ? { rateLimit: { ...core.limiter.limit, ...core.limiter.stats, sources: core.limiter.size } } : {}),
    driver: server.running.stats,
  });
  return 0;
}

/** Its masters, as the start line says them; or that it has none (§13.6). */
function describeMasters(s: ServerSettings): string {
  if (s.masters.length === 0) return `no master: in the servers' view through ${s.peers?.length ?? 0} peer${s.peers?.length === 1 ? '' : 's'}`;
  return s.masters.length > 1 ? `masters ${s.masters.join(', ')}` : `master ${s.masters[0]}`;
}
