/**
 * Threshold expressions, as k6 users write them: `metric{tag:value,...} op number`, e.g.
 * `p99_ms{region:us,scenario:ctv} < 30`, `checks{scenario:*} > 0.999`, `double_bills == 0`.
 * Grammar (whitespace allowed between tokens, nowhere else):
 *
 *   expr    = metric [ "{" tag *( "," tag ) "}" ] op number
 *   tag     = key ":" ( value / "*" )        ; key [a-z][a-z0-9_]*, value [A-Za-z0-9_.-]+
 *   op      = "<" / "<=" / ">" / ">=" / "==" / "!="
 *   number  = finite decimal, optional exponent (no Infinity, no hex)
 *
 * A `*` value judges every value of that tag on its own (all must hold); without it the
 * matching series are merged and judged once. Pure: the file's expressions are parsed here once,
 * at start-up, and a bad one is a usage error that names it.
 */

/** Metrics judged per series (scenario × region), which tags can filter. */
export const SERIES_METRICS = [
  'p50_ms',
  'p90_ms',
  'p99_ms',
  'p999_ms',
  'max_ms',
  'rps',
  'error_rate',
  'bid_rate',
  'checks',
  'checks_pass_rate',
] as const;

/** Metrics of the whole run (business results): they take no tags. */
export const RUN_METRICS = [
  'overspend_pct',
  'double_bills',
  'unbilled_wins',
  'test_traffic_billed',
  'bids_on_known_bots',
  'freq_cap_violations',
  'blocklisted_bids',
  'invalid_spend_micros',
  'replication_lag_p99_ms',
] as const;

export type SeriesMetric = (typeof SERIES_METRICS)[number];
export type RunMetric = (typeof RUN_METRICS)[number];
export type ThresholdOp = '<' | '<=' | '>' | '>=' | '==' | '!=';

/** A parsed threshold expression. */
export interface ThresholdExpr {
  /** The expression as written (trimmed): its key in the summary. */
  text: string;
  metric: SeriesMetric | RunMetric;
  /** Tag filters `[key, value]` in the order written; `*` groups by that tag. */
  tags: readonly (readonly [string, string])[];
  op: ThresholdOp;
  limit: number;
}

/** Longest expression accepted (a file is hostile input too). */
export const MAX_THRESHOLD_LENGTH = 200;

const GRAMMAR =
  /^([a-z][a-z0-9_]*)\s*(?:\{([^{}]*)\})?\s*(<=|>=|==|!=|<|>)\s*(-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?)$/;
const TAG = /^([a-z][a-z0-9_]{0,31})\s*:\s*(\*|[A-Za-z0-9_.-]{1,64})$/;

const isSeries = (m: string): m is SeriesMetric =>
  (SERIES_METRICS as readonly string[]).includes(m);
const isRun = (m: string): m is RunMetric => (RUN_METRICS as readonly string[]).includes(m);

/** Parses one expression; the error says what is wrong with it. */
export function parseThreshold(
  input: string,
): { ok: true; expr: ThresholdExpr } | { ok: false; error: string } {
  const text = input.trim();
  if (text.length > MAX_THRESHOLD_LENGTH)
    return { ok: false, error: `longer than ${String(MAX_THRESHOLD_LENGTH)} characters` };
  const m = GRAMMAR.exec(text);
  if (!m) return { ok: false, error: 'expected metric{tag:value,...} <op> number' };
  const [, metric = '', tagText, op = '', num = ''] = m;
  if (!isSeries(metric) && !isRun(metric))
    return {
      ok: false,
      error: `unknown metric ${metric} (one of ${[...SERIES_METRICS, ...RUN_METRICS].join(', ')})`,
    };
  const tags: [string, string][] = [];
  if (tagText !== undefined) {
    if (isRun(metric)) return { ok: false, error: `${metric} is a whole-run metric: no tags` };
    for (const part of tagText.split(',')) {
      const t = TAG.exec(part.trim());
      if (!t) return { ok: false, error: `bad tag ${JSON.stringify(part.trim())} (key:value)` };
      const [, key = '', value = ''] = t;
      if (tags.some(([k]) => k === key)) return { ok: false, error: `tag ${key} given twice` };
      tags.push([key, value]);
    }
  }
  const limit = Number(num);
  if (!Number.isFinite(limit)) return { ok: false, error: `${num} is not a finite number` };
  return { ok: true, expr: { text, metric, tags, op: op as ThresholdOp, limit } };
}

/** Whether `value op limit` holds. */
export function holds(value: number, op: ThresholdOp, limit: number): boolean {
  switch (op) {
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
    case '>':
      return value > limit;
    case '>=':
      return value >= limit;
    case '==':
      return value === limit;
    case '!=':
      return value !== limit;
  }
}

/** Of several groups' values, the one that judges them all: the worst for the operator. */
export function worstOf(values: readonly number[], op: ThresholdOp, limit: number): number {
  const failing = values.find((v) => !holds(v, op, limit));
  if (failing !== undefined && (op === '==' || op === '!=')) return failing;
  if (op === '<' || op === '<=') return Math.max(...values);
  if (op === '>' || op === '>=') return Math.min(...values);
  return values[0] ?? Number.NaN;
}
