import { ClusterAuth } from '../../src/protocol/auth.js';
import { Rng } from '../../src/protocol/rng.js';
import { Client, type ClientConfig } from '../../src/roles/client/client.js';
import { Master, type MasterConfig } from '../../src/roles/master/master.js';
import { MediaServer, type MediaFile } from '../../src/roles/server/server.js';
import type { RoleEvent } from '../../src/roles/role.js';
import { nameKey, syntheticBytes } from '../../src/media/synthetic.js';
import { type LinkProfile, nodeCrypto, PERFECT_LINK, SimNetwork } from '../../testbed/sim/network.js';

export const MASTER = '10.0.0.1:4000';

export function syntheticReader() {
  return { read: (file: string, off: number, len: number) => syntheticBytes(nameKey(file), off, len) };
}

export interface SimClusterOptions {
  seed: number;
  link?: LinkProfile;
  key?: string;
  master?: Partial<MasterConfig>;
  servers: { name?: string; files: MediaFile[]; cap?: number; group?: string }[];
}

export function simCluster(o: SimClusterOptions) {
  const net = new SimNetwork(o.seed, o.link ?? PERFECT_LINK);
  const seeds = new Rng(o.seed ^ 0x5eed);
  const deps = () => ({ rng: new Rng(seeds.u32()), crypto: nodeCrypto, ...(o.key ? { auth: new ClusterAuth(o.key, nodeCrypto) } : {}) });
  const log: { at: number; addr: string; e: RoleEvent }[] = [];
  const record = (e: RoleEvent, node: { addr: string }) => {
    if (e.type !== 'bytes') log.push({ at: net.now, addr: node.addr, e });
  };
  const master = new Master(deps(), o.master ?? {});
  net.add(MASTER, master, record);
  const servers = o.servers.map((s, i) => {
    const name = s.name ?? `10.0.1.${i + 1}:5000`;
    const server = new MediaServer(deps(), { name, master: MASTER, group: s.group ?? 'default', cap: s.cap ?? 1_000_000_000, files: s.files }, syntheticReader());
    net.add(name, server, record);
    net.command(name, { type: 'start' });
    return server;
  });
  const clients: { client: Client; addr: string; copy: Uint8Array; wrong: number }[] = [];
  function addClient(addr: string, config: ClientConfig, at = net.now) {
    const deps0 = deps();
    const client = new Client(deps0, config);
    const entry = { client, addr, copy: new Uint8Array(0), wrong: 0 };
    const chunks: Uint8Array[] = [];
    let expected = config.start ?? 0;
    net.at(at, () => {
      net.add(addr, client, (e, node) => {
        if (e.type === 'bytes') {
          const off = e.off as number;
          const data = e.data as Uint8Array;
          if (off !== expected) entry.wrong++;
          expected = off + data.length;
          chunks.push(data);
        } else {
          record(e, node);
        }
        if (e.type === 'complete' || e.type === 'failed') {
          const total = chunks.reduce((n, c) => n + c.length, 0);
          const copy = new Uint8Array(total);
          let p = 0;
          for (const c of chunks) {
            copy.set(c, p);
            p += c.length;
          }
          entry.copy = copy;
        }
      });
      net.command(addr, { type: 'start' });
    });
    clients.push(entry);
    return entry;
  }
  return { net, master, servers, clients, addClient, log };
}

export function mediaFile(name: string, size: number, rate = 4_000_000): MediaFile {
  return { name, size, rate };
}

export function expectedBytes(name: string, size: number, start = 0): Uint8Array {
  return syntheticBytes(nameKey(name), start, size - start);
}
