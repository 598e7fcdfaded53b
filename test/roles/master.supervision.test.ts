/**
 * A master's side of shared supervision (§12.2), as a sub-machine: it reads
 * who supervises each server from the server's reports, says when this master
 * gains or loses one, claims a server whose supervisor is gone when it comes
 * first among the live members (the next in line a little later), hands a
 * server over to a live member that comes before it unless it is pinned, and
 * ranks by rendezvous hashing, which moves only the servers a member comes
 * first for when that member goes.
 */
import { describe, expect, it } from 'vitest';
import { SUPERVISE_RETRY } from '../../src/protocol/constants.js';
import { rank, Supervision } from '../../src/roles/master/supervision.js';

const A = '10.0.0.1:4000';
const B = '10.0.0.2:4000';
const C = '10.0.0.3:4000';
const SERVERS = Array.from({ length: 300 }, (_, i) => `10.0.${1 + (i >> 8)}.${i & 255}:5000`);

/** A server for which the rendezvous order of [A, B, C] is `order`. */
function serverRanked(order: string[]): string {
  const s = SERVERS.find((x) => rank(x, [A, B, C]).join() === order.join());
  if (!s) throw new Error(`no server ranked ${order.join(' ')}`);
  return s;
}

describe('rendezvous order (§12.2)', () => {
  it('is the same whatever order the members come in, and spreads servers evenly', () => {
    const first = new Map<string, number>();
    for (const s of SERVERS) {
      expect(rank(s, [C, A, B])).toEqual(rank(s, [A, B, C]));
      const top = rank(s, [A, B, C])[0]!;
      first.set(top, (first.get(top) ?? 0) + 1);
    }
    // 300 servers over 3 members: each comes first for about 100 (binomial, 4 standard deviations).
    for (const m of [A, B, C]) expect(Math.abs((first.get(m) ?? 0) - 100)).toBeLessThan(33);
  });

  it('moves only the servers a departed member came first for, each to the member next in its order', () => {
    for (const s of SERVERS) {
      const all = rank(s, [A, B, C]);
      const without = rank(s, [A, C]);
      expect(without[0]).toBe(all[0] === B ? all[1] : all[0]);
    }
  });
});

describe('a master\'s supervision sub-machine (§12.2)', () => {
  it('reads the supervisor from the reports, and says when this master gains or loses a server', () => {
    const sup = new Supervision(A);
    const s = SERVERS[0]!;
    // A server with one master says nothing: this master supervises it.
    expect(sup.report(s, {})).toBeUndefined();
    expect(sup.supervises(s)).toBe(true);
    expect(sup.report(s, { sup: B, sep: 1 })).toEqual({ kind: 'lost', server: s, to: B, epoch: 1, pinned: false });
    expect(sup.supervises(s)).toBe(false);
    expect(sup.report(s, { sup: B, sep: 1 })).toBeUndefined();
    expect(sup.report(s, { sup: A, sep: 2, pin: true })).toEqual({ kind: 'gained', server: s, from: B, epoch: 2, pinned: true });
    expect(sup.view(s, [B, C], 1)).toEqual({ supervisor: A, epoch: 2, pinned: true, backups: [rank(s, [A, B, C]).find((m) => m !== A)] });
  });

  it('claims a server whose supervisor died when it comes first among the live; the one after it waits its turn', () => {
    const s = serverRanked([B, A, C]);
    const a = new Supervision(A);
    const c = new Supervision(C);
    for (const m of [a, c]) m.report(s, { sup: B, sep: 3 });
    // B alive: nobody claims.
    expect(a.handleTimeout(0, [B, C])).toEqual([]);
    // B dead: A comes first among A and C, and claims at once; C (second) waits 4 rounds.
    expect(a.handleTimeout(SUPERVISE_RETRY, [C])).toEqual([{ server: s, ep: 4, to: A }]);
    expect(c.handleTimeout(SUPERVISE_RETRY, [A])).toEqual([]);
    expect(c.handleTimeout(SUPERVISE_RETRY * 4, [A])).toEqual([]);
    expect(c.handleTimeout(SUPERVISE_RETRY * 5, [A])).toEqual([{ server: s, ep: 4, to: C }]);
    // A claim not yet reflected in a report is sent again only after SUPERVISE_RETRY.
    expect(a.handleTimeout(SUPERVISE_RETRY + 100, [C])).toEqual([]);
    expect(a.handleTimeout(SUPERVISE_RETRY * 2, [C])).toEqual([{ server: s, ep: 4, to: A }]);
    // Taken: the report says so, and nothing more is sent.
    expect(a.report(s, { sup: A, sep: 4 })).toMatchObject({ kind: 'gained', from: B });
    expect(a.handleTimeout(SUPERVISE_RETRY * 10, [C])).toEqual([]);
  });

  it('hands a server over to a live member that comes first, a bounded number of times, and never a pinned one', () => {
    const s = serverRanked([B, A, C]);
    const a = new Supervision(A);
    a.report(s, { sup: A, sep: 7 });
    // B is away: A keeps it.
    expect(a.handleTimeout(0, [C])).toEqual([]);
    // B is back: A hands it over.
    expect(a.handleTimeout(SUPERVISE_RETRY, [B, C])).toEqual([{ server: s, ep: 8, to: B }]);
    expect(a.handleTimeout(SUPERVISE_RETRY * 2, [B, C])).toEqual([{ server: s, ep: 8, to: B }]);
    expect(a.handleTimeout(SUPERVISE_RETRY * 3, [B, C])).toEqual([{ server: s, ep: 8, to: B }]);
    // The server never took it (it may not know B): A stops until the members change.
    expect(a.handleTimeout(SUPERVISE_RETRY * 4, [B, C])).toEqual([]);
    a.membersChanged();
    expect(a.handleTimeout(SUPERVISE_RETRY * 5, [B, C])).toHaveLength(1);
    // Pinned here by an operator: it stays.
    a.report(s, { sup: A, sep: 9, pin: true });
    expect(a.handleTimeout(SUPERVISE_RETRY * 20, [B, C])).toEqual([]);
  });

  it('never claims a server with one master, and forgets a server that left', () => {
    const a = new Supervision(A);
    const s = serverRanked([A, B, C]);
    a.report(s, {});
    expect(a.handleTimeout(0, [])).toEqual([]);
    a.forget(s);
    expect(a.size).toBe(0);
    expect(a.nextTimeout()).toBeUndefined();
  });
});
