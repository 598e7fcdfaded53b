/** A binary min-heap ordered by (time, sequence): ties keep insertion order, so runs are deterministic. */
export interface Scheduled {
  readonly at: number;
  readonly seq: number;
}

export class EventHeap<T extends Scheduled> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    const a = this.items;
    // Sift up by moving parents down into the hole, then place the item once.
    let i = a.length;
    a.push(item);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = a[p]!;
      if (!before(item, parent)) break;
      a[i] = parent;
      i = p;
    }
    a[i] = item;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  pop(): T | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0]!;
    const last = a.pop()!;
    const n = a.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const m = r < n && before(a[r]!, a[l]!) ? r : l;
        if (!before(a[m]!, last)) break;
        a[i] = a[m]!;
        i = m;
      }
      a[i] = last;
    }
    return top;
  }
}

function before(x: Scheduled, y: Scheduled): boolean {
  return x.at < y.at || (x.at === y.at && x.seq < y.seq);
}
