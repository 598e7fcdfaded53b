/**
 * A master taking a portal's `pass` (§12.3): with a cluster key, an authentic
 * `pass` is answered to the client directly, within the bytes the portal
 * vouches it sent; a `pass` for a client that is no address, a forged one, or
 * one to a master without a key is dropped.
 */
import { describe, expect, it } from 'vitest';
import type { MessageOf } from '../../src/protocol/messages.js';
import { file, MasterFixture } from '../helpers/masterFixture.js';
import { KEY, ofType, testAuth } from '../helpers/roleDriver.js';

const PORTAL = '10.0.0.9:7600';
const CLIENT = '10.0.2.7:6000';
const pass = (o: Partial<MessageOf<'pass'>> = {}): MessageOf<'pass'> => ({ type: 'pass', client: CLIENT, size: 1200, rid: 77, file: 'B', ...o });

describe('master: a portal\'s pass (§12.3)', () => {
  it('answers the client directly, as if it had asked, within the size vouched for', () => {
    const f = new MasterFixture({ key: KEY });
    f.addServer({ files: [file('B')] });
    const out = f.d.control(PORTAL, pass(), f.auth);
    const redirects = ofType(out, 'redirect');
    expect(redirects).toMatchObject([{ to: CLIENT, rid: 77, file: 'B' }]);
    expect(redirects[0]!.wireSize).toBeLessThanOrEqual(1200);
    expect(ofType(out, 'redirect').filter((r) => r.to === PORTAL)).toEqual([]);
    // Vouched for a tiny datagram: no answer larger than that goes to the client.
    const other = '10.0.2.8:6000';
    const small = f.d.control(PORTAL, pass({ client: other, rid: 78, size: 20 }), f.auth);
    expect(small.filter((s) => s.to === other)).toEqual([]);
    expect(f.d.eventsOf('dropped').some((e) => e.code === 'amplification-limit')).toBe(true);
  });

  it('drops a pass for a client that is no address, a forged one, and any to a master without a key', () => {
    const f = new MasterFixture({ key: KEY });
    f.addServer({ files: [file('B')] });
    expect(f.d.control(PORTAL, pass({ client: '' }), f.auth)).toEqual([]);
    expect(f.d.eventsOf('dropped').at(-1)).toMatchObject({ code: 'bad-field', msg: 'pass' });
    expect(f.d.control(PORTAL, pass(), testAuth('not the cluster key at all'))).toEqual([]);
    const open = new MasterFixture();
    open.addServer({ files: [file('B')] });
    expect(open.d.control(PORTAL, pass(), undefined)).toEqual([]);
    expect(open.d.eventsOf('dropped').at(-1)).toMatchObject({ code: 'unexpected-message', msg: 'pass' });
  });
});
