/** Assertions shared by the simulation tests. */
import { expect } from 'vitest';
import type { LinkProfile } from '../../testbed/sim/network.js';
import { expectedBytes, firstDifference, type SimClient, type SimCluster } from '../helpers/simCluster.js';

/** 5% loss both ways, with jitter, duplication and reordering. */
export const LOSSY: LinkProfile = { loss: 0.05, delay: 2, jitter: 4, duplicate: 0.02, reorder: 0.05 };

/** Let servers register (a few poll intervals of virtual time). */
export function warmUp(c: SimCluster, ms = 3000): void {
  c.net.run({ until: c.net.now + ms });
}

/** Run until every client has finished, or `ms` of virtual time. */
export function runToEnd(c: SimCluster, ms = 120_000): void {
  c.net.run({ until: c.net.now + ms, done: c.allDone, maxEvents: 5_000_000 });
}

/** The client completed and its copy is byte-identical to the file. */
export function expectCopy(c: SimCluster, cl: SimClient, file: string, size: number, start = 0): void {
  const r = cl.client.result;
  const context = () => `client ${cl.addr}: ${JSON.stringify(r)}\n${c.logText()}`;
  expect(r?.ok, context()).toBe(true);
  expect(cl.wrong, `client ${cl.addr} handed on bytes out of order`).toBe(0);
  expect(firstDifference(cl.copy, expectedBytes(file, size, start)), `client ${cl.addr} copy of ${file}`).toBeUndefined();
}

/** Run until `cond()` holds; fails when it does not within `ms` of virtual time. */
export function runUntil(c: SimCluster, cond: () => boolean, what: string, ms = 30_000): void {
  c.net.run({ until: c.net.now + ms, done: cond, maxEvents: 5_000_000 });
  expect(cond(), `${what} within ${ms} ms\n${c.logText()}`).toBe(true);
}
