/**
 * What a client reports of its fetch (S2.6, §10.6): a sub-machine that books
 * the servers used, the handoffs and their gaps, and the bytes handed on, and
 * makes the result. The client core tells it what happened; it decides nothing.
 */
import type { ErrorCode, WireCode } from '../../protocol/errors.js';

export interface HandoffRecord {
  readonly from: string;
  readonly to: string;
  readonly why: string;
  readonly npt: number;
  readonly computed?: number;
  readonly gap: number;
}

export interface ClientResult {
  readonly ok: boolean;
  /** A code of the error table (§8.4), one a server or master sent that this version does not know (§8.1), or `stopped`. */
  readonly code?: ErrorCode | WireCode | 'stopped';
  readonly message?: string;
  readonly bytes: number;
  readonly size: number;
  readonly flows: readonly { name: string; size: number; bytes: number }[];
  readonly servers: readonly string[];
  readonly switches: number;
  readonly handoffs: readonly HandoffRecord[];
  readonly maxGap: number;
  readonly duplicates: number;
  readonly started: number;
  readonly firstByte?: number;
  readonly finished: number;
}

/** A flow as the result reports it: its size and how far its in-order copy reached. */
export interface FlowProgress {
  readonly name: string;
  readonly size: number;
  readonly bytes: number;
}

export class ResultBook {
  private startedAt = 0;
  private firstByteAt: number | undefined;
  /** Bytes handed on, every flow. */
  bytes = 0;
  private readonly servers: string[] = [];
  private switches = 0;
  private readonly handoffs: HandoffRecord[] = [];

  started(now: number): void {
    this.startedAt = now;
  }

  /** Data arrived (the first time counts). */
  dataArrived(now: number): void {
    this.firstByteAt ??= now;
  }

  /** The stream plays at `srv` now; a change of server is a switch. */
  server(srv: string): void {
    if (this.servers[this.servers.length - 1] === srv) return;
    if (this.servers.length > 0) this.switches++;
    this.servers.push(srv);
  }

  /** Has any server set a stream up for this client? */
  get anyServer(): boolean {
    return this.servers.length > 0;
  }

  handoff(rec: HandoffRecord): void {
    this.handoffs.push(rec);
  }

  get maxGap(): number {
    return this.handoffs.reduce((m, h) => Math.max(m, h.gap), 0);
  }

  /** The figures of the `complete` event. */
  summary(now: number, size: number): { bytes: number; size: number; servers: string[]; switches: number; handoffs: number; maxGap: number; ms: number } {
    return { bytes: this.bytes, size, servers: [...this.servers], switches: this.switches, handoffs: this.handoffs.length, maxGap: this.maxGap, ms: now - this.startedAt };
  }

  result(ok: boolean, now: number, flows: readonly FlowProgress[], duplicates: number, code?: ClientResult['code'], message?: string): ClientResult {
    return {
      ok,
      ...(code ? { code } : {}),
      ...(message ? { message } : {}),
      bytes: this.bytes,
      size: flows.reduce((n, f) => n + f.size, 0),
      flows: flows.map((f) => ({ ...f })),
      servers: [...this.servers],
      switches: this.switches,
      handoffs: [...this.handoffs],
      maxGap: this.maxGap,
      duplicates,
      started: this.startedAt,
      ...(this.firstByteAt !== undefined ? { firstByte: this.firstByteAt } : {}),
      finished: now,
    };
  }
}
