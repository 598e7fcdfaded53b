/**
 * Drives a role core with a random sequence of inputs and checks, after every
 * input, the invariants every role must keep whatever it is sent:
 *
 * - it never throws, and never reports an internal error;
 * - everything it sends fits in MAX_DATAGRAM and decodes;
 * - anti-amplification (§9.4): to an address that has not proven it receives
 *   there, it never sends more than AMPLIFICATION_RATIO bytes per byte received
 *   from it (the test keeps its own books, and its own idea of what proves an
 *   address, per role);
 * - every table it keeps stays within its limit (§7.3);
 * - its timers make progress: a `timer` input never leaves it due again at once forever.
 *
 * Inputs: valid messages from the schemas (their names and files drawn from
 * what the role knows), the same mutated, random bytes, answers that echo what
 * the role last sent (its cookies, stream ids, request ids), signed with the
 * cluster key, with another key, stale or not at all; from a small pool of
 * addresses (the role's real peers, strangers, IPv6); interleaved with the
 * passing of time and with the role's commands.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { ClusterAuth } from '../../src/protocol/auth.js';
import { type Decoded, decode, encode } from '../../src/protocol/codec.js';
import { AMPLIFICATION_RATIO, AUTH_MAX_SKEW, MAX_DATAGRAM } from '../../src/protocol/constants.js';
import { checkValue, type Field } from '../../src/protocol/fields.js';
import { MESSAGES, type Message } from '../../src/protocol/messages.js';
import type { Role, RoleEvent, StreamBytes } from '../../src/roles/role.js';
import { nodeCrypto } from '../../src/platform/crypto.js';
import { arbMutation, type Mutation, mutate } from '../helpers/arbitraries.js';
import type { Driver } from '../helpers/roleDriver.js';
import { arbMessage, type Vocabulary } from './schemaArb.js';

/** How a fuzzed message is authenticated. */
export type Signing = 'none' | 'key' | 'other-key' | 'stale';

export type Action =
  | { readonly kind: 'bytes'; readonly from: number; readonly bytes: Uint8Array }
  | { readonly kind: 'message'; readonly from: number; readonly msg: Message; readonly sign: Signing; readonly pad: boolean; readonly muts: readonly Mutation[] }
  /** A message whose fields are taken, where they fit, from one the role sent lately; from its receiver, or from `from`. */
  | { readonly kind: 'echo'; readonly from: number; readonly byReceiver: boolean; readonly pick: number; readonly msg: Message; readonly sign: Signing; readonly pad: boolean }
  | { readonly kind: 'wait'; readonly ms: number }
  | { readonly kind: 'command'; readonly pick: number };

export function arbActions(vocab: Vocabulary, maxLength: number): fc.Arbitrary<Action[]> {
  const from = fc.nat();
  const sign = fc.constantFrom<Signing>('none', 'key', 'key', 'other-key', 'stale');
  const message = arbMessage(vocab);
  const action: fc.Arbitrary<Action> = fc.oneof(
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('bytes' as const), from, bytes: fc.uint8Array({ maxLength: 300 }) }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('message' as const), from, msg: message, sign, pad: fc.boolean(), muts: fc.constant([]) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('message' as const), from, msg: message, sign, pad: fc.boolean(), muts: fc.array(arbMutation, { minLength: 1, maxLength: 3 }) }) },
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('echo' as const), from, byReceiver: fc.boolean(), pick: fc.nat(), msg: message, sign, pad: fc.boolean() }) },
    {
      weight: 3,
      arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.oneof(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 1_200 }), fc.integer({ min: 0, max: 7_000 })) }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('command' as const), pick: fc.nat() }) },
  );
  return fc.array(action, { minLength: 1, maxLength });
}

/** What the test knows of one role under fuzzing; `E`, the role's typed event union. */
export interface Scene<C, E extends RoleEvent = RoleEvent> {
  readonly role: Role<C, E>;
  now: number;
  /** Source addresses inputs come from. */
  readonly pool: readonly string[];
  /** The cluster key peers sign with, when the role has one (else a key the role ignores). */
  readonly auth: ClusterAuth;
  readonly commands: readonly C[];
  /** Addresses proven from the start (configured peers, and those that proved themselves while the scene was set up). */
  readonly proven: Iterable<string>;
  /** Bytes each address sent the role, and it them, while the scene was set up. */
  readonly bytesFrom: ReadonlyMap<string, number>;
  readonly bytesTo: ReadonlyMap<string, number>;
  /** Does this datagram from `from` prove that address, or others (a master naming servers)? Returns what it proves. */
  proves(from: string, msg: Message, books: Books): readonly string[];
  /**
   * Bytes a peer the role trusts vouches another address sent (a portal's authentic `pass`, §12.3):
   * the role may answer that address as if it had received them.
   */
  vouches?(d: Decoded, now: number): readonly { readonly addr: string; readonly n: number }[];
  /** The role's tables and their limits. */
  tables(): Record<string, { size: number; limit: number }>;
  /**
   * What the role's real peers answer, by themselves, to what it sends them
   * (a server answering polls, a client playing a setup), so that the role keeps
   * working state to be fuzzed; undefined: no answer.
   */
  respond?(to: string, msg: Message, now: number): Uint8Array | undefined;
  /** Checks of the role's events, as they come. */
  onEvent?(e: E): void;
  /** Checks of the stream bytes a receiving role hands on, as they come (before the events of the same input). */
  onData?(d: StreamBytes): void;
  /** Checks once the role has been left alone for a long time. */
  afterQuiet?(): void;
}

/** The test's own books on the role's traffic. */
export class Books {
  readonly rx = new Map<string, number>();
  /** Bytes sent to each address while it was unproven. */
  readonly tx = new Map<string, number>();
  readonly proven = new Set<string>();
  /** Cookies (hex) the role sent, per address, and to anyone. */
  readonly cookiesTo = new Map<string, Set<string>>();
  readonly cookies = new Set<string>();
  /** The role's latest transmits, decoded. */
  readonly recent: { to: string; msg: Message }[] = [];

  sentCookie(to: string, msg: Message): boolean {
    const c = (msg as { cookie?: Uint8Array }).cookie;
    return c !== undefined && (this.cookiesTo.get(to)?.has(hex(c)) ?? false);
  }

  anyCookie(msg: Message): boolean {
    const c = (msg as { cookie?: Uint8Array }).cookie;
    return c !== undefined && this.cookies.has(hex(c));
  }
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const OTHER_KEY = new ClusterAuth('not the cluster key', nodeCrypto);

/** Copy into `base` every field of `from` that `base`'s type also has and whose value it accepts. */
function overlay(base: Message, from: Message): Message {
  const fields = MESSAGES[base.type].fields as Readonly<Record<string, Field>>;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(from)) {
    if (k === 'type' || k === 'at' || !Object.hasOwn(fields, k) || v === undefined) continue;
    if (checkValue(fields[k]!, v, k) === undefined) out[k] = v;
  }
  return out as unknown as Message;
}

const PADDABLE = new Set(['request', 'status-request', 'control', 'subscribe']);

/** Requests padded as clients and operators pad them (§9.4), so their answers have room. */
function withPad(msg: Message, pad: boolean): Message {
  if (!pad || !PADDABLE.has(msg.type)) return msg;
  const bare = encode({ ...msg, pad: undefined } as Message).length;
  const room = MAX_DATAGRAM - 2 * AUTH_ROOM - bare - 4;
  return room > 0 ? ({ ...msg, pad: new Uint8Array(room) } as Message) : msg;
}

/** Room left for an `at` stamp and a MAC. */
const AUTH_ROOM = 32;

function sign(msg: Message, how: Signing, auth: ClusterAuth, now: number): Uint8Array {
  switch (how) {
    case 'none':
      return encode(msg);
    case 'key':
      return auth.encode(msg, now);
    case 'other-key':
      return OTHER_KEY.encode(msg, now);
    case 'stale':
      return auth.encode(msg, now - 2 * AUTH_MAX_SKEW);
  }
}

/** Most `timer` inputs one wait may take: beyond, the role keeps asking to be woken (a timer storm). */
const MAX_TIMERS_PER_WAIT = 20_000;

export class Fuzzer<C, E extends RoleEvent = RoleEvent> {
  readonly books = new Books();

  constructor(private readonly s: Scene<C, E>) {
    for (const a of s.proven) this.books.proven.add(a);
    for (const [a, n] of s.bytesFrom) this.books.rx.set(a, n);
    for (const [a, n] of s.bytesTo) if (!this.books.proven.has(a)) this.books.tx.set(a, n);
  }

  run(actions: readonly Action[], quietMs = 20_000): void {
    this.checkTables('at the start');
    for (const [i, a] of actions.entries()) {
      this.apply(a);
      this.checkTables(`after action ${i} (${a.kind})`);
    }
    // The role's peers fall silent too: everything it holds must now run out.
    this.quiet = true;
    this.wait(quietMs);
    this.checkTables('after the quiet period');
    this.s.afterQuiet?.();
  }

  private apply(a: Action): void {
    const s = this.s;
    switch (a.kind) {
      case 'bytes':
        return this.datagram(s.pool[a.from % s.pool.length]!, a.bytes);
      case 'message': {
        const bytes = sign(withPad(a.msg, a.pad), a.sign, s.auth, s.now);
        return this.datagram(s.pool[a.from % s.pool.length]!, a.muts.length > 0 ? mutate(bytes, a.muts) : bytes);
      }
      case 'echo': {
        const recent = this.books.recent;
        const seen = recent.length > 0 ? recent[recent.length - 1 - (a.pick % recent.length)] : undefined;
        const msg = seen ? overlay(a.msg, seen.msg) : a.msg;
        const from = seen && a.byReceiver ? seen.to : s.pool[a.from % s.pool.length]!;
        return this.datagram(from, sign(withPad(msg, a.pad), a.sign, s.auth, s.now));
      }
      case 'wait':
        return this.wait(a.ms);
      case 'command':
        if (s.commands.length === 0) return;
        s.role.handle({ kind: 'command', command: s.commands[a.pick % s.commands.length]! }, s.now);
        return this.drain();
    }
  }

  private datagram(from: string, bytes: Uint8Array): void {
    const b = this.books;
    b.rx.set(from, (b.rx.get(from) ?? 0) + bytes.length);
    const d = decode(bytes);
    if (d.ok) for (const a of this.s.proves(from, d.msg, b)) b.proven.add(a);
    if (d.ok && this.s.vouches) for (const v of this.s.vouches(d, this.s.now)) b.rx.set(v.addr, (b.rx.get(v.addr) ?? 0) + v.n);
    this.s.role.handle({ kind: 'datagram', from, bytes }, this.s.now);
    this.drain();
  }

  private wait(ms: number): void {
    const s = this.s;
    const until = s.now + ms;
    for (let i = 0; ; i++) {
      const due = s.role.pollTimeout();
      if (due === undefined || due > until) break;
      expect(i, `the role asks for a timer at ${due} again and again (now ${s.now})`).toBeLessThan(MAX_TIMERS_PER_WAIT);
      s.now = Math.max(s.now, due);
      s.role.handle({ kind: 'timer' }, s.now);
      this.drain();
    }
    s.now = Math.max(s.now, until);
  }

  /** Answers of the role's peers waiting to be delivered, and how many went in this action (bounded). */
  private readonly answers: { from: string; bytes: Uint8Array }[] = [];
  private answering = false;
  private quiet = false;

  private drain(): void {
    this.drainOnce();
    if (this.answering) return;
    this.answering = true;
    for (let n = 0; this.answers.length > 0 && n < 200; n++) {
      const a = this.answers.shift()!;
      this.datagram(a.from, a.bytes);
    }
    this.answers.length = 0;
    this.answering = false;
  }

  private drainOnce(): void {
    const b = this.books;
    for (let t = this.s.role.pollTransmit(); t; t = this.s.role.pollTransmit()) {
      expect(t.bytes.length, `a datagram to ${t.to}`).toBeLessThanOrEqual(MAX_DATAGRAM);
      const d = decode(t.bytes);
      expect(d.ok ? 'ok' : `${d.code}: ${d.detail}`, `what the role sends decodes`).toBe('ok');
      if (!d.ok) continue;
      if (!b.proven.has(t.to)) {
        const tx = (b.tx.get(t.to) ?? 0) + t.bytes.length;
        b.tx.set(t.to, tx);
        const rx = b.rx.get(t.to) ?? 0;
        expect(tx, `bytes sent to the unproven address ${t.to} (received ${rx}), now a ${d.msg.type}`).toBeLessThanOrEqual(AMPLIFICATION_RATIO * rx);
      }
      const answer = this.quiet ? undefined : this.s.respond?.(t.to, d.msg, this.s.now);
      if (answer) this.answers.push({ from: t.to, bytes: answer });
      const c = (d.msg as { cookie?: Uint8Array }).cookie;
      if (c) {
        let set = b.cookiesTo.get(t.to);
        if (!set) b.cookiesTo.set(t.to, (set = new Set()));
        set.add(hex(c));
        b.cookies.add(hex(c));
      }
      // Data packets are the bulk and carry nothing to echo but offsets: keep the rest.
      if (d.msg.type !== 'data' || b.recent.length === 0 || b.recent[b.recent.length - 1]!.msg.type !== 'data') {
        b.recent.push({ to: t.to, msg: d.msg });
        if (b.recent.length > 24) b.recent.shift();
      }
    }
    for (let d = this.s.role.pollData?.(); d; d = this.s.role.pollData?.()) this.s.onData?.(d);
    for (let e = this.s.role.pollEvent(); e; e = this.s.role.pollEvent()) {
      expect(e.type === 'internal-error' ? e : undefined, 'no internal error').toBeUndefined();
      this.s.onEvent?.(e);
    }
  }

  private checkTables(when: string): void {
    for (const [name, { size, limit }] of Object.entries(this.s.tables())) {
      expect(size, `${name} ${when}`).toBeLessThanOrEqual(limit);
    }
  }
}

/** The scene's starting point from a test driver: its clock and its byte counts. */
export function fromDriver(d: Driver<unknown, Role<unknown>>): Pick<Scene<never>, 'now' | 'bytesFrom' | 'bytesTo'> {
  return { now: d.now, bytesFrom: d.bytesFrom, bytesTo: d.bytesTo };
}
