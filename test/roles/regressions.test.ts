/**
 * Regression tests, each named after what broke.
 */
import { describe, expect, it } from 'vitest';
import { decode, encode } from '../../src/protocol/codec.js';
import { ACK_INTERVAL, MAX_DATAGRAM, MAX_LOAD_SIDS, MISSED_POLLS_DOWN, REQUEST_TIMEOUT, SERVER_SILENCE_TIMEOUT } from '../../src/protocol/constants.js';
import { Rng } from '../../src/protocol/rng.js';
import { FakeServer } from '../helpers/fakeServer.js';
import { ClientFixture, FILE, M1, SRV1, SRV2 } from '../helpers/clientFixture.js';
import { file, MasterFixture } from '../helpers/masterFixture.js';
import { mp } from '../helpers/msgpack.js';
import { ofType } from '../helpers/roleDriver.js';
import { CLIENT, ServerFixture } from '../helpers/serverFixture.js';

describe('regressions', () => {
  it('decode passed unknown fields and nils through to the roles', () => {
    const d = decode(mp([1, 9, { sid: 5, future: [1, 2], extra: null }]));
    expect(d.ok && d.msg).toEqual({ type: 'teardown', sid: 5 });
    const r = decode(mp([1, 1, { rid: 1, file: 'a', mode: null, avoid: null }]));
    expect(r.ok && Object.keys(r.msg).sort()).toEqual(['file', 'rid', 'type']);
  });

  it('a server marked down while it was still listing its content came back up with no files', () => {
    const f = new MasterFixture({ config: { pollInterval: 100 } });
    const s = new FakeServer(f.d, { addr: '10.0.1.1:5000', files: [file('a'), file('b')], partSize: 1 });
    s.cookie = ofType(s.register(), 'register-ack')[0]!.cookie;
    s.content(0); // a server now, joining
    f.d.advance(100 * (MISSED_POLLS_DOWN + 1)); // its polls go unanswered
    expect(f.master.serverView(s.addr)!.state).toBe('down');
    s.content(1); // the list completes while it is down
    s.load();
    expect(f.master.serverView(s.addr)!.state).toBe('up');
    expect(f.redirectedTo('10.0.2.1:6000', 'b')).toBe(s.addr);
  });

  it('an empty server-list page carried a token expiry without a cluster key', () => {
    const f = new MasterFixture();
    f.addServer({ files: [file('a')] });
    const page = f.answer('10.0.2.1:6000', 'a', { mode: 'list', from: 5 });
    expect(page).toMatchObject({ type: 'server-list', total: 1, from: 1, servers: [] });
    expect('exp' in page).toBe(false);
  });

  it('the master relayed a setup for another stream or file than it forwarded', () => {
    const f = new MasterFixture();
    const s = f.addServer({ files: [file('a')] });
    const fwd = f.d.datagram('10.0.2.1:6000', encode({ type: 'request', rid: 7, file: 'a', mode: 'relay', pad: new Uint8Array(900) }));
    const forward = ofType(fwd, 'forward')[0]!;
    const setup = { type: 'setup' as const, rid: forward.rid, file: 'a', srv: s.addr, size: 1_000_000, rate: 4_000_000, chunk: 1100, off: 0, cookie: new Uint8Array(8) };
    expect(s.send({ ...setup, sid: forward.sid + 1 }).filter((x) => x.to === '10.0.2.1:6000')).toHaveLength(0);
    expect(s.send({ ...setup, sid: forward.sid, file: 'b' }).filter((x) => x.to === '10.0.2.1:6000')).toHaveLength(0);
    expect(ofType(s.send({ ...setup, sid: forward.sid }), 'setup').map((m) => m.rid)).toEqual([7]);
  });

  it('a status row too big for a page stopped the paging with an empty page', () => {
    const f = new MasterFixture();
    const long = 'x'.repeat(255);
    for (let i = 0; i < 16; i++) f.addServer({ files: [file(long)], addr: `[fd00:1234:5678:9abc:def0:1234:5678:${(0x1000 + i).toString(16)}]:65000` });
    const out = f.d.datagram('10.0.2.1:6000', encode({ type: 'status-request', rid: 1, what: 'files', from: 0, pad: new Uint8Array(1100) }));
    const page = ofType(out, 'status')[0]!;
    expect(page.files).toHaveLength(1);
    expect(page.files![0]!.servers.length).toBeGreaterThan(0);
    expect(out[0]!.bytes.length).toBeLessThanOrEqual(MAX_DATAGRAM);
  });

  it('a server accepted the reserved stream id 0', () => {
    // Ids are never 0 (§3): such a request fails decoding with bad-field and is dropped, unanswered.
    const f = new ServerFixture().register();
    expect(f.request('movie.ts', { sid: 0 })).toEqual([]);
    expect(f.request('movie.ts', { sid: 1 }).map((s) => decode(s.bytes)).map((d) => d.ok && d.msg.type)).toEqual(['setup']);
  });

  it('a server answered a request for another file on an existing stream id with that stream', () => {
    const f = new ServerFixture({ files: [{ name: 'movie.ts', size: 100_000, rate: 4_000_000 }, { name: 'other.ts', size: 100_000, rate: 4_000_000 }] }).register();
    expect(ofType(f.request('movie.ts', { sid: 500 }), 'setup')).toHaveLength(1);
    expect(ofType(f.request('other.ts', { sid: 500 }), 'error').map((e) => e.code)).toEqual(['bad-request']);
  });

  it('a repeated play did not count as the client being there', () => {
    const f = new ServerFixture().register();
    const s = f.play('movie.ts');
    for (let i = 0; i < 4; i++) {
      f.d.advance(4000);
      f.d.datagram(CLIENT, { type: 'play', sid: s.sid, cookie: s.cookie, off: 0 });
    }
    expect(f.server.streamCount()).toBe(1);
  });

  it('a client that completed never told the server so: the last ack comes before the teardown', () => {
    const c = new ClientFixture();
    c.start();
    c.redirect(SRV1, 11);
    c.setup(SRV1, 2000, { sid: 11 });
    c.data(SRV1, 11, 0, 2000);
    const out = c.data(SRV1, 11, 1100, 2000);
    expect(out.map((s) => s.msg?.type)).toEqual(['ack', 'teardown']);
    expect(ofType(out, 'ack')[0]).toMatchObject({ next: 2000, hi: 2000 });
  });

  it('a relayed setup with another size of the file left the client waiting on the same master', () => {
    const c = new ClientFixture({ mode: 'relay' });
    c.start();
    c.setup(SRV1, 5000, { via: M1 });
    c.data(SRV1, 11, 0, 5000);
    c.d.advance(SERVER_SILENCE_TIMEOUT + REQUEST_TIMEOUT + 50); // server 1 goes silent: the client asks again, avoiding it
    expect(c.client.state).toBe('asking');
    const again = c.lastRequest();
    expect(again.avoid).toContain(SRV1);
    const before = ofType(c.d.sent, 'request').length;
    // The master relays a setup from a server whose copy has another size: refused, asked again at once.
    c.setup(SRV2, 9999, { via: M1, off: again.off });
    const req = ofType(c.d.sent, 'request');
    expect(req.length).toBe(before + 1);
    expect(req.at(-1)!.avoid).toEqual([SRV1, SRV2]);
    expect(req.at(-1)!.file).toBe(FILE);
  });

  it('generators for real hosts were seeded with only 32 bits', () => {
    const seq = (r: Rng) => Array.from({ length: 4 }, () => r.u32());
    // Every one of the 128 bits of state counts: a change in the last word changes the sequence.
    expect(seq(new Rng([1, 2, 3, 4]))).not.toEqual(seq(new Rng([1, 2, 3, 5])));
    const z = new Rng([0, 0, 0, 0]); // the all-zero state would repeat 0 forever
    expect(new Set(Array.from({ length: 8 }, () => z.u32())).size).toBeGreaterThan(1);
  });

  it('a server with more streams than one load report lists never had the others confirmed', () => {
    const f = new ServerFixture({ files: [{ name: 'movie.ts', size: 100_000, rate: 1_000 }] }).register();
    const sids = new Set<number>();
    for (let i = 0; i < MAX_LOAD_SIDS + 40; i++) expect(ofType(f.request('movie.ts', { sid: 1000 + i }), 'setup')).toHaveLength(1);
    const listed = new Set<number>();
    for (let poll = 1; poll <= 3; poll++) {
      const load = ofType(f.fromMaster({ type: 'poll', seq: poll }), 'load')[0]!;
      expect(load.sids.length).toBeLessThanOrEqual(MAX_LOAD_SIDS);
      expect(load.more).toBe(true);
      for (const sid of load.sids) listed.add(sid);
    }
    for (const s of f.server.streamsView()) sids.add(s.sid);
    expect([...sids].every((sid) => listed.has(sid))).toBe(true);
  });

  it('a client kept receiving a stream whose teardown was lost: it says teardown again, at most once per ACK_INTERVAL', () => {
    const c = new ClientFixture();
    c.start();
    c.redirect(SRV1, 11);
    c.setup(SRV1, 2200, { sid: 11 });
    c.data(SRV1, 11, 0, 2200);
    c.data(SRV1, 11, 1100, 2200); // complete: ack + teardown
    const late = [c.data(SRV1, 11, 0, 2200), c.data(SRV1, 11, 1100, 2200)];
    expect(late.flat().map((s) => s.msg?.type)).toEqual([]); // within ACK_INTERVAL of the teardown
    c.d.advance(ACK_INTERVAL);
    expect(ofType(c.data(SRV1, 11, 0, 2200), 'teardown').map((t) => t.sid)).toEqual([11]);
    expect(ofType(c.data(SRV1, 11, 1100, 2200), 'teardown')).toHaveLength(0);
    expect(ofType(c.data(SRV2, 11, 0, 2200), 'teardown')).toHaveLength(0); // not the stream's server
  });
});

describe('regressions of the outside review (spec and code agree)', () => {
  it('a request whose rid is the float 1.0 is not the integer 1: unsupported-value, dropped unanswered (§2.2)', () => {
    const f = new MasterFixture();
    f.addServer({ files: [file('a')] });
    const asInteger = encode({ type: 'request', rid: 0x12345678, file: 'a', pad: new Uint8Array(900) });
    const at = Buffer.from(asInteger).indexOf(Buffer.from([0xce, 0x12, 0x34, 0x56, 0x78]));
    expect(at).toBeGreaterThan(0);
    const float = new Uint8Array(9);
    float[0] = 0xcb;
    new DataView(float.buffer).setFloat64(1, 0x12345678);
    const asFloat = Buffer.concat([asInteger.subarray(0, at), float, asInteger.subarray(at + 5)]);
    const d = decode(asFloat);
    expect(d.ok ? 'decoded' : d.code).toBe('unsupported-value');
    expect(f.d.datagram('10.0.2.1:6000', asFloat)).toEqual([]);
    // The same request with an integer rid is answered.
    expect(ofType(f.d.datagram('10.0.2.1:6000', asInteger), 'redirect')[0]?.rid).toBe(0x12345678);
  });

  it('a list request too small for one entry got an empty page with total > 0; now an error says how much to pad (§4.5)', () => {
    const f = new MasterFixture();
    const s = f.addServer({ files: [file('a')] });
    let rid = 9;
    const ask = (bytes: number) => {
      const bare = encode({ type: 'request', rid: ++rid, file: 'a', mode: 'list', pad: new Uint8Array(0) });
      return f.d.datagram('10.0.2.1:6000', encode({ type: 'request', rid, file: 'a', mode: 'list', pad: new Uint8Array(bytes - bare.length) }));
    };
    const small = ask(100);
    expect(small.map((x) => x.msg?.type)).toEqual(['error']);
    const needed = Number(/pad the request to (\d+) bytes/.exec((small[0]!.msg as { msg: string }).msg)![1]);
    expect(needed).toBeGreaterThan(100);
    expect(small[0]!.bytes.length).toBeLessThanOrEqual(100);
    // Padded as the error says: a page with that one server.
    const page = ofType(ask(needed), 'server-list')[0]!;
    expect(page).toMatchObject({ total: 1, from: 0, servers: [{ srv: s.addr }] });
  });

  it('an empty file is complete at setup: play, the last ack, teardown, done; no data awaited (§6.2)', () => {
    const f = new ClientFixture();
    f.start();
    f.redirect(SRV1);
    const out = f.setup(SRV1, 0, { sid: 11 });
    expect(out.map((x) => x.msg?.type)).toEqual(['play', 'ack', 'teardown']);
    expect(f.client.result).toMatchObject({ ok: true, bytes: 0 });
    // Time passes: nothing more is sent, nothing fails.
    expect(f.d.advance(10 * REQUEST_TIMEOUT).filter((x) => x.msg?.type !== 'teardown')).toEqual([]);
    expect(f.client.result).toMatchObject({ ok: true });
  });

  it('the master answered a request whose rid is 0, and a server took an adjustment to a scale of 0 (§3, §10.3)', () => {
    const f = new MasterFixture();
    f.addServer({ files: [file('a')] });
    const rid0 = encode({ type: 'request', rid: 0, file: 'a', pad: new Uint8Array(900) });
    expect(decode(rid0).ok ? 'decoded' : (decode(rid0) as { code: string }).code).toBe('bad-field');
    expect(f.d.datagram('10.0.2.1:6000', rid0)).toEqual([]);
    const scale0 = encode({ type: 'request', rid: 5, file: 'a', scale: 0, pad: new Uint8Array(900) });
    expect(f.d.datagram('10.0.2.1:6000', scale0)).toEqual([]);

    const s = new ServerFixture().register();
    const stream = s.play('movie.ts');
    const adjust = (scale: number) => s.d.datagram(CLIENT, encode({ type: 'adjust', sid: stream.sid, n: 1, scale }));
    adjust(0);
    expect(s.d.eventsOf('stream-adjust')).toEqual([]);
    adjust(2_000);
    expect(s.d.eventsOf('stream-adjust').map((e) => e.scale)).toEqual([2_000]);
  });
});
