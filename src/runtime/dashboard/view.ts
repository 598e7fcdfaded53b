/**
 * Showing a store: the interactive dashboard (ink, src/ui/) on a terminal, or
 * plain lines at the refresh interval when stdout is not a terminal or `CI`
 * is set — a status line each refresh and each new event as a line, never a
 * redraw. The view modules are loaded only when needed (plain output does
 * not load React).
 */
import type { Actions, EventView, Snapshot } from '../../view/model.js';
import { now } from '../clock.js';
import { clockTime, type Sink } from '../output.js';
import { onStopSignal } from '../signals.js';
import type { DashboardStore } from './store.js';
import { loadUi } from './loadUi.js';

/** True when `CI` is set to anything but empty, `0` or `false`. */
export function ciSet(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/** Whether to draw the interactive dashboard: a terminal on stdout (and on stdin, for the keys), and not CI. */
export function interactiveTerminal(
  stdout: { isTTY?: boolean } = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
  stdin: { isTTY?: boolean } = process.stdin,
): boolean {
  return stdout.isTTY === true && stdin.isTTY === true && !ciSet(env);
}

export type PlainFormat = 'human' | 'json-stream';

/** Why the dashboard ended. */
export type DashboardEnd = 'quit' | 'signal' | 'duration' | 'ended';

export interface ShowOptions {
  readonly store: DashboardStore;
  readonly actions: Actions;
  readonly readOnly: boolean;
  readonly interactive: boolean;
  readonly refreshMs: number;
  /** Plain output: stop after this long, ms. */
  readonly durationMs?: number;
  /** Plain output: stop when this settles (the host is done). */
  readonly until?: Promise<unknown>;
  readonly format?: PlainFormat;
  readonly stdout?: Sink;
}

/** Run the view until the user quits (interactive), or until a stop signal, `durationMs` or `until` (plain). */
export async function showDashboard(o: ShowOptions): Promise<DashboardEnd> {
  if (o.interactive) {
    const { runDashboard } = await loadUi();
    await runDashboard({ store: o.store, actions: o.actions, readOnly: o.readOnly });
    return 'quit';
  }
  return plainLines(o);
}

/** One event as a plain line: `12:00:01.234 WARN server 127.0.0.1:7701 draining`. */
export function plainEventLine(e: EventView): string {
  return `${clockTime(e.at)} ${e.level === 'info' ? '' : `${e.level.toUpperCase()} `}${e.text}`;
}

/** The JSON line of a snapshot in `--json-stream` (no sessions' rows, no histories: those are the view's). */
function statusJson(s: Snapshot, t: number): string {
  return JSON.stringify({
    event: 'status',
    t: Math.round(t),
    data: {
      master: s.master,
      reachability: s.reachability,
      ...(s.lastHeard !== undefined ? { lastHeard: Math.round(s.lastHeard) } : {}),
      totals: s.totals,
      servers: s.servers.map(({ history: _h, ...rest }) => rest),
      sessions: s.sessions.length,
      ...(s.jobs ? { jobs: s.jobs } : {}),
    },
  });
}

function eventJson(e: EventView): string {
  const { kind, at, ...data } = e;
  return JSON.stringify({ event: kind, t: Math.round(at), data });
}

async function plainLines(o: ShowOptions): Promise<DashboardEnd> {
  const { plainJobLine, plainStatusLine } = await import('../../view/plain.js');
  const out = o.stdout ?? process.stdout;
  const json = o.format === 'json-stream';
  const printed = new WeakSet<EventView>();
  /** The last line printed of each job (`--base`): a job gets a line when it changes. */
  const jobLines = new Map<number, string>();
  const print = () => {
    const s = o.store.get();
    if (!json && s.jobs) {
      for (const j of s.jobs.jobs) {
        const line = plainJobLine(j);
        if (jobLines.get(j.job) === line) continue;
        jobLines.set(j.job, line);
        out.write(`${clockTime(now())} ${line}\n`);
      }
      // Bounded: lines of jobs no longer listed are forgotten.
      if (jobLines.size > s.jobs.jobs.length) for (const id of [...jobLines.keys()]) if (!s.jobs.jobs.some((j) => j.job === id)) jobLines.delete(id);
    }
    // New events oldest first, then the status line: the line says where things stand after them.
    const fresh = s.events.filter((e) => !printed.has(e)).reverse();
    for (const e of fresh) {
      printed.add(e);
      out.write((json ? eventJson(e) : plainEventLine(e)) + '\n');
    }
    out.write((json ? statusJson(s, now()) : plainStatusLine(s)) + '\n');
  };
  let timer: NodeJS.Timeout | undefined;
  let durationTimer: NodeJS.Timeout | undefined;
  let unsubscribe = () => {};
  try {
    return await new Promise<DashboardEnd>((resolve) => {
      unsubscribe = onStopSignal(() => resolve('signal'));
      timer = setInterval(print, o.refreshMs);
      if (o.durationMs !== undefined) durationTimer = setTimeout(() => resolve('duration'), o.durationMs);
      o.until?.then(() => resolve('ended'), () => resolve('ended'));
    });
  } finally {
    unsubscribe();
    clearInterval(timer);
    clearTimeout(durationTimer);
    print();
  }
}
