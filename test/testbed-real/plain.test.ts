/**
 * Real mode without faults: a master, two servers, clients through the
 * impairment relay on a perfect link; and attackers whose forged datagrams
 * must not be amplified.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runReal } from '../../testbed/real/run.js';
import { tempDir } from '../helpers/processes.js';
import { client, expectCopiesIdentical, expectNoProcessLeft, media, scenario, server } from './scenarios.js';

const dir = tempDir('ofp-real-');

// Each run has its own processes, relay and ports: they run side by side.
describe.concurrent('real mode, no faults', () => {
  it('three clients (redirected, listed for an item of two flows, relayed with a rate schedule): copies identical, events and latencies recorded', async () => {
    const s = scenario('plain', {
      media: [media('a.ts', 2, 2_000_000), media('duo', 2, 0, { flows: [{ name: 'video', bitrate: 1_500_000 }, { name: 'audio', bitrate: 128_000 }] })],
      servers: [server('s1', ['a.ts', 'duo']), server('s2', ['a.ts', 'duo'])],
      clients: [
        client('c1', 'a.ts', 0),
        client('c2', 'duo', 200, { mode: 'list', choose: 'fewest-users' }),
        // Twice the media rate after half a second of play.
        client('c3', 'a.ts', 100, { mode: 'relay', schedule: [{ at: 500, scale: 2_000 }] }),
      ],
      duration: 1_000,
    });
    const run = await runReal(s, { workDir: join(dir, 'plain') });
    const r = run.record;
    expect(r).toMatchObject({ scenario: 'plain', mode: 'real', seed: 7, crashed: [], serversDown: [], spoofed: { sent: 0, reflected: 0 } });
    expectCopiesIdentical(run);
    expect(r.clients.map((c) => c.bytes)).toEqual([500_000, 375_000 + 32_000, 500_000]);
    for (const c of r.clients) {
      expect(c.handoffs).toBe(0);
      expect(c.servers).toHaveLength(1);
      expect(['s1', 's2']).toContain(c.servers[0]);
    }
    // Each client asked once and was answered (a redirect, a list, a relayed setup) through the relay: a few ms on loopback,
    // under a second however busy the machine (the benchmark measures the latency).
    expect(r.answerLatencies).toHaveLength(3);
    for (const ms of r.answerLatencies) expect(ms).toBeGreaterThan(0);
    for (const ms of r.answerLatencies) expect(ms).toBeLessThan(1_000);
    expect(r.streamsPerServer.s1! + r.streamsPerServer.s2!).toBe(3);
    // Events of every role, in time order, named by node, with public addresses written as node names.
    expect(new Set(r.events.map((e) => e.node))).toEqual(new Set(['m1', 's1', 's2', 'c1', 'c2', 'c3']));
    for (let i = 1; i < r.events.length; i++) expect(r.events[i]!.t).toBeGreaterThanOrEqual(r.events[i - 1]!.t);
    const redirected = r.events.find((e) => e.node === 'c1' && e.type === 'redirected');
    expect(redirected?.data).toMatchObject({ master: 'm1' });
    expect(['s1', 's2']).toContain(redirected?.data.srv);
    expect(r.events.find((e) => e.node === 'c2' && e.type === 'listed')?.data).toMatchObject({ master: 'm1', servers: 2 });
    expect(r.events.find((e) => e.node === 'c3' && e.type === 'setup')?.data).toMatchObject({ via: 'master' });
    expect(r.events.find((e) => e.node === 'c3' && e.type === 'adjusted')?.data).toMatchObject({ scale: 2_000 });
    expect(r.events.filter((e) => e.node === 'm1' && e.type === 'server-up').map((e) => e.data.srv).sort()).toEqual(['s1', 's2']);
    // No client starts before its time (a process takes a few hundred ms to start, more on a loaded machine).
    for (const c of s.clients) expect(r.events.find((e) => e.node === c.name && e.type === 'ask')!.t, c.name).toBeGreaterThanOrEqual(c.start);
    expect(r.elapsed).toBeGreaterThanOrEqual(1_000);
    expect(r.wall).toBeGreaterThan(r.elapsed);
    // The relay saw every datagram, none from an unknown address, and no address that bypasses it.
    expect(run.relay).toMatchObject({ unknownSources: 0, noSuchNode: 0, dropped: 0, leaks: 0 });
    expect(run.traceInfo).toMatchObject({ bulkEvery: 1, controlEvery: 1 });
    expect(run.trace.length).toBe(run.traceInfo.datagrams);
    const types = new Set(run.trace.map((e) => e.type));
    for (const t of ['register', 'request', 'redirect', 'server-list', 'setup', 'play', 'data', 'ack', 'poll', 'load']) expect(types, t).toContain(t);
    expect(run.trace.filter((e) => e.from === 'c1' && e.to === 'm1' && e.type === 'request')).toHaveLength(1);
    expect(Object.keys(run.logs).sort()).toEqual(['c1', 'c2', 'c3', 'm1', 's1', 's2', 'testbed']);
    expect(run.logs.c1).toMatch(/complete/);
    expectNoProcessLeft(run);
  });

  it('attackers forging requests, status requests and garbage as a bystander and as a client: reflected ≤ sent, the client unharmed', async () => {
    const s = scenario('spoofed', {
      key: 'testbed-secret-cluster-key',
      media: [media('a.ts', 2, 2_000_000)],
      servers: [server('s1', ['a.ts'])],
      clients: [client('c1', 'a.ts', 0)],
      attackers: [
        { name: 'x1', target: 'm1', spoof: 'victim', kind: 'request', rate: 300, start: 0, stop: 1_000 },
        { name: 'x2', target: 'm1', spoof: 'victim', kind: 'status', rate: 100, start: 0, stop: 1_000 },
        { name: 'x3', target: 's1', spoof: 'c1', kind: 'request', rate: 200, start: 200, stop: 1_000 },
        { name: 'x4', target: 's1', spoof: 'victim', kind: 'garbage', rate: 200, start: 0, stop: 1_000 },
      ],
      duration: 1_200,
    });
    const run = await runReal(s, { workDir: join(dir, 'spoofed') });
    const r = run.record;
    expectCopiesIdentical(run);
    expect(r.crashed).toEqual([]);
    // About 800 datagrams of up to 1200 bytes.
    expect(r.spoofed.sent).toBeGreaterThan(300_000);
    expect(r.spoofed.reflected).toBeLessThanOrEqual(r.spoofed.sent);
    // The master answers forged requests (a redirect is smaller than the padded request): something comes back, less than went out.
    expect(r.spoofed.reflected).toBeGreaterThan(0);
    const forged = run.trace.filter((e) => e.from.startsWith('x'));
    expect(new Set(forged.map((e) => e.from))).toEqual(new Set(['x1', 'x2', 'x3', 'x4']));
    expect(forged.some((e) => e.type.startsWith('!'))).toBe(true);
    expect(run.trace.some((e) => e.from === 'm1' && e.to === 'victim')).toBe(true);
    expectNoProcessLeft(run);
  });
});
