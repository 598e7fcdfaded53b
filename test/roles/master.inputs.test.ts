/**
 * Inputs to the master's decisions (S3.5, §12.5): the static facts a server
 * registers with, the round trip the master measures on its polls, the
 * location a client gives, and the `nearest` policy that uses them.
 */
import { describe, expect, it } from 'vitest';
import { NEAREST_RTT_BAND, SERVER_RTT_WEIGHT } from '../../src/protocol/constants.js';
import { Rng } from '../../src/protocol/rng.js';
import { type Candidate, Selector } from '../../src/roles/master/selection.js';
import { file, MasterFixture } from '../helpers/masterFixture.js';
import { ofType } from '../helpers/roleDriver.js';

const INTERVAL = 500;
const c = (name: string, available: number, o: Partial<Candidate> = {}): Candidate => ({ name, available, streams: 0, ...o });

/** The master's status rows of its servers, as `ofp master status` gets them. */
function rows(f: MasterFixture): { name: string; loc?: string; rtt?: number }[] {
  return f.master.statusRows('servers', f.d.now) as { name: string; loc?: string; rtt?: number }[];
}

/** One poll round: the clock goes on a millisecond at a time to the next polls, and each server answers its own `delays[addr]` ms after it went. */
function pollRound(f: MasterFixture, delays: Record<string, number>): void {
  const before = f.d.sent.length;
  const polls = () => f.d.sent.slice(before).filter((x) => x.msg?.type === 'poll');
  for (let i = 0; i <= INTERVAL && polls().length === 0; i++) f.d.advance(1);
  expect(polls().length, 'polls within a poll interval').toBeGreaterThan(0);
  const byDelay = [...polls()].sort((a, b) => delays[a.to]! - delays[b.to]!);
  for (const p of byDelay) {
    f.d.advanceTo(p.at + delays[p.to]!);
    f.servers.find((s) => s.addr === p.to)!.load({ seq: (p.msg as { seq: number }).seq });
  }
}

describe('the nearest policy (S3.5, §12.5)', () => {
  it('a server in the client\'s location first, then the shortest round trip by bands, then the most available bandwidth', () => {
    const sel = new Selector('nearest', new Rng(1));
    const par = c('par', 10, { loc: 'par-1', rtt: 40 });
    const lon = c('lon', 90, { loc: 'lon-1', rtt: 1 });
    expect(sel.pick([par, lon], 'par-1')!.name).toBe('par');
    expect(sel.pick([par, lon], 'lon-1')!.name).toBe('lon');
    // No location given, or none there: the shortest round trip.
    expect(sel.pick([par, lon])!.name).toBe('lon');
    expect(sel.pick([par, lon], 'nyc-1')!.name).toBe('lon');
    // Round trips within one band are equally near: the most available bandwidth wins, so jitter herds nothing.
    const a = c('a', 10, { rtt: 1 });
    const b = c('b', 50, { rtt: NEAREST_RTT_BAND - 1 });
    expect(sel.pick([a, b])!.name).toBe('b');
    expect(sel.pick([a, c('far', 90, { rtt: NEAREST_RTT_BAND })])!.name).toBe('a');
    // A server whose round trip is unknown comes after every known one.
    expect(sel.pick([c('unknown', 99), c('known', 1, { rtt: 900 })])!.name).toBe('known');
  });

  it('a master with the nearest policy sends a client that gives its location to a server there, and one that gives none to the nearest', () => {
    const f = new MasterFixture({ config: { policy: 'nearest', pollInterval: INTERVAL } });
    const par = f.addServer({ files: [file('B')], facts: { loc: 'par-1', lat: 30 } });
    const lon = f.addServer({ files: [file('B')], facts: { loc: 'lon-1', lat: 2 } });
    expect(f.redirectedTo('10.0.2.1:6000', 'B', { loc: 'par-1' })).toBe(par.addr);
    expect(f.redirectedTo('10.0.2.2:6000', 'B', { loc: 'lon-1' })).toBe(lon.addr);
    // Nothing measured yet: the latency each registered with stands for its round trip.
    expect(f.redirectedTo('10.0.2.3:6000', 'B')).toBe(lon.addr);
    // Then the round trips measured on the polls: par answers at once, lon late.
    for (let i = 0; i < 20; i++) pollRound(f, { [par.addr]: 1, [lon.addr]: 60 });
    expect(f.redirectedTo('10.0.2.4:6000', 'B')).toBe(par.addr);
    // The location still comes first.
    expect(f.redirectedTo('10.0.2.5:6000', 'B', { loc: 'lon-1' })).toBe(lon.addr);
  });
});

describe('the client\'s location through a portal (§12.3, §12.5)', () => {
  it('a request a portal passes on keeps its loc: the master sends the client to a server there', () => {
    const f = new MasterFixture({ config: { policy: 'nearest', pollInterval: INTERVAL }, key: 'a cluster key of at least sixteen bytes' });
    f.addServer({ files: [file('B')], facts: { loc: 'par-1', lat: 1 } });
    const lon = f.addServer({ files: [file('B')], facts: { loc: 'lon-1', lat: 30 } });
    const client = '10.0.2.9:6000';
    const out = f.d.control('10.0.0.9:3000', { type: 'pass', client, size: 1200, rid: 5, file: 'B', loc: 'lon-1' }, f.auth);
    const redirects = ofType(out.filter((x) => x.to === client), 'redirect');
    expect(redirects.map((r) => r.srv)).toEqual([lon.addr]);
  });
});

describe('what a master knows of its servers (S3.5, §12.5)', () => {
  it('keeps the facts a server registers with, and shows its location in the status rows', () => {
    const f = new MasterFixture({ config: { pollInterval: INTERVAL } });
    const s = f.addServer({ files: [file('B')], facts: { loc: 'par-1', cpus: 16, mem: 65_536, lat: 5 } });
    const plain = f.addServer({ files: [file('B')] });
    expect(rows(f).find((r) => r.name === s.addr)).toMatchObject({ loc: 'par-1' });
    expect(rows(f).find((r) => r.name === plain.addr)!.loc).toBeUndefined();
    // No poll answered yet: no round trip to show.
    expect(rows(f).every((r) => r.rtt === undefined)).toBe(true);
  });

  it('measures the round trip on each answered poll, smoothed as TCP does (RFC 6298), and ignores pushed reports and stale answers', () => {
    const f = new MasterFixture({ config: { pollInterval: INTERVAL } });
    const s = f.addServer({ files: [file('B')] });
    const rtt = () => rows(f).find((r) => r.name === s.addr)!.rtt;
    pollRound(f, { [s.addr]: 40 });
    expect(rtt()).toBe(40);
    pollRound(f, { [s.addr]: 8 });
    expect(rtt()).toBe(Math.round(40 + (8 - 40) * SERVER_RTT_WEIGHT));
    const before = rtt();
    // A pushed report (seq 0) and an answer to an earlier poll are no samples.
    const polls = ofType(f.d.advance(INTERVAL), 'poll');
    const sentAt = f.d.sent.filter((x) => x.msg?.type === 'poll').at(-1)!.at;
    f.d.advanceTo(sentAt + 300);
    s.load({ seq: 0 });
    s.load({ seq: polls[0]!.seq - 1 });
    expect(rtt()).toBe(before);
    // A second answer to the same poll is not a second sample either.
    s.load({ seq: polls[0]!.seq });
    const after = rtt();
    expect(after).toBe(Math.round(before! + (300 - before!) * SERVER_RTT_WEIGHT));
    s.load({ seq: polls[0]!.seq });
    expect(rtt()).toBe(after);
  });
});
