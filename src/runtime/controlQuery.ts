/**
 * Sends an operator's `control` to a master (drain a server, hand a stream
 * off, set a server's capacity, place its supervision) and waits for its `control-result`, with
 * bounded retries. Padded like status requests (§9.4) and, with a cluster
 * key, authenticated; the answer is checked the same way.
 *
 * A retry repeats the same request id. Drain and capacity orders are the same
 * when done twice; a handoff asked twice (its first answer lost) may be
 * answered that the stream is already moving.
 */
import { DgramAsPromised } from 'dgram-as-promised';
import { randomBytes } from 'node:crypto';
import { formatAddress } from '../protocol/address.js';
import { ClusterAuth } from '../protocol/auth.js';
import { decode, encode } from '../protocol/codec.js';
import type { MessageOf } from '../protocol/messages.js';
import { padded } from '../protocol/padding.js';
import { now } from './clock.js';
import { nodeCrypto } from '../platform/crypto.js';
import { peerHost } from './driver.js';
import { localBindHost, type ResolvedEndpoint } from './resolve.js';
import { NoAnswerError } from '../errors.js';

type Control = MessageOf<'control'>;
export type ControlOrder = Pick<Control, 'op' | 'srv' | 'sid' | 'cap' | 'to'>;

export interface ControlAnswer {
  readonly ok: boolean;
  readonly code?: string;
  readonly msg: string;
}

export interface ControlOptions {
  readonly master: ResolvedEndpoint;
  readonly key?: string;
  /** Tries before giving up. */
  readonly attempts?: number;
  /** Wait for each try, ms. */
  readonly timeoutMs?: number;
}

export async function sendControl(o: ControlOptions, order: ControlOrder): Promise<ControlAnswer> {
  const attempts = o.attempts ?? 3;
  const timeoutMs = o.timeoutMs ?? 700;
  const auth = o.key ? new ClusterAuth(o.key, nodeCrypto) : undefined;
  const socket = DgramAsPromised.createSocket({ type: o.master.family === 6 ? 'udp6' : 'udp4' });
  await socket.bind(0, localBindHost([o.master]));
  const rid = randomBytes(4).readUInt32BE(0) || 1;
  let unauthenticated = 0;
  let waiting: ((m: MessageOf<'control-result'>) => void) | undefined;
  socket.socket.on('message', (bytes: Buffer, rinfo) => {
    if (!waiting || formatAddress(peerHost(rinfo.address), rinfo.port) !== o.master.address) return;
    const d = decode(bytes);
    if (!d.ok || d.msg.type !== 'control-result' || d.msg.rid !== rid) return;
    if (auth && auth.verify(d, now())) {
      unauthenticated++;
      return;
    }
    waiting(d.msg);
  });
  try {
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const t = now();
      const bare: Control = {
        type: 'control',
        rid,
        op: order.op,
        ...(order.srv !== undefined ? { srv: order.srv } : {}),
        ...(order.sid !== undefined ? { sid: order.sid } : {}),
        ...(order.cap !== undefined ? { cap: order.cap } : {}),
        ...(order.to !== undefined ? { to: order.to } : {}),
      };
      const msg = padded(bare, undefined, auth ? (m) => auth.encode(m, t) : encode);
      const bytes = auth ? auth.encode(msg, t) : encode(msg);
      const answer = await new Promise<MessageOf<'control-result'> | undefined>((resolve) => {
        const timer = setTimeout(() => resolve(undefined), timeoutMs);
        waiting = (m) => {
          clearTimeout(timer);
          resolve(m);
        };
        socket.send(bytes, o.master.port, o.master.host).catch(() => {
          // A refused send is a lost request: the timeout covers it.
        });
      });
      waiting = undefined;
      if (answer) return { ok: answer.ok, ...(answer.code !== undefined ? { code: answer.code } : {}), msg: answer.msg };
    }
    throw new NoAnswerError(o.master.address, attempts, unauthenticated, `a ${order.op} order`);
  } finally {
    await socket.close().catch(() => {});
  }
}
