/**
 * Garbage sent to every role while a stream runs: random bytes, truncated,
 * oversize, wrong version, wrong types, unauthenticated and forged control
 * messages, spoofed stream messages. Each is counted and dropped; no role
 * exits and the stream completes, identical.
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAddress } from '../../src/protocol/address.js';
import { ClusterAuth } from '../../src/protocol/auth.js';
import { encode, packPlain } from '../../src/protocol/codec.js';
import type { Message } from '../../src/protocol/messages.js';
import { nodeCrypto } from '../../src/platform/crypto.js';
import type { OfpChild } from '../../src/runtime/children.js';
import { cleanupProcesses, isListening, ofp, runOfp, startMaster, startServer, tempDir } from '../helpers/processes.js';

cleanupProcesses();
const dir = tempDir();
const KEY = 'e2e-garbage-cluster-key';

function garbage(sid: number, server: string): Buffer[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < 12; i++) out.push(randomBytes(1 + Math.floor(Math.random() * 1199)));
  const request = encode({ type: 'request', rid: 7, file: 'movie.ts', pad: new Uint8Array(100) } as Message);
  out.push(request.subarray(0, Math.floor(request.length / 2)));
  out.push(randomBytes(1500));
  out.push(Buffer.concat([request, Buffer.from([0x01])]));
  out.push(packPlain([2, 1, { rid: 1, file: 'movie.ts' }]));
  out.push(packPlain([1, 99, {}]));
  out.push(packPlain([1, 1, { rid: 'one', file: 5 }]));
  // A reserved MessagePack byte (malformed), and a zero-length datagram (a port probe, dropped without a trace, §2.6).
  out.push(Uint8Array.from([0x93, 0x01, 0x01, 0xc1]));
  out.push(new Uint8Array(0));
  // Control messages without a MAC, and with a MAC under the wrong key.
  const control: Message[] = [
    { type: 'register', name: '127.0.0.1:9', epoch: 1, cap: 1, group: 'x', files: 0, parts: 1 },
    { type: 'poll', seq: 1 },
    { type: 'leave', name: server, epoch: 1, cookie: new Uint8Array(8) },
    { type: 'forward', rid: 1, file: 'movie.ts', client: '127.0.0.1:9', sid: 77, off: 0 },
    { type: 'status-request', rid: 1, what: 'summary', from: 0 },
  ] as Message[];
  const forger = new ClusterAuth('not-the-key', nodeCrypto);
  for (const m of control) out.push(encode(m), forger.encode(m, Date.now()));
  // Stream messages for the real stream, from an address that is not its peer.
  out.push(encode({ type: 'end', sid, code: 'shutting-down' } as Message));
  out.push(encode({ type: 'data', sid, seq: 1, off: 0, data: new Uint8Array(1100) } as Message));
  out.push(encode({ type: 'teardown', sid } as Message));
  out.push(encode({ type: 'ack', sid, next: 0, hi: 0, miss: [] } as Message));
  return out.map((b) => Buffer.from(b));
}

const drops = (c: OfpChild) => new Set(c.events.filter((e) => e.event === 'dropped').map((e) => e.data.code as string));

describe('garbage datagrams', () => {
  it('are dropped by every role while a stream runs; the stream completes identical', async () => {
    const media = join(dir, 'media');
    expect((await runOfp(['media', 'make', 'movie.ts', '--duration', '2.5', '--bitrate', '2M', '--out', media])).code).toBe(0);
    const master = await startMaster(['--key', KEY, '--log-level', 'debug', '--poll-interval', '300']);
    const servers = await Promise.all([1, 2].map((i) => startServer(master.address, media, ['--key', KEY, '--log-level', 'debug'], `server ${i}`)));
    const copy = join(dir, 'movie.copy.ts');
    const client = ofp('client', ['client', 'get', 'movie.ts', '--master', master.address, '--out', copy, '--json-stream', '--log-level', 'debug', '--timeout', '30']);
    const clientAddress = (await client.waitFor(isListening, 10_000, 'listening')).data.address as string;
    const setup = await client.waitFor((e) => e.event === 'setup', 10_000, 'setup');
    await client.waitFor((e) => e.event === 'playing', 10_000, 'playing');

    const socket = createSocket('udp4');
    await new Promise<void>((res) => socket.bind(0, '127.0.0.1', () => res()));
    const targets = [master.address, ...servers.map((s) => s.address), clientAddress];
    const datagrams = garbage(setup.data.sid as number, servers[0]!.address);
    for (let round = 0; round < 4; round++) {
      for (const to of targets) {
        const { host, port } = parseAddress(to)!;
        for (const d of datagrams) socket.send(d, port, host);
      }
      await new Promise((r) => setTimeout(r, 100));
    }

    const end = await client.exited;
    socket.close();
    expect(end.code, client.stderr).toBe(0);
    expect(client.events.find((e) => e.event === 'summary')?.data).toMatchObject({ ok: true, bytes: 625_000 });
    expect(readFileSync(copy).equals(readFileSync(join(media, 'movie.ts')))).toBe(true);
    for (const role of [master.child, ...servers.map((s) => s.child)]) expect(role.running, `${role.name}: ${role.stderr}`).toBe(true);

    // Each role counted what it dropped, by code.
    const m = drops(master.child);
    for (const code of ['oversize', 'truncated', 'trailing-bytes', 'unknown-version', 'unknown-type', 'bad-field', 'missing-mac', 'bad-mac', 'malformed']) {
      expect(m, `master drops ${code}`).toContain(code);
    }
    // A server takes control messages from its master's address only: from anywhere else they are unexpected.
    for (const s of servers) for (const code of ['oversize', 'truncated', 'unknown-version', 'unexpected-message']) expect(drops(s.child), `${s.child.name} drops ${code}`).toContain(code);
    expect(drops(client)).toContain('unexpected-message');
    expect(drops(client)).toContain('oversize');

    // The cluster is still whole: both servers up, with the key.
    const status = await runOfp(['master', 'status', '--master', master.address, '--key', KEY, '--json']);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).summary).toMatchObject({ servers: 2, up: 2 });
    // Without the key the master does not answer.
    const refused = await runOfp(['master', 'status', '--master', master.address, '--attempts', '1', '--wait', '300']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error no-answer: .*--key\n$/);
  });
});
