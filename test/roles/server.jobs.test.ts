/**
 * A media server's `verify` and `delete` commands (§14.8), driven by hand: the test plays the
 * base server (authenticated orders), the master and a client.
 */
import { describe, expect, it } from 'vitest';
import { nodeCrypto } from '../../src/platform/crypto.js';
import type { Crypto } from '../../src/protocol/auth.js';
import { JOB_BLOCK_CHUNKS, JOB_CHUNK, JOB_PROGRESS_INTERVAL, JOB_VERIFY_STEP } from '../../src/protocol/constants.js';
import type { MessageOf } from '../../src/protocol/messages.js';
import { hashList, ObjectLayout } from '../../src/roles/jobs/object.js';
import { contentOf, MemoryJobFiles } from '../../testbed/sim/jobCluster.js';
import { ServerFixture } from '../helpers/serverFixture.js';
import { ofType } from '../helpers/roleDriver.js';

const KEY = 'the cluster key of a distribution job';
const BASE = '10.0.9.1:6000';
const BLOCK = JOB_BLOCK_CHUNKS * JOB_CHUNK;

/** An order of the base server's, for target 0, with an empty plan. */
function order(op: 'copy' | 'delete' | 'verify', file: string, size: number, root: Uint8Array, cmd = 2): MessageOf<'job-order'> {
  return { type: 'job-order', job: 77, cmd, op, file, size, root, base: BASE, idx: 0, tag: new Uint8Array(8).fill(cmd), rate: 8_000_000, plan: [], part: 0, parts: 1 };
}

function notes(f: ServerFixture, cmd = 2) {
  return ofType(f.d.sent, 'job-note').filter((n) => n.to === BASE && n.cmd === cmd);
}

/** A crypto that counts the bytes it hashes. */
function counting(): { crypto: Crypto; hashed: { bytes: number; calls: number } } {
  const hashed = { bytes: 0, calls: 0 };
  return {
    hashed,
    crypto: {
      hmacSha256: (k, d) => nodeCrypto.hmacSha256(k, d),
      sha256: (d) => {
        hashed.bytes += d.length;
        hashed.calls++;
        return nodeCrypto.sha256(d);
      },
    },
  };
}

describe('verify in steps (§14.8)', () => {
  const size = 5 * JOB_VERIFY_STEP + 3 * BLOCK + 777;
  const content = contentOf(size, 81);
  const { root } = hashList((off, len) => content.subarray(off, off + len), size, nodeCrypto);
  const listBytes = new ObjectLayout(size).hashBytes;

  function verifyOf(copy: Uint8Array) {
    const files = new MemoryJobFiles();
    files.media.set('movie.ts', copy);
    const { crypto, hashed } = counting();
    const f = new ServerFixture({ key: KEY, files: [{ name: 'movie.ts', size, rate: 4_000_000 }], jobFiles: files, jobs: { mediaRate: 4_000_000 }, crypto }).register();
    f.d.control(BASE, order('verify', 'movie.ts', size, root), f.auth);
    expect(notes(f)[0]!.st).toBe('received');
    // Each wake-up hashes at most a step; the clock moves on between them, as the server's other work would.
    const perWake: number[] = [];
    for (let i = 0; i < 100 && f.d.eventsOf('job-file-verified').length === 0; i++) {
      const due = f.server.pollTimeout();
      expect(due, 'a verify under way wakes the server').toBeDefined();
      f.d.now = Math.max(f.d.now, due!) + 300;
      hashed.bytes = 0;
      f.d.input({ kind: 'timer' });
      perWake.push(hashed.bytes);
    }
    return { f, perWake };
  }

  it('an intact copy: hashed over several wake-ups, none more than JOB_VERIFY_STEP of it, progress noted as a copy notes it, then completed', () => {
    const { f, perWake } = verifyOf(Uint8Array.from(content));
    expect(perWake.length).toBeGreaterThanOrEqual(Math.ceil(size / JOB_VERIFY_STEP));
    // The last step also hashes the hash list against the root.
    for (const b of perWake.slice(0, -1)) expect(b).toBeLessThanOrEqual(JOB_VERIFY_STEP);
    expect(perWake.at(-1)).toBeLessThanOrEqual(JOB_VERIFY_STEP + listBytes);
    expect(perWake.reduce((a, b) => a + b, 0)).toBe(size + listBytes);
    expect(f.d.eventsOf('job-file-verified')).toMatchObject([{ level: 'info', job: 77, cmd: 2, file: 'movie.ts', bytes: size }]);
    expect(f.d.eventsOf('job-file-verified')[0]).not.toHaveProperty('code');
    const n = notes(f);
    expect(n.map((x) => x.st)).toEqual(['received', ...n.slice(1, -1).map(() => 'progress'), 'completed']);
    const progress = n.filter((x) => x.st === 'progress');
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress.every((x) => x.got > 0 && x.got < size)).toBe(true);
    expect(progress.map((x) => x.at! - n[0]!.at!).every((t) => t >= JOB_PROGRESS_INTERVAL)).toBe(true);
    // Nothing left to do: no more wake-ups for it.
    expect(f.server.jobCommands()).toMatchObject([{ op: 'verify', state: 'completed', got: size }]);
  });

  it('a copy with one byte flipped in its last step: corrupt, found at the end as before, in steps all the same', () => {
    const bad = Uint8Array.from(content);
    bad[size - 100]! ^= 0x01;
    const { f, perWake } = verifyOf(bad);
    expect(perWake.length).toBeGreaterThanOrEqual(Math.ceil(size / JOB_VERIFY_STEP));
    for (const b of perWake) expect(b).toBeLessThanOrEqual(JOB_VERIFY_STEP + listBytes);
    expect(f.d.eventsOf('job-file-verified')).toMatchObject([{ level: 'warn', cmd: 2, file: 'movie.ts', code: 'corrupt' }]);
    expect(notes(f).at(-1)).toMatchObject({ st: 'failed', code: 'corrupt' });
  });

  it('a copy of another size, or none: failed at once, nothing hashed', () => {
    const { f, perWake } = verifyOf(content.subarray(0, size - 1));
    expect(perWake).toEqual([]);
    expect(notes(f).map((n) => [n.st, n.code])).toEqual([['received', undefined], ['failed', 'corrupt']]);
    const files = new MemoryJobFiles();
    const g = new ServerFixture({ key: KEY, jobFiles: files, jobs: { mediaRate: 4_000_000 } }).register();
    g.d.control(BASE, order('verify', 'gone.ts', size, root), g.auth);
    expect(notes(g).map((n) => [n.st, n.code])).toEqual([['received', undefined], ['failed', 'not-found']]);
  });
});

describe('a delete waits for the streams reading the file (§14.8)', () => {
  const size = 120_000;
  const content = contentOf(size, 91);
  const emptyRoot = nodeCrypto.sha256(new Uint8Array(0));

  function streaming() {
    const files = new MemoryJobFiles();
    files.media.set('movie.ts', Uint8Array.from(content));
    files.media.set('other.ts', contentOf(50_000, 92));
    const reader = { read: (file: string, off: number, len: number) => files.media.get(file)!.subarray(off, off + len) };
    const f = new ServerFixture({ key: KEY, files: [{ name: 'movie.ts', size, rate: 2_000_000 }, { name: 'other.ts', size: 50_000, rate: 2_000_000 }], reader, jobFiles: files, jobs: { mediaRate: 2_000_000 } }).register();
    const s = f.play('movie.ts');
    return { f, files, s };
  }

  /** The stream's bytes as the client would put them together, and acknowledge them as they come. */
  function receive(f: ServerFixture, sid: number, got: Uint8Array, have: { next: number }, ms: number): void {
    for (let t = 0; t < ms; t += 20) {
      const mark = f.d.sent.length;
      f.d.advance(20);
      for (const d of ofType(f.d.sent.slice(mark), 'data').filter((x) => x.sid === sid)) got.set(d.data, d.off);
      for (const d of ofType(f.d.sent.slice(mark), 'data').filter((x) => x.sid === sid)) if (d.off <= have.next) have.next = Math.max(have.next, d.off + d.data.length);
      f.ack(sid, have.next);
    }
  }

  it('the stream goes on to its end byte for byte; the file leaves the catalog at once, takes no new viewer, and is removed once the stream ends', () => {
    const { f, files, s } = streaming();
    const got = new Uint8Array(size);
    const have = { next: 0 };
    receive(f, s.sid, got, have, 100);
    expect(have.next).toBeGreaterThan(0);
    expect(have.next).toBeLessThan(size);

    const mark = f.d.sent.length;
    f.d.control(BASE, order('delete', 'movie.ts', 0, emptyRoot), f.auth);
    expect(notes(f).map((n) => n.st)).toEqual(['received']);
    // Out of service at once: its master stops sending viewers here...
    expect(ofType(f.d.sent.slice(mark), 'content')).toMatchObject([{ to: '10.0.0.1:4000', rm: true, files: [['movie.ts', size, 2_000_000]] }]);
    expect(f.d.eventsOf('job-file-withdrawn')).toMatchObject([{ job: 77, cmd: 2, file: 'movie.ts', streams: 1 }]);
    // ...and a viewer that comes all the same is refused; another file is served as ever.
    expect(ofType(f.request('movie.ts', { from: '10.0.2.9:6000' }), 'error')).toMatchObject([{ code: 'not-found' }]);
    expect(ofType(f.request('other.ts', { from: '10.0.2.9:6000' }), 'setup')).toHaveLength(1);
    // But the file is still there for the stream reading it.
    expect(files.media.has('movie.ts')).toBe(true);
    expect(f.server.files.has('movie.ts')).toBe(true);

    receive(f, s.sid, got, have, 1_000);
    expect(f.d.eventsOf('stream-complete')).toMatchObject([{ sid: s.sid, file: 'movie.ts', bytes: size }]);
    expect(Buffer.from(got).equals(Buffer.from(content))).toBe(true);
    // Complete, not yet ended: the delete still waits.
    expect(files.media.has('movie.ts')).toBe(true);
    expect(notes(f).map((n) => n.st)).toEqual(['received']);

    const end = f.d.sent.length;
    f.d.datagram('10.0.2.1:6000', { type: 'teardown', sid: s.sid });
    expect(files.media.has('movie.ts')).toBe(false);
    expect(f.server.files.has('movie.ts')).toBe(false);
    expect(f.d.eventsOf('job-file-removed')).toMatchObject([{ job: 77, cmd: 2, file: 'movie.ts', level: 'info' }]);
    expect(notes(f).map((n) => n.st)).toEqual(['received', 'completed']);
    // The master heard once, as it was withdrawn: no second removal.
    expect(ofType(f.d.sent.slice(end), 'content')).toEqual([]);
    expect(f.server.files.has('other.ts')).toBe(true);
  });

  it('a file no stream reads goes at once; one it cannot remove goes back into service, its master told', () => {
    const { f, files, s } = streaming();
    files.failWrites = true;
    const mark = f.d.sent.length;
    f.d.control(BASE, order('delete', 'movie.ts', 0, emptyRoot), f.auth);
    f.d.datagram('10.0.2.1:6000', { type: 'teardown', sid: s.sid });
    expect(notes(f).map((n) => [n.st, n.code])).toEqual([['received', undefined], ['failed', 'write-error']]);
    expect(ofType(f.d.sent.slice(mark), 'content').map((c) => [c.files[0]![0], c.rm ?? false])).toEqual([['movie.ts', true], ['movie.ts', false]]);
    expect(ofType(f.request('movie.ts', { from: '10.0.2.9:6000' }), 'setup')).toHaveLength(1);

    files.failWrites = false;
    const g = streaming().f;
    g.d.control(BASE, order('delete', 'other.ts', 0, emptyRoot, 3), g.auth);
    expect(notes(g, 3).map((n) => n.st)).toEqual(['received', 'completed']);
    expect(g.d.eventsOf('job-file-withdrawn')).toEqual([]);
  });
});
