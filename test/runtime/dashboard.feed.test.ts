/**
 * The dashboard's feed against a real master on loopback (in process, real
 * UDP, a cluster key): the tables and the notices reach the store, the
 * actions reach the master, a master that goes away is shown unreachable and,
 * once a master answers on that address again, up, with its events.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseAddress } from '../../src/protocol/address.js';
import { SUBSCRIBE_RENEW } from '../../src/protocol/constants.js';
import type { Master } from '../../src/roles/master/master.js';
import { masterActions } from '../../src/runtime/dashboard/actions.js';
import { MasterFeed } from '../../src/runtime/dashboard/feed.js';
import { DashboardStore } from '../../src/runtime/dashboard/store.js';
import type { RunningRole } from '../../src/runtime/driver.js';
import { startFetch } from '../../src/runtime/fetch.js';
import { startMaster } from '../../src/runtime/master.js';
import { scanMediaDir } from '../../src/runtime/mediaDir.js';
import type { ResolvedEndpoint } from '../../src/runtime/resolve.js';
import { type RunningServer, startServer } from '../../src/runtime/server.js';
import { makeSyntheticFile } from '../../src/runtime/syntheticFile.js';
import type { Snapshot } from '../../src/view/model.js';
import { waitUntil, within } from '../helpers/wait.js';

const KEY = 'dashboard-secret';
const REFRESH = 200;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ofp-dashboard-'));
  makeSyntheticFile({ name: 'A.ts', durationMs: 3_000, rate: 4_000_000, dir });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.reverse()) await s();
  stops = [];
});

function endpoint(address: string): ResolvedEndpoint {
  const p = parseAddress(address)!;
  return { host: p.host, port: p.port, family: 4, address };
}

async function master(port = 0, key = KEY): Promise<RunningRole<Master>> {
  const m = await startMaster({ host: '127.0.0.1', port, policy: 'greatest-available-bandwidth', mode: 'redirect', pollInterval: 200, key }, () => {});
  stops.push(() => m.close());
  return m;
}

async function server(masterAddress: string): Promise<RunningServer> {
  let registered = false;
  const s = await startServer({ host: '127.0.0.1', port: 0, masters: [masterAddress], media: scanMediaDir(dir, 4_000_000), group: 'g', cap: 1_000_000_000, key: KEY }, (e) => {
    if (e.type === 'registration-registered') registered = true;
  });
  stops.push(() => s.stop());
  await waitUntil(() => registered, 10_000, 'the server registered');
  return s;
}

async function feed(address: string, key = KEY): Promise<{ store: DashboardStore; feed: MasterFeed }> {
  const store = new DashboardStore(address);
  const f = await MasterFeed.start({ master: endpoint(address), key, refreshMs: REFRESH, store });
  stops.push(() => f.close());
  return { store, feed: f };
}

const upCount = (s: Snapshot) => s.servers.filter((x) => x.state === 'up').length;
const hasEvent = (s: Snapshot, kind: string, srv?: string) => s.events.some((e) => e.kind === kind && (srv === undefined || e.srv === srv));

describe('the dashboard feed, against a real master', () => {
  it('fills the store with the master\'s servers, sessions and events, and counts its requests', async () => {
    const m = await master();
    const servers = [await server(m.address), await server(m.address)];
    const names = servers.map((s) => s.running.address);
    const { store, feed: f } = await feed(m.address);
    await waitUntil(() => store.get().reachability === 'up' && upCount(store.get()) === 2, 10_000, 'both servers up in the store');
    // What happened before the dashboard came: the master still holds it, and sends it.
    await waitUntil(() => names.every((n) => hasEvent(store.get(), 'server-up', n)), 10_000, 'the server-up events');
    expect(f.subscriber.active).toBe(true);
    expect(store.get().totals).toMatchObject({ servers: 2, serversUp: 2 });

    let sawSession: Snapshot['sessions'][number] | undefined;
    let maxRate = 0;
    store.subscribe(() => {
      const s = store.get();
      sawSession ??= s.sessions.find((x) => x.npt !== undefined);
      maxRate = Math.max(maxRate, s.totals.requestsPerSec);
    });
    const fetch = await startFetch({ masters: [m.address], file: 'A.ts', choose: { by: 'random' }, host: '127.0.0.1' }, { onFlows: () => {}, onBytes: () => {}, onEvent: () => {} });
    stops.push(() => fetch.running.close());
    await waitUntil(() => sawSession !== undefined, 10_000, 'a playing session in the store');
    expect(sawSession).toMatchObject({ file: 'A.ts', duration: 3_000, rate: 4_000_000, handoffs: 0, moving: false });
    expect(names).toContain(sawSession!.srv);
    await waitUntil(() => maxRate > 0, 10_000, 'a request rate from the master\'s notices');
    // One client, one request (two if a datagram was lost): in a window of one second.
    expect(maxRate).toBeGreaterThanOrEqual(1);
    expect(maxRate).toBeLessThanOrEqual(2);
    await within(fetch.done, 15_000, 'the fetch');
  }, 40_000);

  it('drains a server through the master and reports it; a refused handoff says why', async () => {
    const m = await master();
    const [a] = [await server(m.address), await server(m.address)];
    const { store } = await feed(m.address);
    await waitUntil(() => upCount(store.get()) === 2, 10_000, 'both servers up');
    const actions = masterActions({ master: () => endpoint(m.address), key: KEY, store });
    const r = await actions.drain(a!.running.address);
    expect(r.ok, r.text).toBe(true);
    expect(r.text).toContain(`drain ${a!.running.address}`);
    expect(store.get().events.some((e) => e.kind === 'action' && e.text === r.text)).toBe(true);
    await waitUntil(() => hasEvent(store.get(), 'drain-ordered', a!.running.address), 10_000, 'the drain-ordered event');
    await waitUntil(() => hasEvent(store.get(), 'server-left', a!.running.address) || store.get().servers.some((s) => s.name === a!.running.address && s.state !== 'up'), 10_000, 'the drained server no longer up');

    const refused = await actions.handoff(12345);
    expect(refused.ok).toBe(false);
    expect(refused.text).toMatch(/^handoff 12345 refused: [\w-]+: /);
    expect(store.get().events[0]).toMatchObject({ kind: 'error', level: 'error', text: refused.text, sid: 12345 });
  }, 40_000);

  it('shows a master that goes away unreachable, and up again with its events once it is back', async () => {
    const first = await master();
    const address = first.address;
    const port = parseAddress(address)!.port;
    await server(address);
    const { store, feed: f } = await feed(address);
    await waitUntil(() => upCount(store.get()) === 1 && f.subscriber.active, 10_000, 'the server up, subscribed');
    await first.close();
    await waitUntil(() => store.get().reachability === 'unreachable', 10_000, 'unreachable');
    expect(store.get().events[0]!.text).toBe(`master ${address} does not answer: is it running, and does it have the same --key?`);
    expect(f.subscriber.active).toBe(false);
    expect(store.get().lastHeard).toBeDefined();

    const second = await master(port);
    await waitUntil(() => store.get().reachability === 'up', 10_000, 'up again');
    expect(store.get().events.some((e) => e.text === `master ${address} answers again`)).toBe(true);
    await waitUntil(() => f.subscriber.active, 10_000, 'subscribed again');
    // The new master's events reach the store: a server joins it.
    await waitUntil(() => store.get().events.some((e) => e.text.startsWith(`master ${address} has restarted`)), 10_000, 'the restart noticed');
    const late = await server(second.address);
    await waitUntil(() => hasEvent(store.get(), 'server-up', late.running.address), 10_000, 'the new master\'s server-up');
    // Taken once, however the restart was found out (a new cookie, the uptime); a renewal comes and goes meanwhile.
    await new Promise((r) => setTimeout(r, SUBSCRIBE_RENEW + 500));
    expect(store.get().events.filter((e) => e.kind === 'server-up' && e.srv === late.running.address)).toHaveLength(1);
    expect(store.get().events.filter((e) => e.text.startsWith(`master ${address} has restarted`))).toHaveLength(1);
  }, 40_000);

  it('a wrong key, or none: the master (which drops what it cannot authenticate) is unreachable, and the line says what to check', async () => {
    const m = await master();
    const wrong = await feed(m.address, 'not-the-key');
    const none = await feed(m.address, '');
    await waitUntil(() => wrong.store.get().reachability === 'unreachable' && none.store.get().reachability === 'unreachable', 10_000, 'unreachable');
    expect(wrong.store.get().events[0]!.text).toMatch(/does not answer: is it running, and does it have the same --key\?$/);
    expect(none.store.get().events[0]!.text).toMatch(/does not answer: is it running\? if it has a cluster key, pass --key$/);
  }, 20_000);
});

describe('the dashboard feed, against a master of a group (§12.1, §12.2)', () => {
  it('fills the masters pane with the group, the servers with their supervisor, and shows a master\'s death as an event', async () => {
    // Two masters on fixed ports of their own choosing: bind at 0, learn the ports, then name them as peers.
    const probe = await Promise.all([master(), master()]);
    const ports = probe.map((m) => m.port);
    for (const m of probe) await m.close();
    stops = [];
    const addrs = ports.map((p) => `127.0.0.1:${p}`);
    const group = await Promise.all(ports.map(async (port, i) => {
      const m = await startMaster({ host: '127.0.0.1', port, policy: 'greatest-available-bandwidth', mode: 'redirect', pollInterval: 200, key: KEY, peers: [addrs[1 - i]!] }, () => {});
      stops.push(() => m.close());
      return m;
    }));
    let registered = 0;
    const s = await startServer({ host: '127.0.0.1', port: 0, masters: addrs, media: scanMediaDir(dir, 4_000_000), group: 'g', cap: 1_000_000_000, key: KEY }, (e) => {
      if (e.type === 'registration-registered') registered++;
    });
    stops.push(() => s.stop());
    await waitUntil(() => registered === 2, 10_000, 'the server registered with both');
    const { store } = await feed(addrs[0]!);
    await waitUntil(() => store.get().members.length === 2 && store.get().members[1]!.state === 'alive' && store.get().servers[0]?.supervisor !== undefined, 10_000, 'the group and the supervisor in the store');
    const snap = store.get();
    expect(snap.members.map((m) => [m.addr, m.state])).toEqual([[addrs[0], 'self'], [addrs[1], 'alive']]);
    const sup = snap.servers[0]!.supervisor!;
    expect(addrs).toContain(sup);
    expect(snap.members.find((m) => m.addr === sup)!.supervises).toBe(1);
    // The other master dies: the watched one says so, in the pane and as an event.
    await group[1]!.close();
    await waitUntil(() => store.get().members[1]?.state === 'dead' && store.get().events.some((e) => e.kind === 'member-dead'), 10_000, 'the other master dead');
    await waitUntil(() => store.get().servers[0]?.supervisor === addrs[0], 10_000, 'the server supervised by the master left');
  }, 30_000);
});
