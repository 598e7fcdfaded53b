/**
 * The server's registration as a sub-machine (§6.5): each input returns what
 * to send to the master and what to report, and it never sends or reports
 * anything itself.
 */
import { describe, expect, it } from 'vitest';
import { MASTER_SILENCE_POLLS, REGISTER_RETRY, REGISTER_RETRY_MAX } from '../../src/protocol/constants.js';
import { Registration } from '../../src/roles/server/registration.js';

const MASTER = '10.0.0.1:7000';
const NAME = '10.0.1.1:5000';
const EPOCH = 77;
const cookie = new Uint8Array(8).fill(0x5a);

function registration(files = [['a.ts', 1000, 1_000_000] as const, ['b.ts', 2000, 2_000_000] as const]) {
  return new Registration({ name: NAME, master: MASTER, group: 'g', epoch: EPOCH, files });
}

/** Through `register-ack` and every `content-ack` to registered, at `now`. */
function registered(r: Registration, now: number) {
  r.heard(now);
  const listing = r.onRegisterAck({ type: 'register-ack', name: NAME, epoch: EPOCH, cookie, interval: 1000 }, now);
  const parts = listing.send.filter((m) => m.type === 'content');
  let last = listing;
  for (const p of parts) last = r.onContentAck({ type: 'content-ack', epoch: EPOCH, part: p.part }, now);
  return last;
}

describe('server registration sub-machine', () => {
  it('starts with `register` at the capacity given, retried with a doubling back-off', () => {
    const r = registration();
    const step = r.start(0, 5_000_000);
    expect(step).toMatchObject({ send: [{ type: 'register', name: NAME, epoch: EPOCH, cap: 5_000_000, group: 'g', files: 2, parts: 1 }], events: [], registered: false });
    expect(r.state).toBe('registering');
    expect(r.retryDeadline()).toBe(REGISTER_RETRY);
    expect(r.onRetry(REGISTER_RETRY, 6_000_000).send).toMatchObject([{ type: 'register', cap: 6_000_000 }]);
    expect(r.retryDeadline()).toBe(3 * REGISTER_RETRY);
    expect(r.silenceDeadline()).toBeUndefined();
  });

  it('a file added once registered goes to the master as an addition, again every REGISTER_RETRY until acknowledged (§6.5, §14.4)', () => {
    const r = registration();
    r.start(0, 1);
    registered(r, 10);
    expect(r.retryDeadline()).toBeUndefined();
    const step = r.addFile(['new.ts', 3000, 4_000_000], 100);
    expect(step.send).toEqual([{ type: 'content', name: NAME, epoch: EPOCH, cookie, part: 0, parts: 1, files: [['new.ts', 3000, 4_000_000]], add: true }]);
    expect(r.retryDeadline()).toBe(100 + REGISTER_RETRY);
    expect(r.onRetry(100 + REGISTER_RETRY, 1).send).toMatchObject([{ type: 'content', part: 0, add: true }]);
    r.onContentAck({ type: 'content-ack', epoch: EPOCH, part: 0, add: true }, 200 + REGISTER_RETRY);
    expect(r.retryDeadline()).toBeUndefined();
    expect(r.onRetry(10_000, 1).send).toEqual([]);
  });

  it('a file removed once registered goes to the master as a removal until acknowledged; it replaces an addition of the same name still owed, and leaves later lists (§14.4)', () => {
    const r = registration();
    r.start(0, 1);
    registered(r, 10);
    r.addFile(['new.ts', 3000, 4_000_000], 100);
    const step = r.removeFile('new.ts', 110);
    // The addition is no longer owed: only the removal goes, and again until acknowledged.
    expect(step.send).toEqual([{ type: 'content', name: NAME, epoch: EPOCH, cookie, part: 1, parts: 1, files: [['new.ts', 3000, 4_000_000]], rm: true }]);
    expect(r.onRetry(110 + REGISTER_RETRY, 1).send).toMatchObject([{ type: 'content', part: 1, rm: true }]);
    r.onContentAck({ type: 'content-ack', epoch: EPOCH, part: 1, add: true }, 200 + REGISTER_RETRY);
    expect(r.retryDeadline()).toBeUndefined();
    expect(r.removeFile('never-held.ts', 300).send).toEqual([]);
    r.removeFile('a.ts', 400);
    const again = r.onError({ type: 'error', code: 'not-registered', msg: 'who?' }, 500, 1);
    expect(again.send).toMatchObject([{ type: 'register', files: 1 }]);
    const relisted = r.onRegisterAck({ type: 'register-ack', name: NAME, epoch: EPOCH, cookie, interval: 1000 }, 600);
    expect(relisted.send.flatMap((m) => (m.type === 'content' ? m.files.map((x) => x[0]) : []))).toEqual(['b.ts']);
  });

  it('a file added while listing goes once registered; registering again lists it, and owes no addition', () => {
    const r = registration();
    r.start(0, 1);
    r.heard(0);
    const listing = r.onRegisterAck({ type: 'register-ack', name: NAME, epoch: EPOCH, cookie, interval: 1000 }, 0);
    expect(r.addFile(['new.ts', 3000, 4_000_000], 5).send).toEqual([]);
    let last = listing;
    for (const m of listing.send) if (m.type === 'content') last = r.onContentAck({ type: 'content-ack', epoch: EPOCH, part: m.part }, 10);
    expect(last.registered).toBe(true);
    expect(last.send).toMatchObject([{ type: 'content', files: [['new.ts', 3000, 4_000_000]], add: true }]);
    // The master forgot it: the new registration counts the file, and lists it.
    const again = r.onError({ type: 'error', code: 'not-registered', msg: 'who?' }, 20, 1);
    expect(again.send).toMatchObject([{ type: 'register', files: 3 }]);
    const relisted = r.onRegisterAck({ type: 'register-ack', name: NAME, epoch: EPOCH, cookie, interval: 1000 }, 30);
    expect(relisted.send.flatMap((m) => (m.type === 'content' ? m.files.map((x) => x[0]) : []))).toEqual(['a.ts', 'b.ts', 'new.ts']);
    expect(relisted.send.every((m) => m.type !== 'content' || m.add === undefined)).toBe(true);
  });

  it('a `register-ack` of another server is dropped, saying why', () => {
    const r = registration();
    r.start(0, 1);
    expect(r.onRegisterAck({ type: 'register-ack', name: NAME, epoch: EPOCH + 1, cookie, interval: 1000 }, 10)).toMatchObject({ send: [], events: [], dropped: 'register-ack for another server' });
    expect(r.state).toBe('registering');
  });

  it('lists its content, then is registered: the step says so, and the master is watched for silence', () => {
    const r = registration();
    r.start(0, 1);
    r.heard(100);
    const listing = r.onRegisterAck({ type: 'register-ack', name: NAME, epoch: EPOCH, cookie, interval: 1000 }, 100);
    expect(listing.events).toEqual([{ type: 'registration-listing', level: 'debug', from: 'registering', on: 'register-ack', master: MASTER }]);
    expect(listing.send).toMatchObject([{ type: 'content', part: 0, parts: 1, cookie, files: [['a.ts', 1000, 1_000_000], ['b.ts', 2000, 2_000_000]] }]);
    const done = r.onContentAck({ type: 'content-ack', epoch: EPOCH, part: 0 }, 150);
    expect(done).toMatchObject({ send: [], registered: true, events: [{ type: 'registration-registered', level: 'info', from: 'listing', on: 'content-complete' }] });
    expect(r.retryDeadline()).toBeUndefined();
    expect(r.silenceDeadline()).toBe(100 + MASTER_SILENCE_POLLS * 1000);
    expect(r.cookie).toEqual(cookie);
  });

  it('master silence: `master-silent`, then registering again with a new `register`', () => {
    const r = registration();
    r.start(0, 1);
    registered(r, 10);
    const step = r.onSilence(10 + MASTER_SILENCE_POLLS * 1000, 3);
    expect(step.events.map((e) => e.type)).toEqual(['master-silent', 'registration-registering']);
    expect(step.send).toMatchObject([{ type: 'register', cap: 3 }]);
    expect(r.cookie).toBeUndefined();
    expect(r.silenceDeadline()).toBeUndefined();
  });

  it('`over-limit`: said once per run of refusals, and the next `register` waits REGISTER_RETRY_MAX', () => {
    const r = registration();
    r.start(0, 1);
    const first = r.onError({ type: 'error', code: 'over-limit', msg: 'too many' }, 50, 1);
    expect(first.events).toMatchObject([{ type: 'registration-refused', level: 'error', detail: 'too many' }, { type: 'registration-registering', on: 'refused' }]);
    expect(first.send).toEqual([]);
    expect(r.retryDeadline()).toBe(50 + REGISTER_RETRY_MAX);
    expect(r.onError({ type: 'error', code: 'over-limit', msg: 'too many' }, 60, 1).events[0]).toMatchObject({ type: 'registration-refused', level: 'debug' });
  });

  it('`not-registered` while registered: registering again; stop sends `leave` only while the master knows the server', () => {
    const r = registration();
    r.start(0, 1);
    registered(r, 10);
    const forgot = r.onError({ type: 'error', code: 'not-registered', msg: '' }, 20, 9);
    expect(forgot.events.map((e) => e.type)).toEqual(['master-forgot', 'registration-registering']);
    expect(forgot.send).toMatchObject([{ type: 'register', cap: 9 }]);
    expect(r.stop(30)).toMatchObject({ send: [], events: [{ type: 'registration-stopped', from: 'registering', on: 'stop' }] });
    expect(r.retryDeadline()).toBeUndefined();

    const s = registration();
    s.start(0, 1);
    registered(s, 10);
    expect(s.stop(40).send).toEqual([{ type: 'leave', name: NAME, epoch: EPOCH, cookie }]);
    expect(s.state).toBe('stopped');
  });
});
