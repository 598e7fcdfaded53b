/**
 * Drives one role core by hand in tests: feeds it datagrams, commands and
 * timers on a virtual clock, and keeps every transmit (decoded) and event, so a
 * test reads like the protocol's sequence diagrams.
 */
import { ClusterAuth } from '../../src/protocol/auth.js';
import { decode, encode } from '../../src/protocol/codec.js';
import type { Message, MessageOf, MessageType } from '../../src/protocol/messages.js';
import { Rng } from '../../src/protocol/rng.js';
import type { Input, Role, RoleDeps, RoleEvent, StreamBytes } from '../../src/roles/role.js';
import { nodeCrypto } from '../../src/platform/crypto.js';
import { SIM_EPOCH } from '../../testbed/sim/network.js';

export const KEY = 'correct horse battery staple';

export function testAuth(key = KEY): ClusterAuth {
  return new ClusterAuth(key, nodeCrypto);
}

export function testDeps(seed = 1, key?: string): RoleDeps {
  return { rng: new Rng(seed), crypto: nodeCrypto, ...(key ? { auth: testAuth(key) } : {}) };
}

export interface Sent {
  readonly at: number;
  readonly to: string;
  readonly bytes: Uint8Array;
  /** The decoded message; undefined would mean the role sent bytes it cannot decode itself. */
  readonly msg: Message | undefined;
  /** True when the datagram carries a MAC. */
  readonly mac: boolean;
}

/** The transmits of one message type, typed. */
export function ofType<K extends MessageType>(sent: readonly Sent[], type: K): (MessageOf<K> & { readonly to: string; readonly wireSize: number })[] {
  return sent.filter((s) => s.msg?.type === type).map((s) => ({ ...(s.msg as MessageOf<K>), to: s.to, wireSize: s.bytes.length }));
}

/** The typed event union a role reports (`MasterEvent`, `ServerEvent`, `ClientEvent`; `RoleEvent` for any role). */
export type EventOf<R> = R extends { pollEvent(): infer E } ? Exclude<E, undefined> : RoleEvent;

/** The events of `E` that may have type `K`, narrowed to it. */
export type EventNamed<E, K extends string> = E extends { readonly type: infer T } ? (K extends T ? E & { readonly type: K } : never) : never;

export class Driver<C = never, R extends Role<C, RoleEvent> = Role<C, RoleEvent>, E extends RoleEvent = EventOf<R>> {
  readonly sent: Sent[] = [];
  readonly events: E[] = [];
  /** The stream bytes a receiving role handed on (its own output, not events). */
  readonly data: StreamBytes[] = [];
  /** Bytes each address sent the role, and bytes the role sent each address. */
  readonly bytesFrom = new Map<string, number>();
  readonly bytesTo = new Map<string, number>();

  constructor(
    readonly role: R,
    public now = SIM_EPOCH,
  ) {}

  /** Feed one input; returns what the role transmitted in answer. */
  input(input: Input<C>): Sent[] {
    if (input.kind === 'datagram') this.bytesFrom.set(input.from, (this.bytesFrom.get(input.from) ?? 0) + input.bytes.length);
    this.role.handle(input, this.now);
    return this.drain();
  }

  /** A datagram from `from`: raw bytes, or a message encoded without a MAC. */
  datagram(from: string, m: Uint8Array | Message): Sent[] {
    const bytes = m instanceof Uint8Array ? m : encode(m);
    return this.input({ kind: 'datagram', from, bytes });
  }

  /** A control message from `from`, with a MAC under `auth` (stamped with the current time). */
  control(from: string, m: Message, auth: ClusterAuth | undefined, at = this.now): Sent[] {
    return this.datagram(from, auth ? auth.encode(m, at) : encode(m));
  }

  command(command: C): Sent[] {
    return this.input({ kind: 'command', command });
  }

  /** Advance the clock to `t`, giving the role every timer it asks for on the way. */
  advanceTo(t: number, maxTimers = 1_000_000): Sent[] {
    const out: Sent[] = [];
    for (let i = 0; ; i++) {
      const due = this.role.pollTimeout();
      if (due === undefined || due > t) break;
      if (i >= maxTimers) throw new Error(`more than ${maxTimers} timers before ${t}: the role keeps asking for the same time`);
      this.now = Math.max(this.now, due);
      out.push(...this.input({ kind: 'timer' }));
    }
    this.now = Math.max(this.now, t);
    return out;
  }

  advance(ms: number): Sent[] {
    return this.advanceTo(this.now + ms);
  }

  /** Events of one type seen so far. */
  eventsOf<K extends E['type']>(type: K): EventNamed<E, K>[] {
    return this.events.filter((e): e is EventNamed<E, K> => e.type === type);
  }

  private drain(): Sent[] {
    const out: Sent[] = [];
    for (let t = this.role.pollTransmit(); t; t = this.role.pollTransmit()) {
      const d = decode(t.bytes);
      const s: Sent = { at: this.now, to: t.to, bytes: t.bytes, msg: d.ok ? d.msg : undefined, mac: d.ok && d.mac !== undefined };
      this.bytesTo.set(t.to, (this.bytesTo.get(t.to) ?? 0) + t.bytes.length);
      out.push(s);
    }
    this.sent.push(...out);
    for (let d = this.role.pollData?.(); d; d = this.role.pollData?.()) this.data.push(d);
    for (let e = this.role.pollEvent(); e; e = this.role.pollEvent()) this.events.push(e as E);
    return out;
  }
}
