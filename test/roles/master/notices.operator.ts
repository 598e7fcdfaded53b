/**
 * An operator played by hand against a Master core (§11): subscribes,
 * proves its address, renews, ends, and reads the notices and status pages
 * the master sends it; and a stream playing at one of several servers, for
 * the tests that need handoffs.
 */
import { expect } from 'vitest';
import type { ClusterAuth } from '../../../src/protocol/auth.js';
import { encode } from '../../../src/protocol/codec.js';
import { DATA_CHUNK } from '../../../src/protocol/constants.js';
import { type MessageOf, NOTICE_DOCS, type NoticeKind } from '../../../src/protocol/messages.js';
import { padded } from '../../../src/protocol/padding.js';
import type { NoticeEvent } from '../../../src/roles/master/noticeFeed.js';
import type { FakeServer } from '../../helpers/fakeServer.js';
import { file, MasterFixture, RATE } from '../../helpers/masterFixture.js';
import { ofType, type Sent } from '../../helpers/roleDriver.js';

export const OPERATOR = '10.0.9.1:7000';
export const CLIENT = '10.0.2.1:6000';
export const FILE = 'a.ts';
export const SIZE = 10_000_000;
/** A poll interval longer than any test: no polls unless a test asks for them. */
export const NO_POLLS = 3_600_000;

type Subscribe = MessageOf<'subscribe'>;
type Ack = MessageOf<'subscribe-ack'>;
type Notice = MessageOf<'notice'>;

/** `padded()` brings any operator message to REQUEST_PAD_TO bytes (§11.1); its type lists only requests. */
const padSubscribe = padded as unknown as (m: Subscribe, target: number | undefined, encoder: (m: Subscribe) => Uint8Array) => Subscribe;
const padStatus = padded as unknown as (m: MessageOf<'status-request'>, target: number | undefined, encoder: (m: MessageOf<'status-request'>) => Uint8Array) => MessageOf<'status-request'>;
const padControl = padded as unknown as (m: MessageOf<'control'>, target: number | undefined, encoder: (m: MessageOf<'control'>) => Uint8Array) => MessageOf<'control'>;

/** One event as a subscriber sees it: its sequence number, and when it happened by the notice's clock. */
export interface SeenEvent {
  readonly seq: number;
  readonly event: NoticeEvent;
  /** The time the notice was sent. */
  readonly sentAt: number;
}

export class Operator {
  private rid = 1;
  cookie: Uint8Array | undefined;

  /** `auth`: the key it signs with (the cluster's unless given; null: none). */
  constructor(
    readonly f: MasterFixture,
    readonly addr = OPERATOR,
    readonly auth: ClusterAuth | null = f.auth ?? null,
  ) {}

  private encoder<M extends MessageOf<'subscribe' | 'status-request' | 'control'>>(): (m: M) => Uint8Array {
    const now = Math.floor(this.f.d.now);
    const auth = this.auth;
    return (m: M) => (auth ? auth.encode(m, now) : encode(m));
  }

  /** Send `subscribe` (padded to REQUEST_PAD_TO unless `pad` is false); returns what the master sent this address then. */
  subscribe(fields: Partial<Omit<Subscribe, 'type' | 'rid'>> = {}, pad = true): Sent[] {
    const enc = this.encoder<Subscribe>();
    const m: Subscribe = { type: 'subscribe', rid: this.rid++, ...fields };
    return this.f.d.datagram(this.addr, enc(pad ? padSubscribe(m, undefined, enc) : m)).filter((s) => s.to === this.addr);
  }

  /** The one `subscribe-ack` among `sent`; remembers its cookie. */
  ack(sent: readonly Sent[]): Ack {
    const acks = ofType(sent, 'subscribe-ack');
    expect(acks, `one subscribe-ack to ${this.addr}`).toHaveLength(1);
    this.cookie = acks[0]!.cookie;
    return acks[0]!;
  }

  /** Subscribe and echo the cookie: the subscription is active. */
  join(since?: number): Ack {
    const first = this.ack(this.subscribe());
    expect(first.state).toBe('pending');
    const second = this.ack(this.subscribe({ cookie: this.cookie, ...(since !== undefined ? { since } : {}) }));
    expect(second).toMatchObject({ state: 'active', lease: expect.any(Number) });
    return second;
  }

  /** Renew with the cookie (and `since`, when given). */
  renew(since?: number): Ack {
    return this.ack(this.subscribe({ cookie: this.cookie, ...(since !== undefined ? { since } : {}) }));
  }

  end(): Ack {
    return this.ack(this.subscribe({ cookie: this.cookie, end: true }));
  }

  /** Every notice the master has sent this address (from transmit `mark` on). */
  notices(mark = 0): (Notice & { readonly sentAt: number; readonly mac: boolean; readonly size: number })[] {
    return this.f.d.sent
      .slice(mark)
      .filter((s) => s.to === this.addr && s.msg?.type === 'notice')
      .map((s) => ({ ...(s.msg as Notice), sentAt: s.at, mac: s.mac, size: s.bytes.length }));
  }

  /** The events of those notices, each with its sequence number. */
  events(mark = 0): SeenEvent[] {
    return this.notices(mark).flatMap((n) => n.events.map((event, i) => ({ seq: n.seq + i, event, sentAt: n.sentAt })));
  }

  /** The events of one kind. */
  eventsOf(kind: NoticeKind, mark = 0): NoticeEvent[] {
    return this.events(mark).filter((e) => e.event.ev === kind).map((e) => e.event);
  }

  /** A `status-request` (padded); returns the `status` page. */
  status(what: MessageOf<'status-request'>['what'], from: number): MessageOf<'status'> {
    const enc = this.encoder<MessageOf<'status-request'>>();
    const out = this.f.d.datagram(this.addr, enc(padStatus({ type: 'status-request', rid: this.rid++, what, from }, undefined, enc)));
    const pages = ofType(out, 'status');
    expect(pages, `one status page to ${this.addr}`).toHaveLength(1);
    return pages[0]!;
  }

  /** A `control` (padded); returns what the master sent on. */
  control(m: Omit<MessageOf<'control'>, 'type' | 'rid'>): Sent[] {
    const enc = this.encoder<MessageOf<'control'>>();
    return this.f.d.datagram(this.addr, enc(padControl({ type: 'control', rid: this.rid++, ...m }, undefined, enc)));
  }
}

/** Every event carries exactly the fields its kind documents (§11.4), besides `ago` and `ev`. */
export function expectDocumentedFields(events: readonly SeenEvent[]): void {
  for (const { event } of events) {
    const doc = NOTICE_DOCS[event.ev as NoticeKind];
    expect(doc, `a documented kind: ${event.ev}`).toBeDefined();
    const present = Object.keys(event).filter((k) => k !== 'ago' && k !== 'ev').sort();
    const allowed = new Set<string>([...doc.fields, ...(doc.optional ?? [])]);
    for (const f of doc.fields) expect(present, `${event.ev} carries ${f}`).toContain(f);
    for (const f of present) expect(allowed.has(f), `${event.ev} may carry ${f}`).toBe(true);
  }
}

export interface Playing {
  readonly f: MasterFixture;
  readonly servers: FakeServer[];
  /** The server the stream plays at. */
  readonly from: FakeServer;
  readonly others: FakeServer[];
  readonly sid: number;
  /** When it started playing (its `track` `play`, at position 0). */
  readonly t0: number;
}

/** A master with `servers` servers holding the file, and one client's stream playing at one of them. */
export function playing(o: { servers?: number; key?: string; pollInterval?: number } = {}): Playing {
  const f = new MasterFixture({ key: o.key, config: { pollInterval: o.pollInterval ?? NO_POLLS } });
  const servers = Array.from({ length: o.servers ?? 3 }, () => f.addServer({ files: [file(FILE, SIZE)] }));
  const r = f.answer(CLIENT, FILE, { mode: 'redirect' });
  if (r.type !== 'redirect') throw new Error(`expected a redirect, got ${r.type}`);
  const from = servers.find((s) => s.addr === r.srv)!;
  const t0 = f.d.now;
  from.track({ sid: r.sid, n: 1, ev: 'play', when: t0, npt: 0, scale: 1000, client: CLIENT, file: FILE });
  return { f, servers, from, others: servers.filter((s) => s !== from), sid: r.sid, t0 };
}

/** The server an address names. */
export const serverAt = (p: Playing, addr: string): FakeServer => p.servers.find((s) => s.addr === addr)!;

/** The second server answers the last `establish` it got with a `setup`; returns that server. */
export function answerEstablish(p: Playing): FakeServer {
  const est = ofType(p.f.d.sent, 'establish').at(-1);
  if (!est) throw new Error('no establish was sent');
  const to = serverAt(p, est.to);
  to.send({ type: 'setup', rid: est.rid, sid: est.sid, file: est.file, srv: to.addr, size: SIZE, rate: RATE, chunk: DATA_CHUNK, off: 0, cookie: new Uint8Array(8).fill(3) });
  return to;
}

/** Advance `ms`, the `alive` servers answering every poll with the streams they list. */
export function live(f: MasterFixture, ms: number, alive: readonly (readonly [FakeServer, readonly number[]])[]): void {
  const end = f.d.now + ms;
  while (f.d.now < end) {
    for (const poll of ofType(f.d.advanceTo(Math.min(end, f.d.now + 1)), 'poll')) {
      const a = alive.find(([s]) => s.addr === poll.to);
      if (a) a[0].load({ seq: poll.seq, sids: [...a[1]], streams: a[1].length, bw: a[1].length * RATE });
    }
  }
}
