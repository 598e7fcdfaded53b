/**
 * What one server, and one source host, may make a master keep (§4.6): the
 * parts a `register` announces, the files and the bytes of file names of one
 * content list, the servers registered from one host. Beyond a bound the
 * registration is refused with `error` `over-limit`, nothing of it is kept,
 * and the master says so in one `registration-refused` warning per host per
 * REFUSAL_REPORT_INTERVAL. A server told `over-limit` reports it and tries
 * again after REGISTER_RETRY_MAX.
 */
import { describe, expect, it } from 'vitest';
import {
  MAX_CATALOG_BYTES_PER_SERVER,
  MAX_CONTENT_PARTS,
  MAX_ERROR_TEXT,
  MAX_NAMES_PER_SERVER,
  MAX_SERVERS_PER_SOURCE,
  REFUSAL_REPORT_INTERVAL,
  REFUSAL_REPORTS,
  REGISTER_RETRY_MAX,
} from '../../src/protocol/constants.js';
import type { MessageOf } from '../../src/protocol/messages.js';
import type { Master } from '../../src/roles/master/master.js';
import { refusalText, sourceHost, utf8Length } from '../../src/roles/master/registrationBounds.js';
import { FakeServer, type FileEntry } from '../helpers/fakeServer.js';
import { file, MasterFixture } from '../helpers/masterFixture.js';
import { KEY, ofType, type Sent } from '../helpers/roleDriver.js';
import { MASTER, NAME, ServerFixture } from '../helpers/serverFixture.js';

type Files = MessageOf<'content'>['files'];

const candidates = (m: Master) => m.tables().candidates!;
const refusals = (f: MasterFixture) => f.d.eventsOf('registration-refused');
const overLimit = (out: readonly Sent[]) => ofType(out, 'error').filter((e) => e.code === 'over-limit');

/** Names of `len` characters, distinct for each `i`. */
const longName = (i: number, len: number) => `${i.toString(36).padStart(6, '0')}-`.padEnd(len, 'x');

/**
 * A server played by hand that registers announcing `parts` parts (and `files` files), then sends
 * parts made by `partFiles` until the master refuses one or every part is in.
 */
function list(f: MasterFixture, o: { addr?: string; parts: number; files?: number; partFiles: (part: number) => Files }) {
  const addr = o.addr ?? '10.0.7.1:5000';
  const send = (m: MessageOf<'register' | 'content'>) => f.d.control(addr, m, f.auth);
  const reg = send({ type: 'register', name: addr, epoch: 1, cap: 1e9, group: 'default', files: o.files ?? 1, parts: o.parts, pad: new Uint8Array(200) });
  const cookie = ofType(reg, 'register-ack')[0]!.cookie;
  let refusedAt: number | undefined;
  let most = 0;
  const out: Sent[] = [];
  for (let part = 0; part < o.parts; part++) {
    const sent = send({ type: 'content', name: addr, epoch: 1, cookie, part, parts: o.parts, files: o.partFiles(part) });
    out.push(...sent);
    most = Math.max(most, f.master.serverView(addr)?.files ?? 0);
    if (overLimit(sent).length > 0) {
      refusedAt = part;
      break;
    }
  }
  return { addr, refusedAt, most, out };
}

describe('master: bounds on registrations (§4.6)', () => {
  it('a register announcing more than MAX_CONTENT_PARTS parts is refused: over-limit, no candidate, one warning', () => {
    for (const key of [undefined, KEY]) {
      const f = new MasterFixture({ key });
      const s = new FakeServer(f.d, { addr: '10.0.7.1:5000', files: [file('a')], auth: f.auth });
      const out = s.send({ type: 'register', name: s.addr, epoch: 3, cap: 1e9, group: 'default', files: 10, parts: MAX_CONTENT_PARTS + 1, pad: new Uint8Array(200) });
      expect(ofType(out, 'register-ack')).toHaveLength(0);
      const errors = overLimit(out);
      expect(errors).toHaveLength(1);
      expect(errors[0]!.msg).toContain('MAX_CONTENT_PARTS');
      // With a key, the refusal is authenticated like every master → server message.
      expect(out[0]!.mac).toBe(key !== undefined);
      expect(candidates(f.master).size).toBe(0);
      expect(f.master.bounds.refused.parts).toBe(1);
      expect(refusals(f)).toMatchObject([{ level: 'warn', srv: s.addr, addr: s.addr, bound: 'parts', limit: MAX_CONTENT_PARTS, value: MAX_CONTENT_PARTS + 1, refused: 1 }]);
      // Its content is for no registration: not-registered.
      expect(ofType(s.content(0), 'error').map((e) => e.code)).toEqual(['not-registered']);
    }
  });

  it('a register announcing more than MAX_NAMES_PER_SERVER files is refused at once', () => {
    const f = new MasterFixture();
    const out = f.d.control('10.0.7.1:5000', { type: 'register', name: '10.0.7.1:5000', epoch: 3, cap: 1e9, group: 'default', files: MAX_NAMES_PER_SERVER + 1, parts: 300, pad: new Uint8Array(200) }, undefined);
    expect(overLimit(out)).toHaveLength(1);
    expect(refusals(f)).toMatchObject([{ bound: 'names', value: MAX_NAMES_PER_SERVER + 1 }]);
    expect(candidates(f.master).size).toBe(0);
  });

  it('a content list beyond MAX_NAMES_PER_SERVER is refused at the part that passes it, and nothing of it is kept', () => {
    const f = new MasterFixture();
    const per = 64;
    const parts = Math.ceil(MAX_NAMES_PER_SERVER / per) + 4;
    // It says it holds few files: the parts themselves are counted.
    const r = list(f, { parts, files: 10, partFiles: (p) => Array.from({ length: per }, (_, j) => [`f${p * per + j}`, 1, 1] as [string, number, number]) });
    expect(r.refusedAt).toBe(MAX_NAMES_PER_SERVER / per);
    expect(r.most).toBe(MAX_NAMES_PER_SERVER);
    // Forgotten with every part it sent; the content lists no file; no further part is taken.
    expect(f.master.serversView().length).toBe(0);
    expect(f.master.catalog.fileCount).toBe(0);
    expect(f.master.bounds.serversFrom(r.addr)).toBe(0);
    const [e] = refusals(f);
    expect(e).toMatchObject({ level: 'warn', srv: r.addr, bound: 'names', limit: MAX_NAMES_PER_SERVER, value: MAX_NAMES_PER_SERVER + per });
    expect(String(e!.detail)).toContain('MAX_NAMES_PER_SERVER');
    // The refusal goes to a proven address: sent whole, with no server-restarted or -forgotten event.
    expect(f.master.dropped.get('amplification-limit')).toBeUndefined();
    expect(f.d.eventsOf('server-forgotten').length + f.d.eventsOf('server-restarted').length).toBe(0);
    const again = f.d.control(r.addr, { type: 'content', name: r.addr, epoch: 1, cookie: new Uint8Array(8), part: 0, parts, files: [['late', 1, 1]] }, undefined);
    expect(ofType(again, 'error').map((x) => x.code)).toEqual(['not-registered']);
  });

  it('a content list beyond MAX_CATALOG_BYTES_PER_SERVER bytes of names is refused, counted in UTF-8', () => {
    const f = new MasterFixture();
    // 4 names of 246 bytes (6 one-byte and 120 two-byte characters) per part: within MAX_NAMES_PER_SERVER, beyond the bytes.
    const name = (i: number) => `${i.toString(36).padStart(6, '0')}`.padEnd(126, 'é');
    const bytesPerName = utf8Length(name(0));
    expect(bytesPerName).toBe(6 + 2 * 120);
    const per = 4;
    const needed = Math.floor(MAX_CATALOG_BYTES_PER_SERVER / (per * bytesPerName)) + 1;
    expect(needed).toBeLessThanOrEqual(MAX_CONTENT_PARTS);
    const r = list(f, { parts: needed + 2, partFiles: (p) => Array.from({ length: per }, (_, j) => [name(p * per + j), 1, 1] as [string, number, number]) });
    expect(r.refusedAt).toBe(needed - 1);
    expect(r.most * bytesPerName).toBeLessThanOrEqual(MAX_CATALOG_BYTES_PER_SERVER);
    expect(refusals(f)).toMatchObject([{ bound: 'catalog-bytes', limit: MAX_CATALOG_BYTES_PER_SERVER }]);
    expect(f.master.serversView().length).toBe(0);
  });

  it('a server with 5,000 files registers in full, with no refusal', () => {
    for (const key of [undefined, KEY]) {
      const f = new MasterFixture({ key });
      const files: FileEntry[] = Array.from({ length: 5_000 }, (_, i) => file(`library/shelf-${Math.floor(i / 100)}/title-${i}.ts`));
      const s = f.addServer({ files, partSize: 20, addr: '10.0.7.1:5000' });
      expect(s.parts).toHaveLength(250);
      expect(f.master.serverView(s.addr)).toMatchObject({ state: 'up', cataloged: true });
      expect(f.master.catalog.fileCount).toBe(5_000);
      expect(f.master.catalog.filesOf(s.addr)).toBe(5_000);
      expect(refusals(f)).toHaveLength(0);
      expect(Object.values(f.master.bounds.refused).every((n) => n === 0)).toBe(true);
    }
  });

  it(`at most MAX_SERVERS_PER_SOURCE (${MAX_SERVERS_PER_SOURCE}) servers from one host; its restarts and other hosts are not refused`, () => {
    const f = new MasterFixture();
    const at = (port: number, host = '10.0.8.1') => `${host}:${port}`;
    for (let i = 0; i < MAX_SERVERS_PER_SOURCE; i++) f.addServer({ addr: at(5000 + i), files: [file(`f${i}`)] });
    expect(f.master.bounds.serversFrom(at(1))).toBe(MAX_SERVERS_PER_SOURCE);
    // One more from that host, on another port: refused at its register.
    const extra = new FakeServer(f.d, { addr: at(6000), files: [file('x')] });
    // Padded as a server pads it (§9.4), so that the refusal fits what it sent.
    const out = extra.send({ type: 'register', name: extra.addr, epoch: extra.epoch, cap: extra.cap, group: 'default', files: 1, parts: 1, pad: new Uint8Array(200) });
    expect(ofType(out, 'register-ack')).toHaveLength(0);
    expect(overLimit(out)).toHaveLength(1);
    expect(refusals(f)).toMatchObject([{ bound: 'servers-per-source', addr: at(6000), value: MAX_SERVERS_PER_SOURCE + 1, limit: MAX_SERVERS_PER_SOURCE }]);
    expect(f.master.serverView(extra.addr)).toBeUndefined();
    // A server of that host restarting (a new epoch) replaces itself: not refused.
    new FakeServer(f.d, { addr: at(5003), files: [file('f3')], epoch: 99 }).join();
    expect(f.master.serverView(at(5003))?.epoch).toBe(99);
    // Another host is not held back by this one.
    f.addServer({ addr: at(5000, '10.0.8.2'), files: [file('y')] });
    // One leaves: there is room again.
    f.servers[0]!.leave();
    expect(f.master.bounds.serversFrom(at(1))).toBe(MAX_SERVERS_PER_SOURCE - 1);
    extra.join();
    expect(f.master.serverView(extra.addr)?.state).toBe('up');
    expect(f.master.serversView().length).toBe(MAX_SERVERS_PER_SOURCE + 1);
  });

  it('many candidates of one host that all prove their address: only MAX_SERVERS_PER_SOURCE become servers', () => {
    const f = new MasterFixture();
    const fakes = Array.from({ length: MAX_SERVERS_PER_SOURCE + 8 }, (_, i) => new FakeServer(f.d, { addr: `10.0.8.1:${7000 + i}`, files: [file(`g${i}`)] }));
    // Every register first (none is a server yet), then every content.
    for (const s of fakes) s.cookie = ofType(s.register(), 'register-ack')[0]!.cookie;
    const answers = fakes.map((s) => s.content(0));
    expect(answers.filter((a) => ofType(a, 'content-ack').length === 1)).toHaveLength(MAX_SERVERS_PER_SOURCE);
    const refused = answers.filter((a) => overLimit(a).length === 1);
    expect(refused).toHaveLength(8);
    // Refused with over-limit only, not also told it is unknown.
    for (const a of refused) expect(ofType(a, 'error')).toHaveLength(1);
    expect(f.master.serversView().length).toBe(MAX_SERVERS_PER_SOURCE);
    expect(f.master.bounds.refused['servers-per-source']).toBe(8);
    // Reported once for the host, with the count of refusals in its next report.
    expect(refusals(f)).toHaveLength(1);
  });

  it(`refusals are reported once per host per REFUSAL_REPORT_INTERVAL, and for at most REFUSAL_REPORTS hosts per interval`, () => {
    const f = new MasterFixture({ config: { pollInterval: 1_000_000 } });
    const reg = (addr: string) => f.d.control(addr, { type: 'register', name: addr, epoch: 3, cap: 1e9, group: 'default', files: 1, parts: MAX_CONTENT_PARTS + 1, pad: new Uint8Array(200) }, undefined);
    for (let i = 0; i < 1_000; i++) reg(`10.0.9.1:${1000 + i}`);
    expect(refusals(f)).toHaveLength(1);
    expect(f.master.bounds.refused.parts).toBe(1_000);
    f.d.advance(REFUSAL_REPORT_INTERVAL);
    reg('10.0.9.1:999');
    // The next report counts every refusal since the last one.
    expect(refusals(f).map((e) => e.refused)).toEqual([1, 1_000]);
    // Many hosts at once: at most REFUSAL_REPORTS of them reported in one interval.
    f.d.advance(REFUSAL_REPORT_INTERVAL);
    for (let i = 0; i < 100; i++) reg(`10.1.${i}.1:5000`);
    expect(refusals(f)).toHaveLength(2 + REFUSAL_REPORTS);
    expect(f.master.bounds.refused.parts).toBe(1_101);
  });

  it('the refusal text fits an error message, and sources are hosts whatever the port', () => {
    for (const bound of ['parts', 'names', 'catalog-bytes', 'servers-per-source'] as const) {
      expect(utf8Length(refusalText({ bound, limit: 2 ** 40, value: 2 ** 52 }))).toBeLessThanOrEqual(MAX_ERROR_TEXT);
    }
    expect(sourceHost('10.0.0.1:5000')).toBe(sourceHost('10.0.0.1:6000'));
    expect(sourceHost('[2001:DB8::1]:5000')).toBe(sourceHost('[2001:db8::1]:7000'));
    expect(sourceHost('[2001:db8::1]:5000')).not.toBe(sourceHost('[2001:db8::2]:5000'));
    for (const s of ['', 'abc', 'é', '日本', '😀x', 'a\u0301']) expect(utf8Length(s)).toBe(Buffer.byteLength(s));
  });
});

describe('server: refused by its master (§4.6, §6.5)', () => {
  for (const state of ['registering', 'listing'] as const) {
    it(`over-limit while ${state}: one error event, and register again after REGISTER_RETRY_MAX`, () => {
      const f = new ServerFixture({ key: KEY });
      f.d.command({ type: 'start' });
      if (state === 'listing') f.fromMaster({ type: 'register-ack', name: f.server.config.name, epoch: f.server.epoch, cookie: new Uint8Array(8), interval: 1000 });
      expect(f.server.state).toBe(state);
      const t0 = f.d.now;
      f.fromMaster({ type: 'error', code: 'over-limit', msg: 'refused: 70000 files, beyond MAX_NAMES_PER_SERVER (65536)' });
      expect(f.server.state).toBe('registering');
      expect(f.d.eventsOf('registration-refused')).toMatchObject([{ level: 'error', master: MASTER, detail: expect.stringContaining('MAX_NAMES_PER_SERVER') }]);
      const sent = f.d.advance(REGISTER_RETRY_MAX * 3).filter((s) => s.msg?.type === 'register' || s.msg?.type === 'content');
      expect(sent.every((s) => s.msg?.type === 'register')).toBe(true);
      expect(sent.map((s) => s.at - t0)).toEqual([1, 2, 3].map((k) => k * REGISTER_RETRY_MAX));
      // Refused again: said at debug level only, until it is registered.
      f.fromMaster({ type: 'error', code: 'over-limit', msg: 'refused again' });
      expect(f.d.eventsOf('registration-refused').map((e) => e.level)).toEqual(['error', 'debug']);
    });
  }

  it('an over-limit not from its master, or without a MAC when it has a key, changes nothing', () => {
    const f = new ServerFixture({ key: KEY });
    f.d.command({ type: 'start' });
    f.d.datagram('10.9.9.9:4000', { type: 'error', code: 'over-limit', msg: 'no' });
    f.d.datagram(MASTER, { type: 'error', code: 'over-limit', msg: 'no' });
    expect(f.d.eventsOf('registration-refused')).toHaveLength(0);
    expect(ofType(f.d.advance(500), 'register')).toHaveLength(1);
  });
});

describe('master: bounds in a real exchange', () => {
  it('a media server core whose content list is too long is refused, backs off, and leaves nothing at the master', () => {
    const names = MAX_NAMES_PER_SERVER + 10;
    const files = Array.from({ length: names }, (_, i) => ({ name: longName(i, 8), size: 1, rate: 1 }));
    const server = new ServerFixture({ files });
    const master = new MasterFixture();
    // Carry each datagram from one core to the other until nothing is left to carry.
    let out = server.d.command({ type: 'start' });
    for (let round = 0; round < 10 && out.length > 0; round++) {
      const back: Sent[] = [];
      for (const s of out) if (s.to === MASTER) back.push(...master.d.datagram(NAME, s.bytes));
      out = back.flatMap((s) => server.d.datagram(MASTER, s.bytes));
    }
    expect(server.server.state).toBe('registering');
    expect(server.d.eventsOf('registration-refused')).toHaveLength(1);
    expect(master.master.serversView().length).toBe(0);
    expect(master.master.catalog.fileCount).toBe(0);
    expect(master.d.eventsOf('registration-refused')).toMatchObject([{ bound: 'names' }]);
  });
});
