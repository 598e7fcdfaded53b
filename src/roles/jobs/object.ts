/**
 * A job's object (§14.3): what a `copy` command moves, laid out as chunks.
 *
 * The object is the file's hash list followed by the file: the hash list holds
 * the SHA-256 of each block of JOB_BLOCK_CHUNKS chunks of content, and its own
 * SHA-256, the root, names the object in the job's orders. A receiver checks
 * the hash list against the root once it holds it whole, then each block of
 * content against the list as the block completes: what it passes on is
 * always verified, and a whole object is the file its provider hashed.
 *
 * Chunk `i` below `hashChunks` is bytes [i·C, (i+1)·C) of the hash list;
 * chunk `hashChunks + j` is bytes [j·C, (j+1)·C) of the content.
 */
import type { Crypto } from '../../protocol/auth.js';
import { JOB_BLOCK_CHUNKS, JOB_CHUNK, JOB_HASH_LENGTH } from '../../protocol/constants.js';

export class ObjectLayout {
  /** Blocks of content. */
  readonly blocks: number;
  /** Bytes of the hash list. */
  readonly hashBytes: number;
  /** Chunks of the hash list: the first chunks of the object. */
  readonly hashChunks: number;
  /** Chunks of content. */
  readonly contentChunks: number;
  /** Chunks of the object. */
  readonly chunks: number;

  constructor(readonly size: number) {
    this.contentChunks = Math.ceil(size / JOB_CHUNK);
    this.blocks = Math.ceil(this.contentChunks / JOB_BLOCK_CHUNKS);
    this.hashBytes = this.blocks * JOB_HASH_LENGTH;
    this.hashChunks = Math.ceil(this.hashBytes / JOB_CHUNK);
    this.chunks = this.hashChunks + this.contentChunks;
  }

  /** The bytes chunk `i` covers: in the hash list or in the content, from `off`, `len` bytes. */
  span(i: number): { readonly inHashList: boolean; readonly off: number; readonly len: number } {
    if (i < this.hashChunks) {
      const off = i * JOB_CHUNK;
      return { inHashList: true, off, len: Math.min(JOB_CHUNK, this.hashBytes - off) };
    }
    const off = (i - this.hashChunks) * JOB_CHUNK;
    return { inHashList: false, off, len: Math.min(JOB_CHUNK, this.size - off) };
  }

  /** The block a content chunk belongs to. */
  blockOf(i: number): number {
    return Math.floor((i - this.hashChunks) / JOB_BLOCK_CHUNKS);
  }

  /** The object's chunks of block `b`: [first, past). */
  blockChunks(b: number): readonly [number, number] {
    const first = this.hashChunks + b * JOB_BLOCK_CHUNKS;
    return [first, Math.min(first + JOB_BLOCK_CHUNKS, this.chunks)];
  }

  /** The content bytes of block `b`: [offset, length). */
  blockBytes(b: number): readonly [number, number] {
    const off = b * JOB_BLOCK_CHUNKS * JOB_CHUNK;
    return [off, Math.min(JOB_BLOCK_CHUNKS * JOB_CHUNK, this.size - off)];
  }
}

/** The hash list of a file and its root (§14.3): what a provider computes before it submits a job. */
export function hashList(content: (off: number, len: number) => Uint8Array, size: number, crypto: Crypto): { readonly list: Uint8Array; readonly root: Uint8Array } {
  const layout = new ObjectLayout(size);
  const list = new Uint8Array(layout.hashBytes);
  for (let b = 0; b < layout.blocks; b++) {
    const [off, len] = layout.blockBytes(b);
    list.set(crypto.sha256(content(off, len)), b * JOB_HASH_LENGTH);
  }
  return { list, root: crypto.sha256(list) };
}
