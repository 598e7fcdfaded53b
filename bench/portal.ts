/**
 * Redirects through a portal (S3.1, §12.3): an `ofp portal` in forward mode in
 * front of two `ofp master` processes of one group (one `ofp server`
 * registered with both), against one master alone with its server, under the
 * same closed-loop generator as the redirect section. The portal passes each
 * request on to a master in turn, and the master answers the client directly:
 * a request costs one datagram more on the way in, and the masters share the
 * answering. Rounds alternate which goes first; each round starts its
 * processes afresh, as the redirect section does.
 */
import { type LoadResult, runLoad } from './loadgen.js';
import type { RedirectSettings } from './redirect.js';
import { median } from './stats.js';

/** A running target: where requests go, and how to stop what was started for it. */
export interface PortalTarget {
  readonly address: string;
  stop(): Promise<void>;
}

export interface PortalTargets {
  /** One master and its server. */
  readonly startOne: () => Promise<PortalTarget>;
  /** A portal before two masters of a group, their server registered with both. */
  readonly startPortal: () => Promise<PortalTarget>;
  readonly file: string;
}

export interface PortalRound {
  readonly one: LoadResult;
  readonly portal: LoadResult;
  /** portal ÷ one master, redirects per second. */
  readonly ratio: number;
  readonly p99Ratio: number;
}

export interface PortalResults {
  readonly settings: RedirectSettings;
  readonly masters: number;
  readonly rounds: readonly PortalRound[];
  /** Medians over the rounds. */
  readonly one: { readonly perSecond: number; readonly p50: number; readonly p99: number };
  readonly portal: { readonly perSecond: number; readonly p50: number; readonly p99: number };
  readonly ratio: number;
  readonly p99Ratio: number;
}

async function measure(start: () => Promise<PortalTarget>, file: string, s: RedirectSettings, what: string): Promise<LoadResult> {
  const t = await start();
  try {
    const r = await runLoad({ target: t.address, file, inflight: s.inflight, warmupMs: s.warmupMs, durationMs: s.durationMs, timeoutMs: s.timeoutMs, accept: ['redirect'], bucketMs: 500 });
    if (r.completed === 0) throw new Error(`${what} completed no redirect in ${s.durationMs} ms (answers: ${JSON.stringify(r.others)}, lost ${r.lost})`);
    return r;
  } finally {
    await t.stop();
  }
}

export async function benchPortal(t: PortalTargets, s: RedirectSettings, progress: (line: string) => void): Promise<PortalResults> {
  const rounds: PortalRound[] = [];
  for (let i = 0; i < s.rounds; i++) {
    const oneFirst = i % 2 === 0;
    const measureOne = () => measure(t.startOne, t.file, s, 'one master');
    const measurePortal = () => measure(t.startPortal, t.file, s, 'the portal');
    let one: LoadResult;
    let portal: LoadResult;
    if (oneFirst) {
      one = await measureOne();
      portal = await measurePortal();
    } else {
      portal = await measurePortal();
      one = await measureOne();
    }
    const round = { one, portal, ratio: portal.perSecond / one.perSecond, p99Ratio: portal.p99 / one.p99 };
    rounds.push(round);
    progress(`portal round ${i + 1}/${s.rounds}: through the portal to 2 masters ${Math.round(portal.perSecond)} redirects/s (p99 ${portal.p99.toFixed(2)} ms), one master ${Math.round(one.perSecond)}/s (p99 ${one.p99.toFixed(2)} ms), ratio ${round.ratio.toFixed(3)}`);
  }
  const med = (f: (r: PortalRound) => number) => median(rounds.map(f));
  return {
    settings: s,
    masters: 2,
    rounds,
    one: { perSecond: med((r) => r.one.perSecond), p50: med((r) => r.one.p50), p99: med((r) => r.one.p99) },
    portal: { perSecond: med((r) => r.portal.perSecond), p50: med((r) => r.portal.p50), p99: med((r) => r.portal.p99) },
    ratio: med((r) => r.ratio),
    p99Ratio: med((r) => r.p99Ratio),
  };
}
