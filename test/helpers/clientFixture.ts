/** A Client core driven by hand: the test plays its masters and servers. */
import { expect } from 'vitest';
import { DATA_CHUNK } from '../../src/protocol/constants.js';
import type { Message, MessageOf } from '../../src/protocol/messages.js';
import { Client, type ClientCommand, type ClientConfig } from '../../src/roles/client/client.js';
import { nameKey, syntheticBytes } from '../../src/media/synthetic.js';
import { Driver, ofType, type Sent, testDeps } from './roleDriver.js';

export const M1 = '10.0.0.1:4000';
export const M2 = '10.0.0.2:4000';
export const M3 = '10.0.0.3:4000';
export const SRV1 = '10.0.1.1:5000';
export const SRV2 = '10.0.1.2:5000';
export const FILE = 'movie.ts';

export class ClientFixture {
  readonly d: Driver<ClientCommand, Client>;
  /** The bytes handed on, concatenated, and whether each run started where the last ended. */
  readonly copy: number[] = [];
  outOfOrder = 0;
  private seen = 0;

  constructor(config: Partial<ClientConfig> = {}, seed = 3) {
    this.d = new Driver<ClientCommand, Client>(new Client(testDeps(seed), { masters: [M1], file: FILE, choose: { by: 'random' }, ...config }));
  }

  get client(): Client {
    return this.d.role;
  }

  start(): Sent[] {
    const out = this.d.command({ type: 'start' });
    return out;
  }

  /** Append the bytes handed on and not seen yet to `copy`, counting runs that do not start where the last ended. */
  collect(): number[] {
    for (; this.seen < this.d.data.length; this.seen++) {
      const d = this.d.data[this.seen]!;
      if (d.off !== this.copy.length + (this.client.config.start ?? 0)) this.outOfOrder++;
      this.copy.push(...d.data);
    }
    return this.copy;
  }

  /** The last request the client sent (and to whom). */
  lastRequest(): MessageOf<'request'> & { to: string; wireSize: number } {
    const r = ofType(this.d.sent, 'request').at(-1);
    expect(r, 'a request was sent').toBeDefined();
    return r!;
  }

  from(addr: string, m: Message): Sent[] {
    return this.d.datagram(addr, m);
  }

  /** Answer the client's last request to a master with a redirect to `srv`. */
  redirect(srv: string, sid = 11): Sent[] {
    const r = this.lastRequest();
    return this.from(r.to, { type: 'redirect', rid: r.rid, file: r.file, srv, sid });
  }

  /** Answer the client's last request with a setup from `srv` (or relayed by a master when `via` is given). */
  setup(srv: string, size: number, o: { sid?: number; via?: string; off?: number } = {}): Sent[] {
    const r = this.lastRequest();
    return this.from(o.via ?? srv, { type: 'setup', rid: r.rid, sid: o.sid ?? r.sid ?? 11, file: FILE, srv, size, rate: 4_000_000, chunk: DATA_CHUNK, off: o.off ?? r.off ?? 0, cookie: new Uint8Array(8).fill(1) });
  }

  /** A data packet for `off` from `srv`. */
  data(srv: string, sid: number, off: number, size: number, seq = 1): Sent[] {
    const len = Math.min(DATA_CHUNK, size - off);
    return this.from(srv, { type: 'data', sid, seq, off, data: syntheticBytes(nameKey(FILE), off, len) });
  }
}
