/** The dashboard's store changes only when the data does, keeps histories and the newest events; when the view is interactive. */
import { describe, expect, it } from 'vitest';
import { EVENT_LIMIT, type EventView, HISTORY_LENGTH } from '../../src/view/model.js';
import { DashboardStore, type Poll } from '../../src/runtime/dashboard/store.js';
import { ciSet, interactiveTerminal } from '../../src/runtime/dashboard/view.js';
import type { StatusServer, StatusSession, StatusSummary } from '../../src/runtime/statusQuery.js';

const summary = (o: Partial<StatusSummary> = {}): StatusSummary => ({
  servers: 2, up: 2, files: 3, sessions: 1, bw: 4_000_000, cap: 2_000_000_000, requests: 10, policy: 'greatest-available-bandwidth', mode: 'redirect', uptime: 1_000, ...o,
});
const server = (name: string, bw: number, state = 'up'): StatusServer => ({ name, group: 'g', state, files: 2, streams: bw > 0 ? 1 : 0, bw, avg: bw, sent: bw, cap: 1_000_000_000, missed: 0 }) as StatusServer;
const session = (sid: number, npt: number): StatusSession => ({ sid, client: 'c:1', file: 'a.ts', srv: 'a:1', age: 0, live: true, npt, size: 1_000_000, rate: 4_000_000 }) as StatusSession;

function poll(o: Partial<Poll> = {}): Poll {
  return { summary: summary(), servers: [server('a:1', 4_000_000), server('b:2', 0)], sessions: [session(1, 500)], requestsPerSec: 0, ...o };
}

function counting(store: DashboardStore): { calls: number } {
  const c = { calls: 0 };
  store.subscribe(() => c.calls++);
  return c;
}

describe('the snapshot store', () => {
  it('starts connecting, empty, at version 0', () => {
    const s = new DashboardStore('127.0.0.1:7700').get();
    expect(s).toMatchObject({ master: '127.0.0.1:7700', reachability: 'connecting', servers: [], sessions: [], events: [], version: 0 });
  });

  it('a refresh with new data is one change; the same data again, once histories are full, is none', () => {
    const store = new DashboardStore('m');
    const c = counting(store);
    store.applyPoll(poll());
    expect(c.calls).toBe(1);
    expect(store.get().version).toBe(1);
    expect(store.get().totals).toEqual({ serversUp: 2, servers: 2, streams: 1, bw: 4_000_000, cap: 2_000_000_000, requestsPerSec: 0 });
    expect(store.get().sessions[0]).toMatchObject({ sid: 1, npt: 500, duration: 2_000 });
    // Histories grow until full: each of those refreshes is a change.
    for (let i = 1; i < HISTORY_LENGTH; i++) store.applyPoll(poll());
    expect(store.get().servers[0]!.history).toHaveLength(HISTORY_LENGTH);
    const before = store.get();
    const calls = c.calls;
    store.applyPoll(poll());
    store.applyPoll(poll());
    expect(c.calls).toBe(calls);
    expect(store.get()).toBe(before);
  });

  it('a moving position, a server going down or a new request rate is a change', () => {
    const store = new DashboardStore('m');
    for (let i = 0; i < HISTORY_LENGTH; i++) store.applyPoll(poll());
    const v = store.get().version;
    store.applyPoll(poll({ sessions: [session(1, 1_500)] }));
    expect(store.get().version).toBe(v + 1);
    expect(store.get().sessions[0]!.npt).toBe(1_500);
    store.applyPoll(poll({ sessions: [session(1, 1_500)], servers: [server('a:1', 4_000_000), server('b:2', 0, 'down')] }));
    expect(store.get().servers[1]!.state).toBe('down');
    expect(store.get().version).toBe(v + 2);
    store.applyPoll(poll({ sessions: [session(1, 1_500)], servers: [server('a:1', 4_000_000), server('b:2', 0, 'down')], requestsPerSec: 12.5 }));
    expect(store.get().totals.requestsPerSec).toBe(12.5);
    expect(store.get().version).toBe(v + 3);
  });

  it('counts how far the servers\' views converged (§13), as the data changes: those whose view holds every other live server', () => {
    const store = new DashboardStore('m');
    store.applyPoll(poll());
    expect(store.get().totals.views, 'no server keeps a view').toBeUndefined();
    const viewing = (vk: readonly number[], down = -1) => vk.map((k, i) => ({ ...server(`s:${i}`, 0, i === down ? 'down' : 'up'), vk: k, vs: 1 }) as StatusServer);
    store.applyPoll(poll({ servers: viewing([2, 1, 2]) }));
    expect(store.get().totals.views).toEqual({ whole: 2, of: 3 });
    const v = store.get().version;
    store.applyPoll(poll({ servers: viewing([2, 2, 2]) }));
    expect(store.get().totals.views).toEqual({ whole: 3, of: 3 });
    expect(store.get().version).toBe(v + 1);
    // A server down is no longer expected in the others' views, nor counted.
    store.applyPoll(poll({ servers: viewing([1, 1, 2], 2) }));
    expect(store.get().totals.views).toEqual({ whole: 2, of: 2 });
  });

  it('keeps a table that could not be read', () => {
    const store = new DashboardStore('m');
    store.applyPoll(poll());
    const { servers, sessions } = store.get();
    store.applyPoll({ summary: summary({ sessions: 2 }), requestsPerSec: 0 });
    expect(store.get().servers).toBe(servers);
    expect(store.get().sessions).toBe(sessions);
    expect(store.get().totals.streams).toBe(2);
  });

  it('a server\'s history is its bandwidth at each refresh, oldest first', () => {
    const store = new DashboardStore('m');
    for (const bw of [1, 2, 3]) store.applyPoll(poll({ servers: [server('a:1', bw)] }));
    expect(store.get().servers[0]!.history).toEqual([1, 2, 3]);
  });

  it('reachability changes are changes; hearing from the master alone is not, and shows with the next change', () => {
    const store = new DashboardStore('m');
    const c = counting(store);
    store.heardFrom(1_234);
    expect(c.calls).toBe(0);
    store.setReachability('up');
    expect(store.get()).toMatchObject({ reachability: 'up', lastHeard: 1_234 });
    store.setReachability('up');
    expect(c.calls).toBe(1);
    store.setReachability('unreachable');
    expect(c.calls).toBe(2);
  });

  it('events are newest first, capped at EVENT_LIMIT; the dashboard\'s own have negative sequence numbers', () => {
    let t = 0;
    const store = new DashboardStore('m', () => t);
    const batch: EventView[] = Array.from({ length: EVENT_LIMIT + 10 }, (_, i) => ({ seq: i + 1, at: i, kind: 'server-up', level: 'info', text: `e${i + 1}` }));
    store.addEvents(batch.slice(0, 100));
    store.addEvents(batch.slice(100));
    const events = store.get().events;
    expect(events).toHaveLength(EVENT_LIMIT);
    expect(events[0]!.seq).toBe(EVENT_LIMIT + 10);
    expect(events.at(-1)!.seq).toBe(11);
    t = 10_000;
    const mine = store.note('action', 'info', 'drain a:1: ok', { srv: 'a:1' });
    expect(mine).toMatchObject({ seq: -1, at: 10_000, kind: 'action', srv: 'a:1' });
    expect(store.get().events[0]).toBe(mine);
    expect(store.note('error', 'error', 'x').seq).toBe(-2);
  });

  it('an event that comes late (asked for again) takes its place by time', () => {
    const store = new DashboardStore('m');
    store.addEvents([{ seq: 3, at: 300, kind: 'k', level: 'info', text: 'c' }, { seq: 1, at: 100, kind: 'k', level: 'info', text: 'a' }]);
    store.addEvents([{ seq: 2, at: 200, kind: 'k', level: 'info', text: 'b' }]);
    expect(store.get().events.map((e) => e.seq)).toEqual([3, 2, 1]);
    const v = store.get().version;
    store.addEvents([]);
    expect(store.get().version).toBe(v);
  });

  it('unsubscribing stops the calls', () => {
    const store = new DashboardStore('m');
    let calls = 0;
    const off = store.subscribe(() => calls++);
    store.setReachability('up');
    off();
    store.setReachability('unreachable');
    expect(calls).toBe(1);
  });
});

describe('when the dashboard is interactive', () => {
  it('needs a terminal on stdout and stdin, and no CI', () => {
    const tty = { isTTY: true };
    expect(interactiveTerminal(tty, {}, tty)).toBe(true);
    expect(interactiveTerminal({ isTTY: false }, {}, tty)).toBe(false);
    expect(interactiveTerminal(tty, {}, {})).toBe(false);
    expect(interactiveTerminal(tty, { CI: 'true' }, tty)).toBe(false);
    expect(interactiveTerminal(tty, { CI: '1' }, tty)).toBe(false);
    expect(interactiveTerminal(tty, { CI: '' }, tty)).toBe(true);
    expect(interactiveTerminal(tty, { CI: 'false' }, tty)).toBe(true);
    expect(ciSet({ CI: '0' })).toBe(false);
  });
});

describe('the snapshot store, for a master in a group (§12.1, §12.2)', () => {
  it('keeps the group with the watched master first, each master with the servers it supervises and the streams it assigned, and the servers\' supervisors', () => {
    const store = new DashboardStore('127.0.0.1:7700');
    const servers = [{ ...server('a:1', 0), sup: '127.0.0.1:7700' }, { ...server('b:2', 0), sup: '127.0.0.1:7701', pin: true }, { ...server('c:3', 0), sup: '127.0.0.1:7700' }] as StatusServer[];
    store.applyPoll(poll({
      summary: summary({ group: 2 }),
      servers,
      // One stream of its own, two told by 7701 (§12.4).
      sessions: [session(1, 500), { ...session(2, 500), by: '127.0.0.1:7701' }, { ...session(3, 500), by: '127.0.0.1:7701' }],
      members: [{ addr: '127.0.0.1:7702', state: 'dead', inc: 2, age: 1_234 }, { addr: '127.0.0.1:7701', state: 'alive', inc: 0, age: 9_999 }],
      requestsPerSec: 3,
    }));
    const s = store.get();
    expect(s.servers.map((x) => x.supervisor)).toEqual(['127.0.0.1:7700', '127.0.0.1:7701*', '127.0.0.1:7700']);
    expect(s.members).toEqual([
      { addr: '127.0.0.1:7700', state: 'self', inc: 0, age: 0, supervises: 2, requestsPerSec: 3, assigned: 1 },
      { addr: '127.0.0.1:7701', state: 'alive', inc: 0, age: 9_000, supervises: 1, assigned: 2 },
      { addr: '127.0.0.1:7702', state: 'dead', inc: 2, age: 1_000, supervises: 0, assigned: 0 },
    ]);
    // A master on its own has no group to show.
    store.applyPoll(poll());
    expect(store.get().members).toEqual([]);
  });
});
