/**
 * A bounded least-recently-used map. `Map` keeps insertion order, so a hit is moved to the end by
 * deleting and re-inserting it, and the first key is the one to evict.
 */
export class Lru<K, V> {
  private readonly map = new Map<K, V>();

  /** @param capacity entries kept; 0 keeps none. */
  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(key: K, value: V): void {
    if (this.capacity <= 0) return;
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) {
      const oldest = this.map.keys().next();
      if (oldest.done !== true) this.map.delete(oldest.value);
    }
  }
}
