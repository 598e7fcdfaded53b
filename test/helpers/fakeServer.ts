/**
 * A media server played by hand against a Master core: registers, sends its
 * content list, answers polls and reports load, so master tests control every
 * load figure exactly.
 */
import { expect } from 'vitest';
import type { ClusterAuth } from '../../src/protocol/auth.js';
import type { MessageOf, ServerFacts } from '../../src/protocol/messages.js';
import type { Master, MasterCommand } from '../../src/roles/master/master.js';
import { type Driver, ofType, type Sent } from './roleDriver.js';

export type FileEntry = readonly [name: string, size: number, rate: number];

export interface FakeServerOptions {
  /** Its address, which is also its name. */
  readonly addr: string;
  readonly files: readonly FileEntry[];
  readonly cap?: number;
  readonly group?: string;
  readonly epoch?: number;
  readonly auth?: ClusterAuth;
  /** The content list in parts of this many files (default: one part). */
  readonly partSize?: number;
  /** Static facts it registers with (§12.5). */
  readonly facts?: ServerFacts;
}

export class FakeServer {
  readonly addr: string;
  readonly epoch: number;
  readonly cap: number;
  cookie: Uint8Array = new Uint8Array(8);
  readonly parts: FileEntry[][];

  constructor(
    private readonly d: Driver<MasterCommand, Master>,
    private readonly o: FakeServerOptions,
  ) {
    this.addr = o.addr;
    this.epoch = o.epoch ?? 7;
    this.cap = o.cap ?? 100_000_000;
    const size = o.partSize ?? Math.max(1, o.files.length);
    this.parts = [];
    for (let i = 0; i < o.files.length; i += size) this.parts.push(o.files.slice(i, i + size));
    if (this.parts.length === 0) this.parts.push([]);
  }

  send(m: MessageOf<'register' | 'content' | 'load' | 'leave' | 'setup' | 'error' | 'track'>): Sent[] {
    return this.d.control(this.addr, m, this.o.auth);
  }

  register(): Sent[] {
    return this.send({
      type: 'register',
      name: this.addr,
      epoch: this.epoch,
      cap: this.cap,
      group: this.o.group ?? 'default',
      files: this.o.files.length,
      parts: this.parts.length,
      ...this.o.facts,
    });
  }

  content(part: number): Sent[] {
    return this.send({ type: 'content', name: this.addr, epoch: this.epoch, cookie: this.cookie, part, parts: this.parts.length, files: this.parts[part]!.map((f) => [...f] as [string, number, number]) });
  }

  /** Register and send every content part; the master then lists it as up. */
  join(): this {
    const acks = ofType(this.register(), 'register-ack');
    expect(acks, `register-ack to ${this.addr}`).toHaveLength(1);
    this.cookie = acks[0]!.cookie;
    for (let i = 0; i < this.parts.length; i++) this.content(i);
    return this;
  }

  /** A load report (pushed, seq 0, unless given). */
  load(l: Partial<MessageOf<'load'>> = {}): Sent[] {
    return this.send({ type: 'load', name: this.addr, epoch: this.epoch, cookie: this.cookie, seq: 0, streams: 0, bw: 0, sent: 0, cap: this.cap, sids: [], ...l });
  }

  /** A stream control event (§10.4), numbered by the caller. */
  track(e: Omit<MessageOf<'track'>, 'type' | 'at'>): Sent[] {
    return this.send({ type: 'track', ...e });
  }

  leave(): Sent[] {
    return this.send({ type: 'leave', name: this.addr, epoch: this.epoch, cookie: this.cookie });
  }
}
