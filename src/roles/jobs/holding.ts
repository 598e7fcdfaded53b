/**
 * What a node holds of one job's object (§14.3): the chunks it has, checked
 * against the hash list and its root, and the windows of chunks it asks its
 * source for. Content goes to the node's job files as each block is verified;
 * the hash list and the blocks not yet verified stay in memory (at most the
 * pull window's worth).
 *
 * Pure: the files are the node's I/O, given to it.
 */
import type { Crypto } from '../../protocol/auth.js';
import { equalBytes } from '../../protocol/auth.js';
import { JOB_BLOCK_CHUNKS, JOB_CHUNK, JOB_HASH_LENGTH, JOB_MAX_RANGES, JOB_MAX_WINDOW, JOB_MIN_WINDOW, JOB_WINDOW_TIME } from '../../protocol/constants.js';
import { ObjectLayout } from './object.js';

/**
 * Where a node keeps job content (§14.4): the one piece of I/O a job's core is given. `key` names
 * one object at the node; every call may throw (a disk error), which fails the command there.
 */
export interface JobFiles {
  /** Make an empty temporary file of `size` bytes for `key`. */
  create(key: string, size: number): void;
  /** Open again the temporary file of `key` that an earlier run left (a restarted base server, §14.10); false when there is none of `size` bytes. */
  reopen(key: string, size: number): boolean;
  write(key: string, off: number, bytes: Uint8Array): void;
  read(key: string, off: number, len: number): Uint8Array;
  /** The whole object is verified: put its temporary file into service as `name` (a rename). */
  commit(key: string, name: string): void;
  /** Drop the temporary file of `key`, if any. */
  discard(key: string): void;
  /** The size of the file in service as `name`; undefined when there is none (§14.8). */
  sizeOf(name: string): number | undefined;
  /** Bytes of the file in service as `name` (a `verify`, §14.8). */
  readNamed(name: string, off: number, len: number): Uint8Array;
  /** Take the file in service as `name` out of the directory (a `delete`, §14.8). */
  remove(name: string): void;
}

/** What came of a chunk. */
export type ChunkOutcome = 'new' | 'duplicate' | 'out-of-range' | 'wrong-size';

/** Bytes a chunk carries, by index. */
export class Holding {
  readonly layout: ObjectLayout;
  private readonly hashes: Uint8Array;
  private hashVerified = false;
  private hashHeld = 0;
  /** Per chunk: received (verified or waiting in a block buffer). */
  private readonly have: Uint8Array;
  /** Per block: verified and written. */
  private readonly verified: Uint8Array;
  private verifiedCount = 0;
  /** Blocks not yet verified, as their chunks arrive. */
  private readonly pending = new Map<number, { buf: Uint8Array; held: number }>();
  /** The first chunk not received. */
  private low = 0;
  /** Blocks and hash lists that did not match, since the start. */
  corrupt = 0;
  /** Content bytes verified. */
  got = 0;
  /** Chunks that came again once held (a source's resend crossing its arrival, a switch's chunks in flight). */
  duplicates = 0;

  constructor(
    readonly size: number,
    readonly root: Uint8Array,
    private readonly key: string,
    private readonly files: JobFiles,
    private readonly crypto: Crypto,
  ) {
    this.layout = new ObjectLayout(size);
    this.hashes = new Uint8Array(this.layout.hashBytes);
    this.have = new Uint8Array(this.layout.chunks);
    this.verified = new Uint8Array(this.layout.blocks);
    if (this.layout.hashChunks === 0) this.checkHashList();
  }

  /**
   * A holding made whole from content at hand (the provider's file, a base server's upload after a
   * restart): every chunk verified. Undefined when the content does not match `root`.
   */
  static whole(size: number, root: Uint8Array, list: Uint8Array, key: string, files: JobFiles, crypto: Crypto): Holding | undefined {
    const h = new Holding(size, root, key, files, crypto);
    if (list.length !== h.layout.hashBytes || !equalBytes(crypto.sha256(list), root)) return undefined;
    h.hashes.set(list);
    h.hashVerified = true;
    h.have.fill(1);
    h.verified.fill(1);
    h.verifiedCount = h.layout.blocks;
    h.low = h.layout.chunks;
    h.got = size;
    return h;
  }

  get complete(): boolean {
    return this.hashVerified && this.verifiedCount === this.layout.blocks;
  }

  /** May chunk `i` be passed on: it is verified here. */
  holds(i: number): boolean {
    if (i < this.layout.hashChunks) return this.hashVerified;
    return i < this.layout.chunks && this.verified[this.layout.blockOf(i)] === 1;
  }

  /** The bytes of chunk `i`, which this node holds verified. May throw (a read error). */
  chunk(i: number): Uint8Array {
    const s = this.layout.span(i);
    return s.inHashList ? this.hashes.subarray(s.off, s.off + s.len) : this.files.read(this.key, s.off, s.len);
  }

  /** A chunk arrived; returns what came of it. May throw (a write error). */
  receive(i: number, d: Uint8Array): ChunkOutcome {
    if (i >= this.layout.chunks) return 'out-of-range';
    const s = this.layout.span(i);
    if (d.length !== s.len) return 'wrong-size';
    if (this.have[i]) {
      this.duplicates++;
      return 'duplicate';
    }
    this.have[i] = 1;
    while (this.low < this.layout.chunks && this.have[this.low]) this.low++;
    if (s.inHashList) {
      this.hashes.set(d, s.off);
      if (++this.hashHeld === this.layout.hashChunks) this.checkHashList();
      return 'new';
    }
    const b = this.layout.blockOf(i);
    const [, blockLen] = this.layout.blockBytes(b);
    let p = this.pending.get(b);
    if (!p) this.pending.set(b, (p = { buf: new Uint8Array(blockLen), held: 0 }));
    p.buf.set(d, s.off - b * JOB_BLOCK_CHUNKS * JOB_CHUNK);
    p.held++;
    const [first, past] = this.layout.blockChunks(b);
    if (p.held === past - first && this.hashVerified) this.checkBlock(b);
    return 'new';
  }

  private checkHashList(): void {
    if (equalBytes(this.crypto.sha256(this.hashes), this.root)) {
      this.hashVerified = true;
      for (const b of [...this.pending.keys()]) {
        const [first, past] = this.layout.blockChunks(b);
        if (this.pending.get(b)!.held === past - first) this.checkBlock(b);
      }
      return;
    }
    // Some chunk of the list was wrong: ask for all of it again.
    this.corrupt++;
    this.hashHeld = 0;
    this.have.fill(0, 0, this.layout.hashChunks);
    this.low = 0;
  }

  private checkBlock(b: number): void {
    const p = this.pending.get(b)!;
    this.pending.delete(b);
    const want = this.hashes.subarray(b * JOB_HASH_LENGTH, (b + 1) * JOB_HASH_LENGTH);
    if (!equalBytes(this.crypto.sha256(p.buf), want)) {
      this.corrupt++;
      const [first, past] = this.layout.blockChunks(b);
      this.have.fill(0, first, past);
      this.low = Math.min(this.low, first);
      return;
    }
    this.files.write(this.key, this.layout.blockBytes(b)[0], p.buf);
    this.verified[b] = 1;
    this.verifiedCount++;
    this.got += p.buf.length;
  }

  /** The pull window, in chunks, for a source offering `rate` bits per second (JOB_WINDOW_TIME of it). */
  static window(rate: number): number {
    const chunks = Math.ceil((rate / 8) * (JOB_WINDOW_TIME / 1000) / JOB_CHUNK);
    return Math.max(JOB_MIN_WINDOW, Math.min(JOB_MAX_WINDOW, chunks));
  }

  /** The chunks to ask for: those missing in the window from the first missing, as at most JOB_MAX_RANGES ranges [from, to). */
  wants(window: number): [number, number][] {
    const out: [number, number][] = [];
    const end = Math.min(this.layout.chunks, this.low + window);
    let i = this.low;
    while (i < end && out.length < JOB_MAX_RANGES) {
      while (i < end && this.have[i]) i++;
      if (i >= end) break;
      const from = i;
      while (i < end && !this.have[i]) i++;
      out.push([from, i]);
    }
    return out;
  }

  /** The hash list, once verified (a node that holds the object whole serves it). */
  get list(): Uint8Array | undefined {
    return this.hashVerified ? this.hashes : undefined;
  }
}
