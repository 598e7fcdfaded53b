/**
 * The RunRecord of a real run, from what the role processes printed
 * (`--json-stream` events, each client's final `summary`), the copies on
 * disk and the testbed's own accounting.
 *
 * Event times are ms since the start of the run (setup events are negative).
 * Addresses in event data that are public addresses of the run are written
 * as the scenario's node names, so events read the same in both modes.
 */
import type { StreamEvent } from '../../src/runtime/children.js';
import { join } from 'node:path';
import type { ClientOutcome, ClientSpec, RunRecord, Scenario, TimedEvent } from '../scenario/types.js';
import { jobOutcomes } from '../scenario/jobOutcome.js';
import { compareCopy } from './compare.js';
import type { MediaFlowFile } from './media.js';
import type { RoleProcess } from './processes.js';

export interface RecordInputs {
  readonly scenario: Scenario;
  /** Clock value (ms since the epoch, as the roles print it) of the run's start. */
  readonly t0: number;
  readonly elapsed: number;
  readonly wall: number;
  readonly processes: readonly RoleProcess[];
  /** What the testbed itself did (faults), already timed. */
  readonly testbedEvents: readonly TimedEvent[];
  /** Public address → node name. */
  readonly names: ReadonlyMap<string, string>;
  readonly items: ReadonlyMap<string, readonly MediaFlowFile[]>;
  /** Server name → its media directory: where the files of jobs land. */
  readonly serverDirs: ReadonlyMap<string, string>;
  /** Client name → where its copy was written (`--out`). */
  readonly copies: ReadonlyMap<string, string>;
  readonly spoofed: { readonly sent: number; readonly reflected: number };
}

/** Strings that are public addresses become node names (objects and arrays too, a few levels deep). */
export function withNames(value: unknown, names: ReadonlyMap<string, string>, depth = 0): unknown {
  if (typeof value === 'string') return names.get(value) ?? value;
  if (depth > 5 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => withNames(v, names, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = withNames(v, names, depth + 1);
  return out;
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

function timed(rp: RoleProcess, e: StreamEvent, i: RecordInputs): TimedEvent {
  return { t: round(e.t - i.t0), node: rp.node, type: e.event, data: withNames(e.data, i.names) as Record<string, unknown> };
}

/** A process exited on its own, not on the testbed's signal, order or (for a client or a provider) by finishing. */
function crashedProcess(rp: RoleProcess, kind: 'master' | 'portal' | 'server' | 'client' | 'base' | 'provider'): boolean {
  if (rp.child.events.some((e) => e.event === 'internal-error')) return true;
  const exit = rp.child.exit;
  if (!exit || rp.stopping !== undefined) return false;
  // A client ends by itself: 0 with its copy, 1 when the stream failed; anything else is a crash.
  if (kind === 'client' || kind === 'provider') return exit.signal !== null || (exit.code !== 0 && exit.code !== 1);
  return true;
}

/** Request → answer latencies of one client process: from the first unanswered `ask` to the master's answer. */
function latencies(events: readonly StreamEvent[]): number[] {
  const out: number[] = [];
  let asked: number | undefined;
  for (const e of events) {
    if (e.event === 'ask') asked ??= e.t;
    const answer = e.event === 'redirected' || e.event === 'listed' || (e.event === 'setup' && e.data.via === 'master');
    if (answer && asked !== undefined) {
      out.push(round(e.t - asked));
      asked = undefined;
    }
  }
  return out;
}

/** A master's answer to a client: a redirect, a list, a setup it relayed. */
const isAnswer = (e: StreamEvent) => (e.event === 'redirected' || e.event === 'listed' || (e.event === 'setup' && e.data.via === 'master')) && typeof e.data.master === 'string';

function clientOutcome(c: ClientSpec, procs: readonly RoleProcess[], i: RecordInputs): ClientOutcome {
  const last = procs[procs.length - 1];
  const summary = last?.child.events.findLast((e) => e.event === 'summary')?.data;
  const out = i.copies.get(c.name);
  const flows = i.items.get(c.file) ?? [];
  let identical: boolean | undefined;
  let prefix: boolean | undefined;
  let written = 0;
  if (out !== undefined && flows.length > 0) {
    // One flow: the copy is the file --out; several: one file per flow in the directory --out.
    const each = flows.map((f) => compareCopy(flows.length === 1 ? out : `${out}/${f.name}`, f.path));
    identical = each.every((x) => x.identical);
    prefix = each.every((x) => x.prefix);
    written = each.reduce((n, x) => n + x.bytes, 0);
  }
  const code = summary ? (summary.ok ? undefined : String(summary.code ?? 'stream-failed'))
    : !last ? 'not-started' : last.stopping ? last.stopping.split(' ')[0] : 'no-summary';
  return {
    name: c.name,
    file: c.file,
    ok: summary?.ok === true,
    ...(code !== undefined ? { code } : {}),
    ...(identical !== undefined ? { identical } : {}),
    ...(prefix !== undefined ? { prefix } : {}),
    bytes: typeof summary?.bytes === 'number' ? summary.bytes : written,
    handoffs: Array.isArray(summary?.handoffs) ? summary.handoffs.length : 0,
    maxGap: typeof summary?.maxGap === 'number' ? summary.maxGap : 0,
    servers: Array.isArray(summary?.servers) ? (summary.servers as string[]).map((s) => i.names.get(s) ?? s) : [],
    answeredBy: procs.flatMap((rp) => rp.child.events.filter(isAnswer).map((e) => String(e.data.master))).map((m) => i.names.get(m) ?? m),
  };
}

/** Whether a target's copy is the item's file. */
function copyAt(copy: string, original: string | undefined): { identical: boolean; detail?: string } {
  if (original === undefined) return { identical: false, detail: 'no original to compare with' };
  const c = compareCopy(copy, original);
  return c.identical ? { identical: true } : { identical: false, detail: c.prefix ? `holds ${c.bytes} bytes, a prefix of the file` : `its copy ${copy} differs from the file` };
}

export function buildRecord(i: RecordInputs): RunRecord {
  const s = i.scenario;
  const kindOf = new Map<string, 'master' | 'portal' | 'server' | 'client' | 'base' | 'provider'>([
    ...s.masters.map((m) => [m.name, 'master'] as const),
    ...s.portals.map((p) => [p.name, 'portal'] as const),
    ...s.servers.map((x) => [x.name, 'server'] as const),
    ...s.clients.map((c) => [c.name, 'client'] as const),
    ...s.bases.map((b) => [b.name, 'base'] as const),
    ...s.jobs.map((j) => [j.name, 'provider'] as const),
  ]);
  const byNode = new Map<string, RoleProcess[]>();
  for (const rp of i.processes) byNode.set(rp.node, [...(byNode.get(rp.node) ?? []), rp]);

  const events: TimedEvent[] = [...i.testbedEvents];
  for (const rp of i.processes) for (const e of rp.child.events) events.push(timed(rp, e, i));
  events.sort((a, b) => a.t - b.t);

  const crashed = [...byNode].filter(([node, procs]) => procs.some((rp) => crashedProcess(rp, kindOf.get(node) ?? 'client'))).map(([node]) => node);
  const answerLatencies = s.clients.flatMap((c) => (byNode.get(c.name) ?? []).flatMap((rp) => latencies(rp.child.events)));
  const streamsPerServer: Record<string, number> = Object.fromEntries(s.servers.map((x) => [x.name, 0]));
  for (const x of s.servers) {
    for (const rp of byNode.get(x.name) ?? []) streamsPerServer[x.name]! += rp.child.events.filter((e) => e.event === 'stream-play').length;
  }
  const serversDown = new Set<string>();
  for (const m of s.masters) {
    for (const rp of byNode.get(m.name) ?? []) {
      // Up to the end of the run: servers the testbed stops afterwards may be seen going down while it does.
      for (const e of rp.child.events) {
        if (e.event === 'server-down' && typeof e.data.srv === 'string' && e.t - i.t0 <= i.elapsed) serversDown.add(i.names.get(e.data.srv) ?? e.data.srv);
      }
    }
  }
  return {
    scenario: s.name,
    mode: 'real',
    seed: s.seed,
    elapsed: round(i.elapsed),
    wall: round(i.wall),
    clients: s.clients.map((c) => clientOutcome(c, byNode.get(c.name) ?? [], i)),
    events,
    crashed,
    answerLatencies,
    spoofed: { sent: i.spoofed.sent, reflected: i.spoofed.reflected },
    streamsPerServer,
    serversDown: [...serversDown].sort(),
    // A job's file lands in each target's media directory, under the job's name.
    ...(s.jobs.length > 0 ? { jobs: jobOutcomes(s, { events, elapsed: i.elapsed }, (server, job) => copyAt(join(i.serverDirs.get(server) ?? '', job.file), i.items.get(job.file)?.[0]?.path)) } : {}),
  };
}
