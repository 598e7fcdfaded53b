/**
 * `ofp master status`: the master's summary, servers, files and sessions, and the members of its
 * group when it has one.
 */
import { type LogLevel, Output, type OutputMode } from './output.js';
import { resolveEndpoint } from './resolve.js';
import { NoAnswerError } from '../errors.js';
import { type MasterStatus, noAnswerHint, queryStatus } from './statusQuery.js';
import { table } from './table.js';
import { formatDuration, formatRate } from '../view/units.js';
import { parseCount, parseDuration } from './units.js';
import { errorLine } from './errorLine.js';
import { clusterKey } from './clusterKey.js';

export interface StatusFlags {
  readonly master: string;
  readonly key?: string;
  readonly attempts: number | string;
  /** Per try. */
  readonly wait: string;
  readonly output: OutputMode;
  readonly logLevel: LogLevel;
}

export async function runStatus(f: StatusFlags): Promise<number> {
  const out = new Output({ mode: f.output, logLevel: f.logLevel });
  const master = await resolveEndpoint(f.master, '--master');
  const attempts = parseCount(f.attempts, '--attempts', 1, 100);
  const timeoutMs = parseDuration(f.wait, '--wait', 'ms');
  const key = clusterKey(f.key);
  let status: MasterStatus;
  try {
    status = await queryStatus({ master, ...(key ? { key } : {}), attempts, timeoutMs });
  } catch (e) {
    if (!(e instanceof NoAnswerError)) throw e;
    process.stderr.write(errorLine(e.code, `${e.message}: ${noAnswerHint(e, key)}`) + '\n');
    return 1;
  }
  out.summary({ ...status });
  if (out.mode === 'human') for (const line of statusLines(status)) out.result(line);
  return 0;
}

const rtt = (ms: number | undefined) => (ms === undefined ? '-' : `${ms} ms`);
/** `19 (3 s)`: the peers a server's view holds alive, and its stalest entry's age (§13). */
const view = (r: { vk?: number; vs?: number }) => (r.vk === undefined ? '-' : `${r.vk} (${r.vs ?? 0} s)`);

export function statusLines(s: MasterStatus): string[] {
  const m = s.summary;
  const lines = [
    `master ${s.master}  policy ${m.policy}  mode ${m.mode}  up ${formatDuration(m.uptime)}  requests ${m.requests}`,
    `servers ${m.servers} (${m.up} up)  files ${m.files}  sessions ${m.sessions}  committed ${formatRate(m.bw)} of ${formatRate(m.cap)}`,
    '',
    // Where each server is and the master's round trip to it (§12.5), when known; its view of the
    // others (§13); a master in a group (§12.2): each server's supervisor (pinned: `*`) and the backup next in line.
    ...(m.group !== undefined
      ? table(['SERVER', 'GROUP', 'STATE', 'FILES', 'STREAMS', 'COMMITTED', 'AVERAGE', 'SENT', 'CAPACITY', 'MISSED', 'LOCATION', 'RTT', 'VIEW', 'SUPERVISOR', 'EPOCH', 'BACKUP'],
        s.servers.map((r) => [r.name, r.group, r.state, r.files, r.streams, formatRate(r.bw), formatRate(r.avg), formatRate(r.sent), formatRate(r.cap), r.missed, r.loc ?? '-', rtt(r.rtt), view(r),
          r.sup === undefined ? '-' : `${r.sup}${r.pin ? '*' : ''}`, r.sep ?? 0, r.backup ?? '-']))
      : table(['SERVER', 'GROUP', 'STATE', 'FILES', 'STREAMS', 'COMMITTED', 'AVERAGE', 'SENT', 'CAPACITY', 'MISSED', 'LOCATION', 'RTT', 'VIEW'],
        s.servers.map((r) => [r.name, r.group, r.state, r.files, r.streams, formatRate(r.bw), formatRate(r.avg), formatRate(r.sent), formatRate(r.cap), r.missed, r.loc ?? '-', rtt(r.rtt), view(r)]))),
    '',
    ...table(['FILE', 'SIZE', 'RATE', 'SERVERS'], s.files.map((r) => [r.file, r.size, formatRate(r.rate), r.servers.join(',')])),
  ];
  if (s.sessions.length > 0) {
    // In a group (§12.4): the member that assigned each stream (or moved it last), `this` master or another.
    lines.push('', ...table(['SESSION', 'CLIENT', 'FILE', 'SERVER', 'AGE', 'LIVE', 'HANDOFFS', 'CLIENT RTT', ...(m.group !== undefined ? ['ASSIGNED BY'] : [])],
      s.sessions.map((r) => [r.sid, r.client, r.file, r.srv, formatDuration(r.age), r.live ? 'yes' : 'no', r.handoffs ?? 0, rtt(r.rtt), ...(m.group !== undefined ? [r.by ?? 'this'] : [])])));
  } else {
    lines.push('', 'no sessions');
  }
  // A master in a group (§12.1): the other members as it sees them.
  if (m.group !== undefined) {
    lines.push('', ...table(['MEMBER', 'STATE', 'INCARNATION', 'FOR'], s.members.map((r) => [r.addr, r.state, r.inc, formatDuration(r.age)])));
  }
  return lines;
}
