/**
 * The load generator of the redirect and relay sections, against a stand-in
 * master that answers every request with a relayed setup naming a stand-in
 * server: with `teardown`, each stream a setup leaves at the server is torn
 * down there, as a client that does not want it would.
 */
import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { decode, encode } from '../src/protocol/codec.js';
import { runLoad } from '../bench/loadgen.js';
import { waitUntil } from './helpers/wait.js';

const sockets: dgram.Socket[] = [];

async function bound(): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  sockets.push(s);
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', () => resolve()));
  return s;
}

const addressOf = (s: dgram.Socket) => `127.0.0.1:${s.address().port}`;

/** A master that answers each request with a setup from `server`, stream id = rid + 1. */
async function standIns() {
  const master = await bound();
  const server = await bound();
  const setups = new Set<number>();
  const teardowns: number[] = [];
  /** Datagrams that are no message: the test's own markers. */
  const markers = { seen: 0 };
  master.on('message', (msg, rinfo) => {
    const d = decode(msg);
    if (!d.ok || d.msg.type !== 'request') return;
    const sid = d.msg.rid + 1;
    setups.add(sid);
    const setup = encode({ type: 'setup', rid: d.msg.rid, sid, file: d.msg.file, srv: addressOf(server), size: 1000, rate: 8000, chunk: 1000, off: 0, cookie: new Uint8Array(8) });
    master.send(setup, rinfo.port, rinfo.address);
  });
  server.on('message', (msg) => {
    const d = decode(msg);
    if (!d.ok) markers.seen++;
    else if (d.msg.type === 'teardown') teardowns.push(d.msg.sid);
  });
  return { master, server, setups, teardowns, markers };
}

const load = (target: string, teardown: boolean) =>
  runLoad({ target, file: 'f.bin', inflight: 4, warmupMs: 50, durationMs: 200, timeoutMs: 1_000, accept: ['setup'], mode: 'relay', teardown });

describe('bench load generator: relayed setups', () => {
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });

  it('tears down, at the server a setup names, every stream it was set up', async () => {
    const s = await standIns();
    const r = await load(addressOf(s.master), true);
    expect(r.completed).toBeGreaterThan(0);
    expect(r.teardowns).toBeGreaterThanOrEqual(r.completed);
    await waitUntil(() => s.teardowns.length >= r.teardowns, 5_000, 'every teardown at the server');
    expect(s.teardowns).toHaveLength(r.teardowns);
    expect(new Set(s.teardowns).size).toBe(s.teardowns.length);
    for (const sid of s.teardowns) expect(s.setups.has(sid)).toBe(true);
  });

  it('without teardown, sends the server nothing', async () => {
    const s = await standIns();
    const r = await load(addressOf(s.master), false);
    expect(r.completed).toBeGreaterThan(0);
    expect(r.teardowns).toBe(0);
    // On loopback a datagram sent now arrives after any the generator sent before it ended.
    const marker = await bound();
    marker.send(Buffer.from('marker'), s.server.address().port, '127.0.0.1');
    await waitUntil(() => s.markers.seen > 0, 5_000, 'the marker at the server');
    expect(s.teardowns).toEqual([]);
  });
});
