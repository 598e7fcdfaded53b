/**
 * Asks a master for its state with `status-request` messages (one page per
 * datagram), with bounded retries. Requests are padded (§9.4) and, with a
 * cluster key, authenticated; answers are checked the same way.
 */
import { DgramAsPromised } from 'dgram-as-promised';
import { randomBytes } from 'node:crypto';
import { formatAddress } from '../protocol/address.js';
import { ClusterAuth } from '../protocol/auth.js';
import { decode, encode } from '../protocol/codec.js';
import type { MessageOf } from '../protocol/messages.js';
import { padded } from '../protocol/padding.js';
import { NoAnswerError } from '../errors.js';
import { now } from './clock.js';
import { nodeCrypto } from '../platform/crypto.js';
import { peerHost } from './driver.js';
import { localBindHost, type ResolvedEndpoint } from './resolve.js';

type Status = MessageOf<'status'>;
export type StatusSummary = NonNullable<Status['summary']>;
export type StatusServer = NonNullable<Status['servers']>[number];
export type StatusFile = NonNullable<Status['files']>[number];
export type StatusSession = NonNullable<Status['sessions']>[number];
export type StatusMember = NonNullable<Status['members']>[number];

export interface MasterStatus {
  readonly master: string;
  readonly summary: StatusSummary;
  readonly servers: StatusServer[];
  readonly files: StatusFile[];
  readonly sessions: StatusSession[];
  /** The members of its group (§12.1); none for a master on its own. */
  readonly members: StatusMember[];
}

export interface StatusOptions {
  readonly master: ResolvedEndpoint;
  readonly key?: string;
  /** Tries per page. */
  readonly attempts?: number;
  /** Wait for each try, ms. */
  readonly timeoutMs?: number;
}

/** The one-line hint for a master that did not answer. */
export function noAnswerHint(e: NoAnswerError, key: string | undefined): string {
  return e.unauthenticated > 0 ? 'it answered without a valid MAC: check --key'
    : key ? 'is it running, and does it have the same --key?' : 'is it running? if it has a cluster key, pass --key';
}

/** Pages a table can take at most, so a misbehaving master cannot keep us paging. */
const MAX_PAGES = 1_000;

export async function queryStatus(o: StatusOptions): Promise<MasterStatus> {
  const attempts = o.attempts ?? 3;
  const timeoutMs = o.timeoutMs ?? 700;
  const auth = o.key ? new ClusterAuth(o.key, nodeCrypto) : undefined;
  const socket = DgramAsPromised.createSocket({ type: o.master.family === 6 ? 'udp6' : 'udp4' });
  await socket.bind(0, localBindHost([o.master]));
  let unauthenticated = 0;
  let waiting: { rid: number; resolve: (m: Status) => void } | undefined;
  socket.socket.on('message', (bytes: Buffer, rinfo) => {
    if (!waiting || formatAddress(peerHost(rinfo.address), rinfo.port) !== o.master.address) return;
    const d = decode(bytes);
    if (!d.ok || d.msg.type !== 'status' || d.msg.rid !== waiting.rid) return;
    if (auth && auth.verify(d, now())) {
      unauthenticated++;
      return;
    }
    waiting.resolve(d.msg);
  });

  const ask = async (what: Status['what'], from: number): Promise<Status> => {
    const rid = randomBytes(4).readUInt32BE(0) || 1;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const t = now();
      const msg = padded({ type: 'status-request', rid, what, from } as MessageOf<'status-request'>, undefined, auth ? (m) => auth.encode(m, t) : encode);
      const bytes = auth ? auth.encode(msg, t) : encode(msg);
      const answer = await new Promise<Status | undefined>((resolve) => {
        const timer = setTimeout(() => resolve(undefined), timeoutMs);
        waiting = { rid, resolve: (m) => { clearTimeout(timer); resolve(m); } };
        socket.send(bytes, o.master.port, o.master.host).catch(() => {
          // A refused send is a lost request: the timeout covers it.
        });
      });
      waiting = undefined;
      if (answer) return answer;
    }
    throw new NoAnswerError(o.master.address, attempts, unauthenticated);
  };

  const table = async <K extends 'servers' | 'files' | 'sessions' | 'members'>(what: K): Promise<NonNullable<Status[K]>> => {
    const rows: unknown[] = [];
    for (let page = 0; page < MAX_PAGES; page++) {
      const s = await ask(what, rows.length);
      const got = (s[what] ?? []) as unknown[];
      rows.push(...got);
      if (got.length === 0 || rows.length >= s.total) break;
    }
    return rows as NonNullable<Status[K]>;
  };

  try {
    const summary = (await ask('summary', 0)).summary;
    if (!summary) throw new NoAnswerError(o.master.address, attempts, unauthenticated);
    // The members of its group only from a master that has one (§12.1): its summary says so.
    const members = summary.group !== undefined ? await table('members') : [];
    return { master: o.master.address, summary, servers: await table('servers'), files: await table('files'), sessions: await table('sessions'), members };
  } finally {
    await socket.close().catch(() => {});
  }
}
