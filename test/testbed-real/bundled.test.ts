/**
 * Bundled scenarios in real mode, the way `ofp testbed run --mode real` runs
 * them (runOne: the real runner, the checkers, the artifact folder): the
 * seed's catalog, which the other real-mode tests do not cover (a request for
 * the item three servers hold goes to the one with the most bandwidth, one no
 * server holds fails with not-found), and two portals before a group of three
 * masters (`ofp portal` processes: round robin spreads clients evenly, priority
 * sends them to the first master until it is killed), and a group of masters
 * whose `assign` deltas the relay drops (by message type) while their digests
 * repair every assignment; and the servers' view (§13): a server killed and
 * restarted, every other server's view following it, and the only master
 * killed, clients in list mode served by the servers alone; and distribution jobs (§14), `ofp base`
 * and `ofp job submit` processes: a target paused through the base server's wait period, reported
 * failed and then served when it is back, and streams from a server that receives and passes on a
 * job keeping their rate and bytes. The mechanisms of the other `short`
 * ones have real-mode tests of their own (faults, links, plain); all of them
 * run with `ofp testbed matrix --modes real` (a few minutes). It runs alone,
 * after the suite (vitest.config.ts says why).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runOne } from '../../testbed/run/runOne.js';
import { bundledScenarios } from '../../testbed/scenario/bundled.js';
import { loadScenario } from '../../testbed/scenario/parse.js';
import { tempDir } from '../helpers/processes.js';
import { ofpChildren } from './scenarios.js';

const out = tempDir('ofp-real-bundled-');

describe('bundled scenarios in real mode', () => {
  for (const name of ['catalog-greatest-bandwidth', 'portal-policies', 'masters-assign-loss', 'server-view-converges', 'masters-down-servers-answer', 'jobs-target-down', 'jobs-stream-while-receiving']) {
    it(`${name} passes, with its artifacts, and leaves no process behind`, async () => {
      const sc = loadScenario(bundledScenarios().find((b) => b.name === name)!.file);
      expect(sc.tags).toContain('short');
      const progress: string[] = [];
      const { result } = await runOne(sc, { mode: 'real', seed: 5, out, target: name, progress: (l) => progress.push(l) });
      expect(result.harness).toBeUndefined();
      // A failed check says what moved whom: the run's handoff events, with their reasons.
      const moves = () => readFileSync(join(out, name, 'latest', 'events.ndjson'), 'utf8').split('\n').filter((l) => /"type":"handoff/.test(l)).join('\n');
      expect(result.checks.filter((c) => c.verdict !== 'pass'), `${progress.join('\n')}\n${moves()}`).toEqual([]);
      expect(result.verdict).toBe('pass');
      expect(progress.some((l) => /the run starts/.test(l))).toBe(true);
      expect(ofpChildren()).toEqual([]);

      const dir = join(out, name, 'latest');
      const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as { mode: string; seed: number; reproduce: string };
      expect(run).toMatchObject({ mode: 'real', seed: 5, reproduce: `ofp testbed run ${name} --mode real --seed 5` });
      const logs = readdirSync(join(dir, 'logs'));
      expect(logs).toContain('testbed.log');
      // One line per event, led by the command line the role ran as: each master's, each portal's.
      for (const [role, names] of [['master', sc.masters.map((m) => m.name)], ['portal', sc.portals.map((p) => p.name)]] as const) {
        for (const node of names) {
          expect(logs).toContain(`${node}.log`);
          const log = readFileSync(join(dir, 'logs', `${node}.log`), 'utf8').split('\n');
          expect(log[0]).toMatch(new RegExp(`^# ofp ${role} `));
          expect(log.some((l) => /^ +-?\d+\.\d{3} s {2}listening /.test(l))).toBe(true);
        }
      }
      expect(readFileSync(join(dir, 'trace.ndjson'), 'utf8').split('\n').filter(Boolean).length).toBeGreaterThan(100);
    });
  }
});
