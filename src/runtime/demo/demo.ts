/**
 * `ofp demo`: a master, three media servers holding the seed's overlapping
 * catalog and several clients, all real processes on loopback. One server is
 * killed mid-stream (SIGKILL) and another is drained (the order `ofp server drain` sends):
 * their clients' streams move to other servers and carry on from the same
 * position. Every copy is compared with its original; exit 0 only when all are
 * identical. No process is left behind, and the temp dir goes unless --keep.
 *
 * With --masters N (N > 1), N masters form a group behind a portal, with a
 * cluster key; each server registers with all of them, and the clients ask
 * the portal, which refers each to a master by its policy (`--portal-policy`,
 * round robin by default). Once
 * streams play, the demo asks every master what it follows: each holds every
 * stream, its own and those the others told it of (§12.4), with its round
 * trips to the servers and to the clients, which echo its answers (§12.5);
 * and the servers, which share their view, each hold the others (§13).
 * Then the master that supervises the most servers is killed: the demo shows
 * its servers taken over by the others, and the server kill and the drain that
 * follow are ordered by their new supervisors.
 *
 * With --ui, the dashboard is attached to the demo's master (the last one of a group, never killed). On a terminal
 * the files last UI_SLOWER times longer, so that there is time to watch; the
 * kill comes after UI_KILL_DELAY, the narration goes to the events pane, the
 * drain is left to the user (`d`; `x` kills the selected server), and the
 * summary is printed once the user quits (`q`). Without a terminal, the demo
 * runs as without --ui and the dashboard prints plain status lines.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { now } from '../clock.js';
import { Children, type OfpChild } from '../children.js';
import { type AttachedDashboard, attachDashboard } from '../dashboard/attach.js';
import { interactiveTerminal } from '../dashboard/view.js';
import { SIDECAR_SUFFIX } from '../mediaDir.js';
import { type ControlAnswer, sendControl } from '../controlQuery.js';
import { resolveEndpoint } from '../resolve.js';
import { queryStatus } from '../statusQuery.js';
import { isPortalPolicy, PORTAL_POLICIES, type PortalPolicy } from '../../roles/portal/policies.js';
import { UsageError } from '../../errors.js';
import { onStopSignal, signalStatus } from '../signals.js';
import { makeSyntheticFile } from '../syntheticFile.js';
import { table } from '../table.js';
import { formatBytes, formatDuration } from '../../view/units.js';
import { parseCount } from '../units.js';
import type { HandoffRecord } from '../../roles/client/client.js';
import type { ExtraAction } from '../../view/model.js';
import { DEMO_FILES, DEMO_SERVERS, type DemoClient, demoClients, DISTRIBUTED, holders } from './plan.js';
import { freePorts } from '../freePorts.js';

export interface DemoFlags {
  readonly clients: number | string;
  readonly keep: boolean;
  /** Kill a server mid-stream, and drain another. */
  readonly failover: boolean;
  readonly output: 'human' | 'json';
  /** Path of bin/run.js. */
  readonly bin: string;
  /** Attach the dashboard to the demo's master. */
  readonly ui?: boolean;
  /** Masters: 1, or a group of this many behind a portal (§12). */
  readonly masters?: number | string;
  /** How the portal picks a master (§12.3); round robin when absent. */
  readonly portalPolicy?: string;
  /** First bring a new file to every server with a distribution job (§14); the clients then ask for it. */
  readonly distribute?: boolean;
}

/** What the demo's distribution job did (§14). */
interface DemoJob {
  readonly job: number | null;
  readonly state: string;
  readonly seconds: number | null;
  /** Each server, and where it got the file from: the base server, or another server. */
  readonly targets: readonly { readonly server: number; readonly state: string; readonly from: string }[];
}

const START_TIMEOUT = 15_000;
const CLIENT_TIMEOUT_S = 60;
/** How long the demo waits for a server it can kill, then one it can drain: one whose clients all have somewhere to go. */
const VICTIM_WAIT = 8_000;
/** Tries of the drain order (each waits 700 ms for the master's answer), and a bound on the drained server's exit (DRAIN_TIMEOUT, and some). */
const DRAIN_ATTEMPTS = 5;
const DRAINED_EXIT_TIMEOUT = 20_000;
/** How long after the first stream plays the server is killed: without the dashboard, and with it (time to look first). */
const KILL_DELAY = 1_000;
const UI_KILL_DELAY = 5_000;
/** With the interactive dashboard the files last this many times longer. */
const UI_SLOWER = 5;
/** The dashboard's refresh in the demo, ms. */
const UI_REFRESH = 500;

/** One handoff of a client's stream (as its summary gives it), with the servers named as the demo numbers them. */
type DemoHandoff = HandoffRecord;

interface ClientReport {
  readonly client: number;
  readonly file: string;
  readonly mode: string;
  readonly choose: string;
  readonly exit: number | null;
  readonly servers: string[];
  readonly handoffs: DemoHandoff[];
  readonly bytes: number;
  readonly seconds: number;
  readonly identical: boolean;
  readonly verdict: string;
}

/** A server the demo acted on, and when (ms after the demo started). */
interface Action {
  readonly index: number;
  readonly at: number;
}

/** What the demo knows of the cluster while it runs. */
interface Cluster {
  readonly t0: number;
  /** The master orders go through (a group's last one: it is never killed). */
  readonly master: string;
  /** The cluster key, for a group. */
  readonly key?: string;
  readonly plan: readonly DemoClient[];
  readonly clients: readonly OfpChild[];
  readonly servers: readonly OfpChild[];
  readonly addrs: readonly string[];
  readonly children: Children;
  readonly say: (text: string) => void;
}

export async function runDemo(f: DemoFlags): Promise<number> {
  const n = parseCount(f.clients, '--clients', 1, 32);
  const group = parseCount(f.masters ?? 1, '--masters', 1, 5);
  const portalPolicy = f.portalPolicy ?? 'round-robin';
  if (!isPortalPolicy(portalPolicy)) throw new UsageError('usage', `--portal-policy ${JSON.stringify(portalPolicy)} is not a policy: use ${PORTAL_POLICIES.join(', ')}`);
  // A group shares a key: with it every master can move every stream (§12.2), and a portal forwards.
  // Jobs move only within a keyed cluster (§14.7).
  const key = group > 1 || f.distribute ? randomBytes(16).toString('hex') : undefined;
  const t0 = now();
  const interactive = f.ui === true && interactiveTerminal();
  const slower = interactive ? UI_SLOWER : 1;
  // The narration: stderr, or the events pane once the interactive dashboard is up.
  const toStderr = (text: string) => {
    process.stderr.write(`[${formatDuration(now() - t0).padStart(8)}] ${text}\n`);
  };
  let tell = toStderr;
  const say = (text: string) => tell(text);
  let dashboard: AttachedDashboard | undefined;
  // Settles when the clients are done, or the demo fails: plain dashboard lines stop then.
  let over = () => {};
  const demoOver = new Promise<void>((resolve) => {
    over = resolve;
  });
  const tmp = mkdtempSync(join(tmpdir(), 'ofp-demo-'));
  const children = new Children(f.bin);
  const removeTmp = () => {
    if (!f.keep) rmSync(tmp, { recursive: true, force: true });
  };
  const killAll = () => children.killAll('SIGKILL');
  process.on('exit', killAll);
  const unsubscribe = onStopSignal((signal) => {
    say(`${signal}: stopping every process`);
    killAll();
    removeTmp();
    process.exit(signalStatus(signal));
  });

  try {
    // 1. Media: the originals, and each server's directory.
    const { originals, dirs, copies } = makeDemoMedia(tmp, slower);
    say(`media in ${tmp}: ${DEMO_SERVERS.map((files, i) => `server ${i + 1} holds ${files.map((x) => x.replace('.ts', '')).join(',')}`).join('; ')}`);

    // 2. The master (or a group of them behind a portal) and the servers.
    const { masters, masterAddrs, portal, portalAddr, servers, serverAddrs } = await startDemoCluster(children, dirs, say, group, key, portalPolicy);
    const masterAddr = masterAddrs.at(-1)!;
    const serverName = (addr: string | undefined) => {
      const i = addr === undefined ? -1 : serverAddrs.indexOf(addr);
      return i >= 0 ? `server ${i + 1}` : (addr ?? '?');
    };
    const masterName = (addr: string | undefined) => {
      const i = addr === undefined ? -1 : masterAddrs.indexOf(addr);
      return i >= 0 ? `master ${i + 1}` : (addr ?? '?');
    };
    if (f.ui) {
      dashboard = await attachDashboard({
        master: await resolveEndpoint(masterAddr, 'the master'),
        ...(key ? { key } : {}),
        refreshMs: UI_REFRESH,
        readOnly: false,
        interactive,
        until: demoOver,
        extra: [killKey(servers, serverAddrs)],
      });
      if (interactive) {
        const store = dashboard.store;
        tell = (text) => store.note('demo', 'info', text);
        say('the demo\'s cluster: tab moves between panes, arrows select, ? shows every key');
      }
    }

    // 2b. A new file, held by no server, brought to every one by a job.
    let job: DemoJob | undefined;
    if (f.distribute) job = await distributeOne(children, tmp, originals, key!, serverAddrs, serverName, say);

    // 3. The clients.
    const plan = demoClients(n, job ? DISTRIBUTED.name : undefined);
    const clients = plan.map((c) => {
      const child = children.spawn(`client ${c.index}`, [
        'client', 'get', c.file, ...(portalAddr ? ['--portal', portalAddr] : ['--master', masterAddr]), '--out', join(copies, `client${c.index}-${c.file}`),
        '--mode', c.mode, '--choose', c.choose, '--echo', '--timeout', String(CLIENT_TIMEOUT_S), '--json-stream',
      ]);
      narrate(child, c, serverName, masterName, portalPolicy, say);
      return child;
    });
    say(`${n} clients asking for ${plan.map((c) => `${c.file.replace('.ts', '')} (${c.mode})`).join(', ')}`);
    const clientsDone = Promise.all(clients.map((c) => exitWithin(c, (CLIENT_TIMEOUT_S + 15) * 1000)));
    void clientsDone.then(over);

    // 4. A server dies mid-stream; then another is drained.
    const cluster: Cluster = { t0, master: masterAddr, ...(key ? { key } : {}), plan, clients, servers, addrs: serverAddrs, children, say };
    let killed: Action | undefined;
    let drained: Action | undefined;
    let masterKilled: MasterKill | undefined;
    let stoppedEarly = false;
    let shared: SharedView[] | undefined;
    if (group > 1) shared = await tellShared(cluster, masterAddrs, serverName, masterName);
    if (f.failover && group > 1) masterKilled = await killOneMaster(cluster, masters, masterAddrs, serverName);
    if (f.failover) {
      killed = await killOneServer(cluster, interactive ? UI_KILL_DELAY : KILL_DELAY);
      if (!interactive) drained = await drainOneServer(cluster, killed);
      else say('now drain a server yourself: tab to the servers pane, select one with the arrows, press d');
    }

    // 5. Wait for the clients (with the interactive dashboard: until the user quits), compare the copies.
    if (interactive && dashboard) {
      const first = await Promise.race([clientsDone.then(() => 'clients'), dashboard.done.then(() => 'quit', () => 'quit')]);
      if (first === 'clients') say('every client has finished: press q to quit and see the summary');
      tell = toStderr;
      if (first === 'quit') {
        stoppedEarly = clients.some((c) => c.running);
        if (stoppedEarly) say('the dashboard was closed before every client finished: stopping them');
        // As Ctrl-C would: each client keeps the in-order part of its copy and reports it.
        for (const c of clients) c.kill('SIGINT');
      } else {
        await dashboard.done.catch(() => {});
      }
    }
    await clientsDone;
    if (!interactive) await dashboard?.done.catch(() => {});
    await dashboard?.close();
    const reports = plan.map((c, i) => report(c, clients[i]!, join(originals, c.file), join(copies, `client${c.index}-${c.file}`), serverName));

    // 6. Stop the servers left (each drains: it has no stream left, so it leaves at once), then the master.
    await Promise.all(servers.map((s) => s.stop('SIGTERM', 5_000)));
    await Promise.all([...masters, ...(portal ? [portal] : [])].map((m) => m.stop('SIGTERM', 5_000)));

    const ok = reports.every((r) => r.identical) && (job === undefined || job.state === 'completed');
    const doc = {
      ok,
      master: masterAddr,
      ...(group > 1 ? { masters: masterAddrs, portal: portalAddr, shared: shared ?? null, masterKilled: masterKilled ?? null } : {}),
      servers: serverAddrs.map((address, i) => ({ server: i + 1, address, files: DEMO_SERVERS[i], killed: killed?.index === i, drained: drained?.index === i })),
      killed: killed ? { server: killed.index + 1, atSeconds: Math.round(killed.at) / 1000 } : null,
      drained: drained ? { server: drained.index + 1, atSeconds: Math.round(drained.at) / 1000 } : null,
      clients: reports,
      ...(job ? { job } : {}),
      seconds: Math.round(now() - t0) / 1000,
      dir: f.keep ? tmp : null,
    };
    printDemoResult(f, doc, serverAddrs, killed, drained, stoppedEarly, now() - t0, tmp, masterKilled);
    return ok ? 0 : 1;
  } finally {
    over();
    await dashboard?.close();
    unsubscribe();
    killAll();
    await children.reapAll(2_000);
    process.off('exit', killAll);
    removeTmp();
  }
}

/**
 * Step 2b (`--distribute`): a base server, and a job that brings a new file to every server (§14):
 * `ofp job submit --wait`, as a provider would run it. Each server gets it from the base server or
 * from another server, puts it into service, and tells the master.
 */
async function distributeOne(children: Children, tmp: string, originals: string, key: string, serverAddrs: readonly string[], serverName: (a: string | undefined) => string, say: (t: string) => void): Promise<DemoJob> {
  makeSyntheticFile({ name: DISTRIBUTED.name, durationMs: DISTRIBUTED.seconds * 1000, rate: DISTRIBUTED.rate, dir: originals });
  // One target at a time from the base server: the others get the file from the servers that have it.
  const base = children.spawn('base', ['base', '--host', '127.0.0.1', '--port', '0', '--store', join(tmp, 'base-store'), '--fanout', '1', '--key', key, '--json-stream']);
  const baseAddr = (await base.waitFor((e) => e.event === 'listening', START_TIMEOUT, 'listening')).data.address as string;
  say(`base server listening on ${baseAddr}; a job brings ${DISTRIBUTED.name}, which no server holds, to all ${serverAddrs.length}, as ofp job submit ${DISTRIBUTED.name} --base ${baseAddr} --to … --wait does`);
  const submit = children.spawn('provider', ['job', 'submit', join(originals, DISTRIBUTED.name), '--base', baseAddr, '--to', serverAddrs.join(','), '--rate', '20M', '--wait', '--key', key, '--json-stream']);
  submit.watch((e) => {
    if (e.event === 'job-accepted') say(`job ${String(e.data.job)} accepted by the base server`);
    if (e.event === 'uploaded') say(`the base server holds ${DISTRIBUTED.name} (${formatBytes(Number(e.data.bytes))}); it passes it on as it arrives`);
  });
  const exit = await exitWithin(submit, 60_000);
  const summary = submit.events.find((e) => e.event === 'summary')?.data as { job?: number; state?: string; took?: number; targets?: { srv: string; st: string; src?: string }[] } | undefined;
  const from = (src: string | undefined) => (src === baseAddr ? 'the base server' : serverName(src));
  const job: DemoJob = {
    job: summary?.job ?? null,
    state: summary?.state ?? `not done (exit ${exit.code ?? exit.signal})`,
    seconds: summary?.took !== undefined ? Math.round(summary.took) / 1000 : null,
    targets: (summary?.targets ?? []).map((t) => ({ server: serverAddrs.indexOf(t.srv) + 1, state: t.st, from: from(t.src) })),
  };
  for (const t of job.targets) say(`server ${t.server} ${t.state === 'completed' ? 'has' : 'did NOT get'} ${DISTRIBUTED.name}, from ${t.from}`);
  say(`the job ${job.state}${job.seconds !== null ? ` in ${job.seconds} s` : ''}: every server streams ${DISTRIBUTED.name} now, and the master lists it`);
  await base.stop('SIGTERM', 5_000);
  return job;
}

/** Step 1: the originals, a media directory per server holding its share of them, and where the copies go. */
function makeDemoMedia(tmp: string, slower: number): { originals: string; dirs: string[]; copies: string } {
  const originals = join(tmp, 'originals');
  for (const file of DEMO_FILES) makeSyntheticFile({ name: file.name, durationMs: file.seconds * 1000 * slower, rate: file.rate, dir: originals });
  const dirs = DEMO_SERVERS.map((files, i) => {
    const dir = join(tmp, `server${i + 1}`);
    mkdirSync(dir, { recursive: true });
    for (const name of files) {
      copyFileSync(join(originals, name), join(dir, name));
      copyFileSync(join(originals, name + SIDECAR_SUFFIX), join(dir, name + SIDECAR_SUFFIX));
    }
    return dir;
  });
  const copies = join(tmp, 'copies');
  mkdirSync(copies);
  return { originals, dirs, copies };
}

/**
 * Step 2: the master (or a group of `group` masters, each knowing the others by --peers, and a
 * portal in front of them), then one server per media directory, registered with every master.
 */
async function startDemoCluster(children: Children, dirs: readonly string[], say: (t: string) => void, group: number, key: string | undefined, policy: PortalPolicy): Promise<{ masters: OfpChild[]; masterAddrs: string[]; portal: OfpChild | undefined; portalAddr: string | undefined; servers: OfpChild[]; serverAddrs: string[] }> {
  const keyArgs = key ? ['--key', key] : [];
  const ports = group > 1 ? await freePorts(group) : [0];
  const peersOf = (i: number) => ports.filter((_, j) => j !== i).map((p) => `127.0.0.1:${p}`).join(',');
  const masters = ports.map((port, i) => children.spawn(group > 1 ? `master ${i + 1}` : 'master', [
    'master', '--host', '127.0.0.1', '--port', String(port), '--poll-interval', '500', ...(group > 1 ? ['--peers', peersOf(i)] : []), ...keyArgs, '--json-stream',
  ]));
  const masterAddrs = await Promise.all(masters.map(async (m) => (await m.waitFor((e) => e.event === 'listening', START_TIMEOUT, 'listening')).data.address as string));
  say(group > 1 ? `${group} masters in a group, listening on ${masterAddrs.join(', ')}` : `master listening on ${masterAddrs[0]}`);
  let portalAddr: string | undefined;
  let portal: OfpChild | undefined;
  if (group > 1) {
    portal = children.spawn('portal', ['portal', '--host', '127.0.0.1', '--port', '0', '--masters', masterAddrs.join(','), '--policy', policy, ...keyArgs, '--json-stream']);
    portalAddr = (await portal.waitFor((e) => e.event === 'listening', START_TIMEOUT, 'listening')).data.address as string;
    say(`portal listening on ${portalAddr}: the clients ask it, and it refers each to ${PICKS[policy]} (--policy ${policy})`);
  }
  const servers = dirs.map((dir, i) => children.spawn(`server ${i + 1}`, [
    'server', '--master', masterAddrs.join(','), '--media', dir, '--host', '127.0.0.1', '--port', '0', '--group', `g${i + 1}`, ...keyArgs, '--json-stream',
  ]));
  const serverAddrs = await Promise.all(servers.map(async (s) => (await s.waitFor((e) => e.event === 'listening', START_TIMEOUT, 'listening')).data.address as string));
  for (const m of masterAddrs) await Promise.all(servers.map((s) => s.waitFor((e) => e.event === 'registration-registered' && e.data.master === m, START_TIMEOUT, `registration with ${m}`)));
  say(`servers registered${group > 1 ? ' with every master' : ''}: ${serverAddrs.map((a, i) => `server ${i + 1} ${a}`).join(', ')}`);
  return { masters, masterAddrs, portal, portalAddr, servers, serverAddrs };
}

/** What one master of a group follows, as the demo asked it (§12.4, §12.5). */
interface SharedView {
  readonly master: string;
  /** Streams it follows: all of them; those it assigned itself or follows from the servers' word; and those the others told it of (by master). */
  readonly streams: number;
  readonly own: number;
  readonly told: Record<string, number>;
  /** Its smoothed round trip to each server, ms, once measured. */
  readonly serverRttMs: Record<string, number>;
  /** Its round trip to the clients (their source), ms, once one echoed an answer. */
  readonly clientRttMs: number | null;
  /** What each server's view of the others holds (§13), as its load reports told this master: peers alive. */
  readonly serverViews: Record<string, number>;
}

/**
 * Once every client plays, ask each master of the group what it follows (`ofp master status`): every
 * stream, its own and those the others told it of (§12.4); and what it measures for its decisions,
 * its round trips to the servers and to the clients that echo its answers (§12.5).
 */
async function tellShared(c: Cluster, addrs: readonly string[], serverName: (a: string) => string, masterName: (a: string) => string): Promise<SharedView[] | undefined> {
  try {
    await Promise.all(c.clients.map((x) => x.waitFor((e) => e.event === 'playing', START_TIMEOUT, 'playing')));
  } catch {
    return undefined;
  }
  // One digest interval (§12.4): a delta lost on the way is repaired by then.
  await sleep(1_000);
  const out: SharedView[] = [];
  for (const m of addrs) {
    let status;
    try {
      status = await queryStatus({ master: await resolveEndpoint(m, '--master'), ...(c.key ? { key: c.key } : {}) });
    } catch (e) {
      c.say(`${masterName(m)} did not answer ofp master status: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    const told: Record<string, number> = {};
    for (const s of status.sessions) if (s.by !== undefined) told[s.by] = (told[s.by] ?? 0) + 1;
    const own = status.sessions.filter((s) => s.by === undefined).length;
    const serverRttMs = Object.fromEntries(status.servers.filter((s) => s.rtt !== undefined).map((s) => [s.name, s.rtt!]));
    const clientRtt = status.sessions.find((s) => s.rtt !== undefined)?.rtt;
    const serverViews = Object.fromEntries(status.servers.filter((s) => s.vk !== undefined).map((s) => [s.name, s.vk!]));
    out.push({ master: m, streams: status.sessions.length, own, told, serverRttMs, clientRttMs: clientRtt ?? null, serverViews });
    const others = Object.entries(told).map(([by, n]) => `${n} told by ${masterName(by)}`);
    c.say(`${masterName(m)} follows ${status.sessions.length} streams: ${others.length ? `${others.join(', ')}, ` : ''}${own} it assigned itself or follows from their servers' word (list mode) (assignments shared, §12.4)`);
    const rtts = Object.entries(serverRttMs).map(([s, ms]) => `${serverName(s)} ${ms} ms`);
    c.say(`${masterName(m)} measures its round trips: to ${rtts.length ? rtts.join(', ') : 'no server yet'}; to the clients, which echo its answers, ${clientRtt === undefined ? 'none yet' : `${clientRtt} ms`} (§12.5)`);
  }
  // The servers know one another too (§13): each holds the others in its view, with no master in the way.
  const views = out[0]?.serverViews ?? {};
  if (Object.keys(views).length > 0) c.say(`the servers share their view: ${Object.entries(views).map(([s, n]) => `${serverName(s)} holds ${n} other${n === 1 ? '' : 's'}`).join(', ')} (§13)`);
  return out;
}

/** Which master a portal refers a client to, by its policy (§12.3). */
const PICKS: Readonly<Record<PortalPolicy, string>> = {
  'round-robin': 'a master in turn',
  priority: 'the first master that is up, in the order given',
  resources: 'the master whose servers have the most room',
  'least-loaded': 'the least loaded master (requests per second, streams)',
  nearest: 'the master with the shortest round trip from the portal',
};

/** A master the demo killed, and the servers taken over from it. */
interface MasterKill {
  readonly master: string;
  readonly atSeconds: number;
  readonly servers: { readonly server: number; readonly by: string | null; readonly afterMs: number | null }[];
}

/** Who supervises a server now: its last `supervisor` event, or the first master it was given (§12.2). */
function supervisorOf(server: OfpChild, first: string): string {
  for (let i = server.events.length - 1; i >= 0; i--) {
    const e = server.events[i]!;
    if (e.event === 'supervisor') return e.data.master as string;
  }
  return first;
}

/**
 * Once streams play, SIGKILL the master that supervises the most servers (never the last one: the
 * dashboard and the orders go through it), and tell when each of its servers is taken over.
 */
async function killOneMaster(c: Cluster, masters: readonly OfpChild[], addrs: readonly string[], serverName: (a: string) => string): Promise<MasterKill | undefined> {
  try {
    await Promise.any(c.clients.map((x) => x.waitFor((e) => e.event === 'playing', START_TIMEOUT, 'playing')));
  } catch {
    return undefined;
  }
  await sleep(300);
  const count = addrs.slice(0, -1).map((m) => c.servers.filter((s) => supervisorOf(s, addrs[0]!) === m).length);
  const index = count.indexOf(Math.max(...count));
  const victim = addrs[index]!;
  if (count[index] === 0) {
    // It supervises nothing (the last master has them all): an operator places server 1 on it first,
    // as ofp master supervise does, so that its death has something to show.
    c.say(`placing server 1's supervision on master ${index + 1} (${victim}) as ofp master supervise --server ${c.addrs[0]} --to ${victim} does`);
    try {
      await sendControl({ master: await resolveEndpoint(c.master, '--master'), ...(c.key ? { key: c.key } : {}), attempts: DRAIN_ATTEMPTS }, { op: 'supervise', srv: c.addrs[0]!, to: victim });
      await c.servers[0]!.waitFor((e) => e.event === 'supervisor' && e.data.master === victim, 5_000, 'the supervision placed');
    } catch (e) {
      c.say(`the supervision was not placed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const orphans = c.servers.map((s, i) => ({ s, i })).filter(({ s }) => supervisorOf(s, addrs[0]!) === victim);
  c.say(`killing master ${index + 1} (${victim}) with SIGKILL; it supervises ${orphans.length ? orphans.map(({ i }) => `server ${i + 1}`).join(', ') : 'no server'}`);
  const t = now();
  masters[index]!.kill('SIGKILL');
  const servers = await Promise.all(orphans.map(async ({ s, i }) => {
    try {
      const e = await s.waitFor((x) => x.event === 'supervisor' && x.data.master !== victim && x.t >= t, 10_000, 'a new supervisor');
      const by = e.data.master as string;
      c.say(`server ${i + 1} taken over by master ${addrs.indexOf(by) + 1} (${by}) ${Math.round(e.t - t)} ms after the kill; its streams play on`);
      return { server: i + 1, by, afterMs: Math.round(e.t - t) };
    } catch {
      c.say(`server ${i + 1} (${serverName(c.addrs[i]!)}) was not taken over within 10 s`);
      return { server: i + 1, by: null, afterMs: null };
    }
  }));
  return { master: victim, atSeconds: Math.round(t - c.t0) / 1000, servers };
}

/** The last step: the document (`--json`) or the summary lines and the verdict. */
function printDemoResult(
  f: DemoFlags,
  doc: { readonly ok: boolean; readonly master: string; readonly clients: readonly ClientReport[] },
  serverAddrs: readonly string[],
  killed: Action | undefined,
  drained: Action | undefined,
  stoppedEarly: boolean,
  ms: number,
  tmp: string,
  masterKilled?: MasterKill,
): void {
  if (f.output === 'json') {
    process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
    return;
  }
  const reports = doc.clients;
  const job = (doc as { job?: DemoJob }).job;
  if (job) process.stdout.write(`job ${job.job ?? '-'}: ${DISTRIBUTED.name} ${job.state}${job.seconds !== null ? ` in ${job.seconds} s` : ''}: ${job.targets.map((t) => `server ${t.server} from ${t.from}`).join(', ')}\n\n`);
  for (const line of summaryLines(doc.master, serverAddrs, killed, drained, reports, masterKilled)) process.stdout.write(line + '\n');
  process.stdout.write(doc.ok ? `all ${reports.length} copies are identical to their originals (${formatDuration(ms)})\n`
    : stoppedEarly ? `stopped before the clients finished: ${reports.filter((r) => r.identical).length} of ${reports.length} copies complete and identical; the others kept what they had, in order\n`
    : `${reports.filter((r) => !r.identical).length} of ${reports.length} copies differ from their originals or are incomplete\n`);
  if (f.keep) process.stdout.write(`files kept in ${tmp}\n`);
}

/** `2.30 s`: a position in the media. */
function position(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

/** Tell what a client does, as it happens, on stderr. */
function narrate(child: OfpChild, c: DemoClient, serverName: (a: string | undefined) => string, masterName: (a: string | undefined) => string, policy: PortalPolicy, say: (t: string) => void): void {
  let started = false;
  const name = (v: unknown) => serverName(typeof v === 'string' ? v : undefined);
  child.watch((e) => {
    if (e.event === 'referred') {
      say(`client ${c.index} is referred by the portal to ${masterName(typeof e.data.master === 'string' ? e.data.master : undefined)} (${policy}, §12.3)`);
    } else if (e.event === 'playing' && !started) {
      started = true;
      say(`client ${c.index} streams ${c.file} from ${name(e.data.srv)} (${c.mode})`);
    } else if (e.event === 'server-failed') {
      say(`client ${c.index} lost ${name(e.data.srv)} at byte ${e.data.off}: ${e.data.reason}`);
    } else if (e.event === 'switch') {
      say(`client ${c.index} is told to move from ${name(e.data.from)} to ${name(e.data.to)} (${e.data.why}) at ${position(e.data.computed as number)}`);
    } else if (e.event === 'handoff') {
      say(`client ${c.index} carries on with ${c.file} on ${name(e.data.to)} at ${position(e.data.npt as number)}: ${e.data.why}, gap ${e.data.gap} ms`);
    } else if (e.event === 'summary') {
      say(`client ${c.index} ${e.data.ok ? 'has' : 'did NOT get'} all of ${c.file} (${formatBytes(e.data.bytes as number)})`);
    }
  });
}

/** The server a client streams from now: its last setup, or where its last switch or handoff took it. */
function currentServer(child: OfpChild): string | undefined {
  for (let i = child.events.length - 1; i >= 0; i--) {
    const e = child.events[i]!;
    if (e.event === 'setup') return e.data.srv as string;
    if (e.event === 'switch' || e.event === 'handoff') return e.data.to as string;
    if (e.event === 'server-failed') return undefined;
  }
  return undefined;
}

/**
 * Which servers serve which running clients, and which servers cannot go:
 * those a running client needs because no other server left holds its file.
 */
function whoServes(c: Cluster, gone: ReadonlySet<number>): { on: Map<number, number[]>; needed: Set<number> } {
  const on = new Map<number, number[]>();
  const needed = new Set<number>();
  c.plan.forEach((p, i) => {
    const child = c.clients[i]!;
    if (!child.running || child.events.some((e) => e.event === 'complete')) return;
    const left = holders(p.file).filter((h) => !gone.has(h));
    if (left.length < 2) for (const h of left) needed.add(h);
    const at = c.addrs.indexOf(currentServer(child) ?? '');
    if (at >= 0) on.set(at, [...(on.get(at) ?? []), p.index]);
  });
  return { on, needed };
}

/** The server serving the most running clients among those that can go, if any. */
function pick(c: Cluster, gone: ReadonlySet<number>): [number, number[]] | undefined {
  const { on, needed } = whoServes(c, gone);
  return [...on].filter(([s]) => !needed.has(s) && !gone.has(s)).sort((a, b) => b[1].length - a[1].length)[0];
}

function plural(clients: number[]): string {
  return `client${clients.length > 1 ? 's' : ''} ${clients.join(', ')} stream${clients.length > 1 ? '' : 's'}`;
}

/** The first server that can go (see pick) within VICTIM_WAIT, while clients still run. */
async function victimWithin(c: Cluster, gone: ReadonlySet<number>): Promise<ReturnType<typeof pick>> {
  const deadline = now() + VICTIM_WAIT;
  let victim = pick(c, gone);
  while (!victim && now() < deadline && c.clients.some((x) => x.running)) {
    await sleep(100);
    victim = pick(c, gone);
  }
  return victim;
}

/**
 * Once streams play, SIGKILL the server that serves the most clients among
 * those whose files another server also holds, so every client can carry on.
 */
async function killOneServer(c: Cluster, delay: number): Promise<Action | undefined> {
  try {
    await Promise.any(c.clients.map((x) => x.waitFor((e) => e.event === 'playing', START_TIMEOUT, 'playing')));
  } catch {
    c.say('no client started streaming: no server is killed');
    return undefined;
  }
  await sleep(delay);
  // On a busy machine the first streams may all come from the server that must stay (the only one
  // holding a file a client still wants).
  const victim = await victimWithin(c, new Set());
  if (!victim) {
    c.say('no server can be killed without leaving a client with no other source: none is killed');
    return undefined;
  }
  const [index, streaming] = victim;
  c.say(`killing server ${index + 1} (${c.addrs[index]}) with SIGKILL mid-stream; ${plural(streaming)} from it`);
  c.servers[index]!.kill('SIGKILL');
  return { index, at: now() - c.t0 };
}

/**
 * Then drain a server as `ofp server drain` does: the first (within VICTIM_WAIT)
 * that serves clients whose files a server still up also holds. Its streams
 * move, and it leaves and exits on its own.
 */
async function drainOneServer(c: Cluster, killed: Action | undefined): Promise<Action | undefined> {
  const gone = new Set(killed ? [killed.index] : []);
  // Let the killed server's clients settle on their new servers first.
  await sleep(killed ? 800 : 1_000);
  const victim = await victimWithin(c, gone);
  if (!victim) {
    c.say('no server can be drained without leaving a client with no other source: none is drained');
    return undefined;
  }
  const [index, streaming] = victim;
  const addr = c.addrs[index]!;
  // The order `ofp server drain` sends, sent from here: a process started now would start late on a
  // busy machine, and the streams it is meant to move could be over by then.
  c.say(`draining server ${index + 1} (${addr}) as ofp server drain --master ${c.master} --server ${addr} does; ${plural(streaming)} from it`);
  const at = now() - c.t0;
  let answer: ControlAnswer;
  try {
    answer = await sendControl({ master: await resolveEndpoint(c.master, '--master'), ...(c.key ? { key: c.key } : {}), attempts: DRAIN_ATTEMPTS }, { op: 'drain', srv: addr });
  } catch (e) {
    c.say(`the drain order got no answer: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
  if (!answer.ok) {
    c.say(`the master refused the drain (${answer.code ?? 'refused'}): ${answer.msg}`);
    return undefined;
  }
  c.say(`the master: ok: ${answer.msg}`);
  void exitWithin(c.servers[index]!, DRAINED_EXIT_TIMEOUT).then((x) => {
    c.say(`server ${index + 1} has handed its streams off and left (exit ${x.code ?? x.signal})`);
  });
  return { index, at };
}

/** The dashboard's `x`: SIGKILL the selected server, as the demo kills one. */
function killKey(servers: readonly OfpChild[], addrs: readonly string[]): ExtraAction {
  return {
    key: 'x',
    label: 'kill',
    target: 'server',
    run: async (server) => {
      const i = server === undefined ? -1 : addrs.indexOf(server);
      if (i < 0) return { ok: false, text: `kill: ${server ?? 'no server'} is not one of the demo's servers` };
      if (!servers[i]!.running) return { ok: false, text: `kill: server ${i + 1} (${server}) is not running` };
      servers[i]!.kill('SIGKILL');
      return { ok: true, text: `server ${i + 1} (${server}) killed with SIGKILL` };
    },
  };
}

function report(c: DemoClient, child: OfpChild, original: string, copy: string, serverName: (a: string | undefined) => string): ClientReport {
  const summary = child.events.find((e) => e.event === 'summary')?.data;
  let identical = false;
  let prefix = false;
  let why = '';
  try {
    const [got, want] = [readFileSync(copy), readFileSync(original)];
    identical = got.equals(want);
    prefix = !identical && got.length < want.length && got.equals(want.subarray(0, got.length));
    if (!identical) why = 'differs from the original';
  } catch (e) {
    why = `no copy (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  }
  const exit = child.exit?.code ?? null;
  if (exit !== 0) {
    identical = false;
    why = summary?.code ? `${summary.code}: ${summary.message}` : `exit ${exit ?? child.exit?.signal}${child.stderr ? `: ${child.stderr.trim().split('\n').pop()}` : ''}`;
  }
  const handoffs = ((summary?.handoffs as DemoHandoff[] | undefined) ?? []).map((h) => ({
    from: serverName(h.from),
    to: serverName(h.to),
    why: h.why,
    npt: h.npt,
    ...(h.computed !== undefined ? { computed: h.computed } : {}),
    gap: h.gap,
  }));
  return {
    client: c.index,
    file: c.file,
    mode: c.mode,
    choose: c.choose,
    exit,
    servers: ((summary?.servers as string[] | undefined) ?? []).map((s) => serverName(s)),
    handoffs,
    bytes: (summary?.bytes as number | undefined) ?? 0,
    seconds: (summary?.seconds as number | undefined) ?? 0,
    identical,
    // A client stopped on purpose (the demo's dashboard closed early) keeps the start of the file, in order.
    verdict: identical ? 'identical' : summary?.code === 'stopped' && prefix ? 'stopped: the start of the original, intact' : `FAILED: ${why}`,
  };
}

function summaryLines(master: string, addrs: readonly string[], killed: Action | undefined, drained: Action | undefined, reports: readonly ClientReport[], masterKilled?: MasterKill): string[] {
  const what = (i: number) => (killed?.index === i ? `  (killed with SIGKILL at ${formatDuration(killed.at)})`
    : drained?.index === i ? `  (drained at ${formatDuration(drained.at)})` : '');
  const takenOver = masterKilled?.servers.map((s) => `server ${s.server} ${s.by ? `by ${s.by} after ${s.afterMs} ms` : 'by none'}`).join(', ');
  return [
    '',
    ...(masterKilled ? [`master    ${masterKilled.master}  killed with SIGKILL at ${masterKilled.atSeconds.toFixed(2)} s; taken over: ${takenOver || 'no server'}`] : []),
    `master    ${master}`,
    ...addrs.map((a, i) => `server ${i + 1}  ${a}  holds ${DEMO_SERVERS[i]!.join(' ')}${what(i)}`),
    '',
    ...table(['CLIENT', 'FILE', 'MODE', 'SERVED BY', 'HANDOFFS', 'BYTES', 'TIME', 'VERDICT'], reports.map((r) => [
      r.client,
      r.file,
      r.mode === 'list' ? `list/${r.choose}` : r.mode,
      r.servers.length ? r.servers.join(' → ') : '-',
      r.handoffs.length ? r.handoffs.map((h) => `${h.why} at ${position(h.npt)}, gap ${h.gap} ms`).join('; ') : '-',
      r.bytes,
      `${r.seconds.toFixed(2)} s`,
      r.verdict,
    ])),
    '',
  ];
}

/** Wait for a child to exit; kill it when it has not after `ms`. */
async function exitWithin(child: OfpChild, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([child.exited, late]);
  clearTimeout(timer);
  if (child.running) await child.stop('SIGKILL', 2_000);
  return child.exited;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
