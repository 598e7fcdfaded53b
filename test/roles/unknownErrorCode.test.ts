/**
 * An `error` or `end` whose code is not in this version's table (a later
 * version's): every role accepts it and acts on it as on any code it does not
 * act on specially (§8.1, §8.3).
 */
import { describe, expect, it } from 'vitest';
import { decode, encode } from '../../src/protocol/codec.js';
import { DATA_CHUNK, FORWARD_TIMEOUT, MASTER_ROUNDS, REQUEST_TIMEOUT } from '../../src/protocol/constants.js';
import { ERRORS, type UnknownErrorCode } from '../../src/protocol/errors.js';
import { padded } from '../../src/protocol/padding.js';
import { ClientFixture, M1, M2, SRV1 } from '../helpers/clientFixture.js';
import { file, MasterFixture } from '../helpers/masterFixture.js';
import { ofType } from '../helpers/roleDriver.js';
import { ServerFixture } from '../helpers/serverFixture.js';

/** Only a decoder makes an unknown code; a test names one with a cast. */
const LATER = 'rate-limited' as UnknownErrorCode;

describe('an error code this version does not know (§8.1)', () => {
  it('is not in the table, and decodes as it is, in an `error` and in an `end`', () => {
    expect(Object.hasOwn(ERRORS, LATER)).toBe(false);
    for (const m of [{ type: 'error', rid: 1, code: LATER, msg: 'later' }, { type: 'end', sid: 1, code: LATER }] as const) {
      const d = decode(encode(m));
      expect(d.ok && d.msg).toEqual(m);
    }
  });

  it('client: from a master, it is retried like any code the client does not act on, and reported as it is when the masters keep saying it', () => {
    const f = new ClientFixture({ masters: [M1, M2] });
    f.start();
    const first = f.lastRequest();
    f.from(first.to, { type: 'error', rid: first.rid, code: LATER, msg: 'slow down' });
    expect(f.client.state).toBe('asking');
    expect(f.client.result).toBeUndefined();
    for (let i = 0; i < 20 && !f.client.result; i++) {
      f.d.advance(REQUEST_TIMEOUT);
      const r = f.lastRequest();
      f.from(r.to, { type: 'error', rid: r.rid, code: LATER, msg: 'slow down' });
    }
    f.d.advance(REQUEST_TIMEOUT);
    expect(f.client.result).toMatchObject({ ok: false, code: LATER });
    expect(ofType(f.d.sent, 'request')).toHaveLength(MASTER_ROUNDS * 2);
  });

  it('client: an `end` with it from the server fails that server, and the client asks the master again, avoiding it', () => {
    const f = new ClientFixture();
    f.start();
    f.redirect(SRV1, 8);
    f.setup(SRV1, 10 * DATA_CHUNK, { sid: 8 });
    f.data(SRV1, 8, 0, 10 * DATA_CHUNK);
    f.from(SRV1, { type: 'end', sid: 8, code: LATER });
    expect(f.lastRequest()).toMatchObject({ to: M1, off: DATA_CHUNK, avoid: [SRV1] });
  });

  it('server: from its master, it is ignored (the server stays registered and answers nothing)', () => {
    const f = new ServerFixture().register();
    const out = f.fromMaster({ type: 'error', code: LATER, msg: 'later' });
    expect(out).toHaveLength(0);
    expect(f.server.state).toBe('registered');
  });

  it('master: from a server answering a forward, the master tries another server, as for any refusal', () => {
    const f = new MasterFixture({ config: { mode: 'relay' } });
    for (let i = 0; i < 3; i++) f.addServer({ files: [file('B')], cap: 100_000_000 });
    const fw1 = ofType(f.d.datagram('10.0.2.1:6000', padded({ type: 'request', rid: 9, file: 'B' })), 'forward')[0]!;
    const fw2 = ofType(f.d.control(fw1.to, { type: 'error', rid: fw1.rid, code: LATER, msg: 'later' }, f.auth), 'forward');
    expect(fw2).toHaveLength(1);
    expect(fw2[0]!.to).not.toBe(fw1.to);
    expect(ofType(f.d.advance(FORWARD_TIMEOUT - 1), 'forward')).toHaveLength(0);
  });
});
