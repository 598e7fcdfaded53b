/**
 * A server's cap on its total job upload (§14.3): one bucket of sending credit
 * that every transfer it serves draws from, whatever job or command it is of,
 * on top of each transfer's own pace. Transfers that find the bucket short wait
 * their turn in order, so each chunk the bucket allows goes to the transfer
 * that has waited longest: no transfer starves while others send.
 *
 * Pure: the outlets call it with the time.
 */
import { JOB_BURST, JOB_CHUNK } from '../../protocol/constants.js';

/** Bytes of a `chunk` datagram beside its data: the envelope and the fields (a bound, §14.3). */
export const CHUNK_OVERHEAD = 40;

/** A transfer that draws on the upload: an identity only. */
export type Drawer = object;

export class Upload {
  private credit = 0;
  private creditAt: number | undefined;
  /** Transfers open now: a new one is offered its share of the rate. */
  private readonly open = new Set<Drawer>();
  /** Transfers that found the bucket short, in the order they did: the first takes the next chunk. */
  private readonly turns: Drawer[] = [];

  constructor(
    /** Bits per second, over every transfer. */
    readonly rate: number,
  ) {}

  /** Transfers open now. */
  get transfers(): number {
    return this.open.size;
  }

  join(d: Drawer): void {
    this.open.add(d);
  }

  leave(d: Drawer): void {
    this.open.delete(d);
    this.pass(d);
  }

  /** The rate a new transfer may count on: an equal share of the cap with those open now, bits per second. */
  offer(): number {
    return Math.floor(this.rate / (this.open.size + 1));
  }

  private refill(now: number): void {
    const perMs = this.rate / 8 / 1000;
    const cap = Math.max(JOB_CHUNK + CHUNK_OVERHEAD, perMs * JOB_BURST);
    this.credit = this.creditAt === undefined ? cap : Math.min(cap, this.credit + Math.max(0, now - this.creditAt) * perMs);
    this.creditAt = now;
  }

  /**
   * May `d` send `cost` bytes now? Only when the bucket holds them and no transfer that waited
   * before it is still waiting; it takes the credit then. Otherwise it waits its turn.
   */
  take(d: Drawer, cost: number, now: number): boolean {
    this.refill(now);
    const first = this.turns[0];
    if ((first !== undefined && first !== d) || this.credit < cost) {
      if (!this.turns.includes(d)) this.turns.push(d);
      return false;
    }
    this.credit -= cost;
    if (first === d) this.turns.shift();
    return true;
  }

  /** `d` has nothing to send for now (its own pace, its receiver, its source): it gives up its turn. */
  pass(d: Drawer): void {
    const i = this.turns.indexOf(d);
    if (i >= 0) this.turns.splice(i, 1);
  }

  /**
   * When `d` may send `cost` bytes: when the bucket holds them, or, while another transfer waits
   * before it, a whole chunk: the most that one may take first.
   */
  readyAt(d: Drawer, cost: number, now: number): number {
    this.refill(now);
    const first = this.turns[0];
    const need = first !== undefined && first !== d ? Math.max(cost, JOB_CHUNK + CHUNK_OVERHEAD) : cost;
    return this.credit >= need ? now : now + Math.ceil((need - this.credit) / (this.rate / 8 / 1000));
  }
}
