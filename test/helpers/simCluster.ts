/**
 * A master, media servers and clients on the simulated network, for tests that
 * run the pure cores end to end on a virtual clock.
 */
import { createHash } from 'node:crypto';
import { ClusterAuth } from '../../src/protocol/auth.js';
import { Rng } from '../../src/protocol/rng.js';
import { Client, type ClientConfig, type ClientEvent } from '../../src/roles/client/client.js';
import { Master, type MasterConfig, type MasterEvent } from '../../src/roles/master/master.js';
import { MediaServer, type MediaFile, type ServerEvent } from '../../src/roles/server/server.js';
import type { Input, Role, RoleDeps, StreamBytes, Transmit } from '../../src/roles/role.js';
import { nameKey, syntheticBytes } from '../../src/media/synthetic.js';
import { nodeCrypto } from '../../src/platform/crypto.js';
import type { EventNamed } from './roleDriver.js';
import { type LinkProfile, PERFECT_LINK, SimNetwork, type TraceRecord } from '../../testbed/sim/network.js';

export const MASTER = '10.0.0.1:4000';

/** The masters of a group (`group: N`): MASTER, then 10.0.0.2:4000, … */
export function groupMasters(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `10.0.0.${i + 1}:4000`);
}

/**
 * Synthetic files, made once per name and kept (up to KEPT_BYTES in all, for the worker's life):
 * the servers read their chunks from them and the copies are compared with them, instead of
 * generating the same bytes again for every chunk sent and every copy checked. Nothing writes to
 * what read() and expectedBytes() return.
 */
const KEPT_BYTES = 64 * 1024 * 1024;
const kept = new Map<string, Uint8Array>();
let keptBytes = 0;

/** The first `end` bytes (at least) of the synthetic file `name`; undefined past the budget. */
function keptPrefix(name: string, end: number): Uint8Array | undefined {
  const have = kept.get(name);
  if (have && have.length >= end) return have;
  const had = have?.length ?? 0;
  const size = Math.max(end, 2 * had, 1 << 20);
  if (keptBytes - had + size > KEPT_BYTES) return undefined;
  const made = syntheticBytes(nameKey(name), 0, size);
  kept.set(name, made);
  keptBytes += size - had;
  return made;
}

/** The `len` bytes at `off` of the synthetic file `file`. */
function synthetic(file: string, off: number, len: number): Uint8Array {
  return keptPrefix(file, off + len)?.subarray(off, off + len) ?? syntheticBytes(nameKey(file), off, len);
}

export function syntheticReader() {
  return { read: synthetic };
}

/** An event of any of the cluster's roles: one union, narrowed by its `type`. */
export type SimEvent = ClientEvent | MasterEvent | ServerEvent;

export interface SimServerSpec {
  name?: string;
  files: MediaFile[];
  cap?: number;
  group?: string;
  /** Another cluster key than the cluster's (a server that does not belong). */
  key?: string | null;
}

export interface SimClusterOptions {
  seed: number;
  link?: LinkProfile;
  key?: string;
  master?: Partial<MasterConfig>;
  servers: SimServerSpec[];
  /** A group of this many masters (§12.1), each server registered with every one of them (§12.2); one master when absent. */
  group?: number;
}

export interface SimClient {
  readonly client: Client;
  readonly addr: string;
  /** The bytes handed on, in the order they were handed on (set once the client finishes). */
  copy: Uint8Array;
  /** Every flow's bytes, flow 0 first (a media item with several flows, S2.4). */
  copies: Uint8Array[];
  /** `bytes` events that did not start where the previous one of their flow ended. */
  wrong: number;
}

/** A node that sends whatever it is told to, from its own address: garbage, probes. */
export class Injector implements Role<Transmit> {
  private readonly out: Transmit[] = [];
  handle(input: Input<Transmit>): void {
    if (input.kind === 'command') this.out.push(input.command);
  }
  pollTransmit(): Transmit | undefined {
    return this.out.shift();
  }
  pollTimeout(): undefined {
    return undefined;
  }
  pollEvent(): undefined {
    return undefined;
  }
}

/** Events of one type from one address, with the virtual time they happened at. */
export function eventsAt<K extends SimEvent['type']>(c: SimCluster, addr: string, type: K): { at: number; e: EventNamed<SimEvent, K> }[] {
  const out: { at: number; e: EventNamed<SimEvent, K> }[] = [];
  for (const l of c.log) if (l.addr === addr && isType(l.e, type)) out.push({ at: l.at, e: l.e });
  return out;
}

function isType<K extends SimEvent['type']>(e: SimEvent, type: K): e is EventNamed<SimEvent, K> {
  return e.type === type;
}

/** Deliver a datagram to a node now, with any source address (a forged one included). */
export function deliverForged(net: SimNetwork, to: string, from: string, bytes: Uint8Array): boolean {
  return net.inject(to, from, bytes);
}

export function simCluster(o: SimClusterOptions) {
  const net = new SimNetwork(o.seed, o.link ?? PERFECT_LINK);
  const seeds = new Rng(o.seed ^ 0x5eed);
  const deps = (key: string | null | undefined = o.key): RoleDeps => ({ rng: new Rng(seeds.u32()), crypto: nodeCrypto, ...(key ? { auth: new ClusterAuth(key, nodeCrypto) } : {}) });
  const log: { at: number; addr: string; e: SimEvent }[] = [];
  const record = (e: SimEvent, node: { addr: string }) => {
    log.push({ at: net.now, addr: node.addr, e });
  };
  /** The master's events, typed, as well as in `log`. */
  const masterLog: { at: number; e: MasterEvent }[] = [];
  const recordMaster = (e: MasterEvent, node: { addr: string }) => {
    record(e, node);
    masterLog.push({ at: net.now, e });
  };

  const masterAddrs = groupMasters(o.group ?? 1);
  const masterConfig = (self: string): Partial<MasterConfig> => ({
    ...(o.master ?? {}),
    ...(o.group ? { group: { self, peers: masterAddrs.filter((m) => m !== self) } } : {}),
  });
  const cluster = {
    net,
    master: new Master(deps(), masterConfig(MASTER)),
    /** Every master by address (MASTER alone without a group); a killed one is gone from it. */
    masters: new Map<string, Master>(),
    servers: [] as MediaServer[],
    clients: [] as SimClient[],
    log,
    masterLog,
    addServer,
    addClient,
    restartMaster,
    killMaster,
    injector,
    /** True once every client added so far has finished (complete or failed). */
    allDone: () => cluster.clients.every((c) => c.client.result !== undefined),
    /** The log as text, for failure messages. */
    logText: (filter: (l: { e: SimEvent }) => boolean = (l) => !('level' in l.e && l.e.level === 'debug')) =>
      log.filter(filter).map((l) => `${l.at - net.now} ${l.addr} ${JSON.stringify(l.e, (_k, v) => (v instanceof Uint8Array ? `<${v.length} bytes>` : v))}`).join('\n'),
  };
  net.add(MASTER, cluster.master, recordMaster);
  cluster.masters.set(MASTER, cluster.master);
  for (const addr of masterAddrs.slice(1)) {
    const m = new Master(deps(), masterConfig(addr));
    cluster.masters.set(addr, m);
    net.add(addr, m, record);
    net.command(addr, { type: 'start' });
  }
  if (o.group) net.command(MASTER, { type: 'start' });

  /** A master of the group dies (its process is killed): it is gone from the network. */
  function killMaster(addr: string): void {
    net.remove(addr);
    cluster.masters.delete(addr);
  }

  function addServer(s: SimServerSpec, i = cluster.servers.length): MediaServer {
    const name = s.name ?? `10.0.1.${i + 1}:5000`;
    const server = new MediaServer(deps(s.key === undefined ? o.key : s.key), { name, masters: masterAddrs, group: s.group ?? 'default', cap: s.cap ?? 1_000_000_000, files: s.files }, syntheticReader());
    net.add(name, server, record);
    net.command(name, { type: 'start' });
    cluster.servers.push(server);
    return server;
  }
  o.servers.forEach((s, i) => addServer(s, i));

  /** A client that starts at virtual time `at` and keeps the bytes it hands on. */
  function addClient(addr: string, config: ClientConfig, at = net.now): SimClient {
    const client = new Client(deps(), config);
    const entry: SimClient = { client, addr, copy: new Uint8Array(0), copies: [], wrong: 0 };
    const chunks: Uint8Array[][] = [];
    const expected: number[] = [];
    net.at(at, () => {
      const onData = ({ fl, off, data }: StreamBytes) => {
        if (off !== (expected[fl] ?? (fl === 0 ? config.start ?? 0 : off))) entry.wrong++;
        expected[fl] = off + data.length;
        (chunks[fl] ??= []).push(data);
      };
      net.add(addr, client, (e, node) => {
        record(e, node);
        if (e.type === 'complete' || e.type === 'failed') {
          entry.copies = chunks.map((c) => Buffer.concat(c ?? []));
          entry.copy = entry.copies[0] ?? new Uint8Array(0);
        }
      }, onData);
      net.command(addr, { type: 'start' });
    });
    cluster.clients.push(entry);
    return entry;
  }

  /** The master crashed and comes back empty, at the same address. */
  function restartMaster(config: Partial<MasterConfig> = o.master ?? {}): Master {
    net.remove(MASTER);
    cluster.master = new Master(deps(), config);
    net.add(MASTER, cluster.master, recordMaster);
    net.command(MASTER, { type: 'start' });
    return cluster.master;
  }

  /** A node at `addr` that sends what it is given: `send(to, bytes)`. */
  function injector(addr: string) {
    net.add(addr, new Injector());
    return { addr, send: (to: string, bytes: Uint8Array) => net.command<Transmit>(addr, { to, bytes }) };
  }

  return cluster;
}

export type SimCluster = ReturnType<typeof simCluster>;

export function mediaFile(name: string, size: number, rate = 4_000_000): MediaFile {
  return { name, size, rate };
}

export function expectedBytes(name: string, size: number, start = 0): Uint8Array {
  return synthetic(name, start, size - start);
}

/** Record a network's trace and hash it (every datagram's time, ends, size, type and fate). */
export function traceHasher(net: SimNetwork): () => string {
  const h = createHash('sha256');
  let n = 0;
  net.onTrace = (r: TraceRecord) => {
    n++;
    h.update(`${r.t}|${r.from}|${r.to}|${r.size}|${r.type}|${r.fate}\n`);
  };
  return () => `${n}:${h.digest('hex')}`;
}

/**
 * Run `fn` for each seed; a failure names its seed (`SEED=…`) so it can be
 * replayed alone with the SEED environment variable.
 */
export function forSeeds(seeds: readonly number[], fn: (seed: number) => void): void {
  const only = process.env.SEED;
  for (const seed of only ? [Number(only)] : seeds) {
    try {
      fn(seed);
    } catch (e) {
      if (e instanceof Error) e.message = `SEED=${seed}: ${e.message}`;
      throw e;
    }
  }
}

export const seedRange = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

/** Where two copies first differ, or undefined when they are identical. */
export function firstDifference(a: Uint8Array, b: Uint8Array): string | undefined {
  // Views of the same memory: Buffer.from(a Uint8Array) would copy it, byte by byte.
  const view = (x: Uint8Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
  if (view(a).equals(view(b))) return undefined;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return `first difference at byte ${i} (lengths ${a.length} and ${b.length})`;
  return `lengths differ: ${a.length} and ${b.length}`;
}
