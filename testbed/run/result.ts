/**
 * What one run of a scenario comes to: its verdict and checks, its figures,
 * where its artifacts are, and the command that reproduces it.
 */
import type { CheckResult, RunRecord, Verdict } from '../scenario/types.js';
import { p99 } from './checks.js';

export type Mode = 'sim' | 'real';

export interface Figures {
  /** ms of protocol time (virtual in sim). */
  readonly elapsed: number;
  /** ms of wall time. */
  readonly wall: number;
  /** Simulated time ÷ wall time (sim). */
  readonly ratio?: number;
  /** Simulator events, and per second of wall time (sim). */
  readonly events?: number;
  readonly eventsPerSecond?: number;
  readonly datagrams?: number;
  readonly traceHash?: string;
  readonly clients: number;
  readonly completed: number;
  readonly failed: number;
  readonly handoffs: number;
  readonly answers: number;
  readonly answerP99?: number;
  readonly spoofedSent?: number;
  readonly reflected?: number;
}

export interface RunResult {
  readonly scenario: string;
  readonly mode: Mode;
  readonly seed: number;
  readonly verdict: Verdict;
  readonly checks: readonly CheckResult[];
  readonly figures?: Figures;
  /** Set when the harness failed (the run could not be made): what went wrong. */
  readonly harness?: string;
  /** The artifact folder. */
  readonly dir?: string;
  /** The command that runs it again, the same way. */
  readonly reproduce: string;
}

export function figuresOf(r: RunRecord): Figures {
  const secs = r.wall / 1000;
  return {
    elapsed: Math.round(r.elapsed),
    wall: Math.round(r.wall),
    ...(r.sim ? {
      ratio: r.wall > 0 ? Math.round((r.elapsed / r.wall) * 10) / 10 : 0,
      events: r.sim.events,
      eventsPerSecond: secs > 0 ? Math.round(r.sim.events / secs) : 0,
      datagrams: r.sim.datagrams,
      traceHash: r.sim.traceHash,
    } : {}),
    clients: r.clients.length,
    completed: r.clients.filter((c) => c.ok).length,
    failed: r.clients.filter((c) => !c.ok).length,
    handoffs: r.clients.reduce((n, c) => n + c.handoffs, 0),
    answers: r.answerLatencies.length,
    ...(r.answerLatencies.length > 0 ? { answerP99: Math.round(p99(r.answerLatencies) * 1000) / 1000 } : {}),
    ...(r.spoofed.sent > 0 ? { spoofedSent: r.spoofed.sent, reflected: r.spoofed.reflected } : {}),
  };
}
