/**
 * A server that never answers (§6.1, §6.4): the client gives up on it after a
 * bounded number of tries, at once when nothing listens on its port; the
 * master frees the reservation and chooses the server last.
 */
import { describe, expect, it } from 'vitest';
import { encode } from '../../src/protocol/codec.js';
import { ATTEMPTS_PER_PEER, REQUEST_TIMEOUT, SILENT_SERVER_TRIES } from '../../src/protocol/constants.js';
import { ClientFixture, M1, M2, SRV1, SRV2 } from '../helpers/clientFixture.js';
import { file, MasterFixture } from '../helpers/masterFixture.js';
import { ofType } from '../helpers/roleDriver.js';

describe('a client and a server that never answers', () => {
  it('gives up after SILENT_SERVER_TRIES rounds with "server X never answered", not at its own timeout', () => {
    const f = new ClientFixture();
    f.start();
    const t0 = f.d.now;
    for (let round = 0; round < SILENT_SERVER_TRIES; round++) {
      f.redirect(SRV1);
      expect(f.client.state).toBe('requesting');
      f.d.advance(ATTEMPTS_PER_PEER * REQUEST_TIMEOUT);
      expect(f.client.state).toBe('asking');
      // The master is told which server did not answer.
      expect(f.lastRequest().avoid).toEqual([SRV1]);
    }
    f.redirect(SRV1); // sent back once more: no other server
    expect(f.client.state).toBe('failed');
    expect(f.client.result).toMatchObject({ ok: false, code: 'server-unreachable' });
    expect(f.client.result!.message).toMatch(`server ${SRV1} never answered (asked ${SILENT_SERVER_TRIES} times`);
    expect(f.d.now - t0).toBe(SILENT_SERVER_TRIES * ATTEMPTS_PER_PEER * REQUEST_TIMEOUT);
  });

  it('a server that answered once, even with an error, is not "never answered"', () => {
    const f = new ClientFixture();
    f.start();
    f.redirect(SRV1);
    const r = f.lastRequest();
    f.from(SRV1, { type: 'error', rid: r.rid, code: 'unavailable', msg: 'busy' });
    for (let i = 0; i < SILENT_SERVER_TRIES + 1; i++) {
      f.redirect(SRV1);
      f.d.advance(ATTEMPTS_PER_PEER * REQUEST_TIMEOUT);
    }
    expect(f.client.result?.code).not.toBe('server-unreachable');
  });

  it('a server that refuses the request SILENT_SERVER_TRIES times: sent back there once more, the client fails with its error at once, never loops', () => {
    const f = new ClientFixture();
    f.start();
    const t0 = f.d.now;
    for (let round = 0; round < SILENT_SERVER_TRIES; round++) {
      f.redirect(SRV1);
      const r = f.lastRequest();
      expect(r.to).toBe(SRV1);
      f.from(SRV1, { type: 'error', rid: r.rid, code: 'no-capacity', msg: 'rate 200000000 is above MAX_STREAM_RATE' });
      expect(f.client.state).toBe('asking');
      expect(f.lastRequest().avoid).toEqual([SRV1]);
    }
    const sent = f.d.sent.length;
    f.redirect(SRV1);
    expect(f.client.result).toMatchObject({ ok: false, code: 'no-capacity' });
    expect(f.client.result!.message).toMatch(`server ${SRV1} refused the request ${SILENT_SERVER_TRIES} times (no-capacity: rate 200000000`);
    expect(f.d.sent.slice(sent).filter((s) => s.to === SRV1 && s.msg?.type === 'request')).toEqual([]);
    expect(f.d.now).toBe(t0);
  });

  it('another server is tried when the master has one', () => {
    const f = new ClientFixture();
    f.start();
    f.redirect(SRV1);
    f.d.advance(ATTEMPTS_PER_PEER * REQUEST_TIMEOUT);
    f.redirect(SRV2);
    expect(f.client.state).toBe('requesting');
    expect(f.lastRequest().to).toBe(SRV2);
  });

  it('nothing listening on the server\'s port fails it at once, and counts as never answered', () => {
    const f = new ClientFixture();
    f.start();
    f.redirect(SRV1);
    const t0 = f.d.now;
    f.d.command({ type: 'unreachable', peer: SRV1 });
    expect(f.client.state).toBe('asking');
    expect(f.lastRequest().avoid).toEqual([SRV1]);
    f.redirect(SRV1);
    expect(f.client.result).toMatchObject({ code: 'server-unreachable' });
    expect(f.client.result!.message).toMatch(/nothing listens on its port/);
    expect(f.d.now).toBe(t0);
  });

  it('nothing listening on any master fails at once with master-unreachable saying so; a refusal for another peer changes nothing', () => {
    const f = new ClientFixture({ masters: [M1, M2] });
    f.start();
    f.d.command({ type: 'unreachable', peer: SRV2 });
    expect(f.client.state).toBe('asking');
    for (let i = 0; i < 6 && f.client.state === 'asking'; i++) f.d.command({ type: 'unreachable', peer: f.lastRequest().to });
    expect(f.client.result).toMatchObject({ code: 'master-unreachable' });
    expect(f.client.result!.message).toMatch(/nothing listens on .* \(port unreachable\)/);
    expect(f.d.events.filter((e) => e.type === 'master-refused')).toHaveLength(6);
  });
});

describe('the master, told a server never answered', () => {
  it('frees the reservation, warns once, and chooses that server last until it confirms a stream', () => {
    const f = new MasterFixture();
    const a = f.addServer({ files: [file('x')], addr: '10.0.1.1:5000' });
    const b = f.addServer({ files: [file('x')], addr: '10.0.1.2:5000' });
    const client = '10.0.2.1:6000';
    const first = f.answer(client, 'x');
    expect(first.type).toBe('redirect');
    const silent = (first as { srv: string }).srv;
    const other = silent === a.addr ? b.addr : a.addr;
    expect(f.master.reservedOn(silent).count).toBe(1);
    expect(f.redirectedTo(client, 'x', { avoid: [silent] })).toBe(other);
    expect(f.master.reservedOn(silent).count).toBe(0);
    expect(f.d.events.filter((e) => e.type === 'server-unanswered')).toMatchObject([{ srv: silent, client, level: 'warn' }]);
    // Other clients are sent elsewhere while there is room elsewhere.
    for (let i = 0; i < 4; i++) expect(f.redirectedTo(`10.0.3.${i + 1}:6000`, 'x')).toBe(other);
    // A client the master never sent there cannot mark a server.
    const f2 = new MasterFixture();
    f2.addServer({ files: [file('x')], addr: '10.0.1.1:5000' });
    f2.answer('10.0.9.9:6000', 'x', { avoid: ['10.0.1.1:5000'] });
    expect(f2.d.events.filter((e) => e.type === 'server-unanswered')).toHaveLength(0);
    // Confirming a stream clears the mark.
    const s = silent === a.addr ? a : b;
    const sid = (f.answer('10.0.4.1:6000', 'x', { avoid: [other] }) as { sid: number }).sid;
    s.load({ sids: [sid], streams: 1 });
    expect(f.d.events.some((e) => e.type === 'server-answering' && e.srv === silent)).toBe(true);
  });
});

describe('a zero-length datagram', () => {
  it('is a probe: not counted as dropped, not logged, not answered', () => {
    const f = new MasterFixture();
    const before = f.d.events.length;
    const out = f.d.datagram('10.0.2.1:6000', new Uint8Array(0));
    expect(out).toHaveLength(0);
    expect(f.d.events.slice(before).filter((e) => e.type === 'dropped')).toHaveLength(0);
    expect(ofType(f.d.datagram('10.0.2.1:6000', encode({ type: 'request', rid: 1, file: 'x', pad: new Uint8Array(900) })), 'error')).toHaveLength(1);
  });
});
