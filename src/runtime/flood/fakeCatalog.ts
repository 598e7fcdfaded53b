/**
 * A media server with a made-up content list, for loading a master's
 * registration path (`ofp tool flood --kind fake-catalog`, and the
 * large-catalog benchmark): it registers, takes the cookie of the master's
 * `register-ack`, and sends `content` parts of many short names, each part as
 * full as one datagram allows. It keeps resending the parts not acknowledged
 * yet; told `not-registered` or refused, it starts over as a new instance.
 */
import type { ClusterAuth } from '../../protocol/auth.js';
import { encode } from '../../protocol/codec.js';
import { MAX_DATAGRAM, REGISTER_PAD_TO } from '../../protocol/constants.js';
import type { Message, MessageOf } from '../../protocol/messages.js';
import type { Rng } from '../../protocol/rng.js';

type Files = MessageOf<'content'>['files'];

export interface FakeCatalogOptions {
  readonly rng: Rng;
  /** The server name it registers under. */
  readonly name: string;
  /** How many `content` parts it announces and sends. */
  readonly parts: number;
  /** Names per part, at most: fewer when they do not fit in one datagram. */
  readonly names?: number;
  /** With a cluster key, it authenticates what it sends (a flood has none). */
  readonly auth?: ClusterAuth;
  /** Files it announces in `register` (default: parts × names). */
  readonly files?: number;
  /** The number of its first file name (default 0): fake servers with other numbers hold other files. */
  readonly first?: number;
}

/** The most names a part carries: the `content` list bound. */
const MAX_PART_NAMES = 256;

/** The name of the `i`th file: short, distinct, in name order. */
export function fakeFileName(i: number): string {
  return i.toString(36).padStart(5, '0');
}

export class FakeCatalogServer {
  epoch: number;
  cookie: Uint8Array | undefined;
  readonly acked = new Set<number>();
  /** Times it registered as a new instance (the first time included). */
  instances = 1;
  /** The codes of the `error`s the master answered, and how many. */
  readonly errors = new Map<string, number>();
  /** Names in each part (the same for every part). */
  readonly perPart: number;
  private cursor = 0;

  constructor(private readonly o: FakeCatalogOptions) {
    this.epoch = o.rng.id();
    this.perPart = this.fit(Math.min(o.names ?? MAX_PART_NAMES, MAX_PART_NAMES));
  }

  get complete(): boolean {
    return this.acked.size >= this.o.parts;
  }

  /** The next datagram: `register` until the master answers, then the parts not yet acknowledged, in turn. */
  next(now: number): Uint8Array {
    if (!this.cookie) return this.register(now);
    for (let tries = 0; tries < this.o.parts; tries++) {
      const part = this.cursor;
      this.cursor = (this.cursor + 1) % this.o.parts;
      if (!this.acked.has(part)) return this.encode(this.content(part, this.cookie), now);
    }
    // Every part is in: say so again with the first one (the master acknowledges it each time).
    return this.encode(this.content(0, this.cookie), now);
  }

  /** Take an answer from the master. */
  onAnswer(msg: Message): void {
    switch (msg.type) {
      case 'register-ack':
        if (msg.epoch === this.epoch && msg.name === this.o.name && !this.cookie) this.cookie = msg.cookie;
        return;
      case 'content-ack':
        if (msg.epoch === this.epoch) this.acked.add(msg.part);
        return;
      case 'error':
        this.errors.set(msg.code, (this.errors.get(msg.code) ?? 0) + 1);
        // Forgotten or refused: start over as a new instance.
        this.epoch = this.o.rng.id();
        this.cookie = undefined;
        this.acked.clear();
        this.cursor = 0;
        this.instances++;
        return;
      default:
        return;
    }
  }

  private register(now: number): Uint8Array {
    const msg: MessageOf<'register'> = {
      type: 'register',
      name: this.o.name,
      epoch: this.epoch,
      cap: 1_000_000_000,
      group: 'default',
      files: this.o.files ?? this.o.parts * this.perPart,
      parts: this.o.parts,
    };
    // Padded as a server pads it, so that the master's answer fits what it received (§9.4).
    const size = this.encode(msg, now).length;
    return this.encode(size < REGISTER_PAD_TO ? { ...msg, pad: new Uint8Array(REGISTER_PAD_TO - size - 3) } : msg, now);
  }

  private files(part: number, n: number): Files {
    const first = (this.o.first ?? 0) + part * n;
    return Array.from({ length: n }, (_, j) => [fakeFileName(first + j), 100, 100] as [string, number, number]);
  }

  private content(part: number, cookie: Uint8Array): MessageOf<'content'> {
    return { type: 'content', name: this.o.name, epoch: this.epoch, cookie, part, parts: this.o.parts, files: this.files(part, this.perPart) };
  }

  /** As many of `want` names as fit in one datagram, for the last part (the longest names), with a MAC and `at`. */
  private fit(want: number): number {
    let n = Math.max(1, want);
    const probe = (k: number) => encode({ ...this.content(this.o.parts - 1, new Uint8Array(8)), files: this.files(this.o.parts - 1, k), epoch: 0xffff_ffff, at: 2 ** 52 }).length + 18;
    while (n > 1 && probe(n) > MAX_DATAGRAM) n--;
    return n;
  }

  private encode(msg: Message, now: number): Uint8Array {
    return this.o.auth ? this.o.auth.encode(msg, now) : encode(msg);
  }
}
