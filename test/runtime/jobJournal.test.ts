/**
 * A base server's journal on disk (§14.10): each job's record written whole
 * (a temporary file renamed over the old one), read back at start; a write a
 * crash cut short leaves the record before it; a file that is no record is
 * skipped with a warning, and the store's files of the jobs taken back are not
 * swept.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiskJobJournal } from '../../src/runtime/jobJournal.js';
import { type BaseRunEvent, startBase } from '../../src/runtime/base.js';
import { parseJobRecord, toHex, type JobRecord } from '../../src/roles/base/record.js';
import { hashList } from '../../src/roles/jobs/object.js';
import { nodeCrypto } from '../../src/platform/crypto.js';
import { contentOf } from '../../testbed/sim/jobCluster.js';

const KEY = 'the cluster key of a journal test';

function completedJob(id: number, content: Uint8Array): JobRecord {
  const { root } = hashList((off, len) => content.subarray(off, off + len), content.length, nodeCrypto);
  const at = Date.now() - 60_000;
  return {
    v: 1, id, provider: '127.0.0.1:7001', created: at, state: 'completed', endedAt: at + 2_000,
    targets: ['127.0.0.1:5001', '127.0.0.1:5002'],
    commands: [{
      op: 'copy', file: 'title.ts', size: content.length, root: toHex(root), rate: 8_000_000, created: at, state: 'completed', endedAt: at + 2_000,
      from: '127.0.0.1:7001', rid: 42, tag: '0102030405060708',
      t: [['completed', content.length, null, null, 0, 0, '127.0.0.1:7900'], ['completed', content.length, null, null, 0, 0, '127.0.0.1:5001']],
    }],
  };
}

describe('the journal of a base server on disk (§14.10)', () => {
  it('writes each record whole, in place of the one before, and reads it back; a forgotten job\'s record goes', () => {
    const store = mkdtempSync(join(tmpdir(), 'ofp-journal-'));
    const j = new DiskJobJournal(store);
    const rec = completedJob(7, contentOf(1_000, 1));
    j.keep({ kind: 'job', job: 7, record: { ...rec, state: 'running' } });
    j.keep({ kind: 'job', job: 7, record: rec });
    expect(readdirSync(join(store, 'jobs'))).toEqual(['7.json']);
    const { records } = new DiskJobJournal(store).load();
    expect(records.map((r) => r.from)).toEqual([join(store, 'jobs', '7.json')]);
    const back = parseJobRecord(records[0]!.text);
    expect(back).toEqual({ ok: true, record: rec });
    j.keep({ kind: 'forget', job: 7 });
    expect(readdirSync(join(store, 'jobs'))).toEqual([]);
  });

  it('a write a crash cut short (its temporary file) is removed at start, the record before it kept whole', () => {
    const store = mkdtempSync(join(tmpdir(), 'ofp-journal-'));
    const j = new DiskJobJournal(store);
    const rec = completedJob(8, contentOf(1_000, 2));
    j.keep({ kind: 'job', job: 8, record: rec });
    writeFileSync(join(store, 'jobs', '8.json.tmp'), '{"v":1,"id":8,"prov');
    const { records, removed } = new DiskJobJournal(store).load();
    expect(removed).toEqual(['8.json.tmp']);
    expect(records).toHaveLength(1);
    expect(parseJobRecord(records[0]!.text)).toEqual({ ok: true, record: rec });
    expect(readdirSync(join(store, 'jobs'))).toEqual(['8.json']);
  });

  it('ofp base on a store: takes back a job from its record with its file, skips a corrupt record with a warning, sweeps only leftovers', async () => {
    const store = mkdtempSync(join(tmpdir(), 'ofp-journal-'));
    const content = contentOf(150_000, 3);
    new DiskJobJournal(store).keep({ kind: 'job', job: 11, record: completedJob(11, content) });
    writeFileSync(join(store, '.ofp-job-job-11.part'), content);
    writeFileSync(join(store, '.ofp-job-job-12.part'), 'a dead upload of no job');
    writeFileSync(join(store, 'jobs', '13.json'), '{"v":1,"id":13,"provider":"127.0.0.1:7001","crea');
    const events: BaseRunEvent[] = [];
    const base = await startBase({ host: '127.0.0.1', port: 0, store, key: KEY }, (e) => events.push(e));
    try {
      expect(base.restored).toBe(1);
      expect(base.swept).toEqual(['.ofp-job-job-12.part']);
      expect(existsSync(join(store, '.ofp-job-job-11.part'))).toBe(true);
      await new Promise((r) => setTimeout(r, 50));
      expect(events.filter((e) => e.type === 'job-restored')).toEqual([expect.objectContaining({ job: 11, state: 'completed', pulled: [] })]);
      const skipped = events.filter((e) => e.type === 'job-record-skipped');
      expect(skipped).toEqual([expect.objectContaining({ level: 'warn', from: join(store, 'jobs', '13.json') })]);
      const page = base.running.role.statusPage(1, 11, 0, Date.now());
      expect(page).toMatchObject({ found: true, state: 'completed', got: content.length, counts: [0, 0, 0, 2, 0] });
      expect(page.rows.map((r) => [r.srv, r.st, r.src])).toEqual([['127.0.0.1:5001', 'completed', '127.0.0.1:7900'], ['127.0.0.1:5002', 'completed', '127.0.0.1:5001']]);
    } finally {
      await base.close();
    }
    // At the stop, every job's record is written as it is: still whole.
    expect(parseJobRecord(readFileSync(join(store, 'jobs', '11.json'), 'utf8')).ok).toBe(true);
  });
});
