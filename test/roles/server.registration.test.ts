import { describe, expect, it } from 'vitest';
import { MASTER_SILENCE_POLLS, MAX_DATAGRAM, MAX_STREAM_RATE, REGISTER_RETRY, REGISTER_RETRY_MAX } from '../../src/protocol/constants.js';
import { Master, type MasterCommand } from '../../src/roles/master/master.js';
import { Driver, KEY, ofType, testDeps } from '../helpers/roleDriver.js';
import { CLIENT, dataOf, MASTER, NAME, ServerFixture } from '../helpers/serverFixture.js';

const cookie = new Uint8Array(8).fill(0x5a);

describe('server: registration (S1.1, §6.5)', () => {
  it('registers with its content list, retrying with a doubling back-off capped at REGISTER_RETRY_MAX', () => {
    const f = new ServerFixture();
    const start = f.d.now;
    expect(ofType(f.d.command({ type: 'start' }), 'register')).toMatchObject([{ to: MASTER, name: NAME, files: 1, parts: 1, group: 'default', cap: 1_000_000_000 }]);
    f.d.advance(30_000);
    const times = f.d.sent.filter((s) => s.msg?.type === 'register').map((s) => s.at - start);
    const expected = [0];
    for (let delay = REGISTER_RETRY, t = 0; t + delay <= 30_000; delay = Math.min(2 * delay, REGISTER_RETRY_MAX)) expected.push((t += delay));
    expect(times).toEqual(expected);
    expect(expected.slice(0, 6)).toEqual([0, 500, 1500, 3500, 7500, 12_500]);
  });

  // Regression: `register` had no `pad` field, so the encoder silently dropped the padding and a
  // server with a short group and a small capacity had its first `register-ack` held back (§9.4).
  for (const key of [undefined, KEY]) {
    it(`register is padded, so the master's first register-ack is never held back${key ? ' (key set)' : ''}`, () => {
      const f = new ServerFixture({ key, group: '', cap: 1000 });
      const reg = f.d.command({ type: 'start' }).filter((s) => s.msg?.type === 'register');
      expect(reg).toHaveLength(1);
      expect(reg[0]!.bytes.length).toBeGreaterThanOrEqual(256);
      const master = new Driver<MasterCommand, Master>(new Master(testDeps(9, key)));
      const out = master.datagram(NAME, reg[0]!.bytes);
      expect(ofType(out, 'register-ack')).toHaveLength(1);
      expect(master.role.dropped.get('amplification-limit')).toBeUndefined();
    });
  }

  it('after register-ack: sends every content part, each retried until acknowledged, then is registered and reports its load', () => {
    const files = Array.from({ length: 60 }, (_, i) => ({ name: `some/long/directory/name/file-number-${i}.ts`, size: 1000 + i, rate: 1_000_000 }));
    const f = new ServerFixture({ files });
    f.d.command({ type: 'start' });
    const parts = ofType(f.fromMaster({ type: 'register-ack', name: NAME, epoch: f.server.epoch, cookie, interval: 1000 }), 'content');
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) {
      expect(p.wireSize).toBeLessThanOrEqual(MAX_DATAGRAM);
      expect(p.parts).toBe(parts.length);
      expect([...p.cookie]).toEqual([...cookie]);
    }
    expect(parts.map((p) => p.part)).toEqual(parts.map((_, i) => i));
    expect(parts.flatMap((p) => p.files.map((x) => x[0])).sort()).toEqual(files.map((x) => x.name).sort());
    expect(f.server.state).toBe('listing');
    // Acknowledge all but part 1: only part 1 is sent again.
    for (const p of parts) if (p.part !== 1) f.fromMaster({ type: 'content-ack', epoch: f.server.epoch, part: p.part });
    const again = ofType(f.d.advance(REGISTER_RETRY), 'content');
    expect(again.map((p) => p.part)).toEqual([1]);
    const done = f.fromMaster({ type: 'content-ack', epoch: f.server.epoch, part: 1 });
    expect(f.server.state).toBe('registered');
    expect(ofType(done, 'load')).toMatchObject([{ seq: 0, streams: 0, bw: 0, cap: 1_000_000_000, sids: [] }]);
    expect(f.d.eventsOf('registration-registered')).toHaveLength(1);
  });

  it('content parts work with a cluster key too (MAC included within MAX_DATAGRAM)', () => {
    // The fastest rate a server lists (§5.1): a faster item is not offered at all.
    const files = Array.from({ length: 60 }, (_, i) => ({ name: `x`.repeat(200) + i, size: 2 ** 40, rate: MAX_STREAM_RATE }));
    const f = new ServerFixture({ files, key: KEY });
    f.d.command({ type: 'start' });
    const out = f.fromMaster({ type: 'register-ack', name: NAME, epoch: f.server.epoch, cookie, interval: 1000 });
    expect(out.length).toBeGreaterThan(1);
    for (const s of out) {
      expect(s.mac).toBe(true);
      expect(s.bytes.length).toBeLessThanOrEqual(MAX_DATAGRAM);
    }
  });

  it('answers polls with its load, echoing the poll\'s seq', () => {
    const f = new ServerFixture().register();
    f.play('movie.ts');
    const loads = ofType(f.fromMaster({ type: 'poll', seq: 77 }), 'load');
    expect(loads).toHaveLength(1);
    expect(loads[0]).toMatchObject({ seq: 77, name: NAME, epoch: f.server.epoch, streams: 1, bw: 4_000_000, cap: 1_000_000_000 });
    expect(loads[0]!.sids).toHaveLength(1);
    expect([...loads[0]!.cookie]).toEqual([...cookie]);
  });

  it('ignores master messages from any other address, and unauthenticated ones when a key is set', () => {
    const f = new ServerFixture({ key: KEY });
    f.d.command({ type: 'start' });
    const ack = { type: 'register-ack' as const, name: NAME, epoch: f.server.epoch, cookie, interval: 1000 };
    expect(f.d.control('10.6.6.6:4000', ack, f.auth)).toHaveLength(0);
    expect(f.server.dropped.get('unexpected-message')).toBe(1);
    expect(f.d.datagram(MASTER, ack)).toHaveLength(0);
    expect(f.server.dropped.get('missing-mac')).toBe(1);
    expect(f.server.state).toBe('registering');
    expect(ofType(f.fromMaster(ack), 'content')).toHaveLength(1);
  });

  it('registers again when the master answers not-registered', () => {
    const f = new ServerFixture().register();
    const out = f.fromMaster({ type: 'error', code: 'not-registered', msg: 'who are you' });
    expect(ofType(out, 'register')).toHaveLength(1);
    expect(f.server.state).toBe('registering');
    expect(f.d.eventsOf('master-forgot')).toHaveLength(1);
  });

  it(`registers again after hearing nothing from its master for ${MASTER_SILENCE_POLLS} poll intervals, nudging it with load reports first`, () => {
    const f = new ServerFixture().register(1000);
    const t0 = f.d.now;
    // Polls keep it quiet.
    for (let i = 0; i < 10; i++) {
      f.d.advance(1000);
      f.fromMaster({ type: 'poll', seq: i + 1 });
    }
    expect(ofType(f.d.sent, 'register')).toHaveLength(1);
    const silentFrom = f.d.now;
    const out = f.d.advance(MASTER_SILENCE_POLLS * 1000);
    // While the master is silent the server pushes load reports (a restarted master then says not-registered at once)…
    expect(ofType(out, 'load').length).toBeGreaterThan(0);
    // …and after MASTER_SILENCE_POLLS intervals it registers again.
    const reg = f.d.sent.filter((s) => s.msg?.type === 'register' && s.at > t0);
    expect(reg).toHaveLength(1);
    expect(reg[0]!.at - silentFrom).toBe(MASTER_SILENCE_POLLS * 1000);
    expect(f.d.eventsOf('master-silent')).toHaveLength(1);
  });

  it('stop: ends playing streams with `end`, tells the master `leave`, then has nothing pending', () => {
    const f = new ServerFixture().register();
    const s = f.play('movie.ts');
    f.d.advance(100);
    const out = f.d.command({ type: 'stop' });
    expect(ofType(out, 'end')).toMatchObject([{ to: CLIENT, sid: s.sid, code: 'shutting-down' }]);
    expect(ofType(out, 'leave')).toMatchObject([{ to: MASTER, name: NAME, epoch: f.server.epoch }]);
    expect(f.server.pollTimeout()).toBeUndefined();
    expect(f.server.state).toBe('stopped');
    expect(f.d.advance(10_000)).toHaveLength(0);
    // Nothing more is taken.
    expect(f.request('movie.ts')).toHaveLength(0);
    expect(dataOf(f.d.sent.slice(-1))).toHaveLength(0);
  });

  it('stop is a command of the core: a second stop, or a drain once stopped, does nothing', () => {
    const f = new ServerFixture().register();
    f.play('movie.ts');
    expect(ofType(f.d.command({ type: 'stop' }), 'leave')).toHaveLength(1);
    const events = f.d.events.length;
    expect(f.d.command({ type: 'stop' })).toHaveLength(0);
    expect(f.d.command({ type: 'drain' })).toHaveLength(0);
    expect(f.d.events.length).toBe(events);
    expect(f.server.drainingSince).toBeUndefined();
  });
});
