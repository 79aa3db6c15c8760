/**
 * Judging threshold expressions (threshold-expr.ts) against a run: series metrics over the
 * (scenario × region) cells their tags select, whole-run metrics over the business results.
 * Latency of merged cells comes from their summed HDR histograms (exact).
 */
import { mergeResults } from '@streambid/loadgen';
import { addCheckCounts, emptyCheckCounts, passRate } from './checks.js';
import type { RegionRun, ScenarioRegionRun } from './region-run.js';
import {
  holds,
  SERIES_METRICS,
  worstOf,
  type RunMetric,
  type SeriesMetric,
  type ThresholdExpr,
} from './threshold-expr.js';

/** One threshold and whether the run held it. */
export interface Threshold {
  name: string;
  limit: number;
  value: number | null;
  ok: boolean;
  /** How value meets limit. @default '<=' (absent) */
  op?: '<=' | '>=' | '<' | '>' | '==' | '!=';
  /** With a `*` tag: each group's value, by its tag values (e.g. `scenario:ctv`). */
  groups?: Record<string, number>;
}

/** One series: a scenario's traffic in one region, with the tags it carries. */
export interface Cell {
  scenario: string;
  region: string;
  run: ScenarioRegionRun;
}

/** Every (scenario, region) series of the measured phase. */
export const cellsOf = (runs: readonly RegionRun[]): Cell[] =>
  runs.flatMap((r) =>
    r.scenarios.map((run) => ({ scenario: run.scenario, region: r.region, run })),
  );

/** A cell's value of a tag (undefined: the cell does not carry it). */
function tagOf(c: Cell, key: string): string | undefined {
  if (key === 'scenario') return c.scenario;
  if (key === 'region') return c.region;
  return Object.hasOwn(c.run.tags, key) ? c.run.tags[key] : undefined;
}

const round = (v: number, d = 5): number => Math.round(v * 10 ** d) / 10 ** d;

/** A series metric over a group of cells taken together. */
export function seriesValue(metric: SeriesMetric, cells: readonly Cell[]): number {
  const result = mergeResults(cells.map((c) => c.run.result));
  const s5xx = Object.entries(result.statusCounts)
    .filter(([k]) => k.startsWith('5'))
    .reduce((a, [, v]) => a + v, 0);
  switch (metric) {
    case 'p50_ms':
      return result.latencyMs.p50;
    case 'p90_ms':
      return result.latencyMs.p90;
    case 'p99_ms':
      return result.latencyMs.p99;
    case 'p999_ms':
      return result.latencyMs.p999;
    case 'max_ms':
      return result.latencyMs.max;
    case 'rps':
      // Each series' completions over the seconds it sent for, added up.
      return round(
        cells.reduce((a, c) => a + c.run.result.completed / Math.max(c.run.activeS, 1e-9), 0),
        1,
      );
    case 'error_rate':
      return result.sent === 0 ? 0 : round((result.errors + s5xx) / result.sent);
    case 'bid_rate':
      return result.completed === 0
        ? 0
        : round((result.statusCounts['200'] ?? 0) / result.completed, 4);
    case 'checks':
    case 'checks_pass_rate': {
      const all = emptyCheckCounts();
      for (const c of cells) addCheckCounts(all, c.run.checks);
      return round(passRate(all));
    }
  }
}

/** Judges one expression. A filter that selects no series fails with value null. */
export function judgeExpr(
  e: ThresholdExpr,
  cells: readonly Cell[],
  runMetrics: Readonly<Record<RunMetric, number | null>>,
): Threshold {
  const base = { name: e.text, limit: e.limit, op: e.op };
  if (!isSeriesMetric(e.metric)) {
    const value = runMetrics[e.metric];
    return { ...base, value, ok: value !== null && holds(value, e.op, e.limit) };
  }
  const metric = e.metric;
  const fixed = e.tags.filter(([, v]) => v !== '*');
  const grouped = e.tags.filter(([, v]) => v === '*').map(([k]) => k);
  const selected = cells.filter(
    (c) =>
      fixed.every(([k, v]) => tagOf(c, k) === v) && grouped.every((k) => tagOf(c, k) !== undefined),
  );
  if (selected.length === 0) return { ...base, value: null, ok: false };
  if (grouped.length === 0) {
    const value = seriesValue(metric, selected);
    return { ...base, value, ok: holds(value, e.op, e.limit) };
  }
  const groups = new Map<string, Cell[]>();
  for (const c of selected) {
    const key = grouped.map((k) => `${k}:${tagOf(c, k) ?? ''}`).join(',');
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const values = [...groups].map(([k, g]) => [k, seriesValue(metric, g)] as const);
  const value = worstOf(
    values.map(([, v]) => v),
    e.op,
    e.limit,
  );
  return {
    ...base,
    value,
    ok: values.every(([, v]) => holds(v, e.op, e.limit)),
    groups: Object.fromEntries(values),
  };
}

const isSeriesMetric = (m: SeriesMetric | RunMetric): m is SeriesMetric =>
  (SERIES_METRICS as readonly string[]).includes(m);

/**
 * One line per failed threshold: `threshold FAILED: <name> = <value>`, then for a built-in one how
 * it missed its limit, for an expression (which carries its limit) the groups that failed.
 */
export function failedThresholdLines(list: readonly Threshold[]): string[] {
  return list
    .filter((t) => !t.ok)
    .map((t) => {
      const head = `threshold FAILED: ${t.name} = ${t.value === null ? 'no data' : String(t.value)}`;
      if (t.op === undefined || t.op === '>=' || t.op === '<=')
        if (!/[<>=]/.test(t.name)) return `${head} ${t.op === '>=' ? '<' : '>'} ${String(t.limit)}`;
      const bad = Object.entries(t.groups ?? {})
        .filter(([, v]) => !holds(v, t.op ?? '<=', t.limit))
        .map(([k, v]) => `${k} ${String(v)}`);
      return bad.length > 0 ? `${head} (${bad.join('; ')})` : head;
    });
}
