/**
 * The link between any two scenario nodes, one direction, as the faults have
 * left it so far: the scenario's default link, then its impairments in order
 * (a later one overrides the fields it sets), then the impairments the fault
 * schedule added, then partitions and blackholes, which block.
 *
 * Partitions: each node belongs to the first side that names it (or to a
 * side holding `*` when none names it); nodes on no side are not cut off. A
 * two-way partition blocks every datagram between different sides; a one-way
 * partition blocks only datagrams from an earlier side to a later one
 * (`sides: [[a], [b]]`: a → b is cut, b → a passes). `heal` ends every
 * partition. A blackhole blocks everything to and from its node until it is
 * switched off.
 */
import type { FaultAction, ImpairmentSpec, LinkSpec, Scenario } from '../scenario/types.js';

function matches(names: readonly string[], node: string): boolean {
  return names.includes(node) || names.includes('*');
}

interface Partition {
  readonly sides: readonly (readonly string[])[];
  readonly oneWay: boolean;
}

function sideOf(p: Partition, node: string): number {
  const named = p.sides.findIndex((s) => s.includes(node));
  return named >= 0 ? named : p.sides.findIndex((s) => s.includes('*'));
}

function cuts(p: Partition, from: string, to: string): boolean {
  const a = sideOf(p, from);
  const b = sideOf(p, to);
  if (a < 0 || b < 0 || a === b) return false;
  return !p.oneWay || a < b;
}

export class LinkTable {
  private readonly added: ImpairmentSpec[] = [];
  private partitions: Partition[] = [];
  private readonly blackholes = new Set<string>();
  private readonly cache = new Map<string, LinkSpec>();

  /** Some impairment applies to certain message types only: the relay then gives each datagram's type. */
  typed: boolean;

  constructor(private readonly scenario: Pick<Scenario, 'link' | 'impairments'>) {
    this.typed = scenario.impairments.some((i) => i.types !== undefined);
  }

  /** The link from `from` to `to` now, for a datagram of message type `type` (needed only when `typed`). */
  link(from: string, to: string, type?: string): LinkSpec {
    const key = `${from}\u0000${to}\u0000${type ?? ''}`;
    let spec = this.cache.get(key);
    if (!spec) {
      spec = this.compute(from, to, type);
      this.cache.set(key, spec);
    }
    return spec;
  }

  /** Apply a link fault (impair, partition, heal, blackhole); false for other actions. */
  apply(action: FaultAction): boolean {
    switch (action.kind) {
      case 'impair':
        this.added.push(action.impairment);
        this.typed ||= action.impairment.types !== undefined;
        break;
      case 'partition':
        this.partitions.push({ sides: action.sides, oneWay: action.oneWay });
        break;
      case 'heal':
        this.partitions = [];
        break;
      case 'blackhole':
        if (action.on) this.blackholes.add(action.node);
        else this.blackholes.delete(action.node);
        break;
      default:
        return false;
    }
    this.cache.clear();
    return true;
  }

  private compute(from: string, to: string, type: string | undefined): LinkSpec {
    let spec: LinkSpec = this.scenario.link;
    for (const imp of [...this.scenario.impairments, ...this.added]) {
      if (matches(imp.from, from) && matches(imp.to, to) && (!imp.types || (type !== undefined && imp.types.includes(type)))) spec = { ...spec, ...imp.link };
    }
    const blocked = this.blackholes.has(from) || this.blackholes.has(to) || this.partitions.some((p) => cuts(p, from, to));
    return blocked ? { ...spec, blocked: true } : spec;
  }
}
