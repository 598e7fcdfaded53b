/**
 * Small scenarios for the real-mode tests, built as the normalized Scenario
 * objects the runners take, and what the tests check about a run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { ClientSpec, MasterSpec, MediaSpec, Scenario, ServerSpec } from '../../testbed/scenario/types.js';
import { PERFECT } from '../../testbed/scenario/linkPresets.js';
import type { RealRun } from '../../testbed/real/run.js';

export function master(name = 'm1', over: Partial<MasterSpec> = {}): MasterSpec {
  return { name, policy: 'greatest-available-bandwidth', mode: 'redirect', pollInterval: 300, peers: [], ...over };
}

export function server(name: string, files: readonly string[], over: Partial<ServerSpec> = {}): ServerSpec {
  return { name, files, capacity: 1_000_000_000, group: 'default', masters: ['m1'], ...over };
}

export function client(name: string, file: string, start: number, over: Partial<ClientSpec> = {}): ClientSpec {
  return { name, file, start, choose: 'random', masters: ['m1'], schedule: [], ...over };
}

export function media(name: string, seconds: number, bitrate: number, over: Partial<MediaSpec> = {}): MediaSpec {
  return { name, duration: seconds * 1000, bitrate, ...over };
}

export function scenario(name: string, over: Partial<Scenario> = {}): Scenario {
  return {
    name,
    description: name,
    seed: 7,
    duration: 3_000,
    converge: 20_000,
    link: PERFECT,
    media: [],
    masters: [master()],
    portals: [],
    servers: [],
    clients: [],
    attackers: [],
    bases: [],
    jobs: [],
    impairments: [],
    faults: [],
    expect: {},
    tags: ['short'],
    ...over,
  };
}

/** True while a process with this pid runs (a zombie, dead but not yet reaped by its new parent, does not). */
export function alive(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

/** Every process the run started is gone. */
export function expectNoProcessLeft(run: RealRun): void {
  expect(run.processes.length).toBeGreaterThan(0);
  for (const p of run.processes) {
    expect(p.exit, `${p.node} (pid ${p.pid}) exited`).toBeDefined();
    expect(alive(p.pid!), `${p.node} (pid ${p.pid}) is gone`).toBe(false);
  }
}

/** Every client finished with a copy identical to the original. */
export function expectCopiesIdentical(run: RealRun): void {
  for (const c of run.record.clients) {
    expect(c, `${c.name}: ${run.logs[c.name]?.split('\n').slice(-8).join('\n')}`).toMatchObject({ ok: true, identical: true, prefix: true });
  }
}

/** Children of this process that run `ofp` (none should outlive a run). */
export function ofpChildren(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('bin/run.js')) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}
