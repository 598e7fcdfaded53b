/**
 * Proximity (S3.5, §12.5), in the simulator: sites on a line, 15 ms apart,
 * each with two servers and its own clients; one master, at the first site.
 * The same arrivals are served three ways: by the default policy; by the
 * `nearest` policy with clients that echo the master's answers (`--echo`: no
 * location said, only round trips); and by `nearest` with clients that say
 * their location. Figures: the share of clients served from their own site,
 * and the mean one-way delay from a client to the server that served it.
 *
 * Each site's clients are one source to the master (a /24 of their own: the
 * simulator gives 250 addresses per /24, so a site has 250 clients).
 */
import { parseScenario } from '../testbed/scenario/parse.js';
import { checkRun, verdictOf } from '../testbed/run/checks.js';
import { runSim } from '../testbed/sim/runSim.js';

export interface ProximitySettings {
  readonly sites: number;
  readonly seed: number;
}

export type ProximityArm = 'default' | 'nearest-echo' | 'nearest-location';

export interface ProximityArmResult {
  readonly arm: ProximityArm;
  /** Clients served from their own site, of those served. */
  readonly ownSite: number;
  /** Mean one-way delay from a client to the server that served it, ms (the links' delays). */
  readonly meanDelayMs: number;
  readonly clients: number;
  readonly passed: boolean;
}

export interface ProximityResults {
  readonly settings: ProximitySettings;
  readonly hopMs: number;
  readonly arms: readonly ProximityArmResult[];
}

/** One-way delay between neighbouring sites, ms. */
const HOP_MS = 15;
/** Clients per site: one /24 in the simulator's address plan. */
const PER_SITE = 250;

const delay = (i: number, j: number) => HOP_MS * Math.abs(i - j);

function scenario(sites: number, arm: ProximityArm): string {
  const policy = arm === 'default' ? 'greatest-available-bandwidth' : 'nearest';
  const lines = [
    `name: proximity-${arm}`,
    'duration: 4s',
    'converge: 20s',
    'masters:',
    `  - {name: master, policy: ${policy}, poll-interval: 250ms}`,
    'media:',
    '  - {name: clip.ts, duration: 1s, bitrate: 64k}',
    'servers:',
    ...Array.from({ length: sites }, (_, i) => `  - {name: s${i}, count: 2, files: ['*'], location: site-${i}}`),
    'clients:',
    ...Array.from({ length: sites }, (_, i) =>
      `  - {name: c${i}, count: ${PER_SITE}, file: clip.ts, start: ${500 + i * 5}ms, every: 10ms${arm === 'nearest-echo' ? ', echo: true' : ''}${arm === 'nearest-location' ? `, location: site-${i}` : ''}}`),
    'impairments:',
  ];
  // The master sits at site 0; every pair of sites is as far apart as their distance on the line.
  const site = (i: number) => (i === 0 ? `[master, s${i}, c${i}]` : `[s${i}, c${i}]`);
  for (let i = 0; i < sites; i++) {
    for (let j = i + 1; j < sites; j++) lines.push(`  - {from: ${site(i)}, to: ${site(j)}, both-ways: true, delay: ${delay(i, j)}ms}`);
  }
  lines.push('expect:', '  copies-identical: true', '  no-crash: true', '');
  return lines.join('\n');
}

async function runArm(s: ProximitySettings, arm: ProximityArm): Promise<ProximityArmResult> {
  const sc = parseScenario(scenario(s.sites, arm), `proximity-${arm}.yaml`);
  const out = await runSim(sc, { seed: s.seed, traceCap: 0 });
  const siteOf = (name: string) => Number(/^[sc](\d+)/.exec(name)![1]);
  let served = 0;
  let own = 0;
  let delaySum = 0;
  for (const c of out.record.clients) {
    const srv = c.servers[0];
    if (srv === undefined) continue;
    served++;
    if (siteOf(srv) === siteOf(c.name)) own++;
    delaySum += delay(siteOf(srv), siteOf(c.name));
  }
  return { arm, ownSite: served > 0 ? own / served : 0, meanDelayMs: served > 0 ? delaySum / served : 0, clients: served, passed: verdictOf(checkRun(sc, out.record)) === 'pass' };
}

export async function benchProximity(s: ProximitySettings, progress: (line: string) => void): Promise<ProximityResults> {
  progress(`masters: proximity over ${s.sites} sites ${HOP_MS} ms apart, ${PER_SITE} clients each, simulated`);
  const arms: ProximityArmResult[] = [];
  for (const arm of ['default', 'nearest-echo', 'nearest-location'] as const) {
    const r = await runArm(s, arm);
    arms.push(r);
    progress(`masters: proximity, ${arm}: ${(r.ownSite * 100).toFixed(1)}% of ${r.clients} clients served at their own site, mean delay to their server ${r.meanDelayMs.toFixed(1)} ms`);
  }
  return { settings: s, hopMs: HOP_MS, arms };
}
