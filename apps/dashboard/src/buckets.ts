/**
 * Prometheus histograms as cumulative buckets, the counts that arrived between two scrapes, and
 * quantiles over them with `histogram_quantile`'s linear interpolation: p50/p99 of the last
 * second come from the bucket deltas of two scrapes a second apart, not from the lifetime counts.
 */
import type { MetricIndex } from './prom-text.js';

/** One cumulative bucket: observations ≤ `le` (the last one is `+Inf`). */
export interface Bucket {
  readonly le: number;
  readonly count: number;
}

/**
 * The buckets of histogram `name` (`<name>_bucket` samples), summed over every series of a group:
 * keyed by the value of label `groupBy` (`''` without one). Sorted by `le`.
 */
export function histogramOf(
  index: MetricIndex,
  name: string,
  groupBy?: string,
): Map<string, Bucket[]> {
  const groups = new Map<string, Map<number, number>>();
  for (const s of index.get(`${name}_bucket`) ?? []) {
    const leRaw = s.labels['le'];
    if (leRaw === undefined) continue;
    const le = leRaw === '+Inf' ? Number.POSITIVE_INFINITY : Number(leRaw);
    if (Number.isNaN(le)) continue;
    const key = groupBy === undefined ? '' : (s.labels[groupBy] ?? '');
    let g = groups.get(key);
    if (!g) groups.set(key, (g = new Map()));
    g.set(le, (g.get(le) ?? 0) + s.value);
  }
  const out = new Map<string, Bucket[]>();
  for (const [key, g] of groups)
    out.set(
      key,
      [...g].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le),
    );
  return out;
}

/** Bucket-wise sum of two histograms with the same bounds (two processes of one service). */
export function addBuckets(a: readonly Bucket[], b: readonly Bucket[]): Bucket[] {
  const sums = new Map<number, number>();
  for (const x of [...a, ...b]) sums.set(x.le, (sums.get(x.le) ?? 0) + x.count);
  return [...sums].map(([le, count]) => ({ le, count })).sort((x, y) => x.le - y.le);
}

/**
 * What arrived between two scrapes: `cur − prev` per bucket. A count that went down means the
 * process restarted (counters reset), and everything in `cur` is new then, as Prometheus's
 * `increase` reads it.
 */
export function bucketDelta(prev: readonly Bucket[], cur: readonly Bucket[]): Bucket[] {
  const before = new Map(prev.map((b) => [b.le, b.count]));
  const delta = cur.map((b) => ({ le: b.le, count: b.count - (before.get(b.le) ?? 0) }));
  return delta.some((b) => b.count < 0) ? [...cur] : delta;
}

/** Observations counted by cumulative buckets (the `+Inf` bucket, or the last one). */
export function bucketTotal(buckets: readonly Bucket[]): number {
  return buckets[buckets.length - 1]?.count ?? 0;
}

/**
 * The `q` quantile (0..1) of the observations in cumulative `buckets`, interpolated linearly
 * inside the bucket it falls in (as `histogram_quantile` does; the first bucket's lower bound
 * is 0). A rank in the `+Inf` bucket answers the highest finite bound. Null without observations.
 */
export function quantileOf(q: number, buckets: readonly Bucket[]): number | null {
  const total = bucketTotal(buckets);
  if (!(total > 0)) return null;
  const rank = Math.min(1, Math.max(0, q)) * total;
  let lowerLe = 0;
  let lowerCount = 0;
  for (const b of buckets) {
    if (b.count >= rank && b.count > lowerCount) {
      if (b.le === Number.POSITIVE_INFINITY) return lowerLe;
      return lowerLe + ((b.le - lowerLe) * (rank - lowerCount)) / (b.count - lowerCount);
    }
    if (b.le !== Number.POSITIVE_INFINITY) lowerLe = b.le;
    lowerCount = b.count;
  }
  return lowerLe;
}
