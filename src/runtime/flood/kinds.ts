/**
 * What `ofp tool flood` sends: one generator per kind, each making the next
 * datagram from a seeded generator, so a flood is reproducible from its seed.
 * None of them holds the cluster key: they are what an attacker can send.
 */
import { encode, encodeWithMac, packPlain } from '../../protocol/codec.js';
import { COOKIE_LENGTH, MAC_LENGTH, MAX_DATAGRAM } from '../../protocol/constants.js';
import type { Message } from '../../protocol/messages.js';
import { padded } from '../../protocol/padding.js';
import type { Rng } from '../../protocol/rng.js';

export const FLOOD_KINDS = ['random', 'truncated', 'replay', 'spoofed-poll', 'oversize', 'bad-version', 'request'] as const;
export type FloodKind = (typeof FLOOD_KINDS)[number];

export const FLOOD_KIND_DOCS: Readonly<Record<FloodKind, string>> = {
  random: 'random bytes, 1 to 1200 of them',
  truncated: 'a padded request cut short',
  replay: 'one valid padded request, the same bytes every time (a captured datagram replayed)',
  'spoofed-poll': 'forged poll and load control messages, without a MAC or with a made-up one',
  oversize: `random bytes beyond ${MAX_DATAGRAM}`,
  'bad-version': 'well-formed datagrams of protocol versions 2 to 255',
  request: 'valid padded requests, each with a new request id',
};

export function isFloodKind(s: string): s is FloodKind {
  return (FLOOD_KINDS as readonly string[]).includes(s);
}

export interface FloodContext {
  readonly rng: Rng;
  /** The file requests name. */
  readonly file: string;
  /** The target's address, which forged load reports name as their server. */
  readonly target: string;
}

/** Most bytes an oversize datagram carries (loopback carries far more; this is enough to be refused). */
const OVERSIZE_MAX = 4 * 1024;

/** A generator of one kind's datagrams. */
export function floodGenerator(kind: FloodKind, ctx: FloodContext): () => Uint8Array {
  const { rng } = ctx;
  const between = (lo: number, hi: number) => lo + rng.below(hi - lo + 1);
  const request = (rid: number) => encode(padded({ type: 'request', rid, file: ctx.file }));
  switch (kind) {
    case 'random':
      return () => rng.bytes(between(1, MAX_DATAGRAM));
    case 'truncated':
      return () => {
        const whole = request(rng.id());
        return whole.subarray(0, between(1, whole.length - 1));
      };
    case 'replay': {
      const captured = request(rng.id());
      return () => captured;
    }
    case 'spoofed-poll': {
      let seq = rng.id();
      const epoch = rng.id();
      const cookie = rng.bytes(COOKIE_LENGTH);
      let n = 0;
      return () => {
        seq = (seq + 1) >>> 0;
        const at = Date.now();
        const msg: Message = n % 2 === 0
          ? { type: 'poll', seq, at }
          : { type: 'load', name: ctx.target, epoch, cookie, seq, streams: 0, bw: 0, sent: 0, cap: 1_000_000_000, sids: [], state: 'draining', at };
        // Half without a MAC, half with a made-up one: neither holds the key.
        const bytes = n % 4 < 2 ? encode(msg) : encodeWithMac(msg, () => rng.bytes(MAC_LENGTH));
        n++;
        return bytes;
      };
    }
    case 'oversize':
      return () => rng.bytes(between(MAX_DATAGRAM + 1, OVERSIZE_MAX));
    case 'bad-version':
      return () => packPlain([between(2, 255), 1, { rid: rng.id(), file: ctx.file, pad: rng.bytes(between(0, 1000)) }]);
    case 'request':
      return () => request(rng.id());
  }
}
