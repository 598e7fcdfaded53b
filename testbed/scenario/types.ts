/**
 * A testbed scenario: topology + workload + faults + expectations + seed,
 * run as a fault phase followed by a convergence phase, in simulation or on
 * real UDP. This is the validated, normalized form that the YAML file parses
 * into (durations in ms, rates in bits/s, probabilities in [0, 1], counts
 * expanded into named nodes), and what both runners take.
 */
import type { Policy } from '../../src/roles/master/selection.js';

/** Where a value came from in the scenario file, for error messages and reports. */
export interface SourcePos {
  readonly line: number;
  readonly col: number;
}

/** A link's behaviour, one direction (§ testbed/README.md "Links"). */
export interface LinkSpec {
  /** Probability a datagram is lost, in [0, 1]. */
  readonly loss: number;
  /** Mean length of a loss burst, in datagrams (1: independent losses; > 1: Gilbert–Elliott bursts). */
  readonly burst: number;
  /** One-way delay, ms. */
  readonly delay: number;
  /** Extra delay, uniformly 0..jitter ms. */
  readonly jitter: number;
  /** Probability a datagram is delivered twice. */
  readonly duplicate: number;
  /** Probability a datagram is held back and overtaken. */
  readonly reorder: number;
  /** Probability one random bit of a datagram is flipped. */
  readonly corrupt: number;
  /** Bandwidth cap, bits/s; 0: none. A full queue (bounded) drops. */
  readonly rate: number;
  /** Nothing gets through (a blackhole, or one side of a partition). */
  readonly blocked: boolean;
}

export type RoleKind = 'master' | 'server' | 'client' | 'attacker' | 'portal' | 'base' | 'provider';

export interface MediaSpec {
  readonly name: string;
  /** ms of play time. */
  readonly duration: number;
  /** bits/s (single flow). */
  readonly bitrate: number;
  /** Several flows (S2.4): each its own name and rate; the item then has no single bitrate. */
  readonly flows?: readonly { readonly name: string; readonly bitrate: number }[];
}

export interface MasterSpec {
  readonly name: string;
  readonly policy: Policy;
  readonly mode: 'redirect' | 'relay';
  /** ms */
  readonly pollInterval: number;
  /** The other masters of its group (§12.1), by name; none: a master on its own. */
  readonly peers: readonly string[];
}

/** A portal (S3.1, §12.3): the clients that name it ask it, and it hands each request to one of its masters. */
export interface PortalSpec {
  readonly name: string;
  readonly policy: 'round-robin' | 'priority' | 'resources' | 'least-loaded' | 'nearest';
  /** `refer`: it names the master and the client asks it; `forward`: it passes the request on. */
  readonly mode: 'refer' | 'forward';
  /** ms between two polls of each master. */
  readonly pollInterval: number;
  /** Its masters (by name), in priority order. */
  readonly masters: readonly string[];
}

export interface ServerSpec {
  readonly name: string;
  /** Media item names it holds. */
  readonly files: readonly string[];
  /** bits/s */
  readonly capacity: number;
  readonly group: string;
  /** Masters it registers with (by name): every master of the first master's group, or the first master. */
  readonly masters: readonly string[];
  /** Where it is (§12.5): `ofp server --location`. */
  readonly location?: string;
  /** The rate of each distribution job transfer it serves (§14), bits/s: `ofp server --job-rate`; the base server's by default. */
  readonly jobRate?: number;
}

/** A base server (S5, §14): it runs the scenario's distribution jobs. */
export interface BaseSpec {
  readonly name: string;
  /** The rate of each transfer, bits/s: `ofp base --rate` (and every server's `--job-rate`, unless the server sets its own). */
  readonly rate: number;
  /** Targets each node serves at once: `ofp base --fanout` and every server's `--job-fanout`. */
  readonly fanout: number;
}

/** A distribution job (S5.1): its provider, a node of its own, submits a media item of the scenario to a base server, to be copied to the targets. */
export interface JobSpec {
  /** The provider's node name. */
  readonly name: string;
  /** The media item it distributes (one flow): its bytes are the file. */
  readonly file: string;
  readonly base: string;
  /** The target servers, by name. */
  readonly targets: readonly string[];
  /** ms after the start of the run. */
  readonly at: number;
  /** The rate of each transfer the job asks for, bits/s: `ofp job submit --rate`; the base server's by default. */
  readonly rate?: number;
}

export interface ClientSpec {
  readonly name: string;
  readonly file: string;
  /** ms after the start of the run. */
  readonly start: number;
  readonly mode?: 'redirect' | 'relay' | 'list';
  /** `random`, `fewest-users` or `group:NAME`. */
  readonly choose: string;
  /** Master names, rotated (S4.3); with `portal`, the names of the portals it asks. */
  readonly masters: readonly string[];
  /** The client asks portals (`ofp client get --portal`), named in `masters`. */
  readonly portal?: boolean;
  /** Where it is (§12.5): `ofp client get --location`. */
  readonly location?: string;
  /** It lets its masters time their round trip to it (§12.5): `ofp client get --echo`. */
  readonly echo?: boolean;
  /** Servers it asks for the list when no master answers (§13.6): `ofp client get --servers`, by name. */
  readonly servers?: readonly string[];
  /** Rate schedule: [{at ms after playing starts, scale in thousandths}]. */
  readonly schedule: readonly { readonly at: number; readonly scale: number }[];
}

/** A node that sends forged datagrams (spoofed source addresses) at a target, to measure amplification. */
export interface AttackerSpec {
  readonly name: string;
  /** The role it sends to (by name). */
  readonly target: string;
  /** The address it pretends to be (a name of the scenario: traffic sent back there is counted). */
  readonly spoof: string;
  /** What it sends: `request` (padded requests for a file), `status` (status requests), `garbage`. */
  readonly kind: 'request' | 'status' | 'garbage';
  /** `request`: the media item asked for (default: the first one). */
  readonly file?: string;
  /** Datagrams per second. */
  readonly rate: number;
  readonly start: number;
  readonly stop: number;
}

/** Link settings that apply between two sets of nodes (names, or `*`), one way or both. */
export interface ImpairmentSpec {
  readonly from: readonly string[];
  readonly to: readonly string[];
  readonly link: Partial<LinkSpec>;
  /** The message types it applies to (`assign`, `digest`, …); undefined: every datagram. */
  readonly types?: readonly string[];
  readonly pos?: SourcePos;
}

export type FaultAction =
  | { readonly kind: 'kill'; readonly node: string }
  | { readonly kind: 'restart'; readonly node: string }
  | { readonly kind: 'pause'; readonly node: string }
  | { readonly kind: 'resume'; readonly node: string }
  | { readonly kind: 'overload'; readonly node: string; readonly capacity: number }
  | { readonly kind: 'drain'; readonly node: string }
  /** An operator places the server's supervision on master `to` (§12.2, `ofp master supervise`). */
  | { readonly kind: 'supervise'; readonly node: string; readonly to: string }
  | { readonly kind: 'impair'; readonly impairment: ImpairmentSpec }
  | { readonly kind: 'partition'; readonly sides: readonly (readonly string[])[]; readonly oneWay: boolean }
  | { readonly kind: 'heal' }
  | { readonly kind: 'blackhole'; readonly node: string; readonly on: boolean };

export interface Fault {
  /** ms after the start of the run. */
  readonly at: number;
  readonly action: FaultAction;
  readonly pos?: SourcePos;
}

/** What must hold at the end (each becomes a checker with a pass / fail / unknown verdict). */
export interface Expectations {
  /** Every client's copy is complete and byte-identical to the original. */
  readonly copiesIdentical?: boolean;
  /** Clients that must fail (named), with their error code, when a scenario expects a clean failure. */
  readonly clientsFail?: readonly { readonly client: string; readonly code?: string }[];
  /** Total handoffs over all clients (min/max inclusive). */
  readonly handoffs?: { readonly min?: number; readonly max?: number };
  /** Largest handoff gap a client reports, ms. */
  readonly maxGap?: number;
  /** Load spread: the busiest server's stream count ≤ ratio × the least busy's (among servers that hold the file and were up). */
  readonly loadSpread?: { readonly maxRatio: number };
  /** As each stream starts, the concurrent streams of those servers differ by at most this many. */
  readonly loadEven?: number;
  /** p99 of the time from a client's request to the master's answer, ms. */
  /** ms, per mode: a run in a mode without a limit does not check it. */
  readonly redirectP99?: { readonly sim?: number; readonly real?: number };
  /** No role process crashed (real) or threw (sim). */
  readonly noCrash?: boolean;
  /** Bytes sent to spoofed addresses ÷ bytes the attackers sent, at most. */
  readonly amplification?: { readonly max: number };
  /** Every server whose supervisor (§12.2) is killed takes another within this many ms. */
  readonly takeover?: number;
  /** Servers' supervisor changes (§12.2) after the first fault, at most. */
  readonly supervisorChanges?: number;
  /** Servers that must be seen down by the master (by name). */
  readonly serversDown?: readonly string[];
  /** Clients that must have been served only by the servers given (the catalog and the selection policy at work). */
  readonly servedBy?: readonly { readonly clients: readonly string[]; readonly servers: readonly string[] }[];
  /** Clients that must have been answered only by the masters given (a portal's policy at work). */
  readonly answeredBy?: readonly { readonly clients: readonly string[]; readonly masters: readonly string[] }[];
  /** Among the masters given, the most first answers to the clients given less the fewest, at most (a portal spreading requests). */
  readonly answersSpread?: { readonly clients: readonly string[]; readonly masters: readonly string[]; readonly max: number };
  /** ms: every assignment a master of a group made was known to every other master of it within this long (§12.4). */
  readonly assignmentsShared?: number;
  /** ms: within this long of the last fault, every live server's view held every other live server alive and every killed one gone (§13). */
  readonly viewAgrees?: number;
  /** Every job's live targets (those not killed for good) hold its file, in service and byte-identical; a job none of whose targets was killed was reported completed by its base (§14). */
  readonly jobsComplete?: boolean;
  /** Sources switched during the jobs (S5.4: a faster source offered, or a stalled one replaced), over all targets. */
  readonly jobSwitches?: { readonly min?: number; readonly max?: number };
  /** Blocks that failed their hash at the targets and were fetched again (§14.3), over all targets. */
  readonly jobBlocksRejected?: { readonly min?: number; readonly max?: number };
  /** Targets a base server repaired (S5.5), over all jobs. */
  readonly jobRepairs?: { readonly min?: number; readonly max?: number };
  /** Each complete client's delivered rate over its stream (bytes from its first to its last datum), as a share of the item's nominal rate, at least. */
  readonly streamRate?: { readonly min: number };
  readonly pos?: Readonly<Record<string, SourcePos>>;
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  /** The file it was read from, when it was. */
  readonly file?: string;
  readonly seed: number;
  /** ms: the fault phase; the run then converges (clients finish) for at most `converge` ms. */
  readonly duration: number;
  readonly converge: number;
  /** Cluster key shared by masters and servers, when set. */
  readonly key?: string;
  /** The default link between any two nodes. */
  readonly link: LinkSpec;
  readonly media: readonly MediaSpec[];
  readonly masters: readonly MasterSpec[];
  readonly portals: readonly PortalSpec[];
  readonly servers: readonly ServerSpec[];
  readonly clients: readonly ClientSpec[];
  readonly attackers: readonly AttackerSpec[];
  readonly bases: readonly BaseSpec[];
  readonly jobs: readonly JobSpec[];
  readonly impairments: readonly ImpairmentSpec[];
  readonly faults: readonly Fault[];
  readonly expect: Expectations;
  /** Tags, e.g. `short` (run in real mode by the test suite), `scale`. */
  readonly tags: readonly string[];
}

export type Verdict = 'pass' | 'fail' | 'unknown';

export interface CheckResult {
  /** The expectation's name, as written in the scenario (`copies-identical`, `max-gap`, …). */
  readonly name: string;
  readonly verdict: Verdict;
  /** What was measured, for people. */
  readonly detail: string;
  readonly value?: number | string | boolean;
}

/** What a run produced, in either mode: the checkers read only this. */
export interface RunRecord {
  readonly scenario: string;
  readonly mode: 'sim' | 'real';
  readonly seed: number;
  /** ms of protocol time the run covered (virtual in sim, wall in real). */
  readonly elapsed: number;
  /** ms of wall time. */
  readonly wall: number;
  readonly clients: readonly ClientOutcome[];
  /** Every role event, in time order. */
  readonly events: readonly TimedEvent[];
  /** Roles that crashed (real: exited without being told; sim: threw). */
  readonly crashed: readonly string[];
  /** Request → answer latencies seen by clients, ms. */
  readonly answerLatencies: readonly number[];
  /** Bytes attackers sent, and bytes the targets sent to the spoofed addresses. */
  readonly spoofed: { readonly sent: number; readonly reflected: number };
  /** Streams each server served over the run (name → count). */
  readonly streamsPerServer: Readonly<Record<string, number>>;
  /** Servers the master marked down at some point (names). */
  readonly serversDown: readonly string[];
  /** The distribution jobs (§14), when the scenario has any. */
  readonly jobs?: readonly JobOutcome[];
  /** Simulator figures (sim mode). */
  readonly sim?: { readonly events: number; readonly datagrams: number; readonly traceHash: string };
}

export interface ClientOutcome {
  readonly name: string;
  readonly file: string;
  readonly ok: boolean;
  readonly code?: string;
  /** True when every flow's copy is byte-identical to the original (complete), false when not, undefined when unknown. */
  readonly identical?: boolean;
  /** True when what was written is an exact prefix of each flow (nothing wrong, maybe incomplete). */
  readonly prefix?: boolean;
  readonly bytes: number;
  readonly handoffs: number;
  readonly maxGap: number;
  readonly servers: readonly string[];
  /** The masters that answered its requests (a redirect, a list, a relayed setup), in order, by name. */
  readonly answeredBy: readonly string[];
  /** What is wrong, for people, when something is (a failure, the first wrong byte). */
  readonly detail?: string;
}

/** What became of a distribution job. */
export interface JobOutcome {
  /** The provider's node name. */
  readonly name: string;
  readonly file: string;
  /** What its base server reported last: `completed`, `failed`, or `running` when it reported neither. */
  readonly state: 'completed' | 'failed' | 'running';
  readonly targets: readonly JobTargetOutcome[];
}

export interface JobTargetOutcome {
  readonly server: string;
  /** Killed during the run and not started again: it cannot hold the file. */
  readonly killed: boolean;
  /** It put the file into service (its `job-file-in-service` event). */
  readonly inService: boolean;
  /** Its copy is byte-identical to the provider's file (false: missing or different). */
  readonly identical: boolean;
  readonly detail?: string;
}

export interface TimedEvent {
  /** ms since the start of the run. */
  readonly t: number;
  /** The node (scenario name) that reported it. */
  readonly node: string;
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** One datagram, for trace.ndjson. */
export interface TraceEntry {
  readonly t: number;
  readonly from: string;
  readonly to: string;
  readonly type: string;
  readonly size: number;
  /** What the link did: delivered, lost, duplicated, corrupted, blocked, delayed… */
  readonly fault: string;
}

/** What a runner (sim or real) is given besides the scenario. */
export interface ModeOptions {
  /** The seed of this run (the scenario's, or the one asked for). */
  readonly seed: number;
  /** A progress line for people (it goes to stderr). */
  readonly progress: (line: string) => void;
  /** A directory the run may use for its own files (media, role outputs): inside the run's artifact folder. */
  readonly workDir: string;
  /** Aborted on Ctrl-C: stop every role, leave no process behind, return or throw promptly. */
  readonly signal?: AbortSignal;
}

/** What a runner hands back: the record the checkers read, and what goes into the artifact folder. */
export interface ModeOutput {
  readonly record: RunRecord;
  /** Datagrams for trace.ndjson (all of them, or a sample: see traceNote). */
  readonly trace: readonly TraceEntry[];
  /** Set when `trace` holds less than every datagram: what it holds. */
  readonly traceNote?: string;
  /** Each role's log, as text lines, by node name (logs/<name>.log). */
  readonly logs: Readonly<Record<string, readonly string[]>>;
}
