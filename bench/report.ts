/**
 * The benchmark's output: the headline figures (flat, for the results file
 * and its test), the table for people, and how to read it.
 */
import type { CodecResults } from './codec.js';
import type { SilenceResults } from './silence.js';
import type { SpreadResults } from './spread.js';
import type { DashboardBenchResults } from './dashboard.js';
import { type HandoffResults, KINDS } from './handoff.js';
import type { RedirectResults, RedirectRound } from './redirect.js';
import { fmt, median, pct } from './stats.js';
import type { SimResults } from './sim.js';
import type { MastersResults } from './masters.js';
import type { ViewResults } from './view.js';
import type { JobsResults } from './jobs.js';
import { VIEW_GOSSIP_INTERVAL } from '../src/protocol/constants.js';
import type { PortalResults } from './portal.js';
import { STARTUP_AIM, type StartupResults } from './startup.js';
import { MAX_RESIDUAL_LOSS, MIN_DELIVERED, type StreamResults } from './streams.js';

export interface Machine {
  readonly cpus: number;
  readonly model: string;
  readonly node: string;
  readonly platform: string;
  /** 1-minute load average when the run started: a busy machine gives lower absolute figures. */
  readonly loadAverage: number;
}

export interface BenchResults {
  readonly benchmark: 'ofp';
  readonly startedAt: string;
  readonly seconds: number;
  readonly quick: boolean;
  readonly machine: Machine;
  /**
   * Every headline figure by name. Each one is a finite number in a run that
   * worked; those of redirect and streams are positive, and some of handoff
   * are 0 when all is well (bytes lost or written twice).
   */
  readonly figures: Readonly<Record<string, number>>;
  readonly redirect?: RedirectResults;
  readonly relay?: RedirectResults;
  readonly portal?: PortalResults;
  readonly streams?: StreamResults;
  readonly handoff?: HandoffResults;
  readonly codec?: CodecResults;
  readonly spread?: SpreadResults;
  readonly silence?: SilenceResults;
  readonly sim?: SimResults;
  readonly masters?: MastersResults;
  readonly view?: ViewResults;
  readonly jobs?: JobsResults;
  readonly dashboard?: DashboardBenchResults;
  readonly startup?: StartupResults;
  /** The store the dashboard section drew. */
  readonly dashboardSize?: { readonly servers: number; readonly sessions: number };
  /** The child processes the run started (all gone when it ends). */
  readonly processes: readonly { readonly name: string; readonly pid: number }[];
}

/** The headline figures of each section, by the name the results file gives them. */
export interface Sections {
  redirect?: RedirectResults | undefined;
  relay?: RedirectResults | undefined;
  portal?: PortalResults | undefined;
  streams?: StreamResults | undefined;
  handoff?: HandoffResults | undefined;
  codec?: CodecResults | undefined;
  spread?: SpreadResults | undefined;
  silence?: SilenceResults | undefined;
  sim?: SimResults | undefined;
  masters?: MastersResults | undefined;
  view?: ViewResults | undefined;
  jobs?: JobsResults | undefined;
  dashboard?: DashboardBenchResults | undefined;
  startup?: StartupResults | undefined;
}

export function figures(r: Sections): Record<string, number> {
  const out: Record<string, number> = {};
  if (r.startup) {
    out['startup.node.ms'] = r.startup.node.medianMs;
    for (const row of r.startup.rows) {
      // `ofp master (listening)` → startup.master.listening; `ofp --version` → startup.version
      const k = `startup.${row.name.replace(/^ofp /, '').replace(/[()-]/g, '').trim().replace(/\s+/g, '.')}`;
      Object.assign(out, { [`${k}.ms`]: row.medianMs, [`${k}.ratio`]: row.ratio });
    }
    out['startup.worstRatio'] = r.startup.worstRatio;
  }
  for (const x of [r.redirect, r.relay]) {
    if (!x) continue;
    const k = x.mode;
    Object.assign(out, {
      [`${k}.master.requestsPerSecond`]: x.master.perSecond,
      [`${k}.echo.requestsPerSecond`]: x.echo.perSecond,
      [`${k}.ratio`]: x.ratio,
      [`${k}.master.p50Ms`]: x.master.p50,
      [`${k}.echo.p50Ms`]: x.echo.p50,
      [`${k}.p50Ratio`]: x.p50Ratio,
      [`${k}.master.p99Ms`]: x.master.p99,
      [`${k}.echo.p99Ms`]: x.echo.p99,
      [`${k}.p99Ratio`]: x.p99Ratio,
    });
  }
  if (r.portal) {
    const x = r.portal;
    Object.assign(out, {
      'portal.portal.redirectsPerSecond': x.portal.perSecond,
      'portal.one.redirectsPerSecond': x.one.perSecond,
      'portal.ratio': x.ratio,
      'portal.portal.p99Ms': x.portal.p99,
      'portal.one.p99Ms': x.one.p99,
      'portal.p99Ratio': x.p99Ratio,
    });
  }
  if (r.codec) {
    for (const op of r.codec.ops) {
      const k = `codec.${op.name.replace(' ', '.')}`;
      Object.assign(out, { [`${k}.perSecond`]: op.ofpPerSecond, [`${k}.ratio`]: op.ratio });
    }
    out['codec.worstRatio'] = r.codec.worstRatio;
  }
  if (r.silence) {
    for (const x of r.silence.runs) {
      const k = `silence.${x.rate / 1e6}M`;
      Object.assign(out, { [`${k}.silencePerHour`]: x.silencePerHour, [`${k}.startPerHour`]: x.startPerHour, [`${k}.retriesPerHour`]: x.retriesPerHour, [`${k}.damaged`]: x.damaged });
    }
  }
  if (r.spread) {
    r.spread.runs.forEach((x, i) => {
      const k = `spread.${Math.floor(i / 2) + 1}.${x.policy}`;
      Object.assign(out, { [`${k}.even`]: x.even, [`${k}.totals`]: x.totals });
    });
  }
  if (r.view) {
    for (const x of r.view.runs) {
      const k = `view.${x.servers}.loss${Math.round(x.loss * 100)}`;
      Object.assign(out, {
        [`${k}.withinTarget`]: x.withinTarget,
        [`${k}.p50Ms`]: x.heardMs.p50,
        [`${k}.p99Ms`]: x.heardMs.p99,
        [`${k}.deadP99Ms`]: x.deadMs.p99,
        [`${k}.falseDeaths`]: x.falseDeaths,
        [`${k}.bytesIdle`]: x.bytesIdle,
        [`${k}.bytesLoaded`]: x.bytesLoaded,
      });
    }
  }
  if (r.jobs) {
    for (const x of r.jobs.runs) {
      Object.assign(out, {
        [`jobs.${x.servers}.ratio`]: x.ratio,
        [`jobs.${x.servers}.cascadeMs`]: Math.max(...x.cascadeMs),
        [`jobs.${x.servers}.starOverCascade`]: x.starOverCascade,
        [`jobs.${x.servers}.depth`]: x.depth,
      });
    }
    if (r.jobs.real) Object.assign(out, { 'jobs.real.ratio': r.jobs.real.ratio, 'jobs.real.starOverCascade': r.jobs.real.starOverCascade, ...(r.jobs.real.stream ? { 'jobs.real.streamDuringJob': r.jobs.real.stream.duringJob } : {}) });
  }
  if (r.sim) {
    const x = r.sim;
    Object.assign(out, {
      'sim.servers': x.servers,
      'sim.clients': x.clients,
      'sim.timeRatio': x.timeRatio,
      'sim.eventsPerSecond': x.eventsPerSecond,
      'sim.bareEventsPerSecond': x.bareEventsPerSecond,
      'sim.eventRatio': x.eventRatio,
      'sim.wallSeconds': x.wallMs / 1000,
      'sim.heapMiB': x.heapMiB,
      'sim.passed': x.verdict === 'pass' ? 1 : 0,
    });
  }
  if (r.masters) {
    const x = r.masters;
    Object.assign(out, {
      'masters.takeoverP50Ms': x.takeoverMs.p50,
      'masters.takeoverP99Ms': x.takeoverMs.p99,
      'masters.takeoverMaxMs': x.takeoverMs.max,
      'masters.takeovers': x.takeoverMs.n,
      'masters.detectP50Ms': x.detectMs.p50,
      'masters.budgetMs': x.budgetMs,
      'masters.ratio': x.ratio,
      'masters.passed': x.passed,
      'masters.convergence.masters': x.convergence.settings.masters,
      'masters.convergence.servers': x.convergence.settings.servers,
      'masters.convergence.membershipMs': x.convergence.membershipMs,
      'masters.convergence.supervisionMs': x.convergence.supervisionMs,
      'masters.convergence.assignP99Ms': x.convergence.assignMs.p99,
      'masters.convergence.assignEverywhere': x.convergence.assignments > 0 ? x.convergence.assignmentsEverywhere / x.convergence.assignments : 0,
      ...Object.fromEntries(x.proximity.arms.flatMap((a) => [[`masters.proximity.${a.arm}.ownSite`, a.ownSite], [`masters.proximity.${a.arm}.meanDelayMs`, a.meanDelayMs]])),
      ...(x.realTakeoverMs ? { 'masters.real.takeoverP50Ms': x.realTakeoverMs.p50, 'masters.real.takeoverMaxMs': x.realTakeoverMs.max } : {}),
    });
  }
  if (r.dashboard) {
    const x = r.dashboard;
    Object.assign(out, {
      'dashboard.frameP50Ms': x.frameMs.p50,
      'dashboard.frameP99Ms': x.frameMs.p99,
      'dashboard.frameMeanMs': x.frameMs.mean,
      'dashboard.cpuPerFrameMs': x.cpuPerFrameMs,
      'dashboard.baselineMs': x.baselineMs,
      'dashboard.ratio': x.ratio,
      'dashboard.keyP50Ms': x.underLoad.keyMs.p50,
      'dashboard.keyP99Ms': x.underLoad.keyMs.p99,
      'dashboard.framesUnderLoad': x.underLoad.frames,
    });
  }
  if (r.streams) {
    const x = r.streams;
    Object.assign(out, {
      'streams.sustained': x.sustained,
      'streams.packetsPerSecond': x.packetsPerSecond,
      'streams.raw.deliveredPerSecond': x.raw.deliveredPerSecond,
      'streams.raw.sentPerSecond': x.raw.sentPerSecond,
      'streams.ratio': x.ratio,
    });
  }
  if (r.handoff) {
    const x = r.handoff;
    Object.assign(out, {
      'handoff.rttMs': x.rtt.p50,
      'handoff.failure.budgetMs': x.failureBudgetMs,
      'handoff.planned.budgetMs': x.plannedBudgetMs,
      'handoff.runs': x.total,
      'handoff.identical': x.identical,
      'handoff.bytesLost': x.lost,
      'handoff.bytesTwice': x.twice,
      'handoff.maxGapMs': x.maxGap,
      'handoff.failure.recoveryP50Ms': x.failureRecovery.p50,
      'handoff.failure.recoveryMaxMs': x.failureRecovery.max,
      'handoff.gapsUnder1s': x.underOneSecond,
      'handoff.diff.runs': x.diff.runs,
      'handoff.diff.p50AbsMs': x.diff.p50Abs,
      'handoff.diff.maxAbsMs': x.diff.maxAbs,
    });
    for (const k of KINDS) {
      const s = x.kinds[k];
      Object.assign(out, {
        [`handoff.${k}.runs`]: s.runs,
        [`handoff.${k}.gapP50Ms`]: s.gap.p50,
        [`handoff.${k}.gapP95Ms`]: s.gap.p95,
        [`handoff.${k}.gapMaxMs`]: s.gap.max,
        [`handoff.${k}.ratioP50`]: s.ratio.p50,
        [`handoff.${k}.ratioP95`]: s.ratio.p95,
        [`handoff.${k}.ratioMax`]: s.ratio.max,
      });
    }
  }
  return out;
}

const cpu = (x: number | undefined) => (x === undefined ? '-' : `${Math.round(x * 100)}%`);
const pad = (s: string, n: number) => s.padStart(n);

function redirectTable(x: RedirectResults): string[] {
  const cpuOf = (f: (o: RedirectRound) => number | undefined) => {
    const xs = x.rounds.map(f).filter((v): v is number => v !== undefined);
    return xs.length ? cpu(median(xs)) : '-';
  };
  const trend = (f: (o: RedirectRound) => readonly number[]) => {
    const firsts = x.rounds.map((o) => f(o)[0]).filter((v): v is number => v !== undefined);
    const lasts = x.rounds.map((o) => f(o).at(-1)).filter((v): v is number => v !== undefined);
    return firsts.length && lasts.length ? `${fmt(median(firsts))} → ${fmt(median(lasts))}` : '-';
  };
  const row = (name: string, a: string, b: string, c: string, rest: string) => `  ${name.padEnd(18)}${pad(a, 10)}${pad(b, 10)}${pad(c, 10)}   ${rest}`;
  const title = x.mode === 'relay' ? 'Relayed setups (master → server → master → client)' : 'Redirects';
  return [
    `${title}: ${x.settings.inflight} requests in flight, ${x.requestBytes}-byte padded requests, median of ${x.rounds.length} alternating round${x.rounds.length > 1 ? 's' : ''}`,
    row('', 'req/s', 'p50 ms', 'p99 ms', `cpu: server / generator${x.mode === 'relay' ? ' (media server)' : ''}`),
    row('ofp master', fmt(x.master.perSecond), fmt(x.master.p50), fmt(x.master.p99), `${cpuOf((o) => o.master.targetCpu)} / ${cpuOf((o) => o.master.generatorCpu)}${x.mode === 'relay' ? ` (${cpuOf((o) => o.master.serverCpu)})` : ''}`),
    row('raw dgram echo', fmt(x.echo.perSecond), fmt(x.echo.p50), fmt(x.echo.p99), `${cpuOf((o) => o.echo.targetCpu)} / ${cpuOf((o) => o.echo.generatorCpu)}`),
    row('master / echo', x.ratio.toFixed(3), x.p50Ratio.toFixed(2), x.p99Ratio.toFixed(2), x.mode === 'relay' ? '(two hops: about half of a redirect\'s ratio is par)' : '(aim: req/s ratio ≥ 0.6)'),
    `  each round, master / echo req/s: ${x.rounds.map((o) => o.ratio.toFixed(3)).join(', ')}`,
    // A rate that falls while the load is steady is a cost that grows with the requests already answered.
    `  req/s in the first and last ${x.bucketMs} ms of the measurement (median over rounds): master ${trend((o) => o.master.series)}, echo ${trend((o) => o.echo.series)}`,
  ];
}

function streamsTable(x: StreamResults): string[] {
  const lines = [
    `Streams: one ofp server, ${fmt(x.rate / 1e6, 0)} Mbit/s each, one receiving socket; a step passes with residual loss < ${pct(MAX_RESIDUAL_LOSS)} and ≥ ${pct(MIN_DELIVERED, 0)} of the nominal packet rate delivered`,
    `  ${pad('streams', 8)}${pad('pkt/s', 10)}${pad('nominal', 10)}${pad('delivered', 11)}${pad('resid. loss', 13)}${pad('server cpu', 12)}${pad('sink cpu', 10)}`,
  ];
  for (const s of x.steps) {
    lines.push(`  ${pad(String(s.streams), 8)}${pad(fmt(s.packetsPerSecond), 10)}${pad(fmt(s.expectedPerSecond), 10)}${pad(pct(s.delivered), 11)}${pad(pct(s.residualLoss, 3), 13)}${pad(cpu(s.serverCpu), 12)}${pad(cpu(s.sinkCpu), 10)}  ${s.ok ? 'pass' : 'FAIL'}${s.attempts > 1 ? ` (try ${s.attempts})` : ''}`);
  }
  lines.push(`  ${'sustained'.padEnd(16)}${x.sustained} streams, ${fmt(x.packetsPerSecond)} pkt/s, residual loss ${pct(x.residualLoss, 3)}`);
  lines.push(`  ${'raw one-way'.padEnd(16)}${fmt(x.raw.deliveredPerSecond)} pkt/s delivered (${fmt(x.raw.sentPerSecond)} sent), ${x.raw.packetBytes}-byte datagrams; cpu sender ${cpu(x.raw.senderCpu)}, sink ${cpu(x.raw.sinkCpu)}`);
  lines.push(`  ${'streams / raw'.padEnd(16)}${x.ratio.toFixed(3)}`);
  return lines;
}

function handoffTable(x: HandoffResults): string[] {
  const ms = (v: number) => (Number.isFinite(v) ? (v >= 100 ? v.toFixed(0) : v.toFixed(1)) : '-');
  const ratio = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '-');
  const widths = [6, 10, 8, 8, 11, 7, 7, 10];
  const row = (cells: string[]) => `  ${cells[0]!.padEnd(10)}${cells[1]!.padEnd(28)}${cells.slice(2).map((c, i) => pad(c, widths[i]!)).join('')}`;
  const lines = [
    `Handoffs: ${x.settings.clients} clients at a time streaming ${x.file} (${x.settings.fileMs / 1000} s at ${fmt(x.rate / 1e6, 0)} Mbit/s) from one server, acted on ~${x.settings.actAtMs} ms in; loopback round trip ${x.rtt.p50.toFixed(3)} ms (median of ${x.rtt.answered} pings)`,
    `  budget: failure ${x.failureBudgetMs.toFixed(2)} ms (learnt silence timeout + round trip); planned ${x.plannedBudgetMs.toFixed(2)} ms (one ${x.pacingMs.toFixed(1)} ms packet interval + round trip)`,
    row(['kind', 'trigger', 'runs', 'gap p50', 'p95', 'max', 'ratio p50', 'p95', 'max', 'at (p50)']),
  ];
  for (const k of KINDS) {
    const s = x.kinds[k];
    lines.push(row([k, s.triggers.join(', '), String(s.runs), `${ms(s.gap.p50)} ms`, ms(s.gap.p95), ms(s.gap.max), `${ratio(s.ratio.p50)}×`, ratio(s.ratio.p95), ratio(s.ratio.max), `${ms(s.nptP50 / 1000)} s`]) + (k === 'failure' ? '   (aim: ratio ≤ 1.2)' : ''));
    if (s.otherReasons > 0) lines.push(`    ${s.otherReasons} of them reported another reason than "${k}"`);
  }
  const rec = x.failureRecovery;
  lines.push(`  failures: the gap is detection then recovery; recovery (the client gives its server up → the new server's first packet) p50 ${ms(rec.p50)} ms, p95 ${ms(rec.p95)}, max ${ms(rec.max)}`);
  lines.push(`  copies identical: ${x.identical} of ${x.total}; bytes lost ${x.lost}, written twice ${x.twice}, from nowhere ${x.foreign} (packets received twice and dropped by the clients: ${x.duplicates})`);
  lines.push(`  master's computed position − the client's true one: |diff| p50 ${ms(x.diff.p50Abs)} ms, max ${ms(x.diff.maxAbs)} ms over ${x.diff.runs} planned handoffs` +
    (x.failureMasterDiff.runs > 0 ? `; failures (master's own record): p50 ${ms(x.failureMasterDiff.p50Abs)} ms, max ${ms(x.failureMasterDiff.maxAbs)} ms over ${x.failureMasterDiff.runs}` : ''));
  lines.push(`  every gap under 1 s: ${x.underOneSecond === x.samples && x.samples > 0 ? 'yes' : 'NO'} (${x.underOneSecond} of ${x.samples}; largest ${ms(x.maxGap)} ms)`);
  for (const p of x.problems) lines.push(`  problem: ${p}`);
  return lines;
}

function startupTable(x: StartupResults): string[] {
  const lines = [
    `Start-up: wall time from spawn to exit (--version, --help) or to the first line, listening (the roles), median of ${x.settings.runs} runs each, alternating with node -e 0`,
    `  ${'command'.padEnd(30)}${pad('median', 10)}${pad('× node', 9)}${pad('first run', 12)}`,
    `  ${'node -e 0'.padEnd(30)}${pad(`${x.node.medianMs.toFixed(0)} ms`, 10)}${pad('1.00', 9)}`,
  ];
  for (const r of x.rows) lines.push(`  ${r.name.padEnd(30)}${pad(`${r.medianMs.toFixed(0)} ms`, 10)}${pad(r.ratio.toFixed(2), 9)}${pad(`${r.firstRunMs.toFixed(0)} ms`, 12)}`);
  lines.push(`  slowest: ${x.worstRatio.toFixed(2)}× node (aim: ≤ ${STARTUP_AIM}×)`);
  return lines;
}

function codecTable(x: CodecResults): string[] {
  const lines = [
    `Codec, in process: ofp encode/decode (schema checks included) vs bare msgpackr with the same options, median of ${x.settings.rounds} alternating loop${x.settings.rounds > 1 ? 's' : ''} of ${x.settings.loopMs} ms`,
    `  ${'operation'.padEnd(18)}${pad('bytes', 7)}${pad('ofp ops/s', 13)}${pad('msgpackr', 13)}${pad('ratio', 8)}`,
  ];
  for (const op of x.ops) lines.push(`  ${op.name.padEnd(18)}${pad(String(op.bytes), 7)}${pad(fmt(op.ofpPerSecond), 13)}${pad(fmt(op.rawPerSecond), 13)}${pad(op.ratio.toFixed(2), 8)}`);
  return lines;
}

function silenceTable(x: SilenceResults): string[] {
  const lines = [
    `Spurious handoffs (simulated): ${x.settings.streams} streams of ${x.settings.playMs / 1000} s at a time from servers that never fail, 5% loss in bursts, 20 ms jitter, 2% reordering, ${x.settings.seeds} seed${x.settings.seeds > 1 ? 's' : ''} per rate`,
    `  ${'rate'.padEnd(12)}${pad('stream-h', 10)}${pad('silence/h', 11)}${pad('start/h', 9)}${pad('retries/h', 11)}${pad('damaged', 9)}`,
  ];
  for (const r of x.runs) lines.push(`  ${`${r.rate / 1e6} Mbit/s`.padEnd(12)}${pad(r.streamHours.toFixed(2), 10)}${pad(r.silencePerHour.toFixed(2), 11)}${pad(r.startPerHour.toFixed(2), 9)}${pad(r.retriesPerHour.toFixed(1), 11)}${pad(String(r.damaged), 9)}`);
  return lines;
}

function spreadTable(x: SpreadResults): string[] {
  const lines = [
    `Load spread (simulated): bursts of requests for one item, the default policy against round robin over the same arrivals, ${x.settings.seeds} seed${x.settings.seeds > 1 ? 's' : ''} each`,
    `  ${'arrivals'.padEnd(64)}${'policy'.padEnd(30)}${pad('even', 6)}${pad('totals', 8)}  at the peak: streams / capacity share`,
  ];
  for (const r of x.runs) {
    const shares = r.shares.map((s) => `${Math.round(s.streams * 100)}%/${Math.round(s.capacity * 100)}%`).join(' ');
    lines.push(`  ${r.sequence.padEnd(64)}${r.policy.padEnd(30)}${pad(String(r.even), 6)}${pad(String(r.totals), 8)}  ${shares}`);
  }
  return lines;
}

function viewTable(v: ViewResults): string[] {
  const cols = [9, 6, 6, 10, 13, 8, 8, 9, 8, 16, 7, 9, 9];
  const row = (...c: string[]) => `  ${c.map((x, i) => (i === 0 ? x.padEnd(cols[i]!) : x.padStart(cols[i]!))).join('')}`;
  return [
    'Servers\' shared view (simulated): formed from a cold start; then a drain, and a kill',
    row('servers', 'loss', 'seeds', 'formed s', 'drain within', 'p50 ms', 'p99 ms', 'p99 rnds', 'max ms', 'dead p99/budget', 'false', 'B/s idle', 'B/s load'),
    ...v.runs.map((x) => row(
      fmt(x.servers, 0), `${Math.round(x.loss * 100)}%`, String(x.seeds), x.formedMs.map((f) => (Number.isNaN(f) ? '—' : fmt(f / 1000, 0))).join('/'),
      `${(x.withinTarget * 100).toFixed(2)}% ${x.targetMs / 1000}s`, fmt(x.heardMs.p50, 0), fmt(x.heardMs.p99, 0), fmt(x.heardMs.p99 / VIEW_GOSSIP_INTERVAL, 1), fmt(x.heardMs.max, 0),
      `${fmt(x.deadMs.p99 / 1000, 1)}/${fmt(x.deadBudgetMs / 1000, 1)} s`, String(x.falseDeaths), fmt(x.bytesIdle, 0), fmt(x.bytesLoaded, 0),
    )),
  ];
}

function jobsTable(j: JobsResults): string[] {
  const cols = [9, 9, 13, 7, 14, 9, 8, 10, 9, 9];
  const row = (...c: string[]) => `  ${c.map((x, i) => (i === 0 ? x.padEnd(cols[i]!) : x.padStart(cols[i]!))).join('')}`;
  return [
    `Distribution jobs (simulated): ${fmt(j.settings.bytes / 1e6, 1)} MB at ${fmt(j.settings.rate / 1e6, 0)} Mbit/s a transfer, ${j.settings.fanout} at once per node`,
    row('servers', 'size MB', 'rate Mbit/s', 'depth', 'cascade s', 'bound s', 'ratio', 'star s', 'star ÷', 'resent'),
    ...j.runs.map((x) => row(
      fmt(x.servers, 0), fmt(x.bytes / 1e6, 1), fmt(x.rate / 1e6, 0), String(x.depth), x.cascadeMs.map((m) => fmt(m / 1000, 2)).join('/'),
      fmt(x.boundMs / 1000, 2), x.ratio.toFixed(2), fmt(x.starMs / 1000, 1), `${x.starOverCascade.toFixed(1)}×`, `${(x.resentShare * 100).toFixed(2)}%`,
    )),
    ...(j.real ? [
      `  real processes on loopback: ${j.real.servers} servers, ${fmt(j.real.bytes / 1e6, 1)} MB at ${fmt(j.real.rate / 1e6, 0)} Mbit/s, ${j.real.fanout} at once per node: cascade ${j.real.cascadeMs.map((m) => fmt(m / 1000, 2)).join('/')} s (depth ${j.real.depth}), bound ${fmt(j.real.boundMs / 1000, 2)} s, ratio ${j.real.ratio.toFixed(2)}; star ${fmt(j.real.starMs / 1000, 1)} s (${j.real.starOverCascade.toFixed(1)}×)`,
      ...(j.real.stream ? [`  a ${fmt(j.real.stream.rate / 1e6, 0)} Mbit/s stream from the first target during the cascade (${fmt(j.real.stream.overlapMs / 1000, 1)} s of overlap): ${(j.real.stream.duringJob * 100).toFixed(1)}% of its rate; with no job ${(j.real.stream.alone * 100).toFixed(1)}%`] : []),
    ] : []),
  ];
}

function simTable(x: SimResults): string[] {
  return [
    `Simulator: ${x.scenario} at scale ${x.settings.scale} (${fmt(x.servers)} servers, ${fmt(x.clients)} clients, seed ${x.settings.seed})`,
    `  ${fmt(x.simulatedMs / 1000, 1)} s simulated in ${fmt(x.wallMs / 1000, 1)} s of wall time: ${x.timeRatio.toFixed(2)}× real time`,
    `  ${fmt(x.events)} events (${fmt(x.datagrams)} datagrams): ${fmt(x.eventsPerSecond)} events/s; the bare event loop ${fmt(x.bareEventsPerSecond)}/s; ratio ${x.eventRatio.toFixed(4)}`,
    `  peak heap ${fmt(x.heapMiB, 0)} MiB; verdict ${x.verdict}${x.failed.length ? ` (${x.failed.join('; ')})` : ''}`,
  ];
}

function mastersTable(x: MastersResults): string[] {
  return [
    `Master failover: ${x.scenario}, the supervisor of every server killed (${x.settings.seeds} seeds simulated${x.settings.realRuns ? `, ${x.settings.realRuns} runs on real processes` : ''}; ${x.passed} of ${x.runs} runs passed their checks)`,
    `  takeover after the kill: p50 ${Math.round(x.takeoverMs.p50)} ms, p99 ${Math.round(x.takeoverMs.p99)} ms, max ${Math.round(x.takeoverMs.max)} ms over ${x.takeoverMs.n} servers; the other masters declare it dead at p50 ${Math.round(x.detectMs.p50)} ms`,
    ...(x.realTakeoverMs ? [`  on real processes: p50 ${Math.round(x.realTakeoverMs.p50)} ms, max ${Math.round(x.realTakeoverMs.max)} ms over ${x.realTakeoverMs.n} servers`] : []),
    `  budget ${x.budgetMs} ms: p99 ÷ budget ${x.ratio.toFixed(2)}`,
    ...convergenceTable(x.convergence),
    ...proximityTable(x.proximity),
  ];
}

function proximityTable(p: MastersResults['proximity']): string[] {
  const n = p.arms[0]?.clients ?? 0;
  return [
    `Proximity (simulated, seed ${p.settings.seed}): ${p.settings.sites} sites ${p.hopMs} ms apart on a line, the master at the first, ${fmt(n, 0)} clients in all`,
    ...p.arms.map((a) => `  ${a.arm.padEnd(18)}${(a.ownSite * 100).toFixed(1).padStart(6)}% served at their own site, mean one-way delay to their server ${a.meanDelayMs.toFixed(1)} ms${a.passed ? '' : ' (its checks FAILED)'}`),
  ];
}

function convergenceTable(c: MastersResults['convergence']): string[] {
  const s = c.settings;
  return [
    `Convergence of a large group (simulated, seed ${s.seed}): ${fmt(s.masters, 0)} masters, ${fmt(s.servers, 0)} servers registered with each, ${fmt(s.clients, 0)} clients through a round-robin portal; ${fmt(c.simulatedSeconds, 1)} s simulated in ${fmt(c.wallSeconds, 1)} s${c.passed ? '' : ' (its checks FAILED)'}`,
    `  every master sees every other alive ${fmt(c.membershipMs, 1)} ms after the start; every server has the supervisor it keeps at ${fmt(c.supervisionMs, 0)} ms`,
    `  ${fmt(c.assignmentsEverywhere, 0)} of ${fmt(c.assignments, 0)} assignments reached every other master: p50 ${c.assignMs.p50.toFixed(2)} ms, p99 ${c.assignMs.p99.toFixed(2)} ms, max ${c.assignMs.max.toFixed(2)} ms after they were made`,
  ];
}

function portalTable(x: PortalResults): string[] {
  const row = (name: string, a: string, b: string, c: string) => `  ${name.padEnd(34)}${pad(a, 10)}${pad(b, 10)}${pad(c, 10)}`;
  return [
    `Redirects through a portal: ${x.settings.inflight} requests in flight, median of ${x.rounds.length} alternating round${x.rounds.length > 1 ? 's' : ''}`,
    row('', 'req/s', 'p50 ms', 'p99 ms'),
    row(`ofp portal (forward) → ${x.masters} masters`, fmt(x.portal.perSecond), fmt(x.portal.p50), fmt(x.portal.p99)),
    row('one ofp master', fmt(x.one.perSecond), fmt(x.one.p50), fmt(x.one.p99)),
    `  portal ÷ one master: ${x.ratio.toFixed(3)} (p99 ${x.p99Ratio.toFixed(2)}×)`,
  ];
}

function dashboardTable(x: DashboardBenchResults, o: { servers: number; sessions: number }): string[] {
  const u = x.underLoad;
  return [
    `Dashboard: one frame of ofp dashboard with ${fmt(o.servers)} servers and ${fmt(o.sessions)} sessions in the store (React ${x.react} build)`,
    `  frame p50 ${x.frameMs.p50.toFixed(1)} ms, p99 ${x.frameMs.p99.toFixed(1)} ms, mean ${x.frameMs.mean.toFixed(1)} ms; cpu ${x.cpuPerFrameMs.toFixed(1)} ms per frame; a one-line frame ${x.baselineMs.toFixed(2)} ms: ratio ${x.ratio.toFixed(1)}`,
    `  under load (the store changing every ms for ${fmt(u.durationMs / 1000, 1)} s): ${u.storeChanges} changes drawn in ${u.frames} frames (capped at 10/s); a key shows in p50 ${u.keyMs.p50.toFixed(1)} ms, p99 ${u.keyMs.p99.toFixed(1)} ms`,
  ];
}

export function table(r: BenchResults, resultsPath: string): string {
  const m = r.machine;
  const lines = [`ofp benchmark: ${m.cpus} × ${m.model}, node ${m.node}, ${m.platform}, load ${m.loadAverage.toFixed(2)}; ${r.quick ? 'quick run (rough figures)' : 'full run'}, ${Math.round(r.seconds)} s`];
  if (r.startup) lines.push('', ...startupTable(r.startup));
  if (r.redirect) lines.push('', ...redirectTable(r.redirect));
  if (r.relay) lines.push('', ...redirectTable(r.relay));
  if (r.portal) lines.push('', ...portalTable(r.portal));
  if (r.streams) lines.push('', ...streamsTable(r.streams));
  if (r.handoff) lines.push('', ...handoffTable(r.handoff));
  if (r.codec) lines.push('', ...codecTable(r.codec));
  if (r.silence) lines.push('', ...silenceTable(r.silence));
  if (r.spread) lines.push('', ...spreadTable(r.spread));
  if (r.masters) lines.push('', ...mastersTable(r.masters));
  if (r.view) lines.push('', ...viewTable(r.view));
  if (r.jobs) lines.push('', ...jobsTable(r.jobs));
  if (r.sim) lines.push('', ...simTable(r.sim));
  if (r.dashboard) lines.push('', ...dashboardTable(r.dashboard, r.dashboardSize ?? { servers: 0, sessions: 0 }));
  lines.push('', `results: ${resultsPath}`, '', howToRead(r));
  return lines.join('\n');
}

/** How to read the table, a paragraph per section (the run prints those of the sections it ran). */
export const HOW_TO_READ = {
  startup: [
    'Start-up: how long a command takes before it has done what it was asked, over starting node itself',
    '(node -e 0) in the same run: 1 would be "costs nothing beyond node". The first run after a build is',
    'slower: it compiles what the next runs take from V8\'s code cache (dist/.v8-cache).',
  ],
  redirect: [
    'Redirects: requests per second the master answers with a redirect while 64 padded requests stay in',
    'flight, over what an echo server that does no work answers (1 would be "as fast as the socket"; the',
    'aim is 0.6); the latency ratios say how many times longer a request waits at the master (p99: the',
    'slowest 1%).',
  ],
  relay: [
    'Relayed setups: the same measurement with each request forwarded by the master to the server and',
    'the server\'s setup relayed back, and each stream then torn down by the generator as a client that',
    'does not want it would: every request costs the master three datagrams in and three out and waits',
    'on a second process, so its ratio to the one-hop echo is lower than a redirect\'s by nature.',
  ],
  streams: [
    'Streams: the most concurrent streams one server delivered with under 0.1% of chunks still missing',
    'after resends and at least 99% of their packet rate, and that packet rate over the rate a raw sender',
    'gets into the same receiving socket.',
  ],
  cpu: [
    'cpu: share of one core during the measurement; the process near 100% is the bottleneck (the',
    'generator or sink near 100% means the instrument, not the role, was the limit, and the role could do',
    'more).',
  ],
  handoff: [
    'Handoffs: the gap is what the client measures, from the old server\'s last packet to the new server\'s',
    'first packet at the right position (in whole ms). A failure cannot be seen before the client\'s',
    'silence timeout has passed (learnt from the stream, §6.2: 500 ms for a steady stream of 4 Mbit/s, more',
    'for a slow one), and then costs one round trip to the master and the new server:',
    'that is its budget, and the ratio says how close the handoff comes to it (aim ≤ 1.2). A planned',
    'handoff (drain, overload, operator) has no detection to wait for: the old server streams until the',
    'new one delivers, so its budget is one packet interval plus one round trip, its ratio is how many of',
    'those the client went without data, and its gap in ms is the figure to read. "at" is how far into the',
    'stream it happened. A copy is identical when it is the original byte for byte; lost and twice count',
    'bytes of the original missing from it or repeated in it. The diff is the master\'s computed position',
    'minus where the client stood (the client learns it in planned handoffs; for failures the master\'s',
    'own record is shown, taken at the server\'s last load report). With a handful of runs, p95 is the',
    'worst or next-to-worst seen.',
  ],
  codec: [
    'Codec: operations per second of ofp\'s encode and decode, which check every field of the message',
    'against its schema and the structure of the bytes before decoding, over msgpackr alone on the same',
    'value (1 would be "the checks cost nothing").',
  ],
  masters: [
    'Master failover: from SIGKILL of the master supervising the servers to each server taking another',
    'supervisor (§12.2), against the 2 s the group has to notice a death (§12.1); below 1, within it.',
    'Streams play on meanwhile: no master is on their path. Convergence: in simulated time, from a cold',
    'start of the whole group, and from each assignment to the last other master that learned it (§12.4).',
    'Proximity: the same arrivals served by the default policy, by `nearest` with clients that echo the',
    'master\'s answers (round trips only, §12.5), and by `nearest` with clients that say their location.',
  ],
  silence: [
    'Spurious handoffs: a client gives its server up when its silence timeout, learnt from the stream (§6.2), runs',
    'out (silence/h), or when its request or `play` went unanswered every time (start/h); per stream-hour, aim 0 for',
    'silence. retries/h: `play` sent again after half a silence timeout at its ceiling, the silence then ending in time.',
  ],
  spread: [
    'Spread: `even` is the widest difference between the servers\' concurrent streams as each stream starts (the',
    'worst over the seeds; for identical servers the aim is at most 1), `totals` the widest difference between their',
    'stream counts over the run. At the peak of concurrency (seed 1), each server\'s share of the streams beside its',
    'share of the capacity. The default policy takes the greatest available bandwidth (S1.2): over servers of unequal',
    'capacity it fills the largest first, so its shares follow the capacities only under heavy load.',
  ],
  view: [
    'View: servers of a keyed cluster share their view (§13), all started at once; `formed s`: when every server held every other',
    'alive (per seed). Once it has had 30 s + 0.2 s a server, and 0.15 s a server more for the echo of the joins to die down, the',
    'view stands idle 20 s, then clients arrive 8 a second for 20 s, so',
    'that servers\' users and bandwidth change; then one server drains and another is killed. The share of the other servers that',
    'heard of the drain within 2 s (3 s under loss), and when (p50, p99, max, simulated time; p99 also in rounds of gossip, 200 ms);',
    'when the last other server held the killed one dead (p99) against the budget (two probe periods to suspect it, the suspicion',
    'timeout of §12.1 in the view\'s periods, and the 2 s — 3 s under loss — a change takes to spread); peers declared dead that were never killed;',
    'and the `member` bytes each server sends per second, MAC included, idle and while loads change.',
  ],
  jobs: [
    'Jobs: a distribution job (§14) brings a file to every server through the cascade, each transfer paced at the rate and each',
    'node (the base server too) serving 4 targets at once; time from the job\'s creation (the provider\'s upload included, itself',
    'pipelined) to the last target\'s completion (per seed). The bound: the file at the rate, plus the file\'s last block (64 KiB',
    'when whole) at the rate per hop from the base server to the deepest target (a block goes on once whole and verified); the',
    'ratio is the worst seed\'s over it, and the aim is 1.3 at most (chunk headers alone make it about 1.04).',
    'The star: the same file fed to every target by the base server alone, 4 at a time; `star ÷`: how many times longer it takes.',
  ],
  portal: [
    'Portal: redirects per second answered through a portal that passes each request on to one of two',
    'masters in turn (the master answers the client directly), over one master alone answering the same',
    'generator: above 1, the portal lets more masters answer than one could; below, the extra hop costs',
    'more than the second master brings (on two cores, the portal, the masters and the generator share them).',
  ],
  sim: [
    'Simulator: how many times faster than real time the simulator runs the 1,000-server, 10,000-client',
    'scenario with the real role cores (above 1: faster than the wall clock), and its events per second',
    'over the bare event loop (a heap of events that do nothing): what the role cores and the simulated',
    'network cost per event.',
  ],
  dashboard: [
    'Dashboard: the wall time and cpu of drawing one frame of the real dashboard (header, three panes,',
    'footer; 160×50) from a store of 1,000 servers and 10,000 sessions that changes every frame, over a',
    'frame of one line of text: the dashboard formats only the rows it shows, so the frame time does not',
    'grow with the store. Under load, frames are capped at 10 a second and a key still shows at once.',
  ],
};

function howToRead(r: BenchResults): string {
  const lines = [
    'How to read: each ratio compares an ofp role with a raw node:dgram process measured by the same',
    'instrument in the same run, so ratios carry across machines while absolute rates do not.',
  ];
  if (r.startup) lines.push(...HOW_TO_READ.startup);
  if (r.redirect) lines.push(...HOW_TO_READ.redirect);
  if (r.streams) lines.push(...HOW_TO_READ.streams);
  if (r.relay) lines.push(...HOW_TO_READ.relay);
  if (r.portal) lines.push(...HOW_TO_READ.portal);
  if (r.redirect || r.relay || r.streams) lines.push(...HOW_TO_READ.cpu);
  if (r.handoff) lines.push(...HOW_TO_READ.handoff);
  if (r.codec) lines.push(...HOW_TO_READ.codec);
  if (r.masters) lines.push(...HOW_TO_READ.masters);
  if (r.silence) lines.push(...HOW_TO_READ.silence);
  if (r.spread) lines.push(...HOW_TO_READ.spread);
  if (r.view) lines.push(...HOW_TO_READ.view);
  if (r.jobs) lines.push(...HOW_TO_READ.jobs);
  if (r.sim) lines.push(...HOW_TO_READ.sim);
  if (r.dashboard) lines.push(...HOW_TO_READ.dashboard);
  return lines.join('\n');
}
