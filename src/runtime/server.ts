/**
 * `ofp server`: a media server core on a socket, serving the files of a
 * directory, until Ctrl-C or SIGTERM (then it tells its master it is leaving).
 */
import { formatAddress, parseAddress } from '../protocol/address.js';
import { MAX_NAME } from '../protocol/constants.js';
import type { RoleEvent } from '../roles/role.js';
import { MediaServer } from '../roles/server/server.js';
import { roleDeps } from './crypto.js';
import { type RunningRole, startRole } from './driver.js';
import { FileMediaReader, type MediaScan, scanMediaDir } from './mediaDir.js';
import { type LogLevel, Output, type OutputMode } from './output.js';
import { isWildcard, resolveEndpoint, resolveHost } from './resolve.js';
import { untilStopSignal } from './signals.js';
import { formatRate, parseCount, parseRate } from './units.js';
import { UsageError } from './usageError.js';

/** How long a server waits for its first registration before it says so. */
const UNREGISTERED_WARNING = 5_000;

export interface ServerSettings {
  readonly host: string;
  readonly port: number;
  /** The master's numeric address. */
  readonly master: string;
  /** The address clients reach this server at; undefined: the bound address. `HOST` alone takes the bound port. */
  readonly name?: { readonly host: string; readonly port?: number };
  readonly media: MediaScan;
  readonly group: string;
  readonly cap: number;
  readonly key?: string;
}

export interface RunningServer {
  readonly running: RunningRole<MediaServer>;
  readonly reader: FileMediaReader;
  /** Send `leave`, wait until it is on the wire, close. */
  stop(): Promise<void>;
}

/** Start a media server core on a socket (for the command and for tests). */
export async function startServer(s: ServerSettings, onEvent: (e: RoleEvent) => void): Promise<RunningServer> {
  const reader = new FileMediaReader(s.media.files);
  const running = await startRole({
    role: (bound: string) => {
      const name = s.name ? formatAddress(s.name.host, s.name.port ?? parseAddress(bound)!.port) : bound;
      return new MediaServer(roleDeps(s.key), { name, master: s.master, group: s.group, cap: s.cap, files: s.media.files }, reader);
    },
    host: s.host,
    port: s.port,
    onEvent,
  });
  running.command({ type: 'start' });
  return {
    running,
    reader,
    stop: async () => {
      running.command({ type: 'stop' });
      await running.flushed(2_000);
      await running.close();
      reader.close();
    },
  };
}

export interface ServerFlags {
  readonly master: string;
  readonly media: string;
  readonly host: string;
  readonly port: number | string;
  readonly name?: string;
  readonly capacity: string;
  readonly group: string;
  readonly defaultRate: string;
  readonly key?: string;
  readonly output: OutputMode;
  readonly logLevel: LogLevel;
}

export async function parseServerFlags(f: ServerFlags): Promise<ServerSettings> {
  const host = await resolveHost(f.host, '--host');
  const master = await resolveEndpoint(f.master, '--master', host.family);
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
  return {
    host: host.host,
    port: parseCount(f.port, '--port', 0, 65535),
    master: master.address,
    ...(name ? { name } : {}),
    media: scanMediaDir(f.media, defaultRate),
    group: f.group,
    cap,
    ...(f.key ? { key: f.key } : {}),
  };
}

/** Run until a stop signal; the exit code. */
export async function runServer(f: ServerFlags): Promise<number> {
  const out = new Output({ mode: f.output, logLevel: f.logLevel });
  const s = await parseServerFlags(f);
  const stop = untilStopSignal();
  let server: RunningServer;
  let registered = false;
  try {
    server = await startServer(s, (e) => {
      if (e.type === 'registration-registered') registered = true;
      if (e.type !== 'listening') return out.event(e);
      out.listening({ ...e, master: s.master, files: s.media.files.length, group: s.group, cap: s.cap },
        `ofp server listening on ${e.address as string} (master ${s.master}, ${s.media.files.length} files, group ${s.group}, capacity ${formatRate(s.cap)})`);
      for (const skip of s.media.skipped) out.event({ type: 'media-skipped', level: 'warn', file: skip.name, why: skip.why });
      if (s.media.files.length === 0) out.event({ type: 'no-media', level: 'warn', dir: f.media, detail: 'no media files: the server registers an empty content list' });
      for (const m of s.media.files) {
        if (m.rate > s.cap) out.event({ type: 'media-over-capacity', level: 'warn', file: m.name, rate: m.rate, cap: s.cap });
        out.event({ type: 'media', level: 'debug', file: m.name, size: m.size, rate: m.rate, from: m.rateFrom });
      }
    });
  } catch (e) {
    stop.cancel();
    throw e;
  }
  // The core retries quietly; a person watching should hear why nothing happens.
  const silent = setTimeout(() => {
    if (!registered) out.event({ type: 'master-not-answering', level: 'warn', master: s.master, detail: `no answer from the master after ${UNREGISTERED_WARNING / 1000} s; still trying (is it running? same --key?)` });
  }, UNREGISTERED_WARNING);
  const signal = await stop.promise;
  clearTimeout(silent);
  // The core sends `leave` when it holds the master's cookie: while listing or registered.
  const leaving = server.running.role.state === 'listing' || server.running.role.state === 'registered';
  await server.stop();
  stop.cancel();
  const core = server.running.role;
  out.event({ type: 'stopped', signal, leave: leaving ? 'sent to the master' : 'none (not registered)' });
  out.summary({
    role: 'server',
    address: server.running.address,
    name: core.config.name,
    master: s.master,
    ...core.stats,
    counters: core.counters,
    dropped: Object.fromEntries(core.dropped),
    driver: server.running.stats,
  });
  return 0;
}
