/**
 * One timer table per role (quinn-proto's `TimerTable`): every deadline is a
 * named slot. A role computes its table in one place, from its state; the next
 * wake-up is the table's minimum (`soonest`), and a wake-up handles the slots
 * that are due, each looked up again after the ones before it acted, so no
 * deadline is computed twice in two places kept in step by a comment.
 */
export type Deadlines<T extends string> = Partial<Record<T, number>>;

/** The earliest deadline of the table, or undefined when no slot is armed. */
export function soonest<T extends string>(table: Deadlines<T>): number | undefined {
  let t: number | undefined;
  // Called after every input: walk the slots without making an array of them.
  for (const name in table) {
    const at = table[name];
    if (at !== undefined && (t === undefined || at < t)) t = at;
  }
  return t;
}
