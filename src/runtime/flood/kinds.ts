/**
 * What `ofp tool flood` sends: one generator per kind, each making the next
 * datagram from a seeded generator, so a flood is reproducible from its seed.
 * None of them holds the cluster key: they are what an attacker can send.
 */
import { encode, encodeWithMac, packPlain } from '../../protocol/codec.js';
import { COOKIE_LENGTH, MAC_LENGTH, MAX_CONTENT_PARTS, MAX_DATAGRAM, MAX_NAMES_PER_SERVER } from '../../protocol/constants.js';
import type { Message } from '../../protocol/messages.js';
import { padded } from '../../protocol/padding.js';
import type { Rng } from '../../protocol/rng.js';
import { BOOK_SOCKETS, type FloodKind } from './catalog.js';
import { FakeCatalogServer } from './fakeCatalog.js';

export interface FloodContext {
  readonly rng: Rng;
  /** The file requests name. */
  readonly file: string;
  /** The target's address, which forged load reports name as their server. */
  readonly target: string;
}

/** Most bytes an oversize datagram carries (loopback carries far more; this is enough to be refused). */
const OVERSIZE_MAX = 4 * 1024;

/**
 * The next datagram of a flood; a kind that holds a conversation also takes the target's answers,
 * and a kind that plays many clients names how many sockets the datagrams go from, in turn.
 */
export type FloodGenerator = (() => Uint8Array) & { onAnswer?: (msg: Message) => void; sockets?: number };

/** A generator of one kind's datagrams. */
export function floodGenerator(kind: FloodKind, ctx: FloodContext): FloodGenerator {
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
    case 'book':
      return Object.assign(() => request(rng.id()), { sockets: BOOK_SOCKETS });
    case 'fake-catalog': {
      // Announces no more files than a master takes, so its parts are taken until they pass the bound.
      const fake = new FakeCatalogServer({ rng, name: `127.0.0.1:${between(1024, 65535)}`, parts: MAX_CONTENT_PARTS, files: MAX_NAMES_PER_SERVER });
      return Object.assign(() => fake.next(Date.now()), { onAnswer: (msg: Message) => fake.onAnswer(msg) });
    }
  }
}
