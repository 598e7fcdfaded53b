/**
 * Sim mode: a scenario on the simulated network, with the real role cores and
 * a virtual clock. One seed drives everything (the links' fates, every core's
 * generator, the attackers), so the same seed gives the same trace, byte for
 * byte. The run is a fault phase (`duration`: the schedule plays out) then a
 * convergence phase (faults lifted, paused nodes resumed; until every client
 * has finished, at most `converge`).
 */
import { performance } from 'node:perf_hooks';
import { RunInterrupted } from '../../src/errors.js';
import { nodeCrypto } from '../../src/platform/crypto.js';
import { ClusterAuth } from '../../src/protocol/auth.js';
import { Rng } from '../../src/protocol/rng.js';
import { Client, parseChoice } from '../../src/roles/client/client.js';
import { Master } from '../../src/roles/master/master.js';
import { Portal } from '../../src/roles/portal/portal.js';
import type { Role, RoleDeps, RoleEvent, StreamBytes } from '../../src/roles/role.js';
import { type MediaFile, type MediaReader, MediaServer } from '../../src/roles/server/server.js';
import { BaseServer } from '../../src/roles/base/base.js';
import { hashList } from '../../src/roles/jobs/object.js';
import { Provider } from '../../src/roles/provider/provider.js';
import { jobOutcomes, jobsSettled, killedForGood } from '../scenario/jobOutcome.js';
import { LinkTable } from '../link/linkTable.js';
import { peekType } from '../link/peekType.js';
import { flowFiles, mediaFile } from '../scenario/media.js';
import type { ClientOutcome, ClientSpec, Fault, ModeOutput, RoleKind, RunRecord, Scenario, ServerSpec, TimedEvent } from '../scenario/types.js';
import { formatMs } from '../scenario/units.js';
import { AddressBook } from './addresses.js';
import { attackPayload } from './attackPayload.js';
import { CopyCheck } from './copyCheck.js';
import { logLine } from './eventData.js';
import { MediaCache } from './mediaCache.js';
import { SimNetwork, type SimNode } from './network.js';
import { SimRecorder } from './recorder.js';
import { DEFAULT_TRACE_CAP, TraceRecorder } from './traceRecorder.js';
import { MemoryJobFiles } from './jobCluster.js';

export interface SimOptions {
  readonly seed: number;
  readonly progress?: (line: string) => void;
  /** Datagrams kept for trace.ndjson at most (0: none; the hash covers them all anyway). */
  readonly traceCap?: number;
  /** Aborted (Ctrl-C): the run stops at the next slice. */
  readonly signal?: AbortSignal;
  /** Told of every role event as it happens, whether the record keeps it or not. */
  readonly onEvent?: (e: TimedEvent) => void;
}

/** Wall time between progress lines (and yields to the event loop), ms. */
const PROGRESS_EVERY = 1000;
const YIELD_EVERY = 100;

/** A node of the scenario: its address, its node once placed, and where it stands. */
type Slot = {
  readonly name: string;
  readonly kind: RoleKind;
  readonly addr: string;
  node: SimNode<unknown> | undefined;
  state: 'waiting' | 'up' | 'paused' | 'killed' | 'crashed';
};

/** A client of the scenario: its spec, its core once started, and the check of its copy. */
type ClientEntry = { readonly spec: ClientSpec; core?: Client; readonly copy: CopyCheck };

/** What the steps of one run share. */
interface Run {
  readonly sc: Scenario;
  readonly o: SimOptions;
  readonly seed: number;
  readonly net: SimNetwork;
  /** The simulated time the run starts at. */
  readonly start: number;
  readonly book: AddressBook;
  /** The next core's dependencies: its own generator, drawn from the run's seed in order. */
  readonly deps: (withAuth: boolean) => RoleDeps;
  readonly attackRng: Rng;
  readonly files: ReadonlyMap<string, MediaFile>;
  readonly media: MediaCache;
  readonly slots: Map<string, Slot>;
  readonly clients: Map<string, ClientEntry>;
  readonly links: LinkTable;
  readonly rec: SimRecorder;
  readonly trace: TraceRecorder;
  readonly spoofed: { sent: number; reflected: number };
  /** Each server's job files (§14), kept across its restarts as a disk keeps them: what jobs brought it. */
  readonly jobFiles: Map<string, MemoryJobFiles>;
  /** Clients finished, well or badly. */
  finished: number;
}

/** One run of a scenario, step by step: the order of the steps is the order of the seed's draws. */
export async function runSim(sc: Scenario, o: SimOptions): Promise<ModeOutput> {
  const wallStart = performance.now();
  const run = buildRun(sc, o);
  startServers(run);
  scheduleClients(run);
  scheduleJobs(run);
  scheduleAttackers(run);
  scheduleFaults(run);
  await playOut(run);
  return collect(run, wallStart);
}

// ---- Network and roles -----------------------------------------------------------

/** The network, the address book with a slot per node, the links and the recorders. */
function buildRun(sc: Scenario, o: SimOptions): Run {
  const seed = o.seed >>> 0;
  const net = new SimNetwork(seed);
  const start = net.now;
  const book = new AddressBook();
  const seeds = new Rng(seed ^ 0x5eed_5eed);
  const attackRng = new Rng(seed ^ 0x0a77_ac4e);
  const auth = sc.key ? new ClusterAuth(sc.key, nodeCrypto) : undefined;
  const deps = (withAuth: boolean): RoleDeps => ({ rng: new Rng(seeds.u32()), crypto: nodeCrypto, ...(withAuth && auth ? { auth } : {}) });
  const files = new Map<string, MediaFile>(sc.media.map((m) => [m.name, mediaFile(m)]));
  const media = new MediaCache([...files.values()].flatMap(flowFiles));
  const slots = slotsOf(sc, book);
  const name = (addr: string) => book.name(addr);
  const links = new LinkTable(sc.link, sc.impairments);
  net.model = { link: (from, to, bytes) => links.link(name(from), name(to), links.typed ? peekType(bytes) : undefined) };
  const rec = new SimRecorder(start, name, sc.servers.map((s) => s.name), o.onEvent);
  const run: Run = {
    sc, o, seed, net, start, book, deps, attackRng, files, media, slots, links, rec,
    clients: new Map(), trace: new TraceRecorder(o.traceCap ?? DEFAULT_TRACE_CAP), spoofed: { sent: 0, reflected: 0 }, jobFiles: new Map(), finished: 0,
  };
  watchNetwork(run);
  return run;
}

/** An address and a slot for every node, in the scenario's order; an address for each victim an attacker spoofs. */
function slotsOf(sc: Scenario, book: AddressBook): Map<string, Slot> {
  const slots = new Map<string, Slot>();
  const add = (name: string, kind: RoleKind) => slots.set(name, { name, kind, addr: book.assign(name, kind), node: undefined, state: 'waiting' });
  for (const m of sc.masters) add(m.name, 'master');
  for (const p of sc.portals) add(p.name, 'portal');
  for (const s of sc.servers) add(s.name, 'server');
  for (const c of sc.clients) add(c.name, 'client');
  for (const a of sc.attackers) add(a.name, 'attacker');
  for (const b of sc.bases) add(b.name, 'base');
  for (const j of sc.jobs) add(j.name, 'provider');
  for (const a of sc.attackers) if (!slots.has(a.spoof)) book.assign(a.spoof, 'victim');
  return slots;
}

/** Every datagram into the trace (and the reflections attackers provoke into their count); every crash into the record. */
function watchNetwork(run: Run): void {
  const { net, book, rec, trace, spoofed, slots, start } = run;
  const name = (addr: string) => book.name(addr);
  // Reflection: bytes a target sends to an address an attacker spoofed.
  const reflections = new Set(run.sc.attackers.map((a) => `${book.addr(a.target)}>${book.addr(a.spoof)}`));
  net.onTrace = (r) => {
    if (reflections.size > 0 && reflections.has(`${r.from}>${r.to}`)) spoofed.reflected += r.size;
    trace.add(Math.round((r.t - start) * 1000) / 1000, name(r.from), name(r.to), r.type, r.size, r.fate);
  };
  net.onCrash = (node, error) => {
    const slot = slots.get(name(node.addr));
    if (slot) slot.state = 'crashed';
    rec.crash(name(node.addr), error, net.now);
    if (slot?.kind === 'client') run.finished++;
  };
}

/** Put a role on its slot's address, its events to the record (a client's bytes to its copy check), and start it. */
function place(run: Run, slot: Slot, role: Role<unknown>, startCommand = true): void {
  const onEvent = (e: RoleEvent) => {
    if (slot.kind === 'client' && (e.type === 'complete' || e.type === 'failed')) run.finished++;
    run.rec.onEvent(slot.name, slot.kind, e, run.net.now);
  };
  const onData = (d: StreamBytes) => run.clients.get(slot.name)?.copy.add(d.fl, d.off, d.data);
  slot.node = run.net.add(slot.addr, role, onEvent, slot.kind === 'client' ? onData : undefined);
  slot.state = 'up';
  if (startCommand) run.net.command(slot.addr, { type: 'start' });
}

/** Start (or restart) a master, a portal or a media server with a fresh core. */
function startRole(run: Run, slot: Slot): void {
  const { sc, book, deps } = run;
  if (slot.kind === 'master') {
    const m = sc.masters.find((x) => x.name === slot.name)!;
    const group = m.peers.length > 0 ? { group: { self: book.addr(m.name), peers: m.peers.map((p) => book.addr(p)) } } : {};
    place(run, slot, new Master(deps(true), { policy: m.policy, mode: m.mode, pollInterval: m.pollInterval, ...group }));
  } else if (slot.kind === 'portal') {
    const p = sc.portals.find((x) => x.name === slot.name)!;
    place(run, slot, new Portal(deps(true), { masters: p.masters.map((m) => book.addr(m)), policy: p.policy, mode: p.mode, pollInterval: p.pollInterval }));
  } else if (slot.kind === 'server') {
    startServer(run, slot, sc.servers.find((x) => x.name === slot.name)!);
  } else if (slot.kind === 'base') {
    const b = sc.bases.find((x) => x.name === slot.name)!;
    place(run, slot, new BaseServer(deps(true), { name: slot.addr, rate: b.rate, fanout: b.fanout }, new MemoryJobFiles()));
  }
}

/**
 * A media server: its items, and in a scenario with base servers, the files jobs bring it (§14),
 * written to memory and read from there once in service; a server started again holds what jobs
 * brought it before, as its media directory would.
 */
function startServer(run: Run, slot: Slot, s: ServerSpec): void {
  const { sc, book, deps } = run;
  const base = sc.bases[0];
  let jobFiles = run.jobFiles.get(s.name);
  if (base && !jobFiles) run.jobFiles.set(s.name, (jobFiles = new MemoryJobFiles()));
  const brought = [...(jobFiles?.media.keys() ?? [])].filter((f) => !s.files.includes(f));
  const files = [...s.files, ...brought].map((f) => run.files.get(f)!);
  const reader: MediaReader = jobFiles ? { read: (file, off, len) => jobFiles.media.get(file)?.subarray(off, off + len) ?? run.media.read(file, off, len) } : run.media;
  const jobs = base ? { jobs: { rate: s.jobRate ?? base.rate, fanout: base.fanout, mediaRate: 4_000_000 } } : {};
  place(run, slot, new MediaServer(deps(true), { name: book.addr(s.name), masters: s.masters.map((m) => book.addr(m)), group: s.group, cap: s.capacity, files, ...(s.location !== undefined ? { facts: { loc: s.location } } : {}), ...jobs }, reader, jobFiles));
}

/** Masters, portals, then media servers, up from the start. */
function startServers(run: Run): void {
  for (const m of run.sc.masters) startRole(run, run.slots.get(m.name)!);
  for (const p of run.sc.portals) startRole(run, run.slots.get(p.name)!);
  for (const s of run.sc.servers) startRole(run, run.slots.get(s.name)!);
  for (const b of run.sc.bases) startRole(run, run.slots.get(b.name)!);
}

/** Each job's provider submits its file at its time (§14.1): the item's bytes, hashed as `ofp job submit` hashes a file. */
function scheduleJobs(run: Run): void {
  const { net, slots, book, start } = run;
  for (const j of run.sc.jobs) {
    net.at(start + j.at, () => {
      const slot = slots.get(j.name)!;
      if (slot.state === 'killed') return;
      const item = run.files.get(j.file)!;
      const content = run.media.read(j.file, 0, item.size);
      const { list, root } = hashList((off, len) => content.subarray(off, off + len), content.length, nodeCrypto);
      const provider = new Provider(run.deps(true), {
        base: book.addr(j.base),
        submit: { file: j.file, size: item.size, list, root, targets: j.targets.map((t) => book.addr(t)), ...(j.rate !== undefined ? { rate: j.rate } : {}), mrate: item.rate },
        follow: true,
      }, new MemoryJobFiles(content));
      place(run, slot, provider);
    });
  }
}

// ---- Schedule ------------------------------------------------------------------

/** Each client starts at its time (unless killed by then; paused if paused by then). */
function scheduleClients(run: Run): void {
  const { net, slots, book, start } = run;
  for (const c of run.sc.clients) {
    const entry: ClientEntry = { spec: c, copy: new CopyCheck(flowFiles(run.files.get(c.file)!), run.media) };
    run.clients.set(c.name, entry);
    net.at(start + c.start, () => {
      const slot = slots.get(c.name)!;
      if (slot.state === 'killed') return;
      const core = new Client(run.deps(false), {
        masters: c.masters.map((m) => book.addr(m)),
        ...(c.portal ? { portal: true } : {}),
        ...(c.location !== undefined ? { loc: c.location } : {}),
        ...(c.echo === true ? { echo: true } : {}),
        ...(c.servers ? { servers: c.servers.map((s) => book.addr(s)) } : {}),
        file: c.file,
        ...(c.mode ? { mode: c.mode } : {}),
        choose: parseChoice(c.choose)!,
        schedule: c.schedule,
      });
      entry.core = core;
      const paused = slot.state === 'paused';
      place(run, slot, core);
      if (paused) {
        net.pause(slot.addr);
        slot.state = 'paused';
      }
    });
  }
}

/** Each attacker sends its spoofed datagrams at its rate, from its start to its stop. */
function scheduleAttackers(run: Run): void {
  const { net, book, start } = run;
  for (const a of run.sc.attackers) {
    const from = book.addr(a.name);
    const spoof = book.addr(a.spoof);
    const to = book.addr(a.target);
    const interval = 1000 / a.rate;
    let k = 0;
    const fire = () => {
      const bytes = attackPayload(a, run.attackRng);
      run.spoofed.sent += bytes.length;
      net.sendAs(from, spoof, to, bytes);
      k++;
      const next = a.start + k * interval;
      if (next < a.stop) net.at(start + next, fire);
    };
    net.at(start + a.start, fire);
  }
}

/** Each fault at its time. */
function scheduleFaults(run: Run): void {
  for (const f of run.sc.faults) run.net.at(run.start + f.at, () => applyFault(run, f));
}

/** One fault: noted in the record, then done to its node or to the links. */
function applyFault(run: Run, f: Fault): void {
  const { net, links } = run;
  const a = f.action;
  const slot = 'node' in a ? run.slots.get(a.node) : undefined;
  run.rec.note('fault', { action: a.kind, ...('node' in a ? { node: a.node } : {}), ...describe(f) }, net.now);
  switch (a.kind) {
    case 'kill':
      if (slot!.state === 'up' || slot!.state === 'paused') net.remove(slot!.addr);
      // A client killed before it finished (or before it started) has finished, badly.
      if (slot!.kind === 'client' && slot!.state !== 'crashed' && run.clients.get(slot!.name)!.core?.result === undefined) run.finished++;
      slot!.state = 'killed';
      return;
    case 'restart':
      if (slot!.state === 'up' || slot!.state === 'paused') net.remove(slot!.addr);
      startRole(run, slot!);
      return;
    case 'pause':
      if (slot!.state === 'up') net.pause(slot!.addr);
      slot!.state = 'paused';
      return;
    case 'resume':
      if (slot!.state === 'paused') resumeSlot(run, slot!);
      return;
    case 'drain':
      net.command(slot!.addr, { type: 'drain' });
      return;
    case 'overload':
      net.command(slot!.addr, { type: 'capacity', cap: a.capacity });
      return;
    case 'supervise':
      // The operator's order, as `ofp master supervise` gives it: to the master named.
      net.command(run.book.addr(a.to), { type: 'supervise', srv: slot!.addr, to: run.book.addr(a.to) });
      return;
    case 'impair':
      links.impair(a.impairment);
      return;
    case 'partition':
      links.partition(a.sides, a.oneWay);
      return;
    case 'heal':
      links.heal();
      return;
    case 'blackhole':
      links.blackhole(a.node, a.on);
      return;
  }
}

/** A paused slot goes on: up again if its node was placed, else waiting for its start. */
function resumeSlot(run: Run, slot: Slot): void {
  slot.state = slot.node ? 'up' : 'waiting';
  if (slot.node) run.net.resume(slot.addr);
}

// ---- Run -------------------------------------------------------------------------

/** The fault phase, then faults lifted and paused nodes resumed, then the convergence phase until every client finished. */
async function playOut(run: Run): Promise<void> {
  const { sc, net, links, rec, slots, start } = run;
  const total = sc.clients.length;
  const advance = advancer(run);
  await advance(start + sc.duration);
  rec.note('converge', { faults: links.faulted ? 'lifted' : 'none in force', paused: [...slots.values()].filter((s) => s.state === 'paused').map((s) => s.name) }, net.now);
  links.liftFaults();
  for (const s of slots.values()) if (s.state === 'paused') resumeSlot(run, s);
  // Jobs too have their convergence: until each has ended, or each of its live targets holds its file.
  const settled = () => sc.jobs.length === 0 || jobsSettled(sc, rec.events, killedForGood(sc, net.now - start));
  let checkedAt = -Infinity;
  let jobsDone = false;
  await advance(start + sc.duration + sc.converge, () => {
    if (run.finished < total) return false;
    // Looked at once per simulated 100 ms at most: the record's events are many.
    if (!jobsDone && net.now - checkedAt >= 100) {
      checkedAt = net.now;
      jobsDone = settled();
    }
    return jobsDone;
  });
  rec.note('end', { clients: total, finished: run.finished }, net.now);
}

/** Runs the network up to a time (or until `done`) in slices, yielding to the event loop, saying how far it got, and stopping when aborted. */
function advancer(run: Run): (until: number, done?: () => boolean) => Promise<void> {
  const { sc, o, net, start } = run;
  const total = sc.clients.length;
  let lastYield = performance.now();
  let lastProgress = lastYield;
  return async (until, done) => {
    while (net.now < until && !done?.()) {
      net.run({ until: Math.min(until, net.now + 250), ...(done ? { done } : {}) });
      const wall = performance.now();
      if (wall - lastYield >= YIELD_EVERY) {
        lastYield = wall;
        await new Promise((r) => setImmediate(r));
        if (o.signal?.aborted) throw new RunInterrupted('aborted');
      }
      if (o.progress && wall - lastProgress >= PROGRESS_EVERY) {
        lastProgress = wall;
        o.progress(`${formatMs(net.now - start)} of ${formatMs(sc.duration)} simulated (+ up to ${formatMs(sc.converge)} to converge), ${run.finished}/${total} clients finished, ${(net.events / 1e6).toFixed(1)}M events`);
      }
    }
  };
}

// ---- Record ----------------------------------------------------------------------

/** The run record, the trace and each node's log. */
function collect(run: Run, wallStart: number): ModeOutput {
  const { sc, net, rec, trace, slots, book } = run;
  const outcomes: ClientOutcome[] = sc.clients.map((c) => ({ ...outcome(c, run.clients.get(c.name)!, slots.get(c.name)!, (a) => book.name(a)), answeredBy: rec.answeredBy.get(c.name) ?? [] }));
  const record: RunRecord = {
    scenario: sc.name,
    mode: 'sim',
    seed: run.seed,
    elapsed: net.now - run.start,
    wall: performance.now() - wallStart,
    clients: outcomes,
    events: rec.events,
    crashed: rec.crashed,
    answerLatencies: rec.answerLatencies,
    spoofed: run.spoofed,
    streamsPerServer: rec.streamsPerServer,
    serversDown: [...rec.serversDown],
    ...(sc.jobs.length > 0 ? { jobs: jobOutcomes(sc, { events: rec.events, elapsed: net.now - run.start }, (server, job) => sameBytes(run, server, job.file)) } : {}),
    sim: { events: net.events, datagrams: net.stats.datagrams, traceHash: trace.digest() },
  };
  const notes = [trace.note(), rec.skipped > 0 ? `${rec.skipped} events not kept (the run kept ${rec.events.length})` : undefined].filter((x): x is string => x !== undefined);
  return { record, trace: trace.entries(), ...(notes.length > 0 ? { traceNote: notes.join('; ') } : {}), logs: logsOf(rec.events) };
}

/** Whether the file a job brought `server` is the item's bytes. */
function sameBytes(run: Run, server: string, file: string): { identical: boolean; detail?: string } {
  const copy = run.jobFiles.get(server)?.media.get(file);
  if (!copy) return { identical: false, detail: 'holds no copy' };
  const item = run.files.get(file)!;
  if (copy.length !== item.size) return { identical: false, detail: `holds ${copy.length} bytes of ${item.size}` };
  const original = run.media.read(file, 0, item.size);
  for (let i = 0; i < copy.length; i++) if (copy[i] !== original[i]) return { identical: false, detail: `its copy differs from byte ${i}` };
  return { identical: true };
}

function outcome(c: ClientSpec, entry: ClientEntry, slot: Slot, name: (a: string) => string): Omit<ClientOutcome, 'answeredBy'> {
  const r = entry.core?.result;
  const copy = entry.copy;
  const base = { name: c.name, file: c.file, bytes: copy.bytes, prefix: copy.problem === undefined };
  if (!r) {
    const code = slot.state === 'killed' ? 'killed' : slot.state === 'crashed' ? 'crashed' : 'unfinished';
    const state = entry.core?.state ?? 'not started';
    return { ...base, ok: false, code, identical: false, handoffs: 0, maxGap: 0, servers: [], detail: `${code}${code === 'unfinished' ? ` (still ${state})` : ''} after ${copy.progress()} bytes${copy.problem ? `; ${copy.problem}` : ''}` };
  }
  const identical = r.ok && copy.identical;
  const detail = !r.ok ? `failed: ${r.code}${r.message ? ` (${r.message})` : ''}${copy.problem ? `; ${copy.problem}` : ''}` : !identical ? (copy.problem ?? `incomplete: ${copy.progress()} bytes`) : undefined;
  return {
    ...base,
    ok: r.ok,
    ...(r.code ? { code: String(r.code) } : {}),
    identical,
    handoffs: r.handoffs.length,
    maxGap: r.maxGap,
    servers: r.servers.map(name),
    ...(detail ? { detail } : {}),
  };
}

function describe(f: Fault): Record<string, unknown> {
  const a = f.action;
  switch (a.kind) {
    case 'overload':
      return { capacity: a.capacity };
    case 'supervise':
      return { to: a.to };
    case 'impair':
      return { from: a.impairment.from, to: a.impairment.to, link: a.impairment.link };
    case 'partition':
      return { sides: a.sides.map((s) => (s.length > 8 ? [...s.slice(0, 8), `… ${s.length} nodes`] : s)), oneWay: a.oneWay };
    case 'blackhole':
      return { on: a.on };
    default:
      return {};
  }
}

/** Each node's events as log lines. */
function logsOf(events: readonly { t: number; node: string; type: string; data: Readonly<Record<string, unknown>> }[]): Record<string, string[]> {
  const logs: Record<string, string[]> = {};
  for (const e of events) (logs[e.node] ??= []).push(logLine(e.t, e.type, e.data, e.data.level));
  return logs;
}
