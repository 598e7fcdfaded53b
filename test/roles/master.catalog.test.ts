import { describe, expect, it } from 'vitest';
import { FakeServer } from '../helpers/fakeServer.js';
import { file, MasterFixture, RATE } from '../helpers/masterFixture.js';
import { ofType } from '../helpers/roleDriver.js';

const CLIENT = '10.0.2.1:6000';

describe('master: catalog from content lists (S1.1)', () => {
  it('a content list in several parts: joining until the last part, then every file is listed', () => {
    const f = new MasterFixture();
    const files = ['a', 'b', 'c', 'd', 'e'].map((n) => file(n));
    const s = new FakeServer(f.d, { addr: '10.0.1.1:5000', files, partSize: 2 });
    expect(s.parts).toHaveLength(3);
    const acks = ofType(s.register(), 'register-ack');
    expect(acks).toHaveLength(1);
    s.cookie = acks[0]!.cookie;
    const rec = () => f.master.serverView(s.addr)!;
    // Not a server until it echoes the cookie of register-ack (§9.4).
    expect(f.master.serverView(s.addr)).toBeUndefined();
    // Parts out of order, one twice: each is acknowledged, the list completes once.
    expect(ofType(s.content(2), 'content-ack').map((a) => a.part)).toEqual([2]);
    expect(ofType(s.content(0), 'content-ack').map((a) => a.part)).toEqual([0]);
    expect(ofType(s.content(0), 'content-ack').map((a) => a.part)).toEqual([0]);
    expect(rec().state).toBe('joining');
    expect(f.master.catalog.fileCount).toBe(0);
    // A joining server is not offered to clients.
    expect(f.answer(CLIENT, 'a')).toMatchObject({ type: 'error', code: 'not-found' });
    s.content(1);
    expect(rec().state).toBe('up');
    expect(f.master.catalog.entries().map(([n]) => n)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(f.d.eventsOf('server-up')).toHaveLength(1);
    for (const n of ['a', 'c', 'e']) expect(f.redirectedTo(CLIENT, n)).toBe(s.addr);
  });

  it('a registered server adds a file (a distribution job\'s, §14.4): listed at once, acknowledged; a file it holds takes the new size', () => {
    const f = new MasterFixture();
    const s = f.addServer({ files: [file('a')] });
    const add = (part: number, name: string, size: number) => s.send({ type: 'content', name: s.addr, epoch: s.epoch, cookie: s.cookie!, part, parts: 1, files: [[name, size, RATE]], add: true });
    expect(ofType(add(0, 'new.ts', 5_000), 'content-ack')).toEqual([expect.objectContaining({ part: 0, add: true })]);
    expect(f.master.catalog.holders('new.ts')?.get(s.addr)).toEqual({ size: 5_000, rate: RATE });
    expect(f.redirectedTo(CLIENT, 'new.ts')).toBe(s.addr);
    expect(f.d.eventsOf('file-added')).toEqual([expect.objectContaining({ srv: s.addr, file: 'new.ts', size: 5_000 })]);
    add(1, 'new.ts', 7_000);
    expect(f.master.catalog.holders('new.ts')?.get(s.addr)).toEqual({ size: 7_000, rate: RATE });
    expect(f.master.catalog.entries().map(([n]) => n)).toEqual(['a', 'new.ts']);
  });

  it('a registered server removes a file (a distribution job deleted it, §14.4): out of the catalog at once, acknowledged; its other holders keep it', () => {
    const f = new MasterFixture();
    const s = f.addServer({ files: [file('a'), file('b')] });
    const t = f.addServer({ addr: '10.0.1.2:5000', files: [file('b')] });
    const rm = (part: number, name: string) => s.send({ type: 'content', name: s.addr, epoch: s.epoch, cookie: s.cookie!, part, parts: 1, files: [[name, 0, 0]], rm: true });
    expect(ofType(rm(0, 'a'), 'content-ack')).toEqual([expect.objectContaining({ part: 0, add: true })]);
    expect(f.master.catalog.holders('a')).toBeUndefined();
    expect(f.d.eventsOf('file-removed')).toEqual([expect.objectContaining({ srv: s.addr, file: 'a' })]);
    rm(1, 'b');
    expect([...f.master.catalog.holders('b')!.keys()]).toEqual([t.addr]);
    expect(f.redirectedTo(CLIENT, 'b')).toBe(t.addr);
    // A name it does not list: acknowledged, nothing else.
    expect(ofType(rm(2, 'zzz'), 'content-ack')).toHaveLength(1);
    expect(f.d.eventsOf('file-removed')).toHaveLength(2);
    expect(f.master.catalog.entries().map(([n]) => n)).toEqual(['b']);
  });

  it('an addition before the content list is complete is dropped; one with a wrong cookie is not-registered', () => {
    const f = new MasterFixture();
    const s = new FakeServer(f.d, { addr: '10.0.1.1:5000', files: [file('a'), file('b')], partSize: 1 });
    s.cookie = ofType(s.register(), 'register-ack')[0]!.cookie;
    s.content(0);
    expect(s.send({ type: 'content', name: s.addr, epoch: s.epoch, cookie: s.cookie, part: 0, parts: 2, files: [['x', 1, 1]], add: true })).toHaveLength(0);
    expect(f.master.dropped.get('unexpected-message')).toBe(1);
    expect(f.master.catalog.holders('x')).toBeUndefined();
    s.content(1);
    const forged = s.send({ type: 'content', name: s.addr, epoch: s.epoch, cookie: new Uint8Array(8).fill(7), part: 0, parts: 2, files: [['x', 1, 1]], add: true });
    expect(ofType(forged, 'error').map((e) => e.code)).toEqual(['not-registered']);
    expect(f.master.catalog.holders('x')).toBeUndefined();
  });

  it('a part index beyond the registered count is dropped as bad-field', () => {
    const f = new MasterFixture();
    const s = new FakeServer(f.d, { addr: '10.0.1.1:5000', files: [file('a')] });
    s.cookie = ofType(s.register(), 'register-ack')[0]!.cookie;
    const out = s.send({ type: 'content', name: s.addr, epoch: s.epoch, cookie: s.cookie, part: 1, parts: 1, files: [['x', 1, 1]] });
    expect(out).toHaveLength(0);
    expect(f.master.dropped.get('bad-field')).toBe(1);
    expect(f.master.catalog.holders('x')).toBeUndefined();
  });

  it('content with a wrong cookie is answered not-registered and changes nothing', () => {
    const f = new MasterFixture();
    const s = new FakeServer(f.d, { addr: '10.0.1.1:5000', files: [file('a')] });
    s.register();
    s.cookie = new Uint8Array(8).fill(9);
    expect(ofType(s.content(0), 'error').map((e) => e.code)).toEqual(['not-registered']);
    expect(f.master.serverView(s.addr)).toBeUndefined();
    expect(f.master.catalog.fileCount).toBe(0);
  });

  it('leave takes a server out of the catalog; a new epoch replaces the old registration', () => {
    const f = new MasterFixture();
    const s1 = f.addServer({ files: [file('a'), file('b')] });
    f.addServer({ files: [file('b')] });
    s1.leave();
    expect(f.master.serverView(s1.addr)).toBeUndefined();
    expect(f.answer(CLIENT, 'a')).toMatchObject({ type: 'error', code: 'not-found' });
    expect([...f.master.catalog.holders('b')!.keys()]).toEqual(['10.0.1.2:5000']);
    // The same address comes back as a new instance with other files.
    const again = new FakeServer(f.d, { addr: s1.addr, files: [file('c')], epoch: 99 });
    again.join();
    expect(f.master.catalog.holders('a')).toBeUndefined();
    expect(f.redirectedTo(CLIENT, 'c')).toBe(s1.addr);
  });
});

describe("master: the seed's example (S1.1, S1.2)", () => {
  // Server 1 holds A,B,C,D; server 2 holds B,E,F,G,H; server 3 holds B,E,H,J.
  const S1 = '10.0.1.1:5000';
  const S2 = '10.0.1.2:5000';
  const S3 = '10.0.1.3:5000';
  const CAP = 100_000_000;

  function seedCluster(loads: readonly [number, number, number] = [0, 0, 0]) {
    const f = new MasterFixture();
    const servers = [
      f.addServer({ files: ['A', 'B', 'C', 'D'].map((n) => file(n)), cap: CAP }),
      f.addServer({ files: ['B', 'E', 'F', 'G', 'H'].map((n) => file(n)), cap: CAP }),
      f.addServer({ files: ['B', 'E', 'H', 'J'].map((n) => file(n)), cap: CAP }),
    ];
    servers.forEach((s, i) => s.load({ bw: loads[i]!, streams: Math.round(loads[i]! / RATE) }));
    return f;
  }

  it('the catalog knows who holds what', () => {
    const f = seedCluster();
    const holders = (n: string) => [...(f.master.catalog.holders(n)?.keys() ?? [])].sort();
    expect(holders('A')).toEqual([S1]);
    expect(holders('B')).toEqual([S1, S2, S3]);
    expect(holders('E')).toEqual([S2, S3]);
    expect(holders('H')).toEqual([S2, S3]);
    expect(holders('J')).toEqual([S3]);
    expect(f.master.catalog.fileCount).toBe(9);
  });

  const situations: [string, [number, number, number], string][] = [
    ['all idle: the tie goes to the first by name', [0, 0, 0], S1],
    ['server 1 busiest, server 2 idlest', [60_000_000, 8_000_000, 40_000_000], S2],
    ['server 3 idlest', [40_000_000, 80_000_000, 4_000_000], S3],
    ['server 1 idlest', [12_000_000, 16_000_000, 20_000_000], S1],
    ['two nearly full, one half full', [96_000_000, 52_000_000, 92_000_000], S2],
  ];
  for (const [what, loads, winner] of situations) {
    it(`a request for B goes to the server with the most available bandwidth: ${what}`, () => {
      expect(seedCluster(loads).redirectedTo('10.0.2.1:6000', 'B')).toBe(winner);
    });
  }

  it('the bandwidth history counts: a server whose load just dropped is not yet the idlest', () => {
    const f = seedCluster([50_000_000, 30_000_000, 30_000_000]);
    // Server 1 has been busy for a while (its average is high) and just reported almost nothing.
    for (let i = 0; i < 5; i++) f.servers[0]!.load({ bw: 90_000_000 });
    f.servers[0]!.load({ bw: 0 });
    const rec = f.master.serverView(S1)!;
    expect(rec.bw).toBe(0);
    expect(rec.avg).toBeGreaterThan(50_000_000);
    expect(f.redirectedTo('10.0.2.1:6000', 'B')).not.toBe(S1);
  });

  it('a request for A only ever goes to server 1, whatever the loads', () => {
    for (const loads of situations.map((s) => s[1])) {
      expect(seedCluster(loads).redirectedTo('10.0.2.1:6000', 'A')).toBe(S1);
    }
  });

  it('E and H go to server 2 or 3, J only to server 3', () => {
    const f = seedCluster([0, 50_000_000, 0]);
    expect(f.redirectedTo('10.0.2.1:6000', 'E')).toBe(S3);
    expect([S2, S3]).toContain(f.redirectedTo('10.0.2.1:6000', 'H'));
    expect(f.redirectedTo('10.0.2.1:6000', 'J')).toBe(S3);
  });

  it('an unknown file is answered with not-found', () => {
    const f = seedCluster();
    const a = f.answer('10.0.2.1:6000', 'Z', { rid: 42 });
    expect(a).toMatchObject({ type: 'error', rid: 42, code: 'not-found' });
  });

  it('holders all full: no-capacity; exactly the file\'s rate left is room enough', () => {
    const f = seedCluster([CAP - RATE + 1, CAP, CAP - 1000]);
    expect(f.answer('10.0.2.1:6000', 'B', { rid: 7 })).toMatchObject({ type: 'error', rid: 7, code: 'no-capacity' });
    expect(seedCluster([CAP - RATE + 1, CAP - RATE, CAP - 1000]).redirectedTo('10.0.2.1:6000', 'B')).toBe(S2);
  });

  it('a server filled by the master\'s own assignments is full too, before it reports them', () => {
    const f = seedCluster([CAP - 2 * RATE, CAP, CAP]);
    expect(f.redirectedTo('10.0.2.1:6000', 'A')).toBe(S1);
    expect(f.redirectedTo('10.0.2.2:6000', 'A')).toBe(S1);
    expect(f.answer('10.0.2.3:6000', 'A')).toMatchObject({ type: 'error', code: 'no-capacity' });
  });

  it('holders all down: no-capacity; a holder that comes back is used again', () => {
    const f = seedCluster();
    // Nobody answers polls: after MISSED_POLLS_DOWN intervals every server is down.
    f.d.advance(10_000);
    for (const s of [S1, S2, S3]) expect(f.master.serverView(s)!.state).toBe('down');
    expect(f.answer('10.0.2.1:6000', 'B')).toMatchObject({ type: 'error', code: 'no-capacity' });
    expect(f.answer('10.0.2.1:6000', 'A')).toMatchObject({ type: 'error', code: 'no-capacity' });
    f.servers[2]!.load();
    expect(f.redirectedTo('10.0.2.1:6000', 'B')).toBe(S3);
  });
});
