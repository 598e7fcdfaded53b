/**
 * Padded `request` datagrams made fast: the load generator sends tens of
 * thousands a second, so it encodes one padded request once and writes each
 * new `rid` into a copy of its bytes. Ids from 2^28 up are all encoded as
 * uint 32, so every copy has the same size and layout.
 */
import { encode } from '../src/protocol/codec.js';
import type { MessageOf } from '../src/protocol/messages.js';
import { padded } from '../src/protocol/padding.js';

export const FIRST_RID = 0x1000_0000;
const LAST_RID = 0xffff_ffff;

export class RequestTemplate {
  readonly bytes: Buffer;
  private readonly ridAt: number;

  constructor(request: Omit<MessageOf<'request'>, 'rid' | 'pad'>) {
    this.bytes = Buffer.from(encode(padded({ ...request, rid: FIRST_RID })));
    // The rid field: key "rid" (fixstr 3) then a uint 32 (0xce) holding FIRST_RID.
    const marker = Buffer.from([0xa3, 0x72, 0x69, 0x64, 0xce, 0x10, 0x00, 0x00, 0x00]);
    const at = this.bytes.indexOf(marker);
    if (at < 0) throw new Error('cannot find the rid in the encoded request');
    this.ridAt = at + 5;
  }

  /** The datagram of the request with this `rid` (FIRST_RID ≤ rid ≤ 2^32 − 1). */
  with(rid: number): Buffer {
    if (rid < FIRST_RID || rid > LAST_RID) throw new RangeError(`rid ${rid} is outside ${FIRST_RID}..${LAST_RID}`);
    const out = Buffer.allocUnsafe(this.bytes.length);
    this.bytes.copy(out);
    out.writeUInt32BE(rid, this.ridAt);
    return out;
  }
}
