import { describe, expect, it } from 'vitest';
import { mergeResults } from './merge.js';
import { latencySummary, newLatencyHistogram, type OpenModelResult } from './open-model.js';

function result(latenciesUs: number[], second: number): OpenModelResult {
  const h = newLatencyHistogram();
  for (const v of latenciesUs) h.recordValue(v);
  return {
    targetRate: 10,
    durationS: 10,
    sent: latenciesUs.length,
    completed: latenciesUs.length,
    errors: 1,
    skipped: 0,
    statusCounts: { '200': latenciesUs.length },
    tagCounts: { eu: latenciesUs.length },
    throughputRps: latenciesUs.length / 10,
    latencyMs: latencySummary(h),
    sendLagMs: { p99: 1, max: 2 },
    timeline: [{ second, sent: 3, completed: 3, errors: 0, p50Ms: 1, p99Ms: second + 1 }],
    histogram: h,
  };
}

describe('mergeResults', () => {
  it('takes the percentiles of the summed histograms, not the worst or mean of the runs', () => {
    // 90 fast requests in one run, 10 slow ones in the other: p50 is fast, p99 is slow.
    const fast = result(
      Array.from({ length: 90 }, () => 1000),
      0,
    );
    const slow = result(
      Array.from({ length: 10 }, () => 50_000),
      0,
    );
    const m = mergeResults([fast, slow]);
    const all = newLatencyHistogram();
    for (let i = 0; i < 90; i++) all.recordValue(1000);
    for (let i = 0; i < 10; i++) all.recordValue(50_000);
    expect(m.latencyMs).toEqual(latencySummary(all));
    expect(m.latencyMs.p50).toBe(1);
    expect(m.latencyMs.p99).toBeCloseTo(50, 0);
    expect(m.sent).toBe(100);
    expect(m.errors).toBe(2);
    expect(m.statusCounts).toEqual({ '200': 100 });
    expect(m.throughputRps).toBe(10);
  });

  it('adds the timelines per second and fills the seconds no run had', () => {
    const m = mergeResults([result([1000], 0), result([1000], 2)]);
    expect(m.timeline?.map((t) => t.sent)).toEqual([3, 0, 3]);
    expect(m.timeline?.[2]?.p99Ms).toBe(3);
  });

  it('returns a single result unchanged and refuses none', () => {
    const one = result([1000], 0);
    expect(mergeResults([one])).toBe(one);
    expect(() => mergeResults([])).toThrow();
  });
});
