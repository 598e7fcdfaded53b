/**
 * Lists too long for one datagram, cut into parts that each fit (§14.1,
 * §14.2): a job's targets in its `job-submit`s, a plan in its `job-order`s.
 * Sizes are computed, not tried (§7.1).
 */
import { MAX_DATAGRAM } from '../../protocol/constants.js';
import type { Field } from '../../protocol/fields.js';
import { ListFill } from '../../protocol/sizes.js';

/** `items` in parts, in order: each fits a message of `emptySize` bytes (the message with the list empty), at most `maxItems` each; always one part at least. */
export function partsOf<T>(items: readonly T[], item: Field, emptySize: number, maxItems: number): T[][] {
  const parts: T[][] = [];
  let fill = new ListFill<T>(item, emptySize, MAX_DATAGRAM, maxItems);
  for (const x of items) {
    if (fill.add(x)) continue;
    parts.push(fill.items);
    fill = new ListFill<T>(item, emptySize, MAX_DATAGRAM, maxItems);
    if (!fill.add(x)) throw new Error('one item of a list does not fit a datagram');
  }
  parts.push(fill.items);
  return parts;
}
