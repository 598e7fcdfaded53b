/**
 * A master and servers with very large content lists: how much memory the
 * master takes for it, how much of it the master keeps, and how long
 * concurrent `ofp master status` take then.
 *
 *   node dist/bench/largeCatalog.js [--parts 12000] [--names 120] [--files N] [--servers 1]
 *                                   [--operators 4] [--key KEY] [--timeout 120] [--ofp BIN] [--json]
 *
 * It starts an `ofp master` (loopback, port 0), reads its resident memory,
 * registers `--servers` servers (FakeCatalogServers, no media behind them,
 * each from its own port, each with names of its own) each announcing `--parts` content parts of `--names`
 * names (and `--files` files: parts × names unless given), and sends every
 * part until each is acknowledged or the master refuses the list; reads the
 * memory again, then runs `--operators` `ofp master status` at once and times
 * each. `--ofp`: the `ofp` to run (another build's bin/run.js, to compare
 * two builds the same way). Every process it starts is stopped at the end.
 */
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClusterAuth } from '../src/protocol/auth.js';
import { decode } from '../src/protocol/codec.js';
import { Rng } from '../src/protocol/rng.js';
import { nodeCrypto } from '../src/platform/crypto.js';
import { FakeCatalogServer } from '../src/runtime/flood/fakeCatalog.js';
import { ChildSet } from './processes.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository: this file runs as dist/bench/largeCatalog.js. */
const root = resolve(here, '..', '..');
const OFP = join(root, 'bin', 'run.js');
/** Datagrams sent and not yet answered, at most. */
const WINDOW = 256;
/** No answer for this long: the outstanding datagrams are taken as lost, ms. */
const STALL = 300;

interface Options {
  parts: number;
  names: number;
  files?: number;
  servers: number;
  operators: number;
  key?: string;
  timeoutMs: number;
  ofp: string;
  json: boolean;
}

function parse(argv: readonly string[]): Options {
  const o: Options = { parts: 12_000, names: 120, servers: 1, operators: 4, timeoutMs: 120_000, ofp: OFP, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = () => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${a} takes a value`);
      return x;
    };
    if (a === '--parts') o.parts = Number(v());
    else if (a === '--names') o.names = Number(v());
    else if (a === '--files') o.files = Number(v());
    else if (a === '--servers') o.servers = Number(v());
    else if (a === '--operators') o.operators = Number(v());
    else if (a === '--key') o.key = v();
    else if (a === '--timeout') o.timeoutMs = Number.parseFloat(v()) * 1000;
    else if (a === '--ofp') o.ofp = resolve(v());
    else if (a === '--json') o.json = true;
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

function rss(pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

const mib = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Register the fake server and send its list; resolves when it is all in, refused, or out of time. */
async function sendCatalog(master: { host: string; port: number }, o: Options, index: number) {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  const name = `127.0.0.1:${socket.address().port}`;
  const fake = new FakeCatalogServer({ rng: new Rng(7 + index), name, parts: o.parts, names: o.names, first: index * o.parts * o.names, ...(o.files !== undefined ? { files: o.files } : {}), ...(o.key ? { auth: new ClusterAuth(o.key, nodeCrypto) } : {}) });
  let outstanding = 0;
  let lastAnswer = Date.now();
  let sent = 0;
  /** The most parts acknowledged at once (a refusal starts the count again). */
  let most = 0;
  socket.on('message', (bytes) => {
    const d = decode(bytes);
    outstanding = Math.max(0, outstanding - 1);
    lastAnswer = Date.now();
    if (d.ok) fake.onAnswer(d.msg);
    most = Math.max(most, fake.acked.size);
  });
  const start = Date.now();
  while (!fake.complete && fake.errors.size === 0 && Date.now() - start < o.timeoutMs) {
    if (Date.now() - lastAnswer > STALL) {
      outstanding = 0;
      lastAnswer = Date.now();
    }
    while (outstanding < (fake.cookie ? WINDOW : 1)) {
      socket.send(fake.next(Date.now()), master.port, master.host);
      outstanding++;
      sent++;
    }
    await sleep(fake.cookie ? 1 : 50);
  }
  const ms = Date.now() - start;
  socket.close();
  return { name, ms, sent, acked: most, perPart: fake.perPart, complete: fake.complete, errors: Object.fromEntries(fake.errors) };
}

async function main(): Promise<void> {
  const o = parse(process.argv.slice(2));
  const children = new ChildSet();
  const stop = () => children.killAll();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const keyArgs = o.key ? ['--key', o.key] : [];
    const master = children.spawn('master', o.ofp, ['master', '--port', '0', '--json-stream', '--log-level', 'info', ...keyArgs]);
    const listening = await master.waitFor((e) => e.event === 'listening', 20_000, 'listening');
    const address = String(listening.data.address);
    const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
    const pid = master.proc.pid!;
    await sleep(500);
    const before = rss(pid);
    const lists = await Promise.all(Array.from({ length: o.servers }, (_, i) => sendCatalog({ host, port }, o, i)));
    await sleep(1_000);
    const afterList = rss(pid);
    const refusals = master.seen((e) => e.event === 'registration-refused').map((e) => e.data);

    const status = await Promise.all(Array.from({ length: o.operators }, async (_, i) => {
      const t0 = Date.now();
      const op = children.spawn(`status-${i}`, o.ofp, ['master', 'status', '--master', address, '--json', ...keyArgs]);
      let out = '';
      op.proc.stdout?.on('data', (c: Buffer) => (out += c.toString()));
      await op.exit;
      let summary: Record<string, unknown> | undefined;
      let rows = 0;
      try {
        const doc = JSON.parse(out) as { summary: Record<string, unknown>; files: unknown[] };
        summary = doc.summary;
        rows = doc.files.length;
      } catch {
        // No answer: nothing printed.
      }
      return { ms: Date.now() - t0, code: op.code, files: summary?.files, fileRows: rows, stderr: op.stderr.trim().split('\n').slice(-1)[0] ?? '' };
    }));
    const afterStatus = rss(pid);
    const result = { parts: o.parts, names: o.names, servers: o.servers, operators: o.operators, rss: { before, afterList, afterStatus }, lists, refusals, status };
    if (o.json) {
      process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    } else {
      const lines = [
        `master ${address}: resident memory ${mib(before)} before, ${mib(afterList)} after the list, ${mib(afterStatus)} after the status requests`,
        ...lists.map((l) => `list of ${l.name}: ${o.parts} parts of ${l.perPart} names (${o.parts * l.perPart} names): ${l.acked} parts acknowledged in ${l.ms} ms, ${l.sent} datagrams${l.complete ? ', complete' : ''}${Object.keys(l.errors).length ? `, answered ${JSON.stringify(l.errors)}` : ''}`),
        ...refusals.map((r) => `master event registration-refused: ${JSON.stringify(r)}`),
        ...status.map((s, i) => `status ${i + 1}: exit ${s.code} in ${s.ms} ms, summary files ${s.files ?? '-'}, ${s.fileRows} file rows${s.code === 0 ? '' : `: ${s.stderr}`}`),
      ];
      process.stdout.write(lines.join('\n') + '\n');
    }
  } finally {
    await children.stopAll();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`largeCatalog: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
