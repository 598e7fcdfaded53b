import { describe, expect, it } from 'vitest';
import { encode } from '../../src/protocol/codec.js';
import { MAX_DATAGRAM } from '../../src/protocol/constants.js';
import type { MessageOf } from '../../src/protocol/messages.js';
import { padded } from '../../src/protocol/padding.js';
import { file, MasterFixture } from '../helpers/masterFixture.js';
import { KEY } from '../helpers/roleDriver.js';

const OPERATOR = '10.0.3.1:7000';
type What = MessageOf<'status-request'>['what'];

/** A master with 40 servers (long IPv6 names), 120 files with long names, and 150 sessions. */
function busy(key?: string) {
  const f = new MasterFixture({ key, config: { policy: 'round-robin' } });
  const files = Array.from({ length: 120 }, (_, i) => file(`library/season-${i}/a-rather-long-episode-title-number-${i}.ts`));
  for (let i = 0; i < 40; i++) {
    f.addServer({ addr: `[2001:db8:aaaa:bbbb:cccc:dddd:eeee:${(i + 1).toString(16)}]:50000`, files: files.filter((_, j) => (j + i) % 3 !== 0), cap: 10_000_000_000, group: `rack-${i % 7}`, partSize: 10 });
  }
  for (let i = 0; i < 150; i++) f.answer(`[2001:db8:ffff::${(i + 1).toString(16)}]:60000`, files[i % files.length]![0]);
  return f;
}

function statusRequest(f: MasterFixture, rid: number, what: What, from: number): Uint8Array {
  const msg: MessageOf<'status-request'> = { type: 'status-request', rid, what, from };
  const auth = f.auth;
  return encodeRequest(msg, auth ? (m) => auth.encode(m, f.d.now) : encode);
}

function encodeRequest(m: MessageOf<'status-request'>, enc: (m: MessageOf<'status-request'>) => Uint8Array): Uint8Array {
  return enc(padded(m, undefined, enc));
}

function pages(f: MasterFixture, what: Exclude<What, 'summary'>) {
  const rows: unknown[] = [];
  let total = -1;
  for (let i = 0; i < 300; i++) {
    const out = f.d.datagram(OPERATOR, statusRequest(f, i + 1, what, rows.length));
    expect(out, `page ${i} of ${what}`).toHaveLength(1);
    expect(out[0]!.bytes.length).toBeLessThanOrEqual(MAX_DATAGRAM);
    expect(out[0]!.mac).toBe(f.auth !== undefined);
    const m = out[0]!.msg as MessageOf<'status'>;
    expect(m).toMatchObject({ type: 'status', rid: i + 1, what, from: rows.length });
    total = m.total;
    const page = m[what] ?? [];
    expect(page.length, `page ${i} of ${what} makes progress`).toBeGreaterThan(0);
    rows.push(...page);
    if (rows.length >= total) break;
  }
  return { rows, total };
}

describe('master: status pages', () => {
  for (const key of [undefined, KEY]) {
    const label = key ? 'with a cluster key' : 'without a key';

    it(`${label}: every page of every table fits in MAX_DATAGRAM, and the pages cover every row once`, () => {
      const f = busy(key);
      const servers = pages(f, 'servers');
      expect(servers.total).toBe(40);
      expect(new Set((servers.rows as { name: string }[]).map((r) => r.name)).size).toBe(40);
      const files = pages(f, 'files');
      expect(files.total).toBe(120);
      expect((files.rows as { file: string }[]).map((r) => r.file)).toEqual(f.master.catalog.entries().map(([n]) => n));
      const sessions = pages(f, 'sessions');
      expect(sessions.total).toBe(150);
      expect(new Set((sessions.rows as { sid: number }[]).map((r) => r.sid)).size).toBe(150);
    });

    it(`${label}: the summary`, () => {
      const f = busy(key);
      const out = f.d.datagram(OPERATOR, statusRequest(f, 1, 'summary', 0));
      expect(out).toHaveLength(1);
      expect(out[0]!.bytes.length).toBeLessThanOrEqual(MAX_DATAGRAM);
      expect(out[0]!.msg).toMatchObject({ type: 'status', what: 'summary', total: 1, summary: { servers: 40, up: 40, files: 120, sessions: 150, requests: 150, policy: 'round-robin', mode: 'redirect' } });
    });
  }

  it('a file row at its worst (255-byte name, 16 holders with the longest IPv6 names) still fits a page', () => {
    const f = new MasterFixture({ key: KEY });
    const name = 'n'.repeat(255);
    for (let i = 0; i < 20; i++) f.addServer({ addr: `[ffff:ffff:ffff:ffff:ffff:ffff:ffff:${(0xff00 + i).toString(16)}]:65535`, files: [file(name)] });
    const files = pages(f, 'files');
    expect(files.total).toBe(1);
    expect((files.rows[0] as { servers: string[] }).servers).toHaveLength(16);
  });

  it('a page starting past the end is empty', () => {
    const f = busy();
    const m = f.d.datagram(OPERATOR, statusRequest(f, 1, 'servers', 1000))[0]!.msg as MessageOf<'status'>;
    expect(m).toMatchObject({ total: 40, from: 40, servers: [] });
  });
});
