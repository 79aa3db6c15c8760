/**
 * `--find-max`, the pure part: which rates to try, what one trial's figures are (judged by the
 * same thresholds as a fixed-rate run), and how a step and the whole search read as JSON.
 * The repeat-and-median rule itself is the loadgen's (`findMaxRates`, `judgeStep`).
 */
import { rateSteps, type StepRecord, type TrialFigures } from '@streambid/loadgen';
import type { FindMaxOptions, Scenario } from './args.js';
import type { RegionRun } from './run.js';
import type { GcLogs } from './gc-logs.js';
import type { CpuShare, PhaseView, SecondRow, Stall } from './seconds.js';
import { regionFigures, trafficThresholds, type Threshold } from './summary.js';

/** The rates a search tries, increasing, none above `maxRate`. */
export function stepSchedule(o: Pick<FindMaxOptions, 'start' | 'factor' | 'step' | 'maxRate'>) {
  const rates: number[] = [];
  if (o.step !== undefined) for (let r = o.start; r <= o.maxRate; r += o.step) rates.push(r);
  else rates.push(...rateSteps(o.start, o.maxRate, o.factor));
  return rates.map(Math.round).filter((r, i, all) => r > 0 && (i === 0 || r > (all[i - 1] ?? 0)));
}

/** Seconds a trial's exchange goes on after its traffic (notices, clicks up to 3 × 2 s). */
const TRIAL_TAIL_S = 7;

/** How long a search that tries every rate takes at most (traffic and tails), in seconds. */
export function plannedSearchS(o: FindMaxOptions, rates: readonly number[], warmupS: number) {
  return warmupS + TRIAL_TAIL_S + rates.length * o.trials * (o.trialS + TRIAL_TAIL_S);
}

/**
 * Budget per campaign for a search: the flight is as long as the whole search may take, and the
 * inventory paces a budget evenly over its flight, so the budget grows with it to keep the spend
 * allowed per second that of a fixed-rate run with the default warm-up and duration.
 */
export function searchBudget(scenario: Scenario, flightS: number): number {
  // A fixed-rate flight: 60 s before the start, warm-up 10 s, 30 s measured, 20 s after.
  const fixedFlightS = 60 + 10 + 30 + 20;
  return scenario.budgetPerCampaign * Math.max(1, (60 + flightS) / fixedFlightS);
}

/** One trial of a step: its figures, judged by the scenario's traffic thresholds. */
export interface Trial extends TrialFigures {
  /** The worst region's p99 (ms), what the p99 threshold reads. */
  p99Ms: number;
  /**
   * Errors when the error rate is above its threshold, else 0: `judgeStep` fails a trial on any
   * error, the scenario allows a share of them.
   */
  errors: number;
  /** Whether the trial held the p99 and error-rate thresholds (summary.ts). */
  ok: boolean;
  thresholds: Threshold[];
  errorRate: number;
  regions: Record<
    string,
    { p99_ms: number; bid_rate: number; rps: number; send_lag_p99_ms: number; errors: number }
  >;
  view: PhaseView;
}

/** The figures of one trial from its regions' runs and its per-second view. */
export function trialOf(
  runs: readonly RegionRun[],
  view: PhaseView,
  limits: Scenario['thresholds'],
): Trial {
  const fig = regionFigures(runs);
  const thresholds = trafficThresholds(fig.regions, fig.errors, fig.sent, limits);
  const errorRate = fig.sent === 0 ? 0 : fig.errors / fig.sent;
  const errorsOk = thresholds.find((t) => t.name === 'error_rate')?.ok ?? true;
  const regions: Trial['regions'] = {};
  for (const [r, f] of Object.entries(fig.regions))
    regions[r] = {
      p99_ms: f.p99_ms,
      bid_rate: f.bid_rate,
      rps: f.rps,
      send_lag_p99_ms: f.send_lag_p99_ms,
      errors: f.errors,
    };
  const p99s = Object.values(fig.regions).map((r) => r.p99_ms);
  return {
    p99Ms: p99s.length ? Math.max(...p99s) : Number.POSITIVE_INFINITY,
    errors: errorsOk ? 0 : Math.max(1, fig.errors),
    ok: thresholds.every((t) => t.ok),
    thresholds,
    errorRate,
    regions,
    view,
  };
}

/** Means of CPU shares (a role missing from a share counts 0 there), rounded. */
export function meanShare(shares: readonly (CpuShare | undefined)[]): CpuShare | undefined {
  const list = shares.filter((s): s is CpuShare => s !== undefined);
  if (list.length === 0) return undefined;
  const sum: Record<string, number> = {};
  for (const s of list)
    for (const [role, v] of Object.entries(s.cpu)) sum[role] = (sum[role] ?? 0) + v;
  const mean = (f: (s: CpuShare) => number): number =>
    Math.round((list.reduce((a, s) => a + f(s), 0) / list.length) * 10) / 10;
  return {
    cpu: Object.fromEntries(
      Object.entries(sum)
        .map(([role, v]) => [role, Math.round(v / list.length)] as const)
        .sort((a, b) => b[1] - a[1]),
    ),
    steal_pct: mean((s) => s.steal_pct),
    busy_pct: mean((s) => s.busy_pct),
    steal_max_pct: Math.max(...list.map((s) => s.steal_max_pct)),
  };
}

/** Stalls listed per step in the last-line JSON (the report file has them all). */
const STALLS_PER_STEP = 5;

/** One step as the JSON shows it. */
export interface StepJson {
  rate: number;
  ok: boolean;
  /** Trials that held the thresholds on their own. */
  passed: number;
  /** The median trial's worst-region p99 (ms). */
  median_p99_ms: number;
  trials: {
    pass: boolean;
    p99_ms: Record<string, number>;
    bid_rate: Record<string, number>;
    error_rate: number;
    /** The generator's worst send lag (ms): large when the client, not the stack, was the limit. */
    send_lag_p99_ms: number;
    steal_pct: number | null;
    stalls: number;
  }[];
  /** Mean CPU per role over the step's trials, % of one core; `other` is outside the stack. */
  cpu: Record<string, number>;
  steal_pct: number | null;
  busy_pct: number | null;
  /** Seconds in which every region stalled (at most 5 here), with the trial they were in. */
  stalls: (Stall & { trial: number })[];
  /** With `full`: every trial's per-second view. */
  seconds?: SecondRow[][];
}

const r1 = (x: number): number => Math.round(x * 10) / 10;

/** A step of the search as JSON; `full` adds the per-second views (the report file). */
export function stepJson(step: StepRecord<Trial>, full = false): StepJson {
  const stalls = step.trials.flatMap((t, trial) => t.view.stalls.map((s) => ({ ...s, trial })));
  const share = meanShare(step.trials.map((t) => t.view.cpu));
  const byRegion = (f: (r: Trial['regions'][string]) => number) => (t: Trial) =>
    Object.fromEntries(Object.entries(t.regions).map(([r, v]) => [r, f(v)]));
  return {
    rate: step.rate,
    ok: step.ok,
    passed: step.trials.filter((t) => t.ok).length,
    median_p99_ms: r1(step.median.p99Ms),
    trials: step.trials.map((t) => ({
      pass: t.ok,
      p99_ms: byRegion((v) => r1(v.p99_ms))(t),
      bid_rate: byRegion((v) => Math.round(v.bid_rate * 1000) / 1000)(t),
      error_rate: Math.round(t.errorRate * 1e5) / 1e5,
      send_lag_p99_ms: r1(Math.max(0, ...Object.values(t.regions).map((v) => v.send_lag_p99_ms))),
      steal_pct: t.view.cpu?.steal_pct ?? null,
      stalls: t.view.stalls.length,
    })),
    cpu: share?.cpu ?? {},
    steal_pct: share?.steal_pct ?? null,
    busy_pct: share?.busy_pct ?? null,
    stalls: full ? stalls : stalls.slice(0, STALLS_PER_STEP),
    ...(full ? { seconds: step.trials.map((t) => t.view.seconds) } : {}),
  };
}

/** The highest rate whose step passed; 0 when the first step failed. */
export function maxPassingRate(steps: readonly { rate: number; ok: boolean }[]): number {
  let max = 0;
  for (const s of steps) {
    if (!s.ok) break;
    max = s.rate;
  }
  return max;
}

/** Why a search ended. */
export function stoppedBy(steps: readonly { ok: boolean }[], planned: number): string {
  const failed = steps.findIndex((s) => !s.ok);
  if (failed === 0) return 'the first step failed';
  if (failed > 0) return 'a step failed';
  return steps.length >= planned ? 'the highest planned rate passed (raise --max-rate)' : 'stopped';
}

/** The last-line JSON of `--find-max`. */
export interface FindMaxSummary {
  mode: 'find-max';
  run_id: string;
  regions: string[];
  /** The highest per-region rate whose median trial held the thresholds; 0: none did. */
  max_rps_per_region: number;
  /** False when even the first step failed (the command then exits 1). */
  found: boolean;
  stopped_by: string;
  /** How a step is judged. */
  rule: string;
  /** The rates the search would try, in order. */
  rates: number[];
  trials_per_step: number;
  trial_s: number;
  warmup: { rate: number; duration_s: number; p99_ms: Record<string, number> };
  thresholds: { p99_ms: number; error_rate: number };
  /** Budget each campaign was seeded with (scaled to the search's flight, see searchBudget). */
  budget_per_campaign: number;
  /** Units of every `cpu` object and of `steal_pct` / `busy_pct`. */
  cpu_units: string;
  steps: StepJson[];
  gc_logs: GcLogs;
  /** The whole search with every trial's per-second view, and its 100 ms CPU slices. */
  report_json: string;
  cpu_slices_json: string;
}

/** The summary of a search; `full` keeps every stall and per-second view (the report file). */
export function findMaxSummary(input: {
  runId: string;
  regions: readonly string[];
  options: FindMaxOptions;
  rates: readonly number[];
  scenario: Scenario;
  budgetPerCampaign: number;
  warmup: { rate: number; durationS: number; p99Ms: Record<string, number> };
  steps: readonly StepRecord<Trial>[];
  gcLogs: GcLogs;
  reportJson: string;
  cpuSlicesJson: string;
  full?: boolean;
}): FindMaxSummary {
  const max = maxPassingRate(input.steps);
  const t = input.scenario.thresholds;
  return {
    mode: 'find-max',
    run_id: input.runId,
    regions: [...input.regions],
    max_rps_per_region: max,
    found: max > 0,
    stopped_by: stoppedBy(input.steps, input.rates.length),
    rule: `a step passes when its median of ${String(input.options.trials)} trials holds p99 <= ${String(t.p99Ms)} ms (worst region) and error rate <= ${String(t.errorRate)}`,
    rates: [...input.rates],
    trials_per_step: input.options.trials,
    trial_s: input.options.trialS,
    warmup: {
      rate: input.warmup.rate,
      duration_s: input.warmup.durationS,
      p99_ms: Object.fromEntries(
        Object.entries(input.warmup.p99Ms).map(([r, v]) => [r, Math.round(v * 10) / 10]),
      ),
    },
    thresholds: { p99_ms: t.p99Ms, error_rate: t.errorRate },
    budget_per_campaign: Math.round(input.budgetPerCampaign * 100) / 100,
    cpu_units:
      "cpu: % of one core per role (other = host busy time outside the stack's roles); steal_pct, busy_pct: % of all cores' time",
    steps: input.steps.map((s) => stepJson(s, input.full === true)),
    gc_logs: input.gcLogs,
    report_json: input.reportJson,
    cpu_slices_json: input.cpuSlicesJson,
  };
}
