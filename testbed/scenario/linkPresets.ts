/**
 * Named link presets (as network simulators have them), the starting point of
 * a scenario's `link` and of any impairment that names one: words of the
 * scenario language, which the link model (testbed/link/) then carries out.
 */
import type { LinkSpec } from './types.js';

/** The link that does nothing: no delay, no loss, no cap. */
export const PERFECT: LinkSpec = { loss: 0, burst: 1, delay: 0, jitter: 0, duplicate: 0, reorder: 0, corrupt: 0, rate: 0, blocked: false };

export const LINK_PRESETS: Readonly<Record<string, { readonly doc: string; readonly link: LinkSpec }>> = {
  perfect: { doc: 'no delay, no loss: every datagram arrives at once', link: PERFECT },
  lan: { doc: '1 ms ± 0.5 ms, no loss', link: { ...PERFECT, delay: 1, jitter: 0.5 } },
  wan: { doc: '40 ms ± 5 ms, 0.1% loss', link: { ...PERFECT, delay: 40, jitter: 5, loss: 0.001 } },
  lossy: { doc: '10 ms ± 5 ms, 5% loss in bursts of 3, 1% duplicated, 2% reordered', link: { ...PERFECT, delay: 10, jitter: 5, loss: 0.05, burst: 3, duplicate: 0.01, reorder: 0.02 } },
  mobile: { doc: '80 ms ± 40 ms, 2% loss in bursts of 4, 1% reordered, 20 Mbit/s', link: { ...PERFECT, delay: 80, jitter: 40, loss: 0.02, burst: 4, reorder: 0.01, rate: 20_000_000 } },
};

export const DEFAULT_PRESET = 'lan';
