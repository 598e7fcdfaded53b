/**
 * Attackers of a real run: forged datagrams sent at a target from the public
 * socket of the node they pretend to be (the relay's P_spoof), at a given
 * rate, between their start and stop times. What the target sends back to
 * that socket is reflected traffic, the measure of amplification.
 *
 * What counts as reflected: a datagram from the target to the spoofed
 * address during the attack (and REFLECT_GRACE after it) that answers a
 * forged datagram — it carries the request id of a forged request, or it is
 * an error without a request id, or it does not decode — or, when the
 * spoofed name is no running role (a bystander), any datagram at all, since
 * nothing else can make the target send there.
 */
import { encode } from '../../src/protocol/codec.js';
import type { MessageOf } from '../../src/protocol/messages.js';
import { padded } from '../../src/protocol/padding.js';
import { Rng } from '../../src/protocol/rng.js';
import type { AttackerSpec, Scenario } from '../scenario/types.js';
import type { Relay, Routed } from './relay.js';

/** Answers that come this long after an attack stops still count, ms. */
export const REFLECT_GRACE = 1_000;
/** How often an attacker sends its share, ms. */
const TICK = 20;
/** Datagrams one attacker sends at most per tick (a bound on a typo'd rate). */
const MAX_PER_TICK = 200;
/** Request ids remembered to recognise answers. */
const RIDS_KEPT = 65_536;

interface Running {
  readonly spec: AttackerSpec;
  timer?: NodeJS.Timeout;
  /** ms since the run started, while the attack counts answers. */
  readonly from: number;
  until: number;
}

export class Attacks {
  /** Bytes forged datagrams carried. */
  sent = 0;
  datagrams = 0;
  /** Bytes targets sent back to spoofed addresses. */
  reflected = 0;
  private readonly rids = new Set<number>();
  private readonly running: Running[] = [];
  private readonly rng: Rng;

  constructor(
    private readonly scenario: Pick<Scenario, 'seed' | 'servers' | 'media'>,
    private readonly relay: Relay,
    private readonly clock: () => number,
    /** True while a role process runs as this node. */
    private readonly isRunningRole: (node: string) => boolean,
  ) {
    this.rng = new Rng((scenario.seed ^ 0x5a5a_a5a5) >>> 0);
  }

  start(spec: AttackerSpec): void {
    const run: Running = { spec, from: this.clock(), until: Number.POSITIVE_INFINITY };
    let last = this.clock();
    let owed = 0;
    run.timer = setInterval(() => {
      const t = this.clock();
      owed += (spec.rate * (t - last)) / 1000;
      last = t;
      const n = Math.min(MAX_PER_TICK, Math.floor(owed));
      owed -= n;
      for (let i = 0; i < n; i++) this.sendOne(spec);
    }, TICK);
    this.running.push(run);
  }

  stop(spec: AttackerSpec): void {
    for (const r of this.running) {
      if (r.spec !== spec || r.timer === undefined) continue;
      clearInterval(r.timer);
      r.timer = undefined;
      r.until = this.clock() + REFLECT_GRACE;
    }
  }

  stopAll(): void {
    for (const r of this.running) this.stop(r.spec);
  }

  private sendOne(spec: AttackerSpec): void {
    const bytes = this.forge(spec);
    this.sent += bytes.length;
    this.datagrams++;
    this.relay.sendForged(spec.name, spec.spoof, spec.target, bytes);
  }

  private forge(spec: AttackerSpec): Uint8Array {
    switch (spec.kind) {
      case 'request': {
        const rid = this.rid();
        const held = this.scenario.servers.find((s) => s.name === spec.target)?.files[0];
        const file = held ?? this.scenario.media[0]?.name ?? 'movie.ts';
        return encode(padded({ type: 'request', rid, file } as MessageOf<'request'>));
      }
      case 'status': {
        const rid = this.rid();
        return encode(padded({ type: 'status-request', rid, what: 'summary', from: 0 } as MessageOf<'status-request'>));
      }
      case 'garbage':
        return this.rng.bytes(1 + this.rng.below(1200));
    }
  }

  private rid(): number {
    const rid = this.rng.id();
    if (this.rids.size >= RIDS_KEPT) this.rids.delete(this.rids.values().next().value!);
    this.rids.add(rid);
    return rid;
  }

  /** Look at every datagram the relay routes: count those that answer the forgeries. */
  onRouted(r: Routed): void {
    if (this.running.length === 0) return;
    const t = this.clock();
    const attack = this.running.find((a) => a.spec.target === r.from && a.spec.spoof === r.to && t >= a.from && t <= a.until);
    if (!attack) return;
    if (this.answersForgery(r) || !this.isRunningRole(r.to)) this.reflected += r.bytes.length;
  }

  private answersForgery(r: Routed): boolean {
    if (!r.decoded.ok) return true;
    const rid = (r.decoded.msg as { rid?: unknown }).rid;
    if (typeof rid === 'number') return this.rids.has(rid);
    return r.decoded.msg.type === 'error';
  }
}
