/**
 * One UDP socket to one base server, for those who only look (`ofp job list`,
 * the dashboard's jobs pane): requests matched to their answers by request id,
 * padded (§9.4) and authenticated with the cluster key, answers checked the
 * same way; anything else is dropped (a failed MAC counted, for the error
 * message). Every wait and every list of pages is bounded.
 */
import { DgramAsPromised, type SocketAsPromised } from 'dgram-as-promised';
import { randomBytes } from 'node:crypto';
import { formatAddress } from '../protocol/address.js';
import { ClusterAuth } from '../protocol/auth.js';
import type { Message, MessageOf } from '../protocol/messages.js';
import { decode } from '../protocol/codec.js';
import { padded } from '../protocol/padding.js';
import { nodeCrypto } from '../platform/crypto.js';
import { now } from './clock.js';
import { peerHost } from './driver.js';
import { localBindHost, type ResolvedEndpoint } from './resolve.js';

type Answer = MessageOf<'job-list'> | MessageOf<'job-status'>;
type Request = MessageOf<'job-list-request'> | MessageOf<'job-status-request'>;

export type JobListRow = MessageOf<'job-list'>['rows'][number];
export type JobStatusRow = MessageOf<'job-status'>['rows'][number];
export type JobStatusHead = Omit<MessageOf<'job-status'>, 'rows' | 'rid' | 'from' | 'type' | 'at'>;

/** Pages one list may take at most, so that a misbehaving base server cannot keep us paging. */
export const MAX_BASE_PAGES = 200;

export class BaseLink {
  /** Answers that failed the MAC check (a wrong --key). */
  unauthenticated = 0;
  /** The last authentic answer, ms since the epoch. */
  lastHeard: number | undefined;
  private readonly waiting = new Map<number, { take: (m: Answer) => void; cancel: () => void }>();
  private closed = false;
  private readonly auth: ClusterAuth;

  private constructor(
    private readonly socket: SocketAsPromised,
    readonly base: ResolvedEndpoint,
    key: string,
  ) {
    this.auth = new ClusterAuth(key, nodeCrypto);
    socket.socket.on('message', (bytes: Buffer, rinfo) => this.receive(bytes, formatAddress(peerHost(rinfo.address), rinfo.port)));
  }

  static async open(base: ResolvedEndpoint, key: string): Promise<BaseLink> {
    const socket = DgramAsPromised.createSocket({ type: base.family === 6 ? 'udp6' : 'udp4' });
    await socket.bind(0, localBindHost([base]));
    return new BaseLink(socket, base, key);
  }

  private receive(bytes: Buffer, from: string): void {
    if (from !== this.base.address) return;
    const d = decode(bytes);
    if (!d.ok) return;
    const t = now();
    if (this.auth.verify(d, t)) {
      this.unauthenticated++;
      return;
    }
    const msg = d.msg;
    if (msg.type !== 'job-list' && msg.type !== 'job-status') return;
    const w = this.waiting.get(msg.rid);
    if (!w) return;
    this.lastHeard = t;
    w.take(msg);
  }

  /** Send one padded request up to `tries` times, waiting `timeoutMs` each, for its answer of type `type`. */
  private async request<A extends Answer>(build: (rid: number) => Request, type: A['type'], timeoutMs: number, tries: number): Promise<A | undefined> {
    let rid = randomBytes(4).readUInt32BE(0) || 1;
    while (this.waiting.has(rid)) rid = (rid % 0xffff_ffff) + 1;
    try {
      for (let i = 0; i < tries && !this.closed; i++) {
        const t = now();
        const encode = (m: Message) => this.auth.encode(m, t);
        const bytes = encode(padded<Request>(build(rid), undefined, encode));
        const answer = await new Promise<A | undefined>((resolve) => {
          const timer = setTimeout(() => resolve(undefined), timeoutMs);
          this.waiting.set(rid, {
            take: (m) => {
              if (m.type !== type) return;
              clearTimeout(timer);
              resolve(m as A);
            },
            cancel: () => {
              clearTimeout(timer);
              resolve(undefined);
            },
          });
          this.socket.send(bytes, this.base.port, this.base.host).catch(() => {
            // A refused send is a lost request: the timeout covers it.
          });
        });
        if (answer) return answer;
      }
      return undefined;
    } finally {
      this.waiting.delete(rid);
    }
  }

  /** Every job the base server holds, page by page; undefined when a page did not come. */
  async jobs(timeoutMs: number, tries: number): Promise<JobListRow[] | undefined> {
    const rows: JobListRow[] = [];
    for (let page = 0; page < MAX_BASE_PAGES && !this.closed; page++) {
      const p = await this.request<MessageOf<'job-list'>>((rid) => ({ type: 'job-list-request', rid, from: rows.length }), 'job-list', timeoutMs, tries);
      if (!p) return undefined;
      if (p.from === rows.length) rows.push(...p.rows);
      if (p.rows.length === 0 || rows.length >= p.total) break;
    }
    return rows;
  }

  /** One job's state and its target rows, page by page (at most `maxRows` of them); undefined when a page did not come, null for a job it does not hold. */
  async job(id: number, timeoutMs: number, tries: number, maxRows = Number.POSITIVE_INFINITY): Promise<{ status: JobStatusHead; rows: JobStatusRow[] } | null | undefined> {
    const rows: JobStatusRow[] = [];
    let head: JobStatusHead | undefined;
    for (let page = 0; page < MAX_BASE_PAGES && rows.length < maxRows && !this.closed; page++) {
      const p = await this.request<MessageOf<'job-status'>>((rid) => ({ type: 'job-status-request', rid, job: id, from: rows.length }), 'job-status', timeoutMs, tries);
      if (!p) return undefined;
      if (!p.found) return null;
      const { rows: got, rid: _rid, from, type: _type, at: _at, ...status } = p;
      head = status;
      if (from === rows.length) rows.push(...got);
      if (got.length === 0 || rows.length >= p.total) break;
    }
    return head ? { status: head, rows: rows.slice(0, maxRows) } : undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of [...this.waiting.values()]) w.cancel();
    this.waiting.clear();
    await this.socket.close().catch(() => {});
  }
}
