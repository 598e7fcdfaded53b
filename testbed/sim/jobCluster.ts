/**
 * A simulated cluster for distribution jobs (§14): a base server, masterless
 * media servers that keep their job files in memory, and providers that submit
 * files, on one seeded network. The tests and the benchmark use it.
 */
import { ClusterAuth } from '../../src/protocol/auth.js';
import type { MediaReader } from '../../src/roles/server/server.js';
import { Rng } from '../../src/protocol/rng.js';
import { nodeCrypto } from '../../src/platform/crypto.js';
import { BaseServer, type BaseEvent, type JobTimeouts, type JournalEntry } from '../../src/roles/base/base.js';
import type { JobFiles } from '../../src/roles/jobs/holding.js';
import { hashList } from '../../src/roles/jobs/object.js';
import { Provider, type ProviderEvent } from '../../src/roles/provider/provider.js';
import type { RoleDeps } from '../../src/roles/role.js';
import { MediaServer, type ServerEvent } from '../../src/roles/server/server.js';
import { type LinkProfile, PERFECT_LINK, SimNetwork } from './network.js';

/** The servers start with no media: nothing to read but what jobs bring. */
const noMedia: MediaReader = {
  read(file: string): Uint8Array {
    throw new Error(`${file} is not served here`);
  },
};

export const JOB_KEY = 'the cluster key of a distribution job';
export const BASE = '10.0.9.1:6000';

/** Job files in memory: temporary files by key, and the media directory by name. */
export class MemoryJobFiles implements JobFiles {
  readonly temp = new Map<string, Uint8Array>();
  readonly media = new Map<string, Uint8Array>();
  private readonly names = new Map<string, string>();
  /** Set: every write throws, as a full disk does. */
  failWrites = false;

  constructor(private readonly upload?: Uint8Array) {}

  create(key: string, size: number): void {
    if (this.failWrites) throw new Error('ENOSPC: no space left on device');
    this.temp.set(key, new Uint8Array(size));
  }

  reopen(key: string, size: number): boolean {
    return this.temp.get(key)?.length === size;
  }

  write(key: string, off: number, bytes: Uint8Array): void {
    if (this.failWrites) throw new Error('ENOSPC: no space left on device');
    const b = this.temp.get(key);
    if (!b) throw new Error(`no temporary file ${key}`);
    b.set(bytes, off);
  }

  read(key: string, off: number, len: number): Uint8Array {
    const b = key === 'upload' ? this.upload : this.temp.get(key) ?? this.media.get(this.names.get(key) ?? '');
    if (!b) throw new Error(`nothing to read under ${key}`);
    return b.subarray(off, off + len);
  }

  commit(key: string, name: string): void {
    const b = this.temp.get(key);
    if (!b) throw new Error(`no temporary file ${key}`);
    this.media.set(name, b);
    this.names.set(key, name);
    this.temp.delete(key);
  }

  discard(key: string): void {
    this.temp.delete(key);
  }

  sizeOf(name: string): number | undefined {
    return this.media.get(name)?.length;
  }

  readNamed(name: string, off: number, len: number): Uint8Array {
    const b = this.media.get(name);
    if (!b) throw new Error(`no file ${name}`);
    if (off + len > b.length) throw new Error(`${name} ends before byte ${off + len}`);
    return b.subarray(off, off + len);
  }

  remove(name: string): void {
    if (this.failWrites) throw new Error('EROFS: read-only file system');
    if (!this.media.delete(name)) throw new Error(`ENOENT: no file ${name}`);
  }
}

/** `size` bytes that differ from seed to seed. */
export function contentOf(size: number, seed: number): Uint8Array {
  return new Rng(seed ^ 0xc0ffee).bytes(size);
}

export interface JobClusterOptions {
  readonly seed: number;
  readonly servers: number;
  readonly link?: LinkProfile;
  /** Per-transfer rate, bits per second (servers and base). */
  readonly rate?: number;
  readonly fanout?: number;
  /** Every target fed by the base server alone (`fanout` at a time): the baseline of a cascade. */
  readonly star?: boolean;
  /** The base server's waits and attempts (§14.5), where not the defaults. */
  readonly timeouts?: Partial<JobTimeouts>;
  /** The servers' stall timeout, ms (JOB_STALL by default). */
  readonly jobStall?: number;
  /** The servers' cap on their total job upload, bits per second (the rate times the fanout by default). */
  readonly jobUpload?: number;
}

export function jobCluster(o: JobClusterOptions) {
  const net = new SimNetwork(o.seed, o.link ?? PERFECT_LINK);
  const seeds = new Rng(o.seed ^ 0x10b5);
  const deps = (key: string | null = JOB_KEY): RoleDeps => ({ rng: new Rng(seeds.u32()), crypto: nodeCrypto, ...(key ? { auth: new ClusterAuth(key, nodeCrypto) } : {}) });
  const log: { at: number; addr: string; e: BaseEvent | ServerEvent | ProviderEvent }[] = [];
  const record = (e: BaseEvent | ServerEvent | ProviderEvent, node: { addr: string }) => log.push({ at: net.now, addr: node.addr, e });
  const baseFiles = new MemoryJobFiles();
  /** The base server's journal (§14.10), in memory: each job's record as the text a file would hold. */
  const journal = new Map<number, string>();
  const keep = (r: unknown) => {
    const e = r as JournalEntry;
    if (e.kind === 'forget') journal.delete(e.job);
    else journal.set(e.job, JSON.stringify(e.record));
  };
  const baseConfig = { name: BASE, ...(o.rate ? { rate: o.rate } : {}), ...(o.fanout ? { fanout: o.fanout } : {}), ...(o.star ? { star: true } : {}), ...(o.timeouts ? { timeouts: o.timeouts } : {}) };
  let base = new BaseServer(deps(), baseConfig, baseFiles);
  net.add(BASE, base, record, undefined, keep);
  /**
   * The base server dies now (its state in memory is lost; its store, files and journal, stays),
   * and a new one starts on the same store `after` ms later, taking its jobs back from the journal.
   * `extra`: more records for it to read, as files it finds beside the journal's.
   */
  function restartBase(after: number, extra: readonly { from: string; text: string }[] = []): void {
    net.remove(BASE);
    net.at(net.now + after, () => {
      base = new BaseServer(deps(), baseConfig, baseFiles);
      const records = [...[...journal].map(([id, text]) => ({ from: `jobs/${id}.json`, text })), ...extra];
      for (const r of records) base.handle({ kind: 'command', command: { type: 'restore', from: r.from, text: r.text } }, net.now);
      net.add(BASE, base, record, undefined, keep);
    });
  }
  const servers: { addr: string; core: MediaServer; files: MemoryJobFiles }[] = [];
  const jobs = { ...(o.rate ? { rate: o.rate } : {}), ...(o.fanout ? { fanout: o.fanout } : {}), ...(o.jobStall ? { stall: o.jobStall } : {}), ...(o.jobUpload ? { upload: o.jobUpload } : {}), mediaRate: 1_000_000 };
  /** A server at `addr`; `upload`: its own cap on its job upload (the cluster's by default). */
  function addServer(addr: string, key: string | null = JOB_KEY, upload?: number): { addr: string; core: MediaServer; files: MemoryJobFiles } {
    const files = new MemoryJobFiles();
    const core = new MediaServer(deps(key), { name: addr, masters: [], group: 'default', cap: 1_000_000_000, files: [], jobs: { ...jobs, ...(upload !== undefined ? { upload } : {}) } }, noMedia, files);
    net.add(addr, core, record);
    net.command(addr, { type: 'start' });
    const s = { addr, core, files };
    servers.push(s);
    return s;
  }
  for (let i = 0; i < o.servers; i++) addServer(`10.0.${1 + Math.floor(i / 250)}.${(i % 250) + 1}:5000`);

  /** A provider at `addr` submits `content` as `file` to `targets` (every server by default). */
  function submit(content: Uint8Array, opts: { file?: string; targets?: readonly string[]; addr?: string; follow?: boolean; rate?: number; mrate?: number } = {}): { provider: Provider; addr: string } {
    const { list, root } = hashList((off, len) => content.subarray(off, off + len), content.length, nodeCrypto);
    const addr = opts.addr ?? '10.0.8.1:7000';
    const provider = new Provider(deps(), {
      base: BASE,
      submit: { file: opts.file ?? 'title.ts', size: content.length, list, root, targets: opts.targets ?? servers.map((s) => s.addr), ...(opts.rate ? { rate: opts.rate } : {}), ...(opts.mrate ? { mrate: opts.mrate } : {}) },
      follow: opts.follow ?? true,
    }, new MemoryJobFiles(content));
    net.add(addr, provider, record);
    net.command(addr, { type: 'start' });
    return { provider, addr };
  }

  /** A provider at `addr` adds a command to job `job` (§14.8): a copy of `content` as `file`, a delete or a verify of `file`. */
  function add(job: number, op: 'copy' | 'delete' | 'verify', file: string, opts: { content?: Uint8Array; addr?: string; follow?: boolean } = {}): { provider: Provider; addr: string } {
    const content = opts.content;
    const copy = op === 'copy' && content ? { size: content.length, ...hashList((off, len) => content.subarray(off, off + len), content.length, nodeCrypto) } : {};
    const addr = opts.addr ?? '10.0.8.2:7000';
    const provider = new Provider(deps(), { base: BASE, add: { job, op, file, ...copy }, follow: opts.follow ?? true }, new MemoryJobFiles(content));
    net.add(addr, provider, record);
    net.command(addr, { type: 'start' });
    return { provider, addr };
  }

  return {
    net, baseFiles, servers, addServer, submit, add, log, journal, restartBase,
    /** The base server running now (a new one after `restartBase`). */
    get base() {
      return base;
    },
    /** Events of one type, in order. */
    events: <T extends string>(type: T) => log.filter((l) => l.e.type === type),
    logText: () => log.filter((l) => !('level' in l.e) || l.e.level !== 'debug').map((l) => `${l.at - log[0]!.at} ${l.addr} ${JSON.stringify(l.e, (_k, v) => (v instanceof Uint8Array ? `<${v.length} bytes>` : v))}`).join('\n'),
  };
}
