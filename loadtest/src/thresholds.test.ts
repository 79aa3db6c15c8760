import { describe, expect, it } from 'vitest';
import { latencySummary, newLatencyHistogram, type OpenModelResult } from '@streambid/loadgen';
import { emptyCheckCounts } from './checks.js';
import { emptyRegionRun, type RegionRun, type ScenarioRegionRun } from './region-run.js';
import { parseThreshold, type RunMetric } from './threshold-expr.js';
import { cellsOf, failedThresholdLines, judgeExpr } from './thresholds.js';

function series(
  scenario: string,
  latencyUs: number,
  n: number,
  opts: { fails?: number; tags?: Record<string, string>; s5xx?: number } = {},
): ScenarioRegionRun {
  const h = newLatencyHistogram();
  for (let i = 0; i < n; i++) h.recordValue(latencyUs);
  const result: OpenModelResult = {
    targetRate: n / 10,
    durationS: 10,
    sent: n,
    completed: n,
    errors: 0,
    skipped: 0,
    statusCounts: { '200': n - (opts.s5xx ?? 0), ...(opts.s5xx ? { '503': opts.s5xx } : {}) },
    tagCounts: {},
    throughputRps: n / 10,
    latencyMs: latencySummary(h),
    sendLagMs: { p99: 0, max: 0 },
    histogram: h,
  };
  const checks = emptyCheckCounts();
  checks.response_schema = { passes: 1000 - (opts.fails ?? 0), fails: opts.fails ?? 0 };
  return { scenario, tags: opts.tags ?? {}, activeS: 10, result, checks, bids: n };
}

function region(r: 'eu' | 'us', scenarios: ScenarioRegionRun[]): RegionRun {
  return { ...emptyRegionRun(r), result: scenarios[0]?.result as OpenModelResult, scenarios };
}

const runs = [
  region('eu', [
    series('banner', 5_000, 100, { tags: { media: 'banner' } }),
    series('ctv', 20_000, 50, { tags: { media: 'video' } }),
  ]),
  region('us', [
    series('banner', 6_000, 100, { tags: { media: 'banner' } }),
    series('ctv', 40_000, 50, { fails: 2, tags: { media: 'video' }, s5xx: 1 }),
  ]),
];
const cells = cellsOf(runs);
const business: Record<RunMetric, number | null> = {
  overspend_pct: 0.4,
  double_bills: 1,
  unbilled_wins: 0,
  test_traffic_billed: 0,
  bids_on_known_bots: 0,
  freq_cap_violations: 0,
  blocklisted_bids: 0,
  invalid_spend_micros: 0,
  replication_lag_p99_ms: null,
};
const judge = (text: string) => {
  const r = parseThreshold(text);
  if (!r.ok) throw new Error(r.error);
  return judgeExpr(r.expr, cells, business);
};
/** HDR keeps 3 significant digits: 40 ms reads back as 40.031. */
const about = (v: number | null | undefined): number => Math.round(v ?? Number.NaN);

describe('judging threshold expressions', () => {
  it('filters series by region and scenario', () => {
    const us = judge('p99_ms{region:us,scenario:ctv} < 30');
    expect([about(us.value), us.ok]).toEqual([40, false]);
    const eu = judge('p99_ms{region:eu,scenario:ctv} < 30');
    expect([about(eu.value), eu.ok]).toEqual([20, true]);
  });

  it('merges the selected series exactly, and judges each group of a * tag on its own', () => {
    // Over every series 300 requests: 200 banner at 5–6 ms, so p50 is a banner's.
    const p50 = judge('p50_ms < 10');
    expect([about(p50.value), p50.ok]).toEqual([6, true]);
    const all = judge('p99_ms{scenario:*} < 30');
    expect([about(all.value), all.ok]).toEqual([40, false]);
    expect(Object.keys(all.groups ?? {})).toEqual(['scenario:banner', 'scenario:ctv']);
    expect(about(all.groups?.['scenario:banner'])).toBe(6);
    expect(judge('checks{scenario:*} > 0.999')).toMatchObject({ ok: false, value: 0.999 });
    expect(judge('checks{scenario:banner} > 0.999')).toMatchObject({ ok: true, value: 1 });
  });

  it('filters on a scenario tag, and computes rates and error rates per series', () => {
    const video = judge('p99_ms{media:video} <= 41');
    expect([about(video.value), video.ok]).toEqual([40, true]);
    expect(judge('rps{scenario:banner} >= 20')).toMatchObject({ value: 20, ok: true });
    expect(judge('error_rate{region:us,scenario:ctv} < 0.01')).toMatchObject({
      value: 0.02,
      ok: false,
    });
  });

  it('judges whole-run metrics, and fails a filter that selects nothing or a metric without data', () => {
    expect(judge('double_bills == 0')).toMatchObject({ value: 1, ok: false });
    expect(judge('overspend_pct < 1')).toMatchObject({ value: 0.4, ok: true });
    expect(judge('replication_lag_p99_ms < 100')).toMatchObject({ value: null, ok: false });
    expect(judge('p99_ms{media:native} < 100')).toMatchObject({ value: null, ok: false });
  });

  it('prints one line naming each failed threshold and its value', () => {
    const lines = failedThresholdLines([
      judge('p99_ms{scenario:*} < 30'),
      judge('double_bills == 0'),
      judge('overspend_pct < 1'),
      { name: 'error_rate', limit: 0.01, value: 0.5, ok: false },
    ]);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^threshold FAILED: p99_ms\{scenario:\*\} < 30 = 40\.\d+ \(scenario:ctv 40\.\d+\)$/,
    );
    expect(lines.slice(1)).toEqual([
      'threshold FAILED: double_bills == 0 = 1',
      'threshold FAILED: error_rate = 0.5 > 0.01',
    ]);
  });
});
