/** A Master core with hand-played servers, and a way to ask it for files as a client would. */
import { expect } from 'vitest';
import type { ClusterAuth } from '../../src/protocol/auth.js';
import type { Message, MessageOf, ServerFacts } from '../../src/protocol/messages.js';
import { padded } from '../../src/protocol/padding.js';
import { Master, type MasterCommand, type MasterConfig } from '../../src/roles/master/master.js';
import { FakeServer, type FileEntry } from './fakeServer.js';
import { Driver, type Sent, testAuth, testDeps } from './roleDriver.js';

export const RATE = 4_000_000;
export const file = (name: string, size = 1_000_000, rate = RATE): FileEntry => [name, size, rate];

export interface MasterFixtureOptions {
  readonly config?: Partial<MasterConfig>;
  readonly key?: string;
  readonly seed?: number;
}

export interface ServerSpec {
  readonly files: readonly FileEntry[];
  readonly cap?: number;
  readonly group?: string;
  readonly addr?: string;
  readonly partSize?: number;
  readonly facts?: ServerFacts;
}

export class MasterFixture {
  readonly d: Driver<MasterCommand, Master>;
  readonly auth: ClusterAuth | undefined;
  readonly servers: FakeServer[] = [];
  private rid = 1;

  constructor(o: MasterFixtureOptions = {}) {
    this.d = new Driver<MasterCommand, Master>(new Master(testDeps(o.seed ?? 1, o.key), o.config ?? {}));
    this.auth = o.key ? testAuth(o.key) : undefined;
    this.d.command({ type: 'start' });
  }

  get master(): Master {
    return this.d.role;
  }

  /** Add a server (addresses 10.0.1.1:5000, 10.0.1.2:5000, … unless given) and let it join. */
  addServer(s: ServerSpec): FakeServer {
    const addr = s.addr ?? `10.0.1.${this.servers.length + 1}:5000`;
    const fake = new FakeServer(this.d, { addr, files: s.files, cap: s.cap, group: s.group, auth: this.auth, partSize: s.partSize, ...(s.facts ? { facts: s.facts } : {}) });
    fake.join();
    expect(this.master.serverView(addr)?.state, `${addr} is up after joining`).toBe('up');
    this.servers.push(fake);
    return fake;
  }

  /** Send a client request (padded as clients do) and return the master's answers to that client. */
  ask(client: string, fileName: string, extra: Partial<MessageOf<'request'>> = {}): Message[] {
    const rid = extra.rid ?? this.rid++;
    const out = this.d.datagram(client, padded({ type: 'request', rid, file: fileName, ...extra }));
    return out.filter((s) => s.to === client).map((s) => s.msg!);
  }

  /** The single answer to a request; fails the test when there is not exactly one. */
  answer(client: string, fileName: string, extra: Partial<MessageOf<'request'>> = {}): Message {
    const answers = this.ask(client, fileName, extra);
    expect(answers, `answers to a request for ${fileName}`).toHaveLength(1);
    return answers[0]!;
  }

  /** The server a redirect named, or the answer when it is not a redirect. */
  redirectedTo(client: string, fileName: string, extra: Partial<MessageOf<'request'>> = {}): string {
    const a = this.answer(client, fileName, extra);
    if (a.type !== 'redirect') throw new Error(`expected a redirect, got ${JSON.stringify(a)}`);
    return a.srv;
  }

  sentTo(addr: string, since = 0): Sent[] {
    return this.d.sent.slice(since).filter((s) => s.to === addr);
  }
}
