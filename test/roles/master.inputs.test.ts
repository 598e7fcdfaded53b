/**
 * Inputs to the master's decisions (S3.5, §12.5): the static facts a server
 * registers with, the round trip the master measures on its polls, the
 * location a client gives, the round trip to a client that echoes the
 * master's answers, and the `nearest` policy that uses them.
 */
import { describe, expect, it } from 'vitest';
import { ECHO_WAIT, MAX_CLIENT_RTTS, NEAREST_RTT_BAND, SERVER_RTT_WEIGHT } from '../../src/protocol/constants.js';
import { Rng } from '../../src/protocol/rng.js';
import { ClientRtts } from '../../src/roles/master/clientRtts.js';
import { type Candidate, Selector } from '../../src/roles/master/selection.js';
import { file, MasterFixture } from '../helpers/masterFixture.js';
import { ofType } from '../helpers/roleDriver.js';
import type { Message, MessageOf } from '../../src/protocol/messages.js';

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

describe('the round trip to a client that allows it (S3.5, §12.5)', () => {
  /** Ask with `echo`; the answer goes out now, and the client's echo comes back `rtt` ms later. */
  let nextRid = 5_000;
  function askAndEcho(f: MasterFixture, client: string, rtt: number, extra: Partial<MessageOf<'request'>> = {}): Message {
    const rid = nextRid++;
    const answer = f.answer(client, 'B', { rid, echo: true, ...extra });
    f.d.advance(rtt);
    expect(f.d.datagram(client, { type: 'echo', rid }), 'nothing answers an echo').toEqual([]);
    return answer;
  }

  it('times it from the answer to the echo, per source, smoothed as a server\'s; shows it in the session rows', () => {
    const f = new MasterFixture({ config: { pollInterval: INTERVAL } });
    f.addServer({ files: [file('B')] });
    const sid = (askAndEcho(f, '10.0.2.1:6000', 60) as MessageOf<'redirect'>).sid;
    const rtts = () => (f.master.statusRows('sessions', f.d.now) as { sid: number; rtt?: number }[]);
    expect(rtts().find((r) => r.sid === sid)!.rtt).toBe(60);
    // A neighbour (the same /24) is another sample of the same network.
    askAndEcho(f, '10.0.2.77:6000', 20);
    expect(rtts().find((r) => r.sid === sid)!.rtt).toBe(Math.round(60 + (20 - 60) * SERVER_RTT_WEIGHT));
    // A client that does not say `echo` is not timed: its echo is dropped, as is an echo of nothing.
    const plain = f.answer('10.0.3.1:6000', 'B', { rid: 900 }) as MessageOf<'redirect'>;
    f.d.advance(5);
    f.d.datagram('10.0.3.1:6000', { type: 'echo', rid: 900 });
    f.d.datagram('10.0.3.1:6000', { type: 'echo', rid: 901 });
    expect(rtts().find((r) => r.sid === plain.sid)!.rtt).toBeUndefined();
  });

  it('takes no sample from an answer sent twice (Karn), a late echo, or an echo from another address', () => {
    const rtts = new ClientRtts();
    rtts.want('a|1');
    rtts.answered('a|1', 0);
    rtts.resent('a|1');
    expect(rtts.echo('a|1', '10.0.2.1:6000', 30)).toBeUndefined();
    rtts.want('b|2');
    rtts.answered('b|2', 0);
    expect(rtts.echo('b|2', '10.0.2.1:6000', ECHO_WAIT + 1)).toBeUndefined();
    rtts.want('c|3');
    expect(rtts.echo('c|3', '10.0.2.1:6000', 5), 'not answered yet').toBeUndefined();
    expect(rtts.rtt('10.0.2.1:6000')).toBeUndefined();
    expect(rtts.stats).toEqual({ samples: 0, late: 1 });
    // The master looks an echo up by its source address and rid: another address echoes nothing.
    const f = new MasterFixture({ config: { pollInterval: INTERVAL } });
    f.addServer({ files: [file('B')] });
    const sid = (f.answer('10.0.2.1:6000', 'B', { rid: 7, echo: true }) as MessageOf<'redirect'>).sid;
    f.d.advance(10);
    f.d.datagram('10.0.9.9:6000', { type: 'echo', rid: 7 });
    expect((f.master.statusRows('sessions', f.d.now) as { sid: number; rtt?: number }[]).find((r) => r.sid === sid)!.rtt).toBeUndefined();
  });

  it('keeps at most MAX_CLIENT_RTTS sources', () => {
    const rtts = new ClientRtts();
    for (let i = 0; i < MAX_CLIENT_RTTS + 10; i++) {
      const client = `10.${i >> 8 & 255}.${i & 255}.1:6000`;
      rtts.want(`${client}|1`);
      rtts.answered(`${client}|1`, 0);
      expect(rtts.echo(`${client}|1`, client, 5)).toBe(5);
    }
    expect(rtts.size).toBe(MAX_CLIENT_RTTS);
    expect(rtts.rtt('10.0.0.1:6000'), 'the first measured went first').toBeUndefined();
  });

  it('the nearest policy then ranks servers by |rtt(master, server) − rtt(master, client)|: the client\'s own site, not the master\'s', () => {
    const sel = new Selector('nearest', new Rng(1));
    const home = c('home', 90, { rtt: 1 });
    const away = c('away', 10, { rtt: 60 });
    expect(sel.pick([home, away])!.name).toBe('home');
    expect(sel.pick([home, away], undefined, 58)!.name).toBe('away');
    // A location the client gives still comes first.
    expect(sel.pick([c('home', 90, { rtt: 1, loc: 'x' }), away], 'x', 58)!.name).toBe('home');
    const f = new MasterFixture({ config: { policy: 'nearest', pollInterval: INTERVAL } });
    const near = f.addServer({ files: [file('B')] });
    const far = f.addServer({ files: [file('B')] });
    for (let i = 0; i < 10; i++) pollRound(f, { [near.addr]: 1, [far.addr]: 60 });
    // Before its network echoed anything, a client counts as at the master; after, it is served from its own side.
    const first = askAndEcho(f, '10.0.2.1:6000', 61) as MessageOf<'redirect'>;
    expect(first.srv).toBe(near.addr);
    expect(f.redirectedTo('10.0.2.2:6000', 'B')).toBe(far.addr);
    // Another network, never timed, is still served from the master's side.
    expect(f.redirectedTo('10.0.5.1:6000', 'B')).toBe(near.addr);
  });
});
