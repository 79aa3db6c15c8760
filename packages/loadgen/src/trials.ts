/**
 * Repeat-and-median rate search for a shared, noisy machine. One bad second (a stall of the
 * host, a collector) fails a single trial; judging each rate step by its median trial keeps that
 * from deciding the step, and interleaving the targets' trials within a step lets every target
 * see the same machine, so their ratio holds where the absolute figures move.
 */
import type { OpenModelResult } from './open-model.js';

/** The upper median (the middle element, or the later of the two middle ones); NaN when empty. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

/** What a step's goal needs from one trial. */
export interface TrialFigures {
  p99Ms: number;
  /** Failed, timed-out and unsent (client overload) requests. */
  errors: number;
}

/** A rate step's goal: p99 within `p99Ms` and no errors. */
export interface StepGoal {
  p99Ms: number;
}

/** Whether one trial meets the goal. */
export function trialPasses(t: TrialFigures, goal: StepGoal): boolean {
  return t.errors === 0 && t.p99Ms <= goal.p99Ms;
}

/** How far a trial is from the goal, for ordering: any error is worse than any latency. */
function badness(t: TrialFigures): number {
  return t.errors > 0 ? Number.POSITIVE_INFINITY : t.p99Ms;
}

/** A step judged by its median trial. */
export interface StepVerdict<T extends TrialFigures> {
  ok: boolean;
  /** The median trial when ordered from best to worst (the later one of an even count). */
  median: T;
  /** Trials that met the goal on their own. */
  passed: number;
}

/**
 * Judges a step by its median trial: with 3 trials, the step passes when 2 of them do; with an
 * even count the later of the two middle trials decides, so a tie fails.
 */
export function judgeStep<T extends TrialFigures>(
  trials: readonly T[],
  goal: StepGoal,
): StepVerdict<T> {
  if (trials.length === 0) throw new Error('judgeStep needs at least one trial');
  const sorted = [...trials].sort((a, b) => badness(a) - badness(b));
  const mid = sorted[Math.floor(sorted.length / 2)] as T;
  return {
    ok: trialPasses(mid, goal),
    median: mid,
    passed: trials.filter((t) => trialPasses(t, goal)).length,
  };
}

/**
 * The order the targets run in for trial `trial` of a step: forward on even trials, reversed on
 * odd ones (ABBA), so neither target always runs first after a rate change.
 */
export function interleaved<N>(names: readonly N[], trial: number): N[] {
  return trial % 2 === 0 ? [...names] : [...names].reverse();
}

/** One target of {@link findMaxRates}. */
export interface RateTarget<T extends TrialFigures> {
  name: string;
  /** Runs one trial at `rate` requests per second. */
  run: (rate: number, trial: number) => Promise<T>;
}

/** One rate step of a target. */
export interface StepRecord<T extends TrialFigures> {
  rate: number;
  ok: boolean;
  /** Trials that met the goal on their own. */
  passed: number;
  /** The median trial (see {@link judgeStep}). */
  median: T;
  /** Every trial in the order it ran. */
  trials: T[];
}

/** A target's result: the highest rate whose median trial met the goal. */
export interface RateSearch<T extends TrialFigures> {
  /** 0 when the first step failed. */
  maxRate: number;
  /** The median trial at `maxRate`. */
  best: T | undefined;
  steps: StepRecord<T>[];
}

/** Options of {@link findMaxRates}. */
export interface FindMaxRatesOptions<T extends TrialFigures> {
  /** Rates in increasing order. */
  rates: readonly number[];
  targets: readonly RateTarget<T>[];
  /** Trials per target and step; at least 1. @default 3 */
  trials?: number;
  goal: StepGoal;
  /** Sees every trial as it ends. */
  onTrial?: (name: string, rate: number, trial: number, result: T) => void;
  /** Sees every step's verdict. */
  onStep?: (name: string, step: StepRecord<T>) => void;
}

/**
 * Steps the rate up for every target at once: at each rate, `trials` rounds in which each target
 * still in the search runs one trial ({@link interleaved} order), then each is judged by its
 * median trial ({@link judgeStep}). A target leaves the search at its first failed step; the
 * search ends when none is left or the rates run out. Trials run one at a time, so only one
 * target has load at any moment.
 */
export async function findMaxRates<T extends TrialFigures>(
  o: FindMaxRatesOptions<T>,
): Promise<Record<string, RateSearch<T>>> {
  const n = Math.max(1, Math.floor(o.trials ?? 3));
  const out: Record<string, RateSearch<T>> = {};
  for (const t of o.targets) out[t.name] = { maxRate: 0, best: undefined, steps: [] };
  let active = [...o.targets];
  for (const rate of o.rates) {
    if (active.length === 0) break;
    const results = new Map<string, T[]>(active.map((t) => [t.name, []]));
    for (let trial = 0; trial < n; trial++)
      for (const t of interleaved(active, trial)) {
        const r = await t.run(rate, trial);
        results.get(t.name)?.push(r);
        o.onTrial?.(t.name, rate, trial, r);
      }
    const still: RateTarget<T>[] = [];
    for (const t of active) {
      const trials = results.get(t.name) ?? [];
      const v = judgeStep(trials, o.goal);
      const step: StepRecord<T> = { rate, ok: v.ok, passed: v.passed, median: v.median, trials };
      const search = out[t.name] as RateSearch<T>;
      search.steps.push(step);
      o.onStep?.(t.name, step);
      if (v.ok) {
        search.maxRate = rate;
        search.best = v.median;
        still.push(t);
      }
    }
    active = still;
  }
  return out;
}

/** Runs `run` for each target in {@link interleaved} order, `trials` rounds; results by name. */
export async function interleavedTrials<R>(
  names: readonly string[],
  trials: number,
  run: (name: string, trial: number) => Promise<R>,
): Promise<Record<string, R[]>> {
  const out: Record<string, R[]> = Object.fromEntries(names.map((n) => [n, [] as R[]]));
  for (let trial = 0; trial < trials; trial++)
    for (const name of interleaved(names, trial)) out[name]?.push(await run(name, trial));
  return out;
}

/** One open-model trial as the step search and a JSON summary see it. */
export interface OpenModelTrial extends TrialFigures {
  rate: number;
  rps: number;
  p50Ms: number;
  p999Ms: number;
  /** How late the generator sent (ms): large values mean the client was the limit. */
  sendLagP99Ms: number;
  status: Record<string, number>;
  /** p99 of each second, when the run kept a timeline. */
  p99ByS: number[];
}

/** The figures of an open-model run the step search judges; errors include skipped requests. */
export function openModelTrial(r: OpenModelResult): OpenModelTrial {
  return {
    rate: r.targetRate,
    rps: r.throughputRps,
    p50Ms: r.latencyMs.p50,
    p99Ms: r.latencyMs.p99,
    p999Ms: r.latencyMs.p999,
    errors: r.errors + r.skipped,
    sendLagP99Ms: r.sendLagMs.p99,
    status: r.statusCounts,
    p99ByS: (r.timeline ?? []).map((t) => t.p99Ms),
  };
}
