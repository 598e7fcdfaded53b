/**
 * The port probe (§6.1): a peer with nothing listening is reported refused;
 * one that listens never is; probing again, even before the first probe's
 * socket has connected, neither throws nor loses the answer.
 */
import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { PortProbe } from '../../src/runtime/portProbe.js';
import { waitUntil } from '../helpers/wait.js';
import { closedPort } from '../../src/runtime/freePorts.js';

const open: { close(): void }[] = [];
afterEach(() => {
  for (const x of open.splice(0)) x.close();
});

async function bound() {
  const s = createSocket('udp4');
  open.push(s);
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  return s;
}

describe('PortProbe', () => {
  it('reports a closed port as refused, even when probed again before its socket connected', async () => {
    const refused: string[] = [];
    const probe = new PortProbe((peer) => refused.push(peer));
    open.push(probe);
    const peer = `127.0.0.1:${await closedPort()}`;
    probe.probe(peer);
    // Same turn: the socket is still connecting (it used to throw ERR_SOCKET_BAD_PORT here).
    expect(() => probe.probe(peer)).not.toThrow();
    await waitUntil(() => refused.length > 0, 5_000, 'the refusal');
    expect(refused[0]).toBe(peer);
    // Connected now: probing again asks again.
    refused.length = 0;
    probe.probe(peer);
    await waitUntil(() => refused.length > 0, 5_000, 'the second refusal');
  });

  it('never reports a port that something listens on; after close, reports nothing', async () => {
    const refused: string[] = [];
    const probe = new PortProbe((peer) => refused.push(peer));
    const listener = await bound();
    let got = 0;
    listener.on('message', () => got++);
    const peer = `127.0.0.1:${listener.address().port}`;
    probe.probe(peer);
    probe.probe(peer);
    await waitUntil(() => got > 0, 5_000, 'the probe datagram');
    probe.close();
    probe.probe(`127.0.0.1:${await closedPort()}`);
    await new Promise((r) => setTimeout(r, 100));
    expect(refused).toEqual([]);
  });
});
