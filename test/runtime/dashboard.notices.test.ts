/** The master's notices as the dashboard's event lines, and the views it makes of status rows. */
import { describe, expect, it } from 'vitest';
import { HISTORY_LENGTH } from '../../src/view/model.js';
import { describeNotice, eventView, type NoticeEvent, requestCount } from '../../src/runtime/dashboard/noticeText.js';
import { RequestRate } from '../../src/runtime/dashboard/requestRate.js';
import { durationOf, memberViews, nextHistory, serverViews, sessionViews } from '../../src/runtime/dashboard/views.js';
import type { StatusServer, StatusSession } from '../../src/runtime/statusQuery.js';

const ev = (e: Partial<NoticeEvent> & { ev: string }): NoticeEvent => ({ ago: 0, ...e }) as NoticeEvent;

describe('notice events as lines', () => {
  it('a handoff reads from → to, why, gap and position', () => {
    const d = describeNotice(ev({ ev: 'handoff', sid: 7, srv: '127.0.0.1:7701', to: '127.0.0.1:7702', why: 'failure', gap: 512, npt: 2_300 }));
    expect(d).toEqual({ text: 'handoff 7 127.0.0.1:7701 → 127.0.0.1:7702 (failure) gap ~512 ms at 2.30 s', level: 'info' });
    // The master's gap is an estimate (§11.5); a planned handoff's is 0.
    expect(describeNotice(ev({ ev: 'handoff', sid: 8, srv: 'a:1', to: 'b:2', why: 'drain', gap: 0 }))?.text).toBe('handoff 8 a:1 → b:2 (drain) no gap');
  });

  it('a server going down is an error, draining a warning, joining is information', () => {
    expect(describeNotice(ev({ ev: 'server-down', srv: 'a:1' }))).toEqual({ text: 'server a:1 down: missed its polls', level: 'error' });
    expect(describeNotice(ev({ ev: 'server-draining', srv: 'a:1' }))?.level).toBe('warn');
    expect(describeNotice(ev({ ev: 'server-registered', srv: 'a:1' }))).toEqual({ text: 'server a:1 registered', level: 'info' });
    expect(describeNotice(ev({ ev: 'server-left', srv: 'a:1' }))?.text).toBe('server a:1 left');
  });

  it('a group\'s masters and the servers\' supervisors have lines of their own (§12.1, §12.2)', () => {
    expect(describeNotice(ev({ ev: 'member-dead', mbr: '127.0.0.1:7702', n: 3 }))).toEqual({ text: 'master 127.0.0.1:7702 dead (incarnation 3)', level: 'error' });
    expect(describeNotice(ev({ ev: 'member-suspect', mbr: '127.0.0.1:7702', n: 3 }))?.level).toBe('warn');
    expect(describeNotice(ev({ ev: 'member-alive', mbr: '127.0.0.1:7702', n: 4 }))).toEqual({ text: 'master 127.0.0.1:7702 alive (incarnation 4)', level: 'info' });
    expect(describeNotice(ev({ ev: 'supervisor', srv: 'a:1', mbr: '127.0.0.1:7701', n: 5 }))).toEqual({ text: 'server a:1 supervised by 127.0.0.1:7701 (epoch 5)', level: 'info' });
  });

  it('orders, migrations, failed handoffs and request errors have lines of their own', () => {
    expect(describeNotice(ev({ ev: 'drain-ordered', srv: 'a:1' }))?.text).toBe('drain of a:1 ordered');
    expect(describeNotice(ev({ ev: 'capacity-ordered', srv: 'a:1', n: 4_000_000 }))?.text).toBe('capacity of a:1 set to 4.00 Mbit/s');
    expect(describeNotice(ev({ ev: 'migrate', sid: 3, srv: 'a:1', why: 'overload' }))).toEqual({ text: 'stream 3 migrates off a:1 (overload)', level: 'warn' });
    expect(describeNotice(ev({ ev: 'handoff-failed', sid: 3, srv: 'a:1', why: 'drain' }))).toEqual({ text: 'handoff 3 from a:1 failed (drain)', level: 'error' });
    expect(describeNotice(ev({ ev: 'handoff-start', sid: 3, srv: 'a:1', to: 'b:2', why: 'operator', npt: 1_000 }))?.text).toBe('handoff 3 starts a:1 → b:2 (operator) at 1.00 s');
    expect(describeNotice(ev({ ev: 'handoff-start', sid: 3, srv: 'a:1', why: 'drain', npt: 1_000 }))?.text).toBe('handoff 3 starts from a:1 (drain) at 1.00 s');
    expect(describeNotice(ev({ ev: 'request-errors', code: 'not-found', n: 12 }))).toEqual({ text: '12 requests answered with not-found', level: 'warn' });
  });

  it('request counts are no line, but count; unknown kinds are ignored', () => {
    const requests = ev({ ev: 'requests', counts: [3, 2, 1] });
    expect(describeNotice(requests)).toBeUndefined();
    expect(requestCount(requests)).toBe(6);
    expect(requestCount(ev({ ev: 'server-up', srv: 'a:1' }))).toBe(0);
    expect(describeNotice(ev({ ev: 'something-new', srv: 'a:1' }))).toBeUndefined();
    expect(eventView(ev({ ev: 'something-new' }), 1, 0)).toBeUndefined();
  });

  it('an event happened `ago` ms before its notice came, and keeps its sequence number, server and stream', () => {
    const v = eventView(ev({ ev: 'handoff', sid: 9, srv: 'a:1', to: 'b:2', why: 'drain', gap: 0, ago: 250 }), 42, 10_000);
    expect(v).toMatchObject({ seq: 42, at: 9_750, kind: 'handoff', level: 'info', srv: 'a:1', sid: 9 });
  });
});

describe('requests per second', () => {
  it('is the last window of the notices while it is recent, then 0', () => {
    const r = new RequestRate();
    r.onWindow(30, 1_000);
    expect(r.value(1_100, true)).toBe(30);
    r.onWindow(5, 2_000);
    expect(r.value(2_100, true)).toBe(5);
    expect(r.value(2_000 + 3_000, true)).toBe(0);
  });

  it('without a subscription, comes from the growth of the master\'s request counter; a counter that went back starts over', () => {
    const r = new RequestRate();
    r.onCounter(100, 0);
    r.onCounter(150, 500);
    expect(r.value(500, false)).toBe(100);
    r.onCounter(10, 1_000);
    expect(r.value(1_000, false)).toBe(0);
  });
});

const server = (name: string, bw: number, state = 'up'): StatusServer => ({ name, group: 'g', state, files: 2, streams: bw > 0 ? 1 : 0, bw, avg: bw, sent: bw, cap: 1_000_000_000, missed: 0 }) as StatusServer;

describe('status rows as views', () => {
  it('a server\'s history grows by one sample per refresh, up to HISTORY_LENGTH', () => {
    let h: number[] = [];
    for (let i = 0; i < HISTORY_LENGTH + 5; i++) h = nextHistory(h, i);
    expect(h).toHaveLength(HISTORY_LENGTH);
    expect(h[0]).toBe(5);
    expect(h.at(-1)).toBe(HISTORY_LENGTH + 4);
  });

  it('an unchanged row keeps its object; a changed one is new', () => {
    let views = serverViews([server('a:1', 0), server('b:2', 4_000_000)], []);
    for (let i = 0; i < HISTORY_LENGTH; i++) views = serverViews([server('a:1', 0), server('b:2', 4_000_000)], views);
    const steady = serverViews([server('a:1', 0), server('b:2', 4_000_000)], views);
    expect(steady[0]).toBe(views[0]);
    expect(steady[1]).toBe(views[1]);
    const next = serverViews([server('a:1', 0, 'down'), server('b:2', 4_000_000)], steady);
    expect(next[0]).not.toBe(steady[0]);
    expect(next[0]!.state).toBe('down');
    expect(next[1]).toBe(steady[1]);
  });

  it('a session\'s length comes from its size and rate; absent fields stay absent', () => {
    expect(durationOf(1_000_000, 4_000_000)).toBe(2_000);
    expect(durationOf(undefined, 4_000_000)).toBeUndefined();
    const row = { sid: 5, client: 'c:1', file: 'a.ts', srv: 'a:1', age: 10, live: true, npt: 1_500, size: 1_000_000, rate: 4_000_000, scale: 1000, handoffs: 1, moving: true } as StatusSession;
    const [v] = sessionViews([row], []);
    expect(v).toEqual({ sid: 5, client: 'c:1', file: 'a.ts', srv: 'a:1', npt: 1_500, duration: 2_000, rate: 4_000_000, scale: 1000, handoffs: 1, moving: true });
    const [bare] = sessionViews([{ sid: 6, client: 'c:1', file: 'b.ts', srv: 'a:1', age: 0, live: false } as StatusSession], []);
    expect(bare).toEqual({ sid: 6, client: 'c:1', file: 'b.ts', srv: 'a:1', handoffs: 0, moving: false });
    expect('npt' in bare!).toBe(false);
  });

  it('the masters pane counts the streams each member assigned (§12.4) from the sessions\' `by`; unchanged members keep their objects', () => {
    const session = (sid: number, by?: string) => ({ sid, client: 'c:1', file: 'a.ts', srv: 'a:1', age: 0, live: true, ...(by ? { by } : {}) }) as StatusSession;
    const sessions = sessionViews([session(1), session(2, 'm:2'), session(3, 'm:2'), session(4)], []);
    expect(sessions[1]!.by).toBe('m:2');
    const rows = [{ addr: 'm:3', state: 'alive' as const, inc: 1, age: 0 }, { addr: 'm:2', state: 'alive' as const, inc: 2, age: 0 }];
    const members = memberViews('m:1', rows, [], sessions, 3, []);
    expect(members.map((m) => [m.addr, m.assigned])).toEqual([['m:1', 2], ['m:2', 2], ['m:3', 0]]);
    const again = memberViews('m:1', rows, [], sessions, 3, members);
    expect(again.every((m, i) => m === members[i])).toBe(true);
    const moved = memberViews('m:1', rows, [], sessionViews([session(1), session(2, 'm:3')], sessions), 3, members);
    expect(moved.map((m) => m.assigned)).toEqual([1, 0, 1]);
  });
});
