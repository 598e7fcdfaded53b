/**
 * The dashboard's side of a subscription: the cookie handshake, renewals,
 * notices seen once, gaps asked for again (and given up once), a master that
 * went away or restarted.
 */
import { describe, expect, it } from 'vitest';
import { SUBSCRIBE_LEASE, SUBSCRIBE_RENEW } from '../../src/protocol/constants.js';
import type { MessageOf } from '../../src/protocol/messages.js';
import { ASK_BACKOFF, FULL_RETRY, NoticeSubscriber, SUBSCRIBE_RETRY } from '../../src/runtime/dashboard/subscriber.js';

const COOKIE = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
const ack = (state: MessageOf<'subscribe-ack'>['state'], next: number): MessageOf<'subscribe-ack'> => ({
  type: 'subscribe-ack', rid: 1, state, cookie: COOKIE, lease: state === 'active' ? SUBSCRIBE_LEASE : 0, next,
});
const notice = (seq: number, n = 1): MessageOf<'notice'> => ({
  type: 'notice', seq, events: Array.from({ length: n }, () => ({ ago: 0, ev: 'server-up', srv: 'a:1' })),
});

/** A subscriber taken through the handshake at t = 0 with a master whose next event is `next`. */
function subscribed(next: number): NoticeSubscriber {
  const s = new NoticeSubscriber();
  expect(s.due(0)).toEqual({});
  s.sent(0);
  expect(s.onAck(ack('pending', next), 0)).toBe('pending');
  expect(s.due(0)).toEqual({ cookie: COOKIE, since: 1 });
  s.sent(0);
  expect(s.onAck(ack('active', next), 0)).toBe('active');
  expect(s.active).toBe(true);
  return s;
}

const seqs = (o: { events: { seq: number }[] }) => o.events.map((e) => e.seq);

describe('the subscription', () => {
  it('starts without a cookie, echoes the master\'s cookie at once, asking for all it holds, and is active', () => {
    const s = subscribed(4);
    expect(s.due(1)).toBeUndefined();
    // The master resends 1..3, what happened before the dashboard came.
    expect(seqs(s.onNotice(notice(1, 3)))).toEqual([1, 2, 3]);
  });

  it('is renewed every SUBSCRIBE_RENEW with `since` past the last event taken; a renewal without answer is sent again after SUBSCRIBE_RETRY', () => {
    const s = subscribed(1);
    s.onNotice(notice(1, 2));
    expect(s.due(SUBSCRIBE_RENEW - 1)).toBeUndefined();
    expect(s.due(SUBSCRIBE_RENEW)).toEqual({ cookie: COOKIE, since: 3 });
    s.sent(SUBSCRIBE_RENEW);
    expect(s.due(SUBSCRIBE_RENEW + 10)).toBeUndefined();
    expect(s.due(SUBSCRIBE_RENEW + SUBSCRIBE_RETRY)).toEqual({ cookie: COOKIE, since: 3 });
    s.sent(SUBSCRIBE_RENEW + SUBSCRIBE_RETRY);
    s.onAck(ack('active', 1), SUBSCRIBE_RENEW + SUBSCRIBE_RETRY);
    expect(s.due(SUBSCRIBE_RENEW + SUBSCRIBE_RETRY + 1)).toBeUndefined();
  });

  it('a subscribe without any answer is sent again after SUBSCRIBE_RETRY', () => {
    const s = new NoticeSubscriber();
    s.due(0);
    s.sent(0);
    expect(s.due(SUBSCRIBE_RETRY - 1)).toBeUndefined();
    expect(s.due(SUBSCRIBE_RETRY)).toEqual({});
  });

  it('a full master is asked again after FULL_RETRY', () => {
    const s = new NoticeSubscriber();
    s.due(0);
    s.sent(0);
    s.onAck(ack('pending', 1), 0);
    s.due(0);
    s.sent(0);
    expect(s.onAck(ack('full', 1), 0)).toBe('full');
    expect(s.active).toBe(false);
    expect(s.due(FULL_RETRY - 1)).toBeUndefined();
    expect(s.due(FULL_RETRY)).toEqual({ cookie: COOKIE, since: 1 });
  });

  it('sees each event once, whatever the master sends again', () => {
    const s = subscribed(1);
    expect(seqs(s.onNotice(notice(1, 3)))).toEqual([1, 2, 3]);
    expect(seqs(s.onNotice(notice(2, 3)))).toEqual([4]);
    expect(seqs(s.onNotice(notice(1, 2)))).toEqual([]);
  });

  it('after a lost notice, asks for what it missed with `since`, and takes it in', () => {
    const s = subscribed(1);
    s.onNotice(notice(1, 3));
    // Notice 4..6 was lost: 7 shows the gap.
    expect(seqs(s.onNotice(notice(7, 1)))).toEqual([7]);
    expect(s.missing()).toBe(4);
    expect(s.due(10)).toEqual({ cookie: COOKIE, since: 4 });
    s.sent(10);
    s.onAck(ack('active', 8), 11);
    const resent = s.onNotice(notice(4, 3));
    expect(seqs(resent)).toEqual([4, 5, 6]);
    expect(resent.lost).toBe(0);
    expect(s.missing()).toBeUndefined();
  });

  it('gives up, once, what the master no longer holds, and counts it', () => {
    const s = subscribed(1);
    s.onNotice(notice(1, 1));
    s.onNotice(notice(10, 1));
    expect(s.due(10)).toEqual({ cookie: COOKIE, since: 2 });
    s.sent(10);
    s.onAck(ack('active', 11), 11);
    // It holds events from 6 on only.
    const r = s.onNotice(notice(6, 3));
    expect(r.lost).toBe(4);
    expect(seqs(r)).toEqual([6, 7, 8]);
    s.onNotice(notice(9, 1));
    expect(s.missing()).toBeUndefined();
    // Only the renewal, from past the last event taken: what was given up is not asked for again.
    expect(s.due(10 + ASK_BACKOFF)).toEqual({ cookie: COOKIE, since: 11 });
  });

  it('does not ask again before ASK_BACKOFF while a resend may be under way', () => {
    const s = subscribed(1);
    s.onNotice(notice(1, 1));
    s.onNotice(notice(5, 1));
    expect(s.due(0)).toEqual({ cookie: COOKIE, since: 2 });
    s.sent(0);
    s.onAck(ack('active', 6), 0);
    s.onNotice(notice(2, 1));
    expect(s.missing()).toBe(3);
    // Only the renewal, from past the last event taken.
    expect(s.due(ASK_BACKOFF - 1)).toEqual({ cookie: COOKIE, since: 6 });
    expect(s.due(ASK_BACKOFF)).toEqual({ cookie: COOKIE, since: 3 });
  });

  it('after the master was away, starts over at once with `since` where it stopped', () => {
    const s = subscribed(1);
    s.onNotice(notice(1, 5));
    s.lost();
    expect(s.active).toBe(false);
    expect(s.due(100)).toEqual({ cookie: COOKIE, since: 6 });
    s.sent(100);
    expect(s.onAck(ack('active', 9), 100)).toBe('active');
    expect(seqs(s.onNotice(notice(6, 3)))).toEqual([6, 7, 8]);
  });

  it('a master whose sequence numbers went back has restarted: everything it holds is asked for', () => {
    const s = subscribed(1);
    s.onNotice(notice(1, 20));
    s.lost();
    s.due(0);
    s.sent(0);
    expect(s.onAck(ack('active', 5), 0)).toBe('reset');
    expect(s.due(1)).toEqual({ cookie: COOKIE, since: 1 });
    s.sent(1);
    s.onAck(ack('active', 5), 1);
    expect(seqs(s.onNotice(notice(1, 3)))).toEqual([1, 2, 3]);
  });

  it('a new cookie for a subscription that had begun is a restarted master: everything it holds is asked for', () => {
    const s = subscribed(1);
    s.onNotice(notice(1, 20));
    s.due(SUBSCRIBE_RENEW);
    s.sent(SUBSCRIBE_RENEW);
    const fresh = new Uint8Array([9, 9, 9, 9, 9, 9, 9, 9]);
    expect(s.onAck({ ...ack('pending', 3), cookie: fresh }, SUBSCRIBE_RENEW)).toBe('reset');
    expect(s.due(SUBSCRIBE_RENEW)).toEqual({ cookie: fresh, since: 1 });
    s.sent(SUBSCRIBE_RENEW);
    s.onAck({ ...ack('active', 3), cookie: fresh }, SUBSCRIBE_RENEW);
    expect(seqs(s.onNotice(notice(1, 2)))).toEqual([1, 2]);
  });

  it('restarted() (the master\'s uptime went back) forgets what it saw and asks for all the new master holds', () => {
    const s = subscribed(1);
    s.onNotice(notice(1, 3));
    s.restarted();
    expect(s.due(0)).toEqual({ cookie: COOKIE, since: 1 });
    s.sent(0);
    s.onAck(ack('active', 3), 0);
    expect(seqs(s.onNotice(notice(1, 2)))).toEqual([1, 2]);
  });

  it('ends an active subscription when asked', () => {
    const s = subscribed(1);
    expect(s.ending()).toEqual({ cookie: COOKIE, end: true });
    expect(new NoticeSubscriber().ending()).toBeUndefined();
  });
});
