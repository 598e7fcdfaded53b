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
