/**
 * A master that has just started, and that no server has registered with yet,
 * answers `unavailable` (try again) rather than `not-found` (§4.2): the servers
 * of a restarted master find it again within a couple of poll intervals, and a
 * client that asked in between must not give up on a file that exists.
 */
import { describe, expect, it } from 'vitest';
import { LEARNING_POLLS, POLL_INTERVAL } from '../../src/protocol/constants.js';
import { file, MasterFixture } from '../helpers/masterFixture.js';

const CLIENT = '10.0.2.1:6000';

describe('master: the first poll intervals after a start (§4.2)', () => {
  it('with no server registered yet: unavailable, then not-found once the learning time is over', () => {
    const f = new MasterFixture();
    const early = f.answer(CLIENT, 'A', { rid: 1 });
    expect(early).toMatchObject({ type: 'error', rid: 1, code: 'unavailable' });
    expect(early.type === 'error' && early.msg).toMatch(/still learning/);
    f.d.advance(LEARNING_POLLS * POLL_INTERVAL - 10);
    expect(f.answer(CLIENT, 'A', { rid: 2 })).toMatchObject({ code: 'unavailable' });
    f.d.advance(10);
    expect(f.answer(CLIENT, 'A', { rid: 3 })).toMatchObject({ type: 'error', rid: 3, code: 'not-found' });
  });

  it('the learning time follows the configured poll interval', () => {
    const f = new MasterFixture({ config: { pollInterval: 200 } });
    f.d.advance(LEARNING_POLLS * 200);
    expect(f.answer(CLIENT, 'A')).toMatchObject({ code: 'not-found' });
  });

  it('a server that registers in the meantime is chosen for its files, and an unknown file is not-found at once', () => {
    const f = new MasterFixture();
    expect(f.answer(CLIENT, 'A')).toMatchObject({ code: 'unavailable' });
    const s = f.addServer({ files: [file('A')] });
    expect(f.redirectedTo(CLIENT, 'A')).toBe(s.addr);
    expect(f.answer('10.0.2.2:6000', 'Z')).toMatchObject({ type: 'error', code: 'not-found' });
  });
});
