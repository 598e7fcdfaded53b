/**
 * A bounded soak with real processes on loopback: a master, 4 servers, waves
 * of clients in every answer mode, and random faults (a server killed and
 * started again, paused and resumed, drained, overloaded) from a seeded RNG.
 * It reports requests served, handoffs, copies verified, failures and each
 * role's memory over time (stdout and .soak/*.json), and asserts that every
 * copy is identical or a clean error, that memory stays flat, and that no
 * role crashed.
 *
 * Off by default (it takes minutes): `npm run soak`, or OFP_SOAK=1 with
 * OFP_SOAK_SECONDS (default 180), OFP_SOAK_SEED (default 1) and
 * OFP_SOAK_CLIENTS (clients per wave, default 5; two lanes of waves run side by side).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/protocol/rng.js';
import { processScope, runOfp } from '../helpers/processes.js';
import { FaultInjector } from './faults.js';
import { isFlat, memoryTrends, rssKib, type RssSample } from './memory.js';
import { formatReport, summarize, writeReport } from './report.js';
import { SoakCluster } from './soakCluster.js';
import { Waves } from './waves.js';

const ON = process.env.OFP_SOAK === '1';
const SECONDS = Number(process.env.OFP_SOAK_SECONDS ?? 180);
const SEED = Number(process.env.OFP_SOAK_SEED ?? 1);
const WAVE = Number(process.env.OFP_SOAK_CLIENTS ?? 5);
/** Waves run in two lanes side by side: while one lane's slowest client finishes, the other's clients stream. */
const LANES = 2;
const SERVERS = 4;
const POLL_INTERVAL = 500;
const SAMPLE_EVERY = 2_000;
/** Memory is flat when the last third's mean is at most this times the first third's, plus the slack. */
const MEMORY_RATIO = 1.25;
const MEMORY_SLACK_MIB = 16;
/** Only processes that lived through most of the run are judged (a server started again late has few samples). */
const JUDGED_SPAN = 0.6;
const REPORT_DIR = fileURLToPath(new URL('../../.soak/', import.meta.url));

/** Media: short files at a few rates, so that clients come and go often. */
const MEDIA = [
  { name: 'short.ts', duration: '3', bitrate: '2M' },
  { name: 'medium.ts', duration: '6', bitrate: '2M' },
  { name: 'fast.ts', duration: '4', bitrate: '4M' },
  { name: 'slow.ts', duration: '8', bitrate: '1M' },
];

describe.skipIf(!ON)('soak (off by default: run it with `npm run soak`, or OFP_SOAK=1 [OFP_SOAK_SECONDS=180])', () => {
  const work = ON ? mkdtempSync(join(tmpdir(), 'ofp-soak-')) : '';
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it(`streams for OFP_SOAK_SECONDS under random faults: every copy identical or a clean error, memory flat, no role crashed`, async () => {
    expect(Number.isFinite(SECONDS) && SECONDS >= 30, 'OFP_SOAK_SECONDS is at least 30').toBe(true);
    const media = join(work, 'media');
    for (const m of MEDIA) {
      const made = await runOfp(['media', 'make', m.name, '--duration', m.duration, '--bitrate', m.bitrate, '--out', media]);
      expect(made.code, made.stderr).toBe(0);
    }
    const originals = new Map(MEDIA.map((m) => [m.name, readFileSync(join(media, m.name))]));

    const p = processScope();
    const cluster = new SoakCluster(p, media, POLL_INTERVAL);
    const rss: RssSample[] = [];
    let sampler: NodeJS.Timeout | undefined;
    try {
      await cluster.start(SERVERS);
      const startedAt = Date.now();
      const deadline = startedAt + SECONDS * 1000;
      const sample = () => {
        for (const r of cluster.roles()) {
          const kib = rssKib(r.pid);
          if (kib !== undefined) rss.push({ t: Date.now() - startedAt, role: r.role, pid: r.pid, kib });
        }
      };
      sample();
      expect(rss.length, 'resident memory is readable from /proc').toBe(SERVERS + 1);
      sampler = setInterval(sample, SAMPLE_EVERY);

      const rng = new Rng(SEED);
      const faults = new FaultInjector(p, cluster, rng.fork(), startedAt);
      const waves = new Waves(p, () => cluster.master.address, originals, work, rng.fork());
      await Promise.all([faults.run(deadline), waves.run(deadline, WAVE, LANES)]);
      clearInterval(sampler);
      sampler = undefined;

      const status = await p.run(['master', 'status', '--master', cluster.master.address, '--json']);
      const masterRequests = status.code === 0 ? (JSON.parse(status.stdout).summary.requests as number) : undefined;
      const masterAlive = cluster.master.child.running;
      cluster.stopping();

      const memory = memoryTrends(rss);
      const report = summarize({ seed: SEED, seconds: SECONDS, servers: SERVERS, waveSize: WAVE, lanes: LANES, masterRequests, outcomes: waves.outcomes, faults: faults.done, crashes: cluster.crashes, memory, rss });
      const path = writeReport(report, REPORT_DIR);
      console.log(`${formatReport(report)}\n  report: ${path}`);

      expect(cluster.crashes, 'no role crashed').toEqual([]);
      expect(masterAlive, 'the master is still running').toBe(true);
      expect(report.failures, 'every copy identical or a clean error').toEqual([]);
      expect(report.served, 'clients were served').toBeGreaterThan(0);
      // A fault the loaded machine could not carry out (a command that did not start in time) is reported, not judged.
      expect(faults.done.filter((f) => f.ok && f.kind !== 'restart').length, 'faults were injected').toBeGreaterThan(0);
      const judged = memory.filter((m) => m.span >= JUDGED_SPAN * SECONDS * 1000 && m.samples >= 9);
      expect(judged.some((m) => m.role === 'master'), 'the master\'s memory is judged').toBe(true);
      for (const m of judged) expect(isFlat(m, MEMORY_RATIO, MEMORY_SLACK_MIB), `${m.role} (pid ${m.pid}) memory flat: ${JSON.stringify(m)}`).toBe(true);
    } finally {
      if (sampler) clearInterval(sampler);
      cluster.stopping();
      await p.killAll();
    }
  }, (SECONDS + 240) * 1000);
});
