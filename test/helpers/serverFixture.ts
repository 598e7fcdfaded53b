/** A MediaServer core driven by hand: the test plays its master and its clients. */
import { expect } from 'vitest';
import type { ClusterAuth, Crypto } from '../../src/protocol/auth.js';
import { TOKEN_TTL } from '../../src/protocol/constants.js';
import type { MessageOf } from '../../src/protocol/messages.js';
import { padded } from '../../src/protocol/padding.js';
import type { JobFiles } from '../../src/roles/jobs/holding.js';
import { type MediaFile, type MediaReader, MediaServer, type ServerCommand, type ServerConfig } from '../../src/roles/server/server.js';
import { Driver, ofType, type Sent, testAuth, testDeps } from './roleDriver.js';
import { syntheticReader } from './simCluster.js';

export const MASTER = '10.0.0.1:4000';
export const NAME = '10.0.1.1:5000';
export const CLIENT = '10.0.2.1:6000';

export interface ServerFixtureOptions {
  readonly key?: string;
  readonly cap?: number;
  readonly files?: readonly MediaFile[];
  readonly reader?: MediaReader;
  readonly group?: string;
  readonly seed?: number;
  /** Its masters (§12.2); MASTER alone when absent. */
  readonly masters?: readonly string[];
  /** Where distribution jobs' files are (§14.4): with a key, the server takes jobs. */
  readonly jobFiles?: JobFiles;
  readonly jobs?: ServerConfig['jobs'];
  /** The core's crypto, where not node's (a test that counts what it hashes). */
  readonly crypto?: Crypto;
}

export class ServerFixture {
  readonly d: Driver<ServerCommand, MediaServer>;
  readonly auth: ClusterAuth | undefined;
  private rid = 1;
  private nextSid = 100;

  constructor(o: ServerFixtureOptions = {}) {
    const files = o.files ?? [{ name: 'movie.ts', size: 5_000_000, rate: 4_000_000 }];
    this.d = new Driver<ServerCommand, MediaServer>(
      new MediaServer(
        { ...testDeps(o.seed ?? 2, o.key), ...(o.crypto ? { crypto: o.crypto } : {}) },
        { name: NAME, masters: o.masters ?? [MASTER], group: o.group ?? 'default', cap: o.cap ?? 1_000_000_000, files, ...(o.jobs ? { jobs: o.jobs } : {}) },
        o.reader ?? syntheticReader(),
        o.jobFiles,
      ),
    );
    this.auth = o.key ? testAuth(o.key) : undefined;
  }

  get server(): MediaServer {
    return this.d.role;
  }

  /** A message from the master (with a MAC when a key is set). */
  fromMaster(m: Parameters<Driver['control']>[1], at = this.d.now): Sent[] {
    return this.d.control(MASTER, m, this.auth, at);
  }

  /** Start and complete registration with every master: register-ack, then content-ack for every part. */
  register(interval = 1000): this {
    const masters = this.server.config.masters;
    const reg = ofType(this.d.command({ type: 'start' }), 'register');
    expect(reg.map((r) => r.to)).toEqual(masters);
    const cookie = new Uint8Array(8).fill(0x5a);
    for (const m of masters) {
      const content = ofType(this.d.control(m, { type: 'register-ack', name: NAME, epoch: this.server.epoch, cookie, interval }, this.auth), 'content');
      for (const c of content) this.d.control(m, { type: 'content-ack', epoch: this.server.epoch, part: c.part }, this.auth);
      expect(this.server.registrationWith(m)).toBe('registered');
    }
    return this;
  }

  /** A request from a client, with a valid token when a key is set (unless `token` overrides it). */
  request(file: string, o: { from?: string; sid?: number; off?: number; token?: Partial<MessageOf<'request'>> } = {}): Sent[] {
    const sid = o.sid ?? this.nextSid++;
    const from = o.from ?? CLIENT;
    const exp = Math.floor(this.d.now) + TOKEN_TTL;
    const tok = this.auth ? { tok: this.auth.token({ client: from, file, server: NAME, sid, exp }), exp } : {};
    const msg: MessageOf<'request'> = { type: 'request', rid: this.rid++, file, sid, ...tok, ...(o.off ? { off: o.off } : {}), ...o.token };
    return this.d.datagram(from, padded(msg));
  }

  /** Request, check the setup, and play: returns the setup. */
  play(file: string, o: { from?: string; off?: number } = {}): MessageOf<'setup'> {
    const setups = ofType(this.request(file, o), 'setup');
    expect(setups, `setup for ${file}`).toHaveLength(1);
    const s = setups[0]!;
    this.d.datagram(o.from ?? CLIENT, { type: 'play', sid: s.sid, cookie: s.cookie, off: o.off ?? 0 });
    return s;
  }

  ack(sid: number, next: number, hi = next, miss: [number, number][] = [], from = CLIENT): Sent[] {
    return this.d.datagram(from, { type: 'ack', sid, next, hi, miss });
  }
}

/** The `data` transmits among `sent`, optionally of one stream. */
export function dataOf(sent: readonly Sent[], sid?: number) {
  return ofType(sent, 'data').filter((m) => sid === undefined || m.sid === sid);
}
