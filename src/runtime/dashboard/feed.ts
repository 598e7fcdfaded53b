/**
 * What keeps the dashboard's store up to date, over one UDP socket to the
 * master: every `refreshMs` it reads the summary, servers and sessions tables
 * (page by page, §11.2), and meanwhile it holds a subscription to the
 * master's notices (§11.3) whose events go to the events pane. A master that
 * stops answering is shown unreachable; the feed keeps asking, and once the
 * master answers again it is shown up and the subscription starts over,
 * asking for the events it missed.
 */
import { pollEvery } from './pollEvery.js';
import type { MessageOf } from '../../protocol/messages.js';
import type { EventView } from '../../view/model.js';
import { now } from '../clock.js';
import type { ResolvedEndpoint } from '../resolve.js';
import { NoAnswerError } from '../../errors.js';
import { noAnswerHint, type StatusMember, type StatusServer, type StatusSession } from '../statusQuery.js';
import { MasterLink, type MasterLocator } from './masterLink.js';
import { eventView, requestCount } from './noticeText.js';
import { RequestRate } from './requestRate.js';
import type { DashboardStore } from './store.js';
import { NoticeSubscriber } from './subscriber.js';
import { termSafeDeep } from '../termSafe.js';

export interface FeedOptions {
  /** The master, or where it is now (see MasterLocator). */
  readonly master: ResolvedEndpoint | MasterLocator;
  readonly key?: string;
  /** How often the tables are read, ms. */
  readonly refreshMs: number;
  readonly store: DashboardStore;
}

/** Tries of the summary before a master that answered counts as unreachable. */
const SUMMARY_TRIES = 2;
/** Tries of each further page. */
const PAGE_TRIES = 2;
/** Pages a table may take at most, so a misbehaving master cannot keep us paging. */
const MAX_PAGES = 1_000;
/** How often the subscription is looked after, ms. */
const SUBSCRIPTION_TICK = 100;
/** Wait for a `subscribe-ack`, ms. */
const ACK_WAIT = 1_000;
/** Wait for the answer to the `subscribe` that ends the subscription when the dashboard closes, ms. */
const END_WAIT = 200;

type Table = 'servers' | 'sessions' | 'members';

export class MasterFeed {
  readonly subscriber = new NoticeSubscriber();
  private readonly rate = new RequestRate();
  private readonly locate: MasterLocator;
  private closed = false;
  private lastUptime: number | undefined;
  private subscribing = false;
  private tick: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private polling: Promise<void> = Promise.resolve();
  private told = { full: false };

  private constructor(
    private readonly o: FeedOptions,
    private readonly link: MasterLink,
    locate: MasterLocator,
  ) {
    this.locate = locate;
  }

  /** Open the socket and start reading; the first answers come within a refresh. */
  static async start(o: FeedOptions): Promise<MasterFeed> {
    const locate: MasterLocator = typeof o.master === 'function' ? o.master : ((ep) => () => ep)(o.master);
    // Notices go to the feed once it exists (none can come before: the socket's events wait for this turn to end).
    const ref: { feed?: MasterFeed } = {};
    const link = await MasterLink.open({
      locate,
      ...(o.key ? { key: o.key } : {}),
      family: locate()?.family ?? 4,
      onHeard: (at) => o.store.heardFrom(at),
      onNotice: (n, at) => ref.feed?.onNotice(n, at),
    });
    const feed = new MasterFeed(o, link, locate);
    ref.feed = feed;
    feed.polling = feed.pollLoop();
    feed.tick = setInterval(() => void feed.lookAfterSubscription(), SUBSCRIPTION_TICK);
    return feed;
  }

  /** Per try: a refresh, within bounds (a slow refresh need not wait long for a lost answer). */
  private get timeoutMs(): number {
    return Math.min(1_000, Math.max(250, this.o.refreshMs));
  }

  private get name(): string {
    return this.locate()?.address ?? this.o.store.get().master;
  }

  private pollLoop(): Promise<void> {
    return pollEvery({
      refreshMs: this.o.refreshMs,
      closed: () => this.closed,
      poll: () => this.poll(),
      failed: (e) => this.o.store.note('error', 'error', `reading the master's tables failed: ${e.message}`),
      setWake: (wake) => {
        this.wake = wake;
      },
    });
  }


  /** One refresh: the summary (which says whether the master is there), then the tables. */
  private async poll(): Promise<void> {
    const store = this.o.store;
    const was = store.get().reachability;
    const tries = was === 'unreachable' ? 1 : SUMMARY_TRIES;
    let summary: MessageOf<'status'>['summary'];
    for (let i = 0; i < tries && !summary && !this.closed; i++) summary = (await this.link.status('summary', 0, this.timeoutMs))?.summary;
    if (this.closed) return;
    if (!summary) {
      if (was !== 'unreachable') {
        store.setReachability('unreachable');
        const hint = noAnswerHint(new NoAnswerError(this.name, tries, this.link.unauthenticated), this.o.key);
        store.note('master', 'error', `master ${this.name} does not answer: ${hint}`);
        this.subscriber.lost();
      }
      return;
    }
    if (was !== 'up') {
      store.setReachability('up');
      if (was === 'unreachable') store.note('master', 'info', `master ${this.name} answers again`);
    }
    // A restarted master: its uptime went back, unless the subscription found out first (a new cookie) and said so.
    const foundBySubscription = this.subscriber.takeRestart();
    if (this.lastUptime !== undefined && summary.uptime < this.lastUptime && !foundBySubscription) {
      this.noteRestart();
      this.subscriber.restarted();
    }
    this.lastUptime = summary.uptime;
    const servers = await this.table('servers') as StatusServer[] | undefined;
    const sessions = await this.table('sessions') as StatusSession[] | undefined;
    // A master in a group (§12.1): its members, for the masters pane.
    const members = summary.group !== undefined ? await this.table('members') as StatusMember[] | undefined : undefined;
    if (this.closed) return;
    const t = now();
    this.rate.onCounter(summary.requests, t);
    // The store is what a terminal shows: names from the network go in escaped (termSafe.ts).
    store.applyPoll({
      summary: termSafeDeep(summary),
      ...(servers ? { servers: termSafeDeep(servers) } : {}),
      ...(sessions ? { sessions: termSafeDeep(sessions) } : {}),
      ...(members ? { members: termSafeDeep(members) } : {}),
      requestsPerSec: this.rate.value(t, this.subscriber.active),
    });
  }

  /** Every row of a table, page by page; undefined when a page did not come (the store keeps the old table). */
  private async table(what: Table): Promise<unknown[] | undefined> {
    const rows: unknown[] = [];
    for (let page = 0; page < MAX_PAGES && !this.closed; page++) {
      let s: MessageOf<'status'> | undefined;
      for (let i = 0; i < PAGE_TRIES && !s && !this.closed; i++) s = await this.link.status(what, rows.length, this.timeoutMs);
      if (!s) return undefined;
      const got = (s[what] ?? []) as unknown[];
      rows.push(...got);
      if (got.length === 0 || rows.length >= s.total) break;
    }
    return rows;
  }

  /** Send the `subscribe` that is due, if any, and take its answer. */
  private async lookAfterSubscription(): Promise<void> {
    if (this.subscribing || this.closed || this.o.store.get().reachability !== 'up') return;
    this.subscribing = true;
    try {
      for (let round = 0; round < 4 && !this.closed; round++) {
        const t = now();
        const body = this.subscriber.due(t);
        if (!body) return;
        this.subscriber.sent(t);
        const ack = await this.link.subscribe(body, ACK_WAIT);
        if (!ack || this.closed) return;
        const outcome = this.subscriber.onAck(ack, now());
        if (outcome === 'reset') this.noteRestart();
        if (outcome === 'full' && !this.told.full) {
          this.told.full = true;
          this.o.store.note('master', 'warn', `master ${this.name} has no room for another subscriber: events will show once it has`);
        } else if (outcome === 'active') {
          this.told.full = false;
        }
        // A `pending` answer is echoed at once (the next round); anything else waits for the next tick.
        if (this.subscriber.phase !== 'pending') return;
      }
    } finally {
      this.subscribing = false;
    }
  }

  private noteRestart(): void {
    this.o.store.note('master', 'warn', `master ${this.name} has restarted: its events are taken from the start`);
  }

  private onNotice(n: MessageOf<'notice'>, at: number): void {
    const { events, lost } = this.subscriber.onNotice(n);
    const views: EventView[] = [];
    for (const { seq, ev } of events) {
      const count = requestCount(ev);
      if (count > 0) this.rate.onWindow(count, at - ev.ago);
      const v = eventView(termSafeDeep(ev), seq, at);
      if (v) views.push(v);
    }
    this.o.store.addEvents(views);
    if (lost > 0) this.o.store.note('gap', 'warn', `${lost} event${lost === 1 ? '' : 's'} of the master lost (it no longer holds them)`);
  }

  /** Stop reading and close the socket (the subscription lapses at the master after its lease). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.tick);
    this.wake?.();
    const end = this.subscriber.ending();
    if (end && !this.subscribing) await this.link.subscribe(end, END_WAIT);
    await this.link.close();
    await this.polling;
  }
}
