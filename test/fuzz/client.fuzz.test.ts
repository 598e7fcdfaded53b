/**
 * Fuzzing of the client core: playing a stream (or asking in list mode), it
 * takes random valid, echoed, mutated and random datagrams from its master,
 * its server, another server, strangers and IPv6 addresses. Beyond the
 * invariants of roleHarness.ts: the bytes it hands on come strictly in order,
 * without overlap, per flow, and never after it has finished; what it
 * buffers stays within the receive window.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DATA_CHUNK } from '../../src/protocol/constants.js';
import type { Message } from '../../src/protocol/messages.js';
import type { Client, ClientCommand, ClientEvent } from '../../src/roles/client/client.js';
import { Receiver } from '../../src/roles/client/receiver.js';
import type { StreamBytes } from '../../src/roles/role.js';
import { ClientFixture, FILE, M1, SRV1, SRV2 } from '../helpers/clientFixture.js';
import { testAuth } from '../helpers/roleDriver.js';
import { fuzz, FUZZ_TIMEOUT, fuzzTitle } from './params.js';
import { type Action, arbActions, fromDriver, Fuzzer, type Scene } from './roleHarness.js';

const POOL = [M1, SRV1, SRV2, '10.0.9.9:1', '[2001:db8::9]:5000'];
const VOCAB = { addrs: POOL, files: [FILE] };

/** The client's tables and their limits (§7.3), from its own view. */
export function clientTables(c: Client): Record<string, { size: number; limit: number }> {
  return c.tables();
}

/** Checks the bytes handed on: per flow, each run starts where the last ended; none after the end. */
class CopyCheck {
  private readonly next = new Map<number, number>();
  private finished: string | undefined;

  constructor(private readonly start: number) {}

  onEvent(e: ClientEvent): void {
    if (e.type === 'complete' || e.type === 'failed') this.finished = e.type;
  }

  onData({ fl, off, data }: StreamBytes): void {
    expect(this.finished, `bytes at ${off} of flow ${fl} after the client's ${this.finished}`).toBeUndefined();
    expect(data.length, `an empty run of bytes at ${off}`).toBeGreaterThan(0);
    const expected = this.next.get(fl) ?? (fl === 0 ? this.start : undefined);
    if (expected !== undefined) expect(off, `flow ${fl}: bytes at ${off}, the last run ended at ${expected}`).toBe(expected);
    this.next.set(fl, off + data.length);
  }
}

/** Addresses named in a message (its `srv`, or the servers of a list). */
function named(msg: Message): string[] {
  const out: string[] = [];
  const m = msg as { srv?: unknown; servers?: { srv?: unknown }[] };
  if (typeof m.srv === 'string') out.push(m.srv);
  for (const s of Array.isArray(m.servers) ? m.servers : []) if (typeof s.srv === 'string') out.push(s.srv);
  return out;
}

function clientScene(kind: 'playing' | 'list' | 'relay', start: number): Scene<ClientCommand, ClientEvent> {
  const f = new ClientFixture({ ...(kind === 'list' ? { mode: 'list' as const } : kind === 'relay' ? { mode: 'relay' as const } : {}), ...(start > 0 ? { start } : {}) });
  const check = new CopyCheck(start);
  f.start();
  if (kind === 'playing') {
    f.redirect(SRV1, 11);
    f.setup(SRV1, 100_000, { sid: 11 });
    f.data(SRV1, 11, start, 100_000);
  }
  for (const d of f.d.data) check.onData(d);
  for (const e of f.d.events) check.onEvent(e);
  const c = f.client;
  return {
    role: c,
    ...fromDriver(f.d),
    pool: POOL,
    auth: testAuth(),
    commands: [{ type: 'start' }, { type: 'start' }, { type: 'start' }, { type: 'stop' }],
    // Its masters are configured; it may send to any server a master (or a server it plays at) names.
    proven: [M1, ...(kind === 'playing' ? [SRV1] : [])],
    proves: (from, msg, books) => (books.proven.has(from) ? named(msg) : []),
    tables: () => clientTables(c),
    onEvent: (e) => check.onEvent(e),
    onData: (d) => check.onData(d),
  };
}

describe('fuzz: client core', () => {
  const name = 'client: no throw, no amplification, bytes in order, bounded buffers, under random inputs';
  it(fuzzTitle(name), () => {
    const scene = fc.record({ kind: fc.constantFrom<'playing' | 'list' | 'relay'>('playing', 'playing', 'list', 'relay'), start: fc.constantFrom(0, 0, 1_100, 5_000) });
    fuzz(name, fc.property(scene, arbActions(VOCAB, 60), ({ kind, start }, actions: Action[]) => {
      new Fuzzer(clientScene(kind, start)).run(actions);
    }), 40);
  }, FUZZ_TIMEOUT);

  const receiverName = 'client receiver: any chunks of the file, overlapping, repeated, off the grid, hand on exactly the file in order';
  it(fuzzTitle(receiverName), () => {
    const size = 3 * DATA_CHUNK + 17;
    const file = Uint8Array.from({ length: size }, (_, i) => (i * 7 + 3) & 0xff);
    const chunk = fc.record({ off: fc.integer({ min: 0, max: size + 50 }), len: fc.integer({ min: 0, max: DATA_CHUNK }) });
    fuzz(receiverName, fc.property(fc.integer({ min: 0, max: size }), fc.array(chunk, { maxLength: 80 }), (start, chunks) => {
      const got: number[] = [];
      let next = start;
      const r = new Receiver(size, start, (off, data) => {
        expect(off, 'each run starts where the last ended').toBe(next);
        next = off + data.length;
        got.push(...data);
      });
      for (const { off, len } of chunks) {
        // Real bytes of the file where it has them; beyond its end, whatever (the receiver refuses them).
        const data = off + len <= size ? file.subarray(off, off + len) : new Uint8Array(len);
        r.accept(off, data);
      }
      // Then the whole file on the grid: the copy completes, and is exactly the file from `start`.
      for (let off = 0; off < size; off += DATA_CHUNK) r.accept(off, file.subarray(off, Math.min(size, off + DATA_CHUNK)));
      expect(r.complete).toBe(true);
      expect(Buffer.from(got).equals(Buffer.from(file.subarray(start)))).toBe(true);
    }), 1000);
  }, FUZZ_TIMEOUT);
});
