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
});

const matches = (set: ReadonlySet<string> | '*', name: string) => set === '*' || set.has(name);

export class LinkTable {
  private readonly base: readonly Rule[];
  private changes: Rule[] = [];
  private partitions: Partition[] = [];
  private readonly blackholes = new Set<string>();
  private readonly entries = new Map<string, Map<string, Entry>>();
  private version = 0;

  constructor(
    private readonly defaults: LinkSpec,
    impairments: readonly ImpairmentSpec[],
  ) {
    this.base = impairments.map(rule);
  }

  /** The link from one node to another (names), with its state. */
  link(from: string, to: string): { readonly spec: LinkSpec; readonly state: LinkState } {
    let row = this.entries.get(from);
    if (!row) this.entries.set(from, (row = new Map()));
    let e = row.get(to);
    if (!e) row.set(to, (e = { spec: this.compute(from, to), state: newLinkState(), version: this.version }));
    else if (e.version !== this.version) {
      e.spec = this.compute(from, to);
      e.version = this.version;
    }
    return e;
  }

  /** An impairment the fault schedule adds (over everything before it). */
  impair(i: ImpairmentSpec): void {
    this.changes.push(rule(i));
    this.version++;
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
    this.partitions = [];
    this.blackholes.clear();
    this.version++;
  }

  /** Whether anything the fault schedule did is in force. */
  get faulted(): boolean {
    return this.changes.length > 0 || this.partitions.length > 0 || this.blackholes.size > 0;
  }

  private compute(from: string, to: string): LinkSpec {
    let spec = this.defaults;
    for (const rules of [this.base, this.changes]) {
      for (const r of rules) if (matches(r.from, from) && matches(r.to, to)) spec = { ...spec, ...r.link };
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
