/**
 * The master's round trips to its clients (S3.5, §12.5), where a client allows
 * it: its request says `echo`, and it answers the master's answer with `echo`
 * as it arrives. The time from the answer to the echo is a sample, smoothed per
 * source (a client's /24 or /64, §4.4: its neighbours are about as far) as a
 * server's round trip is. An answer sent twice (the client asked again) gives
 * no sample, as Karn's rule has it: the echo may be of either.
 *
 * Pure: no I/O, no clock; bounded by MAX_ECHOES answers awaiting an echo and
 * MAX_CLIENT_RTTS sources, the oldest forgotten first.
 */
import { ECHO_WAIT, MAX_CLIENT_RTTS, MAX_ECHOES, SERVER_RTT_WEIGHT } from '../../protocol/constants.js';
import { FifoMap } from '../fifoMap.js';
import type { TableSize } from '../role.js';
import { sourceOf } from './assignments.js';

/** An answer the client will echo that has not gone yet. */
const UNSENT = -1;

export class ClientRtts {
  /** Request key (client|rid) → when the answer went (UNSENT until it goes). */
  private readonly awaiting = new FifoMap<string, number>(MAX_ECHOES);
  /** Source → its smoothed round trip, ms (the first measured forgotten first). */
  private readonly bySource = new FifoMap<string, number>(MAX_CLIENT_RTTS);
  readonly stats = { samples: 0, late: 0 };

  /** The request `key` said `echo`: its answer will be timed. */
  want(key: string): void {
    if (!this.awaiting.has(key)) this.awaiting.set(key, UNSENT);
  }

  /** The answer to `key` goes now (once: a second answer to it makes the echo ambiguous). */
  answered(key: string, now: number): void {
    const at = this.awaiting.get(key);
    if (at === UNSENT) this.awaiting.set(key, now);
    else if (at !== undefined) this.awaiting.delete(key);
  }

  /** The answer to `key` went again (the client repeated its request): its echo gives no sample (Karn). */
  resent(key: string): void {
    this.awaiting.delete(key);
  }

  /** `client` echoed the answer to `key`: the sample, ms, or undefined when there is none to take. */
  echo(key: string, client: string, now: number): number | undefined {
    const at = this.awaiting.get(key);
    if (at === undefined || at === UNSENT) return undefined;
    this.awaiting.delete(key);
    const sample = now - at;
    if (sample < 0 || sample > ECHO_WAIT) {
      this.stats.late++;
      return undefined;
    }
    const source = sourceOf(client);
    const before = this.bySource.get(source);
    const rtt = before === undefined ? sample : before + (sample - before) * SERVER_RTT_WEIGHT;
    this.bySource.set(source, rtt);
    this.stats.samples++;
    return sample;
  }

  /** The smoothed round trip to `client`'s source, ms, once one echo has been timed. */
  rtt(client: string): number | undefined {
    return this.bySource.get(sourceOf(client));
  }

  /** How many sources have a round trip. */
  get size(): number {
    return this.bySource.size;
  }

  tables(): Record<string, TableSize> {
    return {
      'answers awaiting an echo': { size: this.awaiting.size, limit: MAX_ECHOES },
      'client round trips': { size: this.bySource.size, limit: MAX_CLIENT_RTTS },
    };
  }
}
