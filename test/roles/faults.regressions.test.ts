/**
 * Regression tests of what the fault tests with real processes found
 * (test/e2e/faults.test.ts), each named after what broke.
 */
import { describe, expect, it } from 'vitest';
import { DATA_CHUNK } from '../../src/protocol/constants.js';
import { Master, type MasterCommand } from '../../src/roles/master/master.js';
import { ClientFixture, M1, SRV1, SRV2 } from '../helpers/clientFixture.js';
import { Driver, ofType, type Sent, testDeps } from '../helpers/roleDriver.js';
import { CLIENT, MASTER, NAME, ServerFixture } from '../helpers/serverFixture.js';

/** Carry datagrams between a server core and a master core until neither has more for the other (bounded). */
function pump(server: ServerFixture, master: Driver<MasterCommand, Master>, first: readonly Sent[]): void {
  const queue = [...first];
  for (let i = 0; queue.length > 0; i++) {
    if (i > 10_000) throw new Error('the server and the master keep talking');
    const s = queue.shift()!;
    if (s.to === MASTER) {
      master.now = Math.max(master.now, server.d.now);
      queue.push(...master.datagram(NAME, s.bytes));
    } else if (s.to === NAME) {
      server.d.now = Math.max(server.d.now, master.now);
      queue.push(...server.d.datagram(MASTER, s.bytes));
    }
  }
}

/** A server registered with `master` (through the pump), and one stream playing there, at 2x. */
function playingAt(master: Driver<MasterCommand, Master>) {
  const f = new ServerFixture();
  pump(f, master, f.d.command({ type: 'start' }));
  expect(f.server.state).toBe('registered');
  const setup = f.play('movie.ts');
  pump(f, master, f.d.sent.filter((s) => s.msg?.type === 'track'));
  pump(f, master, f.d.datagram(CLIENT, { type: 'adjust', sid: setup.sid, n: 1, scale: 2000 }));
  return { f, sid: setup.sid };
}

describe('fault regressions', () => {
  it('a master restarted mid-stream never learned the streams already playing: the server tells it their play and adjust events again', () => {
    const first = new Driver<MasterCommand, Master>(new Master(testDeps(1), {}));
    first.command({ type: 'start' });
    const { f, sid } = playingAt(first);
    const followed = first.role.assignmentView(sid)!;
    expect(followed).toMatchObject({ server: NAME, client: CLIENT, file: 'movie.ts' });
    expect(followed.npt?.scale).toBe(2000);

    // The master dies; a new one on the same address knows nothing.
    const again = new Driver<MasterCommand, Master>(new Master(testDeps(9), {}), f.d.now);
    again.command({ type: 'start' });
    const before = f.d.sent.length;
    // Polls stop coming: the server pushes a load report, is told `not-registered`, and registers again.
    pump(f, again, f.d.advanceTo(f.d.now + 1_600).filter((s) => s.to === MASTER));
    expect(f.d.sent.slice(before).some((s) => s.msg?.type === 'register')).toBe(true);
    expect(f.server.state).toBe('registered');
    expect(again.role.serverView(NAME)?.state).toBe('up');

    // …and tells it the stream's events again, with their own numbers and times.
    const retold = ofType(f.d.sent.slice(before), 'track').filter((t) => t.sid === sid);
    expect(retold.map((t) => [t.n, t.ev])).toEqual([[1, 'play'], [2, 'adjust']]);
    const a = again.role.assignmentView(sid);
    expect(a, 'the restarted master follows the stream').toMatchObject({ server: NAME, client: CLIENT, file: 'movie.ts', live: true });
    expect(a!.npt).toEqual(followed.npt);
    // The events are acknowledged: nothing is left to send again.
    expect(f.server.tracker.pending).toBe(0);
    // The next event follows on: the new master records it in order.
    pump(f, again, f.d.datagram(CLIENT, { type: 'adjust', sid, n: 2, scale: 1000 }));
    expect(again.role.assignmentView(sid)!.tracked?.get(NAME)?.n).toBe(3);
    expect(again.role.assignmentView(sid)!.npt?.scale).toBe(1000);
  });

  it('a master that still follows the stream takes the retold events as repeats: no handoff, no change', () => {
    const master = new Driver<MasterCommand, Master>(new Master(testDeps(1), {}));
    master.command({ type: 'start' });
    const { f, sid } = playingAt(master);
    const npt = master.role.assignmentView(sid)!.npt;
    const events = master.events.length;
    // The server thinks the master forgot it (say, a lost answer): it registers again, with the same epoch.
    pump(f, master, f.fromMaster({ type: 'error', code: 'not-registered', msg: 'register again' }));
    expect(f.server.state).toBe('registered');
    expect(ofType(f.d.sent, 'track').filter((t) => t.sid === sid && t.ev === 'play')).toHaveLength(2);
    expect(master.role.assignmentView(sid)).toMatchObject({ server: NAME, handoffs: 0 });
    expect(master.role.assignmentView(sid)!.npt).toEqual(npt);
    expect(master.events.slice(events).filter((e) => e.type === 'handoff')).toEqual([]);
    expect(f.server.tracker.pending).toBe(0);
  });

  it('a client whose only server could not read the file went back to it until its own timeout: it now stops with media-error', () => {
    const c = new ClientFixture();
    c.start();
    c.redirect(SRV1, 11);
    c.setup(SRV1, 1_000_000, { sid: 11 });
    c.data(SRV1, 11, 0, 1_000_000);
    c.from(SRV1, { type: 'end', sid: 11, code: 'media-error' });
    const ask = c.lastRequest();
    expect(ask).toMatchObject({ to: M1, prev: 11, off: DATA_CHUNK, avoid: [SRV1] });
    // The master has no other server for it.
    c.redirect(SRV1, 11);
    expect(c.client.state).toBe('failed');
    expect(c.client.result).toMatchObject({ ok: false, code: 'media-error', bytes: DATA_CHUNK });
    expect(c.client.result!.message).toMatch(/could not read movie\.ts at byte 1100/);
    expect(ofType(c.d.sent, 'request').filter((r) => r.to === SRV1)).toHaveLength(1);
  });

  it('a client sent to another server after a media error goes on there', () => {
    const c = new ClientFixture();
    c.start();
    c.redirect(SRV1, 11);
    c.setup(SRV1, 1_000_000, { sid: 11 });
    c.data(SRV1, 11, 0, 1_000_000);
    c.from(SRV1, { type: 'end', sid: 11, code: 'media-error' });
    c.redirect(SRV2, 11);
    expect(c.client.state).toBe('requesting');
    expect(c.lastRequest()).toMatchObject({ to: SRV2, sid: 11, off: DATA_CHUNK });
    c.setup(SRV2, 1_000_000, { sid: 11 });
    expect(c.client.state).toBe('starting');
  });
});
