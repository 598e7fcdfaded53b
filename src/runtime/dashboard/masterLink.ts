/**
 * One UDP socket to one master, for the dashboard: requests matched to their
 * answers by request id (status pages, subscriptions), and the master's
 * notices handed on as they come. Requests are padded (§9.4) and, with a
 * cluster key, authenticated; anything that is not an authentic datagram from
 * the master is dropped (and a failed MAC counted, for the error message).
 */
import { DgramAsPromised, type SocketAsPromised } from 'dgram-as-promised';
import { randomBytes } from 'node:crypto';
import { formatAddress } from '../../protocol/address.js';
import { ClusterAuth } from '../../protocol/auth.js';
import { decode, encode } from '../../protocol/codec.js';
import type { Message, MessageOf } from '../../protocol/messages.js';
import { padded } from '../../protocol/padding.js';
import { now } from '../clock.js';
import { nodeCrypto } from '../../platform/crypto.js';
import { peerHost } from '../driver.js';
import { type Family, localBindHost, type ResolvedEndpoint } from '../resolve.js';

/** Where the master is now (a testbed's master may come back on another port); undefined: not running. */
export type MasterLocator = () => ResolvedEndpoint | undefined;

type Answer = MessageOf<'status'> | MessageOf<'subscribe-ack'>;
type Paddable = MessageOf<'status-request'> | MessageOf<'subscribe'>;

export interface MasterLinkOptions {
  readonly locate: MasterLocator;
  readonly key?: string;
  /** The family of the master's addresses (one socket reaches one family). */
  readonly family: Family;
  /** Every authentic datagram from the master, at the time it came. */
  readonly onHeard: (at: number) => void;
  readonly onNotice: (notice: MessageOf<'notice'>, at: number) => void;
}

export class MasterLink {
  /** Answers that failed the MAC check (a wrong --key). */
  unauthenticated = 0;
  /** Requests waiting for their answer, by request id: `take` an answer, or `cancel` the wait. */
  private readonly waiting = new Map<number, { take: (m: Answer) => void; cancel: () => void }>();
  private readonly auth: ClusterAuth | undefined;

  private constructor(
    private readonly socket: SocketAsPromised,
    private readonly o: MasterLinkOptions,
  ) {
    this.auth = o.key ? new ClusterAuth(o.key, nodeCrypto) : undefined;
    socket.socket.on('message', (bytes: Buffer, rinfo) => this.receive(bytes, formatAddress(peerHost(rinfo.address), rinfo.port)));
  }

  static async open(o: MasterLinkOptions): Promise<MasterLink> {
    const first = o.locate();
    const socket = DgramAsPromised.createSocket({ type: o.family === 6 ? 'udp6' : 'udp4' });
    await socket.bind(0, localBindHost(first ? [first] : [{ host: o.family === 6 ? '::1' : '127.0.0.1', family: o.family }]));
    return new MasterLink(socket, o);
  }

  private receive(bytes: Buffer, from: string): void {
    if (from !== this.o.locate()?.address) return;
    const d = decode(bytes);
    if (!d.ok) return;
    const t = now();
    if (this.auth && this.auth.verify(d, t)) {
      this.unauthenticated++;
      return;
    }
    const msg = d.msg;
    if (msg.type === 'notice') {
      this.o.onHeard(t);
      this.o.onNotice(msg, t);
    } else if (msg.type === 'status' || msg.type === 'subscribe-ack') {
      const w = this.waiting.get(msg.rid);
      if (!w) return;
      this.o.onHeard(t);
      w.take(msg);
    }
  }

  private encode(m: Message, t: number): Uint8Array {
    return this.auth ? this.auth.encode(m, t) : encode(m);
  }

  /** Send one padded request and wait up to `timeoutMs` for its answer (undefined: none came). */
  private async request<A extends Answer>(build: (rid: number) => Paddable, type: A['type'], timeoutMs: number): Promise<A | undefined> {
    const master = this.o.locate();
    if (!master) return undefined;
    let rid = randomBytes(4).readUInt32BE(0) || 1;
    while (this.waiting.has(rid)) rid = (rid % 0xffff_ffff) + 1;
    const t = now();
    const msg = padded<Paddable>(build(rid), undefined, (m) => this.encode(m, t));
    const bytes = this.encode(msg, t);
    return new Promise<A | undefined>((resolve) => {
      const finish = (m: A | undefined) => {
        clearTimeout(timer);
        this.waiting.delete(rid);
        resolve(m);
      };
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      this.waiting.set(rid, {
        take: (m) => {
          if (m.type === type) finish(m as A);
        },
        cancel: () => finish(undefined),
      });
      this.socket.send(bytes, master.port, master.host).catch(() => {
        // A refused send is a lost request: the timeout covers it.
      });
    });
  }

  /** One page of a status table. */
  status(what: MessageOf<'status-request'>['what'], from: number, timeoutMs: number): Promise<MessageOf<'status'> | undefined> {
    return this.request<MessageOf<'status'>>((rid) => ({ type: 'status-request', rid, what, from }), 'status', timeoutMs);
  }

  subscribe(body: { cookie?: Uint8Array; since?: number; end?: boolean }, timeoutMs: number): Promise<MessageOf<'subscribe-ack'> | undefined> {
    return this.request<MessageOf<'subscribe-ack'>>((rid) => ({ type: 'subscribe', rid, ...body }), 'subscribe-ack', timeoutMs);
  }

  async close(): Promise<void> {
    for (const w of [...this.waiting.values()]) w.cancel();
    await this.socket.close().catch(() => {});
  }
}
