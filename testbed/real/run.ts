/**
 * `--mode real`: a scenario run with the `ofp` roles as real processes on
 * loopback, real UDP through an impairment relay that applies the scenario's
 * links, and real signals for kill and pause.
 *
 *   runReal(scenario: Scenario, opts: RealRunOptions): Promise<RealRun>
 *
 * How it runs:
 *  - Media: every item of the scenario is made in `<workDir>/media` as
 *    `ofp media make` makes it; each server gets `<workDir>/servers/<name>`
 *    holding only its items (hard links). Copies go to
 *    `<workDir>/copies/<client>/<item>` (a directory for an item of several flows).
 *  - The relay (relay.ts) gives every node a public address P_X on
 *    127.0.0.1; roles know each other only by those, so every datagram
 *    between roles crosses the link of the scenario (links.ts, `fate()`).
 *  - Setup: masters, then servers (until registered). The run's clock starts
 *    once they are: clients start at their `start`, faults fire at `at`,
 *    attackers send from `start` to `stop`. After `duration` the run waits up to
 *    `converge` for the clients to finish, then stops what is left (SIGTERM,
 *    then SIGKILL), and builds the RunRecord (record.ts).
 *  - Faults: kill = SIGKILL; restart = the same role again on a new real port
 *    (same public address); pause/resume = SIGSTOP/SIGCONT; drain and overload
 *    = an operator's `control` to the server's master, as `ofp server drain` /
 *    `ofp server overload` send it (a drain falls back to SIGTERM when the
 *    master does not pass it on); impair, partition, heal, blackhole change the
 *    relay's links at once.
 *
 * The trace: every datagram the relay sees is one TraceEntry
 * `{t, from, to, type, size, fault}`: t in ms since the start of the run
 * (negative during setup), from/to scenario node names (`?ip:port` for an
 * unknown sender; the attacker's name for forged datagrams), type the decoded
 * message type (`!code` when it does not decode), fault what the link did
 * (`delivered`, `lost`, `burst-lost`, `blocked`, `queue-full`, `duplicated`,
 * `corrupted`, `reordered`, or `no-such-node` / `unknown-source`).
 *  - `opts.onTrace`, when given, is called with every entry as it happens
 *    (unsampled: stream it to trace.ndjson);
 *  - `trace` in the result is what was kept in memory: all entries up to
 *    TRACE_CAP, thinned evenly past it (bulk `data`/`ack` first), as
 *    `traceInfo` says (`bulkEvery`, `controlEvery` = 1: complete).
 *
 * Errors (src/errors.ts): HarnessError (a role that cannot start, media that cannot be
 * made: exit 3, naming the node); RunInterrupted (the AbortSignal, or Ctrl-C /
 * SIGTERM / SIGHUP while someone else also listens for them; when nobody
 * does, the process dies of the signal as usual). In every case every
 * process the run started has been killed before it settles.
 */
import type { Exit } from '../../src/runtime/children.js';
import type { RunRecord, Scenario, TraceEntry } from '../scenario/types.js';
import { announceLiveRun } from './live.js';
import { nodeLogs } from './logs.js';
import { buildRecord } from './record.js';
import type { RelayStats } from './relay.js';
import { Runner } from './runner.js';
import type { TraceInfo } from './traceLog.js';

export { TRACE_CAP } from './traceLog.js';

export interface RealRunOptions {
  /** A directory of the run's own (media, server directories, copies); created if missing. */
  readonly workDir: string;
  /** Progress lines for people (`  1.25 s  killing s1 (SIGKILL)`). */
  readonly onProgress?: (line: string) => void;
  /** Cancels the run: every process is killed and runReal rejects with RunInterrupted. */
  readonly signal?: AbortSignal;
  /** Every trace entry as it happens, unsampled. */
  readonly onTrace?: (e: TraceEntry) => void;
}

export interface RealProcessInfo {
  readonly node: string;
  readonly pid?: number;
  readonly exit?: Exit;
  /** Why the testbed ended it (`killed`, `restarted`, `drained`, `stopped by the testbed`); absent: it ended by itself. */
  readonly stopping?: string;
}

export interface RealRun {
  readonly record: RunRecord;
  /** The trace kept in memory (see above). */
  readonly trace: readonly TraceEntry[];
  readonly traceInfo: TraceInfo;
  /** Node name → its log (each process it ran as: command line, events, stderr); `testbed` → the run's own progress and relay figures. */
  readonly logs: Record<string, string>;
  readonly relay: RelayStats;
  /** Node name → its public address. */
  readonly addresses: Record<string, string>;
  /** Every process the run started, by then all exited. */
  readonly processes: readonly RealProcessInfo[];
}

export async function runReal(scenario: Scenario, opts: RealRunOptions): Promise<RealRun> {
  const run = new Runner(scenario, opts);
  try {
    await run.setUp();
    announceLiveRun(run);
    await run.play();
    await run.finish();
    // Interrupted while the roles were being stopped: the run is no whole run.
    run.stop.check();
  } finally {
    await run.dispose();
  }
  const relay = run.relay!;
  const attacks = run.attacks!;
  const names = new Map<string, string>();
  const addresses: Record<string, string> = {};
  for (const node of [...scenario.masters, ...scenario.servers, ...scenario.clients, ...scenario.bases, ...scenario.jobs].map((n) => n.name)) {
    const p = relay.publicAddress(node);
    names.set(p, node);
    addresses[node] = p;
  }
  const record = buildRecord({
    scenario,
    t0: run.t0,
    elapsed: run.end ?? run.clock(),
    wall: run.clock() + (run.t0 - run.wallStart),
    processes: run.procs.all,
    testbedEvents: run.testbedEvents,
    names,
    items: run.media!.items,
    serverDirs: run.media!.serverDirs,
    copies: run.copies,
    spoofed: { sent: attacks.sent, reflected: attacks.reflected },
  });
  const info = run.trace.info;
  run.testbedLog.push(
    `relay: ${JSON.stringify(relay.stats)}`,
    `trace: ${info.datagrams} datagrams, ${info.kept} kept (1 in ${info.bulkEvery} data/ack, 1 in ${info.controlEvery} others)`,
    `attackers: ${attacks.datagrams} datagrams, ${attacks.sent} bytes sent, ${attacks.reflected} bytes reflected`,
  );
  return {
    record,
    trace: run.trace.kept,
    traceInfo: info,
    logs: nodeLogs(run.procs.all, run.t0, names, { testbed: run.testbedLog }),
    relay: relay.stats,
    addresses,
    processes: run.procs.all.map((rp) => ({
      node: rp.node,
      ...(rp.child.pid !== undefined ? { pid: rp.child.pid } : {}),
      ...(rp.child.exit ? { exit: rp.child.exit } : {}),
      ...(rp.stopping !== undefined ? { stopping: rp.stopping } : {}),
    })),
  };
}
