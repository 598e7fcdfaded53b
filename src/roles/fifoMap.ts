/**
 * A map that remembers insertion order in a queue of its own, so that taking
 * the oldest entry costs O(1) however many entries came and went.
 *
 * (Asking a Map for its first key walks over every entry deleted since the
 * table was last rebuilt: a cache that evicts its oldest entry on every insert
 * then spends most of its time there.)
 *
 * A key deleted and set again keeps its first place in the queue, so it may be
 * taken as the oldest a little early: right for the caches and tables this
 * serves, which only need to stay bounded.
 */
export class FifoMap<K, V> {
  private readonly map = new Map<K, V>();
  private queue: K[] = [];
  private head = 0;

  /** `capacity`: when full, `set` of a new key forgets the oldest entry first. */
  constructor(readonly capacity = Number.POSITIVE_INFINITY) {}

  get size(): number {
    return this.map.size;
  }

  /** Places the insertion queue holds, taken and deleted keys awaiting compaction included: what it costs in memory. */
  get queued(): number {
    return this.queue.length;
  }

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** Insert at the back; a key already present keeps its place and takes the new value. */
  set(key: K, value: V): void {
    if (this.map.has(key)) {
      this.map.set(key, value);
      return;
    }
    while (this.map.size >= this.capacity && this.shift() !== undefined) {
      // forgot the oldest
    }
    this.map.set(key, value);
    this.queue.push(key);
    this.compact();
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  /** The oldest entry, or undefined when empty. */
  oldest(): [K, V] | undefined {
    while (this.head < this.queue.length) {
      const key = this.queue[this.head]!;
      if (this.map.has(key)) return [key, this.map.get(key)!];
      this.head++; // deleted since
    }
    return undefined;
  }

  /** Remove and return the oldest entry. */
  shift(): [K, V] | undefined {
    const first = this.oldest();
    if (!first) return undefined;
    this.map.delete(first[0]);
    this.head++;
    this.compact();
    return first;
  }

  values(): IterableIterator<V> {
    return this.map.values();
  }

  /** Keep the queue proportional to the map: drop its consumed front, and rebuild it when deletions out of order dominate. */
  private compact(): void {
    const live = this.queue.length - this.head;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    } else if (live > 4 * this.map.size + 1024) {
      this.queue = [...this.map.keys()];
      this.head = 0;
    }
  }
}
