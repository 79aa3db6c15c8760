/**
 * Merging the results of open-model runs that ran side by side (several scenarios against one
 * target): counts add up, and the latency percentiles come from the sum of their HDR histograms,
 * so the merge is exact, not an average of percentiles.
 */
import { latencySummary, newLatencyHistogram, type OpenModelResult } from './open-model.js';

const addCounts = (into: Record<string, number>, from: Record<string, number>): void => {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
};

/**
 * One result for runs that ran at the same time. Latency is exact when every result carries its
 * histogram (as `runOpenModel`'s do); without them each percentile is the worst of the runs' (an
 * upper bound). The timeline adds up per second, its percentiles being the worst run's of that
 * second (per-second histograms are not kept). Throughput is every completion over the longest
 * run's duration (runs that start late or end early count at their share of that time).
 */
export function mergeResults(results: readonly OpenModelResult[]): OpenModelResult {
  const [only] = results;
  if (!only) throw new Error('mergeResults needs at least one result');
  if (results.length === 1) return only;
  const statusCounts: Record<string, number> = {};
  const tagCounts: Record<string, number> = {};
  const sum = (f: (r: OpenModelResult) => number): number => results.reduce((a, r) => a + f(r), 0);
  const max = (f: (r: OpenModelResult) => number): number =>
    results.reduce((a, r) => Math.max(a, f(r)), 0);
  for (const r of results) {
    addCounts(statusCounts, r.statusCounts);
    addCounts(tagCounts, r.tagCounts);
  }
  let latencyMs = {
    p50: max((r) => r.latencyMs.p50),
    p90: max((r) => r.latencyMs.p90),
    p99: max((r) => r.latencyMs.p99),
    p999: max((r) => r.latencyMs.p999),
    max: max((r) => r.latencyMs.max),
    mean: max((r) => r.latencyMs.mean),
  };
  let histogram;
  if (results.every((r) => r.histogram !== undefined)) {
    histogram = newLatencyHistogram();
    for (const r of results) if (r.histogram) histogram.add(r.histogram);
    latencyMs = latencySummary(histogram);
  }
  const durationS = max((r) => r.durationS);
  const merged: OpenModelResult = {
    targetRate: sum((r) => r.targetRate),
    durationS,
    sent: sum((r) => r.sent),
    completed: sum((r) => r.completed),
    errors: sum((r) => r.errors),
    skipped: sum((r) => r.skipped),
    statusCounts,
    tagCounts,
    throughputRps: Math.round(sum((r) => r.completed) / durationS),
    latencyMs,
    sendLagMs: { p99: max((r) => r.sendLagMs.p99), max: max((r) => r.sendLagMs.max) },
    ...(histogram ? { histogram } : {}),
  };
  if (results.some((r) => r.timeline)) {
    const timeline: NonNullable<OpenModelResult['timeline']> = [];
    for (const r of results)
      for (const p of r.timeline ?? []) {
        const t = (timeline[p.second] ??= {
          second: p.second,
          sent: 0,
          completed: 0,
          errors: 0,
          p50Ms: 0,
          p99Ms: 0,
        });
        t.sent += p.sent;
        t.completed += p.completed;
        t.errors += p.errors;
        t.p50Ms = Math.max(t.p50Ms, p.p50Ms);
        t.p99Ms = Math.max(t.p99Ms, p.p99Ms);
      }
    for (let s = 0; s < timeline.length; s++)
      timeline[s] ??= { second: s, sent: 0, completed: 0, errors: 0, p50Ms: 0, p99Ms: 0 };
    merged.timeline = timeline;
  }
  return merged;
}
