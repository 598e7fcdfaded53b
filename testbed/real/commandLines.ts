/**
 * The `ofp` command lines of a real run's roles. Every role listens on
 * 127.0.0.1, port 0, prints `--json-stream` events, and knows the others only
 * by their public addresses (the relay's sockets): a server is told its
 * master's and its own (`--name`), a portal its masters', a client its masters' or its portals'.
 */
import type { BaseSpec, ClientSpec, JobSpec, MasterSpec, PortalSpec, ServerSpec } from '../scenario/types.js';

/** `o`: in a group, the master's public address and its peers' (through the relay); `debug`, a check needs its debug events. */
export function masterArgs(m: MasterSpec, o: { name: string; peers: readonly string[]; debug?: boolean }): string[] {
  return [
    'master', '--host', '127.0.0.1', '--port', '0',
    '--policy', m.policy, '--mode', m.mode, '--poll-interval', `${Math.max(1, Math.round(m.pollInterval))}ms`,
    ...(o.peers.length > 0 ? ['--peers', o.peers.join(','), '--name', o.name] : []),
    '--interval', '0', '--json-stream', ...(o.debug === true ? ['--log-level', 'debug'] : []),
  ];
}

/** `masters`: the public addresses of the portal's masters, in its order. */
export function portalArgs(p: PortalSpec, o: { masters: readonly string[] }): string[] {
  return [
    'portal', '--host', '127.0.0.1', '--port', '0', '--masters', o.masters.join(','),
    '--policy', p.policy, '--mode', p.mode, '--poll-interval', `${Math.max(1, Math.round(p.pollInterval))}ms`, '--json-stream',
  ];
}

/** `debug`: a check needs the server's debug events (its view's, §13); `jobs`: the scenario's base server, whose transfer rate and fanout the server takes unless it sets its own rate (§14). */
export function serverArgs(s: ServerSpec, o: { masters: readonly string[]; name: string; media: string; debug?: boolean; jobs?: BaseSpec }): string[] {
  return [
    'server', '--master', o.masters.join(','), '--name', o.name, '--media', o.media, '--host', '127.0.0.1', '--port', '0',
    '--capacity', String(Math.max(1, Math.round(s.capacity))), '--group', s.group, ...(s.location !== undefined ? ['--location', s.location] : []), '--json-stream',
    ...(o.jobs ? ['--job-rate', String(Math.round(s.jobRate ?? o.jobs.rate)), '--job-fanout', String(o.jobs.fanout)] : []),
    ...(o.debug === true ? ['--log-level', 'debug'] : []),
  ];
}

/** `name`: its public address (targets send their notes there); `store`: its directory. */
export function baseArgs(b: BaseSpec, o: { name: string; store: string }): string[] {
  return [
    'base', '--host', '127.0.0.1', '--port', '0', '--name', o.name, '--store', o.store,
    '--rate', String(Math.round(b.rate)), '--fanout', String(b.fanout), '--json-stream',
  ];
}

/** `file`: the item's file (its sidecar beside it gives the media rate); `base`, `targets`: public addresses. The provider follows its job until it ends; its socket's `listening` line is a debug event. */
export function providerArgs(j: JobSpec, o: { file: string; base: string; targets: readonly string[] }): string[] {
  return [
    'job', 'submit', o.file, '--base', o.base, '--to', o.targets.join(','),
    ...(j.rate !== undefined ? ['--rate', String(Math.round(j.rate))] : []),
    '--wait', '--json-stream', '--log-level', 'debug',
  ];
}

/** `0ms:1x,2000ms:2x`: the schedule as --rate-schedule takes it (scales in thousandths become multiples). */
export function rateSchedule(schedule: ClientSpec['schedule']): string {
  return schedule.map((x) => `${Math.round(x.at)}ms:${x.scale / 1000}x`).join(',');
}

/** `masters`: the public addresses it asks (its portals', with `portal`). */
export function clientArgs(c: ClientSpec, o: { masters: readonly string[]; servers?: readonly string[]; out: string; timeoutMs: number }): string[] {
  return [
    'client', 'get', c.file, c.portal ? '--portal' : '--master', o.masters.join(','), '--out', o.out, '--force',
    ...(c.mode ? ['--mode', c.mode] : []),
    '--choose', c.choose,
    ...(c.location !== undefined ? ['--location', c.location] : []),
    ...(c.echo === true ? ['--echo'] : []),
    ...(o.servers && o.servers.length > 0 ? ['--servers', o.servers.join(',')] : []),
    ...(c.schedule.length > 0 ? ['--rate-schedule', rateSchedule(c.schedule)] : []),
    '--timeout', `${Math.max(1_000, Math.round(o.timeoutMs))}ms`,
    '--json-stream',
  ];
}
