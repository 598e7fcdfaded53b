/**
 * `ofp demo`: a master, three media servers holding the seed's overlapping
 * catalog and several clients, all real processes on loopback. One server is
 * killed mid-stream and its clients carry on from the same byte elsewhere.
 * Every copy is compared with its original; exit 0 only when all are
 * identical. No process is left behind, and the temp dir goes unless --keep.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { now } from '../clock.js';
import { Children, type OfpChild, type StreamEvent } from '../children.js';
import { SIDECAR_SUFFIX } from '../mediaDir.js';
import { onStopSignal } from '../signals.js';
import { makeSyntheticFile } from '../syntheticFile.js';
import { table } from '../table.js';
import { formatBytes, formatDuration, parseCount } from '../units.js';
import { DEMO_FILES, DEMO_SERVERS, type DemoClient, demoClients, holders } from './plan.js';

export interface DemoFlags {
  readonly clients: number | string;
  readonly keep: boolean;
  /** Kill a server mid-stream. */
  readonly failover: boolean;
  readonly output: 'human' | 'json';
  /** Path of bin/run.js. */
  readonly bin: string;
}

const START_TIMEOUT = 15_000;
const CLIENT_TIMEOUT_S = 60;

interface ClientReport {
  readonly client: number;
  readonly file: string;
  readonly mode: string;
  readonly choose: string;
  readonly exit: number | null;
  readonly servers: string[];
  /** Byte offsets where the client left a server. */
  readonly failovers: number[];
  readonly bytes: number;
  readonly seconds: number;
  readonly identical: boolean;
  readonly verdict: string;
}

export async function runDemo(f: DemoFlags): Promise<number> {
  const n = parseCount(f.clients, '--clients', 1, 32);
  const t0 = now();
  const say = (text: string) => process.stderr.write(`[${formatDuration(now() - t0).padStart(8)}] ${text}\n`);
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
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });

  try {
    // 1. Media: the originals, and each server's directory.
    const originals = join(tmp, 'originals');
    for (const file of DEMO_FILES) makeSyntheticFile({ name: file.name, durationMs: file.seconds * 1000, rate: file.rate, dir: originals });
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
    say(`media in ${tmp}: ${DEMO_SERVERS.map((files, i) => `server ${i + 1} holds ${files.map((x) => x.replace('.ts', '')).join(',')}`).join('; ')}`);

    // 2. The master and the servers.
    const master = children.spawn('master', ['master', '--host', '127.0.0.1', '--port', '0', '--poll-interval', '500', '--json-stream']);
    const masterAddr = (await master.waitFor((e) => e.event === 'listening', START_TIMEOUT, 'listening')).data.address as string;
    say(`master listening on ${masterAddr}`);
    const servers = dirs.map((dir, i) => children.spawn(`server ${i + 1}`, [
      'server', '--master', masterAddr, '--media', dir, '--host', '127.0.0.1', '--port', '0', '--group', `g${i + 1}`, '--json-stream',
    ]));
    const serverAddrs = await Promise.all(servers.map(async (s) => (await s.waitFor((e) => e.event === 'listening', START_TIMEOUT, 'listening')).data.address as string));
    await Promise.all(servers.map((s) => s.waitFor((e) => e.event === 'registration-registered', START_TIMEOUT, 'registration with the master')));
    const serverName = (addr: string | undefined) => {
      const i = addr === undefined ? -1 : serverAddrs.indexOf(addr);
      return i >= 0 ? `server ${i + 1}` : (addr ?? '?');
    };
    say(`servers registered: ${serverAddrs.map((a, i) => `server ${i + 1} ${a}`).join(', ')}`);

    // 3. The clients.
    const plan = demoClients(n);
    const clients = plan.map((c) => {
      const child = children.spawn(`client ${c.index}`, [
        'client', 'get', c.file, '--master', masterAddr, '--out', join(copies, `client${c.index}-${c.file}`),
        '--mode', c.mode, '--choose', c.choose, '--timeout', String(CLIENT_TIMEOUT_S), '--json-stream',
      ]);
      narrate(child, c, serverName, say);
      return child;
    });
    say(`${n} clients asking for ${plan.map((c) => `${c.file.replace('.ts', '')} (${c.mode})`).join(', ')}`);

    // 4. A server dies mid-stream.
    let killed: { index: number; at: number } | undefined;
    if (f.failover) killed = await killOneServer(plan, clients, servers, serverAddrs, say);

    // 5. Wait for the clients, compare the copies.
    await Promise.all(clients.map((c) => exitWithin(c, (CLIENT_TIMEOUT_S + 15) * 1000)));
    const reports = plan.map((c, i) => report(c, clients[i]!, join(originals, c.file), join(copies, `client${c.index}-${c.file}`), serverName));

    // 6. Stop the servers (they tell the master they leave), then the master.
    await Promise.all(servers.map((s) => s.stop('SIGTERM', 5_000)));
    await master.stop('SIGTERM', 5_000);

    const ok = reports.every((r) => r.identical);
    const doc = {
      ok,
      master: masterAddr,
      servers: serverAddrs.map((address, i) => ({ server: i + 1, address, files: DEMO_SERVERS[i], killed: killed?.index === i })),
      killed: killed ? { server: killed.index + 1, atSeconds: Math.round(killed.at) / 1000 } : null,
      clients: reports,
      seconds: Math.round(now() - t0) / 1000,
      dir: f.keep ? tmp : null,
    };
    if (f.output === 'json') {
      process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
    } else {
      for (const line of summaryLines(doc.master, serverAddrs, killed, reports)) process.stdout.write(line + '\n');
      process.stdout.write(ok ? `all ${reports.length} copies are identical to their originals (${formatDuration(now() - t0)})\n`
        : `${reports.filter((r) => !r.identical).length} of ${reports.length} copies differ from their originals or are incomplete\n`);
      if (f.keep) process.stdout.write(`files kept in ${tmp}\n`);
    }
    return ok ? 0 : 1;
  } finally {
    unsubscribe();
    killAll();
    await children.reapAll(2_000);
    process.off('exit', killAll);
    removeTmp();
  }
}

/** Tell what a client does, as it happens, on stderr. */
function narrate(child: OfpChild, c: DemoClient, serverName: (a: string | undefined) => string, say: (t: string) => void): void {
  let lost = false;
  child.watch((e) => {
    if (e.event === 'playing') {
      say(lost ? `client ${c.index} carries on with ${c.file} from byte ${e.data.off} on ${serverName(e.data.srv)}`
        : `client ${c.index} streams ${c.file} from ${serverName(e.data.srv)} (${c.mode})`);
      lost = false;
    } else if (e.event === 'server-failed') {
      lost = true;
      say(`client ${c.index} lost ${serverName(e.data.srv)} at byte ${e.data.off}: ${e.data.reason}`);
    } else if (e.event === 'summary') {
      say(`client ${c.index} ${e.data.ok ? 'has' : 'did NOT get'} all of ${c.file} (${formatBytes(e.data.bytes as number)})`);
    }
  });
}

/**
 * Once streams play, SIGKILL the server that serves the most clients among
 * those whose files another server also holds, so every client can carry on.
 */
async function killOneServer(plan: DemoClient[], clients: OfpChild[], servers: OfpChild[], addrs: string[], say: (t: string) => void): Promise<{ index: number; at: number } | undefined> {
  const t0 = now();
  try {
    await Promise.any(clients.map((c) => c.waitFor((e) => e.event === 'playing', START_TIMEOUT, 'playing')));
  } catch {
    say('no client started streaming: no server is killed');
    return undefined;
  }
  await sleep(1_000);
  const on = new Map<number, number[]>();
  const unsafe = new Set<number>();
  plan.forEach((c, i) => {
    const child = clients[i]!;
    if (!child.running || child.events.some((e) => e.event === 'complete')) return;
    const held = holders(c.file);
    if (held.length < 2) for (const h of held) unsafe.add(h);
    const setup = [...child.events].reverse().find((e: StreamEvent) => e.event === 'setup');
    const at = setup ? addrs.indexOf(setup.data.srv as string) : -1;
    if (at >= 0) on.set(at, [...(on.get(at) ?? []), c.index]);
  });
  const victims = [...on].filter(([s]) => !unsafe.has(s)).sort((a, b) => b[1].length - a[1].length);
  const victim = victims[0];
  if (!victim) {
    say('no server can be killed without leaving a client with no other source: none is killed');
    return undefined;
  }
  const [index, streaming] = victim;
  say(`killing server ${index + 1} (${addrs[index]}) with SIGKILL mid-stream; client${streaming.length > 1 ? 's' : ''} ${streaming.join(', ')} stream${streaming.length > 1 ? '' : 's'} from it`);
  servers[index]!.kill('SIGKILL');
  return { index, at: now() - t0 };
}

function report(c: DemoClient, child: OfpChild, original: string, copy: string, serverName: (a: string | undefined) => string): ClientReport {
  const summary = child.events.find((e) => e.event === 'summary')?.data;
  const failovers = child.events.filter((e) => e.event === 'server-failed').map((e) => e.data.off as number);
  let identical = false;
  let why = '';
  try {
    identical = readFileSync(copy).equals(readFileSync(original));
    if (!identical) why = 'differs from the original';
  } catch (e) {
    why = `no copy (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  }
  const exit = child.exit?.code ?? null;
  if (exit !== 0) {
    identical = false;
    why = summary?.code ? `${summary.code}: ${summary.message}` : `exit ${exit ?? child.exit?.signal}${child.stderr ? `: ${child.stderr.trim().split('\n').pop()}` : ''}`;
  }
  return {
    client: c.index,
    file: c.file,
    mode: c.mode,
    choose: c.choose,
    exit,
    servers: ((summary?.servers as string[] | undefined) ?? []).map((s) => serverName(s)),
    failovers,
    bytes: (summary?.bytes as number | undefined) ?? 0,
    seconds: (summary?.seconds as number | undefined) ?? 0,
    identical,
    verdict: identical ? 'identical' : `FAILED: ${why}`,
  };
}

function summaryLines(master: string, addrs: string[], killed: { index: number; at: number } | undefined, reports: ClientReport[]): string[] {
  const lines = [
    '',
    `master    ${master}`,
    ...addrs.map((a, i) => `server ${i + 1}  ${a}  holds ${DEMO_SERVERS[i]!.join(' ')}${killed?.index === i ? `  (killed after ${formatDuration(killed.at)})` : ''}`),
    '',
    ...table(['CLIENT', 'FILE', 'MODE', 'SERVED BY', 'BYTES', 'TIME', 'VERDICT'], reports.map((r) => [
      r.client,
      r.file,
      r.mode === 'list' ? `list/${r.choose}` : r.mode,
      (r.servers.length ? r.servers.join(' → ') : '-') + (r.failovers.length ? ` (failover at byte ${r.failovers.join(', ')})` : ''),
      r.bytes,
      `${r.seconds.toFixed(2)} s`,
      r.verdict,
    ])),
    '',
  ];
  return lines;
}

/** Wait for a child to exit; kill it when it has not after `ms`. */
async function exitWithin(child: OfpChild, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([child.exited, late]);
  clearTimeout(timer);
  if (child.running) await child.stop('SIGKILL', 2_000);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
