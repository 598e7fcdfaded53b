/**
 * A server's side of shared supervision (§12.2): the server decides who
 * supervises it. Its supervisor record takes a claim only with a higher epoch
 * and for a good reason (a handover, a first claim, an operator's order, a
 * supervisor silent for SUPERVISOR_SILENCE_POLLS poll intervals); the server
 * tells every master what holds, tells each master of its streams, and takes
 * `move` from its supervisor alone.
 */
import { describe, expect, it } from 'vitest';
import { SUPERVISOR_SILENCE_POLLS } from '../../src/protocol/constants.js';
import type { MessageOf } from '../../src/protocol/messages.js';
import { SupervisorRecord } from '../../src/roles/server/supervisorRecord.js';
import { ofType } from '../helpers/roleDriver.js';
import { CLIENT, MASTER, NAME, ServerFixture } from '../helpers/serverFixture.js';

const M2 = '10.0.0.2:4000';
const M3 = '10.0.0.3:4000';
const heard = (silentFor: number) => ({ silentFor, pollInterval: 1000 });
const LIMIT = SUPERVISOR_SILENCE_POLLS * 1000;

describe('supervisor record (§12.2)', () => {
  it('has the first master supervise until a claim, says nothing in loads for a server with one master, and holds the first master to the silence rule', () => {
    expect(new SupervisorRecord([MASTER]).fields()).toEqual({});
    const r = new SupervisorRecord([MASTER, M2, M3]);
    expect(r.master).toBe(MASTER);
    expect(r.fields()).toEqual({ sup: MASTER });
    // The first master is heard: another's claim is refused (it hands the server over itself).
    expect(r.claim({ ep: 1, to: M2 }, M2, heard(0))).toMatchObject({ taken: false });
    expect(r.claim({ ep: 1, to: M2 }, MASTER, heard(0))).toEqual({ taken: true, from: MASTER });
    expect(r.fields()).toEqual({ sup: M2, sep: 1 });
    // A first master that never answered: the claim is taken.
    const s = new SupervisorRecord([MASTER, M2, M3]);
    expect(s.claim({ ep: 1, to: M3 }, M3, heard(LIMIT))).toEqual({ taken: true, from: MASTER });
  });

  it('refuses a claim while the supervisor is heard, and takes it once the supervisor has been silent long enough', () => {
    const r = new SupervisorRecord([MASTER, M2, M3]);
    r.claim({ ep: 1, to: M2 }, MASTER, heard(0));
    expect(r.claim({ ep: 2, to: M3 }, M3, heard(LIMIT - 1))).toMatchObject({ taken: false, why: expect.stringMatching(/was heard 1499 ms ago/) });
    expect(r.master).toBe(M2);
    expect(r.claim({ ep: 2, to: M3 }, M3, heard(LIMIT))).toEqual({ taken: true, from: M2 });
    expect(r.fields()).toEqual({ sup: M3, sep: 2 });
  });

  it('refuses an epoch that is not higher, a claim for another master by one that does not supervise, and a master it does not have', () => {
    const r = new SupervisorRecord([MASTER, M2, M3]);
    r.claim({ ep: 5, to: M2 }, MASTER, heard(0));
    expect(r.claim({ ep: 5, to: M3 }, M2, heard(0))).toMatchObject({ taken: false, why: 'epoch 5 is not above 5, held by 10.0.0.2:4000' });
    expect(r.claim({ ep: 6, to: M3 }, MASTER, heard(LIMIT * 2))).toMatchObject({ taken: false, why: `only the supervisor, ${M2}, hands the supervision to another master` });
    expect(r.claim({ ep: 6, to: '10.9.9.9:4000' }, M2, heard(0))).toMatchObject({ taken: false, why: '10.9.9.9:4000 is not one of this server\'s masters' });
    expect(r.master).toBe(M2);
  });

  it('takes a handover from its supervisor, and an operator\'s pinned order from any of its masters', () => {
    const r = new SupervisorRecord([MASTER, M2, M3]);
    r.claim({ ep: 1, to: M2 }, MASTER, heard(0));
    expect(r.claim({ ep: 2, to: M3 }, M2, heard(0))).toEqual({ taken: true, from: M2 });
    expect(r.claim({ ep: 3, to: MASTER, pin: true }, M2, heard(0))).toEqual({ taken: true, from: M3 });
    expect(r.fields()).toEqual({ sup: MASTER, sep: 3, pin: true });
    // A later claim (not pinned) clears the pin once taken.
    expect(r.claim({ ep: 4, to: M2 }, MASTER, heard(0))).toEqual({ taken: true, from: MASTER });
    expect(r.fields()).toEqual({ sup: M2, sep: 4 });
  });
});

describe('a server with three masters (§12.2)', () => {
  const move = (sid: number): MessageOf<'move'> => ({ type: 'move', sid, srv: '10.0.1.2:5000', cookie: new Uint8Array(8).fill(6), off: 4400, npt: 8, scale: 1000, tok: new Uint8Array(16).fill(2), exp: 1_800_000_000_000, why: 'overload' });

  it('registers with each, tells each of its streams, and says in every load who supervises it', () => {
    const f = new ServerFixture({ masters: [MASTER, M2, M3] }).register();
    const s = f.play('movie.ts');
    const tracks = ofType(f.d.sent, 'track').filter((t) => t.sid === s.sid && t.ev === 'play');
    expect(tracks.map((t) => t.to).sort()).toEqual([MASTER, M2, M3]);
    // Each master acknowledges on its own; an acknowledgement from one leaves the others' waiting.
    f.d.control(M2, { type: 'track-ack', sid: s.sid, n: 1 }, undefined);
    expect(f.server.tracker.pending).toBe(2);
    const loads = ofType(f.d.control(M3, { type: 'poll', seq: 9 }, undefined), 'load');
    expect(loads).toMatchObject([{ to: M3, seq: 9, sup: MASTER }]);
    expect(loads[0]).not.toHaveProperty('sep');
  });

  it('takes a claim, tells every master at once, and from then on takes a move from the new supervisor only', () => {
    const f = new ServerFixture({ masters: [MASTER, M2, M3] }).register();
    const s = f.play('movie.ts');
    // The first master hands the server over to M2.
    const out = f.d.control(MASTER, { type: 'supervise', name: NAME, ep: 1, to: M2 }, undefined);
    expect(f.server.supervisedBy).toBe(M2);
    expect(f.d.eventsOf('supervisor')).toMatchObject([{ master: M2, epoch: 1, from: MASTER, by: MASTER, pinned: false }]);
    expect(ofType(out, 'load').map((l) => [l.to, l.sup, l.sep]).sort()).toEqual([[MASTER, M2, 1], [M2, M2, 1], [M3, M2, 1]]);
    // The master it replaced is fenced off: its move is refused, and it is told who supervises.
    const fenced = f.d.control(MASTER, move(s.sid), undefined);
    expect(ofType(fenced, 'switch')).toEqual([]);
    expect(ofType(fenced, 'error')).toMatchObject([{ to: MASTER, sid: s.sid, code: 'not-supervisor', msg: `${M2} supervises this server (epoch 1)` }]);
    expect(ofType(f.d.control(M2, move(s.sid), undefined), 'switch')).toMatchObject([{ to: CLIENT, sid: s.sid }]);
  });

  it('refuses a claim while its supervisor polls it, and answers the claimant alone with what holds', () => {
    const f = new ServerFixture({ masters: [MASTER, M2, M3] }).register();
    f.d.control(MASTER, { type: 'supervise', name: NAME, ep: 1, to: M2 }, undefined);
    f.d.advance(900);
    f.d.control(M2, { type: 'poll', seq: 3 }, undefined);
    const out = f.d.control(M3, { type: 'supervise', name: NAME, ep: 2, to: M3 }, undefined);
    expect(f.server.supervisedBy).toBe(M2);
    expect(ofType(out, 'load').map((l) => [l.to, l.sup, l.sep])).toEqual([[M3, M2, 1]]);
    expect(f.d.eventsOf('supervise-refused')).toMatchObject([{ from: M3, to: M3, ep: 2 }]);
    // Silent for SUPERVISOR_SILENCE_POLLS intervals: the claim is taken.
    f.d.advance(LIMIT);
    f.d.control(M3, { type: 'supervise', name: NAME, ep: 2, to: M3 }, undefined);
    expect(f.server.supervisedBy).toBe(M3);
  });

  it('drops a supervise from an address that is not one of its masters', () => {
    const f = new ServerFixture({ masters: [MASTER, M2] }).register();
    f.d.control('10.0.9.9:4000', { type: 'supervise', name: NAME, ep: 1, to: '10.0.9.9:4000' }, undefined);
    expect(f.server.supervisedBy).toBe(MASTER);
    expect(f.d.eventsOf('dropped')).toMatchObject([{ code: 'unexpected-message', from: '10.0.9.9:4000', msg: 'supervise' }]);
  });
});
