/**
 * `ofp portal`: the portal core (§12.3) on a socket, until Ctrl-C or SIGTERM.
 * It polls its masters and hands each client's request to one of them.
 */
import { isPortalPolicy, Portal, PORTAL_POLICIES, type PortalEvent, type PortalPolicy } from '../roles/portal/portal.js';
import { roleDeps } from '../platform/crypto.js';
import { MIN_POLL_INTERVAL } from '../protocol/constants.js';
import { type DriverEvent, type RunningRole, startRole } from './driver.js';
import { type LogLevel, Output, type OutputMode } from './output.js';
import { resolveEndpoints, resolveHost } from './resolve.js';
import { untilStopSignal } from './signals.js';
import { parseCount, parseDuration } from './units.js';
import { UsageError } from '../errors.js';
import { clusterKey } from './clusterKey.js';

export interface PortalSettings {
  readonly host: string;
  readonly port: number;
  readonly masters: readonly string[];
  readonly policy: PortalPolicy;
  readonly mode: 'refer' | 'forward';
  /** ms */
  readonly pollInterval: number;
  readonly key?: string;
}

export type PortalRunEvent = PortalEvent | DriverEvent;

/** Start a portal core on a socket (for the command and for tests). */
export async function startPortal(s: PortalSettings, onEvent: (e: PortalRunEvent) => void): Promise<RunningRole<Portal>> {
  const running = await startRole<Portal>({
    role: new Portal(roleDeps(s.key), { masters: s.masters, policy: s.policy, mode: s.mode, pollInterval: s.pollInterval }),
    host: s.host,
    port: s.port,
    onEvent,
  });
  running.command({ type: 'start' });
  return running;
}

export interface PortalFlags {
  readonly host: string;
  readonly port: number | string;
  readonly masters: string;
  readonly policy: string;
  readonly mode: string;
  readonly pollInterval: string;
  readonly key?: string;
  readonly output: OutputMode;
  readonly logLevel: LogLevel;
}

export async function parsePortalFlags(f: PortalFlags): Promise<PortalSettings> {
  if (!isPortalPolicy(f.policy)) throw new UsageError('usage', `--policy ${JSON.stringify(f.policy)} is not a policy: use one of ${PORTAL_POLICIES.join(', ')}`);
  if (f.mode !== 'refer' && f.mode !== 'forward') throw new UsageError('usage', `--mode ${JSON.stringify(f.mode)} is not a mode: use refer or forward`);
  const host = await resolveHost(f.host, '--host');
  const key = clusterKey(f.key);
  // A passed request makes a master answer an address the portal vouches for: only the group's key can vouch.
  if (f.mode === 'forward' && !key) throw new UsageError('usage', '--mode forward needs the cluster key (--key or OFP_KEY): a master answers the address a portal vouches for only when the portal proves it is one of the cluster');
  const masters = [...new Set((await resolveEndpoints(f.masters, '--masters', host.family)).map((m) => m.address))];
  return {
    host: host.host,
    port: parseCount(f.port, '--port', 0, 65535),
    masters,
    policy: f.policy,
    mode: f.mode,
    pollInterval: parseDuration(f.pollInterval, '--poll-interval', 'ms', false, MIN_POLL_INTERVAL),
    ...(key ? { key } : {}),
  };
}

/** Run until a stop signal; the exit code. */
export async function runPortal(f: PortalFlags): Promise<number> {
  const out = new Output({ mode: f.output, logLevel: f.logLevel });
  const s = await parsePortalFlags(f);
  const stop = untilStopSignal();
  let running: RunningRole<Portal>;
  try {
    running = await startPortal(s, (e) => {
      if (e.type === 'listening') out.listening({ ...e, masters: s.masters, policy: s.policy, mode: s.mode }, `ofp portal listening on ${e.address} (${s.masters.length} master(s): ${s.masters.join(', ')}; policy ${s.policy}, mode ${s.mode}${s.key ? ', cluster key set' : ''})`);
      else out.event(e);
    });
  } catch (e) {
    stop.cancel();
    throw e;
  }
  const signal = await stop.promise;
  running.command({ type: 'stop' });
  await running.flushed(1_000);
  await running.close();
  stop.cancel();
  const p = running.role;
  out.event({ type: 'stopped', signal });
  out.summary({
    role: 'portal',
    address: running.address,
    ...p.stats,
    masters: p.masters().map((m) => ({ addr: m.addr, up: m.up, rtt: m.rtt === undefined ? null : Math.round(m.rtt * 10) / 10, sessions: m.sessions, free: m.free })),
    counters: p.counters,
    dropped: Object.fromEntries(p.dropped),
    driver: running.stats,
  });
  return 0;
}
