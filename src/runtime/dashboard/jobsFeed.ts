/**
 * What keeps the dashboard's jobs pane up to date (`ofp dashboard --base`):
 * every refresh it reads the base server's list of jobs (§14.6), then the
 * target rows of the first JOBS_DETAILED of them (those under way first, then
 * the newest), over its own socket. A base server that stops answering is
 * shown unreachable, with the jobs it last listed; the feed keeps asking.
 */
import { pollEvery } from './pollEvery.js';
import type { JobView, Reachability } from '../../view/model.js';
import type { ResolvedEndpoint } from '../resolve.js';
import { termSafeDeep } from '../termSafe.js';
import { BaseLink, type JobListRow } from '../baseLink.js';
import type { DashboardStore } from './store.js';

export interface JobsFeedOptions {
  readonly base: ResolvedEndpoint;
  readonly key: string;
  readonly refreshMs: number;
  readonly store: DashboardStore;
}

/** Jobs whose targets the dashboard reads each refresh; the others show as one line. */
export const JOBS_DETAILED = 6;
/** Target rows read of each of them, at most. */
export const JOB_TARGETS_SHOWN = 96;
/** Tries of each page. */
const TRIES = 2;

/** Under way first, then the newest (the list comes oldest first). */
export function jobOrder(rows: readonly JobListRow[]): JobListRow[] {
  const live = (r: JobListRow) => r.state === 'uploading' || r.state === 'running';
  const indexed = rows.map((r, i) => [r, i] as const);
  return indexed.sort(([a, i], [b, j]) => Number(live(b)) - Number(live(a)) || j - i).map(([r]) => r);
}

export class JobsFeed {
  private closed = false;
  private wake: (() => void) | undefined;
  private polling: Promise<void> = Promise.resolve();
  private reachability: Reachability = 'connecting';
  private jobs: JobView[] = [];

  private constructor(
    private readonly o: JobsFeedOptions,
    private readonly link: BaseLink,
  ) {}

  static async start(o: JobsFeedOptions): Promise<JobsFeed> {
    const feed = new JobsFeed(o, await BaseLink.open(o.base, o.key));
    feed.publish();
    feed.polling = feed.pollLoop();
    return feed;
  }

  private get timeoutMs(): number {
    return Math.min(1_000, Math.max(250, this.o.refreshMs));
  }

  private publish(): void {
    this.o.store.applyJobs({ base: this.o.base.address, reachability: this.reachability, jobs: this.jobs });
  }

  private pollLoop(): Promise<void> {
    return pollEvery({
      refreshMs: this.o.refreshMs,
      closed: () => this.closed,
      poll: () => this.poll(),
      failed: (e) => this.o.store.note('error', 'error', `reading the base server's jobs failed: ${e.message}`),
      setWake: (wake) => {
        this.wake = wake;
      },
    });
  }


  private async poll(): Promise<void> {
    const rows = await this.link.jobs(this.timeoutMs, TRIES);
    if (this.closed) return;
    const name = this.o.base.address;
    if (!rows) {
      if (this.reachability !== 'unreachable') {
        this.reachability = 'unreachable';
        const hint = this.link.unauthenticated > 0 ? 'it answers without a valid MAC: check --key' : 'is it running, with the same --key?';
        this.o.store.note('base', 'error', `base server ${name} does not answer: ${hint}`);
        this.publish();
      }
      return;
    }
    if (this.reachability === 'unreachable') this.o.store.note('base', 'info', `base server ${name} answers again`);
    this.reachability = 'up';
    const jobs: JobView[] = [];
    for (const [i, r] of jobOrder(rows).entries()) {
      const view: JobView = { job: r.job, file: r.file, size: r.size, state: r.state, done: r.done, failed: r.failed, total: r.total, got: r.got };
      if (i >= JOBS_DETAILED) {
        jobs.push(view);
        continue;
      }
      const detail = await this.link.job(r.job, this.timeoutMs, TRIES, JOB_TARGETS_SHOWN);
      if (this.closed) return;
      // A page that did not come: the rows it had before, if any.
      const before = this.jobs.find((j) => j.job === r.job)?.targets;
      const targets = detail ? detail.rows.map(({ idx, srv, st, got, src, code }) => ({ idx, srv, st, got, ...(src !== undefined ? { src } : {}), ...(code !== undefined ? { code } : {}) })) : before;
      jobs.push({ ...view, ...(targets ? { targets } : {}) });
    }
    // The store is what a terminal shows: names from the network go in escaped (termSafe.ts).
    this.jobs = termSafeDeep(jobs);
    this.publish();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake?.();
    await this.link.close();
    await this.polling;
  }
}
