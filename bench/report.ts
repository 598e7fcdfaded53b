/**
 * The benchmark's output: the headline figures (flat, for the results file
 * and its test), the table for people, and how to read it.
 */
import type { RedirectResults, RedirectRound } from './redirect.js';
import { fmt, median, pct } from './stats.js';
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
  /** Every headline figure by name. Each one is a finite positive number in a run that worked. */
  readonly figures: Readonly<Record<string, number>>;
  readonly redirect?: RedirectResults;
  readonly streams?: StreamResults;
  /** The child processes the run started (all gone when it ends). */
  readonly processes: readonly { readonly name: string; readonly pid: number }[];
}

/** The headline figures of each section, by the name the results file gives them. */
export function figures(r: { redirect?: RedirectResults; streams?: StreamResults }): Record<string, number> {
  const out: Record<string, number> = {};
  if (r.redirect) {
    const x = r.redirect;
    Object.assign(out, {
      'redirect.master.requestsPerSecond': x.master.perSecond,
      'redirect.echo.requestsPerSecond': x.echo.perSecond,
      'redirect.ratio': x.ratio,
      'redirect.master.p50Ms': x.master.p50,
      'redirect.echo.p50Ms': x.echo.p50,
      'redirect.p50Ratio': x.p50Ratio,
      'redirect.master.p99Ms': x.master.p99,
      'redirect.echo.p99Ms': x.echo.p99,
      'redirect.p99Ratio': x.p99Ratio,
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
  return [
    `Redirects: ${x.settings.inflight} requests in flight, ${x.requestBytes}-byte padded requests, median of ${x.rounds.length} alternating round${x.rounds.length > 1 ? 's' : ''}`,
    row('', 'req/s', 'p50 ms', 'p99 ms', 'cpu: server / generator'),
    row('ofp master', fmt(x.master.perSecond), fmt(x.master.p50), fmt(x.master.p99), `${cpuOf((o) => o.master.targetCpu)} / ${cpuOf((o) => o.master.generatorCpu)}`),
    row('raw dgram echo', fmt(x.echo.perSecond), fmt(x.echo.p50), fmt(x.echo.p99), `${cpuOf((o) => o.echo.targetCpu)} / ${cpuOf((o) => o.echo.generatorCpu)}`),
    row('master / echo', x.ratio.toFixed(3), x.p50Ratio.toFixed(2), x.p99Ratio.toFixed(2), '(aim: req/s ratio ≥ 0.6)'),
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

export function table(r: BenchResults, resultsPath: string): string {
  const m = r.machine;
  const lines = [`ofp benchmark: ${m.cpus} × ${m.model}, node ${m.node}, ${m.platform}, load ${m.loadAverage.toFixed(2)}; ${r.quick ? 'quick run (rough figures)' : 'full run'}, ${Math.round(r.seconds)} s`];
  if (r.redirect) lines.push('', ...redirectTable(r.redirect));
  if (r.streams) lines.push('', ...streamsTable(r.streams));
  lines.push('', `results: ${resultsPath}`, '', HOW_TO_READ);
  return lines.join('\n');
}

export const HOW_TO_READ = [
  'How to read: each ratio compares an ofp role with a raw node:dgram process measured by the same',
  'instrument in the same run, so ratios carry across machines while absolute rates do not. Redirects:',
  'requests per second the master answers with a redirect while 64 padded requests stay in flight, over',
  'what an echo server that does no work answers (1 would be "as fast as the socket"; the aim is 0.6);',
  'the latency ratios say how many times longer a request waits at the master (p99: the slowest 1%).',
  'Streams: the most concurrent streams one server delivered with under 0.1% of chunks still missing',
  'after resends and at least 99% of their packet rate, and that packet rate over the rate a raw sender',
  'gets into the same receiving socket. cpu: share of one core during the measurement; the process near',
  '100% is the bottleneck (the generator or sink near 100% means the instrument, not the role, was the',
  'limit, and the role could do more).',
].join('\n');
