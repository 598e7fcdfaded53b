/**
 * The checkers: each expectation of a scenario, judged from a run record
 * (either mode), as pass, fail or unknown (the run cannot tell: a latency
 * with no requests, a spread with one server), with a line that says what
 * was measured. A run's verdict: fail if any check fails, unknown if none
 * fails but one is unknown, pass otherwise.
 */
import type { CheckResult, ClientOutcome, RunRecord, Scenario, Verdict } from '../scenario/types.js';

const pass = (name: string, detail: string, value?: CheckResult['value']): CheckResult => ({ name, verdict: 'pass', detail, ...(value !== undefined ? { value } : {}) });
const fail = (name: string, detail: string, value?: CheckResult['value']): CheckResult => ({ name, verdict: 'fail', detail, ...(value !== undefined ? { value } : {}) });
const unknown = (name: string, detail: string): CheckResult => ({ name, verdict: 'unknown', detail });

export function verdictOf(checks: readonly CheckResult[]): Verdict {
  if (checks.some((c) => c.verdict === 'fail')) return 'fail';
  if (checks.some((c) => c.verdict === 'unknown')) return 'unknown';
  return 'pass';
}

/** Every expectation of the scenario, checked against the record, in the order the reference lists them. */
export function checkRun(sc: Scenario, r: RunRecord): CheckResult[] {
  const x = sc.expect;
  const out: CheckResult[] = [];
  if (x.copiesIdentical !== undefined) out.push(copiesIdentical(sc, r, x.copiesIdentical));
  if (x.clientsFail) out.push(clientsFail(r, x.clientsFail));
  if (x.handoffs) out.push(handoffs(r, x.handoffs));
  if (x.maxGap !== undefined) out.push(maxGap(r, x.maxGap));
  if (x.loadSpread) out.push(loadSpread(sc, r, x.loadSpread.maxRatio));
  if (x.loadEven !== undefined) out.push(loadEven(sc, r, x.loadEven));
  const p99Limit = x.redirectP99?.[r.mode];
  if (p99Limit !== undefined) out.push(redirectP99(r, p99Limit));
  if (x.noCrash !== undefined) out.push(noCrash(r, x.noCrash));
  if (x.amplification) out.push(amplification(r, x.amplification.max));
  if (x.serversDown) out.push(serversDown(r, x.serversDown));
  if (x.servedBy) out.push(onlyBy(r, SERVED_BY, x.servedBy.map((y) => ({ clients: y.clients, by: y.servers }))));
  if (x.answeredBy) out.push(onlyBy(r, ANSWERED_BY, x.answeredBy.map((y) => ({ clients: y.clients, by: y.masters }))));
  if (x.answersSpread) out.push(answersSpread(r, x.answersSpread));
  if (x.takeover !== undefined) out.push(takeover(sc, r, x.takeover));
  if (x.supervisorChanges !== undefined) out.push(supervisorChanges(sc, r, x.supervisorChanges));
  if (x.assignmentsShared !== undefined) out.push(assignmentsShared(sc, r, x.assignmentsShared));
  if (x.viewAgrees !== undefined) out.push(viewAgrees(sc, r, x.viewAgrees));
  if (x.jobsComplete !== undefined) out.push(jobsComplete(r, x.jobsComplete));
  if (x.jobSwitches) out.push(eventCount(r, 'job-switches', 'source-switched', 'source switch(es) at the targets', x.jobSwitches));
  if (x.jobRepairs) out.push(eventCount(r, 'job-repairs', 'job-repair', 'repair(s) by the base servers', x.jobRepairs));
  if (x.jobBlocksRejected) out.push(eventCount(r, 'job-blocks-rejected', 'object-complete', 'block(s) that failed their hash at the targets and were fetched again', x.jobBlocksRejected, 'rejected'));
  if (x.streamRate) out.push(streamRate(sc, r, x.streamRate.min));
  return out;
}

/**
 * Every job's live targets hold its file in service, byte for byte the provider's; and a job none of
 * whose targets was killed for good was reported completed by its base server (§14.5). A target
 * killed and not started again cannot hold the file: its base server goes on repairing it after the run.
 */
function jobsComplete(r: RunRecord, wanted: boolean): CheckResult {
  const name = 'jobs-complete';
  const jobs = r.jobs ?? [];
  if (jobs.length === 0) return unknown(name, 'the run recorded no job');
  const problems: string[] = [];
  let held = 0;
  let live = 0;
  for (const j of jobs) {
    for (const t of j.targets) {
      if (t.killed) continue;
      live++;
      if (t.inService && t.identical) held++;
      else problems.push(`${j.name}: ${t.server} ${t.detail ?? (!t.inService ? 'did not put the file into service' : 'holds a copy that differs')}`);
    }
    if (j.state !== 'completed' && !j.targets.some((t) => t.killed)) problems.push(`${j.name}: its base server reported the job ${j.state}, not completed`);
  }
  const ok = problems.length === 0;
  const detail = `${held}/${live} live target(s) of ${jobs.length} job(s) hold the file, identical and in service${ok ? '' : `; ${list(problems, 3)}`}`;
  return ok === wanted ? pass(name, detail, held) : fail(name, wanted ? detail : `${detail} (expected not)`, held);
}

/** How many events of one type the roles reported (or the sum of one of their fields), against a range. */
function eventCount(r: RunRecord, name: string, type: string, what: string, h: { min?: number; max?: number }, field?: string): CheckResult {
  const n = r.events.filter((e) => e.type === type && e.t <= r.elapsed).reduce((sum, e) => sum + (field === undefined ? 1 : Number(e.data[field] ?? 0)), 0);
  const range = h.min === h.max ? `${h.min}` : `${h.min ?? 0}…${h.max ?? '∞'}`;
  const detail = `${n} ${what} (expected ${range})`;
  return (h.min === undefined || n >= h.min) && (h.max === undefined || n <= h.max) ? pass(name, detail, n) : fail(name, detail, n);
}

/**
 * Each complete client's delivered rate, from its first datum (its \`playing\` event) to its last (\`complete\`),
 * as a share of its item's nominal rate: a stream that slows down (a server busy with a job) takes longer.
 */
function streamRate(sc: Scenario, r: RunRecord, min: number): CheckResult {
  const name = 'stream-rate';
  const playing = new Map<string, number>();
  const shares: { client: string; share: number }[] = [];
  for (const e of r.events) {
    if (e.type === 'playing' && !playing.has(e.node)) playing.set(e.node, e.t);
    if (e.type !== 'complete') continue;
    const c = r.clients.find((x) => x.name === e.node);
    const item = c && sc.media.find((m) => m.name === c.file);
    const from = playing.get(e.node);
    if (!c?.ok || !item || from === undefined || e.t <= from) continue;
    shares.push({ client: e.node, share: (c.bytes * 8) / ((e.t - from) / 1000) / item.bitrate });
  }
  if (shares.length === 0) return unknown(name, 'no client completed a stream: no rate to measure');
  const worst = shares.reduce((a, b) => (b.share < a.share ? b : a));
  const detail = `lowest delivered rate ${(worst.share * 100).toFixed(1)}% of nominal (${worst.client}) over ${shares.length} stream(s); at least ${(min * 100).toFixed(1)}%`;
  return worst.share >= min ? pass(name, detail, Math.round(worst.share * 1000) / 1000) : fail(name, detail, Math.round(worst.share * 1000) / 1000);
}

/**
 * The servers' view (§13) agrees with what happened: at the end, every live server holds every other
 * live server alive and every killed one dead, left or unknown, and the last of them got there within
 * `limit` ms of the last fault; a server killed and restarted was held dead (or left) by every other
 * live server in between. From the servers' `peer-*` debug events up to the end of the run (not those
 * of the teardown, when every server leaves); a restarted server starts its beliefs afresh.
 */
function viewAgrees(sc: Scenario, r: RunRecord, limit: number): CheckResult {
  const name = 'view-agrees';
  const servers = sc.servers.map((s) => s.name);
  const isServer = new Set(servers);
  const live = new Set(servers);
  const beliefs = new Map<string, Map<string, { state: string; t: number }>>(servers.map((s) => [s, new Map()]));
  /** A server killed and not yet back, and the servers that have held it gone since. */
  const down = new Map<string, Set<string>>();
  const missed: string[] = [];
  let lastFault = 0;
  for (const e of r.events) {
    // What servers see once the run is over and they are being stopped (each leaves) is not the run's view.
    if (e.t > r.elapsed) continue;
    if (e.node === 'testbed' && e.type === 'fault') {
      const node = String(e.data.node ?? '');
      const action = String(e.data.action ?? e.data.kind);
      lastFault = Math.max(lastFault, e.t);
      if (!isServer.has(node)) continue;
      if (action === 'kill') {
        live.delete(node);
        down.set(node, new Set());
      }
      if (action === 'restart') {
        const sawIt = down.get(node);
        if (sawIt) for (const o of live) if (o !== node && !sawIt.has(o)) missed.push(`${o} never held ${node} gone while it was down`);
        down.delete(node);
        live.add(node);
        beliefs.set(node, new Map());
      }
      continue;
    }
    if (!isServer.has(e.node) || !e.type.startsWith('peer-') || e.type === 'peer-status') continue;
    const peer = String(e.data.peer ?? '');
    if (!isServer.has(peer)) continue;
    const state = e.type.slice('peer-'.length);
    beliefs.get(e.node)!.set(peer, { state, t: e.t });
    if (state === 'dead' || state === 'left') down.get(peer)?.add(e.node);
  }
  const wrong: string[] = [...missed];
  let settled = 0;
  for (const observer of live) {
    const b = beliefs.get(observer)!;
    for (const peer of servers) {
      if (peer === observer) continue;
      const held = b.get(peer);
      const ok = live.has(peer) ? held?.state === 'alive' : held === undefined || held.state === 'dead' || held.state === 'left';
      if (!ok) wrong.push(`${observer} holds ${peer} ${held?.state ?? 'unknown'}, not ${live.has(peer) ? 'alive' : 'gone'}`);
      else if (held) settled = Math.max(settled, held.t - lastFault);
    }
  }
  if (wrong.length > 0) return fail(name, `${wrong.length} view(s) wrong at the end: ${wrong.slice(0, 3).join('; ')}${wrong.length > 3 ? '; …' : ''}`);
  const detail = `${live.size} live server(s) agree on ${live.size} alive and ${servers.length - live.size} gone; the last view settled ${Math.round(settled)} ms after the last fault (at most ${limit})`;
  return settled <= limit ? pass(name, detail, settled) : fail(name, detail, settled);
}

/**
 * Every assignment a master of a group made (its `redirect` or `forward`, §12.4) reached every
 * other master of the group that was never killed within `limit` ms: by its delta or the digest that
 * repairs a lost one (`assignment-learned`), or by the server's own `track` of the stream
 * (`stream-followed`). From the masters' debug events.
 */
/** An assignment a master learned more than this long after it was made came by a digest's repair, ms: a delta takes a round trip. */
const REPAIRED_AFTER = 200;

function assignmentsShared(sc: Scenario, r: RunRecord, limit: number): CheckResult {
  const name = 'assignments-shared';
  const killed = new Set(r.events.filter((e) => e.node === 'testbed' && e.type === 'fault' && (e.data.action ?? e.data.kind) === 'kill').map((e) => String(e.data.node)));
  const group = sc.masters.filter((m) => m.peers.length > 0 && !killed.has(m.name)).map((m) => m.name);
  const members = new Set(group);
  const made = new Map<number, { t: number; by: string }>();
  const learned = new Map<number, Map<string, { t: number; by: 'told' | 'track' }>>();
  for (const e of r.events) {
    if (!members.has(e.node)) continue;
    const sid = Number(e.data.sid);
    if ((e.type === 'redirect' || e.type === 'forward') && !made.has(sid)) made.set(sid, { t: e.t, by: e.node });
    else if (e.type === 'assignment-learned' || e.type === 'stream-followed') {
      let at = learned.get(sid);
      if (!at) learned.set(sid, (at = new Map()));
      if (!at.has(e.node)) at.set(e.node, { t: e.t, by: e.type === 'assignment-learned' ? 'told' : 'track' });
    }
  }
  if (made.size === 0) return unknown(name, `no master of ${list(group, 3)} made an assignment (its debug events: a real run gives its masters --log-level debug for this check)`);
  const late: string[] = [];
  const lags: number[] = [];
  const how = { told: 0, repaired: 0, track: 0 };
  for (const [sid, m] of made) {
    for (const other of group) {
      if (other === m.by) continue;
      const l = learned.get(sid)?.get(other);
      if (l === undefined) late.push(`${m.by}'s stream ${sid} never reached ${other}`);
      else if (l.t - m.t > limit) late.push(`${m.by}'s stream ${sid} reached ${other} after ${Math.round(l.t - m.t)} ms`);
      else {
        lags.push(l.t - m.t);
        // A delta arrives within a round trip; later, it was a digest's repair.
        if (l.by === 'track') how.track++;
        else if (l.t - m.t > REPAIRED_AFTER) how.repaired++;
        else how.told++;
      }
    }
  }
  const slowest = Math.max(0, ...lags);
  if (late.length > 0) return fail(name, `${late.length} of ${late.length + lags.length} (assignment, master) pairs late or missing: ${late.slice(0, 3).join('; ')}${late.length > 3 ? '; …' : ''} (within ${limit} ms)`);
  return pass(name, `${made.size} assignment(s), each known to every other master of ${list(group, 3)} within ${Math.round(slowest)} ms (at most ${limit}): ${how.told} by delta, ${how.repaired} by a digest's repair, ${how.track} by the server's track`, slowest);
}

/** The servers took at most `max` new supervisors (§12.2) after the first fault: a partition between masters moves none. */
function supervisorChanges(sc: Scenario, r: RunRecord, max: number): CheckResult {
  const name = 'supervisor-changes';
  const first = r.events.find((e) => e.node === 'testbed' && e.type === 'fault');
  if (!first) return unknown(name, 'no fault happened');
  const servers = new Set(sc.servers.map((s) => s.name));
  const changes = r.events.filter((e) => servers.has(e.node) && e.type === 'supervisor' && e.t >= first.t);
  const detail = `${changes.length} supervisor change(s) after the first fault${changes.length ? `: ${list(changes.map((e) => `${e.node} → ${String(e.data.master)}`))}` : ''} (at most ${max})`;
  return changes.length <= max ? pass(name, detail, changes.length) : fail(name, detail, changes.length);
}

/**
 * Every server whose supervisor (§12.2) was killed took another one within `limit` ms of the kill:
 * from the servers' `supervisor` events (a server's supervisor before any is its first master).
 */
function takeover(sc: Scenario, r: RunRecord, limit: number): CheckResult {
  const name = 'takeover';
  const masters = new Set(sc.masters.map((m) => m.name));
  const kills = r.events.filter((e) => e.node === 'testbed' && e.type === 'fault' && (e.data.action ?? e.data.kind) === 'kill' && masters.has(String(e.data.node)));
  if (kills.length === 0) return unknown(name, 'no master was killed');
  const times: number[] = [];
  const late: string[] = [];
  for (const kill of kills) {
    const victim = String(kill.data.node);
    for (const srv of sc.servers) {
      const before = r.events.filter((e) => e.node === srv.name && e.type === 'supervisor' && e.t <= kill.t).at(-1);
      const supervisor = before ? String(before.data.master) : srv.masters[0];
      if (supervisor !== victim) continue;
      const after = r.events.find((e) => e.node === srv.name && e.type === 'supervisor' && e.t > kill.t && e.data.master !== victim);
      if (!after) {
        late.push(`${srv.name} (never, after ${victim} was killed)`);
        continue;
      }
      times.push(after.t - kill.t);
      if (after.t - kill.t > limit) late.push(`${srv.name} (${Math.round(after.t - kill.t)} ms)`);
    }
  }
  if (times.length === 0 && late.length === 0) return unknown(name, 'no killed master supervised a server');
  const worst = times.length > 0 ? Math.round(Math.max(...times)) : undefined;
  const detail = `${times.length} server(s) taken over${worst !== undefined ? `, the last ${worst} ms after the kill` : ''} (at most ${limit} ms)`;
  return late.length === 0 ? pass(name, detail, worst) : fail(name, `${detail}; late: ${list(late)}`, worst);
}

const list = (names: readonly string[], n = 5) => names.slice(0, n).join(', ') + (names.length > n ? `, … (${names.length} in all)` : '');

function copiesIdentical(sc: Scenario, r: RunRecord, wanted: boolean): CheckResult {
  const name = 'copies-identical';
  const expectedToFail = new Set((sc.expect.clientsFail ?? []).map((c) => c.client));
  const judged = r.clients.filter((c) => !expectedToFail.has(c.name));
  if (judged.length === 0) return unknown(name, 'no client to judge');
  const bad = judged.filter((c) => c.identical !== true);
  const unsure = bad.filter((c) => c.identical === undefined);
  const holds = bad.length === 0;
  if (wanted && unsure.length > 0 && unsure.length === bad.length) return unknown(name, `${unsure.length} client(s) whose copy could not be checked: ${list(unsure.map((c) => c.name))}`);
  const detail = holds
    ? `${judged.length} of ${judged.length} client(s) complete and byte-identical`
    : `${bad.length} of ${judged.length} client(s) not: ${bad.slice(0, 3).map(clientProblem).join('; ')}${bad.length > 3 ? '; …' : ''}`;
  return holds === wanted ? pass(name, detail, judged.length - bad.length) : fail(name, wanted ? detail : `expected some copy to differ, but ${detail}`, judged.length - bad.length);
}

function clientProblem(c: ClientOutcome): string {
  return `${c.name} (${c.detail ?? (c.ok ? 'copy differs' : `failed: ${c.code ?? '?'}`)})`;
}

function clientsFail(r: RunRecord, wanted: readonly { client: string; code?: string }[]): CheckResult {
  const name = 'clients-fail';
  const wrong: string[] = [];
  for (const w of wanted) {
    const c = r.clients.find((x) => x.name === w.client);
    if (!c) wrong.push(`${w.client} did not run`);
    else if (c.ok) wrong.push(`${w.client} succeeded`);
    else if (w.code && c.code !== w.code) wrong.push(`${w.client} failed with ${c.code ?? '?'}, not ${w.code}`);
  }
  return wrong.length === 0
    ? pass(name, `${wanted.length} client(s) failed as expected (${list(wanted.map((w) => `${w.client}${w.code ? `: ${w.code}` : ''}`), 3)})`)
    : fail(name, wrong.slice(0, 5).join('; '));
}

function handoffs(r: RunRecord, h: { min?: number; max?: number }): CheckResult {
  const name = 'handoffs';
  const n = r.clients.reduce((s, c) => s + c.handoffs, 0);
  const range = h.min === h.max ? `${h.min}` : `${h.min ?? 0}…${h.max ?? '∞'}`;
  const detail = `${n} handoff(s) over ${r.clients.length} client(s) (expected ${range})`;
  return (h.min === undefined || n >= h.min) && (h.max === undefined || n <= h.max) ? pass(name, detail, n) : fail(name, detail, n);
}

function maxGap(r: RunRecord, limit: number): CheckResult {
  const name = 'max-gap';
  const moved = r.clients.filter((c) => c.handoffs > 0);
  if (moved.length === 0) return unknown(name, 'no client was handed off: no gap to measure');
  const worst = moved.reduce((a, b) => (b.maxGap > a.maxGap ? b : a));
  const detail = `largest gap ${worst.maxGap} ms (${worst.name}) over ${moved.length} client(s) handed off; at most ${limit} ms`;
  return worst.maxGap <= limit ? pass(name, detail, worst.maxGap) : fail(name, detail, worst.maxGap);
}

/** Servers that a fault touched are left out: the spread is about the ones that were up all along. */
/** The servers a spread is judged over: they hold a requested item, and no fault touched them. */
function spreadServers(sc: Scenario, r: RunRecord): string[] {
  const touched = new Set(sc.faults.flatMap((f) => ('node' in f.action ? [f.action.node] : f.action.kind === 'partition' ? f.action.sides.flat() : [])));
  const asked = new Set(r.clients.map((c) => c.file));
  return sc.servers.filter((s) => !touched.has(s.name) && s.files.some((f) => asked.has(f))).map((s) => s.name);
}

function loadSpread(sc: Scenario, r: RunRecord, maxRatio: number): CheckResult {
  const name = 'load-spread';
  const eligible = spreadServers(sc, r);
  if (eligible.length < 2) return unknown(name, `${eligible.length} server(s) held a requested file and were left alone by faults: no spread to judge`);
  const counts = eligible.map((s) => [s, r.streamsPerServer[s] ?? 0] as const);
  const total = counts.reduce((n, [, c]) => n + c, 0);
  if (total === 0) return unknown(name, 'no stream played on those servers');
  const most = counts.reduce((a, b) => (b[1] > a[1] ? b : a));
  const least = counts.reduce((a, b) => (b[1] < a[1] ? b : a));
  const ratio = least[1] === 0 ? Infinity : most[1] / least[1];
  const detail = `busiest ${most[0]} ${most[1]} stream(s), least busy ${least[0]} ${least[1]} over ${eligible.length} servers: ratio ${Number.isFinite(ratio) ? ratio.toFixed(2) : '∞'} (at most ${maxRatio})`;
  return ratio <= maxRatio ? pass(name, detail, ratio) : fail(name, detail, Number.isFinite(ratio) ? ratio : 'infinite');
}

/**
 * How evenly streams land at the moment they start: over the servers of spreadServers(), the streams
 * each plays at once (from its `stream-play` to its `stream-end`), taken as each stream starts; the
 * widest difference between the busiest and the least busy. Streams that end make differences the
 * policy did not choose, so only starts are judged.
 */
function loadEven(sc: Scenario, r: RunRecord, maxDiff: number): CheckResult {
  const name = 'load-even';
  const eligible = spreadServers(sc, r);
  if (eligible.length < 2) return unknown(name, `${eligible.length} server(s) held a requested file and were left alone by faults: no spread to judge`);
  const playing = new Map(eligible.map((s) => [s, new Set<unknown>()]));
  let worst = 0;
  let at = '';
  let starts = 0;
  for (const e of r.events) {
    const on = playing.get(e.node);
    if (!on) continue;
    if (e.type === 'stream-end') on.delete(e.data.sid);
    if (e.type !== 'stream-play') continue;
    on.add(e.data.sid);
    starts++;
    const counts = eligible.map((s) => playing.get(s)!.size);
    const diff = Math.max(...counts) - Math.min(...counts);
    if (diff > worst) {
      worst = diff;
      at = `at ${Math.round(e.t)} ms: ${eligible.map((s, i) => `${s} ${counts[i]}`).join(', ')}`;
    }
  }
  if (starts === 0) return unknown(name, 'no stream played on those servers');
  const detail = `as each of ${starts} stream(s) started, the servers' concurrent streams differed by at most ${worst}${at ? ` (${at})` : ''}; at most ${maxDiff}`;
  return worst <= maxDiff ? pass(name, detail, worst) : fail(name, detail, worst);
}

/** The 99th percentile (nearest rank). */
export function p99(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(sorted.length * 0.99) - 1)]!;
}

function redirectP99(r: RunRecord, limit: number): CheckResult {
  const name = 'redirect-p99';
  if (r.answerLatencies.length === 0) return unknown(name, 'no request was answered: no latency to measure');
  const v = Math.round(p99(r.answerLatencies) * 1000) / 1000;
  const detail = `p99 ${v} ms over ${r.answerLatencies.length} answer(s); at most ${limit} ms`;
  return v <= limit ? pass(name, detail, v) : fail(name, detail, v);
}

function noCrash(r: RunRecord, wanted: boolean): CheckResult {
  const name = 'no-crash';
  const crashes = r.events.filter((e) => e.type === 'crash');
  const why = crashes.length > 0 ? `: ${crashes.slice(0, 2).map((e) => `${e.node} ${String(e.data.error ?? '')}`).join('; ')}` : '';
  const detail = r.crashed.length === 0 ? 'no role crashed' : `${r.crashed.length} role(s) crashed (${list(r.crashed)})${why}`;
  return (r.crashed.length === 0) === wanted ? pass(name, detail, r.crashed.length) : fail(name, detail, r.crashed.length);
}

function amplification(r: RunRecord, max: number): CheckResult {
  const name = 'amplification';
  if (r.spoofed.sent === 0) return unknown(name, 'the attackers sent nothing');
  const ratio = r.spoofed.reflected / r.spoofed.sent;
  const detail = `${r.spoofed.reflected} bytes sent to spoofed addresses for ${r.spoofed.sent} bytes received from attackers: ${ratio.toFixed(3)} (at most ${max})`;
  return ratio <= max ? pass(name, detail, ratio) : fail(name, detail, ratio);
}

function serversDown(r: RunRecord, names: readonly string[]): CheckResult {
  const name = 'servers-down';
  const missed = names.filter((n) => !r.serversDown.includes(n));
  return missed.length === 0
    ? pass(name, `the master marked ${list(names)} down`)
    : fail(name, `never marked down: ${list(missed)}${r.serversDown.length > 0 ? ` (marked down: ${list(r.serversDown)})` : ''}`);
}

/** How evenly the clients' requests were answered among `masters`: each client's first answer counts for its master. */
function answersSpread(r: RunRecord, x: { clients: readonly string[]; masters: readonly string[]; max: number }): CheckResult {
  const name = 'answers-spread';
  const count = new Map<string, number>(x.masters.map((m) => [m, 0]));
  let answered = 0;
  for (const c of r.clients) {
    if (!x.clients.includes(c.name)) continue;
    const m = c.answeredBy[0];
    if (m === undefined || !count.has(m)) continue;
    count.set(m, count.get(m)! + 1);
    answered++;
  }
  if (answered === 0) return unknown(name, `no client was answered by ${list(x.masters, 3)}`);
  const values = [...count.values()];
  const spread = Math.max(...values) - Math.min(...values);
  const detail = `${[...count].map(([m, n]) => `${m} ${n}`).join(', ')}: the most less the fewest is ${spread} (at most ${x.max})`;
  return spread <= x.max ? pass(name, detail, spread) : fail(name, detail, spread);
}

/** What `served-by` and `answered-by` say of one client: the nodes that did it, and the words for them. */
interface OnlyBy {
  readonly name: 'served-by' | 'answered-by';
  /** The servers that streamed to a client, or the masters that answered it. */
  readonly of: (c: RunRecord['clients'][number]) => readonly string[];
  /** `served`, `answered`. */
  readonly verb: string;
  /** `servers`, `masters`. */
  readonly nodes: string;
  /** `no server served`, `no master answered`. */
  readonly none: string;
}

const SERVED_BY: OnlyBy = { name: 'served-by', of: (c) => c.servers, verb: 'served', nodes: 'servers', none: 'no server served' };
const ANSWERED_BY: OnlyBy = { name: 'answered-by', of: (c) => c.answeredBy, verb: 'answered', nodes: 'masters', none: 'no master answered' };

/** Each rule's clients were served (or answered) only by its nodes. */
function onlyBy(r: RunRecord, k: OnlyBy, rules: readonly { clients: readonly string[]; by: readonly string[] }[]): CheckResult {
  const wrong: string[] = [];
  const missing: string[] = [];
  let judged = 0;
  for (const rule of rules) {
    for (const n of rule.clients) {
      const by = r.clients.find((x) => x.name === n);
      const did = by ? k.of(by) : [];
      if (did.length === 0) {
        missing.push(n);
        continue;
      }
      judged++;
      const other = [...new Set(did.filter((s) => !rule.by.includes(s)))];
      if (other.length > 0) wrong.push(`${n} was ${k.verb} by ${other.join(', ')}, not only by ${list(rule.by, 3)}`);
    }
  }
  if (wrong.length > 0) return fail(k.name, wrong.slice(0, 4).join('; ') + (wrong.length > 4 ? '; …' : ''));
  if (missing.length > 0) return unknown(k.name, `${k.none} ${list(missing)}`);
  return pass(k.name, `${judged} client(s) ${k.verb} by the ${k.nodes} expected (${rules.map((x) => `${list(x.clients, 2)} → ${list(x.by, 3)}`).join('; ')})`);
}
