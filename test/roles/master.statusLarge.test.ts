/**
 * Status pages with a large catalog (§11.2): the catalog keeps its names in
 * order as servers come and go, every reading of an unchanged catalog shares
 * that order, and a page costs what its rows cost — so several operators
 * reading page after page of a catalog at MAX_NAMES_PER_SERVER names are
 * answered at once, and the pages of one reading neither skip nor repeat a
 * row while the catalog changes under them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encode } from '../../src/protocol/codec.js';
import { MAX_DATAGRAM, MAX_NAMES_PER_SERVER } from '../../src/protocol/constants.js';
import type { MessageOf } from '../../src/protocol/messages.js';
import { padded } from '../../src/protocol/padding.js';
import { Catalog } from '../../src/roles/master/catalog.js';
import { FakeServer, type FileEntry } from '../helpers/fakeServer.js';
import { file, MasterFixture } from '../helpers/masterFixture.js';

type FilesPage = NonNullable<MessageOf<'status'>['files']>;

function page(f: MasterFixture, operator: string, from: number, rid = 1): MessageOf<'status'> {
  const out = f.d.datagram(operator, encode(padded({ type: 'status-request', rid, what: 'files', from } as MessageOf<'status-request'>)));
  expect(out).toHaveLength(1);
  expect(out[0]!.bytes.length).toBeLessThanOrEqual(MAX_DATAGRAM);
  return out[0]!.msg as MessageOf<'status'>;
}

describe('catalog: names in order (§11.2)', () => {
  it('names() is every file in name order after any adds and removals, holders are right, and an array handed out never changes', () => {
    const op = fc.oneof(
      fc.record({ add: fc.constantFrom('s1', 's2', 's3'), files: fc.array(fc.string({ maxLength: 4 }), { maxLength: 12 }) }),
      fc.record({ remove: fc.constantFrom('s1', 's2', 's3') }),
      fc.constant({ read: true }),
    );
    fc.assert(fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      const c = new Catalog();
      const model = new Map<string, Map<string, number>>();
      const handed: [readonly string[], string[]][] = [];
      let size = 0;
      for (const o of ops) {
        if ('add' in o) {
          for (const name of o.files) {
            c.add(o.add, name, { size: ++size, rate: 1 });
            if (!model.has(name)) model.set(name, new Map());
            model.get(name)!.set(o.add, size);
          }
        } else if ('remove' in o) {
          c.removeServer(o.remove);
          for (const [name, holders] of model) if (holders.delete(o.remove) && holders.size === 0) model.delete(name);
        }
        for (const [name, holders] of model) {
          const got = c.holders(name)!;
          expect(got.size).toBe(holders.size);
          expect(new Map([...got].map(([srv, info]) => [srv, info.size]))).toEqual(holders);
          for (const [srv, n] of holders) expect(got.get(srv)?.size).toBe(n);
          expect([...got.keys()].sort()).toEqual([...holders.keys()].sort());
        }
        for (const srv of ['s1', 's2', 's3']) expect(c.filesOf(srv)).toBe([...model.values()].filter((h) => h.has(srv)).length);
        const names = c.names();
        handed.push([names, [...names]]);
        const expected = c.entries().map(([n]) => n);
        expect(names).toEqual(expected);
        expect([...new Set(names)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(names);
        expect(names.length).toBe(c.fileCount);
      }
      for (const [names, copy] of handed) expect(names).toEqual(copy);
    }), { numRuns: 300 });
  });

  it('asking again while nothing changed gives the same array', () => {
    const c = new Catalog();
    c.add('s1', 'b', { size: 1, rate: 1 });
    c.add('s1', 'a', { size: 1, rate: 1 });
    const first = c.names();
    expect(c.names()).toBe(first);
    c.add('s2', 'a', { size: 1, rate: 1 });
    expect(c.names()).toBe(first); // a new holder of a known file: same names
    c.add('s2', 'c', { size: 1, rate: 1 });
    expect(c.names()).not.toBe(first);
    expect(first).toEqual(['a', 'b']);
    expect(c.names()).toEqual(['a', 'b', 'c']);
  });
});

describe('master: status pages with a large catalog (§11.2)', () => {
  it(`four operators read the files of a server at MAX_NAMES_PER_SERVER (${MAX_NAMES_PER_SERVER}) names, page after page, at once`, () => {
    const f = new MasterFixture();
    const files: FileEntry[] = Array.from({ length: MAX_NAMES_PER_SERVER }, (_, i) => file(`f${i.toString(36).padStart(4, '0')}`, 1, 1));
    f.addServer({ files, partSize: 64 });
    expect(f.master.catalog.fileCount).toBe(MAX_NAMES_PER_SERVER);
    const operators = ['10.0.3.1:7000', '10.0.3.2:7000', '10.0.3.3:7000', '10.0.3.4:7000'];
    const rows = new Map(operators.map((o) => [o, [] as FilesPage]));
    // Each operator begins again from page 0 several times (a dashboard refreshing), reading 20 pages each time.
    let first = 0;
    let later = 0;
    for (let round = 0; round < 10; round++) {
      for (const o of operators) rows.set(o, []);
      for (let p = 0; p < 20; p++) {
        for (const o of operators) {
          const got = rows.get(o)!;
          const t = performance.now();
          const m = page(f, o, got.length, p + 1);
          if (p === 0) first += performance.now() - t;
          else later += performance.now() - t;
          expect(m.total).toBe(MAX_NAMES_PER_SERVER);
          expect(m.files!.length).toBeGreaterThan(0);
          got.push(...m.files!);
        }
      }
    }
    // A page 0 (a fresh reading) costs about what any other page costs: no sort or copy of the
    // catalog per reading (which took 100 ms and more each, at this size).
    const perFirst = first / 40;
    const perLater = later / (40 * 19);
    expect(perFirst, `page 0: ${perFirst.toFixed(2)} ms, later pages: ${perLater.toFixed(2)} ms`).toBeLessThan(5 * perLater + 2);
    const expected = files.map(([n]) => n).sort().slice(0, rows.get(operators[0]!)!.length);
    for (const o of operators) expect(rows.get(o)!.map((r) => r.file)).toEqual(expected);
  });

  it('the pages of one reading neither skip nor repeat a file while servers come and go', () => {
    const f = new MasterFixture();
    const names = Array.from({ length: 200 }, (_, i) => `m${String(i).padStart(3, '0')}`);
    const a = f.addServer({ files: names.slice(0, 150).map((n) => file(n)), partSize: 20 });
    const b = f.addServer({ files: names.slice(100).map((n) => file(n)), partSize: 20 });
    const op = '10.0.3.1:7000';
    const got: FilesPage = [];
    for (let i = 0; i < 50; i++) {
      const m = page(f, op, got.length, i + 1);
      got.push(...m.files!);
      if (i === 0) {
        // A server holding files that sort first joins, and one leaves (its files held by no one else go).
        new FakeServer(f.d, { addr: '10.0.1.9:5000', files: [file('a-first'), file('a-second')] }).join();
        a.leave();
      }
      if (got.length >= m.total) break;
    }
    expect(got.map((r) => r.file)).toEqual(names);
    // Files no server holds any more are still in this reading, without servers; the rest show their holders now.
    expect(got.find((r) => r.file === 'm050')).toMatchObject({ servers: [] });
    expect(got.find((r) => r.file === 'm120')).toMatchObject({ servers: [b.addr] });
    // A new reading has the catalog as it is now.
    const fresh = page(f, op, 0, 99);
    expect(fresh.total).toBe(102);
    expect(fresh.files!.slice(0, 3).map((r) => r.file)).toEqual(['a-first', 'a-second', 'm100']);
  });
});
