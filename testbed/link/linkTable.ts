/**
 * Every link of a scenario, by node name: the default link, the scenario's
 * impairments (applied in order, later ones over earlier ones), and what the
 * fault schedule changes while the run goes (impairment changes, partitions,
 * blackholes). A link's effective settings are computed once per change and
 * cached per pair, with the pair's state (loss burst, rate-cap queue) kept
 * across changes. Pure: the simulator and the real relay both use it.
 */
import type { ImpairmentSpec, LinkSpec } from '../scenario/types.js';
import { type LinkState, newLinkState } from './impairment.js';

interface Rule {
  readonly from: ReadonlySet<string> | '*';
  readonly to: ReadonlySet<string> | '*';
  readonly link: Partial<LinkSpec>;
  /** The message types it applies to; undefined: every datagram. */
  readonly types?: ReadonlySet<string>;
}

interface Partition {
  /** Node → its side. */
  readonly side: ReadonlyMap<string, number>;
  readonly oneWay: boolean;
}

interface Entry {
  spec: LinkSpec;
  readonly state: LinkState;
  version: number;
}

const rule = (i: ImpairmentSpec): Rule => ({
  from: i.from.includes('*') ? '*' : new Set(i.from),
  to: i.to.includes('*') ? '*' : new Set(i.to),
  link: i.link,
  ...(i.types ? { types: new Set(i.types) } : {}),
});

const matches = (set: ReadonlySet<string> | '*', name: string) => set === '*' || set.has(name);

export class LinkTable {
  private readonly base: readonly Rule[];
  private changes: Rule[] = [];
  private partitions: Partition[] = [];
  private readonly blackholes = new Set<string>();
  private readonly entries = new Map<string, Map<string, Entry>>();
  private version = 0;
  /** The message types some rule is limited to. */
  private typedTypes: ReadonlySet<string> = new Set();

  constructor(
    private readonly defaults: LinkSpec,
    impairments: readonly ImpairmentSpec[],
  ) {
    this.base = impairments.map(rule);
    this.retype();
  }

  /** Some rule applies to certain message types only: the callers then give each datagram's type. */
  get typed(): boolean {
    return this.typedTypes.size > 0;
  }

  /**
   * The link from one node to another (names), with its state; `type`, the datagram's message type
   * (needed only when `typed`): a type some rule is limited to has a link of its own on each pair.
   */
  link(from: string, to: string, type?: string): { readonly spec: LinkSpec; readonly state: LinkState } {
    const kind = type !== undefined && this.typedTypes.has(type) ? type : undefined;
    const key = kind === undefined ? to : `${to}\u0000${kind}`;
    let row = this.entries.get(from);
    if (!row) this.entries.set(from, (row = new Map()));
    let e = row.get(key);
    if (!e) row.set(key, (e = { spec: this.compute(from, to, kind), state: newLinkState(), version: this.version }));
    else if (e.version !== this.version) {
      e.spec = this.compute(from, to, kind);
      e.version = this.version;
    }
    return e;
  }

  /** An impairment the fault schedule adds (over everything before it). */
  impair(i: ImpairmentSpec): void {
    this.changes.push(rule(i));
    this.retype();
    this.version++;
  }

  private retype(): void {
    this.typedTypes = new Set([...this.base, ...this.changes].flatMap((r) => (r.types ? [...r.types] : [])));
  }

  /** Cut the network into sides; one-way: only traffic from a side to a later side is lost. */
  partition(sides: readonly (readonly string[])[], oneWay: boolean): void {
    const side = new Map<string, number>();
    sides.forEach((names, i) => names.forEach((n) => side.set(n, i)));
    this.partitions.push({ side, oneWay });
    this.version++;
  }

  heal(): void {
    this.partitions = [];
    this.version++;
  }

  blackhole(node: string, on: boolean): void {
    if (on) this.blackholes.add(node);
    else this.blackholes.delete(node);
    this.version++;
  }

  /** Lift every fault (the convergence phase): changes, partitions and blackholes go; the scenario's impairments stay. */
  liftFaults(): void {
    this.changes = [];
    this.retype();
    this.partitions = [];
    this.blackholes.clear();
    this.version++;
  }

  /** Whether anything the fault schedule did is in force. */
  get faulted(): boolean {
    return this.changes.length > 0 || this.partitions.length > 0 || this.blackholes.size > 0;
  }

  private compute(from: string, to: string, type: string | undefined): LinkSpec {
    let spec = this.defaults;
    for (const rules of [this.base, this.changes]) {
      for (const r of rules) {
        if (matches(r.from, from) && matches(r.to, to) && (!r.types || (type !== undefined && r.types.has(type)))) spec = { ...spec, ...r.link };
      }
    }
    if (this.blackholes.has(from) || this.blackholes.has(to) || this.partitions.some((p) => cut(p, from, to))) {
      spec = { ...spec, blocked: true };
    }
    return spec;
  }
}

function cut(p: Partition, from: string, to: string): boolean {
  const a = p.side.get(from);
  const b = p.side.get(to);
  if (a === undefined || b === undefined || a === b) return false;
  return !p.oneWay || a < b;
}
