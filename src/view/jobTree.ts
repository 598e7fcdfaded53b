/**
 * A job's cascade as a tree (§14.2): each target under the node it gets the
 * file from (its `src`), the base server at the root; targets with no source
 * yet, or whose source is not a node of the job, are listed after it. Pure,
 * below both the dashboard's view and its plain output.
 */
import type { JobTargetView } from './model.js';

export interface TreeRow {
  readonly target: JobTargetView;
  /** 1 under the base server, 2 under one of its targets, …; 0 for a target with no known source. */
  readonly depth: number;
  /** `├─ `, `│  └─ `, …: the lines that draw the tree before the target. */
  readonly prefix: string;
}

/** The targets in tree order, depth first, each node's children in the order of the target list. Bounded: each target is placed once. */
export function jobTree(targets: readonly JobTargetView[], base: string): TreeRow[] {
  const byAddr = new Map(targets.map((t) => [t.srv, t] as const));
  const children = new Map<string, JobTargetView[]>();
  const placed = new Set<string>();
  for (const t of targets) {
    if (t.src === undefined || (t.src !== base && !byAddr.has(t.src)) || t.src === t.srv) continue;
    let list = children.get(t.src);
    if (!list) children.set(t.src, (list = []));
    list.push(t);
  }
  const rows: TreeRow[] = [];
  const walk = (node: string, depth: number, lead: string) => {
    const kids = (children.get(node) ?? []).filter((k) => !placed.has(k.srv));
    for (const k of kids) placed.add(k.srv);
    kids.forEach((k, i) => {
      const last = i === kids.length - 1;
      rows.push({ target: k, depth, prefix: `${lead}${last ? '└─ ' : '├─ '}` });
      walk(k.srv, depth + 1, `${lead}${last ? '   ' : '│  '}`);
    });
  };
  walk(base, 1, '');
  // A cycle of sources (each names another as its source, none the base server) or no source yet: flat, after the tree.
  for (const t of targets) if (!placed.has(t.srv)) rows.push({ target: t, depth: 0, prefix: '·  ' });
  return rows;
}
