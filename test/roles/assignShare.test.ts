/** The keys of assignment deltas and their anti-entropy (S3.3, §12.4), the pure part of a master. */
import { describe, expect, it } from 'vitest';
import { ASSIGN_DIGEST_INTERVAL, MAX_DIGEST_ENTRIES, MAX_DIGEST_SIDS, MAX_PULL_SIDS } from '../../src/protocol/constants.js';
import { AssignShare } from '../../src/roles/master/assignShare.js';

const A = '10.0.1.1:5000';
const B = '10.0.1.2:5000';
const M1 = '10.0.0.1:4000';
const all = () => true;
const none = () => false;

describe('assignment deltas and digests (§12.4)', () => {
  it('counts each server\'s assignments from 1, afresh for a new incarnation of the server', () => {
    const s = new AssignShare();
    expect([s.stamp(A, 7), s.stamp(A, 7), s.stamp(B, 3), s.stamp(A, 7)]).toEqual([{ inc: 7, seq: 1 }, { inc: 7, seq: 2 }, { inc: 3, seq: 1 }, { inc: 7, seq: 3 }]);
    expect(s.stamp(A, 8)).toEqual({ inc: 8, seq: 1 });
  });

  it('a member up to date with an origin pulls nothing; one that missed a delta pulls the ids it lacks, on servers it knows', () => {
    const s = new AssignShare();
    s.delta(M1, A, 7, 1);
    s.delta(M1, A, 7, 2);
    // Up to date at seq 2: the digest is not even looked into.
    expect(s.onDigest(M1, [{ srv: A, inc: 7, seq: 2, sids: [11, 12] }], none, all)).toEqual([]);
    // seq 3 was lost, 4 came: the mark stays at 2, and the digest's ids it does not hold are pulled.
    s.delta(M1, A, 7, 4);
    const holds = (sid: number) => sid !== 13;
    expect(s.onDigest(M1, [{ srv: A, inc: 7, seq: 4, sids: [11, 12, 13, 14] }], holds, all)).toEqual([13]);
    // A server it does not know: nothing to pull (it could not take the assignment).
    expect(s.onDigest(M1, [{ srv: B, inc: 1, seq: 5, sids: [21] }], none, (srv) => srv !== B)).toEqual([]);
    // Once it holds every id listed, its mark is the digest's seq: the next digest is skipped.
    expect(s.onDigest(M1, [{ srv: A, inc: 7, seq: 4, sids: [11, 12, 13, 14] }], all, all)).toEqual([]);
    expect(s.onDigest(M1, [{ srv: A, inc: 7, seq: 4, sids: [99] }], none, all)).toEqual([]);
    // A new incarnation of the server starts over.
    expect(s.onDigest(M1, [{ srv: A, inc: 8, seq: 1, sids: [31] }], none, all)).toEqual([31]);
  });

  it('pulls at most MAX_PULL_SIDS ids from one digest', () => {
    const s = new AssignShare();
    const ents = Array.from({ length: MAX_DIGEST_ENTRIES }, (_, i) => ({ srv: `10.0.1.${i + 1}:5000`, inc: 1, seq: MAX_DIGEST_SIDS, sids: Array.from({ length: MAX_DIGEST_SIDS }, (_, j) => i * 100 + j + 1) }));
    expect(s.onDigest(M1, ents, none, all)).toHaveLength(Math.min(MAX_PULL_SIDS, MAX_DIGEST_ENTRIES * MAX_DIGEST_SIDS));
  });

  it('a digest every ASSIGN_DIGEST_INTERVAL: its servers in turn, at most MAX_DIGEST_ENTRIES, each with its newest MAX_DIGEST_SIDS ids', () => {
    const s = new AssignShare();
    expect(s.nextTimeout()).toBeUndefined();
    s.start(1_000);
    expect(s.nextTimeout()).toBe(1_000 + ASSIGN_DIGEST_INTERVAL);
    expect(s.digest(2_000, () => [])).toBeUndefined();
    const servers = Array.from({ length: MAX_DIGEST_ENTRIES + 2 }, (_, i) => `10.0.1.${i + 1}:5000`);
    for (const srv of servers) s.stamp(srv, 1);
    const held = () => Array.from({ length: MAX_DIGEST_SIDS + 4 }, (_, j) => j + 1);
    const first = s.digest(3_000, held)!;
    expect(first.map((e) => e.srv)).toEqual(servers.slice(0, MAX_DIGEST_ENTRIES));
    expect(first[0]!.sids).toEqual(held().slice(-MAX_DIGEST_SIDS));
    expect(s.nextTimeout()).toBe(3_000 + ASSIGN_DIGEST_INTERVAL);
    // The next one starts where this one stopped.
    expect(s.digest(4_000, held)!.map((e) => e.srv)[0]).toBe(servers[MAX_DIGEST_ENTRIES]);
  });

  it('forgets a server that left, and what it heard from a member that died', () => {
    const s = new AssignShare();
    s.stamp(A, 1);
    s.delta(M1, A, 1, 1);
    s.delta(M1, B, 1, 1);
    expect(s.sizes()).toEqual({ own: 1, heard: 2 });
    s.forgetServer(A);
    expect(s.sizes()).toEqual({ own: 0, heard: 1 });
    s.forgetMember(M1);
    expect(s.sizes()).toEqual({ own: 0, heard: 0 });
  });
});
