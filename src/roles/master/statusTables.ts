/**
 * The master's status tables (§11.2), read a page at a time. A reading of a
 * table fixes its rows and their order — the server records in name order,
 * the catalog's file names in name order, the assignments — and builds each
 * row only when a page carries it. So a page costs what its rows cost, however
 * large the catalog: the catalog keeps its names in order (it merges new names
 * in rather than sorting again), and every operator's reading of an unchanged
 * catalog shares the same list of names.
 */
import { MAX_FILE_ROW_SERVERS } from '../../protocol/constants.js';
import type { MessageOf } from '../../protocol/messages.js';
import type { Assignment } from './assignments.js';
import type { Catalog } from './catalog.js';
import { nptAt } from './npt.js';
import type { ServerRecord } from './serverRecord.js';
import type { SupervisionView } from './supervision.js';
import type { MemberView } from '../membership/membership.js';

type Status = MessageOf<'status'>;
export type ServerRow = NonNullable<Status['servers']>[number];
export type FileRow = NonNullable<Status['files']>[number];
export type SessionRow = NonNullable<Status['sessions']>[number];
export type MemberRow = NonNullable<Status['members']>[number];

/** A table of the master's status (§11.2). */
export type StatusTable = 'servers' | 'files' | 'sessions' | 'members';

/** What the tables are read from. */
export interface StatusSource {
  readonly servers: ReadonlyMap<string, ServerRecord>;
  readonly catalog: Catalog;
  readonly assignments: { values(): IterableIterator<Assignment>; get(sid: number): Assignment | undefined };
  /** A handoff of the stream is under way. */
  moving(sid: number): boolean;
  /** The members of its group (§12.1), itself not among them; none without a group. */
  members(): readonly MemberView[];
  /** A server's supervision (§12.2), for a master in a group. */
  supervision(server: string): SupervisionView | undefined;
  /** The master's round trip to a client's source, ms, once measured (§12.5). */
  clientRtt(client: string): number | undefined;
}

/** One reading of a table: how many rows it has, and row `i` as it is at `now`. */
export interface TableReading {
  readonly size: number;
  row(i: number, now: number): unknown;
}

export function serverRow(r: ServerRecord, sup?: SupervisionView): ServerRow {
  return {
    name: r.name, group: r.group, state: r.state, files: r.files.size, streams: r.streams, bw: r.bw, avg: Math.round(r.avg), sent: r.sent, cap: r.cap, missed: r.missed,
    ...(sup ? { sup: sup.supervisor, ...(sup.epoch > 0 ? { sep: sup.epoch } : {}), ...(sup.pinned ? { pin: true } : {}), ...(sup.backups[0] ? { backup: sup.backups[0] } : {}) } : {}),
    ...(r.facts.loc !== undefined ? { loc: r.facts.loc } : {}),
    ...(r.rtt !== undefined ? { rtt: Math.round(r.rtt) } : {}),
    ...(r.view ? { vk: r.view.known, vs: r.view.stalest } : {}),
  };
}

/** A file's row; a file no server holds any more (since the reading began) has no servers. */
export function fileRow(catalog: Catalog, file: string): FileRow {
  const holders = catalog.holders(file);
  const first = holders?.values().next().value;
  if (!holders || !first) return { file, size: 0, rate: 0, servers: [] };
  return { file, size: first.size, rate: first.rate, servers: [...holders.keys()].sort().slice(0, MAX_FILE_ROW_SERVERS) };
}

export function sessionRow(src: StatusSource, a: Assignment, now: number): SessionRow {
  const item = src.catalog.holders(a.file)?.get(a.server);
  const scale = a.npt?.scale;
  // The position never runs past the end of the item (the stream ends there).
  const end = item && item.rate > 0 ? Math.floor((item.size * 8000) / item.rate) : Number.POSITIVE_INFINITY;
  const npt = a.npt ? Math.min(end, Math.max(0, Math.round(nptAt(a.npt, now)))) : undefined;
  const rtt = src.clientRtt(a.client);
  return {
    sid: a.sid,
    client: a.client,
    file: a.file,
    srv: a.server,
    age: Math.max(0, Math.floor(now - a.at)),
    live: a.live,
    ...(a.handoffs > 0 ? { handoffs: a.handoffs } : {}),
    ...(npt !== undefined ? { npt } : {}),
    ...(item ? { size: item.size, rate: item.rate } : {}),
    ...(scale !== undefined ? { scale } : {}),
    ...(src.moving(a.sid) ? { moving: true } : {}),
    ...(rtt !== undefined ? { rtt: Math.round(rtt) } : {}),
    ...(a.origin !== undefined ? { by: a.origin } : {}),
  };
}

/** Begin a reading of a table: its rows fixed now, each built when asked for. */
export function readTable(what: StatusTable, src: StatusSource): TableReading {
  switch (what) {
    case 'servers': {
      const recs = [...src.servers.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
      return { size: recs.length, row: (i) => serverRow(recs[i]!, src.supervision(recs[i]!.name)) };
    }
    case 'files': {
      const names = src.catalog.names();
      return { size: names.length, row: (i) => fileRow(src.catalog, names[i]!) };
    }
    case 'sessions': {
      const list = [...src.assignments.values()];
      return { size: list.length, row: (i, now) => sessionRow(src, list[i]!, now) };
    }
    case 'members': {
      const list = [...src.members()].sort((a, b) => (a.addr < b.addr ? -1 : 1));
      return { size: list.length, row: (i, now): MemberRow => { const m = list[i]!; return { addr: m.addr, state: m.state, inc: m.inc, age: Math.max(0, Math.floor(now - m.since)) }; } };
    }
  }
}
