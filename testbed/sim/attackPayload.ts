/**
 * What an attacker sends (with a spoofed source address): requests and status
 * requests of random sizes up to a full datagram (small ones test that an
 * answer never outgrows what came in, large ones that it is answered at all),
 * or random bytes. Seeded, so both modes can send the same datagrams.
 */
import { encode } from '../../src/protocol/codec.js';
import { MAX_DATAGRAM } from '../../src/protocol/constants.js';
import { padded } from '../../src/protocol/padding.js';
import type { Rng } from '../../src/protocol/rng.js';
import type { AttackerSpec } from '../scenario/types.js';

export function attackPayload(a: Pick<AttackerSpec, 'kind' | 'file'>, rng: Rng): Uint8Array {
  const target = 16 + rng.below(MAX_DATAGRAM - 15);
  switch (a.kind) {
    case 'request':
      return encode(padded({ type: 'request', rid: rng.id(), file: a.file ?? 'x' }, target));
    case 'status':
      return encode(padded({ type: 'status-request', rid: rng.id(), what: 'summary', from: 0 }, target));
    case 'garbage':
      return rng.bytes(1 + rng.below(MAX_DATAGRAM));
  }
}
