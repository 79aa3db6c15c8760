/**
 * A bounded set of recently seen keys with a time-to-live: the oldest key goes first when full.
 * Map iteration order is insertion order, which makes eviction O(1) without extra structures.
 */
export class TtlSet {
  private readonly map = new Map<string, number>(); // key → expires at (ms)
  /** Keys pushed out by the size bound while still within their time to live. */
  evictedEarly = 0;

  /**
   * @param maxSize most keys kept
   * @param ttlMs how long a key counts as seen
   */
  constructor(
    private readonly maxSize: number,
    private readonly ttlMs: number,
  ) {}

  get size(): number {
    return this.map.size;
  }

  has(key: string, now: number): boolean {
    const exp = this.map.get(key);
    if (exp === undefined) return false;
    if (exp <= now) {
      this.map.delete(key);
      return false;
    }
    return true;
  }

  /** Adds the key; returns false when it was already present (and not expired). */
  add(key: string, now: number): boolean {
    if (this.has(key, now)) return false;
    this.map.set(key, now + this.ttlMs);
    if (this.map.size > this.maxSize) {
      const oldest = this.map.entries().next();
      if (oldest.done !== true) {
        this.map.delete(oldest.value[0]);
        if (oldest.value[1] > now) this.evictedEarly++;
      }
    }
    return true;
  }

  delete(key: string): void {
    this.map.delete(key);
  }
}
