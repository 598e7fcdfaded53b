/**
 * What a simulated run records from its roles' events: the events themselves
 * (bounded), and the figures the checkers read — answer latencies, streams
 * per server, servers seen down, crashes.
 */
import type { RoleEvent } from '../../src/roles/role.js';
import type { RoleKind, TimedEvent } from '../scenario/types.js';
import { eventData } from './eventData.js';

/** Events kept at most; beyond it (a huge run) events are counted, not kept. */
export const MAX_EVENTS = 500_000;
/** Debug-level events are kept only while fewer than this many events are kept. */
export const MAX_DEBUG_EVENTS = 100_000;

export class SimRecorder {
  readonly events: TimedEvent[] = [];
  skipped = 0;
  readonly answerLatencies: number[] = [];
  readonly streamsPerServer: Record<string, number> = {};
  readonly serversDown = new Set<string>();
  readonly crashed: string[] = [];
  /** Client name → the masters that answered it (by name), in order. */
  readonly answeredBy = new Map<string, string[]>();
  private readonly askAt = new Map<string, number>();

  constructor(
    /** The virtual time the run started at. */
    private readonly start: number,
    private readonly name: (addr: string) => string,
    servers: readonly string[],
    /** Told of every event as it happens, kept or not (a benchmark that measures a large run). */
    private readonly listener?: (e: TimedEvent) => void,
  ) {
    for (const s of servers) this.streamsPerServer[s] = 0;
  }

  /** An event of node `node` (a role), at virtual time `now`. */
  onEvent(node: string, kind: RoleKind, e: RoleEvent, now: number): void {
    switch (kind) {
      case 'client':
        if (e.type === 'ask') this.askAt.set(node, now);
        else if (e.type === 'redirected' || e.type === 'listed' || e.type === 'setup') {
          const master = (e as { master?: unknown }).master;
          if (typeof master === 'string') this.answeredBy.set(node, [...(this.answeredBy.get(node) ?? []), this.name(master)]);
        }
        else if (e.type === 'state' && e.from === 'asking' && (e.on === 'redirect' || e.on === 'server-list' || e.on === 'setup')) {
          const at = this.askAt.get(node);
          if (at !== undefined) this.answerLatencies.push(now - at);
          this.askAt.delete(node);
        }
        break;
      case 'server':
        if (e.type === 'stream-play') this.streamsPerServer[node] = (this.streamsPerServer[node] ?? 0) + 1;
        break;
      case 'master':
        if (e.type === 'server-down' && typeof e.srv === 'string') this.serversDown.add(this.name(e.srv));
        break;
      default:
        break;
    }
    this.keep(node, e.type, e, now);
  }

  /** An event of the testbed itself (a fault applied, a phase). */
  note(type: string, data: Record<string, unknown>, now: number): void {
    this.events.push({ t: this.t(now), node: 'testbed', type, data });
  }

  crash(node: string, error: unknown, now: number): void {
    this.crashed.push(node);
    const message = error instanceof Error ? error.message : String(error);
    const stack = error instanceof Error ? (error.stack ?? '').split('\n').slice(1, 4).map((l) => l.trim()).join(' | ') : '';
    this.events.push({ t: this.t(now), node, type: 'crash', data: { level: 'error', error: message, stack } });
  }

  private keep(node: string, type: string, e: RoleEvent, now: number): void {
    this.listener?.({ t: this.t(now), node, type, data: eventData(e, this.name) });
    const n = this.events.length;
    if (n >= MAX_EVENTS || (e.level === 'debug' && n >= MAX_DEBUG_EVENTS)) {
      this.skipped++;
      return;
    }
    this.events.push({ t: this.t(now), node, type, data: eventData(e, this.name) });
  }

  private t(now: number): number {
    return Math.round((now - this.start) * 1000) / 1000;
  }
}
