/**
 * The pieces of a transfer (§14.3): the object's layout, what a node holds and
 * asks for, and how a source paces and holds back what it sends.
 */
import { describe, expect, it } from 'vitest';
import { nodeCrypto } from '../../src/platform/crypto.js';
import { JOB_BLOCK_CHUNKS, JOB_CHUNK, JOB_MAX_RANGES, JOB_MIN_WINDOW, JOB_PULL_INTERVAL, JOB_RESEND_HOLDOFF } from '../../src/protocol/constants.js';
import { Holding } from '../../src/roles/jobs/holding.js';
import { hashList, ObjectLayout } from '../../src/roles/jobs/object.js';
import { Outlet } from '../../src/roles/jobs/outlet.js';
import { contentOf, MemoryJobFiles } from '../../testbed/sim/jobCluster.js';

const BLOCK = JOB_BLOCK_CHUNKS * JOB_CHUNK;

function object(size: number) {
  const content = contentOf(size, size);
  const { list, root } = hashList((o, l) => content.subarray(o, o + l), size, nodeCrypto);
  const layout = new ObjectLayout(size);
  const chunk = (i: number) => {
    const s = layout.span(i);
    return s.inHashList ? list.subarray(s.off, s.off + s.len) : content.subarray(s.off, s.off + s.len);
  };
  return { content, list, root, layout, chunk };
}

describe('the object (§14.3)', () => {
  it('lays the hash list, then the file, out in chunks; a SHA-256 per block of 64 chunks', () => {
    const l = new ObjectLayout(2 * BLOCK + 5);
    expect(l).toMatchObject({ blocks: 3, hashBytes: 96, hashChunks: 1, contentChunks: 2 * JOB_BLOCK_CHUNKS + 1, chunks: 2 * JOB_BLOCK_CHUNKS + 2 });
    expect(l.span(0)).toEqual({ inHashList: true, off: 0, len: 96 });
    expect(l.span(1)).toEqual({ inHashList: false, off: 0, len: JOB_CHUNK });
    expect(l.span(l.chunks - 1)).toEqual({ inHashList: false, off: 2 * BLOCK, len: 5 });
    expect(l.blockChunks(2)).toEqual([1 + 2 * JOB_BLOCK_CHUNKS, 2 + 2 * JOB_BLOCK_CHUNKS]);
    // An empty file: no block, no chunk; its root is the SHA-256 of nothing.
    expect(new ObjectLayout(0)).toMatchObject({ blocks: 0, chunks: 0 });
    const empty = new Holding(0, nodeCrypto.sha256(new Uint8Array(0)), 'k', new MemoryJobFiles(), nodeCrypto);
    expect(empty.complete).toBe(true);
  });
});

describe('what a node holds (§14.3)', () => {
  it('holds chunks verified only: the hash list once it matches the root, a block once it matches its hash; what it writes is the file', () => {
    const o = object(BLOCK + 100);
    const files = new MemoryJobFiles();
    files.create('k', o.content.length);
    const h = new Holding(o.content.length, o.root, 'k', files, nodeCrypto);
    // Content before the hash list: kept, not yet verified, not passed on.
    for (let i = 1; i <= JOB_BLOCK_CHUNKS; i++) expect(h.receive(i, o.chunk(i))).toBe('new');
    expect(h.holds(1)).toBe(false);
    expect(h.receive(0, o.chunk(0))).toBe('new');
    expect(h.holds(0)).toBe(true);
    expect(h.holds(1)).toBe(true);
    expect(h.got).toBe(BLOCK);
    expect(h.receive(1, o.chunk(1))).toBe('duplicate');
    expect(h.receive(o.layout.chunks, new Uint8Array(1))).toBe('out-of-range');
    expect(h.receive(o.layout.chunks - 1, new Uint8Array(99))).toBe('wrong-size');
    expect(h.receive(o.layout.chunks - 1, o.chunk(o.layout.chunks - 1))).toBe('new');
    expect(h.complete).toBe(true);
    expect(Buffer.from(files.temp.get('k')!).equals(Buffer.from(o.content))).toBe(true);
    expect(h.corrupt).toBe(0);
  });

  it('a block that does not match its hash is dropped and asked for again; a hash list that does not match its root, all of it', () => {
    const o = object(BLOCK);
    const files = new MemoryJobFiles();
    files.create('k', o.content.length);
    const h = new Holding(o.content.length, o.root, 'k', files, nodeCrypto);
    const bad = Uint8Array.from(o.chunk(0));
    bad[0]! ^= 1;
    h.receive(0, bad);
    expect(h.corrupt).toBe(1);
    expect(h.wants(64)[0]).toEqual([0, 64]);
    h.receive(0, o.chunk(0));
    for (let i = 1; i <= JOB_BLOCK_CHUNKS; i++) {
      const d = Uint8Array.from(o.chunk(i));
      if (i === 7) d[3]! ^= 0xff;
      h.receive(i, d);
    }
    expect(h.corrupt).toBe(2);
    expect(h.holds(1)).toBe(false);
    expect(h.got).toBe(0);
    // The whole block is asked for again; nothing of it was written.
    expect(h.wants(JOB_MIN_WINDOW * 2)).toEqual([[1, 1 + JOB_BLOCK_CHUNKS]]);
    for (let i = 1; i <= JOB_BLOCK_CHUNKS; i++) h.receive(i, o.chunk(i));
    expect(h.complete).toBe(true);
  });

  it('asks for what it lacks within its window from the first chunk it lacks, in at most JOB_MAX_RANGES ranges', () => {
    const o = object(4 * BLOCK);
    const files = new MemoryJobFiles();
    files.create('k', o.content.length);
    const h = new Holding(o.content.length, o.root, 'k', files, nodeCrypto);
    expect(h.wants(100)).toEqual([[0, 100]]);
    for (let i = 0; i < 100; i += 2) h.receive(i, o.chunk(i));
    const w = h.wants(100);
    expect(w).toHaveLength(JOB_MAX_RANGES);
    expect(w[0]).toEqual([1, 2]);
    expect(Holding.window(1_000)).toBe(JOB_MIN_WINDOW);
    expect(Holding.window(1e12)).toBeGreaterThan(JOB_MIN_WINDOW);
  });
});

describe('a source (§14.3)', () => {
  it('sends what was asked, in order, only what it holds verified, paced at its rate, none again within its holdoff', () => {
    const o = object(2 * BLOCK);
    const whole = Holding.whole(o.content.length, o.root, o.list, 'upload', new MemoryJobFiles(o.content), nodeCrypto)!;
    const out = new Outlet('t', 8_000_000);
    out.pulled([[0, 40]], 0);
    const sent: number[] = [];
    out.pump(whole, 0, (i) => sent.push(i));
    // A 20 ms bucket at 8 Mbit/s: 20 kB, the hash list's chunk (64 bytes and a 40-byte header) and 18 of content.
    expect(sent).toEqual(Array.from({ length: 19 }, (_, i) => i));
    expect(out.nextSend(whole, 0)).toBeGreaterThan(0);
    out.pump(whole, 100, (i) => sent.push(i));
    expect(sent).toEqual(Array.from({ length: 37 }, (_, i) => i));
    // The receiver still lacks them all (in flight): nothing goes again within the holdoff.
    out.pulled([[0, 40]], 150);
    const again: number[] = [];
    out.pump(whole, 150, (i) => again.push(i));
    expect(again).toEqual([37, 38, 39]);
    out.pump(whole, JOB_RESEND_HOLDOFF + 1, (i) => again.push(i));
    expect(again.slice(3, 5)).toEqual([0, 1]);
    expect(out.resent).toBeGreaterThan(0);
  });

  it('holds a chunk back for a long round trip before sending it again: measured from its order to its first pull', () => {
    const out = new Outlet('t', 8_000_000);
    expect(out.holdoff()).toBe(JOB_RESEND_HOLDOFF);
    out.rttSample(1_000);
    expect(out.holdoff()).toBe(1.5 * 1_000 + JOB_PULL_INTERVAL);
  });

  it('passes nothing on that it does not hold verified: a source still receiving sends as its blocks complete', () => {
    const o = object(2 * BLOCK);
    const files = new MemoryJobFiles();
    files.create('k', o.content.length);
    const h = new Holding(o.content.length, o.root, 'k', files, nodeCrypto);
    const out = new Outlet('t', 1e9);
    out.pulled([[0, 10]], 0);
    const sent: number[] = [];
    out.pump(h, 0, (i) => sent.push(i));
    expect(sent).toEqual([]);
    expect(out.nextSend(h, 0)).toBeUndefined();
    h.receive(0, o.chunk(0));
    out.pump(h, 1, (i) => sent.push(i));
    expect(sent).toEqual([0]);
  });
});
