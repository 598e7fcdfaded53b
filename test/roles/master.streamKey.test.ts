/**
 * Stream keys (§10.5): with a cluster key they are derived from it, so a
 * master that restarts and relearns a running stream from a `track` `play`
 * holds the very key its client got, and can move the stream; without a key
 * they are random, and a relearned stream has none.
 */
import { describe, expect, it } from 'vitest';
import { ClusterAuth } from '../../src/protocol/auth.js';
import { nodeCrypto } from '../../src/platform/crypto.js';
import { file, MasterFixture } from '../helpers/masterFixture.js';
import { KEY, testAuth } from '../helpers/roleDriver.js';

const CLIENT = '10.0.2.1:6000';

describe('stream keys (§10.5)', () => {
  it('derived: the same for the same stream and client, different for another stream, client or cluster key', () => {
    const a = testAuth();
    expect(a.streamKey(7, CLIENT)).toEqual(testAuth().streamKey(7, CLIENT));
    expect(a.streamKey(7, CLIENT)).toHaveLength(16);
    expect(a.streamKey(8, CLIENT)).not.toEqual(a.streamKey(7, CLIENT));
    expect(a.streamKey(7, '10.0.2.1:6001')).not.toEqual(a.streamKey(7, CLIENT));
    expect(new ClusterAuth('another key', nodeCrypto).streamKey(7, CLIENT)).not.toEqual(a.streamKey(7, CLIENT));
  });

  it('with a cluster key, a restarted master relearns a playing stream with the key its client holds', () => {
    const first = new MasterFixture({ key: KEY });
    first.addServer({ files: [file('movie.ts')] });
    const r = first.answer(CLIENT, 'movie.ts');
    if (r.type !== 'redirect') throw new Error(`expected a redirect, got ${r.type}`);
    expect([...r.sk!]).toEqual([...testAuth().streamKey(r.sid, CLIENT)]);

    // A new master (a restart) with the same cluster key hears of the stream only from its server.
    const again = new MasterFixture({ key: KEY, seed: 2 });
    const s = again.addServer({ files: [file('movie.ts')], addr: r.srv });
    s.track({ sid: r.sid, n: 1, ev: 'play', when: again.d.now, npt: 0, scale: 1000, client: CLIENT, file: 'movie.ts' });
    const a = again.master.assignmentView(r.sid);
    expect(a, 'the restarted master follows the stream').toMatchObject({ client: CLIENT, server: r.srv });
    expect([...a!.sk!]).toEqual([...r.sk!]);
  });

  it('without a cluster key, keys are random and a relearned stream has none', () => {
    const first = new MasterFixture();
    first.addServer({ files: [file('movie.ts')] });
    const one = first.answer(CLIENT, 'movie.ts');
    const two = first.answer('10.0.2.2:6000', 'movie.ts');
    if (one.type !== 'redirect' || two.type !== 'redirect') throw new Error('expected redirects');
    expect(one.sk).toHaveLength(16);
    expect([...one.sk!]).not.toEqual([...two.sk!]);
    const again = new MasterFixture({ seed: 2 });
    const s = again.addServer({ files: [file('movie.ts')], addr: one.srv });
    s.track({ sid: one.sid, n: 1, ev: 'play', when: again.d.now, npt: 0, scale: 1000, client: CLIENT, file: 'movie.ts' });
    expect(again.master.assignmentView(one.sid)).toBeDefined();
    expect(again.master.assignmentView(one.sid)!.sk).toBeUndefined();
  });
});
