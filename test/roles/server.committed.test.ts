/**
 * The server's committed bandwidth (the room check of every setup) is a
 * running total: a server holding thousands of streams — relayed setups not
 * played yet, say — must not go over all of them for each new one.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SETUP_TIMEOUT } from '../../src/protocol/constants.js';
import { ServerStream } from '../../src/roles/server/stream.js';
import { ofType } from '../helpers/roleDriver.js';
import { CLIENT, ServerFixture } from '../helpers/serverFixture.js';

const RATE = 4_000_000;

/** What the total must always equal: every stream's rate times its scale. */
const sumOfStreams = (f: ServerFixture) => f.server.streamsView().reduce((n, s) => n + s.rate, 0);

const forward = (f: ServerFixture, sid: number) =>
  ofType(f.fromMaster({ type: 'forward', rid: sid, file: 'movie.ts', client: CLIENT, sid, off: 0 }), 'setup');

describe('server: committed bandwidth', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('stays the sum of its streams\' rates through setups, adjustments, teardowns, timeouts and stop', () => {
    const f = new ServerFixture({ cap: 10 * RATE }).register();
    const check = (expected: number) => {
      expect(f.server.committed()).toBe(expected);
      expect(f.server.committed()).toBe(sumOfStreams(f));
    };
    const a = f.play('movie.ts');
    const b = f.play('movie.ts');
    expect(forward(f, 7)).toHaveLength(1);
    check(3 * RATE);
    // Up, then down: each adjustment replaces the stream's old rate.
    f.d.datagram(CLIENT, { type: 'adjust', sid: a.sid, n: 1, scale: 2500 });
    check(4.5 * RATE);
    f.d.datagram(CLIENT, { type: 'adjust', sid: a.sid, n: 2, scale: 500 });
    check(2.5 * RATE);
    // A repeated adjustment changes nothing.
    f.d.datagram(CLIENT, { type: 'adjust', sid: a.sid, n: 2, scale: 500 });
    check(2.5 * RATE);
    // One refused for room, and one that does not fit: neither counts.
    f.d.datagram(CLIENT, { type: 'adjust', sid: b.sid, n: 1, scale: 100_000 });
    check(2.5 * RATE);
    expect(forward(f, 8)).toHaveLength(1);
    check(3.5 * RATE);
    f.d.datagram(CLIENT, { type: 'teardown', sid: a.sid });
    check(3 * RATE);
    // A second teardown of the same stream takes nothing off again.
    f.d.datagram(CLIENT, { type: 'teardown', sid: a.sid });
    check(3 * RATE);
    // Never played: the relayed ones end at SETUP_TIMEOUT; the played one keeps being acknowledged.
    for (let t = 0; t < SETUP_TIMEOUT + 500; t += 500) {
      f.d.advance(500);
      f.ack(b.sid, 0);
    }
    expect(f.server.streamView(7) ?? f.server.streamView(8)).toBeUndefined();
    check(RATE);
    f.d.command({ type: 'stop' });
    check(0);
  });

  it('a setup does not go over every stream the server holds', () => {
    const f = new ServerFixture({ cap: 1e12 }).register();
    for (let sid = 1; sid <= 500; sid++) expect(forward(f, sid)).toHaveLength(1);
    const rates = vi.spyOn(ServerStream.prototype, 'rate', 'get');
    expect(forward(f, 501)).toHaveLength(1);
    // The new stream's own rate, not all 501 of them.
    expect(rates.mock.calls.length).toBeLessThanOrEqual(2);
    expect(f.server.committed()).toBe(501 * RATE);
  });
});
