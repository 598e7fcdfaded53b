/** The list of jobs a base server holds (§14.6, `ofp job list`, the dashboard's jobs pane): pages, counts, and answers that never outweigh the request. */
import { describe, expect, it } from 'vitest';
import { ClusterAuth } from '../../src/protocol/auth.js';
import { encode } from '../../src/protocol/codec.js';
import { JOB_LIST_ROWS, MAX_DATAGRAM, REQUEST_PAD_TO } from '../../src/protocol/constants.js';
import { padded } from '../../src/protocol/padding.js';
import { nodeCrypto } from '../../src/platform/crypto.js';
import type { MessageOf } from '../../src/protocol/messages.js';
import { BASE, contentOf, JOB_KEY, jobCluster } from '../../testbed/sim/jobCluster.js';

const auth = new ClusterAuth(JOB_KEY, nodeCrypto);

describe('job-list (§14.6)', () => {
  it(`lists every job, oldest first, in pages of at most ${JOB_LIST_ROWS} that fit a datagram, with each one's targets and bytes`, () => {
    const c = jobCluster({ seed: 41, servers: 3, rate: 20_000_000 });
    const n = JOB_LIST_ROWS + 4;
    const providers = Array.from({ length: n }, (_, i) => c.submit(contentOf(3_000 + i, i), { file: `f${String(i).padStart(2, '0')}-${'x'.repeat(56)}.ts`, addr: `10.0.8.${i + 1}:7000`, targets: [c.servers[i % 3]!.addr], follow: true }).provider);
    c.net.run({ until: c.net.now + 60_000, done: () => providers.every((p) => p.done) });
    expect(providers.map((p) => p.outcome)).toEqual(providers.map(() => 'completed'));
    const rows: MessageOf<'job-list'>['rows'] = [];
    let pages = 0;
    while (pages < 10) {
      const page = c.base.listPage(1, rows.length, c.net.now);
      pages++;
      expect(page.total).toBe(n);
      expect(auth.encode(page, c.net.now).length).toBeLessThanOrEqual(MAX_DATAGRAM);
      expect(page.rows.length).toBeLessThanOrEqual(JOB_LIST_ROWS);
      rows.push(...page.rows);
      if (page.rows.length === 0 || rows.length >= page.total) break;
    }
    // Long names: a first page cut by its size before the row limit, and more pages than the limit alone would make.
    expect(c.base.listPage(1, 0, c.net.now).rows.length).toBeLessThan(JOB_LIST_ROWS);
    expect(pages).toBeGreaterThan(Math.ceil(n / JOB_LIST_ROWS));
    expect(rows.map((r) => r.job)).toEqual(providers.map((p) => p.job));
    expect(rows[5]).toMatchObject({ file: `f05-${'x'.repeat(56)}.ts`, size: 3_005, state: 'completed', done: 1, failed: 0, total: 1, got: 3_005 });
  });

  it('counts a job under way: targets completed, failed and in all, and the bytes they hold', () => {
    const c = jobCluster({ seed: 42, servers: 3, rate: 2_000_000 });
    c.servers[2]!.files.failWrites = true;
    const { provider } = c.submit(contentOf(400_000, 42));
    c.net.run({ until: c.net.now + 60_000, done: () => c.base.listPage(1, 0, c.net.now).rows[0]?.failed === 1 && (c.base.listPage(1, 0, c.net.now).rows[0]?.got ?? 0) > 0 });
    const mid = c.base.listPage(1, 0, c.net.now).rows[0]!;
    expect(mid).toMatchObject({ job: provider.job, state: 'running', failed: 1, total: 3 });
    expect(mid.got).toBeLessThan(2 * 400_000);
    c.net.run({ until: c.net.now + 60_000, done: () => provider.done });
    expect(c.base.listPage(1, 0, c.net.now).rows[0]).toMatchObject({ state: 'failed', done: 2, failed: 1, total: 3, got: 2 * 400_000 });
  });

  it('answers a padded request, holds back the answer to a small one from an unvalidated address, and drops one without the key', () => {
    const c = jobCluster({ seed: 43, servers: 1, rate: 20_000_000 });
    const providers = [0, 1, 2].map((i) => c.submit(contentOf(2_000, i), { file: `${'a-long-name-'.repeat(4)}${i}.ts`, addr: `10.0.8.${i + 1}:7000` }).provider);
    c.net.run({ until: c.net.now + 30_000, done: () => providers.every((p) => p.done) });
    expect(c.base.listPage(1, 0, c.net.now).rows).toHaveLength(3);
    const answers: { to: string; size: number }[] = [];
    c.net.onTrace = (r) => {
      if (r.type === 'job-list') answers.push({ to: r.to, size: r.size });
    };
    const ask = (from: string, rid: number, pad: boolean, key: ClusterAuth | null = auth) => {
      const t = c.net.now;
      const m: MessageOf<'job-list-request'> = { type: 'job-list-request', rid, from: 0 };
      const enc = (x: MessageOf<'job-list-request'>) => (key ? key.encode(x, t) : encode(x));
      const bytes = enc(pad ? padded(m, REQUEST_PAD_TO, enc) : m);
      c.net.inject(BASE, from, bytes);
      c.net.run({ until: c.net.now + 10 });
      return bytes.length;
    };
    const sent = ask('10.0.6.1:9000', 1, true);
    expect(answers).toHaveLength(1);
    expect(answers[0]!.size).toBeLessThanOrEqual(sent);
    const before = c.base.dropped.get('amplification-limit') ?? 0;
    const small = ask('10.0.6.2:9000', 2, false);
    expect(small).toBeLessThan(100);
    expect(answers).toHaveLength(1);
    expect(c.base.dropped.get('amplification-limit')).toBe(before + 1);
    ask('10.0.6.3:9000', 3, true, new ClusterAuth('another cluster key entirely', nodeCrypto));
    ask('10.0.6.4:9000', 4, true, null);
    expect(answers).toHaveLength(1);
    expect(c.base.dropped.get('bad-mac')).toBe(1);
    expect(c.base.dropped.get('missing-mac')).toBe(1);
  });
});
