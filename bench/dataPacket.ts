/**
 * The datagram the raw one-way baseline sends: a real `data` packet with a
 * full chunk, encoded like one from the middle of a stream (a 32-bit stream
 * id, a sequence number in the thousands, an offset of a few megabytes), so
 * the baseline moves datagrams of the size a media server sends and the
 * receiver decodes them like the streams' packets.
 */
import { encode } from '../src/protocol/codec.js';
import { DATA_CHUNK } from '../src/protocol/constants.js';

/** The stream id of the baseline's packets: no stream of a server under test has it. */
export const BASELINE_SID = 0xb1a5_7e00;

export function dataPacket(): Buffer {
  const payload = new Uint8Array(DATA_CHUNK).fill(0xab);
  return Buffer.from(encode({ type: 'data', sid: BASELINE_SID, seq: 4_000, off: 4_400_000, data: payload }));
}
