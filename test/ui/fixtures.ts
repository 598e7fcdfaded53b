/** A fake snapshot store and sample rows for the dashboard's tests. */
import type { ActionResult, Actions, EventView, ServerView, SessionView, Snapshot, SnapshotStore, Totals } from '../../src/view/model.js';

export const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

export function server(i: number, over: Partial<ServerView> = {}): ServerView {
  return {
    name: `10.0.${Math.floor(i / 250)}.${i % 250}:7001`,
    group: i % 2 === 0 ? 'east' : 'west',
    state: 'up',
    files: 3,
    streams: i % 5,
    bw: 40e6,
    cap: 100e6,
    history: [10e6, 20e6, 30e6, 40e6],
    ...over,
  };
}

export function session(sid: number, over: Partial<SessionView> = {}): SessionView {
  return {
    sid,
    client: `10.9.0.${sid % 250}:5${String(sid % 10000).padStart(4, '0')}`,
    file: `movie${sid % 7}.ts`,
    srv: server(sid % 3).name,
    npt: 83_000,
    duration: 240_000,
    rate: 4e6,
    scale: 1000,
    handoffs: 0,
    moving: false,
    ...over,
  };
}

export function event(seq: number, over: Partial<EventView> = {}): EventView {
  return { seq, at: T0 + seq * 1000, kind: 'redirect', level: 'info', text: `redirect ${seq} to a`, ...over };
}

export function totalsOf(servers: readonly ServerView[], sessions: readonly SessionView[]): Totals {
  return {
    serversUp: servers.filter((s) => s.state === 'up').length,
    servers: servers.length,
    streams: sessions.length,
    bw: servers.reduce((n, s) => n + s.bw, 0),
    cap: servers.reduce((n, s) => n + s.cap, 0),
    requestsPerSec: 12.5,
  };
}

export function snapshot(over: Partial<Snapshot> = {}): Snapshot {
  const servers = over.servers ?? [server(0), server(1), server(2)];
  const sessions = over.sessions ?? [session(1), session(2)];
  return {
    master: '127.0.0.1:7000',
    reachability: 'up',
    lastHeard: T0,
    servers,
    sessions,
    members: [],
    events: [event(2), event(1)],
    totals: totalsOf(servers, sessions),
    version: 1,
    ...over,
  };
}

/** A store the test changes by hand; counts its listeners so leaks show. */
export class FakeStore implements SnapshotStore {
  private listeners = new Set<() => void>();
  constructor(private current: Snapshot = snapshot()) {}
  get(): Snapshot {
    return this.current;
  }
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  set(next: Partial<Snapshot>): void {
    this.current = { ...this.current, ...next, version: this.current.version + 1 };
    for (const l of [...this.listeners]) l();
  }
  get listenerCount(): number {
    return this.listeners.size;
  }
}

/** Actions that record their calls and answer ok. */
export class RecordingActions implements Actions {
  readonly calls: string[] = [];
  extra?: Actions['extra'];
  constructor(extra?: Actions['extra']) {
    this.extra = extra;
  }
  async drain(srv: string): Promise<ActionResult> {
    this.calls.push(`drain ${srv}`);
    return { ok: true, text: `drain ${srv}: ok` };
  }
  async handoff(sid: number): Promise<ActionResult> {
    this.calls.push(`handoff ${sid}`);
    return { ok: true, text: `handoff ${sid}: moving` };
  }
}

export const KEY = {
  tab: '\t',
  shiftTab: '\u001B[Z',
  up: '\u001B[A',
  down: '\u001B[B',
  pageDown: '\u001B[6~',
  escape: '\u001B',
  enter: '\r',
  backspace: '\u007F',
  ctrlC: '\u0003',
} as const;

/** Bounded wait for a condition on the frame (ink may answer a key on the next tick). */
export async function until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
