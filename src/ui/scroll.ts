/** Selection that follows an item (by key) and a scrolling window that keeps it visible (pure). */

export type ItemKey = string | number;

export interface Selection {
  /** Where the selection was last seen. */
  readonly index: number;
  /** The selected item's identity; undefined = whatever is at `index`. */
  readonly key?: ItemKey;
}

export interface KeyedList {
  readonly length: number;
  keyAt(index: number): ItemKey | undefined;
  indexOf(key: ItemKey): number;
}

export function clampIndex(index: number, length: number): number {
  return length <= 0 ? 0 : Math.min(Math.max(0, index), length - 1);
}

/**
 * The index of the selected item now. Usually the item is still where it was (one comparison);
 * only when the list shifted is it looked up, and when it is gone the same position is kept.
 */
export function resolveSelection(list: KeyedList, sel: Selection): number {
  const at = clampIndex(sel.index, list.length);
  if (sel.key === undefined || list.length === 0 || list.keyAt(at) === sel.key) return at;
  const found = list.indexOf(sel.key);
  return found >= 0 ? found : at;
}

/** The first visible row: moves as little as possible from `offset` so that `selected` is shown. */
export function scrollWindow(offset: number, selected: number, visible: number, length: number): number {
  if (visible <= 0 || length <= visible) return 0;
  let o = offset;
  if (selected < o) o = selected;
  if (selected >= o + visible) o = selected - visible + 1;
  return Math.min(Math.max(0, o), length - visible);
}

/** A list of items with keys, without copying it. */
export function keyedList<T>(items: readonly T[], keyOf: (item: T) => ItemKey): KeyedList {
  return {
    length: items.length,
    keyAt: (i) => (i >= 0 && i < items.length ? keyOf(items[i]!) : undefined),
    indexOf: (key) => items.findIndex((item) => keyOf(item) === key),
  };
}
