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
import type { Role, RoleDeps, RoleEvent, StreamBytes } from '../../src/roles/role.js';
import { type MediaFile, MediaServer } from '../../src/roles/server/server.js';
import { LinkTable } from '../link/linkTable.js';
import { flowFiles, mediaFile } from '../scenario/media.js';
import type { ClientOutcome, ClientSpec, Fault, ModeOutput, RoleKind, RunRecord, Scenario, ServerSpec } from '../scenario/types.js';
import { formatMs } from '../scenario/units.js';
import { AddressBook } from './addresses.js';
import { attackPayload } from './attackPayload.js';
import { CopyCheck } from './copyCheck.js';
import { logLine } from './eventData.js';
import { MediaCache } from './mediaCache.js';
import { SimNetwork, type SimNode } from './network.js';
import { SimRecorder } from './recorder.js';
import { DEFAULT_TRACE_CAP, TraceRecorder } from './traceRecorder.js';

export interface SimOptions {
  readonly seed: number;
  readonly progress?: (line: string) => void;
  /** Datagrams kept for trace.ndjson at most (0: none; the hash covers them all anyway). */
  readonly traceCap?: number;
  /** Aborted (Ctrl-C): the run stops at the next slice. */
  readonly signal?: AbortSignal;
}

/** Wall time between progress lines (and yields to the event loop), ms. */
const PROGRESS_EVERY = 1000;
const YIELD_EVERY = 100;

type Slot = {
  readonly name: string;
  readonly kind: RoleKind;
  readonly addr: string;
  node: SimNode<unknown> | undefined;
  state: 'waiting' | 'up' | 'paused' | 'killed' | 'crashed';
};


export async function runSim(sc: Scenario, o: SimOptions): Promise<ModeOutput> {
  const wallStart = performance.now();
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

  const slots = new Map<string, Slot>();
  const add = (name: string, kind: RoleKind) => slots.set(name, { name, kind, addr: book.assign(name, kind), node: undefined, state: 'waiting' });
  for (const m of sc.masters) add(m.name, 'master');
  for (const s of sc.servers) add(s.name, 'server');
  for (const c of sc.clients) add(c.name, 'client');
  for (const a of sc.attackers) add(a.name, 'attacker');
  for (const a of sc.attackers) if (!slots.has(a.spoof)) book.assign(a.spoof, 'victim');
  const name = (addr: string) => book.name(addr);

  const links = new LinkTable(sc.link, sc.impairments);
  net.model = { link: (from, to) => links.link(name(from), name(to)) };
  const rec = new SimRecorder(start, name, sc.servers.map((s) => s.name));
  const trace = new TraceRecorder(o.traceCap ?? DEFAULT_TRACE_CAP);
  const spoofed = { sent: 0, reflected: 0 };
  // Reflection: bytes a target sends to an address an attacker spoofed.
  const reflections = new Set(sc.attackers.map((a) => `${book.addr(a.target)}>${book.addr(a.spoof)}`));
  net.onTrace = (r) => {
    if (reflections.size > 0 && reflections.has(`${r.from}>${r.to}`)) spoofed.reflected += r.size;
    trace.add(Math.round((r.t - start) * 1000) / 1000, name(r.from), name(r.to), r.type, r.size, r.fate);
  };
  net.onCrash = (node, error) => {
    const slot = slots.get(name(node.addr));
    if (slot) slot.state = 'crashed';
    rec.crash(name(node.addr), error, net.now);
    if (slot?.kind === 'client') finished++;
  };

  // ---- Roles -------------------------------------------------------------------

  const clients = new Map<string, { spec: ClientSpec; core?: Client; copy: CopyCheck }>();
  let finished = 0;
  const onEvent = (slot: Slot) => (e: RoleEvent) => {
    if (slot.kind === 'client' && (e.type === 'complete' || e.type === 'failed')) finished++;
    rec.onEvent(slot.name, slot.kind, e, net.now);
  };
  /** A client's bytes go to its copy check. */
  const onData = (slot: Slot) => (d: StreamBytes) => clients.get(slot.name)?.copy.add(d.fl, d.off, d.data);
  const place = (slot: Slot, role: Role<unknown>, startCommand = true) => {
    slot.node = net.add(slot.addr, role, onEvent(slot), slot.kind === 'client' ? onData(slot) : undefined);
    slot.state = 'up';
    if (startCommand) net.command(slot.addr, { type: 'start' });
  };
  const masterCore = (n: string) => {
    const m = sc.masters.find((x) => x.name === n)!;
    return new Master(deps(true), { policy: m.policy, mode: m.mode, pollInterval: m.pollInterval });
  };
  const serverCore = (s: ServerSpec) =>
    new MediaServer(deps(true), { name: book.addr(s.name), master: book.addr(s.master), group: s.group, cap: s.capacity, files: s.files.map((f) => files.get(f)!) }, media);
  const startRole = (slot: Slot) => {
    if (slot.kind === 'master') place(slot, masterCore(slot.name));
    else if (slot.kind === 'server') place(slot, serverCore(sc.servers.find((s) => s.name === slot.name)!));
  };

  for (const m of sc.masters) startRole(slots.get(m.name)!);
  for (const s of sc.servers) startRole(slots.get(s.name)!);
  for (const c of sc.clients) {
    const entry: { spec: ClientSpec; core?: Client; copy: CopyCheck } = { spec: c, copy: new CopyCheck(flowFiles(files.get(c.file)!), media) };
    clients.set(c.name, entry);
    net.at(start + c.start, () => {
      const slot = slots.get(c.name)!;
      if (slot.state === 'killed') return;
      const core = new Client(deps(false), {
        masters: c.masters.map((m) => book.addr(m)),
        file: c.file,
        ...(c.mode ? { mode: c.mode } : {}),
        choose: parseChoice(c.choose)!,
        schedule: c.schedule,
      });
      entry.core = core;
      const paused = slot.state === 'paused';
      place(slot, core);
      if (paused) {
        net.pause(slot.addr);
        slot.state = 'paused';
      }
    });
  }
  for (const a of sc.attackers) {
    const from = book.addr(a.name);
    const spoof = book.addr(a.spoof);
    const to = book.addr(a.target);
    const interval = 1000 / a.rate;
    let k = 0;
    const fire = () => {
      const bytes = attackPayload(a, attackRng);
      spoofed.sent += bytes.length;
      net.sendAs(from, spoof, to, bytes);
      k++;
      const next = a.start + k * interval;
      if (next < a.stop) net.at(start + next, fire);
    };
    net.at(start + a.start, fire);
  }

  // ---- Faults ------------------------------------------------------------------

  const apply = (f: Fault) => {
    const a = f.action;
    const slot = 'node' in a ? slots.get(a.node) : undefined;
    rec.note('fault', { action: a.kind, ...('node' in a ? { node: a.node } : {}), ...describe(f) }, net.now);
    switch (a.kind) {
      case 'kill':
        if (slot!.state === 'up' || slot!.state === 'paused') net.remove(slot!.addr);
        // A client killed before it finished (or before it started) has finished, badly.
        if (slot!.kind === 'client' && slot!.state !== 'crashed' && clients.get(slot!.name)!.core?.result === undefined) finished++;
        slot!.state = 'killed';
        return;
      case 'restart':
        if (slot!.state === 'up' || slot!.state === 'paused') net.remove(slot!.addr);
        startRole(slot!);
        return;
      case 'pause':
        if (slot!.state === 'up') net.pause(slot!.addr);
        slot!.state = 'paused';
        return;
      case 'resume':
        if (slot!.state === 'paused') {
          slot!.state = slot!.node ? 'up' : 'waiting';
          if (slot!.node) net.resume(slot!.addr);
        }
        return;
      case 'drain':
        net.command(slot!.addr, { type: 'drain' });
        return;
      case 'overload':
        net.command(slot!.addr, { type: 'capacity', cap: a.capacity });
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
  };
  for (const f of sc.faults) net.at(start + f.at, () => apply(f));

  // ---- Run ---------------------------------------------------------------------

  const total = sc.clients.length;
  const allDone = () => finished >= total;
  let lastYield = performance.now();
  let lastProgress = lastYield;
  const advance = async (until: number, done?: () => boolean) => {
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
        o.progress(`${formatMs(net.now - start)} of ${formatMs(sc.duration)} simulated (+ up to ${formatMs(sc.converge)} to converge), ${finished}/${total} clients finished, ${(net.events / 1e6).toFixed(1)}M events`);
      }
    }
  };
  await advance(start + sc.duration);
  rec.note('converge', { faults: links.faulted ? 'lifted' : 'none in force', paused: [...slots.values()].filter((s) => s.state === 'paused').map((s) => s.name) }, net.now);
  links.liftFaults();
  for (const s of slots.values()) {
    if (s.state !== 'paused') continue;
    s.state = s.node ? 'up' : 'waiting';
    if (s.node) net.resume(s.addr);
  }
  await advance(start + sc.duration + sc.converge, allDone);
  rec.note('end', { clients: total, finished }, net.now);

  // ---- Record ------------------------------------------------------------------

  const outcomes: ClientOutcome[] = sc.clients.map((c) => outcome(c, clients.get(c.name)!, slots.get(c.name)!, name));
  const wall = performance.now() - wallStart;
  const record: RunRecord = {
    scenario: sc.name,
    mode: 'sim',
    seed,
    elapsed: net.now - start,
    wall,
    clients: outcomes,
    events: rec.events,
    crashed: rec.crashed,
    answerLatencies: rec.answerLatencies,
    spoofed,
    streamsPerServer: rec.streamsPerServer,
    serversDown: [...rec.serversDown],
    sim: { events: net.events, datagrams: net.stats.datagrams, traceHash: trace.digest() },
  };
  const notes = [trace.note(), rec.skipped > 0 ? `${rec.skipped} events not kept (the run kept ${rec.events.length})` : undefined].filter((x): x is string => x !== undefined);
  return { record, trace: trace.entries(), ...(notes.length > 0 ? { traceNote: notes.join('; ') } : {}), logs: logsOf(rec.events) };
}

function outcome(c: ClientSpec, entry: { core?: Client; copy: CopyCheck }, slot: Slot, name: (a: string) => string): ClientOutcome {
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
