/**
 * The versions of one reference-data list (the bot rules, the data-centre ranges, one ad
 * system's sellers list) as its compacted topic holds them, and which is in force when.
 *
 * Rule: the version in force at time t is the highest `version` whose `effectiveFrom` ≤ t; before
 * every version's `effectiveFrom`, none (the caller's built-in default). So a new version takes
 * over from its `effectiveFrom` on, and a correction published later with the same (or an
 * earlier) `effectiveFrom` and a higher version replaces the old one for that time too: a replay
 * applies what was declared in force at the event's time, which after a retroactive correction is
 * not what a bidder applied then.
 */
export interface ReferenceVersion<T> {
  version: number;
  /** ms since the epoch. */
  effectiveFrom: number;
  value: T;
}

/** A stretch of time [from, to) over which one version (or none: the default) is in force. */
export interface ReferenceSpan<T> {
  from: number;
  /** Exclusive; +Infinity for the last span. */
  to: number;
  /** null: no version is in force (the built-in default applies). */
  entry: ReferenceVersion<T> | null;
}

export class ReferenceHistory<T> {
  private readonly versions = new Map<number, ReferenceVersion<T>>();
  private spans: ReferenceSpan<T>[] | null = null;
  /** Changes on every put and remove: readers caching what they built from it compare it. */
  generation = 0;

  /** Versions held. */
  get size(): number {
    return this.versions.size;
  }

  /** Adds a version, or replaces the one with the same number (a compacted topic's newer value). */
  put(entry: ReferenceVersion<T>): void {
    this.versions.set(entry.version, entry);
    this.spans = null;
    this.generation++;
  }

  /** Retires a version (a tombstone). */
  remove(version: number): boolean {
    const had = this.versions.delete(version);
    if (had) {
      this.spans = null;
      this.generation++;
    }
    return had;
  }

  /** The version in force at `t`, or null before the first one. */
  at(t: number): ReferenceVersion<T> | null {
    return this.spanAt(t).entry;
  }

  /**
   * The span holding `t`: callers that look up many nearby times (a replay) keep it and look
   * again only when a time falls outside [from, to).
   */
  spanAt(t: number): ReferenceSpan<T> {
    const spans = this.timeline();
    // Binary search for the last span starting at or before t; spans[0] starts at -Infinity.
    let lo = 0;
    let hi = spans.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((spans[mid] as ReferenceSpan<T>).from <= t) lo = mid;
      else hi = mid - 1;
    }
    return spans[lo] as ReferenceSpan<T>;
  }

  /** The whole timeline: consecutive spans from -Infinity to +Infinity. */
  timeline(): readonly ReferenceSpan<T>[] {
    if (this.spans) return this.spans;
    const byTime = [...this.versions.values()].sort(
      (a, b) => a.effectiveFrom - b.effectiveFrom || a.version - b.version,
    );
    const spans: ReferenceSpan<T>[] = [
      { from: Number.NEGATIVE_INFINITY, to: Number.POSITIVE_INFINITY, entry: null },
    ];
    let best: ReferenceVersion<T> | null = null;
    for (const v of byTime) {
      // A version that starts later but is lower than the one in force never comes into force.
      if (best !== null && v.version < best.version) continue;
      best = v;
      const last = spans[spans.length - 1] as ReferenceSpan<T>;
      if (last.from === v.effectiveFrom) last.entry = v;
      else {
        last.to = v.effectiveFrom;
        spans.push({ from: v.effectiveFrom, to: Number.POSITIVE_INFINITY, entry: v });
      }
    }
    this.spans = spans;
    return spans;
  }
}
