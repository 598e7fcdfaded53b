/**
 * Padding of requests (§9.4): a client makes each `request`, and an operator
 * each `status-request`, `control` and `subscribe` (§11.1), and a provider each `job-submit`,
 * `job-add`, `job-status-request` and `job-list-request` (§14.1, §14.6, §14.8), exactly REQUEST_PAD_TO bytes, so that the answer, which is
 * never larger than what the client sent, has room; a master each `member` `ping` and `ping-req`
 * MEMBER_PAD_TO bytes (§12.1), for the same reason.
 */
import { encode } from './codec.js';
import { REQUEST_PAD_TO } from './constants.js';
import type { MessageOf } from './messages.js';

type Paddable = MessageOf<'request'> | MessageOf<'status-request'> | MessageOf<'control'> | MessageOf<'subscribe'> | MessageOf<'member'> | MessageOf<'job-submit'> | MessageOf<'job-status-request'> | MessageOf<'job-list-request'> | MessageOf<'job-add'>;

/** The message with a `pad` that brings its encoding to `target` bytes (or as close below as the format allows). */
export function padded<M extends Paddable>(msg: M, target = REQUEST_PAD_TO, encoder: (m: M) => Uint8Array = encode): M {
  const bare = { ...msg, pad: undefined };
  const size = encoder(bare).length;
  // The field adds its key (fixstr "pad": 4 bytes), a bin header (2 or 3 bytes) and the bytes.
  const room = target - size - 4;
  if (room < 2) return bare;
  let len = room - 2 < 256 ? room - 2 : room - 3;
  let out = { ...msg, pad: new Uint8Array(Math.max(0, len)) };
  // The map header may grow by a byte or two when a field is added; trim until it fits.
  while (encoder(out).length > target && len > 0) {
    len--;
    out = { ...msg, pad: new Uint8Array(len) };
  }
  return out;
}
