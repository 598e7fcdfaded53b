/**
 * Position-preserving handoff with real processes: rounds of a few `ofp
 * client get` processes streaming a short file from one server (the
 * primary), which, ~1 s into the streams, is killed (SIGKILL: failure, the
 * clients find the silence), drained (`ofp server drain`, or SIGTERM),
 * overloaded (`ofp server overload` below one stream's rate) or has each
 * stream moved by an operator (`ofp master handoff`). Every stream moves to
 * the standby server. Each client reports the gap it saw (the old server's
 * last packet to the new server's first at the right position) and its copy
 * is compared with the original.
 *
 * One master and one standby server serve every round; a primary that was
 * killed, drained or overloaded is replaced before the next round, and a new
 * round starts only once the master no longer counts the old one (a server
 * killed outright is marked down after missed polls).
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DATA_CHUNK, SERVER_SILENCE_TIMEOUT, SILENCE_FLOOR, SILENCE_PACKETS } from '../src/protocol/constants.js';
import { type CopyComparison, compareCopy } from './copyCheck.js';
import { type PingResult } from './ping.js';
import type { BenchChild, ChildSet, JsonLine } from './processes.js';
import { percentile } from './stats.js';

export const KINDS = ['failure', 'drain', 'overload', 'operator'] as const;
export type Kind = (typeof KINDS)[number];
export type Trigger = 'SIGKILL' | 'ofp server drain' | 'SIGTERM' | 'ofp server overload' | 'ofp master handoff';

export interface HandoffSettings {
  /** Clients streaming at once in each round (all from the primary). */
  readonly clients: number;
  /** Rounds of each kind (drain rounds alternate `ofp server drain` and SIGTERM). */
  readonly rounds: Readonly<Record<Kind, number>>;
  /** Play time of the file, ms. */
  readonly fileMs: number;
  /** How far into the streams the event happens, ms. */
  readonly actAtMs: number;
  /** Pings of the round-trip baseline. */
  readonly pings: number;
}

/** The cluster the rounds run on, set up by the caller. */
export interface HandoffCluster {
  readonly children: ChildSet;
  /** bin/run.js */
  readonly ofp: string;
  readonly master: BenchChild;
  readonly masterAddress: string;
  /** The standby server every stream moves to. */
  readonly standby: string;
  readonly file: string;
  /** The file's bytes, to compare copies with. */
  readonly original: Uint8Array;
  /** The file's rate, bit/s. */
  readonly rate: number;
  /** Where the copies go (each removed once compared). */
  readonly dir: string;
  /** A new primary, registered and up at the master. */
  startPrimary(name: string): Promise<{ child: BenchChild; address: string }>;
  /** The loopback round trip, measured before the rounds. */
  readonly rtt: PingResult;
}

export interface HandoffRun {
  readonly kind: Kind;
  readonly trigger: Trigger;
  readonly round: number;
  readonly client: number;
  /** The client finished with its copy complete (exit status 0). */
  readonly complete: boolean;
  /** The client streamed from the server the event acted on. */
  readonly onPrimary: boolean;
  readonly handoffs: number;
  /** The largest gap of the client's handoffs, ms, and its ratio to the kind's budget. */
  readonly gap?: number;
  readonly ratio?: number;
  /** The first handoff: reason, servers, the client's position (true NPT, ms), the master's computed one and the difference. */
  readonly why?: string;
  readonly from?: string;
  readonly to?: string;
  readonly npt?: number;
  readonly computed?: number;
  readonly diff?: number;
  /** The master's own record of the handoff (for a failure the client does not learn the computed position; the master has it). */
  readonly masterDiff?: number;
  readonly copy: CopyComparison;
  /** For a failure: from the client giving its server up (silence) to the new server's first packet at the right position, ms; the rest of the gap is detection. */
  readonly recoveryMs?: number;
  /** Packets the client received twice and dropped (the two servers overlap in a planned handoff). */
  readonly duplicates: number;
  readonly problem?: string;
}

export interface Spread {
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

export interface KindSummary {
  readonly kind: Kind;
  readonly triggers: readonly Trigger[];
  /** Runs with a handoff from the primary (the samples). */
  readonly runs: number;
  /** What the gap is compared with, ms. */
  readonly budgetMs: number;
  readonly gap: Spread;
  readonly ratio: Spread;
  /** Median position of the handoffs in the stream, ms. */
  readonly nptP50: number;
  /** Handoffs whose reason is not the kind's. */
  readonly otherReasons: number;
}

export interface HandoffResults {
  readonly settings: HandoffSettings;
  readonly file: string;
  readonly size: number;
  readonly rate: number;
  readonly rtt: PingResult;
  /** One data packet's interval at the file's rate, ms. */
  readonly pacingMs: number;
  /** The silence timeout a client learns of a steady stream at this rate (§6.2: SILENCE_FLOOR, or SILENCE_PACKETS packet intervals, within SERVER_SILENCE_TIMEOUT) + one round trip, ms: what a failure must wait before it can be detected. */
  readonly failureBudgetMs: number;
  /** One pacing interval + one round trip, ms: a planned handoff has no detection to wait for. */
  readonly plannedBudgetMs: number;
  readonly runs: readonly HandoffRun[];
  readonly kinds: Readonly<Record<Kind, KindSummary>>;
  /** Over every run. */
  readonly total: number;
  readonly identical: number;
  readonly lost: number;
  readonly twice: number;
  readonly foreign: number;
  /** Failures: the part of the gap after detection (asking a master, the new server setting up and sending). */
  readonly failureRecovery: Spread;
  /** Packets received twice and dropped by the clients, over every run. */
  readonly duplicates: number;
  /** Handoffs with the master's computed position (planned kinds: the client's `diff`). */
  readonly diff: { readonly runs: number; readonly p50Abs: number; readonly maxAbs: number };
  /** The master's own difference for failure handoffs (which the client does not learn). */
  readonly failureMasterDiff: { readonly runs: number; readonly p50Abs: number; readonly maxAbs: number };
  readonly maxGap: number;
  /** Handoffs with a gap under one second, of `samples`. */
  readonly underOneSecond: number;
  readonly samples: number;
  /** Runs that did not end with exactly one handoff from the primary and a complete copy. */
  readonly problems: readonly string[];
}

/** How long an `ofp` command takes to start (oclif loads) before it acts: a command is launched this much before the event. */
const COMMAND_START = 300;
/** Bounded waits, ms. */
const PLAY_TIMEOUT = 15_000;
const COMMAND_TIMEOUT = 10_000;
const HANDOFF_TIMEOUT = 5_000;
/** A drained server leaves once its streams have moved (the drain gives up after 15 s). */
const DRAIN_EXIT_TIMEOUT = 20_000;
/** A killed server is marked down after three missed polls of one second. */
const DOWN_TIMEOUT = 10_000;
const LEFT_TIMEOUT = 10_000;
/** An overloaded server's new capacity: below one stream's rate, so every stream moves. */
const OVERLOAD_CAPACITY = '1M';

/** Each cycle of rounds in this order: a failure last, so a run whose last round is one does not wait for the master to mark its server down. */
const CYCLE: readonly Kind[] = ['drain', 'overload', 'operator', 'failure'];

/** The rounds, kinds interleaved so a drift of the machine's load touches every kind alike. */
export function planRounds(s: HandoffSettings): { kind: Kind; trigger: Trigger }[] {
  const left = { ...s.rounds };
  const plan: { kind: Kind; trigger: Trigger }[] = [];
  let drains = 0;
  while (CYCLE.some((k) => left[k] > 0)) {
    for (const kind of CYCLE) {
      if (left[kind] <= 0) continue;
      left[kind]--;
      const trigger: Trigger = kind === 'failure' ? 'SIGKILL'
        : kind === 'drain' ? (drains++ % 2 === 0 ? 'ofp server drain' : 'SIGTERM')
          : kind === 'overload' ? 'ofp server overload' : 'ofp master handoff';
      plan.push({ kind, trigger });
    }
  }
  return plan;
}

function spread(xs: readonly number[]): Spread {
  const sorted = [...xs].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted.at(-1) ?? NaN };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Run `ofp ARGS` to its end; throws unless it exits 0 within COMMAND_TIMEOUT. */
async function command(c: HandoffCluster, name: string, args: readonly string[]): Promise<void> {
  const child = c.children.spawn(name, c.ofp, args);
  await child.exitWithin(COMMAND_TIMEOUT, 'the command');
  if (child.code !== 0) throw new Error(`${name} exited ${child.code}: ${child.stderr.trim().split('\n').slice(-3).join(' | ')}`);
}

interface ClientInRound {
  readonly child: BenchChild;
  readonly out: string;
  setup?: JsonLine;
}

export async function benchHandoffs(c: HandoffCluster, s: HandoffSettings, progress: (line: string) => void): Promise<HandoffResults> {
  const pacingMs = (DATA_CHUNK * 8 * 1000) / c.rate;
  const failureBudgetMs = Math.min(SERVER_SILENCE_TIMEOUT, Math.max(SILENCE_FLOOR, SILENCE_PACKETS * pacingMs)) + c.rtt.p50;
  const plannedBudgetMs = pacingMs + c.rtt.p50;
  const budget = (k: Kind) => (k === 'failure' ? failureBudgetMs : plannedBudgetMs);
  const plan = planRounds(s);
  const runs: HandoffRun[] = [];
  const problems: string[] = [];
  const progressRound = (round: number) => {
    const { kind, trigger } = plan[round - 1]!;
    const mine = runs.filter((r) => r.round === round);
    progress(`handoff round ${round}/${plan.length} (${kind}, ${trigger}): gaps ${mine.map((r) => (r.gap === undefined ? '-' : `${r.gap}`)).join(', ')} ms; copies identical ${mine.filter((r) => r.copy.identical).length}/${mine.length}`);
  };
  let primary = await c.startPrimary('primary 1');
  let primaries = 1;
  const clientTimeout = String(Math.ceil(s.fileMs / 1000) + 20);

  for (const [index, { kind, trigger }] of plan.entries()) {
    const round = index + 1;
    const dir = join(c.dir, `round-${round}`);
    mkdirSync(dir, { recursive: true });
    const clients: ClientInRound[] = [];
    for (let i = 0; i < s.clients; i++) {
      const out = join(dir, `copy-${i + 1}`);
      const child = c.children.spawn(`client ${round}.${i + 1}`, c.ofp, ['client', 'get', c.file, '--master', c.masterAddress, '--out', out, '--json-stream', '--timeout', clientTimeout]);
      clients.push({ child, out });
    }
    await Promise.all(clients.map(async (x) => {
      x.setup = await x.child.waitFor((e) => e.event === 'setup', PLAY_TIMEOUT, 'setup');
      await x.child.waitFor((e) => e.event === 'playing', PLAY_TIMEOUT, 'playing');
    }));
    const playingAt = performance.now();
    const acted = primary;
    const onPrimary = (x: ClientInRound) => x.setup?.data.srv === acted.address;
    const masterMark = c.master.mark();

    // The event, ~actAtMs into the streams (a command is launched early by its start-up time).
    const signalAt = playingAt + s.actAtMs;
    const commandAt = signalAt - COMMAND_START;
    let goneBy: Promise<unknown> = Promise.resolve();
    try {
      switch (trigger) {
        case 'SIGKILL':
        case 'SIGTERM':
          await sleep(signalAt - performance.now());
          acted.child.signal(trigger);
          goneBy = trigger === 'SIGKILL'
            ? c.master.waitFor((e) => e.event === 'server-down' && e.data.srv === acted.address, DOWN_TIMEOUT, `${acted.address} marked down`, masterMark)
            : acted.child.exitWithin(DRAIN_EXIT_TIMEOUT, 'the drain on SIGTERM');
          break;
        case 'ofp server drain':
          await sleep(commandAt - performance.now());
          await command(c, `drain ${round}`, ['server', 'drain', '--master', c.masterAddress, '--server', acted.address]);
          goneBy = acted.child.exitWithin(DRAIN_EXIT_TIMEOUT, 'the drain');
          break;
        case 'ofp server overload':
          await sleep(commandAt - performance.now());
          await command(c, `overload ${round}`, ['server', 'overload', '--master', c.masterAddress, '--server', acted.address, '--capacity', OVERLOAD_CAPACITY]);
          break;
        case 'ofp master handoff':
          await sleep(commandAt - performance.now());
          // One after another: commands starting at once would load the machine's cores at the moment measured.
          for (const [i, x] of clients.filter(onPrimary).entries()) {
            await command(c, `handoff ${round}.${i + 1}`, ['master', 'handoff', '--master', c.masterAddress, '--stream', String(x.setup!.data.sid), '--to', c.standby]);
          }
          break;
      }
    } catch (e) {
      // A refused order is a finding, not the end of the run: the round's streams say what came of it.
      problems.push(`round ${round} (${kind}, ${trigger}): ${e instanceof Error ? e.message : String(e)}`);
    }
    // Not awaited until the round ends; a rejection must not go unhandled meanwhile.
    goneBy.catch(() => undefined);

    // Once the streams have moved (to the standby, the only other server), a new primary starts for the next round.
    await Promise.all(clients.filter(onPrimary).map((x) => x.child.waitFor((e) => e.event === 'handoff', HANDOFF_TIMEOUT, 'a handoff').catch(() => undefined)));
    // After the last round nothing more is asked: no new primary, no waiting for the old one to go.
    const last = round === plan.length;
    const replaced = kind !== 'operator' && !last;
    const next = replaced ? c.startPrimary(`primary ${++primaries}`) : undefined;
    // A rejection is taken up below; until then it must not go unhandled.
    next?.catch(() => undefined);

    await Promise.all(clients.map((x) => x.child.exitWithin(s.fileMs + 30_000, 'the stream')));
    for (const [i, x] of clients.entries()) {
      const summary = x.child.seen((e) => e.event === 'summary')[0]?.data;
      const handoffs = (summary?.handoffs ?? []) as Record<string, unknown>[];
      const h = handoffs[0];
      let copyBytes: Uint8Array;
      try {
        copyBytes = readFileSync(x.out);
      } catch {
        copyBytes = new Uint8Array(0);
      }
      const copy = compareCopy(copyBytes, c.original);
      const gap = handoffs.length > 0 ? Number(summary!.maxGap) : undefined;
      const sid = x.setup?.data.sid;
      const failedAt = x.child.seen((e) => e.event === 'server-failed')[0]?.t;
      const handoffAt = x.child.seen((e) => e.event === 'handoff')[0]?.t;
      const recoveryMs = kind === 'failure' && failedAt !== undefined && handoffAt !== undefined ? handoffAt - failedAt : undefined;
      const masterEvent = c.master.seen((e) => e.event === 'handoff' && e.data.sid === sid)[0];
      const run: HandoffRun = {
        kind,
        trigger,
        round,
        client: i + 1,
        complete: x.child.code === 0 && summary?.ok === true,
        onPrimary: onPrimary(x),
        handoffs: handoffs.length,
        ...(gap !== undefined ? { gap, ratio: gap / budget(kind) } : {}),
        ...(h ? { why: String(h.why), from: String(h.from), to: String(h.to), npt: Number(h.npt) } : {}),
        ...(h?.computed !== undefined ? { computed: Number(h.computed), diff: Number(h.diff) } : {}),
        ...(typeof masterEvent?.data.diff === 'number' ? { masterDiff: masterEvent.data.diff } : {}),
        copy,
        ...(recoveryMs !== undefined ? { recoveryMs } : {}),
        duplicates: Number(summary?.duplicates ?? 0),
      };
      const problem = !run.onPrimary ? `streamed from ${String(x.setup?.data.srv)}, not the primary ${acted.address}`
        : !run.complete ? `incomplete: ${String(summary?.code ?? `exit ${x.child.code}`)} ${String(summary?.message ?? x.child.stderr.trim().split('\n').at(-1) ?? '')}`
          : run.handoffs !== 1 ? `${run.handoffs} handoffs`
            : !copy.identical ? `copy differs from byte ${copy.firstDifference}` : undefined;
      if (problem) problems.push(`round ${round} (${kind}, ${trigger}) client ${i + 1}: ${problem}`);
      runs.push(problem ? { ...run, problem } : run);
    }
    rmSync(dir, { recursive: true, force: true });

    // The round's server is gone from the master's choices before the next round asks.
    if (last) {
      progressRound(round);
      break;
    }
    await goneBy.catch((e: unknown) => problems.push(`round ${round} (${kind}, ${trigger}): ${e instanceof Error ? e.message : String(e)}`));
    if (kind === 'drain' || kind === 'overload') {
      // An overloaded server (or one that did not drain) stops here: SIGTERM, with no stream left, makes it leave at once.
      if (!acted.child.exited) await acted.child.stop();
      await c.master.waitFor((e) => e.event === 'server-left' && e.data.srv === acted.address, LEFT_TIMEOUT, `${acted.address} leaving`, masterMark);
    }
    if (next) primary = await next;
    progressRound(round);
  }

  const kinds = {} as Record<Kind, KindSummary>;
  for (const kind of KINDS) {
    const samples = runs.filter((r) => r.kind === kind && r.onPrimary && r.gap !== undefined);
    kinds[kind] = {
      kind,
      triggers: [...new Set(plan.filter((p) => p.kind === kind).map((p) => p.trigger))],
      runs: samples.length,
      budgetMs: budget(kind),
      gap: spread(samples.map((r) => r.gap!)),
      ratio: spread(samples.map((r) => r.ratio!)),
      nptP50: percentile(samples.filter((r) => r.npt !== undefined).map((r) => r.npt!).sort((a, b) => a - b), 50),
      otherReasons: samples.filter((r) => r.why !== kind).length,
    };
  }
  const abs = (xs: number[]) => {
    const sorted = xs.map(Math.abs).sort((a, b) => a - b);
    return { runs: sorted.length, p50Abs: percentile(sorted, 50), maxAbs: sorted.at(-1) ?? NaN };
  };
  const gaps = runs.filter((r) => r.gap !== undefined).map((r) => r.gap!);
  return {
    settings: s,
    file: c.file,
    size: c.original.length,
    rate: c.rate,
    rtt: c.rtt,
    pacingMs,
    failureBudgetMs,
    plannedBudgetMs,
    runs,
    kinds,
    total: runs.length,
    identical: runs.filter((r) => r.copy.identical).length,
    lost: runs.reduce((n, r) => n + r.copy.lost, 0),
    twice: runs.reduce((n, r) => n + r.copy.twice, 0),
    foreign: runs.reduce((n, r) => n + r.copy.foreign, 0),
    failureRecovery: spread(runs.filter((r) => r.recoveryMs !== undefined).map((r) => r.recoveryMs!)),
    duplicates: runs.reduce((n, r) => n + r.duplicates, 0),
    diff: abs(runs.filter((r) => r.diff !== undefined).map((r) => r.diff!)),
    failureMasterDiff: abs(runs.filter((r) => r.kind === 'failure' && r.masterDiff !== undefined).map((r) => r.masterDiff!)),
    maxGap: gaps.length ? Math.max(...gaps) : NaN,
    underOneSecond: gaps.filter((g) => g < 1000).length,
    samples: gaps.length,
    problems,
  };
}
