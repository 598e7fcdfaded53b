/**
 * Scenario files: the example of testbed/README.md parses and passes (so the
 * reference stays true), `--scale` cuts a scenario down, and invalid files
 * name every problem at its file:line:col.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { jobOutcomes } from '../../testbed/scenario/jobOutcome.js';
import { checkRun, verdictOf } from '../../testbed/run/checks.js';
import { parseScenario } from '../../testbed/scenario/parse.js';
import { ScenarioError } from '../../src/errors.js';
import { runSim } from '../../testbed/sim/runSim.js';

const readme = readFileSync(fileURLToPath(new URL('../../testbed/README.md', import.meta.url)), 'utf8');
const example = /## A full example[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)![1]!;

/** The problems of an invalid text, as `line:col: message`. */
function problems(text: string): string[] {
  try {
    parseScenario(text, 'x.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as ScenarioError).problems.map((p) => `${p.line}:${p.col}: ${p.message}`);
  }
  throw new Error('the text parsed');
}

const base = (extra = '', expect = 'expect:\n  copies-identical: true\n') => `duration: 3s
media:
  - {name: movie.ts, duration: 1s, bitrate: 1M}
servers:
  - {name: edge, count: 2, files: [movie.ts]}
clients:
  - {name: viewer, count: 2, file: movie.ts, start: 200ms, every: 100ms}
${extra}${expect}`;

describe('the scenario reference', () => {
  it('has a full example that parses into what its comments say', () => {
    const sc = parseScenario(example, 'edge-trouble.yaml');
    expect(sc).toMatchObject({ name: 'edge-trouble', seed: 7, duration: 8000, converge: 30_000, tags: ['example'] });
    expect(sc.media.map((m) => m.name)).toEqual(['movie.ts', 'concert', 'clip-1', 'clip-2', 'clip-3']);
    expect(sc.servers.map((s) => s.name)).toEqual(['east-1', 'east-2', 'west-1', 'west-2']);
    expect(sc.servers[2]!.files).toEqual(['movie.ts', 'concert', 'clip-1', 'clip-2', 'clip-3']);
    expect(sc.clients.map((c) => [c.name, c.file, c.start])).toEqual([
      ['viewer-1', 'movie.ts', 500], ['viewer-2', 'movie.ts', 600], ['viewer-3', 'movie.ts', 700], ['viewer-4', 'movie.ts', 800],
      ['fan-1', 'concert', 1000], ['fan-2', 'concert', 1000],
      ['local-1', 'clip-1', 1500], ['local-2', 'clip-2', 1550], ['local-3', 'clip-3', 1600],
      ['skimmer', 'movie.ts', 2000],
    ]);
    expect(sc.clients.at(-1)!.schedule).toEqual([{ at: 500, scale: 2000 }, { at: 1000, scale: 1000 }]);
    // both-ways: two one-way impairments; `west` is both west servers.
    expect(sc.impairments.map((i) => [i.from, i.to])).toEqual([[sc.clients.map((c) => c.name), ['east-1', 'east-2', 'west-1', 'west-2']], [['east-1', 'east-2', 'west-1', 'west-2'], sc.clients.map((c) => c.name)], [['west-1', 'west-2'], ['*']]]);
    expect(sc.faults.map((f) => f.action.kind)).toEqual(['kill', 'partition', 'heal', 'impair', 'restart']);
    expect(sc.faults[1]!.action).toMatchObject({ kind: 'partition', oneWay: true, sides: [['west-2'], expect.arrayContaining(['master', 'east-1', 'victim'])] });
  });

  it('has a full example that passes in sim mode', async () => {
    const sc = parseScenario(example, 'edge-trouble.yaml');
    for (const seed of [7, 8]) {
      const checks = checkRun(sc, (await runSim(sc, { seed, traceCap: 0 })).record);
      expect(checks.filter((c) => c.verdict !== 'pass'), `seed ${seed}`).toEqual([]);
      expect(verdictOf(checks)).toBe('pass');
    }
  });
});

describe('--scale', () => {
  it('multiplies counts and times of the run, not media, spacing or convergence', () => {
    const text = base('faults:\n  - {at: 2s, kill: edge-1}\n').replace('count: 2, files', 'count: 10, files').replace('count: 2, file:', 'count: 20, file:');
    const sc = parseScenario(text, 'x.yaml', { scale: 0.5 });
    expect(sc.servers).toHaveLength(5);
    expect(sc.clients).toHaveLength(10);
    expect(sc).toMatchObject({ duration: 1500, converge: 30_000 });
    expect(sc.clients.slice(0, 2).map((c) => c.start)).toEqual([100, 200]);
    expect(sc.faults[0]!.at).toBe(1000);
    expect(sc.media[0]!.duration).toBe(1000);
  });
});

describe('invalid scenario files: every problem at its line and column', () => {
  it('several problems of several kinds are all reported, in one go', () => {
    const text = base('link: {preset: lossyy, loss: 150%}\nfaults:\n  - {at: 1s, resume: edge-1}\n  - {at: 500ms, kill: viewr}\n', 'expect:\n  handoffs: {min: 3, max: 1}\n  amplification: {max: 1}\n');
    expect(problems(text)).toEqual([
      '8:16: link preset "lossyy" is not one of perfect, lan, wan, lossy, mobile (did you mean lossy?)',
      '10:5: fault at 1000 ms: edge-1 is not paused: resume follows a pause',
      '11:10: faults must be in time order: 500 ms comes after 1000 ms',
      '13:13: handoffs: min 3 is more than max 1',
      '14:3: amplification: the scenario has no attackers (add one under `attackers`)',
    ]);
  });

  it('units: a duration without its unit, a rate and a probability that are not', () => {
    expect(problems(base().replace('duration: 1s', 'duration: 1'))).toEqual([
      '3:32: media duration: 1 is not a duration (a unit is needed: 1s or 1ms): write 500ms, 3s, 1.5s or 2m',
    ]);
    expect(problems(base().replace('bitrate: 1M', 'bitrate: fast'))).toEqual(['3:45: media movie.ts bitrate: "fast" is not a rate: write bits per second, like 4M, 128k or 64000']);
    expect(problems(base('impairments:\n  - {to: edge, loss: 5 percent}\n'))).toEqual(['9:22: an impairment loss: "5 percent" is not a probability: write 5% or 0.05']);
  });

  it('redirect-p99: one limit for both modes, or one per mode; a mode without one is not checked', () => {
    const one = parseScenario(base('', 'expect:\n  redirect-p99: 20ms\n'), 'x.yaml');
    expect(one.expect.redirectP99).toEqual({ sim: 20, real: 20 });
    const each = parseScenario(base('', 'expect:\n  redirect-p99: {sim: 20ms, real: 1s}\n'), 'x.yaml');
    expect(each.expect.redirectP99).toEqual({ sim: 20, real: 1000 });
    const simOnly = parseScenario(base('', 'expect:\n  redirect-p99: {sim: 5ms}\n'), 'x.yaml');
    const record = (mode: 'sim' | 'real') => ({ scenario: 'x', mode, seed: 1, elapsed: 1, wall: 1, clients: [], events: [], crashed: [], answerLatencies: [3, 4, 30], spoofed: { sent: 0, reflected: 0 }, streamsPerServer: {}, serversDown: [] });
    expect(checkRun(simOnly, record('sim')).find((c) => c.name === 'redirect-p99')?.verdict).toBe('fail');
    expect(checkRun(simOnly, record('real')).find((c) => c.name === 'redirect-p99')).toBeUndefined();
    expect(checkRun(each, record('real')).find((c) => c.name === 'redirect-p99')?.verdict).toBe('pass');
    expect(problems(base('', 'expect:\n  redirect-p99: {sim: 20ms, rael: 1s}\n'))[0]).toMatch(/^9:\d+: unknown key `rael` in redirect-p99/);
    expect(problems(base('', 'expect:\n  redirect-p99: {}\n'))).toEqual(['9:17: redirect-p99: give sim, real or both']);
  });

  it('load-even: the servers\' concurrent streams as each starts, streams that end taken off', () => {
    const sc = parseScenario(base('', 'expect:\n  load-even: 1\n'), 'x.yaml');
    expect(sc.expect.loadEven).toBe(1);
    const ev = (t: number, node: string, type: string, sid: number) => ({ t, node, type, data: { sid } });
    const record = (events: ReturnType<typeof ev>[]) => ({ scenario: 'x', mode: 'sim' as const, seed: 1, elapsed: 1, wall: 1, clients: [{ name: 'viewer-1', file: 'movie.ts', ok: true, bytes: 1, handoffs: 0, maxGap: 0, servers: [] }], events, crashed: [], answerLatencies: [], spoofed: { sent: 0, reflected: 0 }, streamsPerServer: {}, serversDown: [] });
    const even = (events: ReturnType<typeof ev>[]) => checkRun(sc, record(events) as never).find((c) => c.name === 'load-even');
    // edge-1 1, edge-2 1; edge-1's ends; edge-1 2 (one ended) against edge-2 1: within one.
    expect(even([ev(1, 'edge-1', 'stream-play', 1), ev(2, 'edge-2', 'stream-play', 2), ev(3, 'edge-1', 'stream-end', 1), ev(4, 'edge-1', 'stream-play', 3), ev(5, 'edge-1', 'stream-play', 4)])?.verdict).toBe('pass');
    // Two on edge-1 while edge-2 has none: two apart.
    const two = even([ev(1, 'edge-1', 'stream-play', 1), ev(2, 'edge-1', 'stream-play', 2)]);
    expect(two).toMatchObject({ verdict: 'fail', detail: expect.stringContaining('at 2 ms: edge-1 2, edge-2 0') });
    expect(even([])?.verdict).toBe('unknown');
    expect(problems(base('', 'expect:\n  load-even: -1\n'))[0]).toMatch(/^9:\d+: load-even/);
  });

  it('jobs: a base server, a provider per job submitting a media item to servers; what a job needs is said', () => {
    const jobs = (job: string, top = 'key: a cluster key of the scenario\nbases:\n  - {name: base, rate: 8M, fanout: 2}\n') => base(`${top}jobs:\n  - ${job}\n`, 'expect:\n  jobs-complete: true\n');
    const sc = parseScenario(jobs('{name: push, file: movie.ts, at: 500ms, to: [edge-2], rate: 2M}'), 'x.yaml');
    expect(sc.bases).toEqual([{ name: 'base', rate: 8_000_000, fanout: 2 }]);
    expect(sc.jobs).toEqual([{ name: 'push', file: 'movie.ts', base: 'base', targets: ['edge-2'], at: 500, rate: 2_000_000 }]);
    expect(sc.expect.jobsComplete).toBe(true);
    // Every server by default; the first base server by default.
    expect(parseScenario(jobs('{name: push, file: movie.ts}'), 'x.yaml').jobs[0]).toMatchObject({ targets: ['edge-1', 'edge-2'], base: 'base', at: 0 });
    expect(problems(jobs('{name: push, file: movie.ts}', 'bases:\n  - {name: base}\n'))).toEqual([expect.stringMatching(/jobs: content moves only within a keyed cluster/)]);
    expect(problems(jobs('{name: push, file: movie.ts}', 'key: a cluster key of the scenario\n'))).toEqual([expect.stringMatching(/jobs: a job is submitted to a base server: declare one under `bases`/)]);
    expect(problems(jobs('{name: push, file: movie.ts, to: viewer-1}'))).toEqual([expect.stringMatching(/job push to: "viewer-1" is a client, not a server/)]);
    expect(problems(jobs('{name: push, file: movie.mp4}'))).toEqual([expect.stringMatching(/job push file: there is no media item "movie.mp4"/)]);
    expect(problems(jobs('{name: edge-1, file: movie.ts}'))).toContainEqual(expect.stringMatching(/the name "edge-1" is used twice/));
    expect(problems(jobs('{name: push, file: movie.ts, at: 5s}'))).toEqual([expect.stringMatching(/job push: it is submitted at 5000 ms, after the fault phase ends/)]);
    expect(problems(base('', 'expect:\n  job-switches: {min: 1}\n'))).toEqual([expect.stringMatching(/job-switches: the scenario has no jobs/)]);
    expect(problems(base('', 'expect:\n  stream-rate: {min: 1.5}\n'))).toEqual([expect.stringMatching(/stream-rate min: a share of the nominal rate, at most 1/)]);
  });

  it('jobs-complete judges each live target\'s copy and the base server\'s report; a target killed for good is left out', () => {
    const sc = parseScenario(base('key: a cluster key of the scenario\nbases:\n  - {name: base}\njobs:\n  - {name: push, file: movie.ts}\nfaults:\n  - {at: 1s, kill: edge-2}\n', 'expect:\n  jobs-complete: true\n'), 'x.yaml');
    const event = (t: number, node: string, type: string, data: Record<string, unknown>) => ({ t, node, type, data });
    const record = (events: ReturnType<typeof event>[], identical = true) => {
      const r = { scenario: 'x', mode: 'sim' as const, seed: 1, elapsed: 3000, wall: 1, clients: [], events, crashed: [], answerLatencies: [], spoofed: { sent: 0, reflected: 0 }, streamsPerServer: {}, serversDown: [] };
      return { ...r, jobs: jobOutcomes(sc, r, () => ({ identical })) };
    };
    const accepted = event(100, 'push', 'job-accepted', { job: 7 });
    const held = event(900, 'edge-1', 'job-file-in-service', { job: 7, file: 'movie.ts' });
    const verdict = (r: ReturnType<typeof record>) => checkRun(sc, r).find((c) => c.name === 'jobs-complete')!;
    expect(verdict(record([accepted, held]))).toMatchObject({ verdict: 'pass', value: 1 });
    expect(verdict(record([accepted, held], false))).toMatchObject({ verdict: 'fail' });
    expect(verdict(record([accepted])).detail).toMatch(/0\/1 live target\(s\).*edge-1 did not put the file into service/);
    expect(verdict(record([held])).detail).toMatch(/the job was never accepted/);
    // With every target alive, the base server's report counts too.
    const all = parseScenario(base('key: a cluster key of the scenario\nbases:\n  - {name: base}\njobs:\n  - {name: push, file: movie.ts, to: edge-1}\n', 'expect:\n  jobs-complete: true\n'), 'x.yaml');
    const r = { scenario: 'x', mode: 'sim' as const, seed: 1, elapsed: 3000, wall: 1, clients: [], crashed: [], answerLatencies: [], spoofed: { sent: 0, reflected: 0 }, streamsPerServer: {}, serversDown: [] };
    const failed = [accepted, held, event(1000, 'base', 'job-failed', { job: 7 })];
    expect(checkRun(all, { ...r, events: failed, jobs: jobOutcomes(all, { ...r, events: failed }, () => ({ identical: true })) })[0]).toMatchObject({ verdict: 'fail', detail: expect.stringMatching(/reported the job failed, not completed/) });
    const completed = [...failed, event(2000, 'base', 'job-retry', { job: 7 }), event(2500, 'base', 'job-completed', { job: 7 })];
    expect(checkRun(all, { ...r, events: completed, jobs: jobOutcomes(all, { ...r, events: completed }, () => ({ identical: true })) })[0]).toMatchObject({ verdict: 'pass' });
  });

  it('references: an unknown node, an unknown media item, a node of the wrong kind', () => {
    expect(problems(base('faults:\n  - {at: 1s, drain: viewer-1}\n'))).toEqual(['9:21: drain: "viewer-1" is a client, not a server']);
    expect(problems(base().replace('file: movie.ts', 'file: movie.mp4'))).toEqual([expect.stringMatching(/^7:36: client viewer file: there is no media item "movie.mp4" \(did you mean "movie.ts"\?\)/)]);
    expect(problems(base('expect-more: 1\n'))).toEqual([expect.stringMatching(/^8:1: unknown key `expect-more` in a scenario; known keys: /)]);
  });

  it('YAML syntax: an unclosed bracket is reported where it opens', () => {
    expect(problems(base().replace('files: [movie.ts]}', 'files: [movie.ts}'))).toEqual([expect.stringMatching(/^5:35: this `\[` is not closed: end the list with `\]`/)]);
    expect(problems(`duration: 2s\n${base()}`)).toEqual([expect.stringMatching(/^2:1: Map keys must be unique/)]);
  });
});

describe('a group of masters in a scenario (§12.1, §12.2)', () => {
  const group = (servers = '  - {name: edge, count: 2, files: [movie.ts]}\n', extra = '') => `duration: 3s
masters:
  - {name: m, count: 3, group: true}
  - {name: lone}
media:
  - {name: movie.ts, duration: 1s, bitrate: 1M}
servers:
${servers}clients:
  - {name: viewer, file: movie.ts, start: 200ms}
${extra}expect:
  takeover: 2s
`;

  it('makes each master of a group entry a peer of the others, and has servers register with the whole group by default', () => {
    const sc = parseScenario(group(), 'g.yaml', { scale: 0.5 });
    expect(sc.masters.map((m) => [m.name, m.peers])).toEqual([['m-1', ['m-2', 'm-3']], ['m-2', ['m-1', 'm-3']], ['m-3', ['m-1', 'm-2']], ['lone', []]]);
    expect(sc.servers.map((x) => x.masters)).toEqual([['m-1', 'm-2', 'm-3']]);
    expect(sc.expect.takeover).toBe(2000);
    expect(parseScenario(group('  - {name: edge, files: [movie.ts], masters: [m-2, lone]}\n'), 'g.yaml').servers[0]!.masters).toEqual(['m-2', 'lone']);
  });

  it('reads the supervise fault, and refuses one without its master, a lone group, and master with masters', () => {
    const sc = parseScenario(group(undefined, 'faults:\n  - {at: 1s, supervise: edge, to: m-2}\n'), 'g.yaml');
    expect(sc.faults.map((f) => f.action)).toEqual([{ kind: 'supervise', node: 'edge-1', to: 'm-2' }, { kind: 'supervise', node: 'edge-2', to: 'm-2' }]);
    expect(problems(group(undefined, 'faults:\n  - {at: 1s, supervise: edge}\n'))).toEqual(['12:25: supervise: name the master to supervise it with `to` (§12.2)']);
    expect(problems(group().replace('{name: lone}', '{name: lone, group: true}').replace('{name: m, count: 3, group: true}', '{name: m, count: 3}'))).toEqual(['3:3: masters: a group needs at least two masters (only lone has group: true)']);
    expect(problems(group('  - {name: edge, files: [movie.ts], master: lone, masters: [m]}\n'))[0]).toMatch(/server edge: give master \(one\) or masters \(several\), not both/);
  });
});

describe('portals in a scenario (S3.1, §12.3)', () => {
  const withPortals = (portals: string, clients: string, expect = '  copies-identical: true\n', key = 'key: a cluster key of at least sixteen characters\n') => `duration: 3s
${key}masters:
  - {name: m, count: 3, group: true}
portals:
${portals}media:
  - {name: movie.ts, duration: 1s, bitrate: 1M}
servers:
  - {name: edge, count: 2, files: [movie.ts]}
clients:
${clients}expect:
${expect}`;

  it('reads portals (by default round robin, refer, before every master) and the clients that ask them', () => {
    const sc = parseScenario(withPortals('  - {name: door}\n  - {name: first, policy: priority, mode: forward, poll-interval: 100ms, masters: [m-3, m-1]}\n', '  - {name: v, count: 2, file: movie.ts, portal: door}\n  - {name: w, file: movie.ts, portal: [door, first]}\n  - {name: direct, file: movie.ts}\n'), 'p.yaml');
    expect(sc.portals).toEqual([
      { name: 'door', policy: 'round-robin', mode: 'refer', pollInterval: 250, masters: ['m-1', 'm-2', 'm-3'] },
      { name: 'first', policy: 'priority', mode: 'forward', pollInterval: 100, masters: ['m-3', 'm-1'] },
    ]);
    expect(sc.clients.map((c) => [c.name, c.masters, c.portal ?? false])).toEqual([
      ['v-1', ['door'], true], ['v-2', ['door'], true], ['w', ['door', 'first'], true], ['direct', ['m-1', 'm-2', 'm-3'], false],
    ]);
  });

  it('refuses a portal that forwards without the cluster key, an unknown policy, a client with both masters and portal, and a master named as a portal', () => {
    expect(problems(withPortals('  - {name: door, mode: forward}\n', '  - {name: v, file: movie.ts, portal: door}\n', undefined, ''))).toEqual(['5:12: portal door: mode forward needs the cluster key (give the scenario a `key`), or use mode refer']);
    expect(problems(withPortals('  - {name: door, policy: fastest}\n', '  - {name: v, file: movie.ts, portal: door}\n'))[0]).toBe('6:26: portal door policy "fastest" is not one of round-robin, priority, resources, least-loaded, nearest');
    expect(problems(withPortals('  - {name: door}\n', '  - {name: v, file: movie.ts, portal: door, masters: m}\n'))).toEqual(['12:31: client v: give masters (it asks them) or portal (it asks the portal), not both']);
    expect(problems(withPortals('  - {name: door}\n', '  - {name: v, file: movie.ts, portal: m-1}\n'))).toEqual(['12:39: client v portal: "m-1" is a master, not a portal']);
    expect(problems(withPortals('  - {name: door}\n', '  - {name: v, file: movie.ts, portal: door}\n', '  answers-spread: {masters: m-1, max: 0}\n'))).toEqual(['14:19: answers-spread: a spread needs at least two masters']);
  });

  it('judges which masters answered the clients of a portal: a priority portal sends all to its first master, which a wrong expectation names', async () => {
    const text = withPortals('  - {name: first, policy: priority}\n', '  - {name: v, count: 3, file: movie.ts, portal: first, start: 200ms, every: 100ms}\n',
      '  answered-by:\n    - {clients: v, masters: m-2}\n  answers-spread: {max: 1}\n');
    const sc = parseScenario(text, 'p.yaml');
    const out = await runSim(sc, { seed: 4, traceCap: 0 });
    expect(out.record.clients.map((c) => c.answeredBy)).toEqual([['m-1'], ['m-1'], ['m-1']]);
    const checks = checkRun(sc, out.record);
    expect(checks.map((c) => [c.name, c.verdict, c.detail])).toEqual([
      ['answered-by', 'fail', 'v-1 was answered by m-1, not only by m-2; v-2 was answered by m-1, not only by m-2; v-3 was answered by m-1, not only by m-2'],
      ['answers-spread', 'fail', 'm-1 3, m-2 0, m-3 0: the most less the fewest is 3 (at most 1)'],
    ]);
    expect(verdictOf(checks)).toBe('fail');
  });
});

describe('locations in a scenario (S3.5, §12.5)', () => {
  it('reads a server\'s and a client\'s location, and refuses one that is not a word', () => {
    const text = (loc: string) => `duration: 3s
masters:
  - {name: master, policy: nearest}
media:
  - {name: movie.ts, duration: 1s, bitrate: 1M}
servers:
  - {name: edge, files: [movie.ts], location: ${loc}}
clients:
  - {name: v, file: movie.ts, location: par-1}
expect:
  copies-identical: true
`;
    const sc = parseScenario(text('par-1'), 'l.yaml');
    expect(sc.masters[0]!.policy).toBe('nearest');
    expect(sc.servers[0]!.location).toBe('par-1');
    expect(sc.clients[0]!.location).toBe('par-1');
    expect(problems(text('"par 1"'))).toEqual(['7:47: server edge location "par 1" must be letters, digits, `.`, `_` or `-` (32 at most)']);
  });

  it('nearest-location fails its served-by check without the nearest policy: the default spreads clients over both locations', async () => {
    const bundled = readFileSync(fileURLToPath(new URL('../../testbed/scenarios/nearest-location.yaml', import.meta.url)), 'utf8');
    const sc = parseScenario(bundled.replace('policy: nearest', 'policy: greatest-available-bandwidth'), 'n.yaml');
    const out = await runSim(sc, { seed: 1, traceCap: 0 });
    const served = checkRun(sc, out.record).find((c) => c.name === 'served-by')!;
    expect(served.verdict).toBe('fail');
    expect(served.detail).toMatch(/^(p|l)-\d was served by (lon|par)-\d, not only by (par|lon)-1, (par|lon)-2/);
  });

  it('masters-assign-loss fails its assignments-shared check when the loss never ends: the pulls\' answers are lost too, and only the late tracks tell', async () => {
    const bundled = readFileSync(fileURLToPath(new URL('../../testbed/scenarios/masters-assign-loss.yaml', import.meta.url)), 'utf8');
    const sc = parseScenario(bundled.replace(/\n  - \{at: 800ms, impair: [^\n]*/, ''), 'a.yaml');
    expect(sc.faults).toHaveLength(1);
    const shared = checkRun(sc, (await runSim(sc, { seed: 1, traceCap: 0 })).record).find((c) => c.name === 'assignments-shared')!;
    expect(shared.verdict).toBe('fail');
    expect(shared.detail).toMatch(/pairs late or missing: m-\d's stream \d+ reached m-\d after \d+ ms/);
  });

  it('an impairment may name the message types it applies to; a name that is no message type is a problem', () => {
    const text = (types: string) => `name: t
description: typed
duration: 1s
media: [{name: a.ts, duration: 1s, bitrate: 1M}]
servers: [{name: s, files: ['*']}]
clients: [{name: c, file: a.ts}]
impairments:
  - {from: s, to: c, both-ways: true, types: ${types}, loss: 10%}
expect: {copies-identical: true}
`;
    const sc = parseScenario(text('[data, setup]'), 't.yaml');
    expect(sc.impairments.map((i) => i.types)).toEqual([['data', 'setup'], ['data', 'setup']]);
    expect(problems(text('[data, video]'))).toEqual(['8:53: an impairment types: "video" is not a message type (request, redirect, setup, server-list, error, play, … in protocol-spec/03-messages.md)']);
    expect(problems(text('[]'))).toEqual(['8:46: an impairment types: name at least one message type, or leave types out for every datagram']);
  });

  it('server-view-converges fails its view-agrees check when the views cannot settle in time, and says which', async () => {
    const bundled = readFileSync(fileURLToPath(new URL('../../testbed/scenarios/server-view-converges.yaml', import.meta.url)), 'utf8');
    // No restart: edge-2 stays dead, and a death takes seconds to be known (probe, suspicion, gossip).
    const sc = parseScenario(bundled.replace(/\n  - \{at: 11s, restart: edge-2\}/, '').replace('view-agrees: 6s', 'view-agrees: 100ms'), 'v.yaml');
    expect(sc.faults).toHaveLength(1);
    const agrees = checkRun(sc, (await runSim(sc, { seed: 1, traceCap: 0 })).record).find((c) => c.name === 'view-agrees')!;
    expect(agrees.verdict).toBe('fail');
    expect(agrees.detail).toMatch(/^5 live server\(s\) agree on 5 alive and 1 gone; the last view settled \d+ ms after the last fault \(at most 100\)$/);
  });

  it('view-agrees judges the views at the end of the run, not those of the teardown, when every server leaves', async () => {
    const bundled = readFileSync(fileURLToPath(new URL('../../testbed/scenarios/server-view-converges.yaml', import.meta.url)), 'utf8');
    const sc = parseScenario(bundled, 'v.yaml');
    const { record } = await runSim(sc, { seed: 1, traceCap: 0 });
    const agrees = (r: typeof record) => checkRun(sc, r).find((c) => c.name === 'view-agrees')!;
    expect(agrees(record).verdict).toBe('pass');
    // The teardown: edge-1 stops and leaves, and edge-4 hears it, after the run's end.
    const left = { t: record.elapsed + 50, node: 'edge-4', type: 'peer-left', data: { peer: 'edge-1' } };
    expect(agrees({ ...record, events: [...record.events, left] }).verdict).toBe('pass');
    // The same belief within the run is a wrong view, and the check says whose.
    const during = { ...left, t: record.elapsed - 1 };
    const wrong = agrees({ ...record, events: [...record.events, during] });
    expect(wrong.verdict).toBe('fail');
    expect(wrong.detail).toBe('1 view(s) wrong at the end: edge-4 holds edge-1 left, not alive');
  });

  it('a client\'s servers are for list mode, and name servers', () => {
    const text = (extra: string) => `name: t
description: servers to fall back on
duration: 1s
key: a cluster key of sixteen bytes or more
media: [{name: a.ts, duration: 1s, bitrate: 1M}]
servers: [{name: s, count: 2, files: ['*']}]
clients: [{name: c, file: a.ts, ${extra}}]
expect: {copies-identical: true}
`;
    expect(parseScenario(text('mode: list, servers: [s-2]'), 't.yaml').clients[0]!.servers).toEqual(['s-2']);
    expect(problems(text('servers: [s-1]'))[0]).toMatch(/client c: servers are asked for the list when no master answers: give mode: list$/);
  });

  it('nearest-rtt passes with clients that echo, and fails its served-by check without: no round trip, the master\'s own site serves them', async () => {
    const bundled = readFileSync(fileURLToPath(new URL('../../testbed/scenarios/nearest-rtt.yaml', import.meta.url)), 'utf8');
    for (const seed of [1, 2, 3]) {
      const sc = parseScenario(bundled, 'r.yaml');
      expect(verdictOf(checkRun(sc, (await runSim(sc, { seed, traceCap: 0 })).record)), `seed ${seed}`).toBe('pass');
    }
    const sc = parseScenario(bundled.replaceAll(', echo: true}', '}'), 'r.yaml');
    expect(sc.clients.every((c) => c.echo === undefined)).toBe(true);
    const served = checkRun(sc, (await runSim(sc, { seed: 1, traceCap: 0 })).record).find((c) => c.name === 'served-by')!;
    expect(served.verdict).toBe('fail');
    expect(served.detail).toMatch(/^v-\d was served by home-\d, not only by away-1, away-2/);
  });
});
