/**
 * Real mode with link faults applied by the relay: 5% loss on every link
 * (bursts of 2), and a one-way partition (server → client) that heals.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PERFECT } from '../../testbed/scenario/linkPresets.js';
import { runReal } from '../../testbed/real/run.js';
import { tempDir } from '../helpers/processes.js';
import { client, expectCopiesIdentical, expectNoProcessLeft, media, scenario, server } from './scenarios.js';

const dir = tempDir('ofp-real-');

// Each run has its own processes, relay and ports: they run side by side.
describe.concurrent('real mode, link faults', () => {
  it('5% loss with bursts on every link: copies identical, the trace shows the lost datagrams', async () => {
    const s = scenario('lossy', {
      link: { ...PERFECT, loss: 0.05, burst: 2, delay: 2, jitter: 2 },
      media: [media('a.ts', 2, 2_000_000)],
      servers: [server('s1', ['a.ts']), server('s2', ['a.ts'])],
      clients: [client('c1', 'a.ts', 0), client('c2', 'a.ts', 100)],
      duration: 1_000,
    });
    const run = await runReal(s, { workDir: join(dir, 'lossy') });
    expectCopiesIdentical(run);
    expect(run.record.crashed).toEqual([]);
    const lost = run.trace.filter((e) => e.fault === 'burst-lost');
    const data = run.trace.filter((e) => e.type === 'data');
    // About 5% of everything; bursts make the count vary (σ ≈ 1% over a thousand datagrams).
    expect(lost.length / run.trace.length).toBeGreaterThan(0.01);
    expect(lost.length / run.trace.length).toBeLessThan(0.12);
    expect(data.filter((e) => e.fault === 'burst-lost').length).toBeGreaterThan(0);
    // The relay counted each one it dropped; the servers resent what was lost, so every chunk of both copies got through.
    expect(run.relay.faults['burst-lost']).toBe(lost.length);
    const chunks = 2 * Math.ceil(500_000 / 1100);
    expect(data.length).toBeGreaterThan(chunks);
    expect(data.filter((e) => e.fault === 'delivered').length).toBeGreaterThanOrEqual(chunks);
    expectNoProcessLeft(run);
  });

  it('a one-way partition from the server to the client that heals: only that direction is blocked, the copy is identical', async () => {
    const s = scenario('one-way', {
      // The cut comes 3 s in: a client process may take a second or two to start on a busy machine.
      media: [media('a.ts', 6, 2_000_000)],
      servers: [server('s1', ['a.ts']), server('s2', ['a.ts'], { capacity: 100_000_000 })],
      clients: [client('c1', 'a.ts', 0)],
      faults: [
        { at: 3_000, action: { kind: 'partition', sides: [['s1'], ['c1']], oneWay: true } },
        { at: 3_800, action: { kind: 'heal' } },
      ],
      duration: 4_000,
    });
    const run = await runReal(s, { workDir: join(dir, 'one-way') });
    expectCopiesIdentical(run);
    const [cut, heal] = run.record.events.filter((e) => e.node === 'testbed' && e.type === 'fault').map((e) => e.t);
    const blocked = run.trace.filter((e) => e.fault === 'blocked');
    expect(blocked.length).toBeGreaterThan(0);
    for (const e of blocked) {
      expect(e).toMatchObject({ from: 's1', to: 'c1' });
      expect(e.t).toBeGreaterThanOrEqual(cut!);
      expect(e.t).toBeLessThanOrEqual(heal!);
    }
    // The other direction went on: the client's acks and requests still reached s1 during the cut.
    expect(run.trace.some((e) => e.from === 'c1' && e.to === 's1' && e.fault === 'delivered' && e.t > cut! + 50 && e.t < heal!)).toBe(true);
    // Cut off for 800 ms, longer than the client waits on a silent server: it moved to s2.
    expect(run.record.clients[0]!.handoffs).toBeGreaterThanOrEqual(1);
    expect(run.record.clients[0]!.servers).toContain('s2');
    expectNoProcessLeft(run);
  });
});
