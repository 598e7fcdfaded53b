/**
 * A server's cap on its total job upload (`ofp server --job-upload`, §14.3): every transfer it
 * serves, of every job, draws on one bucket, in turn; a new transfer is offered its share.
 */
import { describe, expect, it } from 'vitest';
import { decode } from '../../src/protocol/codec.js';
import { JOB_BURST } from '../../src/protocol/constants.js';
import { Upload } from '../../src/roles/jobs/upload.js';
import { contentOf, jobCluster } from '../../testbed/sim/jobCluster.js';

const RATE = 8_000_000;
const FANOUT = 4;
/** A quarter of what its transfers would send at once uncapped. */
const CAP = (FANOUT * RATE) / 4;
const WINDOW = 500;

function equal(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && a.length === b.length && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
}

/**
 * 20 servers at fanout 4: the base server serves the first four, and each of them four of the rest
 * at once. Watches what the first server sends: chunk bytes per window, and per receiver.
 */
function watched(seed: number, jobUpload?: number) {
  const c = jobCluster({ seed, servers: 20, rate: RATE, fanout: FANOUT, ...(jobUpload ? { jobUpload } : {}) });
  const s0 = c.servers[0]!.addr;
  const t0 = c.net.now;
  const windows: number[] = [];
  const to = new Map<string, { at: number; bytes: number }[]>();
  const offers: number[] = [];
  c.net.onTrace = (r) => {
    if (r.from !== s0 || r.type !== 'chunk') return;
    const w = Math.floor((r.t - t0) / WINDOW);
    windows[w] = (windows[w] ?? 0) + r.size;
    let l = to.get(r.to);
    if (!l) to.set(r.to, (l = []));
    l.push({ at: r.t - t0, bytes: r.size });
  };
  c.net.lose = (from, _to, bytes) => {
    if (from === s0) {
      const d = decode(bytes);
      if (d.ok && d.msg.type === 'job-order' && d.msg.part === 0) offers.push(d.msg.rate);
    }
    return false;
  };
  /** Bytes to `addr` from `a` to `b` ms. */
  const sentTo = (addr: string, a: number, b: number) => (to.get(addr) ?? []).filter((x) => x.at >= a && x.at < b).reduce((n, x) => n + x.bytes, 0);
  return { c, s0, windows: () => Array.from(windows, (w) => w ?? 0), receivers: () => [...to.keys()], sentTo, offers };
}

/** The most a window may carry at `cap`: the window's worth, and one full bucket (JOB_BURST of it). */
const most = (cap: number) => (cap / 8) * ((WINDOW + JOB_BURST) / 1000);

describe('a server caps its total job upload (§14.3)', () => {
  it('fanout 4 under a cap of a quarter of 4 × the rate: it sends at most the cap in every window, each receiver in turn, and the job completes, every copy identical', () => {
    const content = contentOf(1_200_000, 61);
    const free = watched(61);
    const { provider: p0 } = free.c.submit(content);
    free.c.net.run({ until: free.c.net.now + 60_000, done: () => p0.done });
    expect(p0.outcome).toBe('completed');
    // Uncapped (the default: the rate times the fanout), the same server sends well over the cap.
    expect(Math.max(...free.windows())).toBeGreaterThan(2 * most(CAP));

    const w = watched(61, CAP);
    const { provider } = w.c.submit(content);
    w.c.net.run({ until: w.c.net.now + 120_000, done: () => provider.done });
    expect(provider.outcome, w.c.logText()).toBe('completed');
    for (const s of w.c.servers) expect(equal(s.files.media.get('title.ts'), content), s.addr).toBe(true);
    const windows = w.windows();
    expect(windows.length).toBeGreaterThan(8);
    for (const [i, bytes] of windows.entries()) expect(bytes, `window ${i}`).toBeLessThanOrEqual(most(CAP));
    // Busy windows use the cap: the bucket is not left idle.
    expect(Math.max(...windows)).toBeGreaterThan(0.9 * most(CAP) * (WINDOW / (WINDOW + JOB_BURST)));
    // Four receivers at once, each its turn: over the first 4 s each got about a quarter.
    const rx = w.receivers();
    expect(rx).toHaveLength(FANOUT);
    const total = rx.reduce((n, a) => n + w.sentTo(a, 1_000, 5_000), 0);
    for (const a of rx) expect(w.sentTo(a, 1_000, 5_000) / total, a).toBeGreaterThan(0.22);
    // It offered each its share of the cap, not its full rate: the cap over the transfers then open.
    expect(w.offers.slice(0, FANOUT)).toEqual([CAP, CAP / 2, CAP / 3, CAP / 4].map(Math.floor));
  });

  it('two jobs at once share the cap: the sum stays within it, both progress side by side, and both complete', () => {
    const w = watched(62, CAP);
    const a = contentOf(1_000_000, 62);
    const b = contentOf(1_000_000, 63);
    const addrs = w.c.servers.map((s) => s.addr);
    // The second job's plan runs the other way past the first four: the first server's receivers differ.
    const other = [...addrs.slice(0, 4), ...addrs.slice(4).reverse()];
    const pa = w.c.submit(a, { file: 'a.ts' }).provider;
    const pb = w.c.submit(b, { file: 'b.ts', targets: other, addr: '10.0.8.9:7000' }).provider;
    w.c.net.run({ until: w.c.net.now + 120_000, done: () => pa.done && pb.done });
    expect([pa.outcome, pb.outcome], w.c.logText()).toEqual(['completed', 'completed']);
    for (const s of w.c.servers) {
      expect(equal(s.files.media.get('a.ts'), a), s.addr).toBe(true);
      expect(equal(s.files.media.get('b.ts'), b), s.addr).toBe(true);
    }
    for (const [i, bytes] of w.windows().entries()) expect(bytes, `window ${i}`).toBeLessThanOrEqual(most(CAP));
    // Eight transfers at once, four of each job: over 2 s each took its turn, none starved.
    const rx = w.receivers();
    expect(rx).toHaveLength(2 * FANOUT);
    const total = rx.reduce((n, x) => n + w.sentTo(x, 1_000, 3_000), 0);
    for (const x of rx) expect(w.sentTo(x, 1_000, 3_000) / total, x).toBeGreaterThan(0.11);
  });
});

describe('the upload bucket', () => {
  it('gives each chunk it allows to the transfer that waited longest; a transfer with nothing to send gives up its turn', () => {
    const up = new Upload(8_000_000);
    const [a, b, c] = [{}, {}, {}];
    for (const d of [a, b, c]) up.join(d);
    expect(up.offer()).toBe(2_000_000);
    // A full bucket at first (JOB_BURST at 1 MB/s: 20 kB, 18 chunks): a takes it.
    for (let k = 0; k < 18; k++) expect(up.take(a, 1_064, 0)).toBe(true);
    expect(up.take(a, 1_064, 0)).toBe(false);
    expect(up.take(b, 1_064, 0)).toBe(false);
    expect(up.take(c, 1_064, 0)).toBe(false);
    // Credit for one chunk: a's turn first (it waited first); then b's, though a asks again before it.
    expect(up.readyAt(b, 1_064, 0)).toBeGreaterThan(0);
    expect(up.take(b, 1_064, 2)).toBe(false);
    expect(up.take(a, 1_064, 2)).toBe(true);
    expect(up.take(a, 1_064, 4)).toBe(false);
    expect(up.take(b, 1_064, 4)).toBe(true);
    // c has nothing to send any more: a, which waited after it, is next.
    up.pass(c);
    expect(up.take(a, 1_064, 6)).toBe(true);
    up.leave(c);
    expect(up.transfers).toBe(2);
  });
});
