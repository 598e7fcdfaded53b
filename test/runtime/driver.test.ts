/**
 * The driver on its own: the order of what it reports, a core that throws,
 * timers, and waiting for sends to be flushed.
 */
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import type { Input, Role, RoleEvent, Transmit } from '../../src/roles/role.js';
import { LATE_TIMER, type RunningRole, SOCKET_BUFFER, startRole } from '../../src/runtime/driver.js';
import { waitUntil } from '../helpers/wait.js';

/** Echoes datagrams, throws on a datagram that says "boom", wakes once at a deadline it is told. */
class EchoRole implements Role<{ type: 'wake'; at: number }, RoleEvent> {
  out: Transmit[] = [];
  events: RoleEvent[] = [];
  deadline: number | undefined;
  timers = 0;
  handle(input: Input<{ type: 'wake'; at: number }>, now: number): void {
    if (input.kind === 'datagram') {
      if (Buffer.from(input.bytes).toString() === 'boom') throw new Error('boom');
      this.out.push({ to: input.from, bytes: input.bytes });
      this.events.push({ type: 'got', from: input.from, n: input.bytes.length });
    } else if (input.kind === 'command') {
      this.deadline = input.command.at;
    } else if (this.deadline !== undefined && now >= this.deadline) {
      this.timers++;
      this.deadline = undefined;
      this.events.push({ type: 'woke', at: now });
    }
  }
  pollTransmit() {
    return this.out.shift();
  }
  pollEvent() {
    return this.events.shift();
  }
  pollTimeout() {
    return this.deadline;
  }
}

/** A UDP socket bound to a free port on 127.0.0.1, to talk to a role from. */
async function loopbackPeer(): Promise<Socket> {
  const peer = createSocket('udp4');
  await new Promise<void>((res) => peer.bind(0, '127.0.0.1', () => res()));
  return peer;
}

let running: RunningRole<EchoRole>[] = [];
afterEach(async () => {
  await Promise.all(running.map((r) => r.close()));
  running = [];
});

describe('driver', () => {
  it('reports listening first, with buffer sizes, then runs the core on datagrams and timers', async () => {
    const events: RoleEvent[] = [];
    const r = await startRole({ role: new EchoRole(), host: '127.0.0.1', port: 0, onEvent: (e) => events.push(e) });
    running.push(r);
    expect(events[0]).toMatchObject({ type: 'listening', address: r.address, family: 4 });
    expect(r.address).toMatch(/^127\.0\.0\.1:\d+$/);
    // Where the OS allows it (Linux doubles what it grants), the buffers are at least 4 MiB; otherwise the event says so.
    if (r.stats.recvBuffer < SOCKET_BUFFER) expect(events[0]!.detail).toMatch(/rmem_max/);
    expect(r.stats.sendBuffer).toBeGreaterThan(0);

    const peer = await loopbackPeer();
    const echoes: string[] = [];
    peer.on('message', (m) => echoes.push(m.toString()));
    const [host, port] = [r.host, r.port];
    peer.send('boom', port, host);
    peer.send('hello', port, host);
    await waitUntil(() => echoes.length === 1, 2_000, 'the echo');
    expect(echoes).toEqual(['hello']);
    // The core threw on "boom": counted and reported, and the role goes on.
    expect(r.stats.internalErrors).toBe(1);
    expect(events.some((e) => e.type === 'internal-error' && String(e.detail).includes('boom'))).toBe(true);
    expect(events.find((e) => e.type === 'got')).toMatchObject({ from: `127.0.0.1:${peer.address().port}` });

    const at = performance.timeOrigin + performance.now() + 30;
    r.command({ type: 'wake', at });
    await waitUntil(() => r.role.timers === 1, 2_000, 'the timer');
    expect(events.some((e) => e.type === 'woke')).toBe(true);
    expect(await r.flushed(1_000)).toBe(true);
    expect(r.stats).toMatchObject({ datagramsIn: 2, datagramsOut: 1, sendErrors: 0 });
    peer.close();
  });

  it('a timer that fires late, the loop held up, runs after the datagrams that came meanwhile are read', async () => {
    const events: RoleEvent[] = [];
    const r = await startRole({ role: new EchoRole(), host: '127.0.0.1', port: 0, onEvent: (e) => events.push(e) });
    running.push(r);
    const peer = await loopbackPeer();
    peer.on('message', () => {});
    const at = performance.timeOrigin + performance.now() + 20;
    r.command({ type: 'wake', at });
    peer.send('hello', r.port, r.host);
    // The send leaves on the next tick (after the address lookup); then the loop is held up past
    // the deadline, by more than LATE_TIMER, as a process is on a busy machine.
    await new Promise((res) => process.nextTick(res));
    const until = performance.now() + 20 + LATE_TIMER + 40;
    while (performance.now() < until) {
      // held up
    }
    await waitUntil(() => events.some((e) => e.type === 'woke') && events.some((e) => e.type === 'got'), 2_000, 'the timer and the datagram');
    // The datagram was in the socket when the timer fired: it is read first, so a silence timer
    // does not find silent a peer whose packets are waiting unread.
    expect(events.filter((e) => e.type === 'woke' || e.type === 'got').map((e) => e.type)).toEqual(['got', 'woke']);
    peer.close();
  });

  it('says why it cannot bind', async () => {
    const first = await startRole({ role: new EchoRole(), host: '127.0.0.1', port: 0, onEvent: () => {} });
    running.push(first);
    await expect(startRole({ role: new EchoRole(), host: '127.0.0.1', port: first.port, onEvent: () => {} })).rejects.toThrow(/EADDRINUSE.*--port/);
    await expect(startRole({ role: new EchoRole(), host: '192.0.2.1', port: 0, onEvent: () => {} })).rejects.toThrow(/EADDRNOTAVAIL/);
  });

  it('reaches IPv4 peers from a dual-stack socket, naming them without ::ffff:', async () => {
    const events: RoleEvent[] = [];
    const r = await startRole({ role: new EchoRole(), host: '::', port: 0, onEvent: (e) => events.push(e) });
    running.push(r);
    const peer = await loopbackPeer();
    const echoes: string[] = [];
    peer.on('message', (m) => echoes.push(m.toString()));
    peer.send('hi', r.port, '127.0.0.1');
    await waitUntil(() => echoes.length === 1, 2_000, 'the echo');
    expect(events.find((e) => e.type === 'got')?.from).toBe(`127.0.0.1:${peer.address().port}`);
    peer.close();
  });
});
