/**
 * Pages filled by computed sizes stay maximal (§4.5, §4.6, §11.2, §7.4): a
 * server-list page, a status page and a content part hold as many entries as
 * fit, one more would not fit, and they hold exactly what the old way —
 * encoding the page again for every entry added, and stopping at the first
 * that did not fit — put in them.
 */
import { describe, expect, it } from 'vitest';
import { encode, encodeWithMac, widestLength } from '../../src/protocol/codec.js';
import { COOKIE_LENGTH, MAC_LENGTH, MAX_CONTENT_FILES, MAX_DATAGRAM, MAX_LIST_SERVERS, MAX_STATUS_ROWS } from '../../src/protocol/constants.js';
import type { Message, MessageOf } from '../../src/protocol/messages.js';
import { padded } from '../../src/protocol/padding.js';
import { file, MasterFixture } from '../helpers/masterFixture.js';
import { KEY, ofType } from '../helpers/roleDriver.js';
import { ServerFixture } from '../helpers/serverFixture.js';

const CLIENT = '[2001:db8:ffff::1]:6000';
const OPERATOR = '10.0.3.1:7000';

/**
 * The old way of filling a page: add the entries one by one, encode the whole page each
 * time, and stop at the first that makes it too large (or at the cap). Returns how many fit.
 */
function trialFit(encodedSize: (n: number) => number, available: number, limit: number, cap: number): number {
  let n = 0;
  while (n < available && n < cap && encodedSize(n + 1) <= limit) n++;
  return n;
}

/** A master with `n` servers holding `B` under names and groups of many lengths, and a few streams. */
function cluster(n: number, key?: string): MasterFixture {
  const f = new MasterFixture({ key, config: { policy: 'round-robin' } });
  const files = Array.from({ length: 24 }, (_, i) => file(`lib/${'é'.repeat(i * 4)}-${'x'.repeat(i % 9)}${i}.ts`));
  for (let i = 0; i < n; i++) {
    f.addServer({
      addr: i % 3 === 0 ? `[2001:db8:aaaa:bbbb:cccc:dddd:eeee:${(i + 1).toString(16)}]:50000` : `10.0.${i >> 8}.${(i & 255) + 1}:${5000 + i}`,
      files: [...files.filter((_, j) => (i + j) % 3 !== 0), file('B')],
      group: `${'g'.repeat((i * 11) % 50)}${'ü'.repeat(i % 7)}`.slice(0, 60) || 'g',
      cap: 100_000_000_000,
      partSize: 4,
    });
  }
  for (let i = 0; i < 2 * n; i++) f.ask(`10.9.${i >> 8}.${i & 255}:6000`, files[i % files.length]![0]);
  return f;
}

function listPage(f: MasterFixture, from: number, padTo: number, rid: number): { page: MessageOf<'server-list'>; size: number } | undefined {
  const out = f.d.datagram(CLIENT, padded({ type: 'request', rid, file: 'B', mode: 'list', from } as MessageOf<'request'>, padTo));
  if (out.length === 0 || out[0]!.msg?.type !== 'server-list') return undefined;
  return { page: out[0]!.msg, size: out[0]!.bytes.length };
}

describe('server-list pages are maximal (§4.5)', () => {
  for (const key of [undefined, KEY]) {
    it(`${key ? 'with' : 'without'} a cluster key: each page holds the entries that fit in the request's size, one more would not fit, as trial encoding found`, () => {
      const f = cluster(45, key);
      let rid = 1000;
      let checked = 0;
      for (const padTo of [MAX_DATAGRAM, 900, 600, 420, 300, 200]) {
        const request = encode(padded({ type: 'request', rid: 1, file: 'B', mode: 'list' }, padTo)).length;
        const limit = Math.min(request, MAX_DATAGRAM);
        for (let from = 0; from < 45;) {
          const got = listPage(f, from, padTo, rid++);
          if (!got) break; // not even one entry fits: answered with an error (tested elsewhere)
          const { page, size } = got;
          expect(size).toBeLessThanOrEqual(limit);
          expect(page.servers.length).toBeGreaterThan(0);
          if (from + page.servers.length < page.total) {
            // The next holder's entry, as the next page lists it first (its own sid is as wide: both above 2^16).
            const next = listPage(f, from + page.servers.length, MAX_DATAGRAM, rid++)!.page.servers[0]!;
            for (const e of [...page.servers, next]) expect(e.sid).toBeGreaterThanOrEqual(0x1_0000);
            const entries = [...page.servers, next];
            const withNext = encode({ ...page, servers: entries });
            expect(page.servers.length === MAX_LIST_SERVERS || withNext.length > limit, `page from ${from} in ${limit} bytes could hold one more`).toBe(true);
            expect(trialFit((n) => encode({ ...page, servers: entries.slice(0, n) }).length, entries.length, limit, MAX_LIST_SERVERS)).toBe(page.servers.length);
            checked++;
          }
          from += page.servers.length;
        }
      }
      expect(checked).toBeGreaterThan(20);
    });
  }
});

describe('status pages are maximal (§11.2)', () => {
  for (const key of [undefined, KEY]) {
    it(`${key ? 'with' : 'without'} a cluster key: every page of every table holds the rows that fit, one more would not fit, as trial encoding found`, () => {
      const f = cluster(45, key);
      const auth = f.auth;
      const enc = (m: Message) => (auth ? auth.encode(m, f.d.now) : encode(m));
      let checked = 0;
      for (const what of ['servers', 'files', 'sessions'] as const) {
        const pages: MessageOf<'status'>[] = [];
        let from = 0;
        for (let i = 0; i < 100; i++) {
          const out = f.d.datagram(OPERATOR, enc(padded({ type: 'status-request', rid: i + 1, what, from }, undefined, enc)));
          const m = out[0]!.msg as MessageOf<'status'>;
          expect(out[0]!.bytes.length).toBeLessThanOrEqual(MAX_DATAGRAM);
          pages.push(m);
          from += (m[what] ?? []).length;
          if (from >= m.total) break;
        }
        expect(from).toBe(pages[0]!.total);
        for (let i = 0; i + 1 < pages.length; i++) {
          const rows = pages[i]![what] as unknown[];
          const next = (pages[i + 1]![what] as unknown[])[0];
          const entries = [...rows, next];
          const withNext = enc({ ...pages[i]!, [what]: entries } as MessageOf<'status'>);
          expect(rows.length === MAX_STATUS_ROWS || withNext.length > MAX_DATAGRAM, `${what} page ${i} could hold one more row`).toBe(true);
          expect(trialFit((n) => enc({ ...pages[i]!, [what]: entries.slice(0, n) } as MessageOf<'status'>).length, entries.length, MAX_DATAGRAM, MAX_STATUS_ROWS)).toBe(rows.length);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(10);
    });
  }
});

describe('content parts are maximal at their widest (§4.6)', () => {
  for (const key of [undefined, KEY]) {
    it(`${key ? 'with' : 'without'} a cluster key: each part fits at its widest, the next file would not, as trial encoding at the widest found`, () => {
      const files = Array.from({ length: 700 }, (_, i) => ({
        name: `${String(i).padStart(4, '0')}-${(i % 5 === 0 ? 'é' : 'a').repeat((i * 37) % 100)}${i % 11 === 0 ? '中'.repeat(15) : ''}`,
        size: i * 1_000_003,
        rate: 1_000 + i * 7919,
      }));
      const sf = new ServerFixture({ key, files });
      sf.d.command({ type: 'start' });
      const parts = ofType(sf.fromMaster({ type: 'register-ack', name: '10.0.1.1:5000', epoch: sf.server.epoch, cookie: new Uint8Array(COOKIE_LENGTH).fill(0x5a), interval: 1000 }), 'content');
      expect(parts.length).toBeGreaterThan(20);
      expect(parts.flatMap((p) => p.files.map((e) => e[0]))).toEqual(files.map((e) => e.name).sort());
      // The old probe: the part encoded with its index, count and time stamp at their widest, plus a MAC.
      const widestEncoded = (entries: MessageOf<'content'>['files']) =>
        encodeWithMac({ type: 'content', name: parts[0]!.name, epoch: sf.server.epoch, cookie: new Uint8Array(COOKIE_LENGTH), part: 65_534, parts: 65_535, files: entries, at: 2 ** 52 }, () => new Uint8Array(MAC_LENGTH)).length;
      for (let i = 0; i < parts.length; i++) {
        const p = parts[i]!;
        expect(p.wireSize).toBeLessThanOrEqual(MAX_DATAGRAM);
        expect(widestEncoded(p.files)).toBe(widestLength('content', { name: p.name, epoch: p.epoch, files: p.files }, ['cookie', 'part', 'parts', 'at'], true));
        expect(widestEncoded(p.files)).toBeLessThanOrEqual(MAX_DATAGRAM);
        if (i + 1 < parts.length) {
          const entries = [...p.files, parts[i + 1]!.files[0]!];
          expect(p.files.length === MAX_CONTENT_FILES || widestEncoded(entries) > MAX_DATAGRAM, `part ${i} could hold one more file`).toBe(true);
          // (A part holds one file whatever its size; none here is too large for that.)
          expect(trialFit((n) => widestEncoded(entries.slice(0, n)), entries.length, MAX_DATAGRAM, MAX_CONTENT_FILES)).toBe(p.files.length);
        }
      }
    });
  }
});
