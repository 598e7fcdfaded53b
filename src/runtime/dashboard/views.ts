/**
 * The master's status rows as the dashboard's views, merged with what the
 * store already holds: each server's bandwidth history grows by one sample
 * per refresh, and a row that has not changed keeps its old object, so the
 * store (and a view that memoizes on identity) can tell nothing changed.
 */
import { HISTORY_LENGTH, type MemberView, type ServerView, type SessionView } from '../../view/model.js';
import type { StatusMember, StatusServer, StatusSession } from '../statusQuery.js';

/** The next history: the sample appended, the oldest dropped beyond `length`. */
export function nextHistory(previous: readonly number[] | undefined, sample: number, length = HISTORY_LENGTH): number[] {
  const h = [...(previous ?? []), sample];
  return h.length > length ? h.slice(h.length - length) : h;
}

export function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export function sameServer(a: ServerView, b: ServerView): boolean {
  return a.name === b.name && a.group === b.group && a.state === b.state && a.files === b.files && a.streams === b.streams
    && a.bw === b.bw && a.cap === b.cap && a.supervisor === b.supervisor && a.loc === b.loc && a.rtt === b.rtt && a.viewKnown === b.viewKnown
    && a.viewStalest === b.viewStalest && sameNumbers(a.history, b.history);
}

export function sameMember(a: MemberView, b: MemberView): boolean {
  return a.addr === b.addr && a.state === b.state && a.inc === b.inc && a.age === b.age && a.supervises === b.supervises && a.requestsPerSec === b.requestsPerSec && a.assigned === b.assigned;
}

/**
 * The group as the masters pane shows it: the watched master first (its requests per second), then
 * the members in address order, each with the servers it supervises by the servers table and the
 * streams it assigned by the sessions table (§12.4).
 */
export function memberViews(self: string, rows: readonly StatusMember[], servers: readonly ServerView[], sessions: readonly SessionView[], requestsPerSec: number, previous: readonly MemberView[]): MemberView[] {
  const supervises = (addr: string) => servers.filter((s) => s.supervisor?.replace(/\*$/, '') === addr).length;
  const assigned = new Map<string, number>();
  for (const s of sessions) assigned.set(s.by ?? self, (assigned.get(s.by ?? self) ?? 0) + 1);
  const before = new Map(previous.map((m) => [m.addr, m]));
  const all: MemberView[] = [
    { addr: self, state: 'self', inc: 0, age: 0, supervises: supervises(self), requestsPerSec, assigned: assigned.get(self) ?? 0 },
    ...[...rows].sort((a, b) => (a.addr < b.addr ? -1 : 1)).map((r): MemberView => ({ addr: r.addr, state: r.state, inc: r.inc, age: Math.floor(r.age / 1000) * 1000, supervises: supervises(r.addr), assigned: assigned.get(r.addr) ?? 0 })),
  ];
  return all.map((m) => {
    const old = before.get(m.addr);
    return old && sameMember(old, m) ? old : m;
  });
}

export function sameSession(a: SessionView, b: SessionView): boolean {
  return a.sid === b.sid && a.client === b.client && a.file === b.file && a.srv === b.srv && a.npt === b.npt && a.duration === b.duration
    && a.rate === b.rate && a.scale === b.scale && a.handoffs === b.handoffs && a.moving === b.moving && a.by === b.by;
}

/** The servers of a fresh table, each with its history extended by its bandwidth now. */
export function serverViews(rows: readonly StatusServer[], previous: readonly ServerView[]): ServerView[] {
  const before = new Map(previous.map((s) => [s.name, s]));
  return rows.map((r) => {
    const old = before.get(r.name);
    const next: ServerView = {
      name: r.name,
      group: r.group,
      state: r.state,
      files: r.files,
      streams: r.streams,
      bw: r.bw,
      cap: r.cap,
      history: nextHistory(old?.history, r.bw),
      ...(r.sup !== undefined ? { supervisor: `${r.sup}${r.pin ? '*' : ''}` } : {}),
      ...(r.loc !== undefined ? { loc: r.loc } : {}),
      ...(r.rtt !== undefined ? { rtt: r.rtt } : {}),
      ...(r.vk !== undefined ? { viewKnown: r.vk, viewStalest: r.vs ?? 0 } : {}),
    };
    return old && sameServer(old, next) ? old : next;
  });
}

/** Length of an item at its media rate, ms; undefined when either is unknown. */
export function durationOf(size: number | undefined, rate: number | undefined): number | undefined {
  return size !== undefined && rate !== undefined && rate > 0 ? Math.round((size * 8 * 1000) / rate) : undefined;
}

export function sessionViews(rows: readonly StatusSession[], previous: readonly SessionView[]): SessionView[] {
  const before = new Map(previous.map((s) => [s.sid, s]));
  return rows.map((r) => {
    const duration = durationOf(r.size, r.rate);
    const next: SessionView = {
      sid: r.sid,
      client: r.client,
      file: r.file,
      srv: r.srv,
      ...(r.npt !== undefined ? { npt: r.npt } : {}),
      ...(duration !== undefined ? { duration } : {}),
      ...(r.rate !== undefined ? { rate: r.rate } : {}),
      ...(r.scale !== undefined ? { scale: r.scale } : {}),
      handoffs: r.handoffs ?? 0,
      moving: r.moving ?? false,
      ...(r.by !== undefined ? { by: r.by } : {}),
    };
    const old = before.get(r.sid);
    return old && sameSession(old, next) ? old : next;
  });
}

/** True when the two lists hold the same objects in the same order (views() keeps unchanged rows' objects). */
export function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
