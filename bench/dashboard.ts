/**
 * Dashboard rendering cost: the real Dashboard drawn into a fake 160x50
 * terminal from a store holding many servers and sessions, with the store
 * changing before every frame (a few servers and sessions move, an event
 * arrives). Each frame is timed from the store's change notice to the frame
 * written out (React render, ink layout and output); CPU is the process's
 * user+system time over all frames. The baseline is a trivial ink <Text>
 * frame driven the same way in the same run, so `ratio` says what the
 * dashboard costs over ink's own floor on this machine.
 */
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { render, Text } from 'ink';
import { createElement, useEffect, useState } from 'react';
import { Dashboard } from '../src/ui/Dashboard.js';
import type { Actions, EventView, ServerView, SessionView, Snapshot, SnapshotStore } from '../src/view/model.js';
import { HISTORY_LENGTH } from '../src/view/model.js';
import { summarize } from './stats.js';
import { KeyInput } from './terminal.js';

export interface DashboardBenchOptions {
  readonly servers: number;
  readonly sessions: number;
  readonly frames: number;
}

export interface DashboardBenchResults {
  readonly frameMs: { readonly p50: number; readonly p99: number; readonly mean: number };
  readonly cpuPerFrameMs: number;
  readonly baselineMs: number;
  /** Mean dashboard frame over mean baseline frame. */
  readonly ratio: number;
  /** Which React build ran (the development build is several times slower). */
  readonly react: 'production' | 'development';
  /** Keys pressed while the store changes every millisecond, frames capped at 10 a second. */
  readonly underLoad: UnderLoadResults;
}

export interface UnderLoadResults {
  readonly durationMs: number;
  readonly storeChanges: number;
  /** Frames drawn in that time (store-driven and key-driven). */
  readonly frames: number;
  readonly keys: number;
  /** From a key press to the frame showing its effect. */
  readonly keyMs: { readonly p50: number; readonly p99: number };
}

const ROWS = 50;
const COLUMNS = 160;
const WARMUP = 20;

/** A store whose snapshot the bench replaces before each frame. */
class BenchStore implements SnapshotStore {
  private listeners = new Set<() => void>();
  constructor(public current: Snapshot) {}
  get(): Snapshot {
    return this.current;
  }
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(): void {
    for (const l of this.listeners) l();
  }
}

/** An output stream that hands each written frame to whoever waits for it. */
class FrameSink extends EventEmitter {
  readonly isTTY = false;
  readonly columns = COLUMNS;
  readonly rows = ROWS;
  writes = 0;
  private waiting: ((frame: string) => boolean) | undefined;
  write(frame: string): boolean {
    this.writes += 1;
    if (this.waiting?.(frame)) this.waiting = undefined;
    return true;
  }
  /** The next frame (that satisfies `test`). */
  next(test: (frame: string) => boolean = () => true): Promise<void> {
    return new Promise((resolve) => {
      this.waiting = (frame) => {
        if (!test(frame)) return false;
        resolve();
        return true;
      };
    });
  }
}

function serverName(i: number): string {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:7001`;
}

function server(i: number, tick: number): ServerView {
  const bw = ((i * 7 + tick) % 100) * 1e6;
  return {
    name: serverName(i),
    group: `g${i % 4}`,
    state: i % 50 === 0 ? 'draining' : 'up',
    files: 20,
    streams: 10,
    bw,
    cap: 100e6,
    history: Array.from({ length: HISTORY_LENGTH }, (_, k) => ((i + k + tick) % 100) * 1e6),
  };
}

function session(sid: number, servers: number, tick: number): SessionView {
  return {
    sid,
    client: `10.200.${(sid >> 8) & 255}.${sid & 255}:40000`,
    file: `movie${sid % 50}.ts`,
    srv: `10.0.${(sid % servers >> 8) & 255}.${sid % servers & 255}:7001`,
    npt: ((sid * 1000 + tick * 100) % 3_600_000),
    duration: 3_600_000,
    rate: 4e6,
    scale: sid % 10 === 0 ? 2000 : 1000,
    handoffs: sid % 3,
    moving: sid % 97 === tick % 97,
  };
}

function initial(o: DashboardBenchOptions, at: number): Snapshot {
  const servers = Array.from({ length: o.servers }, (_, i) => server(i, 0));
  const sessions = Array.from({ length: o.sessions }, (_, i) => session(i + 1, Math.max(1, o.servers), 0));
  return {
    master: '127.0.0.1:7000',
    reachability: 'up',
    lastHeard: at,
    servers,
    sessions,
    members: [],
    events: [],
    totals: { serversUp: o.servers, servers: o.servers, streams: o.sessions, bw: 50e6 * o.servers, cap: 100e6 * o.servers, requestsPerSec: 120 },
    version: 0,
  };
}

/** The next snapshot, as a store would make it: new arrays, a few changed rows, one more event. */
function advance(s: Snapshot, o: DashboardBenchOptions, tick: number, at: number): Snapshot {
  const servers = s.servers.slice();
  const sessions = s.sessions.slice();
  for (let k = 0; k < 10 && servers.length > 0; k++) {
    const i = (tick * 13 + k * 101) % servers.length;
    servers[i] = server(i, tick);
  }
  for (let k = 0; k < 100 && sessions.length > 0; k++) {
    const i = (tick * 17 + k * 97) % sessions.length;
    sessions[i] = session(i + 1, Math.max(1, o.servers), tick);
  }
  const event: EventView = { seq: tick, at, kind: 'handoff', level: tick % 5 === 0 ? 'warn' : 'info', text: `handoff ${tick} 10.0.0.1:7001 → 10.0.0.2:7001 (drain) gap ${tick % 300} ms` };
  return { ...s, servers, sessions, events: [event, ...s.events].slice(0, 500), version: s.version + 1, lastHeard: at };
}

const NO_ACTIONS: Actions = {
  drain: async () => ({ ok: true, text: '' }),
  handoff: async () => ({ ok: true, text: '' }),
};

function Trivial({ store }: { store: SnapshotStore }) {
  const [snapshot, setSnapshot] = useState(() => store.get());
  useEffect(() => store.subscribe(() => setSnapshot(store.get())), [store]);
  return createElement(Text, null, `frame ${snapshot.version}`);
}

interface Timed {
  readonly ms: number[];
  readonly cpuMs: number;
}

/** Draw `frames` frames (after a warm-up), each after one store change; time each and the CPU of all. */
async function timeFrames(element: (store: BenchStore) => Parameters<typeof render>[0], o: DashboardBenchOptions): Promise<Timed> {
  let at = Date.now();
  const store = new BenchStore(initial(o, at));
  const sink = new FrameSink();
  const first = sink.next();
  // debug: every commit is written at once, so a frame's end is observable (no ink throttling).
  const app = render(element(store), {
    stdout: sink as unknown as NodeJS.WriteStream,
    stdin: new PassThrough() as unknown as NodeJS.ReadStream,
    stderr: new PassThrough() as unknown as NodeJS.WriteStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  await first;
  const ms: number[] = [];
  let cpuStart = process.cpuUsage();
  for (let i = 1; i <= WARMUP + o.frames; i++) {
    if (i === WARMUP + 1) cpuStart = process.cpuUsage();
    at += 100;
    store.current = advance(store.current, o, i, at);
    const written = sink.next();
    const t0 = performance.now();
    store.emit();
    await written;
    if (i > WARMUP) ms.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpuStart);
  app.unmount();
  app.cleanup();
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000 };
}

const SGR = /\u001B\[[0-9;]*m/g;

/**
 * The store changes every millisecond for `durationMs` while `j` is pressed every 50 ms: frames
 * stay near 1000/`frameMs` a second plus one per key, and each key is answered by the next frame.
 */
async function underLoad(o: DashboardBenchOptions, durationMs = 1000, frameMs = 100): Promise<UnderLoadResults> {
  let at = Date.now();
  const store = new BenchStore(initial(o, at));
  const sink = new FrameSink();
  const keysIn = new KeyInput();
  const first = sink.next();
  const app = render(createElement(Dashboard, {
    store, actions: NO_ACTIONS, readOnly: false, rows: ROWS, columns: COLUMNS, frameIntervalMs: frameMs, clock: () => at,
  }), {
    stdout: sink as unknown as NodeJS.WriteStream,
    stdin: keysIn as unknown as NodeJS.ReadStream,
    stderr: new PassThrough() as unknown as NodeJS.WriteStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  await first;
  let changes = 0;
  const churn = setInterval(() => {
    at += 1;
    changes += 1;
    store.current = advance(store.current, o, changes, at);
    store.emit();
  }, 1);
  const started = performance.now();
  const framesBefore = sink.writes;
  const keyMs: number[] = [];
  let selected = 0;
  while (performance.now() - started < durationMs && selected + 1 < o.servers) {
    selected += 1;
    const shown = `› ${serverName(selected)}`;
    const answered = sink.next((frame) => frame.replace(SGR, '').includes(shown));
    const t0 = performance.now();
    keysIn.press('j');
    await answered;
    keyMs.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 50));
  }
  const elapsed = performance.now() - started;
  clearInterval(churn);
  const frames = sink.writes - framesBefore;
  app.unmount();
  app.cleanup();
  const k = summarize(keyMs);
  return { durationMs: elapsed, storeChanges: changes, frames, keys: keyMs.length, keyMs: { p50: k.p50, p99: k.p99 } };
}

export async function benchDashboard(o: DashboardBenchOptions): Promise<DashboardBenchResults> {
  const baseline = await timeFrames((store) => createElement(Trivial, { store }), o);
  const dashboard = await timeFrames((store) => createElement(Dashboard, {
    store, actions: NO_ACTIONS, readOnly: false, rows: ROWS, columns: COLUMNS, frameIntervalMs: 0, clock: () => store.current.lastHeard ?? 0,
  }), o);
  const frame = summarize(dashboard.ms);
  const base = summarize(baseline.ms);
  return {
    frameMs: { p50: frame.p50, p99: frame.p99, mean: frame.mean },
    cpuPerFrameMs: dashboard.cpuMs / Math.max(1, o.frames),
    baselineMs: base.mean,
    ratio: frame.mean / base.mean,
    react: process.env.NODE_ENV === 'production' ? 'production' : 'development',
    underLoad: await underLoad(o),
  };
}
