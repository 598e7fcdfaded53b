/**
 * The impairment relay on its own, with plain UDP sockets standing for roles.
 */
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { encode } from '../../src/protocol/codec.js';
import { PERFECT } from '../../testbed/scenario/linkPresets.js';
import { LinkTable } from '../../testbed/real/links.js';
import { Relay, UNKNOWN_HOLD } from '../../testbed/real/relay.js';
import type { TraceEntry } from '../../testbed/scenario/types.js';
import { waitUntil } from '../helpers/wait.js';

interface Peer {
  readonly socket: Socket;
  readonly address: string;
  readonly got: { from: string; bytes: Buffer }[];
  send(to: string, bytes: Uint8Array): void;
}

const open: (Socket | Relay)[] = [];
afterEach(async () => {
  for (const x of open.splice(0)) {
    if (x instanceof Relay) await x.close();
    else x.close();
  }
});

async function peer(): Promise<Peer> {
  const socket = createSocket('udp4');
  open.push(socket);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const got: Peer['got'] = [];
  socket.on('message', (bytes, r) => got.push({ from: `${r.address}:${r.port}`, bytes }));
  return {
    socket,
    address: `127.0.0.1:${socket.address().port}`,
    got,
    send: (to, bytes) => {
      const [host, port] = to.split(':');
      socket.send(bytes, Number(port), host);
    },
  };
}

async function relay(nodes: string[], links = new LinkTable({ link: PERFECT, impairments: [] })) {
  const trace: TraceEntry[] = [];
  const t0 = Date.now();
  const r = await Relay.open(nodes, { seed: 1, links, clock: () => Date.now() - t0, onTrace: (e) => trace.push(e) });
  open.push(r);
  return { r, trace, links };
}

const request = encode({ type: 'request', rid: 7, file: 'a.ts' });

describe('the impairment relay', () => {
  it('forwards a datagram from a role to another from the sender\'s public address, and traces it by node name', async () => {
    const { r, trace } = await relay(['a', 'b']);
    const [a, b] = [await peer(), await peer()];
    r.setReal('a', a.address);
    r.setReal('b', b.address);
    expect(r.publicAddress('a')).not.toBe(a.address);
    a.send(r.publicAddress('b'), request);
    await waitUntil(() => b.got.length === 1, 2_000, 'the datagram');
    expect(b.got[0]!.from).toBe(r.publicAddress('a'));
    expect(Buffer.compare(b.got[0]!.bytes, request)).toBe(0);
    expect(trace).toEqual([expect.objectContaining({ from: 'a', to: 'b', type: 'request', size: request.length, fault: 'delivered' })]);
    // And back: b answers a's public address.
    b.send(b.got[0]!.from, encode({ type: 'error', rid: 7, code: 'not-found', msg: 'no' }));
    await waitUntil(() => a.got.length === 1, 2_000, 'the answer');
    expect(a.got[0]!.from).toBe(r.publicAddress('b'));
    expect(r.stats).toMatchObject({ received: 2, forwarded: 2, unknownSources: 0, leaks: 0 });
  });

  it('holds a datagram from an address not known yet, routes it once the address is a role\'s, drops it after UNKNOWN_HOLD', async () => {
    const { r, trace } = await relay(['a', 'b']);
    const [a, b, stranger] = [await peer(), await peer(), await peer()];
    r.setReal('b', b.address);
    a.send(r.publicAddress('b'), request);
    stranger.send(r.publicAddress('b'), request);
    await waitUntil(() => r.stats.received === 2, 2_000, 'both datagrams at the relay');
    expect(b.got).toHaveLength(0);
    // `a` turns out to be the role: its datagram goes on, from its public address.
    r.setReal('a', a.address);
    await waitUntil(() => b.got.length === 1, 2_000, 'the held datagram');
    expect(b.got[0]!.from).toBe(r.publicAddress('a'));
    await waitUntil(() => r.stats.unknownSources === 1, UNKNOWN_HOLD + 1_000, 'the stranger\'s datagram dropped');
    expect(b.got).toHaveLength(1);
    expect(trace.find((e) => e.fault === 'unknown-source')).toMatchObject({ from: `?${stranger.address}`, to: 'b', type: 'request' });
  });

  it('counts a zero-length port probe (§6.1) from a socket of its own as a probe, never as an unknown source, and does not forward it', async () => {
    const { r, trace } = await relay(['a', 'b']);
    const [b, prober] = [await peer(), await peer()];
    r.setReal('b', b.address);
    prober.send(r.publicAddress('b'), new Uint8Array(0));
    prober.send(r.publicAddress('b'), request);
    await waitUntil(() => r.stats.received === 2, 2_000, 'both datagrams at the relay');
    await waitUntil(() => r.stats.unknownSources === 1, UNKNOWN_HOLD + 1_000, 'the stranger\'s request dropped');
    expect(r.stats.probes).toBe(1);
    expect(b.got).toHaveLength(0);
    expect(trace.filter((e) => e.fault === 'unknown-source')).toHaveLength(1);
  });

  it('applies the link (a blackhole blocks), drops datagrams for a node that is not running, counts addresses that bypass it', async () => {
    const { r, trace, links } = await relay(['a', 'b']);
    const [a, b] = [await peer(), await peer()];
    r.setReal('a', a.address);
    r.setReal('b', b.address);
    links.apply({ kind: 'blackhole', node: 'b', on: true });
    a.send(r.publicAddress('b'), request);
    await waitUntil(() => trace.length === 1, 2_000, 'the trace entry');
    expect(trace[0]).toMatchObject({ from: 'a', to: 'b', fault: 'blocked' });
    links.apply({ kind: 'blackhole', node: 'b', on: false });
    // A redirect naming a real address instead of a public one would send the client around the relay.
    a.send(r.publicAddress('b'), encode({ type: 'redirect', rid: 7, file: 'a.ts', srv: b.address, sid: 1 }));
    await waitUntil(() => b.got.length === 1, 2_000, 'the redirect');
    expect(r.stats.leaks).toBe(1);
    expect(r.stats.leakExamples[0]).toMatchObject({ from: 'a', to: 'b', type: 'redirect', field: 'srv', value: b.address });
    r.setReal('b', undefined);
    a.send(r.publicAddress('b'), request);
    await waitUntil(() => r.stats.noSuchNode === 1, 2_000, 'the datagram for nobody');
    expect(trace[trace.length - 1]).toMatchObject({ to: 'b', fault: 'no-such-node' });
  });
});
