/**
 * What the cores take as inputs for hashing and randomness, from node:crypto:
 * the one Node.js crypto adapter. It sits below the runtime, the testbed and
 * the spec generator (all three hash with it) and above the pure core, which
 * may not import node modules; it imports the protocol, and the roles only for
 * the type of their dependencies.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { ClusterAuth, type Crypto } from '../protocol/auth.js';
import { Rng } from '../protocol/rng.js';
import type { RoleDeps } from '../roles/role.js';

export const nodeCrypto: Crypto = {
  hmacSha256: (key, data) => new Uint8Array(createHmac('sha256', key).update(data).digest()),
  sha256: (data) => new Uint8Array(createHash('sha256').update(data).digest()),
};

/** A full 128-bit generator state from the operating system's random source: every run differs. */
export function randomSeed(): number[] {
  const b = randomBytes(16);
  return [b.readUInt32BE(0), b.readUInt32BE(4), b.readUInt32BE(8), b.readUInt32BE(12)];
}

/** The dependencies of a role core on a real host; `key`: the cluster key, when there is one. */
export function roleDeps(key?: string, seed: number | number[] = randomSeed()): RoleDeps {
  return {
    rng: new Rng(seed),
    crypto: nodeCrypto,
    ...(key ? { auth: new ClusterAuth(key, nodeCrypto) } : {}),
  };
}
