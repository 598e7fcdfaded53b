/**
 * One real run, step by step: media, the relay's public sockets, masters,
 * servers (registered), then the timeline from the start of the run (clients
 * at their start times, faults, attackers), the convergence wait, and an
 * orderly stop of whatever still runs. See run.ts for what it returns.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { now } from '../../src/runtime/clock.js';
import type { StreamEvent } from '../../src/runtime/children.js';
import { type ControlOrder, sendControl } from '../../src/runtime/controlQuery.js';
import { parseAddress } from '../../src/protocol/address.js';
import type { BaseSpec, ClientSpec, Fault, FaultAction, JobSpec, MasterSpec, PortalSpec, Scenario, ServerSpec, TimedEvent } from '../scenario/types.js';
import { jobsSettled, killedForGood } from '../scenario/jobOutcome.js';
import { Attacks } from './attacks.js';
import { baseArgs, clientArgs, masterArgs, portalArgs, providerArgs, serverArgs } from './commandLines.js';
import { HarnessError } from '../../src/errors.js';
import { Interruption } from './interrupt.js';
import { LinkTable } from './links.js';
import { fileSafe, type MadeMedia, makeMedia } from './media.js';
import { findOfpBin, ProcessSet, type RoleProcess, roleEnv } from './processes.js';
import { Relay } from './relay.js';
import { TraceLog } from './traceLog.js';
import type { TraceEntry } from '../scenario/types.js';

/** Bounds on the setup: a role's `listening` line, a server's registration. */
export const START_TIMEOUT = 15_000;
export const REGISTER_TIMEOUT = 10_000;
/** How long a role may take to stop on SIGTERM at the end before it is killed. */
const STOP_GRACE = 3_000;
/** A client gives up by itself this long after the run's convergence deadline (a backstop: the testbed stops it first). */
const CLIENT_TIMEOUT_MARGIN = 10_000;
/** How often the convergence wait looks whether every client is done, ms. */
const DONE_CHECK = 50;

type Kind = 'master' | 'portal' | 'server' | 'client' | 'base' | 'provider';

const round = (ms: number) => Math.round(ms * 1000) / 1000;

export interface RunnerOptions {
  readonly workDir: string;
  readonly onProgress?: (line: string) => void;
  readonly signal?: AbortSignal;
  readonly onTrace?: (e: TraceEntry) => void;
}

export class Runner {
  /** The clock the roles print (ms since the epoch) at the start of the run; until then, when the runner was made. */
  t0 = now();
  readonly wallStart = this.t0;
  end: number | undefined;
  readonly trace = new TraceLog();
  readonly links: LinkTable;
  readonly procs: ProcessSet;
  readonly stop: Interruption;
  readonly testbedEvents: TimedEvent[] = [];
  readonly testbedLog: string[] = [];
  /** The process each node runs as now (the last one started). */
  readonly current = new Map<string, RoleProcess>();
  /** Where each node's current process listens. */
  readonly real = new Map<string, string>();
  readonly copies = new Map<string, string>();
  relay: Relay | undefined;
  media: MadeMedia | undefined;
  attacks: Attacks | undefined;
  private readonly kinds = new Map<string, Kind>();
  private readonly clientsStarted = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    readonly scenario: Scenario,
    readonly opts: RunnerOptions,
  ) {
    for (const m of scenario.masters) this.kinds.set(m.name, 'master');
    for (const p of scenario.portals) this.kinds.set(p.name, 'portal');
    for (const s of scenario.servers) this.kinds.set(s.name, 'server');
    for (const c of scenario.clients) this.kinds.set(c.name, 'client');
    for (const b of scenario.bases) this.kinds.set(b.name, 'base');
    for (const j of scenario.jobs) this.kinds.set(j.name, 'provider');
    this.links = new LinkTable(scenario);
    this.procs = new ProcessSet(findOfpBin(), roleEnv(scenario.key));
    this.stop = new Interruption(opts.signal, () => this.procs.killAllNow());
  }

  /** ms since the start of the run (negative during the setup). */
  clock = (): number => now() - this.t0;

  say(text: string): void {
    const line = `${(this.clock() / 1000).toFixed(2).padStart(7)} s  ${text}`;
    this.testbedLog.push(line);
    this.opts.onProgress?.(line);
  }

  private note(type: string, data: Record<string, unknown>): void {
    this.testbedEvents.push({ t: round(this.clock()), node: 'testbed', type, data });
  }

  // ---- Setup -------------------------------------------------------------------

  async setUp(): Promise<void> {
    const s = this.scenario;
    this.media = makeMedia(s, this.opts.workDir);
    this.say(`media made in ${this.media.dir}: ${s.media.map((m) => m.name).join(', ')}`);
    const roles = [...s.masters, ...s.portals, ...s.servers, ...s.clients, ...s.bases, ...s.jobs].map((n) => n.name);
    const bystanders = [...new Set(s.attackers.map((a) => a.spoof))].filter((n) => !roles.includes(n));
    this.relay = await this.stop.race(Relay.open([...roles, ...bystanders], {
      seed: s.seed,
      links: this.links,
      clock: this.clock,
      onTrace: (e) => {
        this.trace.add(e);
        this.opts.onTrace?.(e);
      },
      onRouted: (r) => this.attacks?.onRouted(r),
    }));
    this.attacks = new Attacks(s, this.relay, this.clock, (node) => this.current.get(node)?.child.running === true);
    await this.stop.race(Promise.all(s.masters.map((m) => this.startMaster(m))));
    await this.stop.race(Promise.all(s.portals.map((p) => this.startPortal(p))));
    await this.stop.race(Promise.all(s.servers.map(async (srv) => {
      const rp = await this.startServer(srv);
      await this.registered(rp);
    })));
    await this.stop.race(Promise.all(s.bases.map((b) => this.startBase(b))));
  }

  private publicOf(node: string): string {
    return this.relay!.publicAddress(node);
  }

  private spawn(node: string, args: string[]): RoleProcess {
    const rp = this.procs.spawn(node, args);
    this.current.set(node, rp);
    rp.child.watch((e: StreamEvent) => {
      if (e.event !== 'listening' || typeof e.data.address !== 'string' || this.current.get(node) !== rp) return;
      this.real.set(node, e.data.address);
      this.relay?.setReal(node, e.data.address);
    });
    void rp.child.exited.then((exit) => {
      if (this.current.get(node) === rp) {
        this.real.delete(node);
        this.relay?.setReal(node, undefined);
      }
      const how = `code ${exit.code}${exit.signal ? `, signal ${exit.signal}` : ''}`;
      if (rp.stopping === undefined && this.kinds.get(node) !== 'client' && this.kinds.get(node) !== 'provider') this.say(`${node} exited by itself (${how})`);
    });
    return rp;
  }

  /** Wait for a role's `listening` line: a role that does not get there could not start. */
  private async listening(rp: RoleProcess): Promise<string> {
    try {
      const e = await this.stop.race(rp.child.waitFor((x) => x.event === 'listening', START_TIMEOUT, 'its listening line'));
      return e.data.address as string;
    } catch (err) {
      if (this.stop.signal.aborted) throw err;
      this.procs.signal(rp, 'SIGKILL');
      throw new HarnessError(rp.node, `could not start (ofp ${rp.args.join(' ')}): ${(err as Error).message}`);
    }
  }

  private async startMaster(m: MasterSpec): Promise<RoleProcess> {
    const rp = this.spawn(m.name, masterArgs(m, { name: this.publicOf(m.name), peers: m.peers.map((p) => this.publicOf(p)), debug: this.scenario.expect.assignmentsShared !== undefined }));
    const real = await this.listening(rp);
    this.say(`master ${m.name} at ${this.publicOf(m.name)} (listens on ${real}, pid ${rp.child.pid})`);
    return rp;
  }

  private async startPortal(p: PortalSpec): Promise<RoleProcess> {
    const rp = this.spawn(p.name, portalArgs(p, { masters: p.masters.map((m) => this.publicOf(m)) }));
    const real = await this.listening(rp);
    this.say(`portal ${p.name} at ${this.publicOf(p.name)} (listens on ${real}, pid ${rp.child.pid}; ${p.policy}, ${p.mode} in front of ${p.masters.join(', ')})`);
    return rp;
  }

  /** The server's master an order goes through: the first of its masters that runs. */
  private masterOf(srv: ServerSpec): string {
    return srv.masters.find((m) => this.current.get(m)?.child.running === true) ?? srv.masters[0] ?? this.scenario.masters[0]!.name;
  }

  private async startServer(srv: ServerSpec): Promise<RoleProcess> {
    const jobs = this.scenario.bases[0];
    const rp = this.spawn(srv.name, serverArgs(srv, { masters: srv.masters.map((m) => this.publicOf(m)), name: this.publicOf(srv.name), media: this.media!.serverDirs.get(srv.name)!, debug: this.scenario.expect.viewAgrees !== undefined, ...(jobs ? { jobs } : {}) }));
    const real = await this.listening(rp);
    this.say(`server ${srv.name} at ${this.publicOf(srv.name)} (listens on ${real}, pid ${rp.child.pid}; ${srv.files.join(', ')})`);
    return rp;
  }

  /** A base server (§14), its store in the run's folder. */
  private async startBase(b: BaseSpec): Promise<RoleProcess> {
    const store = join(this.opts.workDir, 'bases', fileSafe(b.name));
    mkdirSync(store, { recursive: true });
    const rp = this.spawn(b.name, baseArgs(b, { name: this.publicOf(b.name), store }));
    const real = await this.listening(rp);
    this.say(`base server ${b.name} at ${this.publicOf(b.name)} (listens on ${real}, pid ${rp.child.pid}; store ${store})`);
    return rp;
  }

  /** A job's provider: `ofp job submit` of the item's file, following the job until it ends (§14.1). */
  private async startProvider(j: JobSpec): Promise<void> {
    const file = this.media!.items.get(j.file)![0]!;
    const rp = this.spawn(j.name, providerArgs(j, { file: file.path, base: this.publicOf(j.base), targets: j.targets.map((t) => this.publicOf(t)) }));
    void rp.child.exited.then((exit) => {
      const accepted = rp.child.events.find((e) => e.event === 'job-accepted');
      this.say(`provider ${j.name} ended (code ${exit.code}${exit.signal ? `, signal ${exit.signal}` : ''})${accepted ? `: job ${String(accepted.data.job)}` : ''}`);
    });
    await this.listening(rp);
    this.say(`provider ${j.name} submits ${j.file} (${file.size} bytes) to ${j.base} for ${j.targets.length} target(s) (pid ${rp.child.pid})`);
  }

  /** Every job has ended at its base server, or each of its live targets holds its file (§14). */
  private jobsDone(): boolean {
    const s = this.scenario;
    if (s.jobs.length === 0) return true;
    const events: TimedEvent[] = [];
    for (const rp of this.procs.all) {
      const kind = this.kinds.get(rp.node);
      if (kind !== 'base' && kind !== 'server' && kind !== 'provider') continue;
      for (const e of rp.child.events) events.push({ t: e.t - this.t0, node: rp.node, type: e.event, data: e.data });
    }
    events.sort((a, b) => a.t - b.t);
    return jobsSettled(s, events, killedForGood(s, this.clock()));
  }

  /** A server that cannot register in time is no harness failure (its link may be cut): the run goes on, and says so. */
  private async registered(rp: RoleProcess): Promise<void> {
    try {
      await this.stop.race(rp.child.waitFor((e) => e.event === 'registration-registered', REGISTER_TIMEOUT, 'registration'));
    } catch (err) {
      if (this.stop.signal.aborted) throw err;
      if (!rp.child.running) throw new HarnessError(rp.node, `could not start: ${(err as Error).message}`);
      this.say(`${rp.node} has not registered with its master after ${REGISTER_TIMEOUT / 1000} s; going on`);
    }
  }

  private async startClient(c: ClientSpec): Promise<void> {
    const s = this.scenario;
    const item = s.media.find((m) => m.name === c.file);
    const dir = join(this.opts.workDir, 'copies', fileSafe(c.name));
    mkdirSync(dir, { recursive: true });
    const out = join(dir, fileSafe(c.file));
    this.copies.set(c.name, out);
    const masters = (c.masters.length > 0 ? c.masters : [s.masters[0]!.name]).map((m) => this.publicOf(m));
    const timeoutMs = s.duration + s.converge - c.start + CLIENT_TIMEOUT_MARGIN;
    const rp = this.spawn(c.name, clientArgs(c, { masters, ...(c.servers ? { servers: c.servers.map((x) => this.publicOf(x)) } : {}), out, timeoutMs }));
    this.clientsStarted.add(c.name);
    void rp.child.exited.then((exit) => {
      const summary = rp.child.events.findLast((e) => e.event === 'summary')?.data;
      if (summary) this.say(`client ${c.name} ${summary.ok ? 'complete' : `failed (${summary.code})`}: ${summary.bytes} bytes, ${(summary.handoffs as unknown[] | undefined)?.length ?? 0} handoff(s)`);
      else {
        // What it said last on stderr says why (an `error …` line), when it said anything.
        const last = rp.child.stderr.trim().split('\n').pop();
        this.say(`client ${c.name} ended without a summary (code ${exit.code}, signal ${exit.signal})${last ? `: ${last}` : ''}`);
      }
    });
    await this.listening(rp);
    this.say(`client ${c.name} asks for ${c.file}${item?.flows ? ` (${item.flows.length} flows)` : ''} (pid ${rp.child.pid})`);
  }

  // ---- The timeline --------------------------------------------------------------

  /** Run `fn` at `ms` after the start of the run; a failure that is the harness's ends the run. */
  private at(ms: number, what: string, fn: () => Promise<void> | void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      Promise.resolve()
        .then(fn)
        .catch((e: unknown) => {
          if (e instanceof HarnessError) this.stop.fail(e);
          else if (!this.stop.signal.aborted) {
            this.say(`${what} failed: ${(e as Error).message}`);
            this.note('fault-failed', { what, error: (e as Error).message });
          }
        });
    }, Math.max(0, this.t0 + ms - now()));
    this.timers.add(timer);
  }

  async play(): Promise<void> {
    const s = this.scenario;
    // The run starts now: what the setup recorded (roles registering, a slow start on a busy
    // machine) happened before it, at negative times, never inside the timeline's windows.
    const start = now();
    const shift = start - this.t0;
    this.t0 = start;
    this.trace.rebase(shift);
    for (let i = 0; i < this.testbedEvents.length; i++) {
      const e = this.testbedEvents[i]!;
      this.testbedEvents[i] = { ...e, t: round(e.t - shift) };
    }
    this.say(`the run starts: ${s.clients.length} client(s), ${s.faults.length} fault(s), ${s.attackers.length} attacker(s); ${s.duration / 1000} s, then up to ${s.converge / 1000} s to converge`);
    for (const c of s.clients) this.at(c.start, `starting ${c.name}`, () => this.startClient(c));
    for (const j of s.jobs) this.at(j.at, `submitting ${j.name}`, () => this.startProvider(j));
    for (const f of s.faults) this.at(f.at, `fault ${f.action.kind}`, () => this.fault(f));
    for (const a of s.attackers) {
      this.at(a.start, `attacker ${a.name}`, () => {
        this.say(`attacker ${a.name} sends ${a.kind} datagrams at ${a.target} as ${a.spoof}, ${a.rate}/s`);
        this.note('attack-start', { attacker: a.name, target: a.target, spoof: a.spoof, kind: a.kind, rate: a.rate });
        this.attacks!.start(a);
      });
      this.at(a.stop, `attacker ${a.name}`, () => {
        this.attacks!.stop(a);
        this.note('attack-stop', { attacker: a.name });
      });
    }
    await this.stop.sleep(s.duration - this.clock());
    this.say(`the fault phase is over: waiting for the clients${s.jobs.length > 0 ? ' and the jobs' : ''}`);
    const deadline = s.duration + s.converge;
    while (this.clock() < deadline && !(this.clientsDone() && this.jobsDone())) await this.stop.sleep(Math.min(DONE_CHECK, deadline - this.clock()));
    this.end = this.clock();
    if (!this.clientsDone()) this.say(`not every client finished within ${s.converge / 1000} s: stopping them`);
    if (!this.jobsDone()) this.say(`not every job ended within ${s.converge / 1000} s`);
  }

  private clientsDone(): boolean {
    const deadline = this.scenario.duration + this.scenario.converge;
    return this.scenario.clients.every((c) => (this.clientsStarted.has(c.name) ? !this.current.get(c.name)?.child.running : c.start >= deadline));
  }

  private role(node: string, action: FaultAction): RoleProcess | undefined {
    const rp = this.current.get(node);
    if (!rp) this.say(`${action.kind} ${node}: no such role (or not started yet); skipped`);
    return rp;
  }

  /** A fault of the timeline, or one injected by hand (the dashboard of `--ui`, through live.ts). */
  async fault(f: Fault): Promise<void> {
    const a = f.action;
    this.note('fault', { ...a });
    if (this.links.apply(a)) {
      this.say(`link fault: ${JSON.stringify(a)}`);
      return;
    }
    switch (a.kind) {
      case 'kill': {
        const rp = this.role(a.node, a);
        if (!rp) return;
        this.say(`killing ${a.node} (SIGKILL)`);
        await this.procs.stop(rp, 'SIGKILL', 0, 'killed');
        return;
      }
      case 'restart':
        return this.restart(a.node);
      case 'pause':
      case 'resume': {
        const rp = this.role(a.node, a);
        if (!rp) return;
        const pause = a.kind === 'pause';
        this.say(`${pause ? 'pausing' : 'resuming'} ${a.node} (${pause ? 'SIGSTOP' : 'SIGCONT'})`);
        if (this.procs.signal(rp, pause ? 'SIGSTOP' : 'SIGCONT')) rp.paused = pause;
        return;
      }
      case 'drain': {
        const rp = this.role(a.node, a);
        if (!rp) return;
        // The order makes the server leave and exit: that exit is no crash.
        rp.stopping = 'drained';
        const ok = await this.control(a.node, { op: 'drain', srv: this.publicOf(a.node) });
        if (!ok) {
          this.say(`the master did not pass the drain on: draining ${a.node} with SIGTERM instead`);
          this.procs.signal(rp, 'SIGTERM');
        }
        return;
      }
      case 'overload':
        await this.control(a.node, { op: 'capacity', srv: this.publicOf(a.node), cap: a.capacity });
        return;
      case 'supervise':
        await this.control(a.node, { op: 'supervise', srv: this.publicOf(a.node), to: this.publicOf(a.to) }, a.to);
        return;
      default:
        return;
    }
  }

  /** An operator's order through the server's master, or `via` (`ofp server drain` / `overload`, `ofp master supervise`, in process). */
  private async control(server: string, order: ControlOrder, via?: string): Promise<boolean> {
    const srv = this.scenario.servers.find((x) => x.name === server);
    const master = via ?? (srv ? this.masterOf(srv) : this.scenario.masters[0]?.name);
    const real = master ? this.real.get(master) : undefined;
    const ep = real ? parseAddress(real) : undefined;
    if (!master || !ep) {
      this.say(`${order.op} ${server}: its master is not running`);
      return false;
    }
    this.say(`${order.op} ${server} through ${master}${order.cap !== undefined ? ` (capacity ${order.cap} bit/s)` : ''}`);
    try {
      const answer = await sendControl({ master: { host: ep.host, port: ep.port, address: real!, family: 4 }, ...(this.scenario.key ? { key: this.scenario.key } : {}), attempts: 3, timeoutMs: 700 }, order);
      this.note('control-result', { server, op: order.op, ok: answer.ok, msg: answer.msg });
      if (!answer.ok) this.say(`${master} refused: ${answer.msg}`);
      return answer.ok;
    } catch (e) {
      this.note('control-result', { server, op: order.op, ok: false, msg: (e as Error).message });
      this.say(`${order.op} ${server}: ${(e as Error).message}`);
      return false;
    }
  }

  private async restart(node: string): Promise<void> {
    const old = this.current.get(node);
    if (old?.child.running) {
      this.say(`restarting ${node}: killing the running process first`);
      await this.procs.stop(old, 'SIGKILL', 0, 'restarted');
    }
    this.say(`restarting ${node}`);
    const kind = this.kinds.get(node);
    const s = this.scenario;
    if (kind === 'master') await this.startMaster(s.masters.find((m) => m.name === node)!);
    else if (kind === 'portal') await this.startPortal(s.portals.find((p) => p.name === node)!);
    else if (kind === 'server') await this.startServer(s.servers.find((x) => x.name === node)!);
    else if (kind === 'client') await this.startClient(s.clients.find((c) => c.name === node)!);
    else if (kind === 'base') await this.startBase(s.bases.find((b) => b.name === node)!);
    else this.say(`restart ${node}: no such role; skipped`);
  }

  // ---- The end ---------------------------------------------------------------------

  /** Stop attackers and timers, then clients, providers, servers, base servers, portals, masters (each SIGTERM, then SIGKILL after a grace). */
  async finish(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.attacks?.stopAll();
    const running = (kind: Kind) => [...this.current].filter(([node, rp]) => this.kinds.get(node) === kind && rp.child.running).map(([, rp]) => rp);
    await this.procs.stopAll(running('client'), 'SIGTERM', STOP_GRACE);
    await this.procs.stopAll(running('provider'), 'SIGTERM', STOP_GRACE);
    await Promise.all(running('server').map((rp) => this.stopServer(rp)));
    await this.procs.stopAll(running('base'), 'SIGTERM', STOP_GRACE);
    await this.procs.stopAll(running('portal'), 'SIGTERM', STOP_GRACE);
    await this.procs.stopAll(running('master'), 'SIGTERM', STOP_GRACE);
  }

  /**
   * A server's first SIGTERM drains it; with no stream left it leaves at once.
   * A stream whose client is gone (its teardown lost) would keep the drain
   * waiting for a handoff that cannot happen: a second SIGTERM, once the first
   * has been seen, stops it at once (it still tells its master it leaves).
   */
  private async stopServer(rp: RoleProcess): Promise<void> {
    const seen = rp.child.events.length;
    const stopped = this.procs.stop(rp, 'SIGTERM', STOP_GRACE);
    const heard = await Promise.race([
      rp.child.waitFor((e) => e.event === 'signal', STOP_GRACE, 'the signal').then((e) => e, () => undefined),
      stopped.then(() => undefined),
    ]);
    if (heard && rp.child.events.indexOf(heard) >= seen && Number(heard.data.streams) > 0) this.procs.signal(rp, 'SIGTERM');
    await stopped;
  }

  /** Whatever happened: no timer, process or socket of the run is left. */
  async dispose(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.attacks?.stopAll();
    this.stop.dispose();
    await this.procs.dispose();
    await this.relay?.close();
  }
}
