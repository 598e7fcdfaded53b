/**
 * `npm run bench`: in one run on this machine, the real `ofp` roles against
 * raw node:dgram baselines measured by the same instruments.
 *
 *  1. redirect: an `ofp master` (with one `ofp server` registered) vs a raw
 *     echo process, under the same closed-loop generator;
 *  2. streams: how many concurrent 4 Mbit/s streams one `ofp server`
 *     sustains, vs a raw one-way sender, into the same receiving socket;
 *  3. handoff: the gap a client sees when its stream moves to another server
 *     (its server killed, drained, overloaded, or the stream moved by hand),
 *     vs the detection budget built from the loopback round trip of a raw
 *     echo, and whether every copy is the original byte for byte;
 *  4. relay: the same as 1 with relayed setups (the master forwards each
 *     request to the server and relays its setup);
 *  5. codec: ofp's encode and decode vs bare msgpackr, in process;
 *  6. sim: the 1,000-server, 10,000-client scenario in the simulator, its
 *     simulated time over wall time and its events/s vs the bare event loop;
 *  7. dashboard: the time and CPU of one frame of `ofp dashboard` with
 *     1,000 servers and 10,000 sessions, vs a one-line ink frame;
 *  8. startup (run first): `ofp --version`, `--help` and the roles' first
 *     line, vs `node -e 0`;
 *  9. portal: redirects through an `ofp portal` before two masters of a
 *     group, vs one master alone, under the generator of 1;
 * 10. masters: a group's failover (the supervisor of every server killed),
 *     and how fast ten masters and a thousand servers agree (simulated).
 *
 * Progress goes to stderr, the table (or `--json`, the document) to stdout,
 * the results to `.bench/results.json`. Every child process is stopped at
 * the end, on error, on Ctrl-C and when the time limit is reached.
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts } from '../src/runtime/freePorts.js';
import { makeSyntheticFile } from '../src/runtime/syntheticFile.js';
import { benchCodec, type CodecResults } from './codec.js';
import { benchSilence, type SilenceResults } from './silence.js';
import { benchSpread, type SpreadResults } from './spread.js';
import type { DashboardBenchResults } from './dashboard.js';
import { benchHandoffs, type HandoffResults } from './handoff.js';
import { type BenchOptions, parseOptions, USAGE, UsageProblem } from './options.js';
import { pingEcho } from './ping.js';
import { type BenchChild, ChildSet, type JsonLine } from './processes.js';
import { benchRedirects, type MasterUnderTest, type RedirectResults } from './redirect.js';
import { type BenchResults, figures, table } from './report.js';
import { benchSim, type SimResults } from './sim.js';
import { benchView, type ViewResults } from './view.js';
import { benchJobs, depthOf, jobBound, type JobsRealRun, type JobsResults, type JobsSettings } from './jobs.js';
import { benchMasters, type MastersResults } from './masters.js';
import { benchPortal, type PortalResults, type PortalTarget } from './portal.js';
import { benchStartup, type StartupResults, startupCommands } from './startup.js';
import { benchStreams, type StreamResults } from './streams.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository: this file runs as dist/bench/run.js. */
const root = resolve(here, '..', '..');
const OFP = join(root, 'bin', 'run.js');
const ECHO = join(here, 'echoServer.js');
const BLASTER = join(here, 'blaster.js');
/** How long a role may take to start (oclif loads) and register. */
const START_TIMEOUT = 20_000;
/** The streamed file's rate: 4 Mbit/s, a common video stream rate. */
const STREAM_RATE = 4_000_000;
/** The redirect section's file: small, at a low rate, so the reservations of thousands of redirects fit the server's capacity. */
const SMALL_FILE = { name: 'bench-small.bin', durationMs: 1_000, rate: 8_000 };
/** The stream watched during a distribution job (real processes): long enough to span the cascade. */
const JOB_STREAM_MS = 5_000;
const JOB_STREAM_RATE = 4_000_000;
const STREAM_FILE = 'bench-4mbit.bin';
const HANDOFF_FILE = 'bench-handoff.bin';
/** The handoff section's servers: every client goes to the primary (far the most room), and moves to the standby. */
const PRIMARY_CAPACITY = '10G';
const STANDBY_CAPACITY = '1G';
/** How long one ping of the round-trip baseline may wait for its echo, ms. */
const PING_TIMEOUT = 1_000;

const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);
const isListening = (e: JsonLine) => e.event === 'listening';

async function startOfp(children: ChildSet, name: string, args: readonly string[]): Promise<{ child: BenchChild; address: string }> {
  const child = children.spawn(name, OFP, [...args, '--json-stream']);
  const e = await child.waitFor(isListening, START_TIMEOUT, 'listening line');
  return { child, address: String(e.data.address) };
}

async function startServer(children: ChildSet, name: string, master: string, media: string, capacity: string, extra: readonly string[] = []) {
  const s = await startOfp(children, name, ['server', '--master', master, '--media', media, '--port', '0', '--capacity', capacity, ...extra]);
  await s.child.waitFor((e) => e.event === 'registration-registered', START_TIMEOUT, 'registration with the master');
  return s;
}

/**
 * Distribution jobs with real processes on loopback (§14): a master, `servers` servers with empty
 * media directories, a base server; `ofp job submit --wait` of a new file each run, its time as the
 * base server measured it; then one star (`ofp base --star`).
 */
async function jobsRealSection(s: NonNullable<JobsSettings['real']>, children: ChildSet, tmp: string): Promise<JobsRealRun> {
  const key = randomBytes(16).toString('hex');
  const master = await startOfp(children, 'master (jobs)', ['master', '--port', '0', '--key', key]);
  const servers: { child: BenchChild; address: string }[] = [];
  // A stream the first server alone holds (S5.2: streams on a server that sends and receives keep their rate).
  let stream: { name: string; path: string; size: number } | undefined;
  for (let i = 0; i < s.servers; i++) {
    const media = join(tmp, `jobs-media-${i}`);
    mkdirSync(media, { recursive: true });
    if (i === 0) stream = makeSyntheticFile({ name: 'jobs-viewer.ts', durationMs: JOB_STREAM_MS, rate: JOB_STREAM_RATE, dir: media });
    servers.push(await startServer(children, `server ${i + 1} (jobs)`, master.address, media, '10G', ['--key', key, '--job-rate', String(s.rate), '--job-fanout', String(s.fanout)]));
  }
  const source = join(tmp, 'jobs-source');
  mkdirSync(source, { recursive: true });
  const watch = async (label: string): Promise<{ share: number; from: number; to: number }> => {
    const out = join(tmp, `jobs-viewer-${label}.ts`);
    const c = children.spawn(`client (jobs, ${label})`, OFP, ['client', 'get', stream!.name, '--master', master.address, '--out', out, '--force', '--json-stream', '--timeout', '30s']);
    const playing = await c.waitFor((e) => e.event === 'playing', 20_000, 'its first datum');
    const done = await c.waitFor((e) => e.event === 'complete', JOB_STREAM_MS + 20_000, 'its last datum');
    await c.exitWithin(10_000, 'ofp client get');
    if (Buffer.compare(readFileSync(out), readFileSync(stream!.path)) !== 0) throw new Error(`jobs (real): the ${label} copy of ${stream!.name} differs from the file`);
    return { share: (stream!.size * 8) / ((done.t - playing.t) / 1000) / JOB_STREAM_RATE, from: playing.t, to: done.t };
  };
  const alone = await watch('alone');
  let during: Promise<{ share: number; from: number; to: number }> | undefined;
  let cascadeSpan: { from: number; to: number } | undefined;
  const runOne = async (name: string, star: boolean, withStream = false): Promise<{ ms: number; depth: number }> => {
    const base = await startOfp(children, `base (jobs${star ? ', star' : ''})`, ['base', '--port', '0', '--store', join(tmp, `jobs-store-${name}`), '--fanout', String(s.fanout), '--rate', String(s.rate), '--key', key, ...(star ? ['--star'] : [])]);
    writeFileSync(join(source, name), randomBytes(s.bytes));
    const submit = children.spawn(`job ${name}`, OFP, ['job', 'submit', join(source, name), '--base', base.address, '--to', servers.map((x) => x.address).join(','), '--rate', String(s.rate), '--wait', '--key', key, '--json-stream']);
    if (withStream) {
      await submit.waitFor((e) => e.event === 'job-accepted', 20_000, 'the job\'s acceptance');
      during = watch('during a job');
    }
    const summary = await submit.waitFor((e) => e.event === 'summary', 120_000, 'the job\'s end');
    if (withStream) cascadeSpan = { from: summary.t - Number((summary.data as { took?: number }).took ?? 0), to: summary.t };
    await submit.exitWithin(10_000, 'ofp job submit');
    await base.child.stop();
    const d = summary.data as { state?: string; took?: number; targets?: { srv: string; src?: string }[] };
    if (d.state !== 'completed' || d.took === undefined) throw new Error(`jobs (real): ${name} ended ${d.state ?? 'without a state'}`);
    return { ms: d.took, depth: depthOf(d.targets ?? [], base.address) };
  };
  const cascades: number[] = [];
  let depth = 0;
  for (let i = 0; i < s.runs; i++) {
    const r = await runOne(`job-${i + 1}.bin`, false, i === 0);
    if (i === 0) await during;
    cascades.push(r.ms);
    depth = Math.max(depth, r.depth);
  }
  const star = await runOne('job-star.bin', true);
  await Promise.all([...servers.map((x) => x.child.stopNow()), master.child.stop()]);
  const boundMs = jobBound(s.bytes, s.rate, depth);
  const worst = Math.max(...cascades);
  const viewed = await during!;
  const overlapMs = cascadeSpan ? Math.max(0, Math.min(viewed.to, cascadeSpan.to) - Math.max(viewed.from, cascadeSpan.from)) : 0;
  const run: JobsRealRun = {
    servers: s.servers, bytes: s.bytes, rate: s.rate, fanout: s.fanout, depth, cascadeMs: cascades, boundMs, ratio: worst / boundMs, starMs: star.ms, starOverCascade: star.ms / worst,
    stream: { rate: JOB_STREAM_RATE, alone: alone.share, duringJob: viewed.share, overlapMs },
  };
  progress(`jobs (real processes): ${s.servers} servers, ${(s.bytes / 1e6).toFixed(1)} MB at ${s.rate / 1e6} Mbit/s, fanout ${s.fanout}: cascade ${cascades.map((m) => (m / 1000).toFixed(2)).join('/')} s (depth ${depth}), bound ${(boundMs / 1000).toFixed(2)} s, ratio ${run.ratio.toFixed(2)}; star ${(star.ms / 1000).toFixed(1)} s (${run.starOverCascade.toFixed(1)}× the cascade); a ${JOB_STREAM_RATE / 1e6} Mbit/s stream from the first target at ${(viewed.share * 100).toFixed(1)}% of its rate during the cascade (${(overlapMs / 1000).toFixed(1)} s of overlap), ${(alone.share * 100).toFixed(1)}% with no job`);
  return run;
}

async function redirectSection(o: BenchOptions, children: ChildSet, tmp: string, mode: 'redirect' | 'relay'): Promise<RedirectResults> {
  const media = join(tmp, `${mode}-media`);
  makeSyntheticFile({ ...SMALL_FILE, dir: media });
  const startMaster = async (): Promise<MasterUnderTest> => {
    const master = await startOfp(children, `master (${mode})`, ['master', '--port', '0']);
    // Capacity far above the file's rate: every redirect reserves the rate for a while, and none may be refused for room.
    // Stopped at once when measured: the streams a relayed request leaves (those whose teardown was lost) need no drain.
    const server = await startServer(children, `server (${mode})`, master.address, media, '1T');
    await master.child.waitFor((e) => e.event === 'server-up' && e.data.srv === server.address, START_TIMEOUT, 'the server up in its catalog');
    // From here on the master logs a line per redirect: drain them, unread.
    master.child.quiet();
    server.child.quiet();
    return { ...master, ...(server.child.proc.pid !== undefined ? { serverPid: server.child.proc.pid } : {}), stop: async () => void (await Promise.all([server.child.stopNow(), master.child.stop()])) };
  };
  const echo = children.spawn(`echo (${mode})`, ECHO, []);
  const echoAddress = String((await echo.waitFor(isListening, START_TIMEOUT, 'listening line')).data.address);
  echo.quiet();
  progress(`${mode}: a new master and server each round; echo ${echoAddress}`);
  const r = await benchRedirects({ startMaster, echo, echoAddress, file: SMALL_FILE.name, mode }, o.redirect, progress);
  await echo.stop();
  return r;
}

/** The portal section's cluster key: the portal passes requests on (forward), which needs one (§12.3). */
const PORTAL_KEY = 'the cluster key of the benchmark portal and its masters';

/** The portal section: two masters of one group, their server registered with both, an `ofp portal` forwarding to them; or one master alone. */
async function portalSection(o: BenchOptions, children: ChildSet, tmp: string): Promise<PortalResults> {
  const media = join(tmp, 'portal-media');
  makeSyntheticFile({ ...SMALL_FILE, dir: media });
  const startOne = async (): Promise<PortalTarget> => {
    const master = await startOfp(children, 'master (alone)', ['master', '--port', '0', '--key', PORTAL_KEY]);
    const server = await startServer(children, 'server (alone)', master.address, media, '1T', ['--key', PORTAL_KEY]);
    await master.child.waitFor((e) => e.event === 'server-up' && e.data.srv === server.address, START_TIMEOUT, 'the server up in its catalog');
    master.child.quiet();
    server.child.quiet();
    return { address: master.address, stop: async () => void (await Promise.all([server.child.stopNow(), master.child.stop()])) };
  };
  const startPortal = async (): Promise<PortalTarget> => {
    const ports = await freePorts(2);
    const addrs = ports.map((p) => `127.0.0.1:${p}`);
    const masters = await Promise.all(addrs.map((a, i) => startOfp(children, `master ${i + 1} (group)`, ['master', '--port', a.split(':')[1]!, '--peers', addrs[1 - i]!, '--key', PORTAL_KEY])));
    const server = await startServer(children, 'server (group)', addrs.join(','), media, '1T', ['--key', PORTAL_KEY]);
    await Promise.all(masters.map((m) => m.child.waitFor((e) => e.event === 'server-up' && e.data.srv === server.address, START_TIMEOUT, 'the server up in its catalog')));
    const portal = await startOfp(children, 'portal', ['portal', '--port', '0', '--masters', addrs.join(','), '--mode', 'forward', '--policy', 'round-robin', '--key', PORTAL_KEY]);
    await Promise.all(addrs.map((a) => portal.child.waitFor((e) => e.event === 'master-up' && e.data.master === a, START_TIMEOUT, `${a} up at the portal`)));
    for (const c of [portal.child, server.child, ...masters.map((m) => m.child)]) c.quiet();
    return { address: portal.address, stop: async () => void (await Promise.all([portal.child.stop(), server.child.stopNow(), ...masters.map((m) => m.child.stop())])) };
  };
  progress('portal: redirects through an ofp portal (forward, round robin) before two masters, against one master alone; new processes each round');
  return benchPortal({ startOne, startPortal, file: SMALL_FILE.name }, o.portal, progress);
}

async function streamsSection(o: BenchOptions, children: ChildSet, tmp: string): Promise<StreamResults> {
  const media = join(tmp, 'stream-media');
  makeSyntheticFile({ name: STREAM_FILE, durationMs: o.streamFileMs, rate: STREAM_RATE, dir: media });
  // The server registers with a master, as in a cluster; the streams are asked of the server directly.
  const master = await startOfp(children, 'master (streams)', ['master', '--port', '0']);
  // Capacity is not what is measured: room for every step's streams, and for the duplicates a retried request sets up.
  const server = await startServer(children, 'server (streams)', master.address, media, '1T');
  master.child.quiet();
  server.child.quiet();
  progress(`streams: server ${server.address}, ${STREAM_RATE / 1e6} Mbit/s file of ${o.streamFileMs / 1000} s`);
  const r = await benchStreams({ children, server: server.child, serverAddress: server.address, file: STREAM_FILE, rate: STREAM_RATE, blaster: BLASTER }, o.streams, progress);
  await Promise.all([server.child.stop(), master.child.stop()]);
  return r;
}

async function handoffSection(o: BenchOptions, children: ChildSet, tmp: string): Promise<HandoffResults> {
  const media = join(tmp, 'handoff-media');
  const made = makeSyntheticFile({ name: HANDOFF_FILE, durationMs: o.handoff.fileMs, rate: STREAM_RATE, dir: media });
  // The baseline first, on a quiet machine: the round trip of a raw echo process.
  const echo = children.spawn('echo (handoff)', ECHO, []);
  const echoAddress = String((await echo.waitFor(isListening, START_TIMEOUT, 'listening line')).data.address);
  const rtt = await pingEcho(echoAddress, o.handoff.pings, PING_TIMEOUT);
  await echo.stop();
  progress(`handoff: loopback round trip ${rtt.p50.toFixed(3)} ms (median of ${rtt.answered} pings)`);

  const master = await startOfp(children, 'master (handoff)', ['master', '--port', '0']);
  const upAtMaster = (address: string) => master.child.waitFor((e) => e.event === 'server-up' && e.data.srv === address, START_TIMEOUT, `${address} up in its catalog`);
  const standby = await startServer(children, 'standby (handoff)', master.address, media, STANDBY_CAPACITY);
  await upAtMaster(standby.address);
  standby.child.quiet();
  const startPrimary = async (name: string) => {
    const s = await startServer(children, `${name} (handoff)`, master.address, media, PRIMARY_CAPACITY);
    await upAtMaster(s.address);
    s.child.quiet();
    return s;
  };
  progress(`handoff: master ${master.address}, standby ${standby.address}; ${o.handoff.clients} clients a round, ${STREAM_RATE / 1e6} Mbit/s file of ${o.handoff.fileMs / 1000} s`);
  const r = await benchHandoffs({
    children,
    ofp: OFP,
    master: master.child,
    masterAddress: master.address,
    standby: standby.address,
    file: HANDOFF_FILE,
    original: readFileSync(made.path),
    rate: STREAM_RATE,
    dir: join(tmp, 'handoff-copies'),
    startPrimary,
    rtt,
  }, o.handoff, progress);
  await children.stopAll();
  return r;
}

async function startupSection(o: BenchOptions, tmp: string): Promise<StartupResults> {
  const media = join(tmp, 'startup-media');
  makeSyntheticFile({ ...SMALL_FILE, dir: media });
  // The roles are asked to register with (or ask) a master that never answers: they start, print
  // their first line and wait, and nothing else runs on the machine meanwhile.
  const silent = createSocket('udp4');
  await new Promise<void>((done) => silent.bind(0, '127.0.0.1', done));
  const master = `127.0.0.1:${silent.address().port}`;
  progress(`startup: ${o.startup.runs} runs of each command, alternating with node -e 0`);
  try {
    return await benchStartup(startupCommands(OFP, media, master, join(tmp, 'startup-copy')), o.startup, progress);
  } finally {
    silent.close();
  }
}

async function dashboardSection(o: BenchOptions): Promise<DashboardBenchResults> {
  // React as `ofp dashboard` runs it (bin/run.js): the production build, whatever the environment
  // says (a test runner sets NODE_ENV=test). Loaded only now, after the setting.
  process.env.NODE_ENV = 'production';
  const { benchDashboard } = await import('./dashboard.js');
  progress(`dashboard: ${o.dashboard.servers} servers, ${o.dashboard.sessions} sessions, ${o.dashboard.frames} frames`);
  const r = await benchDashboard(o.dashboard);
  progress(`dashboard: frame p50 ${r.frameMs.p50.toFixed(1)} ms, p99 ${r.frameMs.p99.toFixed(1)} ms, ${r.cpuPerFrameMs.toFixed(1)} ms cpu per frame`);
  return r;
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  let o: BenchOptions;
  try {
    o = parseOptions(argv);
  } catch (e) {
    if (!(e instanceof UsageProblem)) throw e;
    process.stderr.write(`bench: ${e.message}\n${USAGE}\n`);
    return 2;
  }
  for (const f of [OFP, ECHO, BLASTER]) {
    if (!existsSync(f)) {
      process.stderr.write(`bench: ${f} is missing: run the build first (npm run bench builds)\n`);
      return 1;
    }
  }
  const resultsPath = resolve(o.out ?? join(root, '.bench', 'results.json'));
  const children = new ChildSet();
  const tmp = mkdtempSync(join(tmpdir(), 'ofp-bench-'));
  const cleanUp = () => {
    children.killAll();
    rmSync(tmp, { recursive: true, force: true });
  };
  // Whatever ends this process, no child outlives it.
  process.on('exit', cleanUp);
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.on(signal, () => {
      progress(`${signal}: stopping every process`);
      process.exit(code);
    });
  }
  const limit = setTimeout(() => {
    progress(`the run took longer than ${o.limitMs / 1000} s: stopping every process`);
    process.exit(1);
  }, o.limitMs);

  const startedAt = new Date();
  const t0 = performance.now();
  const cpuList = cpus();
  const machine = { cpus: cpuList.length, model: cpuList[0]?.model.trim() ?? 'unknown', node: process.version, platform: `${process.platform} ${process.arch}`, loadAverage: loadavg()[0] ?? 0 };
  let redirect: RedirectResults | undefined;
  let relay: RedirectResults | undefined;
  let portal: PortalResults | undefined;
  let streams: StreamResults | undefined;
  let handoff: HandoffResults | undefined;
  let codec: CodecResults | undefined;
  let spread: SpreadResults | undefined;
  let silence: SilenceResults | undefined;
  let sim: SimResults | undefined;
  let masters: MastersResults | undefined;
  let view: ViewResults | undefined;
  let jobs: JobsResults | undefined;
  let dashboard: DashboardBenchResults | undefined;
  let startup: StartupResults | undefined;
  try {
    progress(`${o.quick ? 'quick' : 'full'} run of ${o.sections.join(', ')} on ${machine.cpus} cpus (load ${machine.loadAverage.toFixed(2)})`);
    // First, on a quiet machine: nothing else of the run is going on yet.
    if (o.sections.includes('startup')) startup = await startupSection(o, tmp);
    if (o.sections.includes('redirect')) redirect = await redirectSection(o, children, tmp, 'redirect');
    if (o.sections.includes('relay')) relay = await redirectSection(o, children, tmp, 'relay');
    if (o.sections.includes('portal')) portal = await portalSection(o, children, tmp);
    if (o.sections.includes('streams')) streams = await streamsSection(o, children, tmp);
    if (o.sections.includes('handoff')) handoff = await handoffSection(o, children, tmp);
    if (o.sections.includes('masters')) masters = await benchMasters(o.masters, tmp, progress);
    // In process, after every child is gone: nothing else competes for the cpu.
    if (o.sections.includes('codec')) codec = benchCodec(o.codec, progress);
    if (o.sections.includes('silence')) silence = await benchSilence(o.silence, progress);
    if (o.sections.includes('spread')) spread = await benchSpread(o.spread, progress);
    if (o.sections.includes('view')) view = await benchView(o.view, progress);
    if (o.sections.includes('jobs')) {
      const real = o.jobs.real ? await jobsRealSection(o.jobs.real, children, tmp) : undefined;
      jobs = { ...benchJobs(o.jobs, progress), ...(real ? { real } : {}) };
    }
    if (o.sections.includes('sim')) sim = await benchSim(o.sim, progress);
    if (o.sections.includes('dashboard')) dashboard = await dashboardSection(o);
  } finally {
    await children.stopAll();
    clearTimeout(limit);
  }

  const results: BenchResults = {
    benchmark: 'ofp',
    startedAt: startedAt.toISOString(),
    seconds: (performance.now() - t0) / 1000,
    quick: o.quick,
    machine,
    figures: figures({ startup, redirect, relay, portal, streams, handoff, silence, spread, masters, view, jobs, codec, sim, dashboard }),
    ...(startup ? { startup } : {}),
    ...(redirect ? { redirect } : {}),
    ...(relay ? { relay } : {}),
    ...(portal ? { portal } : {}),
    ...(streams ? { streams } : {}),
    ...(handoff ? { handoff } : {}),
    ...(masters ? { masters } : {}),
    ...(view ? { view } : {}),
    ...(jobs ? { jobs } : {}),
    ...(codec ? { codec } : {}),
    ...(silence ? { silence } : {}),
    ...(spread ? { spread } : {}),
    ...(sim ? { sim } : {}),
    ...(dashboard ? { dashboard, dashboardSize: { servers: o.dashboard.servers, sessions: o.dashboard.sessions } } : {}),
    processes: children.list(),
  };
  mkdirSync(dirname(resultsPath), { recursive: true });
  writeFileSync(resultsPath, JSON.stringify(results, null, 2) + '\n');
  if (o.json) {
    process.stdout.write(JSON.stringify(results, null, 2) + '\n');
    progress(`results: ${resultsPath}`);
  } else {
    process.stdout.write(table(results, resultsPath) + '\n');
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    progress(`failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  },
);
