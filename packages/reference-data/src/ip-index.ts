import { MAX_IP_TEXT, parseIp, parsePrefix } from './ip.js';

/**
 * A binary trie over address bits, in typed arrays: node `i` has children `kids[2i]`, `kids[2i+1]`
 * (0: none; node 0 is the root, never a child) and a value slot `slot[i]` (0: none). A lookup
 * walks at most 32 (IPv4) or 128 (IPv6) bits and stops at the first missing child, so its cost is
 * the depth of the deepest prefix on the address's path, not the number of prefixes.
 */
class BitTrie {
  private kids = new Int32Array(2 * 256);
  private slot = new Int32Array(256);
  private nodes = 1;

  private grow(): void {
    const kids = new Int32Array(this.kids.length * 2);
    kids.set(this.kids);
    this.kids = kids;
    const slot = new Int32Array(this.slot.length * 2);
    slot.set(this.slot);
    this.slot = slot;
  }

  /** Sets the slot of the prefix `words/bits`; returns the slot it had (0: none). */
  set(words: ArrayLike<number>, bits: number, value: number): number {
    let node = 0;
    for (let i = 0; i < bits; i++) {
      const bit = ((words[i >>> 5] ?? 0) >>> (31 - (i & 31))) & 1;
      let next = this.kids[2 * node + bit] ?? 0;
      if (next === 0) {
        if (this.nodes === this.slot.length) this.grow();
        next = this.nodes++;
        this.kids[2 * node + bit] = next;
      }
      node = next;
    }
    const old = this.slot[node] ?? 0;
    this.slot[node] = value;
    return old;
  }

  /**
   * Walks the address's path, longest prefix last: calls `visit` with each slot set on it until
   * `visit` returns true; returns that slot, or 0.
   */
  walk(words: ArrayLike<number>, bits: number, visit: ((slot: number) => boolean) | null): number {
    let node = 0;
    let found = 0;
    for (let i = 0; ; i++) {
      const s = this.slot[node] ?? 0;
      if (s !== 0) {
        if (visit === null) found = s;
        else if (visit(s)) return s;
      }
      if (i === bits) break;
      const bit = ((words[i >>> 5] ?? 0) >>> (31 - (i & 31))) & 1;
      node = this.kids[2 * node + bit] ?? 0;
      if (node === 0) break;
    }
    return visit === null ? found : 0;
  }
}

/**
 * IPv4 and IPv6 prefixes mapped to values, longest match wins (`lookup`). IPv4-mapped IPv6
 * addresses are looked up as IPv4. Build at load time; a lookup allocates nothing.
 */
export class IpPrefixIndex<T> {
  private readonly v4 = new BitTrie();
  private readonly v6 = new BitTrie();
  /** Slot n → value; slot 0 is unused. */
  private readonly values: (T | undefined)[] = [undefined];
  private readonly free: number[] = [];
  private readonly words = new Uint32Array(4);
  private count = 0;
  private accepting: ((v: T) => boolean) | null = null;
  /** Bound once: `find` allocates no closure. */
  private readonly visit = (s: number): boolean => {
    const v = this.values[s];
    return v !== undefined && this.accepting !== null && this.accepting(v);
  };

  /** Prefixes held. */
  get size(): number {
    return this.count;
  }

  /** Sets the value of a prefix (`1.2.0.0/16`, `2600:1f00::/24`); false when it is malformed. */
  set(cidr: string, value: T): boolean {
    const p = parsePrefix(cidr);
    if (p === undefined) return false;
    const slot = this.free.pop() ?? this.values.length;
    this.values[slot] = value;
    const old = (p.kind === 4 ? this.v4 : this.v6).set(p.words, p.bits, slot);
    if (old !== 0) this.release(old);
    else this.count++;
    return true;
  }

  /** Removes a prefix; false when it was not there or is malformed. */
  delete(cidr: string): boolean {
    const p = parsePrefix(cidr);
    if (p === undefined) return false;
    const old = (p.kind === 4 ? this.v4 : this.v6).set(p.words, p.bits, 0);
    if (old === 0) return false;
    this.release(old);
    this.count--;
    return true;
  }

  private release(slot: number): void {
    this.values[slot] = undefined;
    this.free.push(slot);
  }

  /** The value of the longest prefix holding the address, or undefined (also for non-addresses). */
  lookup(ip: string): T | undefined {
    if (this.count === 0 || ip.length > MAX_IP_TEXT) return undefined;
    const kind = parseIp(ip, this.words);
    if (kind === 0) return undefined;
    const slot = (kind === 4 ? this.v4 : this.v6).walk(this.words, kind === 4 ? 32 : 128, null);
    return this.values[slot];
  }

  /** {@link lookup} of an IPv4 address given as an unsigned 32-bit integer. */
  lookupV4(n: number): T | undefined {
    this.words[0] = n;
    return this.values[this.v4.walk(this.words, 32, null)];
  }

  /**
   * The first value on the address's path (shortest prefix first) that `accept` takes, or
   * undefined: e.g. a live block when a longer one has expired.
   */
  find(ip: string, accept: (v: T) => boolean): T | undefined {
    if (this.count === 0 || ip.length > MAX_IP_TEXT) return undefined;
    const kind = parseIp(ip, this.words);
    if (kind === 0) return undefined;
    this.accepting = accept;
    const slot = (kind === 4 ? this.v4 : this.v6).walk(
      this.words,
      kind === 4 ? 32 : 128,
      this.visit,
    );
    this.accepting = null;
    return slot === 0 ? undefined : this.values[slot];
  }
}
